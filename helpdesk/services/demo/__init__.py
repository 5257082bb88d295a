"""Demo data for a first look (`helpdesk demo`): staff, rules, an SLA calendar and policies, demo
channel accounts, a month of tickets on every channel, help-center articles, and the report facts
built from them, so the dashboard, the SLA dashboard and the reports have something to show.

Loaded once: when staff exist already it does nothing (`load` returns False)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import User
from helpdesk.services import events
from helpdesk.services.automation import timed
from helpdesk.services.demo import articles, history, portal, setup
from helpdesk.services.demo import calls as demo_calls
from helpdesk.services.demo import privacy as demo_privacy
from helpdesk.services.demo import routing as demo_routing
from helpdesk.services.reports import facts as report_facts
from helpdesk.services.sla import scan as sla_scan
from helpdesk.services.topics import refit as topic_refit

PASSWORD = setup.PASSWORD


def load(days: int = history.DAYS) -> bool:
    """Create the demo data (with `days` of ticket history) once; returns False when staff already exist."""
    if db.session.scalar(select(User.id).limit(1)) is not None:
        return False
    # Muted: no live view, job or notification acts on a demo load (the first start would run a burst
    # of jobs against it); the demo does itself what they would derive.
    with events.muted():
        users = setup.create_staff()
        setup.create_rules()
        setup.create_automation()
        setup.create_sla()
        accounts = setup.create_accounts()
        setup.enable_surveys()
        history.create(users, accounts, days=days)
        demo_calls.create(days)  # the phone line: calls, missed-call tickets, voicemails
        articles.create(users["admin@example.com"])
        demo_privacy.create()
        portal.create(users["ana@example.com"])
        timed.run_all()  # the automations' first pass: solved long ago -> closed, pending for days -> reminded
        demo_routing.create(users)
        sla_scan.scan()  # breaches of the tickets still open are recorded now, not at the first scan
        report_facts.rebuild()  # what `helpdesk reports rebuild` does
        _find_topics()
    return True


def _find_topics() -> None:
    """What `helpdesk topics refit` does, looking for as many topics as the history's kinds of
    request (in English, and those asked in Spanish and Chinese, which share no words with them), so
    the Topics report has something to show on first sign-in."""
    # Two more for what no request kind covers: missed calls and the showcase's conversations.
    topic_refit.settings().topics = len(history.TOPICS) + sum(len(asked) for asked in history.LOCAL_TOPICS.values()) + 2
    db.session.commit()
    topic_refit.refit()


def print_logins(echo: Callable[[str], None]) -> None:
    """Print the demo sign-ins."""
    echo(f"demo logins (password: {PASSWORD}):")
    for email, _name, role, groups in setup.STAFF:
        echo(f"  {email:<24} {role:<10} {', '.join(groups)}")
    echo(f"customer portal (/portal/): {portal.MANAGER}, Globex's manager; sign in with the link that "
         f"`helpdesk portal link --email {portal.MANAGER}` prints")

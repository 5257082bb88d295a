"""Consent: what each customer agreed to, per purpose, from where and when, with every change kept.

The newest row of a (customer, purpose) is in force; none means the customer was never asked
(surveys then go out as before: `allows` treats "never asked" as allowed for service and surveys,
never for marketing)."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Consent, Customer, User
from helpdesk.models.base import utcnow
from helpdesk.models.privacy import CONSENT_SOURCES, PURPOSES
from helpdesk.services import audit

# Without any record: what a customer is taken to allow (marketing needs an explicit yes).
DEFAULTS = {"service": True, "surveys": True, "marketing": False}


class ConsentError(ValueError):
    """An unknown purpose or source; the message says which."""


def consents_of(customer: Customer) -> dict[str, Consent | None]:
    """The consent in force for each purpose ("service", "surveys", "marketing"): the newest
    record, or None where the customer never said."""
    found: dict[str, Consent | None] = dict.fromkeys(PURPOSES)
    for row in db.session.scalars(select(Consent).where(Consent.customer_id == customer.id).order_by(Consent.id)):
        found[row.purpose] = row
    return found


def history(customer: Customer) -> list[Consent]:
    """Every consent record of the customer, newest first."""
    return list(db.session.scalars(select(Consent).where(Consent.customer_id == customer.id)
                                   .order_by(Consent.id.desc())))


def allows(customer_id: int, purpose: str) -> bool:
    """Whether the customer's consent in force allows `purpose` (DEFAULTS when never asked)."""
    granted = db.session.scalar(select(Consent.granted).where(Consent.customer_id == customer_id,
                                                              Consent.purpose == purpose)
                                .order_by(Consent.id.desc()).limit(1))
    return DEFAULTS[purpose] if granted is None else bool(granted)


def _actor(actor) -> audit.Actor | None:
    if actor is None or isinstance(actor, audit.Actor):
        return actor
    if isinstance(actor, User):
        current = audit.current_actor()
        return audit.Actor(user_id=actor.id, ip=current.ip, via=current.via)
    raise ConsentError(_("actor must be a User, an audit.Actor or None"))


def set_consent(customer: Customer, purpose: str, granted: bool, source: str, actor=None, *,
                commit: bool = True) -> Consent:
    """Record the customer's decision about `purpose` from `source` ("form", "widget", "mail",
    "agent", "import", "portal"); `actor`: the staff member (User) or audit.Actor who recorded it,
    None for the customer themselves. Keeps the earlier records; adds an audit entry when the
    decision changes; commits unless `commit=False` (inside a caller's transaction).
    ConsentError for an unknown purpose or source."""
    if purpose not in PURPOSES:
        raise ConsentError(_("unknown purpose %(purpose)s (one of %(value)s)", purpose=repr(purpose), value=', '.join(PURPOSES)))
    if source not in CONSENT_SOURCES:
        raise ConsentError(_("unknown source %(source)s (one of %(value)s)", source=repr(source), value=', '.join(CONSENT_SOURCES)))
    who = _actor(actor)
    before = consents_of(customer)[purpose]
    row = Consent(customer_id=customer.id, purpose=purpose, granted=bool(granted), source=source,
                  actor_id=who.user_id if who else None, created_at=utcnow())
    db.session.add(row)
    if before is None or before.granted != bool(granted):
        audit.record(who, "customer.consent", "customer", customer.id,
                     before={purpose: None if before is None else before.granted},
                     after={purpose: bool(granted)}, source=source)
    if commit:
        db.session.commit()
    return row


def record_answers(ticket_id: int, answers: dict[str, bool], source: str) -> int:
    """Record what the customer of ticket `ticket_id` answered on a form that asked (the contact
    form, the chat widget), purpose by purpose, only where it differs from the consent in force
    (a customer who writes every week does not pile up identical records); commits. Returns how
    many records were added."""
    from helpdesk.models import Ticket

    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        return 0
    current = consents_of(ticket.customer)
    changed = [(p, g) for p, g in answers.items() if current[p] is None or current[p].granted != bool(g)]
    for purpose, granted in changed:
        set_consent(ticket.customer, purpose, granted, source, commit=False)
    db.session.commit()
    return len(changed)

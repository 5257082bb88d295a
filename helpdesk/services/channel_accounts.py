"""Channel accounts (bots, numbers, pages) as the reply path sees them: which account a ticket's
source names, its secrets, and the settings its channel adapter is built with.

Shared by every messaging channel: a channel keeps its public options in `ChannelAccount.settings`
and its credentials as one sealed JSON object (`seal_secrets`), so `adapter_settings` can hand
any adapter what it needs without knowing the channel.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, Ticket
from helpdesk.models.accounts import ACCOUNT_KINDS
from helpdesk.services import secrets
from helpdesk.services.mail import mailboxes


def seal_secrets(values: dict[str, str]) -> str:
    """`values` (token, app secret, webhook secret...) encrypted as one string for `secrets_sealed`."""
    return secrets.seal(json.dumps(values, sort_keys=True))


def account_secrets(account: ChannelAccount) -> dict[str, str]:
    """The decrypted secrets of `account` ({} when it has none); SecretUnreadable if the key changed."""
    if not account.secrets_sealed:
        return {}
    return json.loads(secrets.unseal(account.secrets_sealed))


def account_for_source(source: str | None) -> ChannelAccount | None:
    """The channel account a source such as "telegram:3" names, or None (mailboxes, web, unknown)."""
    kind, _, account_id = (source or "").partition(":")
    if kind not in ACCOUNT_KINDS or not account_id.isdigit():
        return None
    account = db.session.get(ChannelAccount, int(account_id))
    return account if account is not None and account.kind == kind else None


# The source of the demo's e-mail, web-form and phone tickets (see helpdesk/services/demo): their
# replies are simulated like those on a demo channel account.
DEMO_SOURCE = "demo"


def is_demo_source(source: str | None) -> bool:
    """True when replies on tickets from `source` are simulated: the demo's own source, or a channel
    account marked `{"demo": true}` in its settings (`helpdesk demo` creates them)."""
    if source == DEMO_SOURCE:
        return True
    account = account_for_source(source)
    return account is not None and bool((account.settings or {}).get("demo"))


def adapter_settings(source: str | None) -> dict:
    """What the channel adapter delivering a reply on a ticket from `source` is built with.

    For a channel account: {"account_id", "name", "settings" (its public options), "secrets"
    (decrypted)}; otherwise {"smtp": the outgoing mail settings (see mailboxes.outgoing_smtp)}.
    SecretUnreadable when the account's secrets cannot be decrypted.
    """
    account = account_for_source(source)
    if account is None:
        return {"smtp": mailboxes.outgoing_smtp(source)}
    return {"account_id": account.id, "name": account.name, "settings": dict(account.settings or {}),
            "secrets": account_secrets(account)}


class AccountInUse(ValueError):
    """An account tickets came through: deleting it would leave their replies nowhere to go."""

    def __init__(self, tickets: int) -> None:
        super().__init__(f"{tickets} ticket(s) came through it; switch it off instead")
        self.tickets = tickets


def tickets_through(account: ChannelAccount) -> int:
    """How many tickets came in through `account` (their replies leave through it)."""
    return db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.source == account.source)) or 0


def ensure_unused(account: ChannelAccount) -> None:
    """AccountInUse when any ticket came through `account`."""
    count = tickets_through(account)
    if count:
        raise AccountInUse(count)


def delete_account(account: ChannelAccount) -> None:
    """Delete `account` and its sealed secrets when no ticket came through it (AccountInUse
    otherwise: a ticket's replies are sent through the account its source names). Commits."""
    ensure_unused(account)
    db.session.delete(account)
    db.session.commit()


def any_active(kind: str) -> bool:
    """Whether an active account of `kind` exists (a listener loads a channel's library only then)."""
    return db.session.scalar(select(ChannelAccount.id).where(ChannelAccount.kind == kind, ChannelAccount.active)
                             .limit(1)) is not None

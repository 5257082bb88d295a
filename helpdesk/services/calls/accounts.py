"""CTI accounts: a PBX or cloud phone system that reports its calls to /webhooks/cti/<id>.

Settings (public): region (reads national numbers, e.g. "ES"), queues (PBX queue name -> group
name), extensions (extension -> staff e-mail). Secrets (sealed): secret, the HMAC key that signs
the webhook and that the Asterisk bridge signs with. `group_id` is the phone group: where calls
of an unknown queue and the tickets of missed calls go.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from channels.cti import numbers
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import ChannelAccount, Group, User
from helpdesk.services import audit, channel_accounts, staff

KIND = "cti"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_EXTENSION = re.compile(r"^[A-Za-z0-9*#_.-]{1,32}$")
SECRET_MIN, SECRET_MAX = 16, 1000


class CtiAccountError(ValueError):
    """A CTI account setting that cannot be saved; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _pairs(field: str, values: list[str] | None) -> dict[str, str]:
    found = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise CtiAccountError(field, _("%(item)s must look like KEY=VALUE", item=repr(item)))
        found[key.strip()] = value.strip()
    return found


def _queues(values: list[str] | None) -> dict[str, str]:
    queues = _pairs("queue", values)
    for group in queues.values():
        staff.group_id_named(group, CtiAccountError)
    return queues


def _extensions(values: list[str] | None) -> dict[str, str]:
    extensions = _pairs("extension", values)
    for extension, email in extensions.items():
        if not _EXTENSION.match(extension):
            raise CtiAccountError("extension", _("%(extension)s is not an extension (letters, digits, *#_.-)", extension=repr(extension)))
        if db.session.scalar(select(User.id).where(func.lower(User.email) == email.lower())) is None:
            raise CtiAccountError("extension", _("no staff member %(email)s", email=email))
    return {k: v.lower() for k, v in extensions.items()}


def add_account(*, name: str, secret: str, group: str | None = None, region: str | None = None,
                queues: list[str] | None = None, extensions: list[str] | None = None) -> ChannelAccount:
    """Validate and store a CTI account, its secret sealed, with an audit entry; commits.
    `queues` and `extensions` are "KEY=VALUE" strings. CtiAccountError names a bad field."""
    name = (name or "").strip()
    if not _NAME.match(name):
        raise CtiAccountError("name", _("must be letters, digits, '.', '_' or '-' (at most 100)"))
    if db.session.scalar(select(ChannelAccount.id).where(ChannelAccount.kind == KIND, ChannelAccount.name == name)):
        raise CtiAccountError("name", _("a CTI account with this name exists"))
    secret = (secret or "").strip()
    if not SECRET_MIN <= len(secret) <= SECRET_MAX or any(ch.isspace() for ch in secret):
        raise CtiAccountError("secret", _("must be %(secret_min)s to %(secret_max)s characters without spaces", secret_min=SECRET_MIN, secret_max=SECRET_MAX))
    if region and not numbers.valid_region(region):
        raise CtiAccountError("region", _("%(region)s is not a two-letter region such as ES or US", region=repr(region)))
    account = ChannelAccount(
        kind=KIND, name=name, group_id=staff.group_id_named(group, CtiAccountError),
        settings={"region": region.upper() if region else None, "queues": _queues(queues),
                  "extensions": _extensions(extensions)},
        secrets_sealed=channel_accounts.seal_secrets({"secret": secret}))
    db.session.add(account)
    db.session.flush()
    audit.record(audit.CLI, "channel.add", "channel_account", account.id, after={"kind": KIND, "name": name})
    db.session.commit()
    return account


def get_account(account_id: int) -> ChannelAccount | None:
    """The active CTI account `account_id`, or None."""
    account = db.session.get(ChannelAccount, account_id) if 0 < account_id < 2**31 else None
    return account if account is not None and account.kind == KIND and account.active else None


def named(name: str) -> ChannelAccount | None:
    """The CTI account called `name`, or None."""
    return db.session.scalar(select(ChannelAccount).where(ChannelAccount.kind == KIND, ChannelAccount.name == name))


def secret(account: ChannelAccount) -> str:
    """The account's shared webhook secret."""
    return channel_accounts.account_secrets(account).get("secret", "")


def region(account: ChannelAccount) -> str | None:
    """The region national numbers of this PBX are read in, if set."""
    return (account.settings or {}).get("region")


def group_for_queue(account: ChannelAccount, queue: str | None) -> int | None:
    """The group a call in `queue` rings for: the account's mapping, else a group named like the
    queue (any case), else the account's phone group."""
    if queue:
        mapped = (account.settings or {}).get("queues", {}).get(queue)
        group_id = db.session.scalar(select(Group.id).where(func.lower(Group.name) == (mapped or queue).lower()))
        if group_id is not None:
            return group_id
    return account.group_id


def agent_for(account: ChannelAccount, ref: str) -> User | None:
    """The active staff member the PBX named by e-mail or extension (the account's mapping), or None."""
    email = ref if "@" in ref else (account.settings or {}).get("extensions", {}).get(ref)
    if not email:
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == email.lower(), User.active))

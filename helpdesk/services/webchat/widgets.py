"""Chat widgets: the channel accounts of kind "webchat" that customers embed with one script tag.

A widget's public options live in `ChannelAccount.settings`: its key (what the script tag names),
the origins allowed to embed it, the title visitors see on its panel, its colour and corner, a
greeting, an offline message and whether the pre-chat form is shown. The account's name is a slug
for staff (the console, the CLI), never shown to visitors. Its identity secret, when identity verification is on, is sealed with the account's
other secrets (see channel_accounts).
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import ChannelAccount, User
from helpdesk.services import channel_accounts, settings_cache, staff

KIND = "webchat"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")
TEXT_MAX = 500
DEFAULT_GREETING = "Hi! How can we help?"
DEFAULT_OFFLINE = "No one is online right now. Leave your e-mail address and we will answer by e-mail."
DEFAULT_TITLE = "Chat with us"
TITLE_MAX = 60
DEFAULT_COLOUR = "#2952cc"
COLOUR = re.compile(r"^#[0-9a-f]{6}$")
POSITIONS = ("bottom-right", "bottom-left")


class WidgetError(ValueError):
    """A widget setting that cannot be used; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def normalise_origin(value: str) -> str:
    """`value` as a browser sends it in `Origin` (scheme://host[:port], lower case); WidgetError
    for anything else (a path, a wildcard, another scheme)."""
    text = (value or "").strip().rstrip("/").lower()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or "*" in text:
        raise WidgetError("origin", _("%(value)s is not an origin such as https://shop.example", value=repr(value)))
    if parts.username or parts.password:
        raise WidgetError("origin", _("%(value)s must not contain credentials", value=repr(value)))
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def _origins(values) -> list[str]:
    origins = sorted({normalise_origin(v) for v in values if v and v.strip()})
    if not origins:
        raise WidgetError("origin", _("at least one allowed origin is needed"))
    return origins


def _group_id(group: str | None) -> int | None:
    return staff.group_id_named(group, WidgetError)


def _text(value: str | None, field: str, default: str) -> str:
    text = " ".join((value or "").split()) or default
    if len(text) > TEXT_MAX:
        raise WidgetError(field, _("must be at most %(text_max)s characters", text_max=TEXT_MAX))
    return text


def _title(value: str | None) -> str:
    title = " ".join((value or "").split()) or DEFAULT_TITLE
    if len(title) > TITLE_MAX:
        raise WidgetError("title", _("must be at most %(title_max)s characters", title_max=TITLE_MAX))
    return title


def _colour(value: str | None) -> str:
    colour = (value or "").strip().lower() or DEFAULT_COLOUR
    if not COLOUR.match(colour):
        raise WidgetError("colour", _("%(value)s is not a colour such as #2952cc", value=repr(value)))
    return colour


def _position(value: str | None) -> str:
    position = (value or "").strip() or POSITIONS[0]
    if position not in POSITIONS:
        raise WidgetError("position", _("must be one of %(value)s", value=', '.join(POSITIONS)))
    return position


def _looks(title: str | None, colour: str | None, position: str | None) -> dict:
    """The given ones of title, colour and position, validated (None: not given)."""
    checks = (("title", title, _title), ("colour", colour, _colour), ("position", position, _position))
    return {field: check(value) for field, value, check in checks if value is not None}


def add_widget(name: str, origins: list[str], *, group: str | None = None, identity_secret: str | None = None,
               greeting: str | None = None, offline_message: str | None = None, prechat: bool = True,
               title: str | None = None, colour: str | None = None, position: str | None = None) -> ChannelAccount:
    """Create a widget with a new random key; commits and returns the account. WidgetError on bad input.
    `name` is a slug for staff; visitors see `title` (default "Chat with us")."""
    if not NAME.match(name or ""):
        raise WidgetError("name", _("a slug: letters, digits, dot, dash or underscore (at most 100)"))
    if db.session.scalar(select(ChannelAccount.id).where(ChannelAccount.kind == KIND, ChannelAccount.name == name)):
        raise WidgetError("name", _("a widget named %(name)s exists already", name=repr(name)))
    settings = {"key": secrets.token_urlsafe(18), "origins": _origins(origins),
                **_looks(title or "", colour or "", position or ""),
                "greeting": _text(greeting, "greeting", DEFAULT_GREETING),
                "offline_message": _text(offline_message, "offline_message", DEFAULT_OFFLINE),
                "prechat": bool(prechat), "identity_verification": bool(identity_secret)}
    account = ChannelAccount(kind=KIND, name=name, group_id=_group_id(group), settings=settings,
                             secrets_sealed=_sealed_secret(identity_secret))
    db.session.add(account)
    db.session.commit()
    return account


def _sealed_secret(identity_secret: str | None) -> str | None:
    if not identity_secret:
        return None
    if len(identity_secret) < 16:
        raise WidgetError("identity_secret", _("must be at least 16 characters"))
    return channel_accounts.seal_secrets({"identity_secret": identity_secret})


def update_widget(account: ChannelAccount, *, origins: list[str] | None = None, active: bool | None = None,
                  greeting: str | None = None, offline_message: str | None = None, prechat: bool | None = None,
                  group: str | None = None, identity_secret: str | None = None,
                  clear_identity_secret: bool = False, title: str | None = None, colour: str | None = None,
                  position: str | None = None) -> ChannelAccount:
    """Change what is given (None leaves a setting alone); commits. WidgetError on bad input."""
    settings = dict(account.settings or {})
    settings.update(_looks(title, colour, position))
    if origins is not None:
        settings["origins"] = _origins(origins)
    if greeting is not None:
        settings["greeting"] = _text(greeting, "greeting", DEFAULT_GREETING)
    if offline_message is not None:
        settings["offline_message"] = _text(offline_message, "offline_message", DEFAULT_OFFLINE)
    if prechat is not None:
        settings["prechat"] = prechat
    if group is not None:
        account.group_id = _group_id(group) if group else None
    if identity_secret:
        account.secrets_sealed = _sealed_secret(identity_secret)
    elif clear_identity_secret:
        account.secrets_sealed = None
    settings["identity_verification"] = account.secrets_sealed is not None
    if active is not None:
        account.active = active
    account.settings = settings
    db.session.commit()
    return account


def widgets() -> list[ChannelAccount]:
    """Every widget, by name."""
    return list(db.session.scalars(select(ChannelAccount).where(ChannelAccount.kind == KIND).order_by(ChannelAccount.name)))


def widget_for_key(key: str | None) -> ChannelAccount | None:
    """The active widget whose key is `key`, or None. Widgets are few: compared in constant time each."""
    if not key or len(key) > 100:
        return None
    for account in widgets():
        stored = str((account.settings or {}).get("key", ""))
        if account.active and stored and secrets.compare_digest(stored, key):
            return account
    return None


def widget_by_id(account_id: int) -> ChannelAccount | None:
    """The widget with this id (active or not), or None."""
    account = db.session.get(ChannelAccount, account_id) if 0 < account_id < 2**31 else None
    return account if account is not None and account.kind == KIND else None


def _load_widgets() -> dict[int, ChannelAccount]:
    # Core rows made into transient objects: the cached copies outlive every session.
    table = ChannelAccount.__table__
    return {row["id"]: ChannelAccount(**row) for row in db.session.execute(
        select(table).where(table.c.kind == KIND)).mappings()}


def connected_widget(account_id: int) -> ChannelAccount | None:
    """The widget with this id (active or not), or None, for a connected visitor's every event: a
    read-only copy cached per settings revision (any change of a widget renews the token, see
    services.settings_cache), so switching a widget off refuses its visitors' very next event."""
    return settings_cache.cached("webchat_widgets", _load_widgets).get(account_id)


def origin_allowed(account: ChannelAccount, origin: str | None) -> bool:
    """True when a page at `origin` may embed the widget `account`."""
    if not origin:
        return False
    try:
        return normalise_origin(origin) in (account.settings or {}).get("origins", [])
    except WidgetError:
        return False


def embedding_origins() -> set[str]:
    """Every origin any active widget may be embedded on (the Socket.IO server's CORS list)."""
    return {o for a in widgets() if a.active for o in (a.settings or {}).get("origins", [])}


def identity_secret(account: ChannelAccount) -> str | None:
    """The widget's identity verification secret, or None when verification is off."""
    return channel_accounts.account_secrets(account).get("identity_secret")


def agents_online(account: ChannelAccount, online_user_ids: set[int]) -> bool:
    """True when one of `online_user_ids` is an active staff member who takes this widget's chats."""
    if not online_user_ids:
        return False
    users = db.session.scalars(select(User).where(User.id.in_(online_user_ids), User.active))
    return any(u.sees_all_groups or account.group_id is None or account.group_id in u.group_ids for u in users)


def public_config(account: ChannelAccount, online: bool) -> dict:
    """What the widget shows before anything is said: texts, the pre-chat form, whether anyone is in."""
    settings = account.settings or {}
    return {"title": settings.get("title") or DEFAULT_TITLE, "colour": settings.get("colour") or DEFAULT_COLOUR,
            "position": settings.get("position") or POSITIONS[0],
            "greeting": settings.get("greeting") or DEFAULT_GREETING,
            "offline_message": settings.get("offline_message") or DEFAULT_OFFLINE,
            "prechat": bool(settings.get("prechat", True)),
            "identity_verification": bool(settings.get("identity_verification")), "online": online}


def snippet(account: ChannelAccount, base_url: str) -> str:
    """The script tag to paste into the customer's site."""
    return f'<script src="{base_url.rstrip("/")}/widget.js" data-channel="{account.settings["key"]}" async></script>'

"""Customer records: resolving identities, creating and editing profiles, search, merging duplicates."""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from channels.base import IDENTITY_KINDS, Sender
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import AuditEntry, Customer, Identity, Message, Organization, Ticket, User
from helpdesk.models.customers import TIERS
from helpdesk.services import audit
from helpdesk.services.fields import values as field_values
from helpdesk.services.fields.definitions import FieldError

NAME_MAX = 200
ADDRESS_MAX = 320
NOTES_MAX = 10_000
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
# A BCP 47 tag as people write them: a 2-3 letter language, then subtags (en, pt-BR, zh-Hant-TW).
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
EDITABLE = ("name", "language", "timezone", "tier", "notes", "organization_id", "org_manager")


class CustomerError(ValueError):
    """A customer change that cannot be made; the message says why and `field` names the input."""

    def __init__(self, message: str, *, field: str = "customer") -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class IdentityTaken(CustomerError):
    """The identity already belongs to another customer (a conflict, not a malformed input)."""


class CustomerNotFound(LookupError):
    """No such customer; `merged_into_id` names the surviving record when it was merged away."""

    def __init__(self, customer_id: int, merged_into_id: int | None = None) -> None:
        super().__init__(customer_id)
        self.merged_into_id = merged_into_id


def normalise_address(kind: str, address: str) -> str:
    """Canonical form of an identity address, so one person maps to one identity."""
    if kind not in IDENTITY_KINDS:
        raise CustomerError(_("unknown identity kind %(kind)s", kind=repr(kind)), field="kind")
    address = address.strip()
    if kind == "email":
        return address.lower()
    if kind in ("whatsapp", "phone"):
        digits = "".join(ch for ch in address if ch.isdigit())
        return "+" + digits if digits else address
    return address


def find_identity(kind: str, address: str) -> Identity | None:
    """The identity for (kind, address), if any customer has it (with its customer, in one query)."""
    return db.session.scalar(
        select(Identity).options(joinedload(Identity.customer))
        .where(Identity.kind == kind, Identity.address == normalise_address(kind, address))
    )


ORGANIZATION_OF_DOMAIN = select(Organization.__table__.c.id).where(Organization.__table__.c.domain == bindparam("domain"))


def domain_of(kind: str, address: str) -> str | None:
    """The domain an identity's address gives its organization by: e-mail only."""
    return address.rpartition("@")[2] if kind == "email" and "@" in address else None


def organization_for(kind: str, address: str) -> int | None:
    """The organization whose domain an e-mail address has, if any."""
    domain = domain_of(kind, address)
    if domain is None:
        return None
    return db.session.connection().execute(ORGANIZATION_OF_DOMAIN, {"domain": domain}).scalar()


def _new_identity(sender: Sender, address: str) -> Identity:
    """A pending identity of a pending new customer for `sender` (nothing written yet)."""
    fallback_name = address.partition("@")[0] if sender.kind == "email" else address
    customer = Customer(name=(sender.name or fallback_name)[:200], organization_id=organization_for(sender.kind, address),
                        tier="standard")  # set now, not at INSERT: rules read it before the flush
    return Identity(kind=sender.kind, address=address, customer=customer)


def resolve(sender: Sender) -> tuple[Customer, Identity]:
    """Find the customer who owns `sender`'s identity, creating both when new.

    Runs inside the caller's transaction; a concurrent creation of the same identity is caught by
    the unique constraint in a savepoint and resolved to the winner's record.
    """
    address = normalise_address(sender.kind, sender.address)
    identity = find_identity(sender.kind, address)
    if identity is not None:
        return identity.customer, identity
    identity = _new_identity(sender, address)
    try:
        with db.session.begin_nested():
            db.session.add_all([identity.customer, identity])
    except IntegrityError:
        identity = find_identity(sender.kind, address)
        if identity is None:
            raise
    return identity.customer, identity


def add_identity(customer: Customer, kind: str, address: str) -> Identity:
    """Attach a new identity to `customer`; refuses one that belongs to someone else."""
    address = normalise_address(kind, address)
    existing = find_identity(kind, address)
    if existing is not None:
        if existing.customer_id == customer.id:
            return existing
        raise IdentityTaken(f"{kind}:{address} already belongs to customer {existing.customer_id}", field="identities")
    identity = Identity(kind=kind, address=address, customer=customer)
    db.session.add(identity)
    return identity


def merge(source: Customer, target: Customer, *, actor_id: int | None) -> Customer:
    """Move `source`'s identities, tickets and messages to `target`, keep an audit entry, commit."""
    if source.id == target.id:
        raise CustomerError(_("a customer cannot be merged into itself"), field="target")
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise CustomerError(_("one of these customers was already merged"), field="target")
    identity_ids = [i.id for i in source.identities]
    ticket_ids = list(db.session.scalars(select(Ticket.id).where(Ticket.customer_id == source.id)))
    db.session.execute(update(Identity).where(Identity.customer_id == source.id).values(customer_id=target.id))
    db.session.execute(update(Ticket).where(Ticket.customer_id == source.id).values(customer_id=target.id))
    for field in ("language", "timezone", "notes", "organization_id"):
        if getattr(target, field) is None and getattr(source, field) is not None:
            setattr(target, field, getattr(source, field))
    if source.is_vip:
        target.tier = "vip"
    source.merged_into_id = target.id
    db.session.add(AuditEntry(
        actor_id=actor_id, action="customer.merge", target_type="customer", target_id=target.id,
        data={"source_id": source.id, "source_name": source.name, "identity_ids": identity_ids, "ticket_ids": ticket_ids},
    ))
    db.session.commit()
    db.session.expire_all()
    _refresh_sla_of(target.id)
    return target


def customer_ticket_ids(customer_id: int) -> list[int]:
    """Ids of every ticket of a customer, newest first (for the sidebar and profile)."""
    return list(db.session.scalars(
        select(Ticket.id).where(Ticket.customer_id == customer_id).order_by(Ticket.created_at.desc())
    ))


_identities = Identity.__table__
_OWNS = select(Ticket.__table__.c.id).where(Ticket.__table__.c.id == bindparam("ticket_id"),
                                            Ticket.__table__.c.customer_id == bindparam("customer_id"))
_WROTE_ON = (select(Message.__table__.c.id)
             .join(_identities, Message.__table__.c.identity_id == _identities.c.id)
             .where(Message.__table__.c.ticket_id == bindparam("ticket_id"),
                    _identities.c.customer_id == bindparam("customer_id")).limit(1))


def is_participant(ticket_id: int, customer_id: int) -> bool:
    """True when the customer owns the ticket or wrote a message on it."""
    connection, ids = db.session.connection(), {"ticket_id": ticket_id, "customer_id": customer_id}
    return (connection.execute(_OWNS, ids).first() is not None
            or connection.execute(_WROTE_ON, ids).first() is not None)


def get_active(customer_id: int) -> Customer:
    """The customer `customer_id`; CustomerNotFound when there is none or it was merged away (then
    `merged_into_id` names the record that survives, following chains of merges)."""
    customer = db.session.get(Customer, customer_id) if 0 < customer_id <= MAX_ID else None
    if customer is None:
        raise CustomerNotFound(customer_id)
    survivor, seen = customer, set()
    while survivor.merged_into_id is not None and survivor.id not in seen:
        seen.add(survivor.id)
        survivor = db.session.get(Customer, survivor.merged_into_id)
    if survivor is not customer:
        raise CustomerNotFound(customer_id, merged_into_id=survivor.id)
    return customer


def visible_ticket_ids(user: User, customer_id: int) -> list[int]:
    """Ids of the customer's tickets that `user` may see, newest first."""
    from helpdesk.services.tickets import visible_to

    query = visible_to(user).where(Ticket.customer_id == customer_id).order_by(Ticket.created_at.desc())
    return list(db.session.scalars(query.with_only_columns(Ticket.id)))


@dataclass(frozen=True)
class CustomerPage:
    """One page of a customer search; `next_cursor` is None on the last page."""

    items: list[Customer]
    next_cursor: str | None


def search(q: str | None = None, *, cursor: str | None = None, limit: int = 25, where=None) -> CustomerPage:
    """Customers (never merged-away records) whose name or any identity address contains `q`,
    newest first, keyset-paginated: pass the page's `next_cursor` back to get the next one.
    `where`: a further condition (who may see them, see customer_access)."""
    query = select(Customer).where(Customer.merged_into_id.is_(None)).options(selectinload(Customer.identities))
    if where is not None:
        query = query.where(where)
    if q and q.strip():
        pattern = f"%{q.strip().replace('%', '').replace('_', '')}%"
        owns_address = exists().where(Identity.customer_id == Customer.id, Identity.address.ilike(pattern))
        query = query.where(or_(Customer.name.ilike(pattern), owns_address))
    if cursor:
        if not cursor.isdigit() or not 0 < int(cursor) <= MAX_ID:
            raise CustomerError(_("is not a cursor this server issued"), field="cursor")
        query = query.where(Customer.id < int(cursor))
    rows = list(db.session.scalars(query.order_by(Customer.id.desc()).limit(limit + 1)))
    items = rows[:limit]
    return CustomerPage(items, str(items[-1].id) if len(rows) > limit else None)


def _name(value) -> str:
    name = " ".join(str(value or "").split())
    if not 1 <= len(name) <= NAME_MAX:
        raise CustomerError(_("must be 1 to %(name_max)s characters", name_max=NAME_MAX), field="name")
    return name


def _language(value) -> str | None:
    if not value:
        return None
    if not _LANGUAGE.match(value) or len(value) > 16:
        raise CustomerError(_("must be a language tag such as en or pt-BR"), field="language")
    primary, *rest = value.split("-")
    return "-".join([primary.lower(), *(p.upper() if len(p) == 2 else p for p in rest)])


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _timezone(value) -> str | None:
    if not value:
        return None
    if value not in _time_zones():
        raise CustomerError(_("must be an IANA time zone such as Europe/Madrid"), field="timezone")
    return value


def _tier(value) -> str:
    if value not in TIERS:
        raise CustomerError(_("must be one of %(list)s", list=list(TIERS)), field="tier")
    return value


def _notes(value) -> str | None:
    if value is not None and len(value) > NOTES_MAX:
        raise CustomerError(_("must be at most %(notes_max)s characters", notes_max=NOTES_MAX), field="notes")
    return value or None


def _organization(value) -> int | None:
    if value is None:
        return None
    if not 0 < value <= MAX_ID or db.session.get(Organization, value) is None:
        raise CustomerError(_("no organization %(value)s", value=value), field="organization_id")
    return value


def _flag(value) -> bool:
    if not isinstance(value, bool):
        raise CustomerError(_("must be true or false"), field="org_manager")
    return value


_CHECKS = {"name": _name, "language": _language, "timezone": _timezone, "tier": _tier, "notes": _notes,
           "organization_id": _organization, "org_manager": _flag}


def clean_profile(changes: dict) -> dict:
    """`changes` to profile fields (EDITABLE) validated and normalised; CustomerError names the
    first field that is unknown or wrong."""
    if unknown := set(changes) - set(EDITABLE):
        raise CustomerError(_("cannot be changed"), field=sorted(unknown)[0])
    return {name: _CHECKS[name](value) for name, value in changes.items()}


def _new_identities(identities: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Normalised (kind, address) pairs, each well-formed, distinct and nobody's yet."""
    if not identities:
        raise CustomerError(_("at least one identity is needed"), field="identities")
    pairs: list[tuple[str, str]] = []
    for kind, address in identities:
        address = normalise_address(kind, address)
        if not 1 <= len(address) <= ADDRESS_MAX or (kind == "email" and not _EMAIL.match(address)):
            raise CustomerError(_("%(kind)s:%(address)s is not a valid address", kind=kind, address=address), field="identities")
        if (kind, address) in pairs:
            raise CustomerError(_("%(kind)s:%(address)s is listed twice", kind=kind, address=address), field="identities")
        if (existing := find_identity(kind, address)) is not None:
            raise IdentityTaken(f"{kind}:{address} already belongs to customer {existing.customer_id}",
                                field="identities")
        pairs.append((kind, address))
    return pairs


def create_customer(*, name: str, identities: list[tuple[str, str]], created_by_id: int | None = None,
                    **profile) -> Customer:
    """Create a customer with its identities and profile fields (see EDITABLE); commits.
    `created_by_id`: the staff member creating it by hand (see customer_access).

    Without `organization_id` an e-mail identity whose domain an organization owns links the two.
    IdentityTaken when an identity belongs to someone else, also when that happens concurrently.
    """
    fields = clean_profile({"name": name, **profile})
    pairs = _new_identities(identities)
    if "organization_id" not in fields:
        fields["organization_id"] = next(filter(None, (organization_for(k, a) for k, a in pairs)), None)
    customer = Customer(**fields, created_by_id=created_by_id,
                        identities=[Identity(kind=k, address=a) for k, a in pairs])
    db.session.add(customer)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise IdentityTaken("an identity was taken by another customer meanwhile", field="identities") from None
    return customer


def update_customer(customer: Customer, **changes) -> dict:
    """Apply profile `changes` (see EDITABLE) after validating all of them; commits.
    Returns {field: [old, new]} of what changed; `custom_fields` ({key: value}) as `custom.<key>`."""
    custom = changes.pop("custom_fields", None) or {}
    try:
        done = field_values.stage("customer", customer.id, custom) if custom else {}
    except FieldError as exc:
        db.session.rollback()
        raise CustomerError(exc.message, field=exc.field) from None
    for name, new in clean_profile(changes).items():
        old = getattr(customer, name)
        if old != new:
            setattr(customer, name, new)
            done[name] = [old, new]
    if "organization_id" in done and customer.org_manager and "org_manager" not in changes:
        # Managing one organization does not carry over to the next: only an admin names managers.
        customer.org_manager = False
        done["org_manager"] = [True, False]
    if "org_manager" in done:  # it lets the customer see colleagues' tickets in the portal
        audit.record(None, "customer.org_manager", "customer", customer.id, before={"org_manager": done["org_manager"][0]},
                     after={"org_manager": done["org_manager"][1]})
    db.session.commit()
    if {"tier", "organization_id"} & set(done):
        _refresh_sla_of(customer.id)
    return done


def _refresh_sla_of(customer_id: int) -> None:
    """SLA policies may depend on the customer's tier and organization: their open tickets' clocks
    are recomputed when those change (a merge can change them too)."""
    from helpdesk.models.tickets import OPEN_STATUSES
    from helpdesk.services.sla import clocks as sla_clocks

    ids = list(db.session.scalars(select(Ticket.id).where(Ticket.customer_id == customer_id,
                                                           Ticket.status.in_(OPEN_STATUSES))))
    if ids:
        sla_clocks.refresh(ids)


@dataclass(frozen=True)
class DuplicateSuggestion:
    """Another customer record that is probably the same person, and why we think so (in the reader's words)."""

    customer: Customer
    reason: str


_GENERIC_NAMES = {"website visitor", "visitor", "customer", "unknown", "guest", "user"}


def _phone_digits(identity: Identity) -> str | None:
    if identity.kind not in ("phone", "whatsapp"):
        return None
    digits = "".join(ch for ch in identity.address if ch.isdigit())
    return digits if len(digits) >= 7 else None


def likely_duplicates(customer: Customer, limit: int = 10) -> list[DuplicateSuggestion]:
    """Customers who are probably `customer` under another channel: the same phone number on a
    phone or WhatsApp identity, the same e-mail address mentioned as an identity of another
    kind, or the same full name (not a placeholder such as "Website visitor")."""
    found: dict[int, DuplicateSuggestion] = {}
    active = Customer.merged_into_id.is_(None)
    for identity in customer.identities:
        digits = _phone_digits(identity)
        if digits:
            others = db.session.scalars(select(Identity).join(Customer).where(
                Identity.kind.in_(("phone", "whatsapp")), Identity.address == "+" + digits,
                Identity.customer_id != customer.id, active))
            for other in others:
                found.setdefault(other.customer_id, DuplicateSuggestion(other.customer, _("same phone number %(number)s", number=f"+{digits}")))
        if "@" in identity.address:
            others = db.session.scalars(select(Identity).join(Customer).where(  # (kind, address) index
                Identity.kind.in_(IDENTITY_KINDS), Identity.address == identity.address.lower(),
                Identity.customer_id != customer.id, active))
            for other in others:
                found.setdefault(other.customer_id, DuplicateSuggestion(other.customer, _("same address %(address)s", address=identity.address)))
    name = " ".join(customer.name.split())
    if len(name) >= 5 and " " in name and name.lower() not in _GENERIC_NAMES:
        others = db.session.scalars(select(Customer).where(  # exact name: an index scan, not a table scan
            Customer.name == name, Customer.id != customer.id, active).limit(limit))
        for other in others:
            found.setdefault(other.id, DuplicateSuggestion(other, _("same name %(name)s", name=other.name)))
    return list(found.values())[:limit]

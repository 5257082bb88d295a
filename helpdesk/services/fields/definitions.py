"""Custom field definitions: validated, stored, listed per entity (cached per settings revision)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import CustomField
from helpdesk.models.fields import ENTITIES, KINDS
from helpdesk.services import settings_cache

KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
OPTION_MAX = 100
OPTIONS_MAX = 200


class FieldError(ValueError):
    """A definition or a value that cannot be saved; `field` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class FieldDef:
    """A field as every reader sees it (outside any session)."""

    id: int
    entity: str
    key: str
    label: str
    kind: str
    options: tuple[str, ...]
    required_to_solve: bool
    position: int


def _load() -> dict[str, tuple[FieldDef, ...]]:
    rows = db.session.scalars(select(CustomField).where(CustomField.active)
                              .order_by(CustomField.position, CustomField.id))
    found: dict[str, list[FieldDef]] = {entity: [] for entity in ENTITIES}
    for row in rows:
        found[row.entity].append(FieldDef(row.id, row.entity, row.key, row.label, row.kind, tuple(row.options or ()),
                                          row.required_to_solve, row.position))
    return {entity: tuple(items) for entity, items in found.items()}


def active(entity: str) -> tuple[FieldDef, ...]:
    """The active fields of `entity` in display order (cached per settings revision)."""
    return settings_cache.cached("custom_fields", _load)[entity]


def by_key(entity: str, key: str) -> FieldDef | None:
    """The active field `key` of `entity`, or None."""
    return next((f for f in active(entity) if f.key == key), None)


def every_field() -> list[CustomField]:
    """Every definition, active or not, grouped by entity then in order."""
    return list(db.session.scalars(select(CustomField).order_by(CustomField.entity, CustomField.position, CustomField.id)))


def _options(kind: str, options) -> list[str]:
    if kind != "dropdown":
        return []
    if not isinstance(options, list) or not options or len(options) > OPTIONS_MAX:
        raise FieldError("options", _("a dropdown needs 1 to %(options_max)s options", options_max=OPTIONS_MAX))
    clean: list[str] = []
    for option in options:
        text = " ".join(str(option).split())
        if not 1 <= len(text) <= OPTION_MAX:
            raise FieldError("options", _("each option must be 1 to %(option_max)s characters", option_max=OPTION_MAX))
        if text not in clean:
            clean.append(text)
    return clean


def save(row: CustomField | None, data: dict) -> CustomField:
    """Create (`row` None) or change a definition from `data` (entity, key, label, kind, options,
    required_to_solve, position, active; a change may leave any out). Entity, key and kind are
    fixed once created. Commits; FieldError names the bad input."""
    creating = row is None
    row = row or CustomField(entity=data.get("entity"), key=data.get("key"), kind=data.get("kind"))
    if creating:
        if row.entity not in ENTITIES:
            raise FieldError("entity", _("must be one of %(list)s", list=list(ENTITIES)))
        if not isinstance(row.key, str) or not KEY.match(row.key):
            raise FieldError("key", _("lower-case letters, digits and _, starting with a letter (max 64)"))
        if row.kind not in KINDS:
            raise FieldError("kind", _("must be one of %(list)s", list=list(KINDS)))
        taken = db.session.scalar(select(CustomField.id).where(CustomField.entity == row.entity, CustomField.key == row.key))
        if taken is not None:
            raise FieldError("key", _("%(entity)s already has a field %(key)s", entity=row.entity, key=repr(row.key)))
    else:
        for fixed in ("entity", "key", "kind"):
            if fixed in data and data[fixed] != getattr(row, fixed):
                raise FieldError(fixed, _("cannot change once the field exists"))
    label = " ".join(str(data.get("label", row.label or "")).split())
    if not 1 <= len(label) <= 200:
        raise FieldError("label", _("must be 1 to 200 characters"))
    row.label = label
    if "options" in data or creating:
        row.options = _options(row.kind, data.get("options", row.options))
    required = bool(data.get("required_to_solve", row.required_to_solve or False))
    if required and row.entity != "ticket":
        raise FieldError("required_to_solve", _("only ticket fields can be required to solve"))
    row.required_to_solve = required
    row.position = int(data.get("position", row.position or 0) or 0)
    row.active = bool(data.get("active", True if row.active is None else row.active))
    db.session.add(row)
    db.session.commit()
    return row


def delete(row: CustomField) -> None:
    """Remove a definition and every value of it; commits."""
    db.session.delete(row)
    db.session.commit()

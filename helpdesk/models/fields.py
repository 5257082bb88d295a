"""Custom fields: admin-defined properties of tickets, customers and organizations, and their values."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.models.base import utcnow

ENTITIES = ("ticket", "customer", "organization")
KINDS = ("text", "number", "date", "dropdown", "checkbox")


class CustomField(db.Model):
    """One field of an entity. `key` is how the API, filters, triggers and reports name it;
    `options` the choices of a dropdown; `required_to_solve` (tickets only) blocks solving while
    the value is empty."""

    __tablename__ = "custom_fields"
    __table_args__ = (UniqueConstraint("entity", "key", name="uq_custom_fields_entity_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    options: Mapped[list] = mapped_column(JSON, default=list)
    required_to_solve: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomValue(db.Model):
    """The value of one field on one ticket, customer or organization (`object_id`), as text
    (what filters and reports compare: numbers in their shortest form, dates ISO, checkboxes
    "true"/"false") and, for numbers, as a number too."""

    __tablename__ = "custom_values"
    __table_args__ = (Index("ix_custom_values_field_value", "field_id", "value", "object_id"),)

    field_id: Mapped[int] = mapped_column(ForeignKey("custom_fields.id", ondelete="CASCADE"), primary_key=True)
    object_id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(String(1000))
    number: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

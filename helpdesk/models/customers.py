"""Organizations, customers and the identities through which customers reach us."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.models.base import utcnow

TIERS = ("standard", "premium", "vip")


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    domain: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Customer(db.Model):
    __tablename__ = "customers"
    __table_args__ = (Index("ix_customers_name", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(16), default="standard")
    notes: Mapped[str | None] = mapped_column(Text)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    # In the customer portal, sees every ticket of the organization's customers, not only their own.
    org_manager: Mapped[bool] = mapped_column(default=False)
    # What a chat visitor typed in the pre-chat form, until they confirm it (then it is an identity).
    unverified_email: Mapped[str | None] = mapped_column(String(320))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    # The staff member who created the record by hand: an agent may see it until it has a ticket.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None]  # anonymised for good (services/privacy/erasure.py)

    organization: Mapped[Organization | None] = relationship()
    identities: Mapped[list[Identity]] = relationship(back_populates="customer", order_by="Identity.id")

    @property
    def is_vip(self) -> bool:
        return self.tier == "vip"

    @property
    def primary_email(self) -> str | None:
        return next((i.address for i in self.identities if i.kind == "email"), None)


class Identity(db.Model):
    """One way to reach one customer: unique per (kind, address) across all customers."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("kind", "address", name="uq_identities_kind_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="identities")

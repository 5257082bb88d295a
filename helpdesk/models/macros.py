"""Macros: canned replies with actions, personal, per group or shared."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.models.base import utcnow
from helpdesk.models.staff import Group, User

SCOPES = ("personal", "group", "shared")


class Macro(db.Model):
    """A reply text with placeholders, its translations, and the changes it makes to a ticket.

    `scope` says who sees it: `personal` its owner, `group` the group's members, `shared` everyone.
    `actions` holds status, priority, group_id, assignee_id, assign_to_me, add_tags, remove_tags
    and note (each optional); `translations` maps a language code to the reply in that language.
    """

    __tablename__ = "macros"
    __table_args__ = (Index("ix_macros_scope_owner", "scope", "owner_id"), Index("ix_macros_scope_group", "scope", "group_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    actions: Mapped[dict] = mapped_column(JSON, default=dict)
    scope: Mapped[str] = mapped_column(String(16), default="personal")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    usage_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User | None] = relationship()
    group: Mapped[Group | None] = relationship()

"""Priority and routing rules applied, in order, to every new ticket."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db


class PriorityRule(db.Model):
    """If every condition holds, set priority and/or group. `conditions` keys: channel, tier,
    keywords (any of, in subject or body), group (the group the ticket would otherwise get),
    sender_priority (["high"]: the sender marked the message urgent, e.g. `X-Priority: 1`)."""

    __tablename__ = "priority_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0, index=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    conditions: Mapped[dict] = mapped_column(JSON, default=dict)
    set_priority: Mapped[int | None]
    set_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    stop: Mapped[bool] = mapped_column(default=True)

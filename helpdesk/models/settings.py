"""The revision of the settings that every ingested message reads (see services.settings_cache)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db


class SettingsRevision(db.Model):
    """One row (id 1) whose `token` changes, in the same transaction, with every change of the
    routing rules, groups, SLA policies or calendars."""

    __tablename__ = "settings_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))

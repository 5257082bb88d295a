"""The searchable form of tickets (the engines' own full-text objects follow these rows)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db


class TicketSearchDoc(db.Model):
    """One ticket as plain text (`id` is the ticket's id).

    `subject`; `people`: the ticket's number, its customer's name and addresses (e-mail, phone,
    chat ids) and its tags; `body`: every message's text, the customer's and the agents'. Chinese
    and Japanese runs are also kept as overlapping two-character pieces (`grams`), as the knowledge
    base does, so a phrase query finds them. Filters (status, group, ...) read the ticket row.
    """

    __tablename__ = "ticket_search_docs"

    id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True,
                                    autoincrement=False)
    subject: Mapped[str] = mapped_column(Text, default="")
    people: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    grams: Mapped[str] = mapped_column(Text, default="")


class TicketSearchTerm(db.Model):
    """A word seen in indexed tickets (lower case, no accents): what a misspelt word is matched to."""

    __tablename__ = "ticket_search_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(64), unique=True)

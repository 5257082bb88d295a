"""Ticket lists and the ticket page of the agent console; live fragments the page script re-fetches."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.models import Identity, Message, Ticket, Topic
from helpdesk.services import customer_access, drafts, replies, tickets
from helpdesk.services.search import tickets as ticket_search
from helpdesk.services.tickets import SORTS, VIEWS, TicketError, TicketFilter
from helpdesk.web.common import (
    BadInput,
    all_groups,
    assignable_users,
    message_or_404,
    optional_int,
    preload,
    ticket_or_404,
)

bp = Blueprint("tickets", __name__)

CHANNELS = ("web", "api", "email", "webchat", "telegram", "whatsapp", "messenger", "phone", "in_person")
VIEW_TITLES = {"mine": _l("My open tickets"), "unassigned": _l("Unassigned in my groups"), "open": _l("All open"),
               "pending": _l("Pending"), "solved": _l("Solved"), "all": _l("Everything")}
PAGE_SIZE = 50


@bp.before_request
@login_required
def _signed_in():
    """Every console page needs a signed-in staff member."""


def parse_filter(args) -> tuple[TicketFilter, str, str | None]:
    """The list's filter, sort and cursor from query arguments; BadInput/TicketError on nonsense."""
    view = args.get("view") or "open"
    if view not in VIEWS:
        raise BadInput("view", _("must be one of %(list)s", list=list(VIEWS)))
    sort = args.get("sort") or "updated"
    if sort not in SORTS:
        raise BadInput("sort", _("must be one of %(list)s", list=list(SORTS)))
    assignee = args.get("assignee_id")
    channel = args.get("channel") or None
    if channel is not None and channel not in CHANNELS:
        raise BadInput("channel", _("must be one of %(list)s", list=list(CHANNELS)))
    q = (args.get("q") or "").strip()
    f = TicketFilter(
        view=view,
        statuses=[s for s in args.getlist("status") if s],
        priorities=[p for p in args.getlist("priority") if p],
        group_id=optional_int(args.get("group_id"), "group_id"),
        assignee_id=None if assignee == "none" else optional_int(assignee, "assignee_id"),
        unassigned=assignee == "none",
        channel=channel,
        tag=(args.get("tag") or "").strip()[:64] or None,
        topic_id=None if args.get("topic_id") == "none" else optional_int(args.get("topic_id"), "topic_id"),
        without_topic=args.get("topic_id") == "none",
        q=q[:200] or None,
        custom={k[3:]: v.strip()[:1000] for k, v in args.items() if k.startswith("cf.") and v.strip()},
    )
    return f, sort, args.get("cursor") or None


def _list_context():
    try:
        f, sort, cursor = parse_filter(request.args)
        found = None
        if f.q:  # the header's search and the list's are this one search: ranked, with snippets
            found = ticket_search.search(current_user, f.q, base=replace(f, q=None), cursor=cursor, limit=PAGE_SIZE)
            page = tickets.Page(items=[h.ticket for h in found.hits], next_cursor=found.next_cursor)
        else:
            page = tickets.list_page(current_user, f, sort=sort, cursor=cursor, limit=PAGE_SIZE)
    except (BadInput, TicketError) as exc:
        return None, exc
    preload(page.items)
    hits = {h.ticket.id: h for h in found.hits} if found else {}
    topic = db.session.get(Topic, f.topic_id) if f.topic_id is not None else None
    return {"filter": f, "sort": sort, "cursor": cursor, "page": page, "search": found, "hits": hits,
            "topic": topic}, None


@bp.get("/")
def index():
    return redirect(url_for("tickets.list_tickets"))


@bp.get("/tickets")
def list_tickets():
    """A ticket list: a view (mine, unassigned, open, ...), filters, sort, keyset pages.

    With `fragment=rows` only the table body is rendered, for the live refresh of an open list.
    """
    context, error = _list_context()
    if error is not None:
        return render_template("tickets/list.html", error=error, views=VIEW_TITLES, groups=all_groups(),
                               users=assignable_users(), channels=CHANNELS, filter=TicketFilter(), sort="updated",
                               page=None, cursor=None), 400
    if request.args.get("fragment") == "rows":
        return render_template("tickets/_rows.html", **context)
    args = request.args.to_dict(flat=False)
    args.pop("cursor", None)
    return render_template("tickets/list.html", views=VIEW_TITLES, groups=all_groups(), users=assignable_users(),
                           channels=CHANNELS, base_args=args, error=None, **context)


def _customer_tickets(ticket: Ticket) -> list[Ticket]:
    """Every ticket of this customer the agent may see, newest first, for the sidebar."""
    query = tickets.visible_to(current_user).where(Ticket.customer_id == ticket.customer_id)
    return list(db.session.scalars(query.order_by(Ticket.created_at.desc()).limit(50)))


def _messages(ticket: Ticket, after: int = 0) -> list[Message]:
    messages = [m for m in tickets.messages_of(ticket) if m.id > after]
    identity_ids = {m.identity_id for m in messages} - {None}
    if identity_ids:
        list(db.session.scalars(select(Identity).where(Identity.id.in_(identity_ids))))
    return messages


@bp.get("/tickets/<int:ticket_id>")
def show(ticket_id: int):
    """The ticket page: thread, composer, properties, customer sidebar, timeline."""
    ticket = ticket_or_404(ticket_id)
    if ticket.merged_into_id is not None and request.args.get("stay") != "1":
        return redirect(url_for("tickets.show", ticket_id=ticket.merged_into_id, merged_from=ticket.id))
    return render_template(
        "tickets/page.html", ticket=ticket, messages=_messages(ticket), timeline=tickets.timeline_of(ticket),
        customer_tickets=_customer_tickets(ticket), groups=all_groups(), users=assignable_users(ticket.group_id),
        duplicates=customer_access.likely_duplicates(current_user, ticket.customer),
        merged_from=request.args.get("merged_from", type=int), draft=drafts.draft_of(ticket, current_user),
        reply_all_cc=replies.reply_all_copies(ticket),
    )


@bp.get("/tickets/<int:ticket_id>/messages")
def messages_fragment(ticket_id: int):
    """Messages newer than `after`: what the live page appends, and what it catches up on after a reconnect."""
    ticket = ticket_or_404(ticket_id)
    after = request.args.get("after", default=0, type=int)
    return render_template("tickets/_messages.html", ticket=ticket, messages=_messages(ticket, after))


@bp.get("/tickets/<int:ticket_id>/messages/<int:message_id>")
def message_fragment(ticket_id: int, message_id: int):
    """One message, re-rendered when its delivery state changes."""
    ticket = ticket_or_404(ticket_id)
    return render_template("tickets/_messages.html", ticket=ticket, messages=[message_or_404(ticket, message_id)])


@bp.get("/tickets/<int:ticket_id>/properties")
def properties_fragment(ticket_id: int):
    """The properties panel, re-rendered when someone else changes the ticket."""
    ticket = ticket_or_404(ticket_id)
    return render_template("tickets/_properties.html", ticket=ticket, groups=all_groups(),
                           users=assignable_users(ticket.group_id))

"""The server-rendered agent console, the public contact form and attachment downloads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, render_template, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from helpdesk.models.tickets import PRIORITIES, STATUSES
from helpdesk.services.sanitize import clean_html


def _asset_url(name: str) -> str | None:
    """URL of a bundled front-end asset, or None when the bundle was not built (the page still works)."""
    static = Path(__file__).resolve().parent.parent / "static" / "dist" / name
    if not static.exists():
        return None
    return url_for("static", filename=f"dist/{name}", v=int(static.stat().st_mtime))


def init_app(app: Flask) -> None:
    """Register the console blueprints and the template helpers they share."""
    from helpdesk.web import (
        account,
        admin,
        admin_audit,
        admin_automation,
        admin_channels,
        admin_mail,
        admin_users,
        admin_webchat,
        admin_webhooks,
        agent_tickets,
        attachments,
        auth,
        bulk,
        calls,
        composer,
        contact,
        customers,
        dashboard,
        icons,
        live_chat,
        macros,
        notifications,
        privacy,
        reports,
        saved_views,
        sla_admin,
        sla_display,
        survey_admin,
        surveys,
        ticket_actions,
        ticket_links,
        tickets,
        two_factor,
        widget,
    )

    for module in (auth, tickets, ticket_actions, bulk, composer, macros, customers, attachments, admin, admin_mail, sla_admin,
                   dashboard, contact, live_chat, admin_webchat, admin_channels, widget, surveys, survey_admin, saved_views,
                   notifications, agent_tickets, ticket_links, icons, calls):
        app.register_blueprint(module.bp)
    for module in (account, admin_users, admin_audit, two_factor, admin_automation, admin_webhooks):  # staff accounts and the audit log (issue 17)
        app.register_blueprint(module.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(privacy.admin_bp)
    from helpdesk.web import routing  # availability, capacities, skills (issue 19)

    app.register_blueprint(routing.bp)
    from helpdesk.web import portal, sso

    sso.init_app(app)
    portal.init_app(app)  # the customer portal (issue 20)
    app.register_blueprint(reports.bp)
    from helpdesk.web import admin_topics, call_reports, report_topics

    app.register_blueprint(report_topics.bp)
    app.register_blueprint(admin_topics.bp)
    from helpdesk.services.topics import assign as topic_assign

    app.jinja_env.globals["topic_of"] = topic_assign.topic_of  # the ticket page shows its topic
    app.register_blueprint(call_reports.bp)
    app.jinja_env.globals["sla_clocks"] = sla_display.clocks_of
    app.jinja_env.filters["sla_left"] = sla_display.time_left
    app.jinja_env.globals.update(asset_url=_asset_url, STATUSES=STATUSES, PRIORITIES=list(PRIORITIES),
                                 INLINE_IMAGES=[t for t in attachments.INLINE_MAGIC if t.startswith("image/")])
    app.jinja_env.globals["icon"] = icons.icon
    from helpdesk.services.fields import definitions as field_definitions
    from helpdesk.services.fields import values as field_values

    app.jinja_env.globals.update(custom_fields_of=field_definitions.active, custom_values_of=field_values.values_for)
    app.jinja_env.filters["sanitized"] = _sanitized
    app.jinja_env.filters["message_parts"] = message_parts
    app.register_error_handler(HTTPException, _error_page)


@dataclass(frozen=True)
class MessageParts:
    """A message's text cut where the channel said its signature and quoted history start."""

    main: str
    signature: str
    quoted: str

    @property
    def folded(self) -> bool:
        return bool(self.signature or self.quoted)


def message_parts(message) -> MessageParts:
    """Split `message.body_text` at `signature_from` and `quoted_from` (offsets from the parser);
    offsets that do not fit the text are ignored rather than trusted."""
    text = message.body_text or ""
    quoted_at = message.quoted_from if message.quoted_from is not None and 0 < message.quoted_from <= len(text) else len(text)
    signature_at = message.signature_from
    if signature_at is None or not 0 < signature_at <= quoted_at:
        signature_at = quoted_at
    return MessageParts(main=text[:signature_at].rstrip(), signature=text[signature_at:quoted_at].strip(),
                        quoted=text[quoted_at:].strip())


def _sanitized(html: str | None) -> Markup:
    """Stored HTML is cleaned at ingest; cleaning again at render keeps rows written by older
    versions (or by hand) from ever reaching the page unsanitised."""
    return Markup(clean_html(html) or "")


def _error_page(error: HTTPException):
    """Console errors as a page in the console's frame (the API answers its own paths in JSON)."""
    if error.code is None or error.code < 400:
        return error
    if error.response is not None:  # the view made its own page (the sign-in lock-out)
        return error.response
    response = error.get_response()
    body = render_template("error.html", code=error.code, name=error.name, description=error.description)
    return body, error.code, [(k, v) for k, v in response.headers.items() if k in ("Retry-After", "Allow")]

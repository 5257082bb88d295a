"""One save / delete flow for the admin pages of settings kept as rows (triggers, time-based
automations, webhooks, custom fields): find the row (404 when gone), read the form, call the
domain's service (which validates, commits and, through the audit watch, logs who changed what),
say what happened (each page its own words, in the reader's language) and go back to the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for

from helpdesk.extensions import db
from helpdesk.web.common import get_or_404


@dataclass(frozen=True)
class Rows:
    """How one admin page keeps its rows.

    `saved`, `refused` and `deleted` give the confirmations; `form` turns the posted form into the service's data (it gets the row, None when creating);
    `save(row, data)` returns the row, or (row, page) when the answer is a page of its own (a new
    webhook's secret, shown once); `delete(row)` removes it. `errors` are the service's refusals,
    flashed with their reason. A refused change goes back to `edit` when the page has one."""

    model: type
    saved: Callable[[Any], str]  # the row -> what to say, in the reader's language (so each its own gettext)
    refused: Callable[[Exception], str]
    deleted: Callable[[], str]
    index: str
    form: Callable[[Any, Any], dict]
    save: Callable[[Any, dict], Any]
    delete: Callable[[Any], None]
    errors: tuple[type[Exception], ...]
    edit: str | None = None


def _saved(rows: Rows, key: str, object_id: int | None):
    row = get_or_404(rows.model, object_id) if object_id is not None else None
    try:
        result = rows.save(row, rows.form(request.form, row))
    except rows.errors as exc:
        db.session.rollback()
        flash(rows.refused(exc), "error")
        back = url_for(rows.edit, **{key: object_id}) if rows.edit and object_id is not None else url_for(rows.index)
        return redirect(back, code=303)
    row, page = result if isinstance(result, tuple) else (result, None)
    if page is not None:
        return page
    flash(rows.saved(row), "ok")
    return redirect(url_for(rows.index), code=303)


def _deleted(rows: Rows, object_id: int):
    rows.delete(get_or_404(rows.model, object_id))
    flash(rows.deleted(), "ok")
    return redirect(url_for(rows.index), code=303)


def register(bp: Blueprint, path: str, name: str, rows: Rows) -> None:
    """Add `POST /path` (create), `POST /path/<id>` (change) and `POST /path/<id>/delete` to `bp`,
    as the endpoints `<name>_save` and `<name>_delete` (the id argument `<name>_id`)."""
    key = f"{name}_id"

    def save(**ids):
        return _saved(rows, key, ids[key])

    def delete(**ids):
        return _deleted(rows, ids[key])

    save.__doc__, delete.__doc__ = f"Create or change a {name}.", f"Remove a {name}."
    bp.add_url_rule(path, f"{name}_save", save, methods=["POST"], defaults={key: None})
    bp.add_url_rule(f"{path}/<int:{key}>", f"{name}_save", save, methods=["POST"])
    bp.add_url_rule(f"{path}/<int:{key}>/delete", f"{name}_delete", delete, methods=["POST"])

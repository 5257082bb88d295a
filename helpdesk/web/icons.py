"""Inline SVG icons for templates (`{{ icon("pencil") }}`) and the favicon.

The icons are Lucide's (ISC licence), copied from npm's lucide-static into helpdesk/static/dist/icons/
by the front-end build (frontend/build.mjs names the ones shipped). Inline, so they take the text's
colour and need no extra request; without a build they are left out and the text still reads."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flask import Blueprint, abort, send_file
from markupsafe import Markup

DIST = Path(__file__).resolve().parent.parent / "static" / "dist"
NAME = re.compile(r"^[a-z0-9-]{1,64}$")

bp = Blueprint("icons", __name__)


@cache
def _svg(name: str) -> str:
    path = DIST / "icons" / f"{name}.svg"
    if not NAME.match(name) or not path.exists():
        return ""
    svg = re.sub(r"<!--.*?-->\s*", "", path.read_text(encoding="utf-8"), flags=re.S)
    # Sized by CSS (.icon) and hidden from screen readers: the control next to it carries the words.
    return svg.replace("<svg", '<svg aria-hidden="true" focusable="false"', 1).replace(
        'class="lucide ', 'class="icon lucide ', 1).strip()


def icon(name: str) -> Markup:
    """The icon `name` as inline SVG markup ("" when the assets were not built)."""
    return Markup(_svg(name))


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico before they read the page's <link rel="icon">: the same SVG."""
    path = DIST / "favicon.svg"
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="image/svg+xml", max_age=86400)

"""Make customer-supplied HTML safe to show in the console."""

from __future__ import annotations

import nh3

# Inline images arrive as cid: references and are rewritten to attachment URLs at render time.
_URL_SCHEMES = {"http", "https", "mailto", "cid", "tel"}


def clean_html(html: str | None) -> str | None:
    """Return `html` with scripts, event handlers, styles and unsafe URLs removed."""
    if html is None:
        return None
    return nh3.clean(html, url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer nofollow")

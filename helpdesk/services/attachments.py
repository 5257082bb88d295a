"""Attachment storage: bytes on disk under a generated key, metadata in the database."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from pathlib import Path

import filetype
from flask import current_app

from channels.base import Attachment as IncomingFile
from helpdesk.i18n import gettext as _
from helpdesk.i18n.formats import number
from helpdesk.models import Attachment

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029/\\]+")
# Bidirectional controls (embeddings, overrides, isolates, marks), zero-width space, word joiner and BOM:
# invisible, they reorder or hide what a name says ("invoice\u202efdp.exe" displays as "invoiceexe.pdf").
# Zero-width (non-)joiners stay: Persian and Indic names and emoji need them.
_INVISIBLE = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


class AttachmentTooLarge(ValueError):
    """The file is over HELPDESK_MAX_ATTACHMENT_BYTES."""


def _root() -> Path:
    return Path(current_app.config["HELPDESK_ATTACHMENTS_DIR"])


def path_for(storage_key: str) -> Path:
    """Where the bytes of `storage_key` live on disk."""
    return _root() / storage_key[:2] / storage_key


def safe_filename(name: str | None) -> str:
    """A display name with no path parts, control characters, or bidirectional or invisible
    formatting characters that could disguise its extension."""
    cleaned = _UNSAFE_NAME.sub("_", _INVISIBLE.sub("", name or "").strip()).strip(". ")
    return cleaned[:255] or "attachment"


def sniff_type(content: bytes, declared: str) -> str:
    """The content type the bytes really have; the declared one only when nothing is recognised."""
    kind = filetype.guess(content[:8192])
    if kind is not None:
        return kind.mime
    return declared if declared.startswith("text/") else "application/octet-stream"


def write_blob(content: bytes) -> tuple[str, str]:
    """Write `content` to disk atomically under a new random key; returns (key, sha256 hex)."""
    key = uuid.uuid4().hex
    path = path_for(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(content)
    os.replace(tmp, path)
    return key, hashlib.sha256(content).hexdigest()


def store_row(incoming: IncomingFile) -> dict:
    """Write the file to disk and return the columns of its `Attachment` row (no message yet)."""
    limit = current_app.config["HELPDESK_MAX_ATTACHMENT_BYTES"]
    if len(incoming.content) > limit:
        raise AttachmentTooLarge(_("%(name)s is larger than %(limit)s bytes", name=safe_filename(incoming.filename),
                                   limit=number(limit)))
    key, sha256 = write_blob(incoming.content)
    return {"storage_key": key, "filename": safe_filename(incoming.filename),
            "content_type": sniff_type(incoming.content, incoming.content_type), "size": len(incoming.content),
            "sha256": sha256, "content_id": incoming.content_id}


def store(incoming: IncomingFile) -> Attachment:
    """Write the file to disk and return an unsaved `Attachment` row describing it."""
    return Attachment(**store_row(incoming))

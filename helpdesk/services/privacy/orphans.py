"""Files in the attachments folder that no row names (left by a crash between a commit and a
file's deletion, or by hand): `helpdesk attachments check` lists them, `--delete` removes them."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from helpdesk.services.privacy.scrub import referenced_keys

# Sub-folders that are not attachment storage (prepared exports; files being written).
SKIPPED = ("exports",)


def orphan_files() -> list[Path]:
    """Files under the attachments folder whose key no attachment, raw mail, failed mail or
    knowledge base file row names, sorted."""
    root = Path(current_app.config["HELPDESK_ATTACHMENTS_DIR"])
    if not root.is_dir():
        return []
    known = referenced_keys()
    found = []
    for path in root.rglob("*"):
        if not path.is_file() or path.relative_to(root).parts[0] in SKIPPED or path.suffix == ".part":
            continue
        if path.name not in known:
            found.append(path)
    return sorted(found)

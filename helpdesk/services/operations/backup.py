"""Backups: one archive with a consistent copy of the database, the stored files and the secret key,
and its restore.

The database is copied first (SQLite's online backup API, or `pg_dump` on PostgreSQL), then the
files: a file is written before the row that names it is committed and files are never changed
after, so every file a copied row names is in the archive. A manifest records each member's SHA-256;
restore checks them all before it touches anything.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, make_url, select, text

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _

FORMAT = 1


class BackupError(Exception):
    """The archive cannot be made or restored; the message says why."""


@dataclass
class Summary:
    database: str
    files: int
    bytes: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_path(url) -> Path:
    return Path(url.database).resolve()


def _libpq(url) -> tuple[str, str]:
    """A libpq connection string for pg_dump/pg_restore, and the schema the app works in."""
    schema = db.session.scalar(text("SELECT current_schema()"))
    db.session.rollback()
    plain = url.set(drivername="postgresql")
    return plain.render_as_string(hide_password=False), schema


def _dump_database(work: Path) -> tuple[str, Path]:
    url = make_url(str(db.engine.url))
    if url.get_backend_name() == "sqlite":
        target = work / "database.sqlite3"
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)  # a consistent snapshot while writers go on
        source.close()
        copy.close()
        return "sqlite", target
    if shutil.which("pg_dump") is None:
        raise BackupError(_("pg_dump is not installed: install the PostgreSQL client of the server's version"))
    conninfo, schema = _libpq(url)
    target = work / "database.dump"
    done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--schema={schema}",
                           f"--file={target}", conninfo], capture_output=True, text=True)
    if done.returncode:
        raise BackupError(_("pg_dump failed: %(value)s", value=done.stderr.strip()[-500:]))
    return "postgresql", target


def _schema_revision() -> list[str]:
    revisions = sorted(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    db.session.rollback()
    return revisions


def create(archive: Path, attachments_dir: Path, secret_key_file: Path | None) -> Summary:
    """Write the archive at `archive`: database, every file under `attachments_dir`, and the secret
    key file when the key lives in one (not when it comes from HELPDESK_SECRET_KEY)."""
    archive = Path(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="helpdesk-backup-") as tmp:
        kind, dump = _dump_database(Path(tmp))
        members: dict[str, Path] = {dump.name: dump}
        for path in sorted(attachments_dir.rglob("*")) if attachments_dir.exists() else []:
            if path.is_file() and path.suffix != ".part":  # .part: a write still under way
                members[f"attachments/{path.relative_to(attachments_dir).as_posix()}"] = path
        if secret_key_file is not None and secret_key_file.exists():
            members["secret_key"] = secret_key_file
        manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "database": kind, "schema": _schema_revision(),
                    "files": {name: _sha256(path) for name, path in members.items()}}
        partial = archive.with_name(archive.name + ".part")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode = len(data), 0o600
            tar.addfile(info, io.BytesIO(data))
            for name, path in members.items():
                tar.add(path, arcname=name, recursive=False)
        os.chmod(partial, 0o600)  # it holds the secret key and every customer's data
        os.replace(partial, archive)
    files = sum(1 for name in members if name.startswith("attachments/"))
    return Summary(kind, files, archive.stat().st_size)


def _checked_members(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(tar.extractfile("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise BackupError(_("not a helpdesk backup: no readable manifest.json")) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(_("backup format %(value)s is not %(format)s", value=repr(manifest.get('format')), format=FORMAT))
    for name, expected in manifest["files"].items():
        if name.startswith("/") or ".." in Path(name).parts:
            raise BackupError(_("unsafe member name %(name)s", name=repr(name)))
        member = tar.extractfile(name)
        if member is None or hashlib.file_digest(member, "sha256").hexdigest() != expected:
            raise BackupError(_("%(name)s is damaged (its SHA-256 differs from the manifest)", name=name))
    return manifest


def has_tickets() -> bool:
    """Whether the configured database already holds tickets (restore refuses to overwrite them)."""
    from helpdesk.models import Ticket

    try:
        return bool(db.session.scalar(select(func.count()).select_from(Ticket)))
    except Exception:  # noqa: BLE001 - no schema yet: nothing to lose
        return False
    finally:
        db.session.rollback()


def restore(archive: Path, attachments_dir: Path, secret_key_file: Path | None) -> Summary:
    """Replace the configured database, the stored files and the secret key file with the archive's.
    Run it with the helpdesk stopped. Every member is checked against the manifest first."""
    with tarfile.open(archive, "r") as tar, tempfile.TemporaryDirectory(prefix="helpdesk-restore-") as tmp:
        manifest = _checked_members(tar)
        tar.extractall(tmp, members=[tar.getmember(n) for n in manifest["files"]], filter="data")
        work = Path(tmp)
        url = make_url(str(db.engine.url))
        kind = "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"
        if kind != manifest["database"]:
            raise BackupError(_("the backup is of a %(database)s database, the configured one is %(kind)s", database=manifest['database'], kind=kind))
        db.session.remove()
        db.engine.dispose()
        if kind == "sqlite":
            source = sqlite3.connect(work / "database.sqlite3")
            target = sqlite3.connect(_sqlite_path(url))
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            conninfo, _schema = _libpq(url)
            db.session.remove()
            done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                                   "--single-transaction", f"--dbname={conninfo}", str(work / "database.dump")],
                                  capture_output=True, text=True)
            if done.returncode:
                raise BackupError(_("pg_restore failed: %(value)s", value=done.stderr.strip()[-500:]))
        restored = work / "attachments"
        if attachments_dir.exists():
            shutil.rmtree(attachments_dir)
        if restored.exists():
            shutil.copytree(restored, attachments_dir)
        else:
            attachments_dir.mkdir(parents=True)
        if secret_key_file is not None and (work / "secret_key").exists():
            shutil.copyfile(work / "secret_key", secret_key_file)
            os.chmod(secret_key_file, 0o600)
        files = sum(1 for n in manifest["files"] if n.startswith("attachments/"))
        return Summary(kind, files, archive.stat().st_size)

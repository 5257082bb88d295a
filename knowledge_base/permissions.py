"""Who may do what in the knowledge base.

Writing and publishing is a capability, not a role: an admin always has it, and an admin may
grant it to any agent or supervisor (a row in `kb_editors`). The staff roles stay as they are,
so an editor keeps everything their role gives them (groups, assignment, supervisor views).
"""

from __future__ import annotations

from sqlalchemy import delete, select

from helpdesk.extensions import db
from helpdesk.models import User
from knowledge_base.models import KbEditor


def is_editor(user) -> bool:
    """True when `user` (a signed-in staff member) may write, publish and archive articles."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return user.role == "admin" or db.session.get(KbEditor, user.id) is not None


def sees_reports(user) -> bool:
    """Admins, supervisors and editors see the knowledge-base reports."""
    return user.role in ("admin", "supervisor") or is_editor(user)


def editors() -> list[User]:
    """Staff members granted the editor capability (admins have it without being listed)."""
    return list(db.session.scalars(select(User).join(KbEditor, KbEditor.user_id == User.id).order_by(User.name)))


def grant(user: User, by: User) -> None:
    """Let `user` write and publish articles. Commits."""
    if db.session.get(KbEditor, user.id) is None:
        db.session.add(KbEditor(user_id=user.id, granted_by_id=by.id))
    db.session.commit()


def revoke(user: User) -> None:
    """Take the editor capability from `user`. Commits."""
    db.session.execute(delete(KbEditor).where(KbEditor.user_id == user.id))
    db.session.commit()

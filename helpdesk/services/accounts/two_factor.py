"""Two-factor sign-in with TOTP (RFC 6238, pyotp): enrolment with a QR code and a confirmation
code, ten single-use recovery codes, codes that work once, the roles that must use it, remembered
devices (a signed cookie bound to the enrolment, 30 days at most), an admin's reset (audited).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno

from helpdesk.extensions import db
from helpdesk.models import SecuritySettings, User
from helpdesk.models.base import utcnow
from helpdesk.models.staff import ROLES
from helpdesk.services import audit
from helpdesk.services import secrets as sealing

ISSUER = "helpdesk"
RECOVERY_CODES = 10
REMEMBER_DAYS_MAX = 30


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def settings() -> SecuritySettings:
    """The security settings row (made on first use)."""
    row = db.session.get(SecuritySettings, 1)
    if row is None:
        row = SecuritySettings(id=1, two_factor_roles=[])
        db.session.add(row)
        db.session.flush()
    return row


def required_roles() -> list[str]:
    row = db.session.get(SecuritySettings, 1)
    return list(row.two_factor_roles) if row else []


def set_required_roles(roles: list[str], actor: audit.Actor) -> list[str]:
    """Make these roles sign in with a second factor (an empty list: nobody must); commits."""
    wanted = [r for r in ROLES if r in set(roles)]
    row = settings()
    before = list(row.two_factor_roles or [])
    if before != wanted:
        row.two_factor_roles = wanted
        audit.record(actor, "settings.two_factor_roles", "settings", row.id, before={"roles": before},
                     after={"roles": wanted})
    db.session.commit()
    return wanted


def required_for(user: User) -> bool:
    """Whether `user` must have a second factor to use the console."""
    return user.role in required_roles()


def begin(user: User) -> str:
    """Start (or restart) enrolment: a new secret, not yet in force; returns the otpauth:// URI
    an authenticator app reads from the QR code. Commits."""
    if user.totp_enabled:
        raise ValueError("two-factor sign-in is already on")
    secret = pyotp.random_base32()
    user.totp_secret = sealing.seal(secret)
    db.session.commit()
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def pending_uri(user: User) -> str | None:
    """The otpauth:// URI of an enrolment begun and not confirmed yet, else None."""
    if user.totp_enabled or not user.totp_secret:
        return None
    return pyotp.TOTP(sealing.unseal(user.totp_secret)).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of `uri` as an SVG data URI (an <img> the strict CSP allows)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _step_accepted(user: User, code: str) -> bool:
    """A current TOTP code (one step of clock drift either way) not used before."""
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        return False
    totp, now = pyotp.TOTP(sealing.unseal(user.totp_secret)), time.time()
    for drift in (0, -1, 1):
        step = int(now // totp.interval) + drift
        if hmac.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # replayed
            user.totp_last_step = step
            return True
    return False


def confirm(user: User, code: str, actor: audit.Actor) -> list[str] | None:
    """Put the begun enrolment in force with a first code; returns the ten recovery codes (shown
    once), or None when the code is wrong. Commits."""
    if user.totp_enabled or not _step_accepted(user, code.strip().replace(" ", "")):
        db.session.rollback()
        return None
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(1)}" for _ in range(RECOVERY_CODES)]
    user.totp_recovery = [_hash(c) for c in codes]
    user.totp_enabled_at = utcnow()
    audit.record(actor, "user.two_factor_on", "user", user.id)
    db.session.commit()
    return codes


def verify(user: User, code: str, actor: audit.Actor) -> str | None:
    """Check a sign-in's second factor: "totp" or "recovery" (that recovery code is used up), or
    None. Commits."""
    code = (code or "").strip().replace(" ", "")[:32]
    if not user.totp_enabled or not code:
        return None
    if _step_accepted(user, code):
        db.session.commit()
        return "totp"
    hashed = _hash(code)
    remaining = list(user.totp_recovery or [])
    if hashed in remaining:
        remaining.remove(hashed)
        user.totp_recovery = remaining
        audit.record(actor, "user.recovery_code_used", "user", user.id, left=len(remaining))
        db.session.commit()
        return "recovery"
    audit.record(actor, "auth.second_factor_failed", "user", user.id)
    db.session.commit()
    return None


def remaining_recovery_codes(user: User) -> int:
    return len(user.totp_recovery or [])


def turn_off(user: User, actor: audit.Actor, *, action: str = "user.two_factor_off") -> None:
    """Remove the second factor (the user's own choice, or an admin's reset); remembered devices
    stop counting because they are bound to the enrolment. Commits."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.totp_recovery = None
    audit.record(actor, action, "user", user.id)
    db.session.commit()


def device_stamp(user: User) -> str | None:
    """What a remembered-device cookie is bound to: this enrolment (a new one, or a reset, makes
    old cookies worthless). None when no second factor is in force."""
    if not user.totp_enabled:
        return None
    return hashlib.sha256(f"{user.id}:{user.totp_enabled_at.isoformat()}:{user.totp_secret}".encode()).hexdigest()[:32]


"""Configuration: every setting comes from a `HELPDESK_*` environment variable, read here only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from channels.email.smtp import SmtpSettings

PREFIX = "HELPDESK_"


def instance_path() -> Path:
    """The folder for the embedded database, secret key, job queue and attachments."""
    return Path(os.environ.get(PREFIX + "INSTANCE_DIR") or Path.cwd() / "instance").resolve()


def redis_url() -> str | None:
    """Redis for Socket.IO fan-out and jobs in the scale-out set-up; None when embedded."""
    return os.environ.get(PREFIX + "REDIS_URL") or None


def socketio_channel(redis_url: str | None) -> str:
    """The Redis pub/sub channel of the Socket.IO fan-out for `redis_url`: one per Redis database.
    Pub/sub ignores database numbers, so two helpdesks (or test runs) on one Redis server would
    otherwise deliver each other's socket events to their own rooms of the same name."""
    database = urlsplit(redis_url or "").path.strip("/")
    return f"helpdesk-socketio-{database if database.isdigit() else 0}"


def _secret_key(instance_path: Path) -> str:
    """Use HELPDESK_SECRET_KEY, or a key generated once and kept in the instance folder."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


def smtp_settings_from_url(url: str | None, from_address: str | None) -> SmtpSettings | None:
    """Parse `smtp://user:pass@host:port` (or smtps://, smtp+starttls://) into SmtpSettings."""
    if not url:
        return None
    parts = urlsplit(url)
    security = {"smtps": "ssl", "smtp+starttls": "starttls"}.get(parts.scheme, "none")
    default_port = {"ssl": 465, "starttls": 587}.get(security, 25)
    return SmtpSettings(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or default_port,
        from_address=from_address or "support@localhost",
        from_name=os.environ.get(PREFIX + "MAIL_FROM_NAME") or "Support",
        security=security,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def load(instance_path: Path, env: dict[str, str] | None = None) -> dict:
    """Return the Flask config mapping built from the environment."""
    env = dict(os.environ if env is None else env)
    get = lambda name, default=None: env.get(PREFIX + name) or default  # noqa: E731
    database_url = get("DATABASE_URL", f"sqlite:///{instance_path / 'helpdesk.sqlite3'}")
    for prefix in ("postgres://", "postgresql://"):
        if database_url.startswith(prefix):  # psycopg 3 is the driver we install
            database_url = "postgresql+psycopg://" + database_url[len(prefix):]
    production = get("ENV", "production") == "production"
    return {
        "SECRET_KEY": get("SECRET_KEY") or _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "HELPDESK_REDIS_URL": get("REDIS_URL"),
        "HELPDESK_ATTACHMENTS_DIR": get("ATTACHMENTS_DIR", str(instance_path / "attachments")),
        "HELPDESK_MAX_ATTACHMENT_BYTES": int(get("MAX_ATTACHMENT_BYTES", 25 * 1024 * 1024)),
        "HELPDESK_MAX_MAIL_BYTES": int(get("MAX_MAIL_BYTES", 25 * 1024 * 1024)),
        "HELPDESK_AUTO_REPLIES_PER_HOUR": int(get("AUTO_REPLIES_PER_HOUR", 3)),
        "HELPDESK_SMTP": smtp_settings_from_url(get("SMTP_URL"), get("MAIL_FROM")),
        "HELPDESK_JOBS_IMMEDIATE": get("JOBS_IMMEDIATE", "0") == "1",
        "HELPDESK_OUTBOX_STUCK_SECONDS": int(get("OUTBOX_STUCK_SECONDS", 300)),
        # The helpdesk's address as customers reach it: survey links in e-mails and chats start with it.
        # The console's language and time zone for staff who chose none (and whose browser asks for
        # no language the console speaks): en, es or zh; an IANA zone name.
        "HELPDESK_DEFAULT_LANGUAGE": get("DEFAULT_LANGUAGE", "en"),
        "HELPDESK_DEFAULT_TIME_ZONE": get("DEFAULT_TIME_ZONE", "UTC"),
        "HELPDESK_PUBLIC_URL": get("PUBLIC_URL", "http://localhost:5000").rstrip("/"),
        # How often the SLA scheduler looks for warnings and breaches (1-60 s; tests use a few seconds).
        "HELPDESK_SLA_SCAN_SECONDS": min(max(int(get("SLA_SCAN_SECONDS", 60)), 1), 60),
        # Routing: an agent idle this long in the console is away; closing the last console makes
        # them offline after this grace (a page load closes and reopens the socket).
        "HELPDESK_ROUTING_AWAY_AFTER": max(int(get("ROUTING_AWAY_AFTER", 300)), 10),
        "HELPDESK_ROUTING_OFFLINE_GRACE": max(float(get("ROUTING_OFFLINE_GRACE", 20)), 0.5),
        # Changes to one ticket within this many seconds share one report refresh (reports lag by it).
        "HELPDESK_REPORT_DELAY_SECONDS": min(max(int(get("REPORT_DELAY_SECONDS", 15)), 1), 300),
        # Failed sign-ins (successful ones never count) per client address and per account; beyond
        # either, sign-in is refused until the window passes.
        "HELPDESK_LOGIN_RATE_LIMIT": get("LOGIN_RATE_LIMIT", "10 per minute"),
        "HELPDESK_LOGIN_ACCOUNT_RATE_LIMIT": get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes"),
        "HELPDESK_CONTACT_RATE_LIMIT": get("CONTACT_RATE_LIMIT", "20 per hour"),
        # Single sign-on with OpenID Connect: the provider, this helpdesk's client at it, whether an
        # unknown (verified) address gets an account and with which role, and optional claims for role and groups.
        "HELPDESK_OIDC_ISSUER": get("OIDC_ISSUER"),
        "HELPDESK_OIDC_CLIENT_ID": get("OIDC_CLIENT_ID"),
        "HELPDESK_OIDC_CLIENT_SECRET": get("OIDC_CLIENT_SECRET"),
        "HELPDESK_OIDC_CREATE_USERS": get("OIDC_CREATE_USERS", "0") == "1",
        "HELPDESK_OIDC_DEFAULT_ROLE": get("OIDC_DEFAULT_ROLE", "agent"),
        "HELPDESK_OIDC_ROLE_CLAIM": get("OIDC_ROLE_CLAIM"),
        "HELPDESK_OIDC_GROUPS_CLAIM": get("OIDC_GROUPS_CLAIM"),
        # A signed-in browser is signed out after this long without a request, and after this long in any case.
        "HELPDESK_SESSION_IDLE_MINUTES": min(max(int(get("SESSION_IDLE_MINUTES", 60)), 1), 60 * 24 * 30),
        "HELPDESK_SESSION_MAX_HOURS": min(max(int(get("SESSION_MAX_HOURS", 12)), 1), 24 * 365),
        # Password-reset requests per client address (each account also gets at most 3 links an hour).
        "HELPDESK_PASSWORD_RESET_RATE_LIMIT": get("PASSWORD_RESET_RATE_LIMIT", "5 per hour"),
        # Browser origins, besides the server's own, allowed to open Socket.IO connections.
        "HELPDESK_SOCKET_ORIGINS": [o.strip() for o in get("SOCKET_ORIGINS", "").split(",") if o.strip()],
        # Web chat widget: per visitor (messages, connections) and per address (connections).
        "HELPDESK_WEBCHAT_MESSAGE_RATE": get("WEBCHAT_MESSAGE_RATE", "20 per minute"),
        "HELPDESK_WEBCHAT_CONNECT_RATE": get("WEBCHAT_CONNECT_RATE", "20 per minute"),
        "HELPDESK_WEBCHAT_ADDRESS_CONNECT_RATE": get("WEBCHAT_ADDRESS_CONNECT_RATE", "120 per minute"),
        # Confirmation mails the widget sends to an address a visitor typed: per target address (whoever
        # asks), per visitor and per widget, so the widget cannot be used to flood someone's inbox.
        "HELPDESK_WEBCHAT_CONFIRM_ADDRESS_RATE": get("WEBCHAT_CONFIRM_ADDRESS_RATE", "3 per day"),
        "HELPDESK_WEBCHAT_CONFIRM_VISITOR_RATE": get("WEBCHAT_CONFIRM_VISITOR_RATE", "3 per hour"),
        "HELPDESK_WEBCHAT_CONFIRM_WIDGET_RATE": get("WEBCHAT_CONFIRM_WIDGET_RATE", "60 per hour"),
        # Customer portal: sign-in link requests per client address, links mailed per address (more are
        # silently not sent, so the answer never tells whether an address is known), and how long a
        # portal session lasts without a visit and at most.
        "HELPDESK_PORTAL_SIGN_IN_RATE_LIMIT": get("PORTAL_SIGN_IN_RATE_LIMIT", "10 per 15 minutes"),
        "HELPDESK_PORTAL_LINKS_PER_HOUR": int(get("PORTAL_LINKS_PER_HOUR", 5)),
        "HELPDESK_PORTAL_SESSION_IDLE_DAYS": min(max(int(get("PORTAL_SESSION_IDLE_DAYS", 7)), 1), 365),
        "HELPDESK_PORTAL_SESSION_MAX_DAYS": min(max(int(get("PORTAL_SESSION_MAX_DAYS", 30)), 1), 365),
        "HELPDESK_WEBCHAT_UPLOAD_BYTES": int(get("WEBCHAT_UPLOAD_BYTES", 10 * 1024 * 1024)),
        "SESSION_COOKIE_SECURE": get("COOKIE_SECURE", "0") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": get("COOKIE_SECURE", "0") == "1",
        "MAX_CONTENT_LENGTH": int(get("MAX_REQUEST_BYTES", 30 * 1024 * 1024)),
        "HELPDESK_PRODUCTION": production,
        # /metrics: with a token, only `Authorization: Bearer <token>`; without, only private addresses.
        "HELPDESK_METRICS_TOKEN": get("METRICS_TOKEN"),
        # `json`: one JSON object per line with the request id; `text` otherwise. Unset: left to the host.
        "HELPDESK_LOG_FORMAT": get("LOG_FORMAT"),
        "HELPDESK_LOG_LEVEL": get("LOG_LEVEL", "INFO").upper(),
        # Reverse proxies in front of the web processes (nginx: 1) whose X-Forwarded-For and
        # X-Forwarded-Proto are believed; 0 believes none (a client could name any address).
        "HELPDESK_TRUSTED_PROXIES": min(max(int(get("TRUSTED_PROXIES", 0)), 0), 5),
        # gunicorn, which serves `helpdesk run` and `helpdesk web`.
        "HELPDESK_WEB_BIND": get("WEB_BIND", "127.0.0.1:5000"),
        "HELPDESK_WEB_WORKERS": int(get("WEB_WORKERS", 1)),
        "HELPDESK_WEB_THREADS": int(get("WEB_THREADS", 400)),
        # gthread (threads; the default) or gevent (greenlets, with WEB_THREADS as connections per
        # worker; `helpdesk web` only). bench/README, gthread or gevent, has the figures.
        "HELPDESK_WEB_WORKER_CLASS": get("WEB_WORKER_CLASS", "gthread"),
        "HELPDESK_WEB_TIMEOUT": int(get("WEB_TIMEOUT", 60)),
        "HELPDESK_WEB_GRACEFUL_TIMEOUT": int(get("WEB_GRACEFUL_TIMEOUT", 10)),
        # Requests that run the application at once per process (Socket.IO and /healthz aside); the
        # others wait their turn up to WEB_QUEUE_TIMEOUT seconds, then get 503. 0: no limit.
        "HELPDESK_WEB_CONCURRENCY": max(int(get("WEB_CONCURRENCY", 8)), 0),
        "HELPDESK_WEB_QUEUE_TIMEOUT": max(float(get("WEB_QUEUE_TIMEOUT", 30)), 0.1),
    }

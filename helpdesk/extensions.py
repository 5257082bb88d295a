"""Unbound Flask extensions; `create_app` binds them.

`db` is made at import; the others on first use (PEP 562 module `__getattr__`, so `from
helpdesk.extensions import socketio` works as before): a process that serves no pages and no
sockets (`helpdesk listen`) never imports Flask-SocketIO (with python-socketio, engineio and
aiohttp), Flask-WTF or Flask-Limiter."""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base for every model."""


db = SQLAlchemy(model_class=Base)


def _migrate():
    from flask_migrate import Migrate

    return Migrate()


def _login_manager():
    from flask_login import LoginManager

    return LoginManager()


def _csrf():
    from flask_wtf.csrf import CSRFProtect

    return CSRFProtect()


def _socketio():
    from flask_socketio import SocketIO

    return SocketIO()


def _limiter():
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    return Limiter(key_func=get_remote_address, default_limits=[])


_MAKERS = {"migrate": _migrate, "login_manager": _login_manager, "csrf": _csrf, "socketio": _socketio,
           "limiter": _limiter}


def __getattr__(name: str):
    maker = _MAKERS.get(name)
    if maker is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = maker()  # made once; later lookups find the global
    return value

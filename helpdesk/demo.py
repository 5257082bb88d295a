"""`helpdesk demo`'s entry point; the demo data itself is built by helpdesk/services/demo/."""

from __future__ import annotations

from helpdesk.services.demo import PASSWORD, load, print_logins

__all__ = ["PASSWORD", "load", "print_logins"]

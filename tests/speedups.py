"""Work the suite repeats for every test although its result never changes: done once per session.

Each replacement returns exactly what the original returns for the same arguments; nothing about
the application's behaviour changes, only how often pure work is redone. Measured per test: scrypt
costs ~0.15 s of CPU for every user created or signed in, and building the app ~0.13 s, half of
which is compiling the same URL builders again.
"""

from __future__ import annotations

import inspect
from functools import lru_cache

import pytest


def remember_password_hashes(patch: pytest.MonkeyPatch) -> None:
    """Hash and check each (password, hash) once. A check still compares against a real scrypt
    hash and gives the answer scrypt gave; test users with the same password share one salt."""
    from helpdesk.services import staff
    from helpdesk.services.accounts import passwords

    patch.setattr(passwords, "generate_password_hash", lru_cache(maxsize=None)(passwords.generate_password_hash))
    patch.setattr(staff, "generate_password_hash", lru_cache(maxsize=None)(staff.generate_password_hash))
    patch.setattr(staff, "check_password_hash", lru_cache(maxsize=None)(staff.check_password_hash))


def share_url_builders(patch: pytest.MonkeyPatch) -> None:
    """Werkzeug compiles two URL-building functions (an AST, then `compile`) for every route of
    every app. The function is made from the rule's text and parsed parts alone, and reads the
    rule's converters through its `self` argument when called, so one compiled function serves
    the same rule in every app. Left alone if Werkzeug's internals are not the ones read here."""
    from werkzeug.routing.rules import Rule

    original = Rule._compile_builder
    if list(inspect.signature(original).parameters) != ["self", "append_unknown"]:
        return
    built: dict[tuple, object] = {}

    def compile_builder(self, append_unknown: bool = True):
        defaults = self.defaults or {}
        if any(dynamic and name in defaults for dynamic, name in self._trace):
            return original(self, append_unknown)  # a default turned into text by this rule's converter
        key = (self.rule, tuple(self._trace), tuple(sorted(defaults)), append_unknown)
        if key not in built:
            built[key] = original(self, append_unknown)
        return built[key]

    patch.setattr(Rule, "_compile_builder", compile_builder)

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


def _same_behaviour(value):
    """What decides how `value` acts when a template is compiled: a bound method acts as its
    function does (Flask binds `select_jinja_autoescape` and `json.dumps` to each app); a dict
    (a policy's keyword arguments) as its items do."""
    if isinstance(value, dict):
        return tuple(sorted((key, _same_behaviour(item)) for key, item in value.items()))
    function = getattr(value, "__func__", None)
    return (function, type(value.__self__)) if function is not None else value


def share_template_code(patch: pytest.MonkeyPatch) -> None:
    """Jinja compiles each template again for every app (each has its own environment and cache),
    ~7 ms of CPU a template, ~20 ms for a page with its layout and macros. The compiled module
    depends only on the source, the names and the environment's compile-time settings (syntax,
    extensions, autoescape, finalize, policies, which filters and tests exist, and the filters
    themselves, which the optimizer may call on constants); with all of them in the key, one code
    object serves every app, each still running it against its own environment."""
    from jinja2 import Environment

    original = Environment.compile
    if list(inspect.signature(original).parameters) != ["self", "source", "name", "filename", "raw", "defer_init"]:
        return
    compiled: dict[tuple, object] = {}

    def settings(env) -> tuple:
        return (
            type(env), env.block_start_string, env.block_end_string, env.variable_start_string,
            env.variable_end_string, env.comment_start_string, env.comment_end_string,
            env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
            env.newline_sequence, env.keep_trailing_newline, env.optimized, env.is_async,
            getattr(env, "newstyle_gettext", None), _same_behaviour(env.autoescape), _same_behaviour(env.finalize),
            tuple(sorted((name, type(ext)) for name, ext in env.extensions.items())),
            tuple(sorted((name, _same_behaviour(value)) for name, value in env.policies.items())),
            tuple(sorted((name, _same_behaviour(f)) for name, f in env.filters.items())),
            tuple(sorted((name, _same_behaviour(t)) for name, t in env.tests.items())),
        )

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if not isinstance(source, str):
            return original(self, source, name, filename, raw, defer_init)
        try:
            key = (source, name, filename, raw, defer_init, settings(self))
            hash(key)
        except TypeError:  # a setting that cannot be compared: compile as usual
            return original(self, source, name, filename, raw, defer_init)
        if key not in compiled:
            compiled[key] = original(self, source, name, filename, raw, defer_init)
        return compiled[key]

    patch.setattr(Environment, "compile", compile)


def spare_the_collector_what_lives_all_session() -> None:
    """What is alive between two tests (modules, test items, caches, the last app that job modules
    still refer to: ~130,000 objects after collection, a few 100,000 later) lives until the end, or
    nearly: moved out of the collector's reach, as `helpdesk web` does after start-up, the full
    collections that each app's ~100,000 new objects set off no longer walk it. Only what is still alive after a full
    collection is frozen; objects made later are collected as before. Measured alone, once:
    `create_app` 36 -> 24 ms of CPU."""
    import gc

    gc.collect()
    gc.freeze()


def share_parsed_rules(patch: pytest.MonkeyPatch) -> None:
    """Werkzeug parses every route's text (~290 routes) into regex parts and converters again for
    every app: measured alone, `create_app` 36 -> 21 ms of CPU. The parts depend on the text and on
    what the converters make of their arguments; for Werkzeug's own converters that is all they
    depend on. So the parts and the trace are kept per text (and converter classes), and each
    rule still gets converters of its own, bound to its own map. A rule with any other converter
    is parsed as before."""
    from werkzeug.routing.rules import Rule

    original = Rule._parse_rule
    if list(inspect.signature(original).parameters) != ["self", "rule"]:
        return
    parsed: dict[tuple, tuple] = {}

    def parse_rule(self, rule: str):
        key = (type(self), rule, tuple(sorted(self.map.converters.items())))
        if key in parsed:
            parts, trace, converters = parsed[key]
            self._trace.extend(trace)
            for variable, name, args, kwargs in converters:
                self._converters[variable] = self.get_converter(variable, name, args, kwargs)
                self.arguments.add(variable)
            return iter(parts)
        made: list[tuple] = []
        own = self.get_converter

        def recorded(variable, name, args, kwargs):
            made.append((variable, name, args, kwargs))
            return own(variable, name, args, kwargs)

        traced = len(self._trace)
        self.get_converter = recorded
        try:
            parts = list(original(self, rule))
        finally:
            del self.get_converter
        if all(type(self._converters[variable]).__module__ == "werkzeug.routing.converters" for variable, *_ in made):
            parsed[key] = (parts, self._trace[traced:], made)
        return iter(parts)

    patch.setattr(Rule, "_parse_rule", parse_rule)

"""Reading the API's JSON bodies through the app's strict reader (helpdesk.security.load_json), so
that JSON nested too deep or carrying a lone surrogate answers 400 in the API's error shape
(`{"code": 400, "errors": {"json": [...]}, ...}`) instead of failing later with a 500."""

from __future__ import annotations

from typing import Any

import flask
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request

from helpdesk.security import load_json


class StrictJsonParser(FlaskParser):
    """webargs' Flask parser with `load_json` in place of the standard library's json.loads."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            return core.missing
        data = req.get_data(cache=True)
        if not data:
            return core.missing  # as webargs: an empty body is no body
        try:
            return load_json(data)
        except ValueError as exc:
            abort(400, exc=exc, messages={"json": [f"Invalid JSON body: {_reason(exc)}."]})


def _reason(exc: ValueError) -> str:
    return str(exc).split(":")[0] if isinstance(exc, UnicodeDecodeError) else str(exc)

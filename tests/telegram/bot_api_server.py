"""A local HTTP server that speaks the Telegram Bot API wire format (core.telegram.org/bots/api).

Methods answer {"ok": true, "result": ...} or {"ok": false, "error_code": ..., "description": ...
[, "parameters": {"retry_after": n}]} with the same HTTP status, as Telegram does. Parameters
come as JSON, urlencoded or multipart form (files), like the real server accepts them. Updates
queue up until a getUpdates call confirms them with a higher offset; getUpdates long-polls.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.support import serving_thread

TOKEN = "7012345678:AAF3kqXr-test-only_0123456789abcdefgh"
BOT = {"id": 7012345678, "is_bot": True, "first_name": "Acme Support", "username": "acme_support_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class Sent:
    """One message the bot sent: its method, chat, text or file, and the id Telegram gave it."""

    method: str
    chat_id: str
    message_id: int
    text: str | None = None
    file: tuple[str, bytes, str] | None = None  # (filename, content, content type)
    params: dict = field(default_factory=dict)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # Telegram's own access log is not ours to test
        pass


class BotApiServer:
    """The fake Bot API; `url` is its base (pass it as the bot's api_url)."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.updates: list[dict] = []
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self.sent: list[Sent] = []
        self.calls: list[str] = []
        self.webhook: dict | None = None
        self.callback_answers: list[dict] = []  # answerCallbackQuery calls, their parameters
        self.blocked_chats: set[str] = set()
        self.failures: dict[str, list[tuple[int, dict]]] = {}
        self._next_update = 800_000_000
        self._next_message = 1000
        self._lock = threading.Condition()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = serving_thread(self._server)

    def start(self) -> BotApiServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            self._lock.notify_all()
        self._server.shutdown()

    # -- what tests do ---------------------------------------------------------------------------
    def push(self, update: dict) -> dict:
        """Queue `update` (given without update_id) for getUpdates; returns it with its id."""
        with self._lock:
            self._next_update += 1
            update = {"update_id": self._next_update, **update}
            self.updates.append(update)
            self._lock.notify_all()
        return update

    def add_file(self, file_id: str, content: bytes, file_path: str) -> None:
        """Make `file_id` downloadable at /file/bot<token>/<file_path>."""
        self.files[file_id] = (file_path, content)

    def fail(self, method: str, status: int, description: str, retry_after: int | None = None) -> None:
        """Answer the next call of `method` with this error."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        self.failures.setdefault(method, []).append((status, body))

    def pending_ids(self) -> list[int]:
        """Ids of updates not yet confirmed by an offset."""
        with self._lock:
            return [u["update_id"] for u in self.updates]

    # -- the wire --------------------------------------------------------------------------------
    @Request.application
    def _app(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/file/bot"):
            token, _, file_path = path[len("/file/bot"):].partition("/")
            return self._download(token, file_path)
        token, _, method = path[len("/bot"):].partition("/") if path.startswith("/bot") else ("", "", "")
        if token != self.token:
            return _answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        self.calls.append(method)
        if self.failures.get(method):
            return _answer(*self.failures[method].pop(0))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _answer(404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
        try:
            return _answer(200, {"ok": True, "result": handler(_params(request), request.files)})
        except BadRequest as exc:
            return _answer(exc.status, {"ok": False, "error_code": exc.status, "description": str(exc)})

    def _download(self, token: str, file_path: str) -> Response:
        if token != self.token:
            return _answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        for path, content in self.files.values():
            if path == file_path:
                return Response(content, content_type="application/octet-stream")
        return _answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    def _m_getMe(self, params, files):
        return BOT

    def _m_getUpdates(self, params, files):
        if self.webhook is not None:
            raise BadRequest(409, "Conflict: can't use getUpdates method while webhook is active; "
                                  "use deleteWebhook to delete the webhook first")
        offset, timeout = int(params.get("offset") or 0), min(float(params.get("timeout") or 0), 5)
        limit = int(params.get("limit") or 100)
        with self._lock:
            if offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]  # confirmed ones are gone
            if not self.updates and timeout:
                self._lock.wait(timeout)
            return self.updates[:limit]

    def _m_getFile(self, params, files):
        file_id = params.get("file_id")
        if file_id not in self.files:
            raise BadRequest(400, "Bad Request: invalid file_id")
        path, content = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content), "file_path": path}

    def _m_sendMessage(self, params, files):
        text = params.get("text") or ""
        if not text.strip():
            raise BadRequest(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise BadRequest(400, "Bad Request: message is too long")
        return self._sent("sendMessage", params, text=text)

    def _m_sendDocument(self, params, files):
        return self._sent_file("sendDocument", "document", params, files)

    def _m_sendPhoto(self, params, files):
        return self._sent_file("sendPhoto", "photo", params, files)

    def _m_answerCallbackQuery(self, params, files):
        if not params.get("callback_query_id"):
            raise BadRequest(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self.callback_answers.append(dict(params))
        return True

    def _m_setWebhook(self, params, files):
        if not str(params.get("url") or "").startswith(("https://", "http://")):
            raise BadRequest(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": params["url"], "secret_token": params.get("secret_token"),
                        "allowed_updates": params.get("allowed_updates")}
        return True

    def _m_deleteWebhook(self, params, files):
        self.webhook = None
        return True

    def _sent_file(self, method, field_name, params, files):
        upload = files.get(field_name)
        if upload is None:
            raise BadRequest(400, f"Bad Request: there is no {field_name} in the request")
        return self._sent(method, params, text=params.get("caption"),
                          file=(upload.filename, upload.read(), upload.mimetype))

    def _sent(self, method, params, *, text=None, file=None):
        chat_id = str(params.get("chat_id") or "")
        if not chat_id:
            raise BadRequest(400, "Bad Request: chat_id is empty")
        if chat_id in self.blocked_chats:
            raise BadRequest(403, "Forbidden: bot was blocked by the user")
        with self._lock:
            self._next_message += 1
            message_id = self._next_message
        self.sent.append(Sent(method, chat_id, message_id, text, file, dict(params)))
        chat = {"id": int(chat_id), "type": "private"}
        result = {"message_id": message_id, "from": BOT, "chat": chat, "date": 1718000000}
        if text is not None:
            result["caption" if file else "text"] = text
        return result


class BadRequest(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status


# Parameters that are objects or arrays; in a form they come JSON-serialised (Telegram knows each
# parameter's type: a text that starts with "[" stays a text).
_OBJECT_PARAMS = {"reply_markup", "reply_parameters", "allowed_updates", "link_preview_options", "entities",
                  "caption_entities"}


def _params(request: Request) -> dict:
    if request.is_json:
        return request.get_json() or {}
    params = {**request.args.to_dict(), **request.form.to_dict()}
    for key in _OBJECT_PARAMS & params.keys():
        params[key] = json.loads(params[key])
    return params


def _answer(status: int, body: dict) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")

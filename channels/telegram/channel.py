"""Agent replies to Telegram: sendMessage for the text (with buttons under its last part when the
message offers choices), sendPhoto/sendDocument for each file."""

from __future__ import annotations

from channels.base import Choice, DeliveryError, DeliveryReceipt, OutboundMessage
from channels.telegram.client import DEFAULT_API_URL, BotClient, TelegramApiError
from channels.telegram.parser import chat_of

MAX_TEXT = 4096  # Bot API: characters in one message


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line breaks (else spaces) when it can."""
    pieces = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*pieces, rest] if rest else pieces


def keyboard(choices: tuple[Choice, ...], per_row: int = 6) -> list[list[tuple[str, str]]] | None:
    """`choices` as inline keyboard rows of at most `per_row` buttons (0-10 fits in two rows)."""
    buttons = [(c.label, c.reply) for c in choices]
    return [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)] or None


class TelegramChannel:
    """Sends replies through one bot. Built from the outbox's adapter settings:
    {"secrets": {"token": ...}, "settings": {"api_url": ...}}."""

    name = "telegram"

    def __init__(self, settings: dict) -> None:
        token = (settings.get("secrets") or {}).get("token")
        if not token:
            raise DeliveryError("no Telegram bot is configured for this ticket", retryable=False)
        self._token = token
        self.api_url = (settings.get("settings") or {}).get("api_url") or DEFAULT_API_URL

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        """Deliver `message` to the chat of its ticket (or the customer's private chat); the
        receipt's provider id is "<chat id>:<message id>" of the first message sent."""
        chat_id = chat_of(message.thread_key) or message.recipient.address
        sent: list[str] = []
        try:
            with BotClient(self._token, api_url=self.api_url) as bot:
                pieces = split_text(message.body_text)
                for number, piece in enumerate(pieces, 1):
                    buttons = keyboard(message.choices) if number == len(pieces) else None
                    sent.append(f"{chat_id}:{bot.send_text(chat_id, piece, buttons=buttons).message_id}")
                for file in message.attachments:
                    sent.append(f"{chat_id}:{bot.send_file(chat_id, file).message_id}")
        except TelegramApiError as exc:
            reason = exc.reason if not sent else f"{exc.reason} (after {len(sent)} part(s) were sent)"
            raise DeliveryError(reason, retryable=exc.retryable, retry_after=exc.retry_after) from None
        except (KeyError, TypeError):  # python-telegram-bot could not read the sent Message
            raise DeliveryError("Telegram answered without a message id", retryable=False) from None
        if not sent:
            raise DeliveryError("nothing to send: the reply is empty", retryable=False)
        return DeliveryReceipt(provider_id=sent[0])


def telegram_channel(settings: dict) -> TelegramChannel:
    """The adapter factory registered as "telegram"."""
    return TelegramChannel(settings)

"""The strings the console's scripts write (frontend/*.js calls `t("...")`), listed here so the
catalogue extraction finds them; base.html embeds their translations for the agent's language."""

from __future__ import annotations

from flask_babel import get_locale

from helpdesk.i18n import gettext


def N_(text: str) -> str:  # noqa: N802 - the conventional name of gettext's no-op marker
    """Mark `text` for extraction; it is translated where it is used."""
    return text


SCRIPT_STRINGS = (
    N_("live"), N_("reconnecting…"), N_("offline"),
    N_("Every ticket in this view is selected"), N_("%(count)s selected"), N_("Tick tickets to change several at once"),
    N_("Tick at least one ticket first"),
    N_("Draft saved"), N_("Draft not saved"), N_("Draft not saved (offline)"),
    N_("Saving…"), N_("Not changed: %(field)s %(message)s."), N_("Not changed: try again."), N_("Saved."),
    N_("Nothing changed."),
    N_("Breaches"), N_("Compliance %"), N_("First response (h)"), N_("Resolution (h)"),
    N_("New chat"), N_("The visitor is typing…"),
    N_("Macro not applied: %(field)s %(message)s."), N_("Macro not applied."), N_("Macro applied"),
    N_("This list has changed. Go to the first page to see the latest."),
    N_("%(name)s is replying"), N_("%(name)s is viewing"),
    N_("Keyboard shortcuts"), N_("Close"), N_("Next ticket in the list"), N_("Previous ticket in the list"),
    N_("Open the selected ticket"), N_("Reply to the customer"), N_("Write an internal note"),
    N_("Assign the ticket to me"), N_("Solve the ticket"), N_("Search tickets"), N_("Show these shortcuts"),
    N_("Close this list"),
    N_("%(span)s left"), N_("overdue %(span)s"),
    # What set an agent's availability (services.routing.availability's reasons), on the live board.
    N_("agent"), N_("admin"), N_("idle"), N_("signed out"), N_("console opened"), N_("console closed"),
    N_("never set"),
)


def script_strings() -> dict[str, str]:
    """{English: translation} of every script string, for the reader's language ({} in English)."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return {}
    # gettext's `%` formatting is for callers with values; the scripts fill placeholders themselves.
    return {text: translated for text in SCRIPT_STRINGS if (translated := gettext(text)) != text}

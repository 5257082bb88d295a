"""Where quoted history and signatures start in plain text."""

from __future__ import annotations

import pytest

from channels.email.quotes import quote_start, signature_start


def folded(text: str) -> str | None:
    """The first line of what would be folded as history, or None."""
    start = quote_start(text)
    return None if start is None else text[start:].split("\n", 1)[0]


@pytest.mark.parametrize(("text", "first_line"), [
    ("Thanks\n\nOn Mon, Jan 8, 2024 at 9:00 AM Bo <bo@x.test> wrote:\n> hi\n", "On Mon, Jan 8, 2024 at 9:00 AM Bo <bo@x.test> wrote:"),
    ("Thanks\n\nOn Mon, Jan 8, 2024 at 9:00 AM Bo <bo@x.test>\nwrote:\n> hi\n", "On Mon, Jan 8, 2024 at 9:00 AM Bo <bo@x.test>"),
    ("Gracias\n\nEl lun, 8 ene 2024 a las 9:00, Bo (<bo@x.test>) escribió:\n> hola\n", "El lun, 8 ene 2024 a las 9:00, Bo (<bo@x.test>) escribió:"),
    ("Merci\n\nLe lun. 8 janv. 2024 à 09:00, Bo <bo@x.test> a écrit :\n> salut\n", "Le lun. 8 janv. 2024 à 09:00, Bo <bo@x.test> a écrit :"),
    ("Danke\n\nAm 08.01.2024 um 09:00 schrieb Bo <bo@x.test>:\n> hallo\n", "Am 08.01.2024 um 09:00 schrieb Bo <bo@x.test>:"),
    ("Ok\n\n-----Original Message-----\nFrom: Bo\nSent: Monday\n\nold\n", "-----Original Message-----"),
    ("Ok\n\nFrom: Bo <bo@x.test>\nSent: Monday, 8 January 2024 09:00\nTo: Us\nSubject: X\n\nold\n", "From: Bo <bo@x.test>"),
    ("Ok\n\n________________________________\nVon: Bo\nGesendet: Montag\n\nalt\n", "________________________________"),
    ("Ok\n\nDe : Bo\nEnvoyé : lundi\nÀ : Nous\n\nancien\n", "De : Bo"),
    ("Ok\n\nBo wrote:\n> old\n> older\n", "Bo wrote:"),
    ("Ok\n\n> old\n> older\n\n-- \nBo\n", "> old"),
])
def test_quoted_history_starts_where_the_writer_stopped(text, first_line):
    assert folded(text) == first_line


@pytest.mark.parametrize("text", [
    "No quote at all.\n",
    "On Mon, Bo wrote:\n> Question one?\n\nAnswer one.\n\n> Question two?\n\nAnswer two.\n",
    "See below.\n\n---------- Forwarded message ---------\nFrom: Shop <s@x.test>\nDate: Monday\n\n> quoted in the forward\n",
    "Begin forwarded message:\n\nFrom: Shop <s@x.test>\nDate: Monday\n",
    "From: the start of my own sentence\nand no header block.\n",
])
def test_nothing_is_folded_when_folding_would_hide_the_writers_words(text):
    assert quote_start(text) is None


def test_quote_offsets_survive_windows_line_endings():
    text = "Hi\r\n\r\nOn Mon, Jan 8, 2024, Bo wrote:\r\n> old\r\n"
    assert text[quote_start(text):].startswith("On Mon")


@pytest.mark.parametrize(("text", "first_line"), [
    ("Hi\n\n-- \nBo\nAcme\n", "-- "),
    ("Hi\n--\nBo\n", "--"),
    ("Use -- as a dash.\n\n-- \nBo\n", "-- "),
    ("Hi\n\nSent from my iPhone\n", "Sent from my iPhone"),
    ("Hi\n\nEnviado desde mi Android\n", "Enviado desde mi Android"),
])
def test_signature_start(text, first_line):
    start = signature_start(text)
    assert start is not None and text[start:].split("\n", 1)[0] == first_line


def test_signature_is_only_looked_for_before_the_quote():
    text = "Hi\n\nOn Mon, Bo wrote:\n> old\n> -- \n> Bo's signature\n"
    assert signature_start(text, quote_start(text)) is None


def test_a_sent_from_line_in_the_middle_is_not_a_signature():
    assert signature_start("Sent from my office printer, the scan was blank.\nAny idea?\nWhat now?\nThanks\n") is None

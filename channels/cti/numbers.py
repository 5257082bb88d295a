"""Phone numbers as the PBX reports them, normalised to E.164 ("+34612345678") with Google's
libphonenumber (the `phonenumbers` package), so a caller matches the `phone` identity a customer
already has however the PBX spelled the number."""

from __future__ import annotations

import phonenumbers

# What PBXs send for a caller who hides their number.
WITHHELD = frozenset({"", "anonymous", "withheld", "private", "restricted", "unknown", "unavailable"})


class NumberError(ValueError):
    """Not a phone number we can use."""


def is_withheld(raw: str | None) -> bool:
    """Whether `raw` is the PBX's way of saying the caller's number is hidden."""
    return (raw or "").strip().lower() in WITHHELD


def e164(raw: str, region: str | None = None) -> str:
    """`raw` ("+34 612 34 56 78", "0034612345678", "612345678" with region "ES") in E.164.
    NumberError when it is not a possible number, or is national and no `region` is known."""
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if len(text) > 40:
        raise NumberError("is too long for a phone number")
    try:
        number = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException as exc:
        hint = "" if region else " (a national number needs the account's --region)"
        raise NumberError(f"is not a phone number: {exc}{hint}") from None
    if not phonenumbers.is_possible_number(number):
        raise NumberError("is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def valid_region(region: str) -> bool:
    """Whether `region` is a two-letter region libphonenumber knows (ES, US, CN...)."""
    return region.upper() in phonenumbers.SUPPORTED_REGIONS

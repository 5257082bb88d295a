"""Survey settings per kind and survey templates per language: read with defaults, validated, saved.

Settings and an English template of each kind are created with sane defaults the first time they
are read, so a fresh install has something to show and send as soon as an admin enables a kind.
"""

from __future__ import annotations

import re
import string

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import SurveySettings, SurveyTemplate
from helpdesk.models.base import utcnow
from helpdesk.models.surveys import SCALES, SURVEY_KINDS
from helpdesk.services.transactions import begin_write

# Channels a survey can go out through; "email" covers tickets from the web form and the API too.
SURVEY_CHANNELS = ("email", "telegram", "whatsapp", "messenger", "webchat")
FOLLOW_UP_ACTIONS = ("none", "reopen", "notify")
DEFAULT_LANGUAGE = "en"
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
PLACEHOLDERS = ("customer_name", "ticket_subject", "ticket_number", "link")
LIMITS = {"delay_minutes": (0, 60 * 24 * 30), "min_days_between": (0, 365), "expiry_days": (1, 365)}

DEFAULT_TEXTS = {
    "csat": {
        "subject": "How did we do? [#{ticket_number}]",
        "body": "Hello {customer_name},\n\nyour request \"{ticket_subject}\" was solved. How satisfied are you "
                "with the help you got? Choose a score from 1 (not at all) to 5 (very):\n\n{link}\n\n"
                "Thank you!",
        "question": "How satisfied are you with the help you got? (1 = not at all, 5 = very)",
    },
    "nps": {
        "subject": "Would you recommend us? [#{ticket_number}]",
        "body": "Hello {customer_name},\n\nhow likely are you to recommend us to a friend or colleague, from "
                "0 (not at all likely) to 10 (extremely likely)?\n\n{link}\n\nThank you!",
        "question": "How likely are you to recommend us to a friend or colleague? (0-10)",
    },
}


class SurveySettingsError(ValueError):
    """Settings or a template that cannot be saved; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _check_kind(kind: str) -> None:
    if kind not in SURVEY_KINDS:
        raise SurveySettingsError("kind", _("must be one of %(list)s", list=list(SURVEY_KINDS)))


def settings_for(kind: str) -> SurveySettings:
    """The settings of survey `kind`, created (disabled, commit) with defaults when missing."""
    _check_kind(kind)
    query = select(SurveySettings).where(SurveySettings.kind == kind)
    return db.session.scalar(query) or _created(query, lambda: SurveySettings(
        kind=kind, enabled=False, delay_minutes=60, channels=list(SURVEY_CHANNELS), min_days_between=7,
        expiry_days=14, follow_up={"action": "none", "max_score": low_score(kind)}))


def _created(query, make):
    """The row `query` finds, else the one `make()` builds, added and committed. Created as a
    writer: on SQLite a read transaction that turns into a write fails at once ("database is
    locked") when another connection committed since it began, as on a page view beside a busy
    console. A caller with unsaved changes keeps its transaction (they commit with the row)."""
    session = db.session()
    if not (session.new or session.dirty or session.deleted):
        begin_write()
        found = db.session.scalar(query)
        if found is not None:
            db.session.commit()
            return found
    row = make()
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # created concurrently
        db.session.rollback()
        return db.session.scalar(query)
    return row


def low_score(kind: str) -> int:
    """The default "low rating" threshold: 2 of 5 for CSAT, 6 of 10 for NPS (a detractor)."""
    return 2 if kind == "csat" else 6


def _bounded_int(values: dict, name: str) -> int:
    low, high = LIMITS[name]
    try:
        number = int(str(values.get(name, "")).strip())
    except ValueError:
        raise SurveySettingsError(name, _("must be a whole number")) from None
    if not low <= number <= high:
        raise SurveySettingsError(name, _("must be between %(low)s and %(high)s", low=low, high=high))
    return number


def clean_settings(kind: str, values: dict) -> dict:
    """Validate `values` (enabled, delay_minutes, channels, min_days_between, expiry_days,
    follow_up_action, follow_up_max_score) for `kind`; the columns to store, or SurveySettingsError."""
    _check_kind(kind)
    channels = list(values.get("channels") or [])
    if bad := sorted(set(channels) - set(SURVEY_CHANNELS)):
        raise SurveySettingsError("channels", _("unknown channel(s) %(bad)s", bad=bad))
    action = str(values.get("follow_up_action") or "none")
    if action not in FOLLOW_UP_ACTIONS:
        raise SurveySettingsError("follow_up_action", _("must be one of %(list)s", list=list(FOLLOW_UP_ACTIONS)))
    low, high = SCALES[kind]
    try:
        max_score = int(str(values.get("follow_up_max_score", low_score(kind))).strip())
    except ValueError:
        raise SurveySettingsError("follow_up_max_score", _("must be a whole number")) from None
    if not low <= max_score <= high:
        raise SurveySettingsError("follow_up_max_score", _("must be between %(low)s and %(high)s", low=low, high=high))
    return {"enabled": bool(values.get("enabled")), "channels": [c for c in SURVEY_CHANNELS if c in channels],
            "delay_minutes": _bounded_int(values, "delay_minutes"),
            "min_days_between": _bounded_int(values, "min_days_between"),
            "expiry_days": _bounded_int(values, "expiry_days"),
            "follow_up": {"action": action, "max_score": max_score}}


def update_settings(kind: str, values: dict) -> SurveySettings:
    """Validate and store the settings of `kind` (see `clean_settings`); commits."""
    clean = clean_settings(kind, values)
    row = settings_for(kind)
    for name, value in clean.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    db.session.commit()
    template_for(kind, DEFAULT_LANGUAGE)  # an enabled kind has its fallback before anything is sent
    return row


def templates(kind: str | None = None) -> list[SurveyTemplate]:
    """Every template (of `kind`), by kind and language; the English defaults are created first."""
    for each in SURVEY_KINDS:
        template_for(each, DEFAULT_LANGUAGE)
    query = select(SurveyTemplate).order_by(SurveyTemplate.kind, SurveyTemplate.language)
    if kind is not None:
        query = query.where(SurveyTemplate.kind == kind)
    return list(db.session.scalars(query))


def template_for(kind: str, language: str | None) -> SurveyTemplate:
    """The template of `kind` in `language` ("pt-BR" falls back to "pt", then to English); the
    English default is created (commit) when there is none."""
    _check_kind(kind)
    wanted = [lang for lang in (language, (language or "").partition("-")[0]) if lang] + [DEFAULT_LANGUAGE]
    rows = {t.language: t for t in db.session.scalars(
        select(SurveyTemplate).where(SurveyTemplate.kind == kind, SurveyTemplate.language.in_(wanted)))}
    for lang in wanted:
        if lang in rows:
            return rows[lang]
    query = select(SurveyTemplate).where(SurveyTemplate.kind == kind, SurveyTemplate.language == DEFAULT_LANGUAGE)
    return _created(query, lambda: SurveyTemplate(kind=kind, language=DEFAULT_LANGUAGE, **DEFAULT_TEXTS[kind]))


def _placeholders_known(text: str) -> bool:
    """Whether every `{…}` of `text` is one of PLACEHOLDERS, bare: no attribute, index or format
    spec (`{link.__class__}` would otherwise reach into the values when the survey is sent)."""
    try:
        fields = [(field, spec, conversion) for _text, field, spec, conversion in string.Formatter().parse(text)
                  if field is not None]
    except ValueError:  # an unmatched brace
        return False
    return all(field in PLACEHOLDERS and not spec and conversion is None for field, spec, conversion in fields)


def _clean_template(values: dict) -> dict:
    clean = {}
    for name, limit in (("subject", 255), ("body", 5000), ("question", 500)):
        text = str(values.get(name) or "").strip()
        if not 1 <= len(text) <= limit:
            raise SurveySettingsError(name, _("must be 1 to %(limit)s characters", limit=limit))
        if not _placeholders_known(text):
            raise SurveySettingsError(name, _("may only use the placeholders {%(value)s}", value='}, {'.join(PLACEHOLDERS)))
        clean[name] = text
    if "{link}" not in clean["body"]:
        raise SurveySettingsError("body", _("must contain {link}: it is how the customer answers by e-mail"))
    return clean


def save_template(kind: str, language: str, values: dict, template_id: int | None = None) -> SurveyTemplate:
    """Create (or, with `template_id`, change) the template of `kind` in `language`; commits.
    SurveySettingsError for bad input or a second template of the same kind and language."""
    _check_kind(kind)
    language = (language or "").strip()
    if not LANGUAGE_PATTERN.match(language):
        raise SurveySettingsError("language", _("must be a language code such as en, de or pt-BR"))
    clean = _clean_template(values)
    row = db.session.get(SurveyTemplate, template_id) if template_id is not None else SurveyTemplate()
    if row is None:
        raise SurveySettingsError("template", _("no such template"))
    row.kind, row.language, row.updated_at = kind, language, utcnow()
    for name, value in clean.items():
        setattr(row, name, value)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise SurveySettingsError("language", _("there is already a %(kind)s template in %(language)s", kind=kind, language=language)) from None
    return row


def delete_template(template_id: int) -> None:
    """Delete a template; the English one of each kind cannot go (it is every other's fallback)."""
    row = db.session.get(SurveyTemplate, template_id)
    if row is None:
        raise SurveySettingsError("template", _("no such template"))
    if row.language == DEFAULT_LANGUAGE:
        raise SurveySettingsError("language", _("the English template is the fallback of every language: edit it instead"))
    db.session.delete(row)
    db.session.commit()

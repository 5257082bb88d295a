"""Administration of the messaging channels: Telegram bots, WhatsApp numbers and Messenger Pages
(admins only). Secrets are write-only: a form field replaces one when filled in, and no page
ever shows a stored secret."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from channels.telegram.client import DEFAULT_API_URL
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.i18n import stored
from helpdesk.models import ChannelAccount
from helpdesk.services import channel_accounts
from helpdesk.services.channel_accounts import AccountInUse
from helpdesk.services.meta import accounts as meta_accounts
from helpdesk.services.meta import messenger_pages, whatsapp_accounts
from helpdesk.services.meta.accounts import AccountError
from helpdesk.services.telegram import bots as telegram_bots
from helpdesk.services.telegram.bots import BotError
from helpdesk.web.common import admins_only, all_groups, get_or_404

bp = Blueprint("admin_channels", __name__, url_prefix="/admin/channels")
bp.before_request(admins_only)

# Meta's channels: the setting that identifies the account at Meta, and the service adding one.
META = {"whatsapp": ("phone_number_id", whatsapp_accounts.add_account),
        "messenger": ("page_id", messenger_pages.add_page)}
KIND_NAMES = {"telegram": _l("Telegram bot"), "whatsapp": _l("WhatsApp number"), "messenger": _l("Messenger Page")}
Invalid = (BotError, AccountError)


def _base_url() -> str:
    """This helpdesk's public base URL as the admin's browser reaches it (where providers must call)."""
    return request.host_url.rstrip("/")


def _back(account: ChannelAccount | None = None):
    anchor = f"{account.kind}-{account.id}" if account is not None and account.id else None
    return redirect(url_for("admin_channels.overview", _anchor=anchor), code=303)


def _refused(what: str, exc: BotError | AccountError):
    db.session.rollback()
    flash(_("%(what)s: %(field)s %(message)s.", what=what, field=exc.field, message=exc.message), "error")
    return _back()


def _webhook_base(form) -> str | None:
    """The public base URL Telegram should call in webhook mode; None for long polling."""
    if form.get("mode") != "webhook":
        return None
    return form.get("webhook_base", "").strip().rstrip("/") or ""


def _meta_fields(form) -> dict:
    """The settings both forms of a WhatsApp number or Messenger Page carry, as service arguments."""
    return {"name": form.get("name", ""), "group": form.get("group") or None,
            "api_base_url": form.get("api_base_url") or None, "api_version": form.get("api_version") or None}


@bp.get("/")
def overview():
    """Every bot, number and Page with its state and the webhook URL to give the provider, and
    forms to add and change them."""
    listed = {kind: meta_accounts.accounts(kind) for kind in KIND_NAMES}
    return render_template("admin/channels.html", accounts=listed, groups=all_groups(), base_url=_base_url(),
                           meta_keys={kind: key for kind, (key, _add) in META.items()}, kind_names=KIND_NAMES,
                           default_api_url=DEFAULT_API_URL, cti_accounts=meta_accounts.accounts("cti"))


@bp.post("/telegram")
def add_telegram():
    """Add a bot: its token is checked with getMe, stored encrypted, and its webhook set."""
    form = request.form
    try:
        bot = telegram_bots.add_bot(
            name=form.get("name", "").strip(), token=form.get("token", "").strip(), webhook_url=_webhook_base(form),
            group=form.get("group") or None, api_url=form.get("api_url", "").strip() or DEFAULT_API_URL,
            reopen_solved=form.get("reopen_solved") == "1", greeting=form.get("greeting"))
    except BotError as exc:
        return _refused(_("Bot not added"), exc)
    how = _("Telegram now sends its updates to the webhook") if bot.settings.get("mode") == "webhook" \
        else _("`helpdesk run` or `helpdesk listen` starts polling it within 30 seconds")
    flash(_("Bot %(name)s (@%(username)s) added; %(how)s.", name=bot.name, username=bot.settings.get("bot_username"),
            how=how), "ok")
    return _back(bot)


@bp.post("/<any(whatsapp, messenger):kind>")
def add_meta(kind: str):
    """Add a WhatsApp number or a Messenger Page; its secrets are stored encrypted."""
    key, add = META[kind]
    form = request.form
    if not form.get("verify_token", "").strip():
        return _refused(_("%(kind)s not added", kind=KIND_NAMES[kind]), AccountError(
            "verify_token", "must be given (type the same token in Meta's webhook settings)"))
    try:
        account, _secret = add(**_meta_fields(form), **{key: form.get(key, "")}, access_token=form.get("access_token", ""),
                         app_secret=form.get("app_secret", ""), verify_token=form.get("verify_token"))
    except AccountError as exc:
        return _refused(_("%(kind)s not added", kind=KIND_NAMES[kind]), exc)
    flash(_("%(kind)s %(name)s added. Give Meta its callback URL and verify token.", kind=KIND_NAMES[kind],
            name=account.name), "ok")
    return _back(account)


@bp.post("/<int:account_id>")
def update(account_id: int):
    """Change an account; a secret field left empty keeps the stored secret."""
    account = _account_or_404(account_id)
    form = request.form
    try:
        if account.kind == telegram_bots.KIND:
            telegram_bots.update_bot(
                account, name=form.get("name", ""), group=form.get("group") or None, active=form.get("active") == "1",
                webhook_url=_webhook_base(form), reopen_solved=form.get("reopen_solved") == "1",
                greeting=form.get("greeting"), token=form.get("token", "").strip() or None)
        else:
            key = META[account.kind][0]
            meta_accounts.update_account(
                account, key, **_meta_fields(form), active=form.get("active") == "1", id_value=form.get(key, ""),
                new_secrets={field: form.get(field) for field in meta_accounts.SECRET_FIELDS})
    except Invalid as exc:
        return _refused(_("%(kind)s not changed", kind=KIND_NAMES[account.kind]), exc)
    flash(_("%(kind)s %(name)s saved.", kind=KIND_NAMES[account.kind], name=account.name), "ok")
    return _back(account)


@bp.post("/<int:account_id>/delete")
def delete(account_id: int):
    """Delete an account no ticket came through; one that tickets came through can only be switched off."""
    account = _account_or_404(account_id)
    what, name = KIND_NAMES[account.kind], account.name
    try:
        if account.kind == telegram_bots.KIND:
            problem = telegram_bots.delete_bot(account)
        else:
            problem = None
            channel_accounts.delete_account(account)
    except AccountInUse as exc:
        flash(_("%(what)s %(name)s not deleted: %(reason)s.", what=what, name=name, reason=exc), "error")
        return _back(account)
    if problem:
        flash(_("%(what)s %(name)s deleted. Telegram did not remove its webhook: %(reason)s.", what=what, name=name,
                reason=stored.say(problem)), "error")
    else:
        flash(_("%(what)s %(name)s deleted.", what=what, name=name), "ok")
    return _back()


def _account_or_404(account_id: int) -> ChannelAccount:
    account = get_or_404(ChannelAccount, account_id)
    if account.kind not in KIND_NAMES:
        abort(404)
    return account

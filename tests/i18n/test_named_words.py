"""Words that reached gettext as a variable (`_(label)`, `_(error)`, `_(a)`), which no catalogue
extraction can find, are literal msgids or label-table names now: the contact form's labels and
errors, the portal's refusals and error pages, the survey page's, the privacy pages' purposes,
sources and retention actions, the live board's availability."""

from __future__ import annotations

import html

import pytest

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.services import customers
from helpdesk.services.portal import links
from helpdesk.services.portal.replies import BODY_MAX
from helpdesk.services.privacy import consent


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(("language", "words"), [
    ("es", ["Tu nombre", "indica el correo electrónico al que debemos responder", "como máximo 255 caracteres"]),
    ("zh", ["您的姓名", "最多 255 个字符"]),
])
def test_the_contact_form_labels_and_errors_read_in_the_visitors_language(client, groups, language, words):
    page = _text(client.post("/contact", data={"name": "Ana", "email": "nope", "subject": "x" * 300, "body": "Hi"},
                             headers={"Accept-Language": language}))
    for word in words:
        assert word in page, word
    assert "Your name" not in page and "at most 255 characters" not in page and "enter the e-mail" not in page


@pytest.mark.parametrize(("language", "words", "too_long"), [
    ("es", "Esta solicitud ya está abierta.", "Un mensaje puede tener como máximo"),
    ("zh", "此请求已经是打开状态。", "一条消息最多")])
def test_a_portal_refusal_reads_in_the_pages_language(app, inbound, language, words, too_long):
    customer = customers.create_customer(name="Ana", identities=[("email", "ana@example.com")])
    ticket = db.session.get(Ticket, inbound(email="ana@example.com", subject="Open one").ticket_id)
    client = app.test_client()
    assert client.post(f"/portal/{language}/sign-in/{links.issue(customer, 'mail')}").status_code == 303
    refused = client.post(f"/portal/{language}/tickets/{ticket.id}/reopen")
    assert refused.status_code == 409 and words in _text(refused) and "This request is open already." not in _text(refused)
    empty = client.post(f"/portal/{language}/tickets/{ticket.id}/reply", data={"body": ""})
    assert empty.status_code == 422 and "Write a message or attach a file." not in _text(empty)
    long = client.post(f"/portal/{language}/tickets/{ticket.id}/reply", data={"body": "x" * (BODY_MAX + 1)})
    assert long.status_code == 422 and too_long in _text(long) and "A message may be at most" not in _text(long)


@pytest.mark.parametrize(("language", "words"), [("es", "Este enlace de encuesta no es válido."),
                                                  ("zh", "此调查链接无效。")])
def test_the_survey_page_says_why_a_link_is_unusable_in_the_visitors_language(client, language, words):
    page = _text(client.get("/survey/not-a-token", headers={"Accept-Language": language}))
    assert words in page and "This survey link is not valid." not in page


@pytest.mark.parametrize(("language", "words", "english"), [
    ("es", ["Mensajes del servicio", "formulario de contacto", ">anonimizar</option>", ">correo</option>"],
     ["Service messages", ">anonymise<", "(form)"]),
    ("zh", ["服务消息", "联系表单", ">匿名化</option>"], ["Service messages", ">anonymise<", "(form)"]),
])
def test_privacy_pages_name_purposes_sources_and_actions_in_the_readers_language(client, groups, inbound, reader,
                                                                                  language, words, english):
    ticket = db.session.get(Ticket, inbound(email="eve@example.com", subject="Consent").ticket_id)
    consent.set_consent(ticket.customer, "service", True, "form")
    db.session.commit()
    reader(language, role="admin")
    page = _text(client.get(f"/customers/{ticket.customer_id}")) + _text(client.get("/admin/privacy"))
    for word in words:
        assert word in page, word
    for word in english:
        assert word not in page, word



def test_a_file_over_the_limit_is_refused_in_the_readers_words_with_the_limit_in_their_numbers(app):
    from channels.base import Attachment as IncomingFile
    from helpdesk.i18n import in_language
    from helpdesk.services import attachments

    app.config["HELPDESK_MAX_ATTACHMENT_BYTES"] = 1000
    with app.test_request_context(), in_language("es"), pytest.raises(attachments.AttachmentTooLarge) as refused:
        attachments.store_row(IncomingFile(filename="scan.pdf", content_type="application/pdf", content=b"x" * 1001))
    assert str(refused.value) == "scan.pdf ocupa más de 1.000 bytes"


@pytest.mark.parametrize(("language", "words", "english"), [
    ("es", ['channel-email">correo</span>', 'status-new">nuevo</span>', 'id="recompute-state">terminado<',
            'kb-status-draft">borrador</span>', "<td>público</td>"],
     ['channel-email">email<', 'status-new">new<', 'id="recompute-state">done<', 'kb-status-draft">draft<',
      "<td>public</td>"]),
    ("zh", ['channel-email">邮件</span>', 'status-new">新建</span>', 'id="recompute-state">已完成<',
            'kb-status-draft">草稿</span>', "<td>公开</td>"],
     ['channel-email">email<', 'status-new">new<', 'id="recompute-state">done<', 'kb-status-draft">draft<',
      "<td>public</td>"]),
])
def test_stored_codes_on_customer_sla_and_knowledge_base_pages_are_named(client, groups, inbound, reader, language,
                                                                         words, english):
    from helpdesk.models import SlaRecompute
    from knowledge_base import articles

    ticket = db.session.get(Ticket, inbound(email="eve@example.com", subject="Codes", channel="email").ticket_id)
    db.session.add(SlaRecompute(reason="policy Gold saved", state="done", total=1, done=1))
    admin = reader(language, role="admin")
    articles.create_article(admin, language="en", title="Draft article", body_md="Soon")
    db.session.commit()
    page = "".join(_text(client.get(path)) for path in (f"/customers/{ticket.customer_id}", "/customers",
                                                        "/admin/sla", "/kb/"))
    for word in words:
        assert word in page, word
    for word in english:
        assert word not in page, word
    assert client.get("/admin/sla/recompute.json").get_json()["state"] == "done"

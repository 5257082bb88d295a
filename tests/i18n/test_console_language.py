"""Each staff member reads the console in their language and time zone: their own choice, else
their browser's Accept-Language, else the helpdesk's default; admins set it in the users admin and
the API. Invitations and reset links are written in the recipient's language."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from helpdesk.extensions import db
from helpdesk.models.base import clock_at


@pytest.fixture
def eva(groups, make_user, login):
    user = make_user(name="Eva Agente", groups=("Support",))
    login(user)
    return user


def _set(user, **fields):
    for key, value in fields.items():
        setattr(user, key, value)
    db.session.commit()


def test_english_is_the_default(client, eva, inbound):
    inbound(subject="Printer on fire")
    page = client.get("/tickets?view=all").get_data(as_text=True)
    assert '<html lang="en">' in page and ">Tickets</a>" in page and "console-strings" not in page


@pytest.mark.parametrize(("language", "words"), [
    ("es", ["Mis tickets abiertos", "Cerrar sesión", ">nuevo</span>", "Buscar tickets"]),
    ("zh", ["我的未结工单", "退出登录", ">新建</span>", "搜索工单"]),
    ("tl", ["Aking mga bukas na tiket", "Mag-sign out", ">bago</span>", "Maghanap ng tiket"]),
])
def test_a_staff_member_reads_the_ticket_list_in_their_language(client, eva, inbound, language, words):
    _set(eva, language=language)
    inbound(subject="Printer on fire")
    page = client.get("/tickets?view=all").get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    for word in words:
        assert word in page
    assert 'id="console-strings"' in page  # the scripts' words too


def test_without_a_choice_the_browser_decides_then_the_default(client, eva, app):
    page = client.get("/account", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert "我的账户" in page
    page = client.get("/account", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert "Your account" in page
    app.config["HELPDESK_DEFAULT_LANGUAGE"] = "es"
    assert "Tu cuenta" in client.get("/account", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    _set(eva, language="zh")  # their own choice beats the browser
    assert "我的账户" in client.get("/account", headers={"Accept-Language": "es"}).get_data(as_text=True)


def test_dates_follow_the_time_zone_and_language_of_the_reader(client, eva, inbound):
    with clock_at(datetime(2026, 12, 7, 3, 10)):
        ticket_id = inbound(subject="Late night").ticket_id
    english = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "Dec 7, 2026, 03:10 UTC" in english
    _set(eva, language="es", time_zone="Europe/Madrid")
    spanish = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "7 dic 2026, 4:10 CET" in spanish and "abierto el" in spanish
    _set(eva, language="zh", time_zone="Asia/Shanghai")
    chinese = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "2026年12月7日 11:10" in chinese and "创建于" in chinese


def test_numbers_follow_the_language(app, eva):
    from flask_babel import force_locale

    from helpdesk.i18n.formats import number

    with app.test_request_context():
        with force_locale("es"):
            assert number(1234567.5) == "1.234.567,5"
        with force_locale("en"):
            assert number(1234567.5) == "1,234,567.5"


def test_relative_times_speak_the_language(app):
    from flask_babel import force_locale

    from helpdesk.i18n.formats import since

    now = datetime(2026, 12, 7, 12, 0)
    with app.test_request_context():
        with force_locale("es"):
            assert since(datetime(2026, 12, 7, 11, 55), now) == "hace 5 minutos"
        with force_locale("zh"):
            assert since(datetime(2026, 12, 7, 9, 0), now) == "3小时前"


def test_the_account_page_saves_language_and_time_zone(client, eva):
    response = client.post("/account/preferences", data={"language": "es", "time_zone": "America/Mexico_City"})
    assert response.status_code == 303
    db.session.refresh(eva)
    assert (eva.language, eva.time_zone) == ("es", "America/Mexico_City")
    page = client.get("/account").get_data(as_text=True)
    assert "Idioma y zona horaria" in page and '<option selected>America/Mexico_City</option>' in page
    assert "Guardado: la consola habla tu idioma" in page  # the flash, in the new language
    refused = client.post("/account/preferences", data={"language": "es", "time_zone": "Mars/Olympus"})
    assert refused.status_code == 422 and "IANA" in refused.get_data(as_text=True)
    assert client.post("/account/preferences", data={"language": "xx"}).status_code == 422
    client.post("/account/preferences", data={"language": "", "time_zone": ""})
    db.session.refresh(eva)
    assert (eva.language, eva.time_zone) == (None, None)


def test_a_choice_is_audited(client, eva):
    from sqlalchemy import select

    from helpdesk.models import AuditEntry

    client.post("/account/preferences", data={"language": "zh", "time_zone": "Asia/Shanghai"})
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.target_id == eva.id)
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.action == "user.update" and entry.after == {"language": "zh", "time_zone": "Asia/Shanghai"}


def test_admins_set_language_and_time_zone_in_the_users_admin_and_the_api(client, groups, make_user, login, token_for):
    admin = make_user(role="admin")
    other = make_user(name="Zhang Wei")
    login(admin)
    page = client.get(f"/admin/users/{other.id}").get_data(as_text=True)
    assert 'name="time_zone"' in page
    client.post(f"/admin/users/{other.id}", data={"name": "Zhang Wei", "role": "agent", "groups": "Support",
                                                  "language": "zh", "time_zone": "Asia/Shanghai"})
    db.session.refresh(other)
    assert (other.language, other.time_zone) == ("zh", "Asia/Shanghai")

    headers = {"Authorization": f"Bearer {token_for(admin)}"}
    answer = client.patch(f"/api/v1/users/{other.id}", json={"language": "es", "time_zone": "Europe/Madrid"},
                          headers=headers)
    assert answer.status_code == 200 and answer.json["time_zone"] == "Europe/Madrid" and answer.json["language"] == "es"
    bad = client.patch(f"/api/v1/users/{other.id}", json={"time_zone": "Europe/Atlantis"}, headers=headers)
    assert bad.status_code == 422 and "IANA" in bad.get_data(as_text=True)
    created = client.post("/api/v1/users", json={"email": "li@staff.example", "name": "Li", "role": "agent",
                                                 "password": "correct horse battery", "language": "zh",
                                                 "time_zone": "Asia/Shanghai"}, headers=headers)
    assert created.status_code == 201 and created.json["time_zone"] == "Asia/Shanghai"


@pytest.mark.parametrize(("language", "subject", "words"), [
    ("es", "Te han invitado al helpdesk", ["Hola, Luz:", "Elige tu contrase"]),
    ("zh", "您已受邀加入 helpdesk", ["Luz，您好：", "请通过此链接设置密码"]),
    (None, "You are invited to the helpdesk", ["Hello Luz,", "Choose your password with this link"]),
])
def test_an_invitation_is_written_in_the_invited_staff_members_language(client, groups, make_user, login, smtp_server,
                                                                        language, subject, words):
    from email import message_from_bytes, policy

    login(make_user(role="admin"))
    client.post("/admin/users/invite", data={"email": "luz@staff.example", "name": "Luz", "role": "agent",
                                             "groups": "Support", "language": language or ""})
    mail = message_from_bytes(smtp_server.messages[-1].content, policy=policy.default)
    assert mail["Subject"] == subject
    body = mail.get_content()
    for word in words:
        assert word in body
    assert re.search(r"/account/invitation/\S+", body)


def test_a_reset_link_is_written_in_the_staff_members_language(client, groups, make_user, smtp_server):
    from email import message_from_bytes, policy

    user = make_user(name="Mei")
    _set(user, language="zh")
    client.post("/account/forgot", data={"email": user.email})
    mail = message_from_bytes(smtp_server.messages[-1].content, policy=policy.default)
    assert mail["Subject"] == "重置您的 helpdesk 密码" and "有人（希望是您本人）" in mail.get_content()


@pytest.mark.parametrize(("language", "words"), [("es", "te lo asignó Alex"), ("zh", "已由 Alex 分配给您")])
def test_a_notification_e_mail_is_written_in_the_recipients_language(client, groups, make_user, login, inbound,
                                                                       smtp_server, language, words):
    from email import message_from_bytes, policy

    from helpdesk.services import notifications

    agent = make_user(name="Rosa")
    _set(agent, language=language)
    notifications.set_email(agent, True)
    login(make_user(role="admin", name="Alex"))
    ticket_id = inbound(subject="Factura duplicada").ticket_id
    client.post(f"/tickets/{ticket_id}/update", data={"status": "open", "priority": "normal", "assignee_id": agent.id})
    mails = [message_from_bytes(m.content, policy=policy.default) for m in smtp_server.messages
             if agent.email in m.rcpt_tos]
    assert mails and words in mails[-1]["Subject"] and "Factura duplicada" in mails[-1].get_content()


@pytest.mark.parametrize(("language", "words"), [("es-MX", "hemos abierto el ticket"), ("zh", "我们已为您创建工单"),
                                                 (None, "we have opened ticket")])
def test_a_ticket_opened_for_a_customer_is_confirmed_in_their_language(client, eva, inbound, language, words):
    from sqlalchemy import select

    from helpdesk.models import Message, Ticket

    customer = db.session.get(Ticket, inbound(email="marta@example.com", subject="Hola").ticket_id).customer
    customer.language = language
    db.session.commit()
    response = client.post("/tickets/new", data={"customer_id": customer.id, "channel": "email", "subject": "Factura",
                                                 "body": "Llamó por la factura", "first_text": "customer"})
    assert response.status_code == 303
    ticket_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    reply = db.session.scalars(select(Message).where(Message.ticket_id == ticket_id, Message.kind == "outbound")).one()
    assert words in reply.body_text and "Factura" in reply.body_text


def test_tagalog_is_offered_and_the_console_then_speaks_it(client, eva, inbound):
    assert '<option value="tl">Tagalog</option>' in client.get("/account").get_data(as_text=True)
    client.post("/account/preferences", data={"language": "tl", "time_zone": "Asia/Manila"})
    assert (eva.language, eva.time_zone) == ("tl", "Asia/Manila")
    page = client.get("/account").get_data(as_text=True)
    assert '<html lang="tl">' in page and "Ang iyong account" in page and "Your account" not in page
    inbound(subject="Printer on fire")
    listing = client.get("/tickets?view=all").get_data(as_text=True)
    assert ">Mga tiket</a>" in listing and ">Tickets</a>" not in listing


@pytest.mark.parametrize(("language", "words"), [
    ("en", "each tag must be 1 to"), ("es", "cada etiqueta debe tener de 1 a"), ("zh", "每个标签必须为 1 到"),
    ("tl", "dapat 1 hanggang")])
def test_a_service_refusal_reaches_the_agent_in_their_language(client, eva, inbound, language, words):
    _set(eva, language=language)
    ticket_id = inbound(subject="Printer on fire").ticket_id
    from helpdesk.models import Ticket

    db.session.get(Ticket, ticket_id).group = eva.groups[0]
    db.session.commit()
    response = client.post(f"/tickets/{ticket_id}/update", data={"tags": "x" * 200},
                           headers={"X-Requested-With": "fetch"})
    assert response.status_code == 422
    assert response.get_json()["field"] == "tags" and words in response.get_json()["message"]


def test_stored_values_on_admin_pages_read_in_the_admins_language(client, groups, make_user, login):
    """Field kinds and owners, routing's channel kinds and strategies come from model tuples; they
    are named through the label tables, not passed to gettext as bare variables nobody extracts."""
    admin = make_user(role="admin", name="Ada Admin")
    _set(admin, language="es")
    login(admin)
    fields = client.get("/admin/fields").get_data(as_text=True)
    assert ">lista desplegable</option>" in fields and ">organización</option>" in fields
    routing = client.get("/admin/routing").get_data(as_text=True)
    assert ">Por turnos</option>" in routing and ">Por habilidades</option>" in routing
    assert ">dropdown<" not in fields and ">Round robin<" not in routing
    from helpdesk.services.routing import availability

    availability.set_status(make_user(name="Bo Agente", groups=("Support",)), "online", "console opened")
    db.session.commit()
    board = client.get("/agents/live").get_data(as_text=True)
    assert '<small class="reason">consola abierta</small>' in board and "Bo Agente <small>agente</small>" in board

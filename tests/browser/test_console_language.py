"""Issue 16 "each language": staff who chose Spanish or Chinese and a time zone on their account
page see the ticket list, a ticket and their account page in that language, with dates in their
time zone, and the live parts of the page (written by scripts) speak it too."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

CASES = {
    "es": {"email": "ana@staff.example", "zone": "America/Mexico_City", "account": "Tu cuenta",
           "preferences": "Idioma y zona horaria", "list": "Mis tickets abiertos", "new": "nuevo", "live": "en directo",
           "properties": "Propiedades", "send": "Enviar", "opened": "abierto el", "sign_out": "Cerrar sesión"},
    "zh": {"email": "ben@staff.example", "zone": "Asia/Shanghai", "account": "我的账户", "preferences": "语言和时区",
           "list": "我的未结工单", "new": "新建", "live": "实时", "properties": "属性", "send": "发送",
           "opened": "创建于", "sign_out": "退出登录"},
}


def _clock(moment: datetime, language: str) -> str:
    """The time of day as the console writes it: 24-hour, Spanish without a leading zero."""
    return moment.strftime("%H:%M") if language == "zh" else f"{moment.hour}:{moment.minute:02d}"


def _ticket(live_server, subject: str) -> dict:
    response = live_server.api("POST", "/api/v1/tickets", json={
        "customer": {"email": f"{uuid.uuid4().hex[:8]}@customer.example"}, "subject": subject, "body": "Hola",
        "group": "Support"})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("language", ["es", "zh"])
def test_staff_see_the_console_in_their_language_and_time_zone(sign_in, live_server, language):
    case = CASES[language]
    page = sign_in(case["email"])
    page.goto(live_server.url + "/account")
    page.select_option("#preferences select[name=language]", language)
    page.select_option("#preferences select[name=time_zone]", case["zone"])
    page.click("#preferences button[type=submit]")

    expect(page.locator("h1")).to_have_text(case["account"])
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", name=case["preferences"])).to_be_visible()
    expect(page.get_by_role("button", name=case["sign_out"]).first).to_be_visible()

    ticket = _ticket(live_server, f"Impresora {language}")
    created = datetime.fromisoformat(ticket["created_at"]).astimezone(ZoneInfo(case["zone"]))
    local_time = _clock(created, language)
    # The row shows the last change and the thread its message, a moment after the ticket's creation.
    around = re.compile("|".join(re.escape(_clock(created + timedelta(minutes=m), language)) for m in (0, 1)))

    page.goto(live_server.url + "/tickets?view=all")
    expect(page.locator(".tabs a").first).to_have_text(case["list"])
    row = page.locator(f"#ticket-row-{ticket['id']}")
    expect(row.locator(".status")).to_have_text(case["new"])
    expect(row.locator(".col-updated")).to_contain_text(around)
    expect(page.locator("#live-state")).to_have_text(case["live"])  # a script's word, from the catalogue

    page.goto(live_server.url + f"/tickets/{ticket['id']}")
    expect(page.locator("#properties h2")).to_have_text(case["properties"])
    expect(page.locator("#send-reply")).to_have_text(case["send"])
    meta = page.locator(".ticket-head .meta")
    expect(meta).to_contain_text(case["opened"])
    expect(meta).to_contain_text(local_time)
    expect(page.locator(".message-inbound time").first).to_contain_text(around)

"""Every empty list or page of the console says what to do next and links there, in the reader's
language: a fresh helpdesk (no tickets, macros, customers, report data, chats, notifications, admin
settings, articles) seen by an admin."""

from __future__ import annotations

import re

import pytest

from helpdesk.extensions import db

# (page, the empty element's marker, where its link goes)
EMPTY = [
    ("/tickets?view=all", '<tr class="empty"', "/tickets/new"),
    ("/tickets?view=all&q=nothinglikethis", '<tr class="empty"', "/tickets?view=all"),
    ("/tickets?view=all", '<span class="empty"', "#save-view"),
    ("/macros", 'id="macros-empty"', "/macros/new"),
    ("/customers", 'class="empty"', "/tickets/new"),
    ("/reports?start=2026-01-01&end=2026-01-31", 'class="empty"', "#report-filters"),
    ("/dashboard", 'id="dashboard-empty"', "/tickets/new"),
    ("/chats", 'class="empty"', "/admin/webchat"),
    ("/notifications", 'class="empty"', "/tickets?view=unassigned"),
    ("/admin/sla", 'class="empty"', "/admin/sla/policies/new"),
    ("/admin/webchat/", 'class="empty"', "#add-widget"),
    ("/admin/channels/", 'class="empty"', "#add-telegram"),
    ("/admin/mail/", 'class="empty"', "#add-mailbox"),
    ("/kb/", 'class="empty"', "/kb/articles/new"),
    ("/kb/categories", 'class="empty"', "#category-form"),
    ("/views", 'class="empty"', "/tickets"),
]


@pytest.fixture
def admin(groups, make_user, login):
    user = make_user(role="admin", name="Alex Admin")
    login(user)
    return user


def _empty_part(page: str, marker: str) -> str:
    at = page.index(marker)
    end = min(i for i in (page.find("</tr>", at), page.find("</li>", at), page.find("</p>", at), page.find("</span>", at))
              if i != -1)
    return page[at:end]


@pytest.mark.parametrize(("path", "marker", "target"), EMPTY)
def test_an_empty_page_says_what_to_do_next_and_links_there(client, admin, path, marker, target):
    response = client.get(path)
    assert response.status_code == 200, path
    part = _empty_part(response.get_data(as_text=True), marker)
    links = re.findall(r'href="([^"]+)"', part)
    assert any(link.startswith(target) or link.endswith(target) for link in links), (path, part)


@pytest.mark.parametrize(("language", "words"), [("es", "Abre un ticket para un cliente"),
                                                 ("zh", "为客户创建工单")])
def test_empty_states_speak_the_readers_language(client, admin, language, words):
    admin.language = language
    db.session.commit()
    part = _empty_part(client.get("/dashboard").get_data(as_text=True), 'id="dashboard-empty"')
    assert words in part and 'href="/tickets/new"' in part


def test_an_agent_without_chats_is_sent_to_their_tickets(client, groups, make_user, login):
    login(make_user(role="agent"))
    part = _empty_part(client.get("/chats").get_data(as_text=True), 'class="empty"')
    assert 'href="/tickets?view=mine"' in part


def test_a_dashboard_without_sla_policies_links_to_them(client, admin, inbound):
    inbound(subject="Where is my parcel?")
    part = _empty_part(client.get("/dashboard").get_data(as_text=True), 'id="dashboard-empty"')
    assert "No open ticket has an SLA yet." in part and 'href="/admin/sla/policies/new"' in part

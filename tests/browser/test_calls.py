"""The phone line in a real browser against `helpdesk run`: a ringing call reported by the PBX
pops up for both agents of the group (one at 390 px) with the caller and their open ticket; one
takes it, the popup goes away for the other; after the call they log it as a ticket."""

from __future__ import annotations

import json

import pytest
import requests
from playwright.sync_api import expect

from channels.cti import signature
from tests.web_server import cli_in_process

SECRET = "browser-cti-secret-0123456789"


@pytest.fixture(scope="module")
def cti_url(live_server):
    with cli_in_process(live_server.env) as helpdesk:
        out = helpdesk("channels", "add-cti", "desk-phone", "--secret-stdin", "--group", "Support", "--region", "ES",
                       stdin=SECRET + "\n")
    path = next(line.split("https://<your host>")[1] for line in out.splitlines() if "webhook URL" in line)
    return live_server.url + path


def post(cti_url: str, payload: dict) -> dict:
    body = json.dumps(payload).encode()
    response = requests.post(cti_url, data=body, timeout=10, headers={
        "Content-Type": "application/json", signature.HEADER: signature.sign(body, SECRET)})
    assert response.status_code == 200, response.text
    return response.json()


def _connected(page) -> None:
    expect(page.locator("#live-state")).to_have_text("live")


def test_a_ringing_call_pops_up_and_answering_clears_it_for_the_other(sign_in, browser, live_server, cti_url):
    customer = live_server.api("POST", "/api/v1/customers", json={"name": "Lucía <b>Pérez</b>", "identities": [
        {"kind": "email", "address": "lucia@customer.example"}, {"kind": "phone", "address": "+34612345678"}]})
    assert customer.status_code == 201, customer.text
    created = live_server.api("POST", "/api/v1/tickets", json={
        "customer": {"email": "lucia@customer.example"}, "subject": "Router blinking red", "body": "It blinks",
        "group": "Support"})
    assert created.status_code == 201, created.text
    ana = sign_in("ana@staff.example")
    ben = sign_in("ben@staff.example")
    ben.set_viewport_size({"width": 390, "height": 844})
    for page in (ana, ben):
        _connected(page)
    rang = post(cti_url, {"event": "ringing", "call_id": "browser-1", "from": "612 345 678", "queue": "support"})
    for page in (ana, ben):
        popup = page.locator(f'.call-popup[data-call-id="{rang["call_id"]}"]')
        expect(popup).to_be_visible()
        expect(popup).to_contain_text("Lucía <b>Pérez</b>")  # text, never markup
        expect(popup.get_by_role("link", name="Router blinking red")).to_be_visible()
    box = ben.locator(".call-popup").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    ana.locator(".call-popup button.take").click()
    expect(ana.locator(".call-popup.taken")).to_contain_text("On the call: log it")
    expect(ben.locator(f'.call-popup[data-call-id="{rang["call_id"]}"]')).to_have_count(0)
    post(cti_url, {"event": "ended", "call_id": "browser-1", "duration": 75, "cause": "normal"})
    ana.locator(".call-popup.taken .call-actions a").click()
    ana.wait_for_url(f"**/calls/{rang['call_id']}")
    expect(ana.locator("#call-agent")).to_have_text("Ana Agent")
    ana.fill("#log-new input[name=subject]", "Router replaced")
    ana.fill("#log-new textarea[name=note]", "Sent a new router")
    ana.click("#log-new button[type=submit]")
    ana.wait_for_url("**/tickets/*")
    expect(ana.locator("body")).to_contain_text("duration 1 min 15 s")

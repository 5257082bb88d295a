"""The chat widget's suggestions: the sites a widget may be embedded on can ask for articles."""

from __future__ import annotations

from helpdesk.services.webchat import widgets as webchat_widgets

SHOP = "https://shop.example"


def test_a_widgets_site_may_read_suggestions_and_other_sites_may_not(client, write):
    write("Requesting a refund", "Refunds take five days.")
    widget = webchat_widgets.add_widget("shop", [SHOP])
    allowed = client.get("/help/api/suggest?q=refund&lang=en&source=widget", headers={"Origin": SHOP})
    assert allowed.headers["Access-Control-Allow-Origin"] == SHOP
    assert [item["title"] for item in allowed.json["items"]] == ["Requesting a refund"]
    other = client.get("/help/api/suggest?q=refund&lang=en", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    webchat_widgets.update_widget(widget, active=False)
    switched_off = client.get("/help/api/suggest?q=refund&lang=en", headers={"Origin": SHOP})
    assert "Access-Control-Allow-Origin" not in switched_off.headers


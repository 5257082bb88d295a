"""The demo's portal customer: `helpdesk portal link` signs María (Globex's manager) in, and she sees
her e-mail and phone tickets and her colleague's, never an internal note."""

from __future__ import annotations

from urllib.parse import urlsplit


def test_the_demo_customer_signs_in_with_a_printed_link(app):
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["demo", "--days", "1"])
    assert loaded.exit_code == 0 and "helpdesk portal link --email maria@globex.example" in loaded.output
    printed = runner.invoke(args=["portal", "link", "--email", "maria@globex.example"])
    assert printed.exit_code == 0, printed.output
    client = app.test_client()
    assert client.post(urlsplit(printed.output.strip()).path).status_code == 303
    page = client.get("/portal/en/").get_data(as_text=True)
    assert "Cannot log in after password reset" in page  # her e-mail
    assert "Upgrade Globex to the Pro plan" in page and "via phone" in page
    assert "App crashes on startup on the new laptops" in page and "Tom Walker" in page  # her colleague's
    assert "Internal: check the discount" not in page
    unknown = runner.invoke(args=["portal", "link", "--email", "nobody@example.com"])
    assert unknown.exit_code != 0 and "no customer" in unknown.output

"""Images and PDFs shown in the browser: a thumbnail on the ticket page, the PDF viewer; only files
whose bytes are what their type says, only for staff who see the ticket, with the safe headers."""

from __future__ import annotations

import re

from channels.base import Attachment
from helpdesk.extensions import db
from helpdesk.models import Message

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n%fake but well started\n"


def _ids(message_id: int) -> dict[str, int]:
    return {a.filename: a.id for a in db.session.get(Message, message_id).attachments}


def test_images_and_pdfs_open_inline_and_nothing_else_does(client, login, make_user, groups, inbound):
    result = inbound(group_hint="Support", attachments=(
        Attachment("photo.png", PNG, "image/png"), Attachment("invoice.pdf", PDF, "application/pdf"),
        Attachment("fake.png", b"<html><script>alert(1)</script>", "image/png"),
        Attachment("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "image/svg+xml")))
    ids = _ids(result.message_id)
    agent = make_user(groups=("Support",))
    login(agent)
    image = client.get(f"/attachments/{ids['photo.png']}/view")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert image.headers["Cache-Control"] == "private, no-store"
    pdf = client.get(f"/attachments/{ids['invoice.pdf']}/view")
    assert pdf.status_code == 200 and pdf.headers["Content-Disposition"].startswith("inline")
    assert pdf.headers["Content-Security-Policy"] == "default-src 'none'"  # the viewer cannot start sandboxed
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    for name in ("fake.png", "drawing.svg"):
        assert client.get(f"/attachments/{ids[name]}/view").status_code == 404, name
    assert client.get(f"/attachments/{ids['photo.png']}").headers["Content-Disposition"].startswith("attachment")
    page = client.get(f"/tickets/{result.ticket_id}").get_data(as_text=True)
    assert re.search(rf'<img class="thumb" src="/attachments/{ids["photo.png"]}/view"', page)
    assert f'href="/attachments/{ids["invoice.pdf"]}/view"' in page
    assert f'src="/attachments/{ids["fake.png"]}/view"' not in page


def test_another_groups_staff_cannot_view(client, login, make_user, groups, inbound):
    result = inbound(group_hint="Billing", attachments=(Attachment("photo.png", PNG, "image/png"),))
    login(make_user(groups=("Support",)))
    assert client.get(f"/attachments/{_ids(result.message_id)['photo.png']}/view").status_code == 404


def test_automated_replies_are_shown_as_sent_by_the_system(client, login, make_user, groups, inbound):
    from helpdesk.models import Ticket
    from helpdesk.services import replies

    result = inbound(group_hint="Support")
    replies.stage_automated(db.session.get(Ticket, result.ticket_id), "How did we do? Rate us 1-5")
    db.session.commit()
    login(make_user(groups=("Support",)))
    page = client.get(f"/tickets/{result.ticket_id}").get_data(as_text=True)
    survey = page[page.index("How did we do?") - 1500:page.index("How did we do?")]
    assert "<strong>System</strong>" in survey and "<strong>customer</strong>" not in survey

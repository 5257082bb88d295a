"""How an e-mail conversation reads in the console: folded history, Cc, the original message."""

from __future__ import annotations

import re

from helpdesk.services.mail import sync as mail_sync
from tests.mail.conftest import make_mail

QUOTED = "Still broken, see below.\n\nOn Mon, 23 Nov 2026 at 10:00, Support <support@helpdesk.example> wrote:\n> Try again now.\n"


def test_quoted_history_is_folded_and_the_original_is_downloadable(mailbox, dovecot, client, make_user, login):
    dovecot.deliver(mailbox.user, make_mail(body=QUOTED, to=mailbox.address, headers={"Cc": "Boss <boss@customer.example>"}))
    (ticket_id,) = mail_sync.sync_mailbox(mailbox.id).tickets
    login(make_user(groups=("Support",)))
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    main, quoted = page.split("<summary>Quoted history</summary>")
    assert "Still broken, see below." in main and "&gt; Try again now." in quoted
    assert "Also to: Boss &lt;boss@customer.example&gt;</p>" in page
    raw_url = re.search(r'href="(/messages/\d+/raw)"', page).group(1)
    raw = client.get(raw_url)
    assert raw.status_code == 200 and b"Still broken" in raw.data
    assert raw.headers["Content-Disposition"].startswith("attachment") and raw.mimetype == "message/rfc822"


def test_the_original_is_not_for_other_groups(mailbox, dovecot, client, make_user, login):
    dovecot.deliver(mailbox.user, make_mail())
    mail_sync.sync_mailbox(mailbox.id)
    login(make_user(groups=("Billing",)))
    assert client.get("/messages/1/raw").status_code == 404

"""A seeded corpus of realistic support mail: new conversations and replies, plain and HTML, several
charsets and transfer encodings, attachments, and some auto-replies."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

SUBJECTS = ["Cannot log in", "Invoice {n} is wrong", "Refund for order #{n}", "App crashes on start",
            "Pedido {n} no ha llegado", "Problème de connexion", "退款申请 {n}", "Password reset link expired"]
SENTENCES = ["Hello, I need help with my account.", "Since this morning the page only shows an error.",
             "¿Pueden ayudarme con el pedido?", "Merci de votre aide, c'est très urgent.",
             "我的订单还没有到，请帮忙查一下。", "I attached a screenshot of the problem.",
             "Could you please check and get back to me today?", "Kind regards and thank you in advance."]
CHARSETS = ["utf-8", "utf-8", "iso-8859-1", "windows-1252"]


def _body(rng: random.Random) -> str:
    return "\n\n".join(" ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 6))) for _ in range(rng.randint(1, 4)))


def _charset_for(text: str, preferred: str) -> str:
    try:
        text.encode(preferred)
        return preferred
    except UnicodeEncodeError:
        return "utf-8"


def generate(count: int, *, seed: int = 7, to: str = "support@bench.example") -> list[bytes]:
    """`count` raw messages, deterministic for a seed."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    sent: list[tuple[str, str, str]] = []  # (message id, sender, subject) to reply to
    corpus = []
    for n in range(count):
        mail = EmailMessage()
        reply_to = rng.choice(sent) if sent and rng.random() < 0.35 else None
        sender = reply_to[1] if reply_to else f"customer{rng.randint(1, count // 3 + 1)}@example.{rng.choice(['com', 'es', 'fr', 'cn'])}"
        subject = f"Re: {reply_to[2]}" if reply_to else rng.choice(SUBJECTS).format(n=n)
        mail["From"] = f"Customer {n} <{sender}>"
        mail["To"] = to
        mail["Subject"] = subject
        mail["Date"] = format_datetime(start + timedelta(minutes=n))
        message_id = make_msgid(idstring=f"bench{n}", domain="mail.example")
        mail["Message-ID"] = message_id
        if reply_to:
            mail["In-Reply-To"] = reply_to[0]
            mail["References"] = reply_to[0]
        if rng.random() < 0.05:
            mail["Auto-Submitted"] = "auto-replied"
        text = _body(rng)
        charset = _charset_for(text, rng.choice(CHARSETS))
        mail.set_content(text, charset=charset, cte=rng.choice(["quoted-printable", "base64", "8bit"]) if charset == "utf-8" else "quoted-printable")
        if rng.random() < 0.5:
            paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
            mail.add_alternative(f"<html><body><div>{paragraphs}</div></body></html>", subtype="html")
        if rng.random() < 0.15:
            mail.add_attachment(rng.randbytes(rng.randint(2_000, 60_000)), maintype="application", subtype="pdf",
                                filename=f"document-{n}.pdf")
        corpus.append(bytes(mail))
        sent.append((message_id, sender, subject.removeprefix("Re: ")))
    return corpus

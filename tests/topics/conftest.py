"""A small multilingual corpus: three topics (password, delivery, refund) in English, Spanish and
Chinese, a few phrasings each, sent in through the real ingest service."""

from __future__ import annotations

import itertools

import pytest

CORPUS = {
    ("password", "en"): [("Cannot log in after password reset", "I reset my password and the login page says it is wrong."),
                         ("Password reset link expired", "The password reset link expired, I cannot log in to my account."),
                         ("Locked out, password not accepted", "My password is not accepted at login after the reset.")],
    ("password", "es"): [("No puedo iniciar sesión", "Cambié la contraseña y el inicio de sesión dice que es incorrecta."),
                         ("Enlace de contraseña caducado", "El enlace para restablecer la contraseña ha caducado, no puedo iniciar sesión."),
                         ("Contraseña no aceptada", "Mi contraseña no funciona al iniciar sesión tras restablecerla.")],
    ("password", "zh"): [("重置密码后无法登录", "我重置了密码，但是登录页面一直提示密码错误。"),
                         ("密码重置链接过期", "重置密码的链接已经过期，我无法登录账户。"),
                         ("登录提示密码错误", "重置以后登录账户总是提示密码错误。")],
    ("delivery", "en"): [("Order has not arrived", "My order was shipped ten days ago and the package has not arrived."),
                         ("Where is my package?", "The tracking of my order shows no update, where is the package?"),
                         ("Package delivery late", "The delivery of my package is late, the order has not arrived.")],
    ("delivery", "es"): [("El pedido no ha llegado", "Mi pedido se envió hace diez días y el paquete no ha llegado."),
                         ("¿Dónde está mi paquete?", "El seguimiento del pedido no se actualiza, ¿dónde está el paquete?"),
                         ("Retraso en la entrega del paquete", "La entrega del paquete va con retraso, el pedido no llega.")],
    ("delivery", "zh"): [("订单还没有到货", "我的订单已经发货十天了，包裹还没有到。"),
                         ("我的包裹在哪里", "订单物流一直没有更新，包裹在哪里？"),
                         ("快递包裹延迟", "包裹的快递延迟了，订单还没有送到。")],
    ("refund", "en"): [("Refund not received", "I returned the item and the refund is not on my credit card yet."),
                       ("Charged twice, please refund", "My credit card was charged twice, please refund the charge."),
                       ("Request a refund of the charge", "Please refund the last charge on my credit card.")],
    ("refund", "es"): [("No he recibido el reembolso", "Devolví el artículo y el reembolso no aparece en mi tarjeta de crédito."),
                       ("Cobro doble, quiero un reembolso", "Me cobraron dos veces en la tarjeta de crédito, quiero el reembolso."),
                       ("Solicito el reembolso del cobro", "Solicito el reembolso del último cobro en mi tarjeta de crédito.")],
    ("refund", "zh"): [("没有收到退款", "我已经退货了，信用卡还没有收到退款。"),
                       ("重复扣款请退款", "我的信用卡被重复扣款，请退款。"),
                       ("申请退款", "请把上一笔扣款退款到我的信用卡。")],
}
GROUPS = len(CORPUS)  # topic x language: what the model can tell apart without a dictionary


def tickets(copies: int = 3):
    """(subject, body, topic, language) for each phrasing, `copies` times, interleaved."""
    rows = []
    for n in range(copies):
        for (topic, language), phrasings in CORPUS.items():
            for i, (subject, body) in enumerate(phrasings):
                rows.append((subject, f"{body} ({n}{i})", topic, language))
    # Interleaved so ticket ids do not follow the topics.
    return [row for pair in itertools.zip_longest(rows[::2], rows[1::2]) for row in pair if row]


@pytest.fixture
def corpus(inbound):
    """Send the corpus in; returns {ticket id: (topic, language)}."""
    truth = {}
    for n, (subject, body, topic, language) in enumerate(tickets()):
        result = inbound(email=f"c{n}@example.com", subject=subject, body=body)
        truth[result.ticket_id] = (topic, language)
    return truth


@pytest.fixture
def topic_settings(app):
    """The topic settings row, set to look for as many topics as the corpus has groups."""
    from helpdesk.extensions import db
    from helpdesk.services.topics import refit

    row = refit.settings()
    row.topics = GROUPS
    db.session.commit()
    return row

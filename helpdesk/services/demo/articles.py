"""The demo's help-center articles, each in English, Spanish and Chinese, published, with votes."""

from __future__ import annotations

import random

from helpdesk.models import User
from knowledge_base import activity, articles

ARTICLES = [
    {"en": ("Reset your password", "Open **Sign in**, choose *Forgot password* and follow the link we e-mail you. "
                                   "The link works for one hour."),
     "es": ("Restablecer tu contraseña", "Abre **Iniciar sesión**, elige *¿Olvidaste tu contraseña?* y sigue el enlace "
                                         "que te enviamos. El enlace vale una hora."),
     "zh": ("重置密码", "打开**登录**页面，选择*忘记密码*，然后点击我们发送给您的邮件中的链接。链接一小时内有效。")},
    {"en": ("Where is my order?", "Orders ship within two working days. Track yours from **Orders** with the "
                                  "number in your confirmation e-mail."),
     "es": ("¿Dónde está mi pedido?", "Los pedidos salen en dos días laborables. Sigue el tuyo en **Pedidos** con el "
                                      "número del correo de confirmación."),
     "zh": ("我的订单在哪里？", "订单在两个工作日内发货。请在**订单**页面使用确认邮件中的编号跟踪您的订单。")},
    {"en": ("Update the VAT number on invoices", "Go to **Billing → Company details**, enter the VAT number and "
                                                 "save. New invoices carry it; ask us to re-issue older ones."),
     "es": ("Actualizar el NIF en las facturas", "Ve a **Facturación → Datos de la empresa**, escribe el NIF y guarda. "
                                                 "Las facturas nuevas lo incluyen; pídenos reemitir las anteriores."),
     "zh": ("更新发票上的税号", "前往**账单 → 公司信息**，填写税号并保存。新发票将包含税号；旧发票可请我们重新开具。")},
    {"en": ("Export your data as CSV", "Under **Settings → Export** pick the projects and press *Export*. We e-mail "
                                       "you a link to the file."),
     "es": ("Exportar tus datos en CSV", "En **Ajustes → Exportar** elige los proyectos y pulsa *Exportar*. Te "
                                         "enviaremos un enlace al archivo."),
     "zh": ("将数据导出为 CSV", "在**设置 → 导出**中选择项目并点击*导出*。我们会通过邮件把文件链接发给您。")},
]


def create(author: User, *, seed: int = 16) -> int:
    """Publish the articles in every language and give each some helpful / not helpful votes."""
    rng = random.Random(seed)
    for texts in ARTICLES:
        title, body = texts["en"]
        article = articles.create_article(author, language="en", title=title, body_md=body, summary=body.split(".")[0])
        for language in ("es", "zh"):
            title, body = texts[language]
            articles.save_translation(article, author, language=language, title=title, body_md=body)
        articles.set_status(article, "published")
        for n in range(rng.randint(4, 12)):
            language = rng.choice(["en", "en", "es", "zh"])
            activity.vote(article, language=language, visitor=f"demo-visitor-{article.id}-{n}", helpful=rng.random() < 0.8)
    return len(ARTICLES)

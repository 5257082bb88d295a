"""A deterministic multilingual knowledge base for the benchmark: articles in English, Spanish and
Chinese, each about two support topics (password, refund, 退款...) and written with those topics,
other support words, glue words and a long tail of 4,000 made-up words per language drawn with a
Zipf-like frequency (as real vocabularies are)."""

from __future__ import annotations

import itertools
import random

EN = ("account password reset login email invoice billing refund payment card order shipping delivery address "
      "return exchange subscription plan upgrade downgrade cancel trial export import report dashboard user "
      "admin permission role team workspace project integration webhook token api key security two factor "
      "authentication device mobile app browser notification setting profile language timezone backup restore "
      "data privacy delete download upload file attachment image limit quota storage sync error crash slow "
      "performance outage status incident maintenance update version release feature bug issue ticket support "
      "contact chat phone hours holiday discount coupon tax receipt currency bank transfer paypal wallet "
      "verification identity document country region warehouse tracking courier package damaged missing late "
      "schedule calendar reminder template signature domain dns certificate server migration archive").split()
ES = ("cuenta contraseña restablecer acceso correo factura facturación reembolso pago tarjeta pedido envío "
      "entrega dirección devolución cambio suscripción plan mejorar cancelar prueba exportar importar informe "
      "panel usuario administrador permiso rol equipo proyecto integración clave seguridad autenticación "
      "dispositivo móvil aplicación navegador notificación configuración perfil idioma horario copia datos "
      "privacidad eliminar descargar subir archivo imagen límite almacenamiento sincronización error lento "
      "rendimiento incidencia mantenimiento actualización versión función problema soporte contacto teléfono "
      "descuento cupón impuesto recibo moneda banco transferencia monedero verificación identidad documento "
      "país región almacén seguimiento mensajero paquete dañado retraso calendario recordatorio plantilla "
      "firma dominio certificado servidor migración archivo").split()
ZH = ("账户 密码 重置 登录 邮箱 发票 账单 退款 付款 银行卡 订单 配送 地址 退货 换货 订阅 套餐 升级 降级 取消 试用 导出 "
      "导入 报表 仪表盘 用户 管理员 权限 角色 团队 项目 集成 令牌 安全 验证 设备 手机 应用 浏览器 通知 设置 资料 语言 "
      "时区 备份 恢复 数据 隐私 删除 下载 上传 文件 附件 图片 限制 存储 同步 错误 崩溃 缓慢 性能 故障 状态 维护 更新 "
      "版本 功能 问题 工单 客服 联系 电话 优惠 税费 收据 货币 银行 转账 钱包 身份 证件 国家 地区 仓库 物流 快递 包裹 "
      "损坏 丢失 延迟 日历 提醒 模板 签名 域名 证书 服务器 迁移 归档").split()
GLUE = {"en": "how to the your a of in for with and is not".split(), "es": "cómo el la de en para con y no tu".split(),
        "zh": "如何 您的 无法 可以 请 的 在 和 我 怎么".split()}
LANGUAGES = ("en", "es", "zh")
SUPPORT = {"en": EN, "es": ES, "zh": ZH}
_SYLLABLES = "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge gi go la le li lo lu ma me mi mo mu " \
             "na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zi".split()
_HAN = [chr(0x4E00 + 37 * i) for i in range(700)]  # 700 distinct characters spread over the CJK block
TAIL_SIZE = 4000


def _tail(language: str) -> list[str]:
    """TAIL_SIZE made-up words: the long tail of a real vocabulary (product names, rarer words)."""
    rng = random.Random(language)
    words: set[str] = set()
    while len(words) < TAIL_SIZE:
        if language == "zh":
            words.add(rng.choice(_HAN) + rng.choice(_HAN))
        else:
            words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


TAIL = {language: _tail(language) for language in LANGUAGES}
# Zipf-like: the tail word of rank r is drawn with weight 1/(r + 20).
_TAIL_WEIGHTS = list(itertools.accumulate(1 / (r + 20) for r in range(TAIL_SIZE)))


def _word(rng: random.Random, language: str, topics: tuple[str, ...]) -> str:
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(topics)
    if roll < 0.25:
        return rng.choice(SUPPORT[language])
    if roll < 0.45:
        return rng.choice(GLUE[language])
    return rng.choices(TAIL[language], cum_weights=_TAIL_WEIGHTS)[0]


def sentence(rng: random.Random, language: str, length: int, topics: tuple[str, ...] = ()) -> str:
    """`length` words about `topics` (two support words when empty); Chinese without spaces."""
    topics = topics or tuple(rng.sample(SUPPORT[language], 2))
    parts = [_word(rng, language, topics) for _ in range(length)]
    return "".join(parts) + "。" if language == "zh" else " ".join(parts).capitalize() + "."


def article(rng: random.Random, language: str) -> tuple[str, str, str]:
    """(title, summary, Markdown body) of one article about two support topics."""
    topics = tuple(rng.sample(SUPPORT[language], 2))
    extra = [rng.choice(SUPPORT[language] + TAIL[language][:300]) for _ in range(rng.randint(1, 3))]
    words = [topics[0], *extra[:1], topics[1], *extra[1:]]
    title = ("".join(words) if language == "zh" else " ".join(words)).capitalize()
    summary = sentence(rng, language, 10, topics)
    body = "\n\n".join(" ".join(sentence(rng, language, rng.randint(8, 16), topics) for _ in range(3))
                        for _ in range(4))
    return title, summary, body


def queries(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """(query, language) pairs as people type them: prefixes, one or two words, typos, Chinese words,
    and (one in ten) the most common words of the corpus, the slowest case."""
    out = []
    for i in range(n):
        language = LANGUAGES[i % 3]
        kind = rng.random()
        first, second = rng.choice(SUPPORT[language]), rng.choice(SUPPORT[language])
        if kind < 0.1:
            query = rng.choice(TAIL[language][:5])
        elif language == "zh":
            query = first if kind < 0.6 else first + second
        elif kind < 0.35:
            query = first[: max(3, len(first) - 2)]  # still typing
        elif kind < 0.7:
            query = f"{first} {second}"
        elif kind < 0.85:
            query = first
        else:  # a typo: one letter dropped
            cut = rng.randrange(1, max(2, len(first) - 1))
            query = first[:cut] + first[cut + 1:]
        out.append((query, language))
    return out

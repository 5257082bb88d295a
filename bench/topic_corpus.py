"""A generated corpus of tickets written from known topic templates in English, Spanish and Chinese,
for measuring topic discovery (bench_topics.py) against the truth.

Each topic has subject and body templates per language; a ticket picks one of each, fills the slots
(order numbers, products, devices, days) and wraps it in greetings and small talk that every topic
shares, so the model has to find the topic among words that say nothing about it."""

from __future__ import annotations

import random

TOPICS = {
    "password": {
        "en": (["Cannot log in after password reset", "Password reset link not working", "Locked out of my account"],
               ["I reset my password but the login page keeps saying the password is wrong.",
                "The reset link in the email says it expired, I cannot sign in to my account.",
                "My account is locked after too many login attempts, how do I reset the password?"]),
        "es": (["No puedo iniciar sesión tras cambiar la contraseña", "El enlace para restablecer la contraseña no funciona",
                "Cuenta bloqueada"],
               ["Cambié mi contraseña y ahora la página de inicio de sesión dice que es incorrecta.",
                "El enlace del correo para restablecer la contraseña ha caducado y no puedo entrar a mi cuenta.",
                "Mi cuenta está bloqueada tras varios intentos de inicio de sesión."]),
        "zh": (["重置密码后无法登录", "密码重置链接无效", "账户被锁定"],
               ["我重置了密码，但是登录页面一直提示密码错误。", "邮件里的重置链接显示已过期，我无法登录账户。",
                "登录失败次数太多，账户被锁定了，怎么重置密码？"]),
    },
    "delivery": {
        "en": (["Order {n} has not arrived", "Where is my package?", "Delivery is late"],
               ["My order {n} was shipped {d} days ago and the tracking number shows no update.",
                "The courier says the package was delivered but I never received it.",
                "The delivery of order {n} is late, when will the parcel arrive?"]),
        "es": (["El pedido {n} no ha llegado", "¿Dónde está mi paquete?", "Retraso en la entrega"],
               ["Mi pedido {n} se envió hace {d} días y el número de seguimiento no se actualiza.",
                "El mensajero dice que entregó el paquete pero nunca lo recibí.",
                "La entrega del pedido {n} va con retraso, ¿cuándo llegará el paquete?"]),
        "zh": (["订单{n}还没有到货", "我的包裹在哪里", "快递延迟"],
               ["我的订单{n}已经发货{d}天了，物流单号一直没有更新。", "快递员说包裹已经送达，但是我没有收到。",
                "订单{n}的快递延迟了，包裹什么时候能送到？"]),
    },
    "refund": {
        "en": (["Refund not received", "Charged twice for my subscription", "Request a refund"],
               ["I was charged twice on my credit card this month, please refund the duplicate payment.",
                "I returned the item {d} days ago and still have not received my refund.",
                "Please refund my last payment, the charge on my card was a mistake."]),
        "es": (["No he recibido el reembolso", "Me cobraron dos veces la suscripción", "Solicito un reembolso"],
               ["Me cobraron dos veces en la tarjeta de crédito este mes, por favor devuelvan el cargo duplicado.",
                "Devolví el artículo hace {d} días y todavía no recibo el reembolso.",
                "Solicito el reembolso de mi último pago, el cargo en la tarjeta fue un error."]),
        "zh": (["没有收到退款", "订阅被重复扣款", "申请退款"],
               ["这个月我的信用卡被扣款两次，请退还重复的付款。", "我{d}天前退货了，到现在还没有收到退款。",
                "请退还我上一笔付款，银行卡扣款是错误的。"]),
    },
    "invoice": {
        "en": (["Invoice is missing the VAT number", "Need a copy of my invoice", "Wrong company name on invoice"],
               ["Could you re-issue invoice INV-{n} with our VAT number and company address?",
                "I need a PDF copy of the invoice for my last purchase for our accounting department.",
                "The invoice shows the wrong company name, please correct the billing details."]),
        "es": (["Falta el NIF en la factura", "Necesito una copia de la factura", "Nombre de empresa incorrecto en la factura"],
               ["¿Pueden emitir de nuevo la factura INV-{n} con nuestro NIF y la dirección fiscal?",
                "Necesito una copia en PDF de la factura de mi última compra para contabilidad.",
                "La factura tiene el nombre de la empresa incorrecto, corrijan los datos de facturación."]),
        "zh": (["发票缺少税号", "需要发票副本", "发票上的公司名称错误"],
               ["能否重新开具发票INV-{n}，加上我们的税号和公司地址？", "财务部门需要我上次购买的发票PDF副本。",
                "发票上的公司名称写错了，请更正开票信息。"]),
    },
    "crash": {
        "en": (["App crashes on startup", "The {device} app keeps closing", "App freezes after the update"],
               ["The mobile app closes right after the splash screen on my {device}.",
                "Since the latest update the app crashes every time I open the camera screen on {device}.",
                "The app freezes and then closes, I already reinstalled it on my {device}."]),
        "es": (["La aplicación se cierra al abrirla", "La app se cierra sola en mi {device}", "La aplicación se congela tras la actualización"],
               ["La aplicación móvil se cierra justo después de la pantalla de inicio en mi {device}.",
                "Desde la última actualización la app se cierra cada vez que abro la cámara en el {device}.",
                "La aplicación se congela y luego se cierra, ya la reinstalé en mi {device}."]),
        "zh": (["应用启动就闪退", "{device}上的应用一直闪退", "更新后应用卡死"],
               ["手机应用在启动画面之后就闪退了，我用的是{device}。", "最近一次更新以后，每次打开相机页面应用都会崩溃。",
                "应用先卡死然后自动关闭，我已经在{device}上重新安装过了。"]),
    },
    "cancel": {
        "en": (["Cancel my subscription", "How do I cancel my plan?", "Stop automatic renewal"],
               ["Please cancel my subscription at the end of the current billing period.",
                "I want to cancel my plan and close the account, how do I stop the automatic renewal?",
                "Please turn off the automatic renewal of my annual plan, I do not want to continue."]),
        "es": (["Cancelar mi suscripción", "¿Cómo cancelo mi plan?", "Detener la renovación automática"],
               ["Por favor cancelen mi suscripción al final del periodo de facturación actual.",
                "Quiero cancelar mi plan y cerrar la cuenta, ¿cómo detengo la renovación automática?",
                "Desactiven la renovación automática de mi plan anual, no quiero continuar."]),
        "zh": (["取消我的订阅", "怎么取消套餐", "关闭自动续费"],
               ["请在当前计费周期结束时取消我的订阅。", "我想取消套餐并注销账户，怎么关闭自动续费？",
                "请关闭我年度套餐的自动续费，我不想继续使用了。"]),
    },
    "api": {
        "en": (["API returning 500 errors", "Webhook requests failing", "API rate limit exceeded"],
               ["Our integration is down, every API call returns HTTP 500 since this morning.",
                "The webhook endpoint stopped receiving events and the API logs show timeout errors.",
                "We get rate limit errors from the API although our request volume did not change."]),
        "es": (["La API devuelve errores 500", "Fallan las peticiones del webhook", "Límite de peticiones de la API superado"],
               ["Nuestra integración está caída, cada llamada a la API devuelve HTTP 500 desde esta mañana.",
                "El webhook dejó de recibir eventos y los registros de la API muestran errores de tiempo de espera.",
                "Recibimos errores de límite de peticiones de la API aunque el volumen no cambió."]),
        "zh": (["接口返回500错误", "Webhook请求失败", "接口调用超出频率限制"],
               ["我们的集成中断了，从今天早上开始每次调用接口都返回500错误。", "Webhook地址收不到事件了，接口日志显示请求超时。",
                "接口提示调用频率超限，但是我们的请求量没有变化。"]),
    },
    "export": {
        "en": (["How do I export my data?", "Export projects to CSV", "Download a backup of my data"],
               ["Is there a way to export all my projects and reports as a CSV file?",
                "I need to download a full backup of my data before we migrate to another tool.",
                "The export button produces an empty spreadsheet, how can I export the data?"]),
        "es": (["¿Cómo exporto mis datos?", "Exportar proyectos a CSV", "Descargar una copia de seguridad"],
               ["¿Hay alguna forma de exportar todos mis proyectos e informes a un archivo CSV?",
                "Necesito descargar una copia de seguridad completa de mis datos antes de migrar.",
                "El botón de exportar genera una hoja de cálculo vacía, ¿cómo exporto los datos?"]),
        "zh": (["如何导出我的数据", "把项目导出为CSV", "下载数据备份"],
               ["有没有办法把我所有的项目和报表导出成CSV文件？", "迁移到其他工具之前，我需要下载完整的数据备份。",
                "点击导出按钮后得到的是空表格，怎么才能导出数据？"]),
    },
    "upgrade": {
        "en": (["Upgrade to the Pro plan", "Pricing of the business plan", "Add more seats to our team plan"],
               ["Is the Pro plan billed monthly or yearly? I would like to upgrade from the free plan.",
                "What is the price of the business plan for {d} users, and is there a discount?",
                "We need to add {d} more seats to our team plan, how does the pricing work?"]),
        "es": (["Pasar al plan Pro", "Precio del plan empresa", "Añadir más usuarios al plan de equipo"],
               ["¿El plan Pro se factura mensual o anualmente? Quiero mejorar desde el plan gratuito.",
                "¿Cuál es el precio del plan empresa para {d} usuarios? ¿Hay descuento?",
                "Necesitamos añadir {d} usuarios más a nuestro plan de equipo, ¿cómo funciona el precio?"]),
        "zh": (["升级到专业版", "企业版价格", "团队套餐增加席位"],
               ["专业版是按月还是按年收费？我想从免费版升级。", "企业版{d}个用户的价格是多少，有没有折扣？",
                "我们的团队套餐需要再增加{d}个席位，价格怎么计算？"]),
    },
    "twofactor": {
        "en": (["Two-factor code not arriving", "Lost my phone with the authenticator", "SMS verification code missing"],
               ["I do not receive the SMS verification code to sign in, I tried several times.",
                "I lost my phone with the authenticator app and cannot pass two-factor authentication.",
                "The verification code arrives too late and the two-factor check says it is invalid."]),
        "es": (["No llega el código de verificación", "Perdí el móvil con el autenticador", "Falta el código SMS"],
               ["No recibo el código de verificación por SMS para entrar, lo intenté varias veces.",
                "Perdí el móvil con la app de autenticación y no puedo pasar la verificación en dos pasos.",
                "El código de verificación llega tarde y la verificación en dos pasos dice que no es válido."]),
        "zh": (["收不到验证码", "丢了装有身份验证器的手机", "短信验证码没有收到"],
               ["我收不到登录用的短信验证码，试了好几次。", "装有身份验证器应用的手机丢了，无法通过双重验证。",
                "验证码到得太晚，双重验证提示验证码无效。"]),
    },
}
DEVICES = ["iPhone 15", "Pixel 8", "Galaxy S23", "iPad", "Android 14", "Xiaomi 13"]
SMALL_TALK = {
    "en": (["Hello,", "Hi team,", "Good morning,", "Dear support,", ""],
           ["Thanks in advance.", "Can you help me?", "This is urgent for us.", "Best regards, {name}", "Thank you!", ""]),
    "es": (["Hola,", "Buenos días,", "Estimado equipo de soporte,", ""],
           ["Gracias de antemano.", "¿Me pueden ayudar?", "Es urgente para nosotros.", "Saludos, {name}", "¡Gracias!", ""]),
    "zh": (["您好，", "你好，", "客服你好，", ""],
           ["提前谢谢。", "能帮我看一下吗？", "这个对我们很紧急。", "谢谢！", ""]),
}
NAMES = ["Ana", "Tom", "Li Wei", "María", "Kenji", "Sofia", "Diego", "Wang Fang", "Priya", "Lars"]
LANGUAGES = ("en", "es", "zh")


def tickets(n: int, *, seed: int = 21, topics: tuple[str, ...] | None = None) -> list[tuple[str, str, str, str]]:
    """`n` tickets as (subject, body, true topic, language), languages and topics drawn evenly."""
    rng = random.Random(seed)
    names = list(topics or TOPICS)
    out = []
    for _ in range(n):
        topic, language = rng.choice(names), rng.choice(LANGUAGES)
        subjects, bodies = TOPICS[topic][language]
        slots = {"n": rng.randint(1000, 99999), "d": rng.randint(2, 30), "device": rng.choice(DEVICES),
                 "name": rng.choice(NAMES)}
        hello, bye = SMALL_TALK[language]
        subject = rng.choice(subjects).format(**slots)
        # One sentence of the topic, a third of the time two.
        sentences = rng.sample(bodies, rng.choice((1, 1, 2)))
        body = " ".join([rng.choice(hello), *(s.format(**slots) for s in sentences), rng.choice(bye).format(**slots)])
        out.append((subject, body.strip(), topic, language))
    return out

"""Word pools for seeded data: names, subjects and sentences that read like a real support inbox."""

from __future__ import annotations

import random

FIRST = ("Ana", "Ben", "Chloé", "David", "Elif", "Farid", "Grace", "Hiro", "Inés", "Jonas", "Kavya", "Liam",
         "María", "Nils", "Olga", "Pedro", "Qiang", "Rosa", "Sven", "Tariq", "Uma", "Víctor", "Wen", "Ximena",
         "Yusuf", "Zoe", "Amara", "Bruno", "Carmen", "Dmitri", "Emma", "Fatima", "Giulia", "Hannah", "Ivan",
         "Jana", "Kenji", "Lucía", "Mateo", "Noor")
LAST = ("García", "Smith", "Müller", "Rossi", "Nakamura", "Kowalski", "Silva", "Dubois", "Novak", "Jensen",
        "Okafor", "Haddad", "Ivanova", "Larsen", "Moreau", "Nguyen", "Patel", "Quinn", "Romero", "Schmidt",
        "Tanaka", "Usman", "Varga", "Weber", "Yilmaz", "Zhang", "Andersen", "Becker", "Costa", "Fischer")
COMPANY = ("Globex", "Initech", "Umbrella", "Hooli", "Soylent", "Vandelay", "Stark", "Wayne", "Tyrell", "Cyberdyne",
           "Aperture", "Wonka", "Gringotts", "Oscorp", "Pied Piper", "Dunder", "Monarch", "Acme", "Massive", "Nakatomi")
COMPANY_KIND = ("Ltd", "GmbH", "S.L.", "Inc", "BV", "AB", "SARL", "Group", "Labs", "Systems")
LANGUAGES = ("en", "en", "en", "es", "de", "fr", "pt", "it", "nl", None)
TIMEZONES = ("Europe/Madrid", "Europe/Berlin", "Europe/London", "America/New_York", "America/Sao_Paulo",
             "Asia/Tokyo", "Asia/Kolkata", None)
TAGS = ("billing", "refund", "login", "password", "bug", "feature-request", "shipping", "delay", "invoice",
        "vat", "api", "integration", "mobile", "android", "ios", "outage", "cancellation", "upgrade",
        "downgrade", "onboarding", "gdpr", "security", "feedback", "vip-follow-up")

SUBJECTS = (
    "Cannot log in after password reset", "Invoice {n} is missing our VAT number", "Refund for order #{n}",
    "API returns 500 on /v2/orders", "Where is my order #{n}?", "Two-factor code never arrives",
    "Charged twice this month", "How do I export my data?", "App crashes when uploading a photo",
    "Change the e-mail address on my account", "Cancel my subscription", "Upgrade from Basic to Pro",
    "Webhook deliveries failing since yesterday", "Wrong item delivered", "Package arrived damaged",
    "Question about the annual plan", "Can't connect the Shopify integration", "Password reset link expired",
    "Please delete my account (GDPR)", "Discount code {n} not accepted", "Slow dashboard loading",
    "Missing items in export", "Unable to add a team member", "SSO login loops back to the start page",
    "Card declined at checkout", "Shipping to the Canary Islands", "Report shows wrong totals for March",
    "Notification e-mails go to spam", "Update billing address on invoice {n}", "Feature request: dark mode",
    "Mobile app logs me out every day", "Import from CSV stops at row {n}", "Can you extend my trial?",
    "Account locked after too many attempts", "Delivery address change for order #{n}", "Receipt for payment {n}",
)
CUSTOMER = (
    "Since this morning the page just reloads when I try to sign in.",
    "I have already cleared the cache and tried another browser, same result.",
    "This is blocking our whole team, we cannot process any orders today.",
    "Could you please check what is going on with my account?",
    "The error message says something went wrong and asks me to try again later.",
    "I attached a screenshot of what I see on my screen.",
    "We were charged twice for the same period according to our bank statement.",
    "The tracking link has not updated for six days now.",
    "I would like a refund to the original payment method, not store credit.",
    "Our finance department needs the invoice re-issued with the correct company name.",
    "It worked fine until the update last week.",
    "Is there a way to do this in bulk instead of one by one?",
    "I am on the Pro plan if that matters.",
    "We use the API from a Python script that runs every five minutes.",
    "The same request works in the sandbox but fails in production.",
    "Please let me know if you need any other information from me.",
    "I have been a customer for three years and this has never happened before.",
    "Can somebody call me back? My number is in my profile.",
    "The box was open and one of the items is broken.",
    "I did not receive the confirmation e-mail, not even in the spam folder.",
    "My colleague has the same problem on her phone.",
    "Any update on this? It has been two days.",
    "Thanks, that fixed it!",
    "Unfortunately the problem is back again today.",
    "I tried the steps you sent but the button is still greyed out.",
    "We need this sorted before the end of the month for our audit.",
    "Where can I find the setting you mentioned?",
    "The app version is 4.12.1 on Android 14.",
    "It happens with every file bigger than about 10 MB.",
    "Could you also send me a copy of the previous invoice?",
)
AGENT = (
    "Thank you for getting in touch and sorry for the trouble.",
    "I have checked your account and I can see what happened.",
    "Could you tell me which browser and version you are using?",
    "I have escalated this to our engineering team and will update you as soon as I hear back.",
    "The refund has been issued and should appear on your statement within 5 to 10 business days.",
    "I have re-sent the invoice with the corrected details to your billing address.",
    "Please try clearing your cookies for our site and signing in again.",
    "Our carrier confirms the parcel is in transit and should arrive by Friday.",
    "This was caused by a bug in last week's release, which we have now fixed.",
    "You can find the export under Settings, then Data, then Export all.",
    "I have reset the two-factor settings on your account; you will be asked to set it up again.",
    "Could you send us the request id from the response headers so we can trace it?",
    "I have applied the discount to your next invoice.",
    "We have replaced the damaged item free of charge; the new one ships tomorrow.",
    "I will keep this ticket open until you confirm that everything works.",
    "Let me know if there is anything else I can help with.",
    "I am marking this as solved, but just reply to this message if the problem comes back.",
    "For security reasons I cannot change the e-mail address without a confirmation from the old one.",
)
NOTES = (
    "Customer is on the legacy plan, check with billing before refunding.",
    "Same issue as the one reported by Globex last week, see the engineering ticket.",
    "Called the customer, no answer. Will try again tomorrow.",
    "Refund approved by the team lead.",
    "Possible duplicate of another ticket from this customer.",
)
GREETINGS = ("Hi,", "Hello,", "Hi there,", "Dear support team,", "Good morning,", "Hey,")
SIGN_OFFS = ("Thanks", "Best regards", "Kind regards", "Cheers", "Thank you in advance", "Regards")


def subject(rng: random.Random) -> str:
    """A ticket subject, sometimes carrying an order or invoice number."""
    return rng.choice(SUBJECTS).replace("{n}", str(rng.randint(1000, 99999)))


def customer_body(rng: random.Random, *, chat: bool, name: str, first_line: str | None = None) -> list[str]:
    """A customer's message as paragraphs: a line or two on chat channels, a real e-mail otherwise."""
    if chat:
        lines = rng.sample(CUSTOMER, rng.randint(1, 3))
        return [first_line, *lines] if first_line else lines
    paragraphs = [rng.choice(GREETINGS)]
    for _ in range(rng.randint(1, 4)):
        paragraphs.append(" ".join(rng.sample(CUSTOMER, rng.randint(1, 4))))
    paragraphs.append(f"{rng.choice(SIGN_OFFS)},\n{name}")
    return paragraphs


def agent_body(rng: random.Random, *, name: str, agent: str) -> list[str]:
    """An agent's reply as paragraphs."""
    paragraphs = [f"Hi {name.split()[0]},"]
    for _ in range(rng.randint(1, 3)):
        paragraphs.append(" ".join(rng.sample(AGENT, rng.randint(1, 3))))
    paragraphs.append(f"{rng.choice(SIGN_OFFS)},\n{agent}\nCustomer Support")
    return paragraphs


def note_body(rng: random.Random) -> str:
    """An internal note."""
    return rng.choice(NOTES)


def quote(previous: str) -> str:
    """The previous message quoted below a reply, as mail clients do."""
    return "\n".join("> " + line for line in previous.splitlines()[:12])

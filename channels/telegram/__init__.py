"""The Telegram channel, over python-telegram-bot: Bot API updates in (`parser`), replies out
(`channel`), the Bot API calls themselves (`client`)."""

import os

# python-telegram-bot 22 gives periods (a voice note's duration, a rate limit's wait) as
# timedelta when this is set, and as int seconds with a deprecation warning when not; its next
# major version always does the former. Opt in, unless the deployment decided otherwise.
os.environ.setdefault("PTB_TIMEDELTA", "true")

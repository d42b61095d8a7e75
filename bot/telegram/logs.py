"""Keeping the bot token out of logs: the Bot API address holds it, and httpx logs the addresses."""

from __future__ import annotations

import logging

# Loggers that may write the Bot API address (httpx logs every request's URL at INFO).
URL_LOGGERS = (
    "httpx",
    "telegram.Bot",
    "telegram.ext.ExtBot",
    "telegram.ext.Updater",
    "telegram.ext.Application",
)
HIDDEN = "<TELEGRAM_BOT_TOKEN>"


class TokenFilter(logging.Filter):
    """Replaces the bot token in each record's message with a placeholder."""

    def __init__(self, token: str) -> None:
        """Hide `token`."""
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message without the token; never drops a record."""
        try:
            message = record.getMessage()
        except Exception:
            return True
        if self.token in message:
            record.msg = message.replace(self.token, HIDDEN)
            record.args = None
        return True


def hide_token(token: str) -> None:
    """Attach a TokenFilter for `token` to the loggers that see Bot API addresses (idempotent)."""
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenFilter) and f.token == token for f in logger.filters):
            logger.addFilter(TokenFilter(token))

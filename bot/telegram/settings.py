"""Settings of the Telegram channel (environment variables prefixed TELEGRAM_)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# What Telegram issues: the bot's numeric id, a colon, then letters, digits, - and _.
TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
# What setWebhook accepts as secret_token.
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramSettings(BaseSettings):
    """The bot's token, where the Bot API is, and how the webhook is reached and verified."""

    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", extra="ignore")

    # TELEGRAM_BOT_TOKEN: without it the channel is off.
    bot_token: SecretStr | None = None
    # TELEGRAM_BASE_URL: the Bot API server (a local Bot API server, or a test's fake).
    base_url: str = "https://api.telegram.org"
    # TELEGRAM_WEBHOOK_SECRET: Telegram sends it in X-Telegram-Bot-Api-Secret-Token; calls without it
    # are refused. TELEGRAM_WEBHOOK_URL: the gateway's public /telegram/webhook address; when set, the
    # gateway registers it (with the secret) at start.
    webhook_secret: SecretStr | None = None
    webhook_url: str | None = None
    # Retries of a request Telegram answered 429 (Too Many Requests), after the wait it asks for.
    max_retries: int = Field(default=3, ge=0, le=10)
    # Long-poll of getUpdates in polling mode, in seconds.
    poll_timeout_s: int = Field(default=10, ge=0, le=50)
    # An update another gateway process took but has not answered for this long is answered here.
    claim_stale_s: float = Field(default=120.0, gt=0)
    # Updates handled at once in polling mode (one at a time per chat, in order).
    max_concurrent_updates: int = Field(default=32, ge=1, le=512)
    # Button payloads too long for Telegram's callback data are kept this many days after last use.
    callback_keep_days: int = Field(default=90, ge=1)

    @field_validator("bot_token", "webhook_secret", "webhook_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        """Treat an empty variable as not set."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        """Accept only a token of the form Telegram issues (without echoing it in the error)."""
        if value is not None and not TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("TELEGRAM_BOT_TOKEN must look like 123456789:AbC-dEf_… (as @BotFather gives it)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Accept only what Telegram allows as a secret token."""
        if value is not None and not SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET: 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("base_url", "webhook_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        """Require an http(s) address."""
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// address")
        return value.rstrip("/") if value is not None else None

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> TelegramSettings:
        """A webhook without a secret would accept updates from anyone: refuse that configuration."""
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError("TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET")
        return self

    @property
    def enabled(self) -> bool:
        """Whether a bot token is configured."""
        return self.bot_token is not None

    @property
    def token(self) -> str:
        """The bot token (only call when enabled)."""
        if self.bot_token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        return self.bot_token.get_secret_value()

    @property
    def api_url(self) -> str:
        """The prefix python-telegram-bot appends the token to for Bot API methods."""
        return f"{self.base_url}/bot"

    @property
    def file_url(self) -> str:
        """The prefix python-telegram-bot appends the token to for file downloads."""
        return f"{self.base_url}/file/bot"

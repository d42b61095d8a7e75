"""Settings of the gateway (environment variables prefixed ELDERCARE_)."""

from __future__ import annotations

from pydantic import Field

from bot.core.settings import ChatSettings


class GatewaySettings(ChatSettings):
    """The chat settings plus the gateway's own: the action server, HTTP limits, operators, schedules."""

    action_server_url: str = "http://127.0.0.1:5055"
    health_timeout_s: float = Field(default=2.0, gt=0)
    # Agent assist: how long to wait for the intent and for the action server's suggestions.
    assist_timeout_s: float = Field(default=5.0, gt=0)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # Operator bearer tokens expire after this many hours.
    operator_token_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    # Reminders of tomorrow's confirmed visits: how often to look, in seconds (0 turns them off).
    reminder_interval_s: float = Field(default=300.0, ge=0)
    # How often waiting handoffs are checked against handoff_timeout_s (0 turns the check off).
    handoff_check_interval_s: float = Field(default=30.0, ge=0)
    # How often the console's live queue (GET /api/handoffs/stream) looks for changes, in seconds.
    queue_poll_s: float = Field(default=1.0, gt=0, le=60)

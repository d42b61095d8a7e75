"""POST /telegram/webhook: updates from Telegram, accepted only with the webhook's secret token."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated, Any, cast

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse

from bot.gateway.errors import error_response
from bot.telegram.app import TelegramChannel
from bot.telegram.settings import TelegramSettings
from bot.telegram.updates import Claim

logger = logging.getLogger(__name__)

router = APIRouter(tags=["telegram"])

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MSG_NOT_CONFIGURED = "没有配置 Telegram。 / Telegram is not configured (set TELEGRAM_BOT_TOKEN)."
MSG_FORBIDDEN = "密钥不对，拒绝访问。 / Missing or wrong secret token."
MSG_UNAVAILABLE = (
    "Telegram 渠道暂时不可用，请稍后再试。 / The Telegram channel is not ready; try again later."
)
MSG_BUSY = "这条消息正在处理，请稍后再发。 / This update is being handled elsewhere; deliver it again later."
MSG_NOT_UPDATE = "请求内容不是 Telegram 的更新。 / The body is not a Telegram update."


def secret_matches(given: str | None, expected: str) -> bool:
    """Compare the header with the secret in constant time."""
    return given is not None and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@router.post("/telegram/webhook", include_in_schema=False)
async def webhook(
    request: Request,
    secret: Annotated[str | None, Header(alias=SECRET_HEADER)] = None,
) -> Response:
    """Hand an update to the bot; 200 once it was answered (or had been), so Telegram sends it no more."""
    settings = cast(TelegramSettings, request.app.state.telegram_settings)
    if not settings.enabled:
        return error_response(404, "telegram_not_configured", MSG_NOT_CONFIGURED)
    expected = settings.webhook_secret
    if expected is None or not secret_matches(secret, expected.get_secret_value()):
        logger.warning("refused a Telegram webhook call from %s: no or wrong secret token", _client(request))
        return error_response(403, "forbidden", MSG_FORBIDDEN)
    channel = cast("TelegramChannel | None", getattr(request.app.state, "telegram", None))
    if channel is None or not channel.opened:
        return error_response(503, "telegram_unavailable", MSG_UNAVAILABLE, headers={"Retry-After": "30"})
    try:
        data: Any = await request.json()
    except ValueError:
        return error_response(400, "invalid_json", MSG_NOT_UPDATE)
    if not isinstance(data, dict):
        return error_response(400, "invalid_body", MSG_NOT_UPDATE)
    try:
        claim = await channel.receive(data)
    except ValueError:
        return error_response(400, "invalid_body", MSG_NOT_UPDATE)
    if claim is Claim.BUSY_ELSEWHERE:  # another process has it: Telegram delivers it again later
        return error_response(503, "update_in_progress", MSG_BUSY, headers={"Retry-After": "30"})
    return JSONResponse({"ok": True})


def _client(request: Request) -> str:
    """The caller's address, for the log."""
    return request.client.host if request.client is not None else "unknown"

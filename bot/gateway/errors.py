"""The gateway's exceptions and their translation into one error body: {"error": {"code", "message"}}."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.gateway.schemas import ErrorBody, ErrorInfo
from bot.store import StoreError

logger = logging.getLogger(__name__)


class AssistantUnavailable(Exception):
    """The assistant (Rasa and its actions) gave no usable answer."""


class RasaUnavailable(AssistantUnavailable):
    """Rasa could not be reached, timed out, or answered with an error or unreadable JSON."""


class EmptyReply(AssistantUnavailable):
    """Rasa answered without a single text reply (what it does when the action server fails)."""


class ApiError(Exception):
    """An error answer the client should see: HTTP status, code and a bilingual message."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        """Keep the parts of the answer."""
        super().__init__(f"{status_code} {code}: {message}")
        self.status_code = status_code
        self.code = code
        self.message = message


MSG_INVALID_JSON = "请求内容不是有效的 JSON。 / The request body is not valid JSON."
MSG_INVALID_BODY = (
    '请求内容应该是一个 JSON 对象，例如 {"sender_id": "...", "text": "..."}。'
    " / The request body must be a JSON object with sender_id and text."
)
MSG_INVALID_CHANNEL = "不支持这个渠道，可以用 web 或 telegram。 / Unknown channel; use web or telegram."
MSG_EMPTY_TEXT = "请输入您想问的内容。 / Please type a message."
MSG_NO_WORDS = "请用文字告诉我您想问什么。 / Please type your question in words."
MSG_RATE_LIMITED = (
    "您发得太快了，请歇一会儿再发。着急的话可以点「找人工」。 / Too many messages; please wait a moment."
)
MSG_TOO_LARGE = "请求内容太大了。 / The request body is too large."
MSG_INTERNAL = (
    "抱歉，服务出了点问题，请稍后再试。 / Something went wrong on our side; please try again later."
)
MSG_STORE = (
    "抱歉，服务暂时不可用，请稍后再试。 / The service is temporarily unavailable; please try again later."
)
MSG_ASSISTANT_UNAVAILABLE = (
    "智能助手暂时无法回答，工作人员会跟进。"
    " / The assistant is temporarily unavailable; a staff member will follow up."
)


def sender_id_message(max_chars: int) -> str:
    """Explain what a valid sender_id looks like."""
    return (
        f"sender_id 需要 1 到 {max_chars} 个字符，只能用字母、数字和 - _ . : @。"
        f" / sender_id must be 1 to {max_chars} characters: letters, digits and - _ . : @."
    )


def text_too_long_message(max_chars: int) -> str:
    """Explain the length limit of a message."""
    return (
        f"您的消息太长了，请不要超过 {max_chars} 个字，可以分几次发。"
        f" / The message is too long; please keep it under {max_chars} characters."
    )


def error_response(
    status_code: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """Build an error answer with the gateway's one error body."""
    body = ErrorBody(error=ErrorInfo(code=code, message=message))
    return JSONResponse(status_code=status_code, content=body.model_dump(), headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    """Name the offending field of a validation error location."""
    parts = [str(part) for part in loc[1:]] if len(loc) > 1 else [str(part) for part in loc]
    return ".".join(parts) or "body"


def translate_validation_error(exc: RequestValidationError, max_sender_id_chars: int = 64) -> ApiError:
    """Turn FastAPI's validation error into one clear bilingual ApiError."""
    errors = list(exc.errors())
    if not errors:
        return ApiError(422, "invalid_request", "请求内容不对。 / The request is invalid.")
    first = errors[0]
    kind = str(first.get("type", ""))
    loc = tuple(first.get("loc", ()))
    where = str(loc[0]) if loc else "body"
    field = _field_name(loc)
    if kind == "json_invalid":
        return ApiError(400, "invalid_json", MSG_INVALID_JSON)
    if where == "body" and len(loc) == 1:
        return ApiError(422, "invalid_body", MSG_INVALID_BODY)
    if kind == "missing":
        return ApiError(422, "missing_field", f"缺少字段 {field}。 / Missing field: {field}.")
    if loc[-1] == "channel":
        return ApiError(422, "invalid_channel", MSG_INVALID_CHANNEL)
    if loc[-1] == "sender_id" and kind != "string_type":
        return ApiError(422, "invalid_sender_id", sender_id_message(max_sender_id_chars))
    detail = str(first.get("msg", "invalid value"))
    if where in ("query", "path"):
        return ApiError(
            422, "invalid_parameter", f"参数 {field} 不对。 / Invalid parameter {field}: {detail}."
        )
    return ApiError(422, "invalid_field", f"字段 {field} 的格式不对。 / Invalid field {field}: {detail}.")


_HTTP_CODES = {
    404: ("not_found", "找不到这个地址。 / Not found."),
    405: ("method_not_allowed", "不支持这种请求方式。 / Method not allowed."),
    413: ("request_too_large", MSG_TOO_LARGE),
}


async def _on_api_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer an ApiError."""
    assert isinstance(exc, ApiError)
    return error_response(exc.status_code, exc.code, exc.message)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer a request that failed validation."""
    assert isinstance(exc, RequestValidationError)
    error = translate_validation_error(exc, request.app.state.settings.max_sender_id_chars)
    logger.info("rejected %s %s: %s", request.method, request.url.path, error.code)
    return error_response(error.status_code, error.code, error.message)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer Starlette's own HTTP errors (unknown path, wrong method, body too large) in the same shape."""
    assert isinstance(exc, StarletteHTTPException)
    code, message = _HTTP_CODES.get(exc.status_code, (f"http_{exc.status_code}", str(exc.detail)))
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def _on_store_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer when the database failed."""
    logger.error("store error on %s %s: %s", request.method, request.url.path, exc)
    return error_response(503, "storage_unavailable", MSG_STORE)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Answer any other exception with a generic message; the details go to the log only."""
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", MSG_INTERNAL)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the same body."""
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(StoreError, _on_store_error)
    app.add_exception_handler(Exception, _on_unexpected)


class BodySizeLimit:
    """ASGI middleware that refuses request bodies over a size with 413, before they are read whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        """Wrap an app."""
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the bytes as they arrive."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    response = error_response(413, "request_too_large", MSG_TOO_LARGE)
                    await response(scope, receive, send)
                    return
        received = 0

        async def limited_receive() -> Message:
            """Pass body chunks on while they stay under the limit."""
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise StarletteHTTPException(status_code=413)
            return message

        await self.app(scope, limited_receive, send)

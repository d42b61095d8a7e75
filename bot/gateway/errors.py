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

from bot.core.errors import (
    MSG_INTERNAL,
    MSG_INVALID_BODY,
    MSG_INVALID_CHANNEL,
    MSG_INVALID_JSON,
    MSG_STORE,
    MSG_TOO_LARGE,
    ApiError,
    sender_id_message,
)
from bot.core.schemas import ErrorBody, ErrorInfo
from bot.core.store import StoreError

logger = logging.getLogger(__name__)


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

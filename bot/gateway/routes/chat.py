"""POST /api/chat and the conversation log: the web channel's side of a turn (bot.core.turns)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker

from bot.core.schemas import Channel, ChatFailure, ChatResponse, ErrorBody
from bot.core.store import messages_after, transaction
from bot.core.turns import RateLimited, check_sender_id
from bot.gateway.deps import SessionsDep, SettingsDep, TurnsDep
from bot.gateway.errors import error_response
from bot.gateway.schemas import ChatRequest, LoggedMessage, MessageLog

logger = logging.getLogger(__name__)

router = APIRouter(tags=["chat"])

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid JSON"},
    413: {"model": ErrorBody, "description": "Body too large"},
    422: {"model": ErrorBody, "description": "Invalid input"},
    503: {"model": ChatFailure, "description": "Assistant unavailable: an apology and a way to a person"},
}


@router.post("/api/chat", response_model=ChatResponse, responses=ERROR_RESPONSES)
async def chat(body: ChatRequest, turns: TurnsDep) -> ChatResponse | JSONResponse:
    """Answer one user message."""
    try:
        outcome = await turns.answer(body.sender_id, body.channel.value, body.text)
    except RateLimited as exc:
        return error_response(429, exc.code, exc.message, headers={"Retry-After": exc.retry_after})
    if outcome.status_code != 200:
        return JSONResponse(status_code=outcome.status_code, content=outcome.body.model_dump(mode="json"))
    return outcome.body


def _read_log(sessions: sessionmaker[Session], sender_id: str, after: int, limit: int) -> list[LoggedMessage]:
    """Read a page of a web conversation's log."""
    with transaction(sessions, write=False) as session:
        rows = messages_after(session, sender_id, after, limit, channel=Channel.WEB.value)
        return [
            LoggedMessage(
                id=row.id,
                direction=row.direction.value,
                text=row.text,
                created_at=row.created_at,
                payload=row.payload,
            )
            for row in rows
        ]


@router.get(
    "/api/chat/{sender_id}/messages",
    response_model=MessageLog,
    responses={422: {"model": ErrorBody, "description": "Invalid parameter"}},
)
async def conversation_messages(
    sender_id: Annotated[str, Path()],
    settings: SettingsDep,
    sessions: SessionsDep,
    after: Annotated[int, Query(ge=0, description="Only messages with a larger id")] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessageLog:
    """Return a web conversation's messages after an id, oldest first, for the chat page to poll."""
    sender_id = check_sender_id(sender_id, settings.max_sender_id_chars)
    messages = await run_in_threadpool(_read_log, sessions, sender_id, after, limit)
    return MessageLog(sender_id=sender_id, messages=messages)

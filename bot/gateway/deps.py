"""FastAPI dependencies: what the app's lifespan built, read from app.state."""

from __future__ import annotations

from typing import Annotated, cast

import httpx
from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.core.outbox import Outbox
from bot.core.rasa_client import RasaClient
from bot.core.rate_limit import SenderRateLimit
from bot.core.safety import EmergencyPatterns
from bot.core.turns import ChatTurns
from bot.gateway.settings import GatewaySettings


async def get_settings(request: Request) -> GatewaySettings:
    """Return the app's settings."""
    return cast(GatewaySettings, request.app.state.settings)


async def get_engine(request: Request) -> Engine:
    """Return the store's engine."""
    return cast(Engine, request.app.state.engine)


async def get_sessions(request: Request) -> sessionmaker[Session]:
    """Return the store's session factory."""
    return cast("sessionmaker[Session]", request.app.state.sessions)


async def get_http(request: Request) -> httpx.AsyncClient:
    """Return the shared HTTP client."""
    return cast(httpx.AsyncClient, request.app.state.http)


async def get_rasa(request: Request) -> RasaClient:
    """Return the Rasa client."""
    return cast(RasaClient, request.app.state.rasa)


async def get_emergency(request: Request) -> EmergencyPatterns:
    """Return the emergency patterns."""
    return cast(EmergencyPatterns, request.app.state.emergency)


async def get_rate_limit(request: Request) -> SenderRateLimit:
    """Return the chat API's per-sender rate limit."""
    return cast(SenderRateLimit, request.app.state.rate_limit)


async def get_turns(request: Request) -> ChatTurns:
    """Return the channel-independent turn handler."""
    return cast(ChatTurns, request.app.state.turns)


async def get_outbox(request: Request) -> Outbox:
    """Return the delivery of logged messages to pushing channels."""
    return cast(Outbox, request.app.state.outbox)


SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]
RateLimitDep = Annotated[SenderRateLimit, Depends(get_rate_limit)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
HttpDep = Annotated[httpx.AsyncClient, Depends(get_http)]
RasaDep = Annotated[RasaClient, Depends(get_rasa)]
EmergencyDep = Annotated[EmergencyPatterns, Depends(get_emergency)]
TurnsDep = Annotated[ChatTurns, Depends(get_turns)]
OutboxDep = Annotated[Outbox, Depends(get_outbox)]

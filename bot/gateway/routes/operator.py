"""POST /api/operator/login: a bearer token for staff."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from bot.core.errors import ApiError
from bot.core.operators import authenticate, issue_token
from bot.core.store import transaction
from bot.gateway.deps import SessionsDep, SettingsDep
from bot.gateway.schemas import LoginRequest, LoginResponse

router = APIRouter(tags=["operators"])

MSG_BAD_LOGIN = "用户名或密码不对。 / Wrong username or password."


@router.post("/api/operator/login")
async def login(body: LoginRequest, sessions: SessionsDep, settings: SettingsDep) -> LoginResponse:
    """Check the password and hand out a token that expires."""
    lifetime = timedelta(hours=settings.operator_token_hours)

    def work() -> LoginResponse | None:
        with transaction(sessions) as session:
            operator = authenticate(session, body.username, body.password)
            if operator is None:
                return None
            token, expires = issue_token(session, operator, lifetime)
            return LoginResponse(token=token, role=operator.role.value, expires_at=expires)

    answer = await run_in_threadpool(work)
    if answer is None:
        raise ApiError(401, "bad_credentials", MSG_BAD_LOGIN)
    return answer

"""Operator authentication at the HTTP edge: bearer tokens, 401 without one, 403 for the wrong role."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.core.errors import ApiError
from bot.core.operators import operator_for_token
from bot.core.store import transaction
from bot.core.store.models import Operator, OperatorRole
from bot.gateway.deps import SessionsDep

_bearer = HTTPBearer(auto_error=False)

MSG_UNAUTHENTICATED = "请先登录。 / Log in first: send Authorization: Bearer <token>."
MSG_FORBIDDEN = "您的账号没有这个权限。 / Your account may not do this."


class Unauthenticated(ApiError):
    """No valid bearer token."""

    def __init__(self) -> None:
        super().__init__(401, "unauthenticated", MSG_UNAUTHENTICATED)


async def current_operator(
    sessions: SessionsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Operator:
    """The operator whose token the request carries; 401 when there is none or it is not valid."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated()
    token = credentials.credentials

    def look_up() -> Operator | None:
        with transaction(sessions, write=False) as session:
            return operator_for_token(session, token)

    operator = await run_in_threadpool(look_up)
    if operator is None:
        raise Unauthenticated()
    return operator


OperatorDep = Annotated[Operator, Depends(current_operator)]


async def current_admin(operator: OperatorDep) -> Operator:
    """The operator, who must be an admin; 403 otherwise."""
    if operator.role is not OperatorRole.ADMIN:
        raise ApiError(403, "forbidden", MSG_FORBIDDEN)
    return operator


AdminDep = Annotated[Operator, Depends(current_admin)]

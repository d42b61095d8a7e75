"""POST /api/suggestions: agent assist for operators in the console and on the hotline."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Request

from bot.core.errors import ApiError
from bot.core.schemas import ErrorBody
from bot.gateway.assist import AssistClient
from bot.gateway.auth import OperatorDep
from bot.gateway.schemas import SuggestionRequest, Suggestions

router = APIRouter(tags=["operators"])


async def get_assist(request: Request) -> AssistClient:
    """Return the agent assist client."""
    return cast(AssistClient, request.app.state.assist)


AssistDep = Annotated[AssistClient, Depends(get_assist)]


@router.post(
    "/api/suggestions",
    responses={
        401: {"model": ErrorBody, "description": "No or expired operator token"},
        503: {"model": ErrorBody, "description": "The action server cannot answer"},
    },
)
async def suggestions(body: SuggestionRequest, operator: OperatorDep, assist: AssistDep) -> Suggestions:
    """The intent, up to three suggested answers with citations, catalog cards and an eligibility check."""
    text = body.text.strip()
    if not text:
        raise ApiError(422, "empty_text", "请输入来电人问的问题。 / Please type the question.")
    region = body.region.strip() if body.region and body.region.strip() else None
    return await assist.suggest(text, region)

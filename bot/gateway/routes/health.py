"""GET /healthz: whether the database, Rasa and the action server answer."""

from __future__ import annotations

import asyncio
import logging

import anyio
import anyio.to_thread
import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from bot.core.store import StoreError, ping
from bot.gateway.deps import EngineDep, HttpDep, SettingsDep
from bot.gateway.schemas import DependencyHealth, HealthReport

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


async def check_database(engine: Engine, timeout_s: float) -> DependencyHealth:
    """Run SELECT 1 in a worker thread, giving up after the timeout."""
    try:
        with anyio.fail_after(timeout_s):
            await anyio.to_thread.run_sync(ping, engine, abandon_on_cancel=True)
    except TimeoutError:
        return DependencyHealth(ok=False, detail=f"no answer within {timeout_s:g} s")
    except StoreError as exc:
        return DependencyHealth(ok=False, detail=str(exc).splitlines()[0])
    return DependencyHealth(ok=True, detail="SELECT 1 answered")


async def check_http(http: httpx.AsyncClient, url: str, timeout_s: float) -> DependencyHealth:
    """GET a URL and expect HTTP 200."""
    try:
        response = await http.get(url, timeout=timeout_s)
    except httpx.TimeoutException:
        return DependencyHealth(ok=False, detail=f"no answer within {timeout_s:g} s")
    except httpx.HTTPError as exc:
        return DependencyHealth(ok=False, detail=f"{type(exc).__name__}: {exc}")
    if response.status_code != 200:
        return DependencyHealth(ok=False, detail=f"HTTP {response.status_code}")
    return DependencyHealth(ok=True, detail="HTTP 200")


@router.get("/healthz", response_model=HealthReport, responses={503: {"model": HealthReport}})
async def healthz(settings: SettingsDep, engine: EngineDep, http: HttpDep) -> JSONResponse:
    """Check every dependency at once; 200 when all answer, 503 otherwise."""
    timeout = settings.health_timeout_s
    database, rasa, actions = await asyncio.gather(
        check_database(engine, timeout),
        check_http(http, settings.rasa_url.rstrip("/") + "/", timeout),
        check_http(http, settings.action_server_url.rstrip("/") + "/health", timeout),
    )
    dependencies = {"database": database, "rasa": rasa, "action_server": actions}
    healthy = all(dep.ok for dep in dependencies.values())
    if not healthy:
        failing = ", ".join(name for name, dep in dependencies.items() if not dep.ok)
        logger.warning("health degraded: %s", failing)
    report = HealthReport(status="ok" if healthy else "degraded", dependencies=dependencies)
    return JSONResponse(status_code=200 if healthy else 503, content=report.model_dump())

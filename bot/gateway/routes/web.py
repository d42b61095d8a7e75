"""The web chat page: GET /chat, its stylesheet and script, and / sending visitors to it."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cache
from importlib import resources

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

logger = logging.getLogger(__name__)

router = APIRouter(tags=["web"])

PACKAGE = "bot.gateway"
WEB_FOLDER = "web"
PAGE = "chat.html"
# The only files GET /chat/static/{name} serves, with their media types.
STATIC_FILES: dict[str, str] = {
    "chat.css": "text/css; charset=utf-8",
    "chat.js": "text/javascript; charset=utf-8",
}
# The page loads nothing from elsewhere and runs no inline script, so the policy can be strict.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
COMMON_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
PAGE_HEADERS = {
    **COMMON_HEADERS,
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@dataclass(frozen=True)
class WebFile:
    """One file of the page: its bytes and the ETag that names this version."""

    body: bytes
    etag: str


@cache
def load_web_file(name: str) -> WebFile:
    """Read a file of the page from the package on first use and keep it."""
    body = resources.files(PACKAGE).joinpath(WEB_FOLDER).joinpath(name).read_bytes()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    logger.debug("loaded web file %s (%d bytes)", name, len(body))
    return WebFile(body=body, etag=etag)


def is_fresh(request: Request, etag: str) -> bool:
    """Tell whether the client's If-None-Match already names this version."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in tags or "*" in tags


def serve(request: Request, name: str, media_type: str, headers: dict[str, str]) -> Response:
    """Answer with a file of the page, or 304 when the client has this version."""
    web_file = load_web_file(name)
    headers = {**headers, "ETag": web_file.etag}
    if is_fresh(request, web_file.etag):
        return Response(status_code=304, headers=headers)
    return Response(content=web_file.body, media_type=media_type, headers=headers)


@router.get("/chat", response_class=HTMLResponse, summary="The web chat page")
async def chat_page(request: Request) -> Response:
    """Serve the web chat page."""
    return serve(request, PAGE, "text/html; charset=utf-8", PAGE_HEADERS)


@router.get("/chat/static/{name}", include_in_schema=False)
async def chat_static(name: str, request: Request) -> Response:
    """Serve the page's stylesheet or script; any other name is 404."""
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    return serve(request, name, media_type, COMMON_HEADERS)


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    """Send visitors of the bare address to the chat page."""
    return RedirectResponse(url="/chat", status_code=307)

"""The web pages: the chat page (/chat), the operator console (/console, /console/assist), their files."""

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
CONSOLE_PAGE = "console.html"
ASSIST_PAGE = "assist.html"
HTML = "text/html; charset=utf-8"
CSS = "text/css; charset=utf-8"
JAVASCRIPT = "text/javascript; charset=utf-8"
# The only files GET /chat/static/{name} serves, with their media types.
STATIC_FILES: dict[str, str] = {"chat.css": CSS, "chat.js": JAVASCRIPT}
# The only files GET /console/static/{name} serves (the console and the hotline assist page share them).
CONSOLE_STATIC_FILES: dict[str, str] = {"console.css": CSS, "console.js": JAVASCRIPT}
# The pages load nothing from elsewhere and run no inline script or style, so the policy can be strict.
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
# Staff pages: the same, and kept out of search engines.
CONSOLE_HEADERS = {**PAGE_HEADERS, "X-Robots-Tag": "noindex, nofollow"}


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
    return serve(request, PAGE, HTML, PAGE_HEADERS)


@router.get("/chat/static/{name}", include_in_schema=False)
async def chat_static(name: str, request: Request) -> Response:
    """Serve the page's stylesheet or script; any other name is 404."""
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    return serve(request, name, media_type, COMMON_HEADERS)


@router.get("/console", response_class=HTMLResponse, summary="The operator console")
async def console_page(request: Request) -> Response:
    """Serve the operator console: the handoff queue, conversations, suggestions, today's bookings."""
    return serve(request, CONSOLE_PAGE, HTML, CONSOLE_HEADERS)


@router.get("/console/assist", response_class=HTMLResponse, summary="The hotline assist page")
async def assist_page(request: Request) -> Response:
    """Serve the hotline assist page: suggestions for what a caller asks."""
    return serve(request, ASSIST_PAGE, HTML, CONSOLE_HEADERS)


@router.get("/console/static/{name}", include_in_schema=False)
async def console_static(name: str, request: Request) -> Response:
    """Serve the console's stylesheet or script; any other name is 404."""
    media_type = CONSOLE_STATIC_FILES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    return serve(request, name, media_type, COMMON_HEADERS)


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    """Send visitors of the bare address to the chat page."""
    return RedirectResponse(url="/chat", status_code=307)

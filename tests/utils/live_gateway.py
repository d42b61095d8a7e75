"""A gateway served by a real uvicorn server in a thread, for tests that need real HTTP (streams)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from bot.cli.stack import free_ports
from bot.gateway.app import create_app
from bot.gateway.settings import GatewaySettings


@contextmanager
def live_gateway(settings: GatewaySettings, timeout_s: float = 30.0) -> Iterator[str]:
    """Start the gateway on a free port, yield its base URL, stop it afterwards."""
    [port] = free_ports(1)
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-gateway", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the gateway did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout_s)

"""Start, check and stop the running assistant: Rasa, the action server and the gateway.

`up` starts each service in the background in its own process group, records its pid under
var/run/ and its output under var/log/, and waits until every one answers its health check;
`down` stops exactly the processes whose pid files it wrote.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.cli.nlu_eval import rasa_env
from bot.cli.settings import REPO_ROOT, RasaSettings, StackSettings

logger = logging.getLogger(__name__)

SERVICES = ("actions", "rasa", "gateway")


class StackError(Exception):
    """A service did not start or stop as it should."""


@dataclass(frozen=True)
class Service:
    """One background process of the assistant."""

    name: str
    command: list[str]
    health_url: str
    env: dict[str, str]
    port: int

    def pid_file(self, stack: StackSettings) -> Path:
        """Where its pid is recorded."""
        return stack.run_dir / f"{self.name}.pid"

    def log_file(self, stack: StackSettings) -> Path:
        """Where its output goes."""
        return stack.log_dir / f"{self.name}.log"


def services(
    stack: StackSettings, rasa: RasaSettings, model: Path, env: Mapping[str, str] | None = None
) -> list[Service]:
    """The three services, in start order; `env` is added to every service's environment."""
    app_env = {**os.environ, **(env or {})}
    app_env.update({"SANIC_HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1"})
    # One BLAS/OpenMP thread per service: each request encodes one short text, and idle BLAS threads
    # spin-wait, taking the CPU from the other services on a small machine (p95 of agent assist 520 →
    # well under 150 ms on 2 cores). A deployment may still set these variables itself.
    single_thread = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    actions_env = {**single_thread, "ELDERCARE_ENCODER_THREADS": "1", **app_env}
    gateway_env = {
        **app_env,
        "ELDERCARE_RASA_URL": f"http://127.0.0.1:{stack.rasa_port}",
        "ELDERCARE_ACTION_SERVER_URL": f"http://127.0.0.1:{stack.action_port}",
    }
    return [
        Service(
            "actions",
            [
                str(stack.app_python),
                "-m",
                "actions.server",
                "--actions",
                "actions",
                "--port",
                str(stack.action_port),
            ],
            f"http://127.0.0.1:{stack.action_port}/health",
            actions_env,
            stack.action_port,
        ),
        Service(
            "rasa",
            [
                str(rasa.rasa_bin),
                "run",
                "--model",
                str(model),
                "--endpoints",
                str(rasa.endpoints),
                "--credentials",
                str(rasa.credentials),
                "--interface",
                "127.0.0.1",
                "--port",
                str(stack.rasa_port),
            ],
            f"http://127.0.0.1:{stack.rasa_port}/webhooks/gateway/",
            {**single_thread, **rasa_env(f"http://127.0.0.1:{stack.action_port}/webhook"), **(env or {})},
            stack.rasa_port,
        ),
        Service(
            "gateway",
            [
                str(stack.app_python),
                "-m",
                "uvicorn",
                "bot.gateway.app:create_app",
                "--factory",
                "--host",
                stack.host,
                "--port",
                str(stack.gateway_port),
                "--log-level",
                "warning",
            ],
            f"http://127.0.0.1:{stack.gateway_port}/healthz",
            gateway_env,
            stack.gateway_port,
        ),
    ]


# The services this process started, kept so that they are reaped through their Popen (which would
# otherwise warn, when collected, that its process still runs).
_children: dict[int, subprocess.Popen[bytes]] = {}


def alive(pid: int) -> bool:
    """True when the process runs (a zombie, already exited, does not; our own exited children are reaped)."""
    child = _children.get(pid)
    if child is not None:
        if child.poll() is not None:
            del _children[pid]
            return False
    else:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def read_pid(path: Path) -> int | None:
    """The pid in a pid file, if the process still runs."""
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


def free_ports(count: int) -> list[int]:
    """`count` different localhost ports that were free a moment ago (for a second stack, tests, benches)."""
    with contextlib.ExitStack() as held:
        ports = []
        for _ in range(count):
            sock = held.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


def port_in_use(port: int) -> bool:
    """True when something accepts connections on the local port."""
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def healthy(url: str, timeout: float = 2.0) -> bool:
    """True when the URL answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def start(service: Service, stack: StackSettings) -> int:
    """Start one service in the background (unless it already runs); its pid."""
    running = read_pid(service.pid_file(stack))
    if running is not None:
        logger.info("%s already running (pid %d)", service.name, running)
        return running
    if port_in_use(service.port):
        raise StackError(
            f"端口 {service.port} 已被其他程序占用，{service.name} 无法启动 / port {service.port} is in use: "
            "stop what listens there (`eldercare down` for a stack started elsewhere) or choose other ports"
        )
    stack.run_dir.mkdir(parents=True, exist_ok=True)
    stack.log_dir.mkdir(parents=True, exist_ok=True)
    with service.log_file(stack).open("ab") as log:
        proc = subprocess.Popen(
            service.command, cwd=REPO_ROOT, env=service.env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    _children[proc.pid] = proc
    service.pid_file(stack).write_text(str(proc.pid))
    return proc.pid


def wait_healthy(service: Service, stack: StackSettings, timeout: float, tick: Callable[[], None]) -> None:
    """Wait until the service answers its health check; raise StackError if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if healthy(service.health_url) and read_pid(service.pid_file(stack)) is not None:
            return
        if read_pid(service.pid_file(stack)) is None:
            raise StackError(
                f"{service.name} 启动失败，请看日志 / failed to start, see {service.log_file(stack)}:\n"
                + tail(service.log_file(stack))
            )
        tick()
        time.sleep(1.0)
    raise StackError(f"{service.name} 在 {timeout:.0f} 秒内没有就绪 / not healthy within {timeout:.0f} s")


def warm_actions(stack: StackSettings) -> None:
    """Make the action server load the index now, not on the first user's question."""
    call = {
        "next_action": "action_answer_policy",
        "sender_id": "eldercare-warmup",
        "tracker": {
            "sender_id": "eldercare-warmup",
            "slots": {"region_asked": True},
            "events": [],
            "paused": False,
            "latest_message": {
                "text": "低保老人有什么补贴",
                "intent": {"name": "ask_policy", "confidence": 1.0},
                "entities": [],
            },
            "latest_event_time": None,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
        "domain": {},
        "version": "3.6.21",
    }
    req = urllib.request.Request(
        f"http://127.0.0.1:{stack.action_port}/webhook",
        data=json.dumps(call).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=300) as resp:
            resp.read()
    except (urllib.error.URLError, OSError) as exc:
        raise StackError(f"动作服务器预热失败 / action server warm-up failed: {exc}") from exc


def up(
    stack: StackSettings,
    rasa: RasaSettings,
    model: Path,
    tick: Callable[[], None] = lambda: None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Start every service and wait until all are healthy (stopping them again on failure)."""
    try:
        for service in services(stack, rasa, model, env):
            start(service, stack)
            wait_healthy(service, stack, stack.start_timeout_s, tick)
            if service.name == "actions":
                warm_actions(stack)
    except StackError:
        down(stack)
        raise


def down(stack: StackSettings, timeout: float = 20.0) -> list[str]:
    """Stop the services started by `up` (their whole process groups); the names stopped."""
    stopped = []
    for name in reversed(SERVICES):
        pid_file = stack.run_dir / f"{name}.pid"
        pid = read_pid(pid_file)
        if pid is not None:
            stop_group(pid, timeout)
            stopped.append(name)
        pid_file.unlink(missing_ok=True)
    return stopped


def status(stack: StackSettings) -> dict[str, int | None]:
    """Pid of each service, or None when it does not run."""
    return {name: read_pid(stack.run_dir / f"{name}.pid") for name in SERVICES}


def tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log file."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def stop_group(pid: int, timeout: float) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)  # any worker the leader left behind
            return
        time.sleep(0.2)
    logger.warning("process group %d did not stop in %.0f s: killing it", pid, timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)

"""The process runner: pid files, dead processes, ports in use, and the CLI around it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.cli.settings import StackSettings
from bot.cli.stack import Service, StackError, alive, down, free_ports, read_pid, start, status, stop_group


@pytest.fixture
def stack(tmp_path: Path) -> StackSettings:
    return StackSettings(run_dir=tmp_path / "run", log_dir=tmp_path / "log")


def sleeper(port: int) -> Service:
    """A stand-in process (not one of our servers) that just sleeps."""
    command = [sys.executable, "-c", "import time; time.sleep(60)"]
    return Service("actions", command, "http://127.0.0.1:9/", dict(os.environ), port)


def test_start_records_the_pid_and_down_stops_the_whole_group(stack: StackSettings) -> None:
    pid = start(sleeper(free_ports(1)[0]), stack)
    assert read_pid(stack.run_dir / "actions.pid") == pid and alive(pid)
    assert status(stack)["actions"] == pid
    assert down(stack) == ["actions"]
    assert not alive(pid)
    assert not (stack.run_dir / "actions.pid").exists()
    assert down(stack) == []


def test_a_dead_process_in_a_pid_file_is_not_running(stack: StackSettings) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    stack.run_dir.mkdir(parents=True)
    (stack.run_dir / "rasa.pid").write_text(str(proc.pid))
    assert read_pid(stack.run_dir / "rasa.pid") is None
    assert status(stack)["rasa"] is None


def test_a_port_in_use_is_an_error_naming_it(stack: StackSettings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(StackError, match=str(port)):
            start(sleeper(port), stack)


def test_stop_group_returns_once_the_process_is_gone(stack: StackSettings) -> None:
    pid = start(sleeper(free_ports(1)[0]), stack)
    stop_group(pid, timeout=10)
    assert not alive(pid)


def test_cli_status_and_down_with_nothing_running(
    stack: StackSettings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ELDERCARE_RUN_DIR", str(stack.run_dir))
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert out.count("未运行 / stopped") == 3
    assert main(["down"]) == 0
    assert "nothing was running" in capsys.readouterr().out


def test_free_ports_are_different_and_free() -> None:
    ports = free_ports(3)
    assert len(set(ports)) == 3
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # nothing holds it

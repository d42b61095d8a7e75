"""Chat benchmark: /api/chat latency and throughput under two load shapes, beside bare Rasa.

Starts its own stack (Rasa, action server, gateway) on separate ports with a temporary SQLite store,
then runs a mixed conversation script:

1. paced: N simulated users, each sending its next message on average every 2 s (exponential
   think times), for a fixed duration: latency p50/p95/p99, messages per second, errors;
2. saturation: users sending back to back, through the gateway and, in the same run on the same
   trained model, straight to Rasa's REST webhook (bare Rasa): messages per second and the ratio;
3. bookings: users each booking home visits through the whole booking form, back to back:
   bookings per second end to end (seven messages each, the last one writes the booking);
4. agent assist: operators asking POST /api/suggestions for what callers say (exponential think
   times): latency p50/p95/p99 (target p95 < 150 ms).

It also prints the resident memory of each process. It prints its figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cli.rasa_model import train_assistant
from bot.cli.settings import RasaSettings, StackSettings
from bot.cli.stack import down, free_ports, status, up

# A mixed script: what elders, families and workers typically send, in conversation order.
SCRIPT = [
    "你好",
    "宝鸡低保家庭的高龄老人每月能多领多少？",
    "我妈洗澡不方便，有人上门帮忙洗澡吗",
    "台州有没有老年食堂",
    "第五批试点申报要哪些材料",
    "辽宁社区养老服务中心的面积要求是多少",
    "明天天气怎么样",
    "我的预约",
    "谢谢",
    "再见",
]


# What hotline callers ask, as an operator types it.
CALLER_QUESTIONS = [
    "高龄津贴怎么申请",
    "我母亲八十二岁，低保户，能领什么补贴",
    "有没有送饭上门的服务",
    "助浴服务怎么收费",
    "社区养老服务中心的面积要求是多少",
    "失能老人家庭照护有补贴吗",
    "老年食堂在哪里",
    "家里老人独居，七十五岁，有什么服务",
]


@dataclass
class Run:
    """Latencies and errors of one load run."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def add(self, started: float, ok: bool) -> None:
        if ok:
            self.latencies.append(time.perf_counter() - started)
        else:
            self.errors += 1

    def line(self, label: str) -> str:
        n = len(self.latencies)
        if n == 0:
            return f"{label:<34} no successful request, {self.errors} errors"
        qs = statistics.quantiles(self.latencies, n=100, method="inclusive")
        rate = n / self.seconds if self.seconds else 0.0
        return (
            f"{label:<34} {n:>6} msgs  {rate:>6.1f} msg/s  p50 {qs[49] * 1000:>6.0f} ms  "
            f"p95 {qs[94] * 1000:>6.0f} ms  p99 {qs[98] * 1000:>6.0f} ms  errors {self.errors}"
        )

    def percentile(self, p: int) -> float:
        """The p-th percentile latency in ms (nan without data)."""
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def gateway_call(client: httpx.AsyncClient, url: str, sender: str, text: str) -> bool:
    resp = await client.post(f"{url}/api/chat", json={"sender_id": sender, "text": text, "channel": "web"})
    return resp.status_code == 200 and bool(resp.json().get("replies"))


async def rasa_call(client: httpx.AsyncClient, url: str, sender: str, text: str) -> bool:
    resp = await client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text})
    return resp.status_code == 200 and bool(resp.json())


async def paced(url: str, users: int, seconds: float, mean_gap: float, seed: int) -> Run:
    """Each user sends a message on average every mean_gap seconds (about users / mean_gap msg/s)."""
    run = Run()
    rng = random.Random(seed)
    deadline = time.perf_counter() + seconds

    async def user(i: int, client: httpx.AsyncClient) -> None:
        sender = f"bench-paced-{seed}-{i}"
        step = rng.randrange(len(SCRIPT))
        # Poisson arrivals: send times are drawn independently of how long replies take (a user whose
        # reply came late sends the next message at once), so the offered load is users / mean_gap.
        due = time.perf_counter() + rng.expovariate(1.0 / mean_gap)
        while due < deadline:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            started = time.perf_counter()
            try:
                ok = await gateway_call(client, url, sender, SCRIPT[step % len(SCRIPT)])
            except httpx.HTTPError:
                ok = False
            run.add(started, ok)
            step += 1
            due += rng.expovariate(1.0 / mean_gap)

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=users + 4)) as client:
        await asyncio.gather(*(user(i, client) for i in range(users)))
    run.seconds = time.perf_counter() - started
    return run


async def saturate(call, url: str, users: int, seconds: float, tag: str) -> Run:  # type: ignore[no-untyped-def]
    """Users sending back to back for a fixed time."""
    run = Run()
    deadline = time.perf_counter() + seconds

    async def user(i: int, client: httpx.AsyncClient) -> None:
        sender = f"bench-{tag}-{i}-{os.getpid()}"
        step = i
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                ok = await call(client, url, sender, SCRIPT[step % len(SCRIPT)])
            except httpx.HTTPError:
                ok = False
            run.add(started, ok)
            step += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=users + 4)) as client:
        await asyncio.gather(*(user(i, client) for i in range(users)))
    run.seconds = time.perf_counter() - started
    return run


BOOKING_AREAS = ["金台区", "渭滨区", "利通区", "椒江区", "黄岩区"]


async def book_once(client: httpx.AsyncClient, url: str, sender: str, area: str) -> tuple[bool, int]:
    """One whole booking conversation; (booked, messages sent)."""

    async def say(text: str) -> dict:  # type: ignore[type-arg]
        resp = await client.post(
            f"{url}/api/chat", json={"sender_id": sender, "text": text, "channel": "web"}
        )
        resp.raise_for_status()
        return resp.json()  # type: ignore[no-any-return]

    sent = 0
    body = {}
    for text in ("我想约人上门打扫卫生", area, "东风路12号3单元502"):
        body = await say(text)
        sent += 1
    offered = [b for r in body.get("replies", []) for b in r["buttons"]]
    if not offered:
        return False, sent
    for text in (offered[0]["payload"], "王秀兰", "13912345678", "确认预约"):
        body = await say(text)
        sent += 1
    return any("预约编号" in r["text"] for r in body.get("replies", [])), sent


async def bookings(url: str, users: int, seconds: float) -> tuple[int, int, int, float]:
    """Users booking back to back; (bookings, messages, failed conversations, seconds)."""
    done = messages = failed = 0
    deadline = time.perf_counter() + seconds

    async def user(i: int, client: httpx.AsyncClient) -> None:
        nonlocal done, messages, failed
        n = 0
        while time.perf_counter() < deadline:
            try:
                ok, sent = await book_once(
                    client, url, f"bench-book-{i}-{n}-{os.getpid()}", BOOKING_AREAS[i % 5]
                )
            except httpx.HTTPError:
                ok, sent = False, 0
            done += ok
            failed += not ok
            messages += sent
            n += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=users + 4)) as client:
        await asyncio.gather(*(user(i, client) for i in range(users)))
    return done, messages, failed, time.perf_counter() - started


async def assist(url: str, token: str, operators: int, seconds: float, mean_gap: float, seed: int) -> Run:
    """Operators asking for suggestions, each after an exponential think time."""
    run = Run()
    rng = random.Random(seed)
    deadline = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    async def operator(i: int, client: httpx.AsyncClient) -> None:
        n = i
        while time.perf_counter() < deadline:
            await asyncio.sleep(rng.expovariate(1 / mean_gap))
            text = CALLER_QUESTIONS[n % len(CALLER_QUESTIONS)]
            region = "金台区" if n % 3 == 0 else None
            n += 1
            started = time.perf_counter()
            try:
                answer = await client.post(
                    f"{url}/api/suggestions", json={"text": text, "region": region}, headers=headers
                )
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            run.add(started, ok)

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(operator(i, client) for i in range(operators)))
    run.seconds = time.perf_counter() - started
    return run


def bench_operator(database_url: str) -> tuple[str, str]:
    """Create an operator for the assist run; return (username, password)."""
    from bot.core.operators import add_operator
    from bot.core.store import make_engine, session_factory, transaction
    from bot.core.store.models import OperatorRole

    engine = make_engine(database_url)
    try:
        with transaction(session_factory(engine)) as session:
            add_operator(session, "bench", "bench-password", OperatorRole.OPERATOR)
    finally:
        engine.dispose()
    return "bench", "bench-password"


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children in MiB (Linux /proc)."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


async def measure(stack: StackSettings, args: argparse.Namespace) -> None:
    gateway = f"http://127.0.0.1:{stack.gateway_port}"
    rasa = f"http://127.0.0.1:{stack.rasa_port}"
    # Warm up every path once.
    await saturate(gateway_call, gateway, 2, 5, "warm")
    shape1 = await paced(gateway, args.users, args.seconds, args.gap, seed=1)
    print(
        f"\n1) paced: {args.users} users, one message every {args.gap:.0f} s on average, {args.seconds:.0f} s"
    )
    print(shape1.line("   gateway /api/chat"))
    print(f"\n2) saturation: {args.concurrency} users back to back, {args.saturation_seconds:.0f} s each")
    bare = await saturate(rasa_call, rasa, args.concurrency, args.saturation_seconds, "rasa")
    full = await saturate(gateway_call, gateway, args.concurrency, args.saturation_seconds, "gw")
    print(bare.line("   bare Rasa REST webhook"))
    print(full.line("   gateway /api/chat"))
    ratio = full.rate / bare.rate if bare.rate else 0.0
    print(f"   gateway / bare Rasa throughput: {ratio:.2f}x (target ≥ 0.8x)")
    print(f"\n3) bookings: {args.booking_users} users booking back to back, {args.booking_seconds:.0f} s")
    booked, sent, failed, took = await bookings(gateway, args.booking_users, args.booking_seconds)
    print(
        f"   {booked} bookings in {took:.1f} s = {booked / took:.2f} bookings/s end to end "
        f"({sent / took:.1f} messages/s, {failed} failed conversations)"
    )
    print(
        f"\n4) agent assist: {args.operators} operators, "
        f"one question every {args.assist_gap:.0f} s on average"
    )
    username, password = bench_operator(os.environ["ELDERCARE_DATABASE_URL"])
    async with httpx.AsyncClient() as client:
        login = await client.post(
            f"{gateway}/api/operator/login", json={"username": username, "password": password}
        )
        token = login.json()["token"]
    await assist(gateway, token, 2, 3, 0.2, seed=3)  # warm up
    shape4 = await assist(gateway, token, args.operators, args.assist_seconds, args.assist_gap, seed=4)
    print(shape4.line("   gateway /api/suggestions"))
    print("\nresident memory:")
    for name, pid in status(stack).items():
        print(f"   {name:<8} {rss_mib(pid) if pid else 0:>7.0f} MiB")
    p95 = shape1.percentile(95)
    assist_p95 = shape4.percentile(95)
    reached = shape1.errors == 0 and p95 <= 300 and ratio >= 0.8 and assist_p95 < 150 and not shape4.errors
    print(
        f"\ntargets: paced p95 {p95:.0f} ms (≤ 300), errors {shape1.errors} (0), "
        f"ratio {ratio:.2f} (≥ 0.8), "
        f"assist p95 {assist_p95:.0f} ms (< 150), assist errors {shape4.errors} (0): "
        + ("reached" if reached else "NOT reached")
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--gap", type=float, default=2.0, help="mean seconds between a user's messages")
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of the paced run")
    parser.add_argument("--concurrency", type=int, default=8, help="back-to-back users in the saturation run")
    parser.add_argument("--saturation-seconds", type=float, default=30.0)
    parser.add_argument("--booking-users", type=int, default=4, help="users booking back to back")
    parser.add_argument("--booking-seconds", type=float, default=30.0)
    parser.add_argument("--operators", type=int, default=8, help="operators asking for suggestions")
    parser.add_argument(
        "--assist-gap", type=float, default=1.0, help="mean seconds between an operator's asks"
    )
    parser.add_argument("--assist-seconds", type=float, default=30.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        # The bench's own stack: free ports, its own store, index, pid and log folders, so it runs beside
        # `make run` or another checkout's tests.
        os.environ["ELDERCARE_DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
        os.environ["ELDERCARE_INDEX_DIR"] = f"{tmp}/index"
        # Simulated users send far faster than people do; the per-sender limit (20 a minute) would turn
        # the load test into a test of the limit, so it is lifted here.
        os.environ["ELDERCARE_RATE_LIMIT_MESSAGES"] = "1000000"
        gateway_port, rasa_port, action_port = free_ports(3)
        stack = StackSettings(
            gateway_port=gateway_port, rasa_port=rasa_port, action_port=action_port,
            run_dir=Path(tmp) / "run", log_dir=Path(tmp) / "log",
        )  # fmt: skip
        rasa = RasaSettings()
        print(
            f"preparing the model and starting the stack on ports {gateway_port}/{rasa_port}/{action_port}…"
        )
        up(stack, rasa, train_assistant(rasa))
        try:
            asyncio.run(measure(stack, args))
        finally:
            down(stack)
    return 0


if __name__ == "__main__":
    sys.exit(main())

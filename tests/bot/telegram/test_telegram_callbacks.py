"""Button payloads as callback data: short ones as they are, long ones by a token kept in the store."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.store import transaction
from bot.core.store.telegram import TelegramCallback
from bot.telegram.callbacks import MAX_CALLBACK_BYTES, CallbackStore, fits

LONG = '/manage_booking{"booking_reference":"20261201-0001","booking_action":"cancel"}'


def rows(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions, write=False) as session:
        return int(session.scalar(select(func.count()).select_from(TelegramCallback)) or 0)


def test_payloads_that_fit_are_sent_as_they_are_without_touching_the_store(
    sessions: sessionmaker[Session],
) -> None:
    store = CallbackStore(sessions)
    payloads = ["/request_human", '/inform{"region":"宝鸡市"}', "金台区"]
    assert store.encode(payloads) == payloads
    assert [store.decode(p) for p in payloads] == payloads
    assert rows(sessions) == 0


def test_a_long_payload_becomes_a_short_token_that_survives_a_restart(
    sessions: sessionmaker[Session],
) -> None:
    assert len(LONG.encode()) > MAX_CALLBACK_BYTES
    data = CallbackStore(sessions).encode(["/request_human", LONG])
    assert data[0] == "/request_human"
    assert len(data[1].encode()) <= MAX_CALLBACK_BYTES and data[1] != LONG
    restarted = CallbackStore(sessions)  # another process on the same database
    assert restarted.decode(data[1]) == LONG


def test_the_same_payload_gets_the_same_token_and_one_row(sessions: sessionmaker[Session]) -> None:
    store = CallbackStore(sessions)
    first = store.encode([LONG])
    second = store.encode([LONG, LONG])
    assert second == [first[0], first[0]]
    assert rows(sessions) == 1
    other = store.encode([LONG.replace("cancel", "reschedule")])
    assert other[0] != first[0]
    assert rows(sessions) == 2


def test_chinese_payloads_are_measured_in_bytes(sessions: sessionmaker[Session]) -> None:
    payload = "上门助浴" * 6  # 24 characters, 72 bytes
    assert not fits(payload)
    [data] = CallbackStore(sessions).encode([payload])
    assert data != payload and CallbackStore(sessions).decode(data) == payload


def test_an_unknown_or_pruned_token_decodes_to_nothing(sessions: sessionmaker[Session]) -> None:
    store = CallbackStore(sessions)
    assert store.decode("~unknown-token") is None
    [token] = store.encode([LONG])
    with transaction(sessions) as session:
        row = session.get(TelegramCallback, token)
        assert row is not None
        row.used_at -= timedelta(days=100)
    assert store.prune(keep_days=90) == 1
    assert store.decode(token) is None


def test_a_payload_that_looks_like_a_token_is_kept_as_one(sessions: sessionmaker[Session]) -> None:
    store = CallbackStore(sessions)
    [data] = store.encode(["~not-a-token"])
    assert data != "~not-a-token"
    assert store.decode(data) == "~not-a-token"

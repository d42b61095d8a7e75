"""The shared store on a real SQLite file and a real PostgreSQL database: the message log, handoff tickets."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.store import (
    Direction,
    HandoffReason,
    HandoffStatus,
    HandoffTicket,
    Message,
    Priority,
    StoreError,
    create_schema,
    current_handoff,
    log_message,
    make_engine,
    messages_after,
    open_handoff,
    ping,
    queue_position,
    session_factory,
    transaction,
)


def test_make_engine_creates_the_folder_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "x.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        create_schema(engine)
        ping(engine)
        assert path.is_file()
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    finally:
        engine.dispose()


def test_make_engine_raises_store_error_when_the_folder_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError):
        make_engine(f"sqlite:///{blocker / 'store.db'}")


def test_in_memory_database_is_shared_between_threads() -> None:
    engine = make_engine("sqlite://")
    create_schema(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        log_message(session, sender_id="u", channel="web", direction=Direction.IN, text="你好")

    found: list[int] = []

    def read() -> None:
        with transaction(sessions) as session:
            found.append(len(messages_after(session, "u")))

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert found == [1]


def test_message_round_trips_with_payload_enum_and_utc_time(sessions: sessionmaker[Session]) -> None:
    before = datetime.now(timezone.utc)
    payload = {"citations": [{"doc_id": "baoji-2019", "quote": "增发保障金"}], "buttons": []}
    with transaction(sessions) as session:
        message_id = log_message(
            session,
            sender_id="web-1",
            channel="web",
            direction=Direction.OUT,
            text="可以。宝鸡市规定……",
            intent="ask_subsidy",
            intent_confidence=0.93,
            payload=payload,
        ).id
    with transaction(sessions) as session:
        message = session.get(Message, message_id)
        assert message is not None
        assert message.direction == Direction.OUT
        assert message.text == "可以。宝鸡市规定……"
        assert message.intent == "ask_subsidy"
        assert message.intent_confidence == pytest.approx(0.93)
        assert message.payload == payload
        assert message.created_at.tzinfo is not None
        assert before - timedelta(seconds=1) <= message.created_at <= datetime.now(timezone.utc)


def test_enum_columns_reject_unknown_values(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(StoreError), transaction(sessions) as session:
        session.add(HandoffTicket(sender_id="u", channel="web", reason="bored"))
        session.flush()


def test_messages_after_pages_in_order_per_sender(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        ids = [
            log_message(session, sender_id="a", channel="web", direction=Direction.IN, text=f"m{i}").id
            for i in range(5)
        ]
        log_message(session, sender_id="b", channel="web", direction=Direction.IN, text="other")
        log_message(session, sender_id="a", channel="telegram", direction=Direction.IN, text="tg")
    with transaction(sessions) as session:
        assert [m.text for m in messages_after(session, "a", ids[1])] == ["m2", "m3", "m4", "tg"]
        assert [m.text for m in messages_after(session, "a", 0, limit=2)] == ["m0", "m1"]
        assert [m.text for m in messages_after(session, "a", ids[3], channel="web")] == ["m4"]
        assert messages_after(session, "nobody") == []


def test_open_handoff_returns_the_open_ticket_instead_of_a_second(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        first = open_handoff(session, "u", "web", HandoffReason.REQUEST_HUMAN, Priority.NORMAL, "找人工")
    with transaction(sessions) as session:
        again = open_handoff(session, "u", "web", HandoffReason.COMPLAINT, Priority.NORMAL, "我要投诉")
        assert again.id == first.id
        assert again.reason == HandoffReason.REQUEST_HUMAN
        assert again.last_user_text == "我要投诉"
        assert session.scalar(select(HandoffTicket).where(HandoffTicket.id != first.id)) is None


def test_open_handoff_raises_priority_and_never_lowers_it(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        ticket = open_handoff(session, "u", "web", HandoffReason.REQUEST_HUMAN, Priority.NORMAL)
    with transaction(sessions) as session:
        raised = open_handoff(session, "u", "web", HandoffReason.EMERGENCY, Priority.URGENT, "我摔倒了")
        assert (raised.id, raised.priority, raised.reason) == (
            ticket.id,
            Priority.URGENT,
            HandoffReason.EMERGENCY,
        )
    with transaction(sessions) as session:
        after = open_handoff(session, "u", "web", HandoffReason.SYSTEM_ERROR, Priority.NORMAL)
        assert after.priority == Priority.URGENT
        assert after.reason == HandoffReason.EMERGENCY
    with transaction(sessions) as session:
        stored = current_handoff(session, "u")
        assert stored is not None
        assert stored.priority == Priority.URGENT


def test_a_closed_ticket_is_not_current_and_a_new_one_opens(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        old = open_handoff(session, "u", "web", HandoffReason.REQUEST_HUMAN)
        old.status = HandoffStatus.CLOSED
    with transaction(sessions) as session:
        assert current_handoff(session, "u") is None
        new = open_handoff(session, "u", "web", HandoffReason.COMPLAINT, Priority.HIGH)
        assert new.id != old.id
        assert new.status == HandoffStatus.WAITING
    with transaction(sessions) as session:
        current = current_handoff(session, "u")
        assert current is not None
        assert current.id == new.id


def test_active_ticket_is_current(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        ticket = open_handoff(session, "u", "web", HandoffReason.REQUEST_HUMAN)
        ticket.status = HandoffStatus.ACTIVE
    with transaction(sessions) as session:
        current = current_handoff(session, "u")
        assert current is not None
        assert (current.id, current.status) == (ticket.id, HandoffStatus.ACTIVE)


def test_the_database_itself_keeps_one_open_ticket_per_sender(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        open_handoff(session, "u", "web", HandoffReason.REQUEST_HUMAN)
    with pytest.raises(StoreError), transaction(sessions) as session:
        session.add(HandoffTicket(sender_id="u", channel="web", reason=HandoffReason.COMPLAINT))


def test_concurrent_open_handoff_gives_one_ticket(sessions: sessionmaker[Session]) -> None:
    ids: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def open_one(index: int) -> None:
        barrier.wait()
        try:
            priority = Priority.URGENT if index == 3 else Priority.NORMAL
            with transaction(sessions) as session:
                ids.append(open_handoff(session, "same", "web", HandoffReason.REQUEST_HUMAN, priority).id)
        except BaseException as exc:  # collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(ids)) == 1
    with transaction(sessions) as session:
        ticket = current_handoff(session, "same")
        assert ticket is not None
        assert ticket.priority == Priority.URGENT


def test_queue_position_orders_by_priority_then_age(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        normal_old = open_handoff(session, "n1", "web", HandoffReason.REQUEST_HUMAN, Priority.NORMAL)
        normal_new = open_handoff(session, "n2", "web", HandoffReason.REQUEST_HUMAN, Priority.NORMAL)
        high = open_handoff(session, "h1", "web", HandoffReason.COMPLAINT, Priority.HIGH)
        urgent = open_handoff(session, "u1", "web", HandoffReason.EMERGENCY, Priority.URGENT)
        taken = open_handoff(session, "a1", "web", HandoffReason.REQUEST_HUMAN, Priority.URGENT)
        taken.status = HandoffStatus.ACTIVE
    with transaction(sessions) as session:
        assert queue_position(session, urgent) == 0
        assert queue_position(session, high) == 1
        assert queue_position(session, normal_old) == 2
        assert queue_position(session, normal_new) == 3
        assert queue_position(session, taken) == 0


def test_queue_position_counts_a_raised_ticket_ahead(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        first = open_handoff(session, "n1", "web", HandoffReason.REQUEST_HUMAN)
        second = open_handoff(session, "n2", "web", HandoffReason.REQUEST_HUMAN)
    with transaction(sessions) as session:
        assert queue_position(session, second) == 1
        open_handoff(session, "n2", "web", HandoffReason.EMERGENCY, Priority.URGENT)
    with transaction(sessions) as session:
        assert queue_position(session, second) == 0
        assert queue_position(session, first) == 1


def test_repository_errors_become_store_errors(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no schema created
    sessions = session_factory(engine)
    with pytest.raises(StoreError), transaction(sessions) as session:
        messages_after(session, "u")
    engine.dispose()


def test_transaction_rolls_back_on_error(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        log_message(session, sender_id="u", channel="web", direction=Direction.IN, text="lost")
        raise RuntimeError("boom")
    with transaction(sessions) as session:
        assert messages_after(session, "u") == []


def test_an_open_reader_does_not_block_writers(sessions: sessionmaker[Session]) -> None:
    reader = sessions()
    try:
        assert messages_after(reader, "u") == []  # holds a read transaction open
        with transaction(sessions) as session:
            log_message(session, sender_id="u", channel="web", direction=Direction.IN, text="写得进去")
        reader.rollback()
        assert [m.text for m in messages_after(reader, "u")] == ["写得进去"]
    finally:
        reader.close()

"""The handoff workflow on a real database (both engines): one claim wins, closed tickets stay closed."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.core import handoffs
from bot.core.operators import add_operator
from bot.core.store import (
    HandoffReason,
    HandoffStatus,
    HandoffTicket,
    Priority,
    open_handoff,
    transaction,
)
from bot.core.store.models import Operator, OperatorRole


@pytest.fixture
def sessions(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """A fresh store with ten operators and one waiting ticket (id 1)."""
    with transaction(sessions) as session:
        for n in range(10):
            add_operator(session, f"op{n}", "long enough password", OperatorRole.OPERATOR)
        open_handoff(session, "web-a", "web", HandoffReason.REQUEST_HUMAN, Priority.NORMAL, "找人工")
    return sessions


def operator(session: Session, n: int) -> Operator:
    """Operator number n."""
    return next(o for o in session.query(Operator).all() if o.username == f"op{n}")


def test_ten_operators_claiming_at_once_give_one_holder(sessions: sessionmaker[Session]) -> None:
    barrier = threading.Barrier(10)
    won: list[int] = []
    refused: list[int] = []

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            with transaction(sessions) as session:
                ticket_id = session.query(HandoffTicket.id).scalar()
                handoffs.claim(session, ticket_id, operator(session, n))
            won.append(n)
        except handoffs.HandoffError as exc:
            assert exc.status == 409
            refused.append(n)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and len(refused) == 9
    with transaction(sessions, write=False) as session:
        ticket = session.query(HandoffTicket).one()
        assert ticket.status is HandoffStatus.ACTIVE
        assert ticket.operator_id == operator(session, won[0]).id


def test_the_queue_lists_each_state(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        ticket_id = session.query(HandoffTicket.id).scalar()
        assert [t.id for t in handoffs.queue(session, HandoffStatus.WAITING)] == [ticket_id]
        handoffs.claim(session, ticket_id, operator(session, 0))
        assert [t.id for t in handoffs.queue(session, HandoffStatus.ACTIVE)] == [ticket_id]
        handoffs.close(session, ticket_id, operator(session, 0), "done")
        assert [t.id for t in handoffs.queue(session, HandoffStatus.CLOSED)] == [ticket_id]
        assert handoffs.queue(session, HandoffStatus.WAITING) == []

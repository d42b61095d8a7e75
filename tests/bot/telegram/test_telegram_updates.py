"""Claims of updates in the store: a redelivered update is answered once, across restarts and processes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.core.store import transaction
from bot.core.store.telegram import TelegramUpdate
from bot.telegram.updates import Claim, UpdateLedger

BOT = 123456789


def age(sessions: sessionmaker[Session], update_id: int, seconds: float) -> None:
    """Make a claim older."""
    with transaction(sessions) as session:
        row = session.get(TelegramUpdate, (BOT, update_id))
        assert row is not None
        row.claimed_at -= timedelta(seconds=seconds)


def test_an_update_is_handled_once_and_stays_answered_after_a_restart(
    sessions: sessionmaker[Session],
) -> None:
    ledger = UpdateLedger(sessions, stale_after_s=60)
    assert ledger.claim(BOT, 1) is Claim.NEW
    assert ledger.claim(BOT, 1) is Claim.BUSY_HERE  # redelivered while this process answers it
    ledger.answered(BOT, 1)
    assert ledger.claim(BOT, 1) is Claim.DONE
    restarted = UpdateLedger(sessions, stale_after_s=0)
    assert restarted.claim(BOT, 1) is Claim.DONE
    assert restarted.claim(BOT, 2) is Claim.NEW


def test_update_ids_are_per_bot(sessions: sessionmaker[Session]) -> None:
    ledger = UpdateLedger(sessions, stale_after_s=60)
    assert ledger.claim(BOT, 7) is Claim.NEW
    assert ledger.claim(BOT + 1, 7) is Claim.NEW


def test_an_unanswered_claim_of_another_process_is_taken_over_once_stale(
    sessions: sessionmaker[Session],
) -> None:
    crashed = UpdateLedger(sessions, stale_after_s=60)
    assert crashed.claim(BOT, 5) is Claim.NEW
    other = UpdateLedger(sessions, stale_after_s=60)
    assert other.claim(BOT, 5) is Claim.BUSY_ELSEWHERE
    age(sessions, 5, 61)
    assert other.claim(BOT, 5) is Claim.NEW
    assert crashed.claim(BOT, 5) is Claim.BUSY_ELSEWHERE  # it is the other's now
    other.answered(BOT, 5)
    assert crashed.claim(BOT, 5) is Claim.DONE


def test_a_poller_takes_over_at_once(sessions: sessionmaker[Session]) -> None:
    crashed = UpdateLedger(sessions, stale_after_s=0)
    assert crashed.claim(BOT, 9) is Claim.NEW
    assert UpdateLedger(sessions, stale_after_s=0).claim(BOT, 9) is Claim.NEW


def test_a_released_claim_is_handled_again(sessions: sessionmaker[Session]) -> None:
    ledger = UpdateLedger(sessions, stale_after_s=60)
    assert ledger.claim(BOT, 3) is Claim.NEW
    ledger.release(BOT, 3)
    assert ledger.claim(BOT, 3) is Claim.NEW
    ledger.answered(BOT, 3)
    ledger.release(BOT, 3)  # an answered update is never released
    assert ledger.claim(BOT, 3) is Claim.DONE


def test_old_claims_are_pruned(sessions: sessionmaker[Session]) -> None:
    ledger = UpdateLedger(sessions, stale_after_s=60)
    for update_id in (1, 2):
        assert ledger.claim(BOT, update_id) is Claim.NEW
        ledger.answered(BOT, update_id)
    age(sessions, 1, 8 * 24 * 3600)
    assert ledger.prune(timedelta(days=7)) == 1
    assert ledger.claim(BOT, 2) is Claim.DONE

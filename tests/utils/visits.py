"""Which days have home visits under the shipped schedule, for tests that book relative to today."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.booking.schedule import load_schedule


def first_visit_day(start: date) -> date:
    """The first day from `start` on with visits in the default areas (Monday to Friday, not closed)."""
    closed = set(load_schedule().closed_days)
    day = start
    while day.isoweekday() > 5 or day in closed:
        day += timedelta(days=1)
    return day

"""The service's clock: today in its time zone, or the day ELDERCARE_TODAY fixes."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.booking.settings import BookingSettings
from bot.core.clock import Clock
from bot.gateway.settings import GatewaySettings


def test_a_fixed_day_is_today_whatever_the_real_date() -> None:
    assert Clock("Asia/Shanghai", date(2026, 12, 11)).today() == date(2026, 12, 11)


def test_without_a_fixed_day_it_is_the_real_date_in_the_time_zone() -> None:
    for zone in ("Asia/Shanghai", "Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC-11
        before = datetime.now(ZoneInfo(zone)).date()
        today = Clock(zone).today()
        after = datetime.now(ZoneInfo(zone)).date()
        assert today in (before, after)


@pytest.mark.parametrize("settings_class", [BookingSettings, GatewaySettings])
def test_eldercare_today_sets_the_day_of_bookings_and_reminders(
    settings_class: type[BookingSettings] | type[GatewaySettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELDERCARE_TODAY", "2026-12-13")
    assert settings_class().clock.today() == date(2026, 12, 13)
    monkeypatch.delenv("ELDERCARE_TODAY")
    assert settings_class().clock == Clock(settings_class().timezone)  # the real date there

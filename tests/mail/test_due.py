"""When a digest is due: the local hour in the subscriber's zone, across day boundaries and
clock changes (pure functions, no database)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from infoharbor.mail.due import is_due, local_moment, period_start

UTC = dt.UTC
BANGKOK = ZoneInfo("Asia/Bangkok")  # UTC+7, no DST
BERLIN = ZoneInfo("Europe/Berlin")  # DST: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00
NEW_YORK = ZoneInfo("America/New_York")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        # 07:00 in Bangkok is 00:00 UTC: a minute before, the period is yesterday's.
        (utc(2026, 12, 2, 23, 59), BANGKOK, utc(2026, 12, 2, 0, 0)),
        (utc(2026, 12, 3, 0, 0), BANGKOK, utc(2026, 12, 3, 0, 0)),
        (utc(2026, 12, 3, 16, 59), BANGKOK, utc(2026, 12, 3, 0, 0)),
        # Kiritimati is a day ahead of UTC: its 07:00 of Dec 4 is 17:00 UTC on Dec 3.
        (utc(2026, 12, 3, 17, 0), KIRITIMATI, utc(2026, 12, 3, 17, 0)),
        (utc(2026, 12, 3, 16, 59), KIRITIMATI, utc(2026, 12, 2, 17, 0)),
        # New York in winter (UTC-5) and in summer (UTC-4).
        (utc(2026, 1, 15, 12, 0), NEW_YORK, utc(2026, 1, 15, 12, 0)),
        (utc(2026, 7, 15, 11, 0), NEW_YORK, utc(2026, 7, 15, 11, 0)),
        (utc(2026, 7, 15, 10, 59), NEW_YORK, utc(2026, 7, 14, 11, 0)),
    ],
)
def test_the_daily_period_starts_at_the_local_hour(
    now: dt.datetime, zone: ZoneInfo, expected: dt.datetime
) -> None:
    assert period_start(now, zone, 7) == expected


def test_the_local_hour_stays_the_same_across_the_spring_and_autumn_clock_changes() -> None:
    # The day before and after each change, 07:00 in Berlin is a different UTC hour.
    assert period_start(utc(2026, 3, 28, 12), BERLIN, 7) == utc(2026, 3, 28, 6)  # CET
    assert period_start(utc(2026, 3, 29, 12), BERLIN, 7) == utc(2026, 3, 29, 5)  # CEST
    assert period_start(utc(2026, 10, 25, 12), BERLIN, 7) == utc(2026, 10, 25, 6)  # CET again
    # The night of the change is 23 hours long: the period before it is too.
    assert utc(2026, 3, 29, 5) - utc(2026, 3, 28, 6) == dt.timedelta(hours=23)


def test_an_hour_that_does_not_exist_goes_out_when_the_clock_jumps_past_it() -> None:
    # 02:00 does not exist in Berlin on 2026-03-29: the clock goes from 01:59:59 CET to 03:00
    # CEST (01:00 UTC). The digest goes out then, not an hour early or a day late.
    start = local_moment(dt.date(2026, 3, 29), 2, BERLIN)
    assert start == utc(2026, 3, 29, 1, 0)
    assert start.astimezone(BERLIN).hour == 3
    assert period_start(utc(2026, 3, 29, 0, 59), BERLIN, 2) == utc(2026, 3, 28, 1, 0)
    assert period_start(utc(2026, 3, 29, 1, 0), BERLIN, 2) == utc(2026, 3, 29, 1, 0)


def test_an_hour_that_happens_twice_counts_once() -> None:
    # 02:00 happens twice in Berlin on 2026-10-25 (CEST 00:00 UTC, then CET 01:00 UTC): the
    # first counts, and the second is in the same period.
    first = local_moment(dt.date(2026, 10, 25), 2, BERLIN)
    assert first == utc(2026, 10, 25, 0, 0)
    assert period_start(utc(2026, 10, 25, 1, 30), BERLIN, 2) == first


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Monday 2026-11-30 07:00 Bangkok = 00:00 UTC.
        (utc(2026, 11, 30, 0, 0), utc(2026, 11, 30, 0, 0)),
        (utc(2026, 12, 6, 23, 59), utc(2026, 11, 30, 0, 0)),  # Sunday night
        (utc(2026, 12, 7, 0, 0), utc(2026, 12, 7, 0, 0)),  # the next Monday
        # Sunday 23:59 UTC is already Monday 06:59 in Bangkok: still last week's period.
        (utc(2026, 11, 29, 23, 59), utc(2026, 11, 23, 0, 0)),
    ],
)
def test_the_weekly_period_starts_on_monday_at_the_local_hour(
    now: dt.datetime, expected: dt.datetime
) -> None:
    assert period_start(now, BANGKOK, 7, weekly=True) == expected
    assert expected.astimezone(BANGKOK).weekday() == 0


def test_a_digest_is_due_only_for_what_waits_from_before_the_hour() -> None:
    now = utc(2026, 12, 3, 0, 30)  # 07:30 in Bangkok
    assert is_due(now, BANGKOK, 7, oldest_waiting=utc(2026, 12, 2, 23, 0))
    # Matched after 07:00: waits for tomorrow's digest.
    assert not is_due(now, BANGKOK, 7, oldest_waiting=utc(2026, 12, 3, 0, 10))
    # Nothing waits: never an empty digest.
    assert not is_due(now, BANGKOK, 7, oldest_waiting=None)
    # A worker that was down at 07:00 sends it at 16:00, the same day.
    assert is_due(utc(2026, 12, 3, 9, 0), BANGKOK, 7, oldest_waiting=utc(2026, 12, 2, 23, 0))


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        period_start(dt.datetime(2026, 1, 1), BANGKOK, 7)  # noqa: DTZ001
    with pytest.raises(ValueError, match="hour"):
        period_start(utc(2026, 1, 1), BANGKOK, 24)

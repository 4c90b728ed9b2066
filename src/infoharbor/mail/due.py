"""When a digest is due: pure functions of the time, a time zone and the digest hour.

A daily digest covers what matched before the most recent local ``hour``:00 (a weekly one,
before the most recent Monday at that hour). A digest is due when something still waits
from before that moment. That one rule gives:

- the digest goes out at the hour, in the subscriber's time zone, whatever the server's;
- a worker that was down at 07:00 sends the digest when it comes back (late, not lost);
- what matches after 07:00 waits for the next digest, so a digest never goes out at
  another hour of the day, and a second check in the same period finds nothing to send.

Clock changes: in a spring-forward gap the hour does not exist, and the digest goes out at
the first moment the clock shows a later time (02:00 in a 02:00-03:00 gap is 03:00); in a
fall-back overlap the first of the two occurrences counts (the period is the day, so the
second does not send again).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

UTC = dt.UTC


def local_moment(day: dt.date, hour: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The instant the clocks of ``zone`` show ``hour``:00 on ``day`` (in UTC)."""
    # fold=0 reads a time in a gap with the offset before the change, which is the first
    # instant after the gap; in an overlap it is the first occurrence.
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone).astimezone(UTC)


def period_start(
    now: dt.datetime, zone: zoneinfo.ZoneInfo, hour: int, *, weekly: bool = False
) -> dt.datetime:
    """The most recent local ``hour``:00 (on a Monday when ``weekly``) at or before ``now``."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if not 0 <= hour <= 23:
        raise ValueError(f"hour must be 0 to 23, not {hour}")
    day = now.astimezone(zone).date()
    step = dt.timedelta(days=7 if weekly else 1)
    if weekly:
        day -= dt.timedelta(days=day.weekday())
    start = local_moment(day, hour, zone)
    while start > now:
        day -= step
        start = local_moment(day, hour, zone)
    return start


def is_due(
    now: dt.datetime,
    zone: zoneinfo.ZoneInfo,
    hour: int,
    *,
    weekly: bool = False,
    oldest_waiting: dt.datetime | None,
) -> bool:
    """Is a digest due now for a subscriber in ``zone`` whose oldest undelivered match of
    this frequency was matched at ``oldest_waiting`` (None: nothing waits)?"""
    if oldest_waiting is None:
        return False  # never an empty digest
    return oldest_waiting < period_start(now, zone, hour, weekly=weekly)

"""Which story clusters are growing fast: a pure function of the times their items appeared.

A cluster is *trending* at ``now`` when, over the recent ``window`` (6 hours by default), it
received at least ``min_items`` items (5) and at a rate at least ``min_ratio`` times (3x) its own
rate over the ``baseline`` before that window (the 48 hours before). A cluster that had nothing
before the window is measured against one item per baseline period, so a brand-new story that
five outlets carry within six hours trends, and a story that has been trickling in at a steady
rate for days does not, however large it is.

Times are timezone-aware datetimes (naive ones are refused: a trend must not depend on the
server's zone). Items dated after ``now`` (a source whose clock runs ahead) are not counted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Trend", "trend", "trending_clusters"]

WINDOW = dt.timedelta(hours=6)
BASELINE = dt.timedelta(hours=48)
MIN_ITEMS = 5
MIN_RATIO = 3.0


@dataclass(frozen=True, slots=True)
class Trend:
    recent: int  # items in (now - window, now]
    earlier: int  # items in (now - window - baseline, now - window]
    recent_rate: float  # items per hour over the window
    earlier_rate: float  # items per hour over the baseline
    trending: bool


def trend(
    times: Iterable[dt.datetime],
    *,
    now: dt.datetime,
    window: dt.timedelta = WINDOW,
    baseline: dt.timedelta = BASELINE,
    min_items: int = MIN_ITEMS,
    min_ratio: float = MIN_RATIO,
) -> Trend:
    """How one cluster is growing, from the times its items were published (or arrived)."""
    _check(now, window, baseline, min_items, min_ratio)
    start = now - window
    origin = start - baseline
    recent = earlier = 0
    for time in times:
        if time.tzinfo is None:
            raise ValueError(f"naive datetime {time.isoformat()}: give a timezone")
        if start < time <= now:
            recent += 1
        elif origin < time <= start:
            earlier += 1
    hours, baseline_hours = window / dt.timedelta(hours=1), baseline / dt.timedelta(hours=1)
    recent_rate, earlier_rate = recent / hours, earlier / baseline_hours
    floor = max(earlier_rate, 1.0 / baseline_hours)
    trending = recent >= min_items and recent_rate >= min_ratio * floor
    return Trend(recent, earlier, recent_rate, earlier_rate, trending)


def trending_clusters(
    items: Iterable[tuple[int, dt.datetime]],
    *,
    now: dt.datetime,
    window: dt.timedelta = WINDOW,
    baseline: dt.timedelta = BASELINE,
    min_items: int = MIN_ITEMS,
    min_ratio: float = MIN_RATIO,
) -> list[tuple[int, Trend]]:
    """The trending clusters among ``(cluster, time)`` pairs, the fastest-growing first.

    Pass the items of the last ``window + baseline`` (older ones do not count). Ties in rate
    go to the lower cluster id, so the order is deterministic.
    """
    _check(now, window, baseline, min_items, min_ratio)
    by_cluster: dict[int, list[dt.datetime]] = defaultdict(list)
    for cluster, time in items:
        by_cluster[cluster].append(time)
    found = []
    for cluster, times in by_cluster.items():
        result = trend(
            times,
            now=now,
            window=window,
            baseline=baseline,
            min_items=min_items,
            min_ratio=min_ratio,
        )
        if result.trending:
            found.append((cluster, result))
    found.sort(key=lambda pair: (-pair[1].recent_rate, pair[0]))
    return found


def _check(
    now: dt.datetime,
    window: dt.timedelta,
    baseline: dt.timedelta,
    min_items: int,
    min_ratio: float,
) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if window <= dt.timedelta(0) or baseline <= dt.timedelta(0):
        raise ValueError("window and baseline must be positive")
    if min_items < 1 or min_ratio <= 0:
        raise ValueError("min_items must be at least 1 and min_ratio positive")

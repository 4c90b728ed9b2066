"""Trending clusters: growing fast against their own earlier rate, with a minimum size."""

from __future__ import annotations

import datetime as dt

import pytest

from infoharbor.text.fingerprint import trend, trending_clusters

NOW = dt.datetime(2026, 11, 4, 12, 0, tzinfo=dt.UTC)


def hours_ago(*hours: float) -> list[dt.datetime]:
    return [NOW - dt.timedelta(hours=h) for h in hours]


def test_a_new_story_carried_by_five_outlets_in_six_hours_trends() -> None:
    result = trend(hours_ago(0.5, 1, 2, 3, 5), now=NOW)
    assert result.trending
    assert (result.recent, result.earlier) == (5, 0)
    assert result.recent_rate == pytest.approx(5 / 6)


def test_too_few_items_do_not_trend_however_fast() -> None:
    assert not trend(hours_ago(0.1, 0.2, 0.3, 0.4), now=NOW).trending


def test_a_steady_story_does_not_trend_however_large() -> None:
    # one item an hour for two days and the last six hours: rate 1/h before and after
    steady = hours_ago(*[h + 0.5 for h in range(54)])
    result = trend(steady, now=NOW)
    assert result.recent == 6
    assert result.earlier == 48
    assert result.recent_rate == pytest.approx(result.earlier_rate)
    assert not result.trending


def test_a_story_that_speeds_up_against_its_own_past_trends() -> None:
    # four items over the two days before, then twelve in the last six hours
    earlier = hours_ago(10, 20, 30, 40)
    recent = hours_ago(*[0.4 * k for k in range(1, 13)])
    result = trend(earlier + recent, now=NOW)
    assert result.trending
    assert result.recent_rate >= 3 * result.earlier_rate
    # the same twelve over a past of one an hour are not three times faster
    assert not trend(hours_ago(*[h + 6.5 for h in range(48)]) + recent, now=NOW).trending


def test_window_edges_and_the_future() -> None:
    # an item exactly at now counts, one exactly six hours ago belongs to the baseline,
    # one older than the baseline and one dated in the future do not count at all
    result = trend(hours_ago(0, 6, 54.5, -1), now=NOW)
    assert (result.recent, result.earlier) == (1, 1)


def test_parameters_are_the_callers() -> None:
    times = hours_ago(0.2, 0.4, 0.6)
    assert trend(times, now=NOW, min_items=3, window=dt.timedelta(hours=1)).trending
    assert not trend(times, now=NOW, min_items=3, min_ratio=100).trending


def test_trending_clusters_are_ranked_by_recent_rate() -> None:
    items = (
        [(7, t) for t in hours_ago(0.1, 0.2, 0.3, 0.4, 0.5, 0.6)]  # six in the last hour
        + [(3, t) for t in hours_ago(1, 2, 3, 4, 5)]  # five over six hours
        + [(9, t) for t in hours_ago(1, 2, 3, 4, 5)]  # the same: ties go to the lower id
        + [(5, t) for t in hours_ago(1, 2)]  # too few
    )
    ranked = trending_clusters(items, now=NOW)
    assert [cluster for cluster, _ in ranked] == [7, 3, 9]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"now": NOW.replace(tzinfo=None)}, "timezone"),
        ({"now": NOW, "window": dt.timedelta(0)}, "positive"),
        ({"now": NOW, "min_items": 0}, "min_items"),
    ],
)
def test_bad_parameters_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        trend(hours_ago(1), **kwargs)  # type: ignore[arg-type]


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        trend([NOW.replace(tzinfo=None)], now=NOW)

"""Spike detection on hourly counts of negative mentions (pure Python, never imports ``odoo``).

A window of one hour is a spike when its count is far above the account's own
recent baseline: at least ``min_count`` mentions, and above ``mean + k * spread``
of the previous hours. The spread is the standard deviation, floored by the
Poisson spread ``sqrt(mean)`` and by ``MIN_SPREAD`` so that a flat, quiet
baseline does not turn two mentions into an alarm. An episode lasts while the
count stays above ``mean + spread``; there is one alert per episode.
"""

from dataclasses import dataclass
from statistics import fmean, pstdev

DEFAULT_K = 6.0
DEFAULT_MIN_COUNT = 5
MIN_SPREAD = 1.5
HISTORY_HOURS = 168  # the account's own last 7 days


@dataclass(frozen=True)
class SpikeCheck:
    is_spike: bool
    count: int
    baseline_mean: float
    threshold: float
    in_episode: bool


def baseline(history):
    """Mean and spread of the hourly counts before the current window."""
    mean = fmean(history) if history else 0.0
    spread = max(pstdev(history) if len(history) > 1 else 0.0, MIN_SPREAD, mean**0.5)
    return mean, spread


def threshold(history, k=DEFAULT_K, min_count=DEFAULT_MIN_COUNT):
    mean, spread = baseline(history)
    return mean, max(mean + k * spread, min_count)


def check(history, current, k=DEFAULT_K, min_count=DEFAULT_MIN_COUNT):
    """``history``: hourly counts before the current window (oldest first); ``current``: its count."""
    mean, spread = baseline(history)
    limit = max(mean + k * spread, min_count)
    return SpikeCheck(
        is_spike=current >= limit,
        count=current,
        baseline_mean=round(mean, 2),
        threshold=round(limit, 2),
        in_episode=current > mean + spread,
    )


def alerts(series, window=HISTORY_HOURS, k=DEFAULT_K, min_count=DEFAULT_MIN_COUNT):
    """Indexes of the hours that start an episode, walking a whole hourly series (tests and backfills)."""
    started, in_episode = [], False
    for hour in range(1, len(series)):
        result = check(series[max(0, hour - window) : hour], series[hour], k, min_count)
        if result.is_spike and not in_episode:
            started.append(hour)
            in_episode = True
        elif in_episode and not result.in_episode:
            in_episode = False
    return started

import random

from social_crm.analytics import spikes


def poisson(rng, lam):
    # Knuth's method: fine for the small rates of hourly mention counts
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def noise(rng, hours, lam):
    return [poisson(rng, lam) for _ in range(hours)]


def test_no_alert_on_normal_noise():
    for seed in range(20):
        rng = random.Random(seed)
        for lam in (0.2, 1.0, 3.0, 8.0):
            assert spikes.alerts(noise(rng, 24 * 14, lam)) == [], (seed, lam)


def test_one_alert_for_a_real_spike_episode():
    rng = random.Random(7)
    series = noise(rng, 24 * 7, 2.0)
    series += [25, 40, 31, 18]  # a four-hour storm
    series += noise(rng, 24, 2.0)
    started = spikes.alerts(series)
    assert started == [24 * 7]


def test_two_separate_episodes_alert_twice():
    rng = random.Random(3)
    series = noise(rng, 24 * 7, 1.0) + [30, 35] + noise(rng, 12, 1.0) + [28] + noise(rng, 5, 1.0)
    assert len(spikes.alerts(series)) == 2


def test_quiet_account_needs_a_minimum_count():
    assert not spikes.check([0] * 168, 3).is_spike
    assert not spikes.check([0] * 168, 6).is_spike
    assert spikes.check([0] * 168, 10).is_spike


def test_busy_account_scales_its_threshold():
    rng = random.Random(1)
    history = noise(rng, 168, 20.0)
    assert not spikes.check(history, 30).is_spike
    assert spikes.check(history, 60).is_spike


def test_no_second_alert_while_the_storm_lasts():
    rng = random.Random(11)
    # a storm that dips to 12/h (still far above a baseline of ~1/h) before flaring again
    series = noise(rng, 24 * 7, 1.0) + [30, 12, 12, 45, 20] + noise(rng, 24, 1.0)
    assert spikes.alerts(series) == [24 * 7]


def test_episode_ends_only_when_back_to_normal():
    history = [2] * 168
    mean, spread = spikes.baseline(history)
    assert spikes.check(history, 20).in_episode
    assert spikes.check(history, int(mean + spread) + 1).in_episode
    assert not spikes.check(history, 2).in_episode


def test_empty_history_uses_the_minimum_count():
    assert not spikes.check([], 4).is_spike
    assert spikes.check([], 9).is_spike

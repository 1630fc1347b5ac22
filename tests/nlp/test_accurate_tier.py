"""How the accurate tier combines the fast tier with the e5 head, and how training chooses the combiner."""

import os
import sys

import numpy as np
import pytest

from social_crm.nlp import sentiment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _probabilities(rows, seed):
    return np.random.default_rng(seed).dirichlet([1.0, 1.0, 1.0], size=rows).astype(np.float32)


def test_weight_zero_gives_the_fast_tier_and_weight_one_the_e5_head():
    fast, e5 = _probabilities(50, 1), _probabilities(50, 2)
    np.testing.assert_allclose(sentiment.blend_probabilities(fast, e5, 0.0), fast, atol=1e-4)
    np.testing.assert_allclose(sentiment.blend_probabilities(fast, e5, 1.0), e5, atol=1e-4)
    middle = sentiment.blend_probabilities(fast, e5, 0.5)
    np.testing.assert_allclose(middle, (fast + e5) / 2, atol=1e-4)


def test_stacker_reads_both_tiers_log_probabilities():
    fast, e5 = _probabilities(50, 3), _probabilities(50, 4)
    only_e5 = np.hstack([np.zeros((3, 3)), np.eye(3)]).astype(np.float32)
    stacked = sentiment.blend_probabilities(fast, e5, stack=(only_e5, np.zeros(3, dtype=np.float32)))
    np.testing.assert_allclose(stacked, e5, atol=1e-4)
    only_fast = np.hstack([np.eye(3), np.zeros((3, 3))]).astype(np.float32)
    stacked = sentiment.blend_probabilities(fast, e5, stack=(only_fast, np.zeros(3, dtype=np.float32)))
    np.testing.assert_allclose(stacked, fast, atol=1e-4)


def test_offsets_move_the_decision():
    fast = np.array([[0.40, 0.45, 0.15]], dtype=np.float32)
    assert sentiment.blend_probabilities(fast, fast, 0.0).argmax() == 1
    shifted = sentiment.blend_probabilities(fast, fast, 0.0, offsets=np.array([0.2, 0.0, 0.0], dtype=np.float32))
    assert shifted.argmax() == 0
    assert shifted.sum() == pytest.approx(1.0, abs=1e-5)


def test_each_language_uses_its_own_combiner():
    head = sentiment.E5Head.__new__(sentiment.E5Head)  # the combiner alone: no encoder needed
    head.blend = {"th": 0.0, "en": 1.0}
    head.uses_e5 = {"th", "en"}
    head.stack = {}
    head.offsets = {}
    fast, e5 = _probabilities(6, 5), _probabilities(6, 6)
    langs = ["th", "en", None, "th", "en", "xx"]
    out = head.combine(fast, e5, langs)
    for i, lang in enumerate(langs):
        expected = {"th": fast[i], "en": e5[i]}.get(lang, (fast[i] + e5[i]) / 2)
        np.testing.assert_allclose(out[i], expected, atol=1e-4)


@pytest.fixture(scope="module")
def train_nlp():
    pytest.importorskip("sklearn", reason="scikit-learn is a training dependency (requirements-train.txt)")
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import train_nlp

    return train_nlp


def _noisy_onehot(gold, accuracy, seed):
    """Probabilities whose argmax is the gold label for about ``accuracy`` of the rows."""
    rng = np.random.default_rng(seed)
    guess = np.where(rng.random(len(gold)) < accuracy, gold, rng.integers(0, 3, len(gold)))
    probabilities = rng.dirichlet([2.0, 2.0, 2.0], size=len(gold)) * 0.5
    probabilities[np.arange(len(gold)), guess] += 0.5
    return probabilities


def _folds(n):
    return np.arange(n) % 5


def test_an_uninformative_e5_head_keeps_the_fast_tier(train_nlp):
    gold = np.random.default_rng(7).integers(0, 3, 900)
    fast = _noisy_onehot(gold, 0.7, 8)
    noise = np.random.default_rng(9).dirichlet([1.0, 1.0, 1.0], size=len(gold))
    kind, params, accurate, fast_alone, _kinds = train_nlp.choose_combiner(fast, noise, gold, _folds(len(gold)))
    assert kind == "fast" or np.mean(accurate) > np.mean(fast_alone)
    chosen = sentiment.blend_probabilities(fast, noise, **params)
    assert train_nlp.quick_f1(gold, chosen) >= train_nlp.quick_f1(gold, fast) - 0.01


def test_a_head_that_does_not_beat_the_fast_tier_out_of_fold_is_never_used(train_nlp):
    gold = np.random.default_rng(15).integers(0, 3, 600)
    fast = _noisy_onehot(gold, 0.8, 16)
    worse = _noisy_onehot(gold, 0.4, 17)
    kind, params, accurate, fast_alone, _kinds = train_nlp.choose_combiner(fast, worse, gold, _folds(len(gold)))
    assert kind == "fast" and params == {"weight": 0.0}
    assert len(accurate) == len(fast_alone) == 5


def test_an_informative_e5_head_is_used(train_nlp):
    gold = np.random.default_rng(10).integers(0, 3, 900)
    fast = _noisy_onehot(gold, 0.55, 11)
    e5 = _noisy_onehot(gold, 0.8, 12)
    kind, params, accurate, fast_alone, _kinds = train_nlp.choose_combiner(fast, e5, gold, _folds(len(gold)))
    assert kind != "fast"
    assert np.mean(accurate) > np.mean(fast_alone) + 0.1
    assert params.get("weight", 1.0) > 0 or "stack" in params


def test_quick_f1_matches_scikit_learn(train_nlp):
    from sklearn.metrics import f1_score

    gold = np.random.default_rng(13).integers(0, 3, 500)
    probabilities = _noisy_onehot(gold, 0.6, 14)
    expected = f1_score(gold, probabilities.argmax(axis=1), average="macro")
    assert train_nlp.quick_f1(gold, probabilities) == pytest.approx(expected)

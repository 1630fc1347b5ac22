"""Language detection: a script-aware fast path, a small Latin-script model, langdetect last.

1. Links, @handles, #hashtags, emoji, digits and punctuation are removed.
2. The dominant script decides directly where it names one language: Thai,
   Hangul (ko), kana (ja), Han (zh), Hebrew, Greek, Georgian, Armenian, the
   Indic scripts... Arabic script is Persian when it holds Persian-only
   letters (پ چ ژ گ and the Persian ک ی), Urdu with Urdu-only letters, else Arabic.
3. Latin script goes to a naive Bayes model over character 1-3 grams trained by
   scripts/train_nlp.py; when it is unsure, langdetect (seeded, loaded once) decides.
4. Too little text to tell returns None rather than a guess.
"""

import logging
import os
import threading
import unicodedata
import zlib

import numpy as np

from .text import HANDLE_RE, HASHTAG_RE, URL_RE, safe_text

_logger = logging.getLogger(__name__)
MODEL_PATH = os.path.join(os.path.dirname(__file__), "models", "lang_latin.npz")
LATIN_LANGS = ("de", "en", "es", "fr", "hi", "id", "it", "pt")
LATIN_DIM = 1 << 16
MIN_LETTERS = 3
LATIN_MIN_LETTERS = 12
MARGIN = 3.0  # log-probability margin above which the Latin model is trusted
PERSIAN_ONLY = set("پچژگکی")
URDU_ONLY = set("ٹڈڑںےہ")
SCRIPT_LANG = {
    "THAI": "th", "HANGUL": "ko", "HIRAGANA": "ja", "KATAKANA": "ja", "CJK": "zh", "HEBREW": "he",
    "GREEK": "el", "GEORGIAN": "ka", "ARMENIAN": "hy", "DEVANAGARI": "hi", "BENGALI": "bn", "TAMIL": "ta",
    "TELUGU": "te", "GUJARATI": "gu", "GURMUKHI": "pa", "KANNADA": "kn", "MALAYALAM": "ml", "SINHALA": "si",
    "LAO": "lo", "KHMER": "km", "MYANMAR": "my", "ETHIOPIC": "am", "TIBETAN": "bo", "ORIYA": "or",
}
_lock = threading.Lock()
_state = {}


def reset():
    _state.clear()


def _script(char):
    name = unicodedata.name(char, "")
    first = name.split(" ", 1)[0]
    if first in ("LATIN", "ARABIC", "CYRILLIC") or first in SCRIPT_LANG:
        return first
    if name.startswith("CJK"):
        return "CJK"
    return "OTHER"


def letters_only(text):
    text = URL_RE.sub(" ", safe_text(text))
    text = HANDLE_RE.sub(" ", text)
    text = HASHTAG_RE.sub(" ", text)
    return "".join(ch if ch.isalpha() or unicodedata.category(ch) == "Mn" else " " for ch in text)


def _latin_model():
    model = _state.get("latin")
    if model is None:
        with _lock:
            model = _state.get("latin")
            if model is None:
                if os.path.exists(MODEL_PATH):
                    with np.load(MODEL_PATH) as data:
                        model = (list(data["langs"]), data["logp"].astype(np.float32), data["prior"].astype(np.float32))
                else:
                    _logger.warning("social_crm: %s missing; Latin-script languages go to langdetect", MODEL_PATH)
                    model = False
                _state["latin"] = model
    return model


def _langdetect():
    detector = _state.get("langdetect")
    if detector is None:
        with _lock:
            from langdetect import DetectorFactory, detect_langs

            DetectorFactory.seed = 0
            detector = _state["langdetect"] = detect_langs
    return detector


def latin_grams(text):
    padded = f" {text.lower()} "
    keys = []
    for n in (1, 2, 3):
        for i in range(len(padded) - n + 1):
            gram = padded[i:i + n]
            if gram.strip():
                keys.append(zlib.crc32(gram.encode("utf-8")) & (LATIN_DIM - 1))
    return keys


def _by_langdetect(text):
    try:
        found = _langdetect()(text)
    except Exception:  # LangDetectException on texts with no features
        return None
    if not found or found[0].prob < 0.7:
        return None
    code = found[0].lang.split("-")[0]
    return {"zh": "zh"}.get(code, code)


def detect(text):
    """ISO 639-1 code of the text's language, or None when it cannot be told."""
    letters = letters_only(text)
    counts = {}
    total = 0
    persian = urdu = 0
    for char in letters:
        if char == " ":
            continue
        script = _script(char)
        counts[script] = counts.get(script, 0) + 1
        total += 1
        if char in PERSIAN_ONLY:
            persian += 1
        elif char in URDU_ONLY:
            urdu += 1
    if total < MIN_LETTERS and not (total >= 2 and counts.get("THAI", 0) + counts.get("CJK", 0) + counts.get(
            "HANGUL", 0) >= 2):
        return None
    script = max(counts, key=counts.get)
    if counts.get("HIRAGANA") or counts.get("KATAKANA"):
        if script in ("CJK", "HIRAGANA", "KATAKANA"):
            return "ja"
    if script in SCRIPT_LANG:
        return SCRIPT_LANG[script]
    if script == "ARABIC":
        if urdu:
            return "ur"
        return "fa" if persian else "ar"
    if script == "CYRILLIC":
        return _by_langdetect(letters) if total >= MIN_LETTERS else None
    if script != "LATIN":
        return None
    return _detect_latin(" ".join(letters.split()), total)


def _detect_latin(text, letter_count):
    model = _latin_model()
    if model:
        langs, logp, prior = model
        keys = latin_grams(text)
        if keys:
            scores = logp[:, keys].sum(axis=1) + prior
            order = np.argsort(scores)[::-1]
            margin = float(scores[order[0]] - scores[order[1]])
            if margin >= MARGIN * (1 + 20 / max(letter_count, 1)):
                return langs[order[0]]
    if letter_count < LATIN_MIN_LETTERS:
        return None
    return _by_langdetect(text)


def detect_many(texts):
    return [detect(text) for text in texts]


# ---------------------------------------------------------------------------
# training and evaluation (used by scripts/train_nlp.py and bench/nlp.py)
# ---------------------------------------------------------------------------

def train_latin(texts_by_lang, alpha=0.5):
    langs = sorted(texts_by_lang)
    counts = np.zeros((len(langs), LATIN_DIM), dtype=np.float64)
    for row, lang in enumerate(langs):
        for text in texts_by_lang[lang]:
            np.add.at(counts[row], latin_grams(" ".join(letters_only(text).split())), 1)
    logp = np.log((counts + alpha) / (counts.sum(axis=1, keepdims=True) + alpha * LATIN_DIM))
    prior = np.log(np.full(len(langs), 1.0 / len(langs)))
    return {"langs": np.array(langs), "logp": logp.astype(np.float16), "prior": prior.astype(np.float32)}


def evaluate(texts, gold):
    """Accuracy of detect() vs langdetect alone, overall and on texts under 20 characters."""

    def plain_langdetect(text):
        try:
            return _langdetect()(text)[0].lang.split("-")[0]
        except Exception:
            return None

    ours = [detect(t) for t in texts]
    theirs = [plain_langdetect(t) for t in texts]
    short = [i for i, t in enumerate(texts) if len(t) < 20]

    def accuracy(predicted, idx):
        return round(sum(predicted[i] == gold[i] for i in idx) / max(len(idx), 1), 4)

    everything = range(len(texts))
    return {
        "texts": len(texts), "short_texts": len(short),
        "ours": accuracy(ours, everything), "langdetect": accuracy(theirs, everything),
        "ours_short": accuracy(ours, short), "langdetect_short": accuracy(theirs, short),
        "ours_abstained": sum(p is None for p in ours),
    }

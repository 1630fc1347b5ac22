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
import re
import threading
import zlib

import numpy as np

from .text import HANDLE_RE, HASHTAG_RE, URL_RE, safe_text

_logger = logging.getLogger(__name__)
MODEL_PATH = os.path.join(os.path.dirname(__file__), "models", "lang_latin.npz")
LATIN_LANGS = ("de", "en", "es", "fr", "hi", "id", "it", "pt")
LATIN_DIM = 1 << 16
MIN_LETTERS = 3
LATIN_MIN_LETTERS = 8
MARGIN = 2.0  # log-probability margin above which the Latin model is trusted (tuned on the validation texts)
PERSIAN_ONLY = set("پچژگکی")
URDU_ONLY = set("ٹڈڑںےہ")
SCRIPT_LANG = {
    "THAI": "th", "HANGUL": "ko", "HIRAGANA": "ja", "KATAKANA": "ja", "CJK": "zh", "HEBREW": "he",
    "GREEK": "el", "GEORGIAN": "ka", "ARMENIAN": "hy", "DEVANAGARI": "hi", "BENGALI": "bn", "TAMIL": "ta",
    "TELUGU": "te", "GUJARATI": "gu", "GURMUKHI": "pa", "KANNADA": "kn", "MALAYALAM": "ml", "SINHALA": "si",
    "LAO": "lo", "KHMER": "km", "MYANMAR": "my", "ETHIOPIC": "am", "TIBETAN": "bo", "ORIYA": "or",
}
# Unicode ranges -> script, looked up per 16-code-point block (ord >> 4) so a text is classified in one pass.
SCRIPT_RANGES = [
    (0x0041, 0x024F, "LATIN"), (0x1E00, 0x1EFF, "LATIN"), (0x0370, 0x03FF, "GREEK"), (0x1F00, 0x1FFF, "GREEK"),
    (0x0400, 0x052F, "CYRILLIC"), (0x0530, 0x058F, "ARMENIAN"), (0x0590, 0x05FF, "HEBREW"),
    (0x0600, 0x06FF, "ARABIC"), (0x0750, 0x077F, "ARABIC"), (0x08A0, 0x08FF, "ARABIC"), (0xFB50, 0xFDFF, "ARABIC"),
    (0xFE70, 0xFEFF, "ARABIC"), (0x0900, 0x097F, "DEVANAGARI"), (0x0980, 0x09FF, "BENGALI"),
    (0x0A00, 0x0A7F, "GURMUKHI"), (0x0A80, 0x0AFF, "GUJARATI"), (0x0B00, 0x0B7F, "ORIYA"), (0x0B80, 0x0BFF, "TAMIL"),
    (0x0C00, 0x0C7F, "TELUGU"), (0x0C80, 0x0CFF, "KANNADA"), (0x0D00, 0x0D7F, "MALAYALAM"),
    (0x0D80, 0x0DFF, "SINHALA"), (0x0E00, 0x0E7F, "THAI"), (0x0E80, 0x0EFF, "LAO"), (0x0F00, 0x0FFF, "TIBETAN"),
    (0x1000, 0x109F, "MYANMAR"), (0x10A0, 0x10FF, "GEORGIAN"), (0x1100, 0x11FF, "HANGUL"), (0x1200, 0x139F, "ETHIOPIC"),
    (0x1780, 0x17FF, "KHMER"), (0x3040, 0x309F, "HIRAGANA"), (0x30A0, 0x30FF, "KATAKANA"), (0x3130, 0x318F, "HANGUL"),
    (0x3400, 0x4DBF, "CJK"), (0x4E00, 0x9FFF, "CJK"), (0xAC00, 0xD7AF, "HANGUL"), (0xF900, 0xFAFF, "CJK"),
]
BLOCK_SCRIPT = {block: name for start, end, name in SCRIPT_RANGES for block in range(start >> 4, (end >> 4) + 1)}
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_lock = threading.Lock()
_state = {}


def reset():
    _state.clear()


def letters_only(text):
    """Letters only, single-spaced: links, @handles, #hashtags, digits, punctuation and emoji removed."""
    text = safe_text(text)
    if "/" in text or "www." in text:
        text = URL_RE.sub(" ", text)
    if "@" in text:
        text = HANDLE_RE.sub(" ", text)
    if "#" in text:
        text = HASHTAG_RE.sub(" ", text)
    return " ".join(_NOT_LETTERS.sub(" ", text).split())


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
    """Hashed character 1-3 grams of lower-cased, single-spaced text (CRC32 chained per gram)."""
    chars = f" {text.lower()} "
    encoded = [char.encode("utf-8") for char in chars]
    mask = LATIN_DIM - 1
    crc32 = zlib.crc32
    keys = []
    append = keys.append
    length = len(encoded)
    for i in range(length):
        crc = crc32(encoded[i])
        if chars[i] != " ":
            append(crc & mask)
        if i + 1 < length:
            crc = crc32(encoded[i + 1], crc)
            append(crc & mask)
            if i + 2 < length:
                append(crc32(encoded[i + 2], crc) & mask)
    return keys


def _by_langdetect(text):
    try:
        found = _langdetect()(text[:200])  # langdetect's cost grows with length; 200 letters decide
    except Exception:  # LangDetectException on texts with no features
        return None
    if not found or found[0].prob < 0.7:
        return None
    code = found[0].lang.split("-")[0]
    return {"zh": "zh"}.get(code, code)


def detect(text):
    """ISO 639-1 code of the text's language, or None when it cannot be told."""
    letters = letters_only(text)
    compact = letters.replace(" ", "")
    total = len(compact)
    if total < 2:
        return None
    counts = {}
    for char in compact[:400]:
        script = BLOCK_SCRIPT.get(ord(char) >> 4, "OTHER")
        counts[script] = counts.get(script, 0) + 1
    script = max(counts, key=counts.get)
    if total < MIN_LETTERS and script not in ("THAI", "CJK", "HANGUL", "HIRAGANA", "KATAKANA"):
        return None
    if counts.get("HIRAGANA") or counts.get("KATAKANA"):
        if script in ("CJK", "HIRAGANA", "KATAKANA"):
            return "ja"
    if script in SCRIPT_LANG:
        return SCRIPT_LANG[script]
    if script == "ARABIC":
        if any(char in URDU_ONLY for char in compact):
            return "ur"
        return "fa" if any(char in PERSIAN_ONLY for char in compact) else "ar"
    if script == "CYRILLIC":
        return _by_langdetect(letters) if total >= MIN_LETTERS else None
    if script != "LATIN":
        return None
    return _detect_latin(letters[:300], total)


def _detect_latin(text, letter_count):
    model = _latin_model()
    if model:
        langs, logp, prior = model
        keys = latin_grams(text)
        if keys:
            scores = logp[:, keys].sum(axis=1) + prior
            order = np.argsort(scores)[::-1]
            margin = float(scores[order[0]] - scores[order[1]])
            if margin >= MARGIN * (1 + 10 / max(letter_count, 1)):
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
            np.add.at(counts[row], latin_grams(letters_only(text)[:300]), 1)
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

"""Language detection: a script-aware fast path, a small Latin-script model, langdetect last.

1. Links, @handles, #hashtags, emoji, digits and punctuation are removed.
2. The dominant script decides directly where it names one language: Thai,
   Hangul (ko), kana (ja), Han (zh), Hebrew, Greek, Georgian, Armenian, the
   Indic scripts... Arabic script is Persian when it holds Persian-only
   letters (پ چ ژ گ and the Persian ک ی), Urdu with Urdu-only letters, else Arabic.
   Cyrillic is told apart by letters only some languages use (і ї є ґ: Ukrainian,
   ў: Belarusian, ђ ћ џ љ њ ј: Serbian, ѓ ќ ѕ: Macedonian, ә ғ қ ң ө ұ ү: Kazakh,
   ы э ё: Russian, ъ without them: Bulgarian); langdetect decides the rest.
3. Latin script goes to a naive Bayes model over character 1-3 grams (hashed,
   trained by scripts/train_nlp.py on the training part of the sentiment files);
   when its margin is too small, langdetect (seeded, loaded once) decides texts
   of 20 letters or more and shorter ones get None. Arabic-script texts with
   neither Persian- nor Urdu-only letters go to a second such model (ar / fa):
   Persian typed on an Arabic keyboard uses ي and ك.
4. Too little text to tell returns None rather than a guess.

``detect_many`` works on a whole batch with numpy (script counts and n-gram
scores in a few array operations), which is what makes it fast; ``detect`` is
``detect_many`` of one text.
"""

import logging
import os
import re
import threading

import numpy as np

from .text import HANDLE_RE, HASHTAG_RE, URL_RE, safe_text

_logger = logging.getLogger(__name__)
MODELS_DIR = os.path.join(os.path.dirname(__file__), "models")
MODEL_PATH = os.path.join(MODELS_DIR, "lang_latin.npz")
ARABIC_MODEL_PATH = os.path.join(MODELS_DIR, "lang_arabic.npz")
LATIN_LANGS = ("de", "en", "es", "fr", "hi", "id", "it", "pt")
LATIN_DIM = 1 << 16
MIN_LETTERS = 3
LATIN_MIN_LETTERS = 20  # unsure Latin texts this long go to langdetect; shorter ones get None
LATIN_CHARS = 300
MARGIN = 1.0  # log-probability margin above which the Latin model is trusted (scaled up for short texts)
PERSIAN_ONLY = frozenset("پچژگکی")
URDU_ONLY = frozenset("ٹڈڑںےہ")
CYRILLIC_RULES = (  # (letters, language): the first rule whose letters occur decides
    (frozenset("әғқңөұһ"), "kk"),
    (frozenset("іїєґ"), "uk"),
    (frozenset("ў"), "be"),
    (frozenset("ђћџљњј"), "sr"),
    (frozenset("ѓќѕ"), "mk"),
    (frozenset("ыэё"), "ru"),
    (frozenset("ъ"), "bg"),
)
SCRIPT_LANG = {
    "THAI": "th",
    "HANGUL": "ko",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "CJK": "zh",
    "HEBREW": "he",
    "GREEK": "el",
    "GEORGIAN": "ka",
    "ARMENIAN": "hy",
    "DEVANAGARI": "hi",
    "BENGALI": "bn",
    "TAMIL": "ta",
    "TELUGU": "te",
    "GUJARATI": "gu",
    "GURMUKHI": "pa",
    "KANNADA": "kn",
    "MALAYALAM": "ml",
    "SINHALA": "si",
    "LAO": "lo",
    "KHMER": "km",
    "MYANMAR": "my",
    "ETHIOPIC": "am",
    "TIBETAN": "bo",
    "ORIYA": "or",
}
SCRIPT_RANGES = [
    (0x0041, 0x024F, "LATIN"),
    (0x1E00, 0x1EFF, "LATIN"),
    (0x0370, 0x03FF, "GREEK"),
    (0x1F00, 0x1FFF, "GREEK"),
    (0x0400, 0x052F, "CYRILLIC"),
    (0x0530, 0x058F, "ARMENIAN"),
    (0x0590, 0x05FF, "HEBREW"),
    (0x0600, 0x06FF, "ARABIC"),
    (0x0750, 0x077F, "ARABIC"),
    (0x08A0, 0x08FF, "ARABIC"),
    (0xFB50, 0xFDFF, "ARABIC"),
    (0xFE70, 0xFEFF, "ARABIC"),
    (0x0900, 0x097F, "DEVANAGARI"),
    (0x0980, 0x09FF, "BENGALI"),
    (0x0A00, 0x0A7F, "GURMUKHI"),
    (0x0A80, 0x0AFF, "GUJARATI"),
    (0x0B00, 0x0B7F, "ORIYA"),
    (0x0B80, 0x0BFF, "TAMIL"),
    (0x0C00, 0x0C7F, "TELUGU"),
    (0x0C80, 0x0CFF, "KANNADA"),
    (0x0D00, 0x0D7F, "MALAYALAM"),
    (0x0D80, 0x0DFF, "SINHALA"),
    (0x0E00, 0x0E7F, "THAI"),
    (0x0E80, 0x0EFF, "LAO"),
    (0x0F00, 0x0FFF, "TIBETAN"),
    (0x1000, 0x109F, "MYANMAR"),
    (0x10A0, 0x10FF, "GEORGIAN"),
    (0x1100, 0x11FF, "HANGUL"),
    (0x1200, 0x139F, "ETHIOPIC"),
    (0x1780, 0x17FF, "KHMER"),
    (0x3040, 0x309F, "HIRAGANA"),
    (0x30A0, 0x30FF, "KATAKANA"),
    (0x3130, 0x318F, "HANGUL"),
    (0x31F0, 0x31FF, "KATAKANA"),
    (0x3400, 0x4DBF, "CJK"),
    (0x4E00, 0x9FFF, "CJK"),
    (0xAC00, 0xD7AF, "HANGUL"),
    (0xF900, 0xFAFF, "CJK"),
    (0xFF66, 0xFF9F, "KATAKANA"),
    (0x20000, 0x3134F, "CJK"),
]
SCRIPTS = ["OTHER"] + sorted({name for _, _, name in SCRIPT_RANGES})
_SCRIPT_ID = {name: i for i, name in enumerate(SCRIPTS)}
# script id per block of 16 code points: a text's scripts are counted with one table lookup
SCRIPT_TABLE = np.zeros(0x110000 >> 4, dtype=np.int64)
for _start, _end, _name in SCRIPT_RANGES:
    SCRIPT_TABLE[_start >> 4 : (_end >> 4) + 1] = _SCRIPT_ID[_name]
DIRECT_SHORT = {_SCRIPT_ID[name] for name in ("THAI", "CJK", "HANGUL", "HIRAGANA", "KATAKANA")}
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_URL_WORDS = re.compile(r"\b(?:https?|www|com|http\w*)\b", re.IGNORECASE)
_HASH_MULT = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
_PRIME = np.uint64(1000003)
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
    text = _NOT_LETTERS.sub(" ", text)
    if "http" in text or "www" in text:
        text = _URL_WORDS.sub(" ", text)
    return " ".join(text.split())


def _codepoints(text):
    return np.frombuffer(text.encode("utf-32-le", "replace"), dtype=np.uint32).astype(np.uint64)


def latin_keys(texts):
    """Hashed character 1-3 grams of lower-cased texts, with the index of the text each gram comes from.

    Each text is padded with spaces; grams never cross two texts; the single space is no gram.
    The same function serves training and inference, so the hashes always agree.
    """
    if not texts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    padded = [f" {text.lower()} " for text in texts]
    cp = _codepoints("\0".join(padded) + "\0")
    owner = np.repeat(np.arange(len(texts)), [len(p) + 1 for p in padded])
    live = cp != 0
    mask = np.uint64(LATIN_DIM - 1)
    shift = np.uint64(40)
    one = live & (cp != 32)
    two = live[:-1] & live[1:]
    three = two[:-1] & live[2:]
    h2 = cp[:-1] * _PRIME + cp[1:]
    h3 = h2[:-1] * _PRIME + cp[2:]
    keys = np.concatenate(
        [
            ((cp[one] * _HASH_MULT[0]) >> shift) & mask,
            ((h2[two] * _HASH_MULT[1]) >> shift) & mask,
            ((h3[three] * _HASH_MULT[2]) >> shift) & mask,
        ]
    ).astype(np.int64)
    owners = np.concatenate([owner[: len(cp)][one], owner[: len(h2)][two], owner[: len(h3)][three]])
    return keys, owners


def _nb_model(name, path):
    model = _state.get(name)
    if model is None:
        with _lock:
            model = _state.get(name)
            if model is None:
                if os.path.exists(path):
                    with np.load(path) as data:
                        model = (
                            [str(lang) for lang in data["langs"]],
                            np.ascontiguousarray(data["logp"].astype(np.float32)),
                            data["prior"].astype(np.float32),
                        )
                else:
                    _logger.warning("social_crm: %s missing; language detection falls back to rules", path)
                    model = False
                _state[name] = model
    return model


def _latin_model():
    return _nb_model("latin", MODEL_PATH)


def _langdetect():
    detector = _state.get("langdetect")
    if detector is None:
        with _lock:
            detector = _state.get("langdetect")
            if detector is None:
                from langdetect import DetectorFactory, detect_langs
                from langdetect.detector_factory import init_factory

                DetectorFactory.seed = 0
                init_factory()  # loads the profiles once, under the lock
                detector = _state["langdetect"] = detect_langs
    return detector


def _by_langdetect(text):
    try:
        found = _langdetect()(text[:200])  # langdetect's cost grows with length; 200 letters decide
    except Exception:  # LangDetectException on texts with no features
        return None
    if not found or found[0].prob < 0.7:
        return None
    return found[0].lang.split("-")[0]


def _cyrillic(compact, letters, total):
    chars = set(compact.lower())
    for letters_of, lang in CYRILLIC_RULES:
        if not chars.isdisjoint(letters_of):
            return lang
    return _by_langdetect(letters) if total >= LATIN_MIN_LETTERS else None


def _nb_scores(model, texts):
    """(languages, scores per text and language) of a naive Bayes model, or None without a model."""
    if not model:
        return None
    langs, logp, prior = model
    keys, owners = latin_keys(texts)
    scores = np.empty((len(texts), len(langs)), dtype=np.float64)
    for row in range(len(langs)):
        scores[:, row] = np.bincount(owners, weights=logp[row][keys], minlength=len(texts)) + prior[row]
    return langs, scores


def detect_many(texts):
    """ISO 639-1 code (or None) for each text, in order."""
    letters = [letters_only(text) for text in texts]
    compacts = [text.replace(" ", "") for text in letters]
    heads = [compact[:400] for compact in compacts]
    results = [None] * len(texts)
    if not texts:
        return results
    cp = np.frombuffer("".join(heads).encode("utf-32-le"), dtype=np.uint32)
    owner = np.repeat(np.arange(len(texts)), [len(head) for head in heads])
    counts = np.bincount(owner * len(SCRIPTS) + SCRIPT_TABLE[cp >> 4], minlength=len(texts) * len(SCRIPTS)).reshape(
        len(texts), len(SCRIPTS)
    )
    dominant = counts.argmax(axis=1)
    latin, arabic = [], []
    for i, compact in enumerate(compacts):
        total = len(compact)
        if total < 2:
            continue
        script_id = int(dominant[i])
        if total < MIN_LETTERS and script_id not in DIRECT_SHORT:
            continue
        script = SCRIPTS[script_id]
        row = counts[i]
        if (row[_SCRIPT_ID["HIRAGANA"]] or row[_SCRIPT_ID["KATAKANA"]]) and script in ("CJK", "HIRAGANA", "KATAKANA"):
            results[i] = "ja"
        elif script in SCRIPT_LANG:
            results[i] = SCRIPT_LANG[script]
        elif script == "ARABIC":
            if not URDU_ONLY.isdisjoint(compact):
                results[i] = "ur"
            elif not PERSIAN_ONLY.isdisjoint(compact):
                results[i] = "fa"
            else:  # Persian typed on an Arabic keyboard has none of its own letters: the model decides
                arabic.append(i)
        elif script == "CYRILLIC":
            results[i] = _cyrillic(compact, letters[i], total)
        elif script == "LATIN":
            latin.append(i)
    if arabic:
        scored = _nb_scores(_nb_model("arabic", ARABIC_MODEL_PATH), [letters[i][:LATIN_CHARS] for i in arabic])
        for position, i in enumerate(arabic):
            results[i] = "ar"
            if scored is not None:
                langs, scores = scored
                row = scores[position]
                best, second = np.argsort(row)[::-1][:2]
                if row[best] - row[second] >= MARGIN:
                    results[i] = langs[best]
    if latin:
        scored = _nb_scores(_latin_model(), [letters[i][:LATIN_CHARS] for i in latin])
        for position, i in enumerate(latin):
            total = len(compacts[i])
            if scored is not None:
                langs, scores = scored
                row = scores[position]
                best, second = np.argsort(row)[::-1][:2]
                if row[best] - row[second] >= MARGIN * (1 + 20 / total):
                    results[i] = langs[best]
                    continue
            if total >= LATIN_MIN_LETTERS:
                results[i] = _by_langdetect(letters[i][:LATIN_CHARS])
    return results


def detect(text):
    """ISO 639-1 code of the text's language, or None when it cannot be told."""
    return detect_many([text])[0]


# ---------------------------------------------------------------------------
# training and evaluation (used by scripts/train_nlp.py and bench/nlp.py)
# ---------------------------------------------------------------------------


def train_latin(texts_by_lang, alpha=0.5):
    """Multinomial naive Bayes over latin_keys(); float16 log-probabilities, uniform prior."""
    langs = sorted(texts_by_lang)
    counts = np.zeros((len(langs), LATIN_DIM), dtype=np.float64)
    for row, lang in enumerate(langs):
        keys, _owners = latin_keys([letters_only(text)[:LATIN_CHARS] for text in texts_by_lang[lang]])
        counts[row] = np.bincount(keys, minlength=LATIN_DIM)
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

    ours = detect_many(texts)
    theirs = [plain_langdetect(t) for t in texts]
    short = [i for i, t in enumerate(texts) if len(t) < 20]

    def accuracy(predicted, idx):
        return round(sum(predicted[i] == gold[i] for i in idx) / max(len(idx), 1), 4)

    everything = range(len(texts))
    return {
        "texts": len(texts),
        "short_texts": len(short),
        "ours": accuracy(ours, everything),
        "langdetect": accuracy(theirs, everything),
        "ours_short": accuracy(ours, short),
        "langdetect_short": accuracy(theirs, short),
        "ours_abstained": sum(p is None for p in ours),
    }

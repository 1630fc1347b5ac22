"""Text preparation shared by training and inference (they must hash identically)."""

import re
import unicodedata
import zlib

import numpy as np

MAX_CHARS = 2000  # longer texts are cut before analysis: the opening carries the tone
URL_RE = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
HANDLE_RE = re.compile(r"(?<!\w)@[\w.@-]+")
HASHTAG_RE = re.compile(r"(?<!\w)#([\w-]+)")
TAG_RE = re.compile(r"<[^>]{0,200}>")
SPACE_RE = re.compile(r"\s+")
WORD_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_CHAR_SEED = zlib.crc32(b"c")


def safe_text(value):
    """Any input (None, bytes, broken encodings, HTML) as a clean, bounded str."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    value = "" if value is None else str(value)
    value = _SURROGATES.sub("", value[: MAX_CHARS * 2])
    if "<" in value:
        value = TAG_RE.sub(" ", value)
    return unicodedata.normalize("NFC", value)[:MAX_CHARS]


def for_sentiment(text):
    """Lower-cased text with links and handles replaced by placeholders; hashtags keep their word."""
    text = URL_RE.sub(" url ", safe_text(text))
    text = HANDLE_RE.sub(" @user ", text)
    text = HASHTAG_RE.sub(r" \1 ", text)
    return SPACE_RE.sub(" ", text).strip().lower()


def hashed_counts(text, dim, char_min=1, char_max=5, words=True):
    """Feature index -> count for character n-grams (1-5) and word uni/bigrams, hashed with CRC32."""
    mask = dim - 1
    counts = {}
    get = counts.get
    encoded = [ch.encode("utf-8") for ch in f" {text} "]
    length = len(encoded)
    crc32 = zlib.crc32
    for i in range(length):
        crc = _CHAR_SEED
        for j in range(i, min(i + char_max, length)):
            crc = crc32(encoded[j], crc)
            if j - i + 1 >= char_min:
                key = crc & mask
                counts[key] = get(key, 0) + 1
    if words:
        tokens = WORD_RE.findall(text)
        previous = b"^"
        for token in tokens:
            raw = token.encode("utf-8")
            key = zlib.crc32(b"w" + raw) & mask
            counts[key] = counts.get(key, 0) + 1
            key = zlib.crc32(b"b" + previous + b" " + raw) & mask
            counts[key] = counts.get(key, 0) + 1
            previous = raw
    return counts


def tfidf_rows(texts, dim, idf=None, **options):
    """CSR pieces (data, indices, indptr) of sublinear-TF (x IDF), L2-normalised rows."""
    data, indices, indptr = [], [], [0]
    for text in texts:
        counts = hashed_counts(text, dim, **options)
        keys = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        if idf is not None and len(keys):
            values = values * idf[keys]
        norm = np.sqrt(np.dot(values, values)) or 1.0
        order = np.argsort(keys)
        indices.append(keys[order])
        data.append(values[order] / norm)
        indptr.append(indptr[-1] + len(keys))
    return (
        np.concatenate(data) if data else np.zeros(0),
        np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
        np.asarray(indptr, dtype=np.int64),
    )

"""The features of ``text.hashed_counts`` for a whole batch of texts at once, in numpy.

``hashed_counts`` chains ``zlib.crc32`` over the UTF-8 bytes of every
character n-gram, a few Python operations per n-gram: the largest cost of the
fast sentiment tier. Here the same CRC-32 runs table-driven over every
n-gram start of the batch at the same time, so the keys (and so the trained
models) are exactly those of ``hashed_counts``.
"""

import zlib

import numpy as np

from .text import _CHAR_SEED, WORD_RE


def _crc32_table():
    table = np.arange(256, dtype=np.uint32)
    for _bit in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1).astype(np.uint32)
    return table


_TABLE = _crc32_table()
_FULL = np.uint32(0xFFFFFFFF)


def _utf8_bytes(codepoints):
    """(n, 4) UTF-8 bytes and the byte length of each code point."""
    cp = codepoints.astype(np.uint32)
    length = 1 + (cp >= 0x80) + (cp >= 0x800) + (cp >= 0x10000)
    out = np.zeros((len(cp), 4), dtype=np.uint32)
    cont = lambda shift: 0x80 | ((cp >> shift) & 0x3F)  # noqa: E731
    out[:, 0] = np.select(
        [length == 1, length == 2, length == 3], [cp, 0xC0 | (cp >> 6), 0xE0 | (cp >> 12)], 0xF0 | (cp >> 18)
    )
    out[:, 1] = np.select([length == 2, length == 3], [cont(0), cont(6)], cont(12))
    out[:, 2] = np.where(length == 3, cont(0), cont(6))
    out[:, 3] = cont(0)
    return out, length


def _char_ngram_keys(texts, mask, char_min, char_max):
    """(row, key) of every character n-gram of `` {text} `` for each text."""
    padded = [f" {text} " for text in texts]
    sizes = np.fromiter((len(text) for text in padded), dtype=np.int64, count=len(padded))
    codepoints = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
    encoded, lengths = _utf8_bytes(codepoints)
    ends = np.repeat(np.cumsum(sizes), sizes)
    rows_of_char = np.repeat(np.arange(len(padded)), sizes)
    starts = np.arange(len(codepoints))
    state = np.full(len(codepoints), np.uint32(_CHAR_SEED) ^ _FULL, dtype=np.uint32)
    rows, keys = [], []
    for offset in range(char_max):
        chars = starts + offset
        inside = chars < ends[starts]
        starts, state, chars = starts[inside], state[inside], chars[inside]
        if not len(starts):
            break
        for byte in range(4):
            more = lengths[chars] > byte
            if not more.any():
                break
            value = encoded[chars[more], byte]
            current = state[more]
            state[more] = _TABLE[(current ^ value) & 0xFF] ^ (current >> 8)
        if offset + 1 >= char_min:
            rows.append(rows_of_char[starts])
            keys.append((state ^ _FULL) & mask)
    return rows, keys


def _crc_over(flat, starts, lengths, initial):
    """Finalized CRC-32 of each byte run ``flat[start:start + length]``, chained onto ``initial``."""
    state = np.asarray(initial, dtype=np.uint32) ^ _FULL
    state = np.broadcast_to(state, starts.shape).copy()
    active = np.arange(len(starts))
    for offset in range(int(lengths.max()) if len(lengths) else 0):
        active = active[lengths[active] > offset]
        current = state[active]
        state[active] = _TABLE[(current ^ flat[starts[active] + offset]) & 0xFF] ^ (current >> 8)
    return state ^ _FULL


def _word_keys(texts, mask):
    """(row, key) of every word unigram (b"w" + word) and bigram (b"b" + previous + b" " + word)."""
    tokens, rows = [], []
    for row, text in enumerate(texts):
        found = WORD_RE.findall(text)
        tokens += found
        rows += [row] * len(found)
    if not tokens:
        return [], []
    rows = np.asarray(rows, dtype=np.int64)
    # Tokens never hold a newline (\w+ or one non-space symbol): it separates them in one encoded buffer.
    flat = np.frombuffer("\n".join(tokens).encode("utf-8") + b"\n", dtype=np.uint8).astype(np.uint32)
    ends = np.flatnonzero(flat == 10)
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    unigrams = _crc_over(flat, starts, lengths, zlib.crc32(b"w"))
    # crc32(b"b" + previous + b" " + word) chained: the previous word's CRC after b"b" and b" " seeds this one.
    after_previous = _crc_over(flat, starts, lengths, zlib.crc32(b"b"))
    seeds = np.empty(len(tokens), dtype=np.uint32)
    state = after_previous[:-1] ^ _FULL
    seeds[1:] = (_TABLE[(state ^ 0x20) & 0xFF] ^ (state >> 8)) ^ _FULL  # then b" "
    first_of_row = np.concatenate(([True], rows[1:] != rows[:-1]))
    seeds[first_of_row] = zlib.crc32(b"b^ ")
    bigrams = _crc_over(flat, starts, lengths, seeds)
    return [rows, rows], [unigrams & np.uint32(mask), bigrams & np.uint32(mask)]


def hashed_count_rows(texts, dim, char_min=1, char_max=5, words=True):
    """CSR pieces (indptr, keys, counts) of ``text.hashed_counts`` for each text; keys sorted per row."""
    mask = dim - 1
    rows, keys = _char_ngram_keys(texts, np.uint32(mask), char_min, char_max) if texts else ([], [])
    if words and texts:
        word_rows, word_keys = _word_keys(texts, mask)
        rows, keys = rows + word_rows, keys + word_keys
    if not rows:
        return np.zeros(len(texts) + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # (row, key) as one integer; 32 bits when they fit, which sorts twice as fast
    dtype = np.uint32 if len(texts) * dim <= 1 << 32 else np.int64
    combined = np.concatenate(rows).astype(dtype) * dtype(dim) + np.concatenate(keys).astype(dtype)
    combined.sort(kind="stable")  # radix sort for integers
    firsts = np.flatnonzero(np.concatenate(([True], combined[1:] != combined[:-1])))
    unique = combined[firsts].astype(np.int64)
    counts = np.diff(np.append(firsts, len(combined)))
    row_of = unique // dim
    indptr = np.searchsorted(row_of, np.arange(len(texts) + 1))
    return indptr, unique % dim, counts


def take_rows(indptr, keys, counts, rows):
    """The CSR pieces of ``hashed_count_rows`` restricted to ``rows`` (in that order)."""
    rows = np.asarray(rows, dtype=np.int64)
    starts, lengths = indptr[rows], indptr[rows + 1] - indptr[rows]
    new_indptr = np.concatenate(([0], np.cumsum(lengths)))
    index = np.repeat(starts - new_indptr[:-1], lengths) + np.arange(new_indptr[-1])
    return new_indptr, keys[index], counts[index]


def linear_scores(indptr, keys, counts, idf, weights, bias, empty=(0.0, 3.0, 0.0)):
    """Scores of a linear model over the sublinear TF-IDF, L2-normalised rows of ``hashed_count_rows``.

    The same arithmetic as scoring each text's counts alone, for all rows at once. A row without
    any feature gets ``empty`` (for sentiment: neutral, as the per-text scoring answers).
    """
    rows = len(indptr) - 1
    row_of = np.repeat(np.arange(rows), np.diff(indptr))
    values = (1.0 + np.log(counts.astype(np.float32))) * idf[keys]
    norms = np.sqrt(np.bincount(row_of, weights=values * values, minlength=rows)).astype(np.float32)
    values /= np.where(norms > 0, norms, 1.0)[row_of]
    scores = (
        np.stack(
            [np.bincount(row_of, weights=weights[label, keys] * values, minlength=rows) for label in range(len(bias))],
            axis=1,
        ).astype(np.float32)
        + bias
    )
    no_features = indptr[1:] == indptr[:-1]
    if no_features.any():
        scores[no_features] = np.asarray(empty, dtype=np.float32)
    return scores

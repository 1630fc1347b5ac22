"""The batched numpy features are exactly the per-text features the models were trained on."""

import numpy as np
import pytest

from social_crm.nlp.hashing import hashed_count_rows, linear_scores
from social_crm.nlp.text import for_sentiment, hashed_counts

TEXTS = [
    "",
    " ",
    "a",
    "!!",
    "ok",
    "great product, fast delivery",
    "ของแตกมาเลย ผิดหวังมาก 😡😡",
    "سفارشم هنوز نرسیده، لطفا پیگیری کنید",
    "لم يصل الطلب",
    "कृपया मदद करें",
    "emoji 👍🏽 and 🇹🇭 flags",
    "ＦＵＬＬ ｗｉｄｔｈ",
    "mixed ไทย english فارسی",
    "\u200cزیبا\u200c",
    "x" * 3000,
    "a b c d e f g h",
    "line\nbreaks\tand  spaces",
    "@user url #tag",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters",
]


def rows_as_dicts(texts, dim, **options):
    indptr, keys, counts = hashed_count_rows(texts, dim, **options)
    assert len(indptr) == len(texts) + 1
    return [
        dict(zip(keys[indptr[i] : indptr[i + 1]].tolist(), counts[indptr[i] : indptr[i + 1]].tolist()))
        for i in range(len(texts))
    ]


@pytest.mark.parametrize("options", [{}, {"char_min": 2, "char_max": 7}, {"words": False}, {"char_max": 3}])
@pytest.mark.parametrize("dim", [1 << 17, 1 << 20])
def test_batch_counts_equal_per_text_counts(options, dim):
    texts = TEXTS + [for_sentiment(text) for text in TEXTS]
    assert rows_as_dicts(texts, dim, **options) == [hashed_counts(text, dim, **options) for text in texts]


def test_batch_keys_are_sorted_and_empty_batches_work():
    indptr, keys, counts = hashed_count_rows(["hello world", "สวัสดี"], 1 << 17)
    for i in range(2):
        row = keys[indptr[i] : indptr[i + 1]]
        assert (np.diff(row) > 0).all()
    indptr, keys, counts = hashed_count_rows([], 1 << 17)
    assert indptr.tolist() == [0] and len(keys) == 0 == len(counts)


def test_linear_scores_equal_scoring_each_text_alone():
    rng = np.random.default_rng(5)
    dim = 1 << 12
    idf = rng.uniform(1, 5, dim).astype(np.float32)
    weights = rng.normal(size=(3, dim)).astype(np.float32)
    bias = np.array([0.1, -0.2, 0.3], dtype=np.float32)
    texts = [for_sentiment(text) for text in TEXTS]
    expected = []
    for text in texts:
        counts = hashed_counts(text, dim)
        idx = np.fromiter(counts, dtype=np.int64)
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32))) * idf[idx]
        values /= np.sqrt(values @ values)
        expected.append(weights[:, idx] @ values + bias)
    scores = linear_scores(*hashed_count_rows(texts, dim), idf, weights, bias)
    np.testing.assert_allclose(scores, np.vstack(expected), rtol=1e-4, atol=1e-5)
    empty = linear_scores(
        np.array([0, 0]), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), idf, weights, bias
    )
    assert empty.tolist() == [[0.0, 3.0, 0.0]]

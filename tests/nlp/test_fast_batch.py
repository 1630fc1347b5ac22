"""The fast tier scores a batch exactly as it scores each text alone (the trained features)."""

import numpy as np

from social_crm.nlp import sentiment
from social_crm.nlp.sentiment import softmax

TEXTS = [
    "",
    "love it, thank you!",
    "worst service ever, refund now",
    "ส่งช้ามาก ผิดหวัง",
    "ขอบคุณมากครับ ดีมาก",
    "سفارشم هنوز نرسیده",
    "خیلی عالی بود ممنون",
    "c'est nul",
    "sehr gut",
    "👍👍",
    "x" * 5000,
    "ok",
]
LANGS = [None, "en", "en", "th", "th", "fa", "fa", "fr", "de", None, "en", "sw"]


def test_batch_probabilities_equal_per_text_scores():
    model = sentiment.fast_model()
    batch = model.probabilities(TEXTS, LANGS)
    alone = softmax(np.vstack([model._scores(text, lang) for text, lang in zip(TEXTS, LANGS)]))
    np.testing.assert_allclose(batch, alone, rtol=1e-4, atol=1e-5)
    assert (batch.argmax(axis=1) == alone.argmax(axis=1)).all()
    assert model.probabilities([], []).shape == (0, 3)

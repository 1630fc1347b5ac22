"""Analysis of mentions: language, sentiment and intent. Pure Python, never ``odoo``.

``analyze(texts, accurate=False)`` returns one ``Analysis`` per text, in order,
and never raises for a bad text: empty, huge, HTML, emoji-only or broken input
gets a result too.
"""

import logging
from dataclasses import dataclass

from . import intent as intent_rules
from . import language, sentiment
from .text import safe_text

_logger = logging.getLogger(__name__)
BATCH = 256


@dataclass
class Analysis:
    lang: str | None
    sentiment: str
    sentiment_score: float
    intent: str
    model: str


def analyze(texts, accurate=False, backend="offline", model=None, device="auto", batch_size=32):
    texts = [safe_text(text) for text in texts]
    results = []
    for start in range(0, len(texts), BATCH):
        results += _analyze_batch(texts[start:start + BATCH], accurate, backend, model, device, batch_size)
    return results


def _analyze_batch(texts, accurate, backend, model, device, batch_size):
    langs = [language.detect(text) for text in texts]
    scored = None
    if backend == "transformers" and model:
        from . import transformers_backend

        try:
            scored = transformers_backend.predict(texts, model, device=device, batch_size=batch_size)
        except transformers_backend.Unavailable as exc:
            transformers_backend.warn_once(str(exc))
    if scored is None:
        scored = sentiment.predict(texts, langs, accurate=accurate)
    return [
        Analysis(lang=lang, sentiment=label, sentiment_score=score,
                 intent=intent_rules.classify(text, lang, label, score), model=name)
        for text, lang, (label, score, name) in zip(texts, langs, scored)
    ]


__all__ = ["Analysis", "analyze"]

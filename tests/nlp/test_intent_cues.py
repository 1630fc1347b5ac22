"""The fast cue search gives exactly the answers of the plain case-insensitive pattern."""

import csv
import os
import re

import pytest

from social_crm.nlp import intent
from social_crm.nlp.text import safe_text

DATA = os.path.join(
    os.environ.get("SOCIAL_CRM_DATA") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data"),
    "sentiment",
)
TRICKY = [
    "",
    "HOW MUCH IS IT?",
    "In Stock now",
    "ราคาเท่าไหร่คะ",
    "ไม่เท่าไหร่หรอก",
    "قیمتش چنده؟",
    "PLEASE help",
    "REFUND NOW!!",
    "Kaputt.",
    "KÖNNTEN SIE mir helfen",
    "S'IL VOUS PLAÎT",
    "svp",
    "refunded",
    "unrefund",
    "my refund",
    "pleased to meet you",
    "ช่วยด้วย",
    "ขอเบอร์หน่อย",
    "ขอบคุณครับ",
    "ของไม่มา",
    "ไม่เสีย",
    "เสียงดี",
    "لطفا کمک کنید",
    "لم يصل الطلب",
    "कृपया मदद",
    "kripya",
    "line one\nช่วยหน่อย",
    "mixed ภาษา please ช่วย",
    "no lleg\u00f3 nunca",
    "NO HA LLEGADO",
    "still   waiting",
    "still waiting",
    "😡 broken 😡",
    "This is unacceptable, fix it now!",
    "FIX IT NOW",
    "prefix it",
    "แก้ด่วน",
    "همین الان درستش کنید",
    "SOFORT",
]


def corpus_sample(limit=400):
    texts = []
    for name in sorted(os.listdir(DATA)):
        if name.endswith(".tsv"):
            with open(os.path.join(DATA, name), encoding="utf-8") as handle:
                rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                texts += [safe_text(row["text"]) for _n, row in zip(range(limit), rows) if row.get("text")]
    return texts


def _compare(pattern_name, texts):
    pattern = getattr(intent, pattern_name)
    plain = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    cues = intent.Cues(pattern)
    answers = [(bool(cues.search(text)), bool(plain.search(text))) for text in texts]
    assert [text for text, (fast, slow) in zip(texts, answers) if fast != slow] == []
    assert any(fast for fast, _slow in answers) and not all(fast for fast, _slow in answers)


@pytest.mark.parametrize("pattern_name", ["COMPLAINT", "REQUEST", "DEMAND", "BUYING"])
def test_cues_answer_like_the_plain_pattern_on_tricky_texts(pattern_name):
    _compare(pattern_name, TRICKY)


@pytest.mark.skipif(not os.path.isdir(DATA), reason=f"needs the training texts in {DATA} (set SOCIAL_CRM_DATA)")
@pytest.mark.parametrize("pattern_name", ["COMPLAINT", "REQUEST", "DEMAND", "BUYING"])
def test_cues_answer_like_the_plain_pattern_on_the_training_texts(pattern_name):
    texts = corpus_sample()
    assert len(texts) > 4000
    _compare(pattern_name, texts)


def test_cues_group_by_script_and_refuse_upper_case():
    cues = intent.Cues(r"\bbroken\b|\bnot working\b|พัง|خراب")
    assert cues.search("It is BROKEN") and cues.search("มันพังแล้ว") and cues.search("خراب شد")
    assert not cues.search("unbroken spirit") and not cues.search("working fine")
    assert len(cues._searches) == 3
    with pytest.raises(ValueError):
        intent.Cues(r"\bBroken\b")
    assert intent.Cues(r"\s*\bok\b").search("  OK")  # escapes are not letters

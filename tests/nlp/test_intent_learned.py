"""Intent from ``analyze()`` (the learned model when shipped, the rules otherwise) on hand-written texts,
including demands, which are complaints or requests, never "other"."""

import numpy as np
import pytest

from social_crm import nlp
from social_crm.nlp import intent

EXAMPLES = [
    ("en", "My parcel never arrived, I want a refund", {"complaint"}),
    ("en", "What time do you open tomorrow?", {"question"}),
    ("en", "Could you please send me the invoice", {"request"}),
    ("en", "Thank you, great service, I love it!", {"praise"}),
    ("th", "ของยังไม่ได้รับเลย ผิดหวังมาก", {"complaint"}),
    ("th", "ร้านเปิดกี่โมงครับ", {"question"}),
    ("th", "รบกวนส่งเลขพัสดุให้หน่อยค่ะ", {"request"}),
    ("th", "ขอบคุณมากค่ะ บริการดีมาก ประทับใจ", {"praise"}),
    ("fa", "سفارشم هنوز نرسیده، خیلی بده", {"complaint"}),
    ("fa", "کی ارسال میشه؟", {"question"}),
    ("fa", "لطفا شماره پیگیری را بفرستید", {"request"}),
    ("fa", "خیلی عالی بود، ممنون", {"praise"}),
    ("de", "Das Paket ist kaputt angekommen, ich will eine Erstattung", {"complaint"}),
    ("de", "Wann öffnen Sie morgen?", {"question"}),
    ("de", "Könnten Sie mir bitte die Rechnung schicken", {"request"}),
    ("id", "Barangnya rusak, saya kecewa", {"complaint"}),
    ("id", "Apakah toko buka hari Minggu?", {"question"}),
    ("id", "Tolong kirim nomor resinya", {"request"}),
]
DEMANDS = ["This is unacceptable, fix it now!", "แก้ด่วน", "همین الان درستش کنید", "Fix this immediately", "รีบแก้ด่วนเลย"]


@pytest.mark.parametrize("lang,text,expected", EXAMPLES)
def test_intent_on_hand_written_texts(lang, text, expected):
    assert nlp.analyze([text])[0].intent in expected


@pytest.mark.parametrize("text", DEMANDS)
def test_demands_are_complaints_or_requests(text):
    assert nlp.analyze([text])[0].intent in ("complaint", "request")
    assert intent.is_demand(text) or intent.is_complaint_cue(text)
    if not intent.is_complaint_cue(text):  # a demand on a neutral text is a request, on a negative one a complaint
        assert intent.classify(text, None, "neutral", 0.0) == "request"
    assert intent.classify(text, None, "negative", -0.2) == "complaint"


def test_the_rules_answer_when_the_model_file_is_missing(monkeypatch):
    monkeypatch.setattr(intent, "_model", [None])
    results = nlp.analyze(["This is unacceptable, fix it now!", "ร้านเปิดกี่โมงครับ"])
    assert [r.intent for r in results] == ["complaint", "question"]


def test_the_model_reads_the_cues():
    """A model whose only weight is on the demand cue answers "request" exactly for demands."""
    weights = np.zeros((5, len(intent.CUES)), dtype=np.float32)
    weights[intent.INTENTS.index("request"), intent.CUES.index("demand cue")] = 5.0
    model = intent.IntentModel(
        arrays={
            "w": np.zeros((5, 1 << 17), np.float16),
            "v": weights,
            "b": np.array([0, 0, 0, 0, 1], np.float32),
            "idf": np.ones(1 << 17, np.float16),
        }
    )
    texts = ["fix it now", "nice weather"]
    features = nlp.sentiment.fast_model().features(texts)
    cues = intent.cue_matrix(texts, ["en", "en"], [("neutral", 0.0), ("neutral", 0.0)])
    assert model.predict(features, cues) == ["request", "other"]


def test_batch_and_single_text_paths_agree():
    texts = [e[1] for e in EXAMPLES] + DEMANDS + ["", "😀😀", "ok", "x" * 3000]
    batch = nlp.analyze(texts)
    alone = [nlp.analyze([text])[0] for text in texts]
    assert batch == alone


def test_an_intent_model_of_another_feature_space_is_refused(monkeypatch, tmp_path, caplog):
    """Retraining only one of the two files must not index past the features: the rules answer, the log says why."""
    path = tmp_path / "intent.npz"
    np.savez(
        path,
        w=np.zeros((5, 1 << 12), np.float16),
        v=np.zeros((5, len(intent.CUES)), np.float32),
        b=np.zeros(5, np.float32),
        idf=np.ones(1 << 12, np.float16),
    )
    monkeypatch.setattr(intent, "MODEL_PATH", str(path))
    monkeypatch.setattr(intent, "_model", [])
    with caplog.at_level("WARNING"):
        results = nlp.analyze(["This is unacceptable, fix it now!", "ร้านเปิดกี่โมงครับ"])
    assert [r.intent for r in results] == ["complaint", "question"]
    assert "intent rules used instead" in caplog.text

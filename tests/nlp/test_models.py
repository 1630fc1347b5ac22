"""The shipped model files behave as trained: small, loaded once, numpy inference = scikit-learn, the fast
tier above the plain baseline under cross-validation, and each language's combiner used as chosen."""

import os
import sys

import numpy as np
import pytest

from social_crm.nlp import sentiment

MODELS = sentiment.MODELS_DIR
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get("SOCIAL_CRM_DATA") or os.path.join(ROOT, "..", "shared", "data")


@pytest.fixture(scope="module")
def train_nlp():
    pytest.importorskip("sklearn", reason="scikit-learn is a training dependency (requirements-train.txt)")
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import train_nlp

    return train_nlp


def generated(n, seed):
    """Short texts whose sentiment a word decides, with noise words: a task any linear model learns."""
    rng = np.random.default_rng(seed)
    cues = {
        "negative": ["awful", "broken", "แย่", "خراب"],
        "neutral": ["tuesday", "parcel", "วันนี้", "امروز"],
        "positive": ["lovely", "great", "ดีมาก", "عالی"],
    }
    noise = ["the", "service", "order", "shop", "ร้าน", "سفارش", "and", "it", "was", "my"]
    texts, labels = [], []
    for _ in range(n):
        label = str(rng.choice(list(cues)))
        words = list(rng.choice(noise, size=5)) + [str(rng.choice(cues[label]))]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


def test_model_files_stay_small():
    total = sum(os.path.getsize(os.path.join(MODELS, name)) for name in os.listdir(MODELS))
    assert total < 40e6


def test_models_load_once():
    assert sentiment.fast_model() is sentiment.fast_model()


def test_numpy_inference_reproduces_sklearn(train_nlp):
    texts, labels = generated(600, 1)
    arrays, agreement = train_nlp.export_fast(texts, labels, 1.0, train_nlp.SENTIMENT_DIM)
    assert agreement["same"] == agreement["of"] == 600
    model = sentiment.FastSentiment(arrays={f"{k}_one": v for k, v in arrays.items()} | {"langs": np.array(["one"])})
    new, gold = generated(200, 2)
    predicted = sentiment.score(model.probabilities(new, ["one"] * len(new)))
    assert np.mean([label == truth for (label, _), truth in zip(predicted, gold)]) > 0.95


def test_a_model_file_carries_its_feature_space(train_nlp):
    """The training run may ship another feature size than the default: the runtime reads it from the
    file, and the batch and single-text paths hash into it alike."""
    texts, labels = generated(600, 3)
    arrays, _agreement = train_nlp.export_fast(texts, labels, 1.0, 1 << 12)
    model = sentiment.FastSentiment(arrays={f"{k}_one": v for k, v in arrays.items()} | {"langs": np.array(["one"])})
    assert model.dim == 1 << 12
    new, gold = generated(50, 4)
    batch = model.probabilities(new, ["one"] * len(new))
    single = np.vstack([sentiment.softmax(model._scores(text, "one")) for text in new])
    np.testing.assert_allclose(batch, single, atol=1e-5)
    assert np.mean([label == truth for (label, _), truth in zip(sentiment.score(batch), gold)]) > 0.9


def test_a_larger_feature_space_must_earn_its_size(train_nlp):
    """Each doubling of the feature space (and of the file) must add GAIN_PER_DOUBLING on the mean."""
    small, middle, large = 1 << 16, 1 << 17, 1 << 19
    gain = train_nlp.GAIN_PER_DOUBLING

    def chosen(middle_mean, large_mean):
        sizes = {str(small): {"mean": 0.6}, str(middle): {"mean": middle_mean}, str(large): {"mean": large_mean}}
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(train_nlp, "FEATURE_SIZES", (small, middle, large))
            return train_nlp.choose_feature_size({lang: {"feature_sizes": sizes} for lang in ("de", "th")})[0]

    assert chosen(0.6 + gain / 2, 0.6 + gain / 2) == small
    assert chosen(0.6 + gain * 2, 0.6 + gain * 2) == middle  # the larger adds nothing over the middle one
    assert chosen(0.6 + gain * 2, 0.6 + gain * 2 + gain * 2.5) == large  # two doublings: more than 2 x gain
    assert chosen(0.6, 0.6 + gain * 2) == small  # three doublings over the smallest ask for 3 x gain


def test_shipped_models_share_one_feature_space():
    """Sentiment and intent read the same hashed features: their files must agree on the size."""
    with np.load(os.path.join(MODELS, "intent.npz")) as data:
        assert data["w"].shape[1] == data["idf"].shape[0] == sentiment.fast_model().dim


def test_cross_validation_is_grouped_and_reproducible(train_nlp):
    data = {"de": (["gut", "gut!", "Gut.", "schlecht", "naja"] * 3, ["positive"] * 15, None)}
    data["de"] = (data["de"][0], data["de"][1], np.asarray([train_nlp.group_key(t) for t in data["de"][0]]))
    groups = np.unique(data["de"][2], return_inverse=True)[1]
    data["de"] = (data["de"][0], data["de"][1], groups)
    picked, folds = train_nlp.cv_sample(data, "de")
    again = train_nlp.cv_sample(data, "de")
    assert list(picked) == list(again[0]) and list(folds) == list(again[1])
    by_group = {}
    for index, fold in zip(picked, folds):
        by_group.setdefault(groups[index], set()).add(fold)
    assert all(len(f) == 1 for f in by_group.values())  # "gut", "gut!" and "Gut." never straddle folds


@pytest.mark.skipif(not os.path.isdir(os.path.join(DATA, "sentiment")), reason="needs ../shared/data (training data)")
def test_fast_tier_at_least_the_baseline_under_cross_validation(train_nlp, monkeypatch):
    """A small version of the training run's selection: German, 1,000 texts, 5-fold grouped CV."""
    monkeypatch.setattr(train_nlp, "FILES", {"de": train_nlp.FILES["de"]})
    monkeypatch.setattr(train_nlp, "CV_MAX", 1000)
    monkeypatch.setattr(train_nlp, "FAST_C", (3.0,))
    result = train_nlp.cv_language(train_nlp.load_all(DATA), "de")[0]
    assert result["fast"]["mean"] >= result["baseline"]["mean"] - 0.01
    assert len(result["fast"]["folds"]) == train_nlp.FOLDS


def test_shipped_combiners_are_well_formed():
    with np.load(os.path.join(MODELS, "sentiment_e5.npz")) as data:
        for lang in (str(lang) for lang in data["langs"]):
            assert str(data[f"k_{lang}"]) in ("fast", "blend", "stack", "blend+offsets", "stack+offsets"), lang
            assert 0.0 <= float(data[f"a_{lang}"]) <= 1.0, lang
            if f"s_{lang}" in data.files:
                assert data[f"s_{lang}"].shape == (3, 6) and data[f"t_{lang}"].shape == (3,), lang
            if f"o_{lang}" in data.files:
                assert data[f"o_{lang}"].shape == (3,), lang


@pytest.mark.parametrize(
    "text,lang,expected",
    [
        ("ดีมากครับ ประทับใจสุดๆ ขอบคุณค่ะ", "th", "positive"),
        ("แย่มาก ส่งช้า ผิดหวังสุดๆ", "th", "negative"),
        ("خیلی عالی بود، ممنون از شما", "fa", "positive"),
        ("کیفیتش خیلی بد بود، اصلا راضی نیستم", "fa", "negative"),
        ("I love it, thank you so much!", "en", "positive"),
        ("worst service ever, I hate this", "en", "negative"),
        ("Sehr gut, danke!", "de", "positive"),
        ("Produknya bagus sekali, puas", "id", "positive"),
        ("Pelayanannya buruk dan mengecewakan", "id", "negative"),
    ],
)
def test_fast_tier_on_hand_written_texts(text, lang, expected):
    assert sentiment.score(sentiment.fast_model().probabilities([text], [lang]))[0][0] == expected

"""The shipped model files: size, and the training run's own checks recorded in metrics.json."""

import json
import os

from social_crm.nlp import sentiment

MODELS = sentiment.MODELS_DIR


def _metrics():
    with open(os.path.join(MODELS, "metrics.json"), encoding="utf-8") as handle:
        return json.load(handle)


def test_model_files_stay_small():
    total = sum(os.path.getsize(os.path.join(MODELS, name)) for name in os.listdir(MODELS))
    assert total < 40e6


def test_numpy_inference_reproduces_sklearn_on_the_held_out_split():
    for lang, check in _metrics()["numpy_vs_sklearn"].items():
        assert check["same"] == check["of"], lang


def test_fast_tier_at_least_the_baseline_in_every_language():
    metrics = _metrics()
    for lang, baseline in metrics["baseline"].items():
        assert metrics["fast"][lang] >= baseline, lang


def test_models_load_once():
    assert sentiment.fast_model() is sentiment.fast_model()


def test_accurate_tier_measured_on_every_held_out_text_and_never_under_the_baseline():
    metrics = _metrics()
    for lang, baseline in metrics["baseline"].items():
        assert metrics["accurate_details"][lang]["held_out"] == metrics["held_out_sizes"][lang], lang
        assert max(metrics["fast"][lang], metrics["accurate"][lang]) > baseline, lang


def test_accurate_tier_chose_its_combiner_by_cross_validation():
    for lang, details in _metrics()["accurate_details"].items():
        cv = details["cv"]
        assert cv[details["combiner"]] == max(cv.values()), lang
        assert cv[details["combiner"]] >= cv["fast"], lang


def test_shipped_combiners_are_well_formed():
    import numpy as np

    with np.load(os.path.join(MODELS, "sentiment_e5.npz")) as data:
        langs = [str(lang) for lang in data["langs"]]
        for lang in langs:
            assert 0.0 <= float(data[f"a_{lang}"]) <= 1.0, lang
            if f"s_{lang}" in data.files:
                assert data[f"s_{lang}"].shape == (3, 6) and data[f"t_{lang}"].shape == (3,), lang
            if f"o_{lang}" in data.files:
                assert data[f"o_{lang}"].shape == (3,), lang


def test_persian_well_above_the_baseline():
    metrics = _metrics()
    assert max(metrics["fast"]["fa"], metrics["accurate"]["fa"]) >= metrics["baseline"]["fa"] + 0.05

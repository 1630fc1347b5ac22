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

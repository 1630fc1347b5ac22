"""The transformers path with a tiny randomly initialised model written to a temporary folder."""

import logging

import pytest

from social_crm import nlp
from social_crm.nlp import transformers_backend

torch = pytest.importorskip("torch", reason="torch is not installed: the transformers path cannot be checked")
transformers = pytest.importorskip("transformers", reason="transformers is not installed")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-sentiment")
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "good": 4, "bad": 5, "ok": 6}
    raw = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    raw.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]"
    )
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        num_labels=3,
        id2label={0: "Negative", 1: "Neutral", 2: "Positive"},
        label2id={"Negative": 0, "Neutral": 1, "Positive": 2},
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    return str(folder)


def test_batches_and_maps_labels(tiny_model):
    texts = [("good ok" if i % 2 else "bad bad") for i in range(70)]
    results = nlp.analyze(texts, accurate=True, backend="transformers", model=tiny_model, batch_size=16)
    assert len(results) == 70
    assert {r.model for r in results} == {f"transformers:{tiny_model}"}
    assert all(r.sentiment in ("negative", "neutral", "positive") for r in results)
    assert all(-1 <= r.sentiment_score <= 1 for r in results)
    # same input, same output: batching does not mix rows up
    assert len({(r.sentiment, r.sentiment_score) for r in results[::2]}) == 1
    assert results[0].lang is None or isinstance(results[0].lang, str)


@pytest.mark.parametrize(
    "id2label,expected",
    [
        ({0: "negative", 1: "neutral", 2: "positive"}, ["negative", "neutral", "positive"]),
        ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, ["negative", "neutral", "positive"]),
        (
            {0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"},
            ["negative", "negative", "neutral", "positive", "positive"],
        ),
        ({0: "NEG", 1: "POS"}, ["negative", "positive"]),
    ],
)
def test_label_mapping(id2label, expected):
    mapping = transformers_backend.label_map(id2label)
    assert [mapping[i] for i in range(len(expected))] == expected


def test_missing_model_falls_back_with_one_log_line(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        results = nlp.analyze(["I love it", "great"], backend="transformers", model=str(tmp_path / "nothing"))
        nlp.analyze(["again"], backend="transformers", model=str(tmp_path / "nothing"))
    assert all(not r.model.startswith("transformers:") for r in results)
    assert caplog.text.count("transformers sentiment unavailable") == 1


def test_cuda_requested_without_cuda_runs_on_cpu(tiny_model, caplog):
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here: the fallback to the CPU cannot be observed")
    with caplog.at_level(logging.WARNING):
        results = nlp.analyze(["good", "bad"], backend="transformers", model=tiny_model, device="cuda")
    assert [r.model for r in results] == [f"transformers:{tiny_model}"] * 2
    assert "CUDA is not available" in caplog.text


def test_labels_from_the_models_own_config(tiny_model):
    _tokenizer, _model, mapping, _device = transformers_backend.load(tiny_model, "cpu")
    assert mapping == {0: "negative", 1: "neutral", 2: "positive"}


def test_no_model_configured_falls_back(caplog):
    with caplog.at_level(logging.WARNING):
        result = nlp.analyze(["I love it"], backend="transformers", model=None)[0]
    assert not result.model.startswith("transformers:")
    assert result.sentiment == "positive"

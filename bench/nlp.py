"""NLP speed and quality on the held-out split (same seed as scripts/train_nlp.py).

Prints texts/s for language detection (ours vs langdetect alone, one core),
fast and accurate sentiment, transformers with a small random model on CPU,
per-language macro-F1 (baseline / fast / accurate) from the training run, and model sizes.
Usage: python bench/nlp.py [--data ../shared/data] [--limit 3000]
"""

import argparse
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from train_nlp import load  # noqa: E402

import conftest  # noqa: E402,F401
from social_crm import nlp  # noqa: E402
from social_crm.nlp import language, sentiment  # noqa: E402


def rate(function, items, repeat=1):
    started = time.perf_counter()
    for _ in range(repeat):
        function(items)
    return len(items) * repeat / (time.perf_counter() - started)


def tiny_transformer(folder):
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaForSequenceClassification

    vocab = {"<pad>": 0, "<unk>": 1, "<s>": 2, "</s>": 3, **{f"w{i}": i + 4 for i in range(5000)}}
    raw = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=raw, pad_token="<pad>", unk_token="<unk>", cls_token="<s>",
                            sep_token="</s>").save_pretrained(folder)
    torch.manual_seed(0)
    config = XLMRobertaConfig(vocab_size=len(vocab), hidden_size=384, num_hidden_layers=12, num_attention_heads=12,
                              intermediate_size=1536, max_position_embeddings=514, num_labels=3,
                              id2label={0: "negative", 1: "neutral", 2: "positive"})
    XLMRobertaForSequenceClassification(config).save_pretrained(folder)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    parser.add_argument("--limit", type=int, default=3000)
    opts = parser.parse_args()
    _train, held = load(opts.data)
    texts, gold = [], []
    for lang in sorted(held):
        texts += held[lang][0][:300]
        gold += [lang] * len(held[lang][0][:300])
    texts, gold = texts[: opts.limit], gold[: opts.limit]
    print(f"machine: {os.cpu_count()} cores (OMP_NUM_THREADS=1); {len(texts)} held-out texts in {len(held)} languages")

    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    language.detect("warm up")
    sentiment.fast_model()

    def plain(batch):
        for text in batch:
            try:
                detect(text)
            except Exception:
                pass

    ours = rate(language.detect_many, texts)
    theirs = rate(plain, texts[:600])
    print(f"language detection: ours {ours:,.0f} texts/s, langdetect alone {theirs:,.0f} texts/s "
          f"({ours / theirs:.1f}x)")
    print("language accuracy:", json.dumps(language.evaluate(texts, gold)))
    print(f"analyze() fast tier (language + sentiment + intent): {rate(nlp.analyze, texts):,.0f} texts/s")
    fast = rate(lambda batch: sentiment.predict(batch, ["xx"] * len(batch)), texts)
    print(f"fast sentiment alone: {fast:,.0f} texts/s")
    if sentiment.accurate_model() is not None:
        sample = texts[:300]
        print(f"accurate tier (fast + e5 head): {rate(lambda b: nlp.analyze(b, accurate=True), sample):,.1f} texts/s")
    try:
        with tempfile.TemporaryDirectory() as folder:
            tiny_transformer(folder)
            sample = texts[:128]
            nlp.analyze(sample[:4], backend="transformers", model=folder, device="cpu")
            speed = rate(lambda b: nlp.analyze(b, backend="transformers", model=folder, device="cpu",
                                                batch_size=32), sample)
            print(f"transformers, random 12-layer H384 XLM-R classifier on CPU: {speed:,.1f} texts/s")
    except ImportError as exc:
        print(f"transformers not measured: {exc}")
    questions_path = os.path.join(opts.data, "intent", "th_wisesight_question_train.tsv")
    if os.path.exists(questions_path):
        import csv

        with open(questions_path, encoding="utf-8") as handle:
            questions = [row["text"] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
        others = held["th"][0][:len(questions)]
        asked = [r.intent == "question" for r in nlp.analyze(questions)]
        false = [r.intent == "question" for r in nlp.analyze(others)]
        recall = sum(asked) / len(asked)
        precision = sum(asked) / max(sum(asked) + sum(false), 1)
        print(f"Thai question intent: recall {recall:.3f} on {len(questions)} questions, precision {precision:.3f} "
              f"against as many non-questions")
    metrics_path = os.path.join(ROOT, "social_crm", "nlp", "models", "metrics.json")
    with open(metrics_path, encoding="utf-8") as handle:
        metrics = json.load(handle)
    print("macro-F1 on the held-out split (from the training run):")
    print(f"{'lang':5s} {'baseline':>9s} {'fast':>7s} {'accurate':>9s}")
    for lang in sorted(metrics["fast"]):
        print(f"{lang:5s} {metrics['baseline'][lang]:9.3f} {metrics['fast'][lang]:7.3f} "
              f"{metrics.get('accurate', {}).get(lang, float('nan')):9.3f}")
    models_dir = os.path.dirname(metrics_path)
    for name in sorted(os.listdir(models_dir)):
        print(f"model file {name}: {os.path.getsize(os.path.join(models_dir, name)) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()

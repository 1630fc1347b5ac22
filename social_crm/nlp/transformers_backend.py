"""Sentiment with a Hugging Face model (optional, stronger where installed).

``transformers`` and ``torch`` are imported here, lazily, never at module
import. The model (hub id or local folder) is loaded once per process and
device, run in batches, on CUDA when available; labels are read from the
model's own ``config.id2label``. Anything missing: one log line, and the
caller falls back to the offline model.
"""

import logging
import re
import threading

_logger = logging.getLogger(__name__)
_lock = threading.Lock()
_models = {}
_warned = set()


class Unavailable(RuntimeError):
    pass


def label_map(id2label):
    """Map each class index to negative / neutral / positive from the model's own labels."""
    mapping = {}
    count = len(id2label)
    for index, name in id2label.items():
        index = int(index)
        lowered = str(name).lower()
        if re.search(r"neg|bad|^0$", lowered):
            mapping[index] = "negative"
        elif re.search(r"neu|mixed|neither", lowered):
            mapping[index] = "neutral"
        elif re.search(r"pos|good", lowered):
            mapping[index] = "positive"
        elif stars := re.match(r"(\d)\s*star", lowered):
            value = int(stars.group(1))
            mapping[index] = "negative" if value <= 2 else "neutral" if value == 3 else "positive"
        elif re.fullmatch(r"label_(\d+)", lowered):
            position = int(lowered.split("_")[1])
            if count == 3:
                mapping[index] = ("negative", "neutral", "positive")[position]
            elif count == 2:
                mapping[index] = ("negative", "positive")[position]
            else:
                third = position * 3 // count
                mapping[index] = ("negative", "neutral", "positive")[min(third, 2)]
        else:
            raise Unavailable(f"cannot map label {name!r} to a sentiment")
    return mapping


def load(model_name, device="auto"):
    """(tokenizer, model, label mapping, device), loaded once per process and device."""
    key = (model_name, device)
    if key in _models:
        return _models[key]
    with _lock:
        if key in _models:
            return _models[key]
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:
            raise Unavailable(f"transformers or torch is not installed ({exc})") from exc
        target = device
        if device == "auto" or (device == "cuda" and not torch.cuda.is_available()):
            if device == "cuda":
                _logger.warning("social_crm: CUDA is not available; the transformers model runs on the CPU")
            target = "cuda" if torch.cuda.is_available() else "cpu"
        try:
            tokenizer = AutoTokenizer.from_pretrained(model_name)
            model = AutoModelForSequenceClassification.from_pretrained(model_name)
            model.to(target).eval()
        except Exception as exc:  # missing weights, no network, bad folder, device trouble
            raise Unavailable(f"cannot load {model_name!r}: {exc}") from exc
        loaded = (tokenizer, model, label_map(model.config.id2label), target)
        _models[key] = loaded
        return loaded


def predict(texts, model_name, device="auto", batch_size=32, max_length=256):
    """[(label, score, model name)] per text; raises Unavailable when the backend cannot run."""
    tokenizer, model, mapping, device = load(model_name, device)
    import torch  # importable: load() succeeded

    name = f"transformers:{model_name}"
    results = []
    batch_size = max(int(batch_size or 32), 1)
    for start in range(0, len(texts), batch_size):
        batch = [t or "." for t in texts[start : start + batch_size]]
        try:
            encoded = tokenizer(batch, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            encoded = {key: value.to(device) for key, value in encoded.items()}
            with torch.inference_mode():
                probabilities = torch.softmax(model(**encoded).logits.float(), dim=-1).cpu().numpy()
        except Exception as exc:  # out of memory, a tokenizer without padding...: the offline model takes over
            raise Unavailable(f"{model_name!r} failed on a batch: {exc}") from exc
        for row in probabilities:
            totals = {"negative": 0.0, "neutral": 0.0, "positive": 0.0}
            for index, value in enumerate(row):
                totals[mapping[index]] += float(value)
            label = max(totals, key=totals.get)
            results.append((label, round(totals["positive"] - totals["negative"], 4), name))
    return results


def warn_once(reason):
    if reason not in _warned:
        _warned.add(reason)
        _logger.warning("social_crm: transformers sentiment unavailable (%s); using the offline model", reason)

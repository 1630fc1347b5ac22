"""People's corrections exported from Odoo are folded into the training texts by scripts/train_nlp.py."""

import importlib.util
import io
import pathlib
import zipfile

import pytest

from social_crm.tools.training_files import corrections_zip

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def train_nlp():
    pytest.importorskip("sklearn", reason="the training script needs scikit-learn (requirements-train.txt)")
    spec = importlib.util.spec_from_file_location("train_nlp", ROOT / "scripts" / "train_nlp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_exported_corrections_are_read_with_the_training_files(train_nlp, tmp_path):
    (tmp_path / "sentiment").mkdir()
    for names in train_nlp.FILES.values():
        for name in names:
            (tmp_path / "sentiment" / name).write_text("text\tlabel\nok fine\tneutral\n", encoding="utf-8")
    rows = [{"body": "This is unacceptable, fix it now!", "lang": "en", "sentiment": "negative", "intent": "complaint"}]
    zipfile.ZipFile(io.BytesIO(corrections_zip(rows))).extractall(tmp_path)
    texts, labels, _groups = train_nlp.load_all(str(tmp_path))["en"]
    assert ("This is unacceptable, fix it now!", "negative") in list(zip(texts, labels))
    th_texts, _labels, _groups = train_nlp.load_all(str(tmp_path))["th"]
    assert "This is unacceptable, fix it now!" not in th_texts

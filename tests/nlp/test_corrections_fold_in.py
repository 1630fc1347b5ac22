"""People's corrections exported from Odoo are folded into the training texts by scripts/train_nlp.py."""

import io
import zipfile

import pytest

import social_crm_path
from social_crm.tools.training_files import corrections_zip


@pytest.fixture(scope="module")
def train_nlp():
    pytest.importorskip("sklearn", reason="the training script needs scikit-learn (requirements-train.txt)")
    return social_crm_path.load_file("train_nlp", "scripts/train_nlp.py")


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

"""People's corrections of the analysis, written in the training data's format.

The training files are tab-separated ``text<TAB>label`` with a header, one file
per language and task (``sentiment/<lang>_<source>_train.tsv``,
``intent/<lang>_<source>_train.tsv``); ``scripts/train_nlp.py`` reads every file
of those folders, so corrections unpacked next to them are folded in.
"""

import csv
import io
import zipfile
from collections import defaultdict

SOURCE = "corrections"


def corrections_zip(rows):
    """Zip bytes from mention rows (dicts with body, lang, sentiment, intent)."""
    files = defaultdict(list)
    for row in rows:
        text = " ".join((row.get("body") or "").split())
        if not text:
            continue
        lang = row.get("lang") or "xx"
        if row.get("sentiment"):
            files[f"sentiment/{lang}_{SOURCE}_train.tsv"].append((text, row["sentiment"]))
        if row.get("intent"):
            files[f"intent/{lang}_{SOURCE}_train.tsv"].append((text, row["intent"]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, pairs in sorted(files.items()):
            out = io.StringIO()
            writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(["text", "label"])
            writer.writerows(pairs)
            archive.writestr(name, out.getvalue())
    return buffer.getvalue()

"""Thai and Persian are first-class: every string of the template is translated, placeholders intact."""

import ast
import re
from pathlib import Path

import pytest

I18N = Path(__file__).resolve().parents[1] / "social_crm" / "i18n"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def messages(name):
    """{msgid: (msgstr, fuzzy)} of a gettext file (this project's files use neither plurals nor contexts)."""
    entries, current, field, fuzzy = {}, None, None, False

    def close():
        if current and current["msgid"]:
            entries[current["msgid"]] = (current["msgstr"], current["fuzzy"])

    for line in (I18N / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            close()
            current, field = {"msgid": "", "msgstr": "", "fuzzy": fuzzy}, "msgid"
            current["msgid"] = ast.literal_eval(line[6:])
            fuzzy = False
        elif line.startswith("msgstr "):
            field = "msgstr"
            current["msgstr"] = ast.literal_eval(line[7:])
        elif line.startswith('"') and current is not None:
            current[field] += ast.literal_eval(line)
        elif line.startswith(("msgctxt", "msgid_plural")):
            raise AssertionError(f"{name}: {line.split()[0]} is not expected here")
    close()
    return entries


TEMPLATE = messages("social_crm.pot")


def test_the_template_is_not_empty():
    assert len(TEMPLATE) > 500


@pytest.mark.parametrize("lang", ["th", "fa"])
def test_every_string_is_translated(lang):
    catalog = messages(f"{lang}.po")
    missing = [msgid for msgid in TEMPLATE if not catalog.get(msgid, ("", False))[0]]
    assert missing == [], f"{len(missing)} strings untranslated in {lang}.po, e.g. {missing[:3]}"
    assert [msgid for msgid, (_text, fuzzy) in catalog.items() if fuzzy] == []


@pytest.mark.parametrize("lang", ["th", "fa"])
def test_placeholders_survive_translation(lang):
    catalog = messages(f"{lang}.po")
    broken = [
        msgid
        for msgid in TEMPLATE
        if catalog.get(msgid, ("", False))[0]
        and sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(catalog[msgid][0]))
    ]
    assert broken == []

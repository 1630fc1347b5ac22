"""Thai and Persian are first-class: every string of the template is translated, placeholders intact."""

import re
from pathlib import Path

import polib
import pytest

I18N = Path(__file__).resolve().parents[1] / "social_crm" / "i18n"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def messages(name):
    """{msgid: (msgstr, fuzzy)} of a gettext file (this project's files use neither plurals nor contexts)."""
    catalog = polib.pofile(str(I18N / name))
    odd = [entry.msgid for entry in catalog if entry.msgctxt or entry.msgid_plural]
    assert not odd, f"{name}: contexts or plurals are not expected here: {odd[:3]}"
    return {entry.msgid: (entry.msgstr, entry.fuzzy) for entry in catalog if entry.msgid and not entry.obsolete}


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

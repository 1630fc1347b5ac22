"""Thai and Persian are first-class: every string of the template is translated, placeholders intact."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def messages(addon, name):
    """{msgid: (msgstr, fuzzy)} of a gettext file (this project's files use neither plurals nor contexts)."""
    catalog = polib.pofile(str(ROOT / addon / "i18n" / name))
    odd = [entry.msgid for entry in catalog if entry.msgctxt or entry.msgid_plural]
    assert not odd, f"{name}: contexts or plurals are not expected here: {odd[:3]}"
    return {entry.msgid: (entry.msgstr, entry.fuzzy) for entry in catalog if entry.msgid and not entry.obsolete}


ADDONS = {"social_crm": 500, "social_crm_lead": 100}  # each addon's template, and a floor on its size
CASES = [(addon, lang) for addon in ADDONS for lang in ("th", "fa")]


@pytest.mark.parametrize("addon", list(ADDONS))
def test_the_template_is_not_empty(addon):
    assert len(messages(addon, f"{addon}.pot")) > ADDONS[addon]


@pytest.mark.parametrize("addon,lang", CASES)
def test_every_string_is_translated(addon, lang):
    template = messages(addon, f"{addon}.pot")
    catalog = messages(addon, f"{lang}.po")
    missing = [msgid for msgid in template if not catalog.get(msgid, ("", False))[0]]
    assert missing == [], f"{len(missing)} strings untranslated in {addon}/i18n/{lang}.po, e.g. {missing[:3]}"
    assert [msgid for msgid, (_text, fuzzy) in catalog.items() if fuzzy] == []


@pytest.mark.parametrize("addon,lang", CASES)
def test_placeholders_survive_translation(addon, lang):
    template = messages(addon, f"{addon}.pot")
    catalog = messages(addon, f"{lang}.po")
    broken = [
        msgid
        for msgid in template
        if catalog.get(msgid, ("", False))[0]
        and sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(catalog[msgid][0]))
    ]
    assert broken == []

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The writing direction of a post from its detected language, for the ``dir`` attribute of its text.

Odoo drops ``dir="auto"`` from fields in views, so screens and mails set the
direction themselves: a Persian post stays right-to-left in an English
interface, an English post left-to-right in a Persian one, and punctuation
stays where its author put it.
"""

RTL_LANGS = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "ckb", "dv", "sd", "ug"})


def text_direction(lang):
    """``rtl`` or ``ltr`` for an ISO 639-1 code (``fa``, ``en_US``...), ``auto`` when unknown."""
    code = (lang or "").lower().replace("-", "_").split("_")[0]
    if not code:
        return "auto"
    return "rtl" if code in RTL_LANGS else "ltr"

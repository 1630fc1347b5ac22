# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One line of a text, cut to a title's size (no ``odoo`` import).

``textwrap.shorten`` drops whole words, so a Thai sentence (no spaces between words) would shrink to its
placeholder alone: titles here cut at the last space near the end where there is one, else between characters.
"""

ELLIPSIS = "…"


def shorten(text, size):
    """``text`` on one line, at most ``size`` characters, an ellipsis where it was cut."""
    text = " ".join((text or "").split())
    if len(text) <= size:
        return text
    cut = text[: size - 1]
    space = cut.rfind(" ")
    if space >= size * 2 // 3:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS

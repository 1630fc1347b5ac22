"""What looks like private data in a text that is about to be published (no ``odoo`` import).

``find(text)`` returns the kinds found (``email``, ``phone``, ``card``), in this order; the models turn them into
words (``social_crm.approval.mixin._private_data_found``).
"""

import re

PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "email"),
    (re.compile(r"(?<!\w)\+?\d[\d\s().-]{7,}\d(?!\w)"), "phone"),
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "card"),
]
KINDS = tuple(kind for _pattern, kind in PATTERNS)
# In a private message a phone number or an e-mail address is normal; a card number still is not.
NORMAL_IN_PRIVATE = frozenset({"email", "phone"})


def find(text, private=False):
    """The kinds of private data that ``text`` seems to contain; ``private``: a private message's answer."""
    text = text or ""
    return [kind for pattern, kind in PATTERNS if not (private and kind in NORMAL_IN_PRIVATE) and pattern.search(text)]

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How alike two short posts are, in any script: Jaccard overlap of character trigrams of the normalized text.

Character trigrams work the same for languages written without spaces (Thai) and with them; links and
@handles are left out, so two people quoting the same outage are compared on what they say.
"""

import re
import unicodedata

_LINKS_AND_HANDLES = re.compile(r"https?://\S+|@\S+")
_SPACES = re.compile(r"\s+")


def normalize(text):
    """Case-folded text without links, handles, punctuation and symbols (marks such as Thai vowels stay)."""
    text = _LINKS_AND_HANDLES.sub(" ", unicodedata.normalize("NFKC", text or "").casefold())
    text = "".join(" " if unicodedata.category(char)[0] in "PSC" else char for char in text)
    return _SPACES.sub(" ", text).strip()


def trigrams(text):
    text = normalize(text)
    if len(text) < 3:
        return {text} if text else set()
    return {text[index : index + 3] for index in range(len(text) - 2)}


def similarity(first, second):
    """0.0 (nothing shared) to 1.0 (same text once normalized)."""
    a, b = trigrams(first), trigrams(second)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)

"""How long a text is, counted the way each network counts it.

- Bluesky: extended grapheme clusters (what a reader sees as one character:
  a Thai consonant with its vowel and tone marks, an emoji with its skin tone
  or a family joined by ZWJ), limit 300; also at most 3000 UTF-8 bytes.
- X: twitter-text's weighted length: code points in U+0000-U+10FF,
  U+2000-U+200D, U+2010-U+201F and U+2032-U+2037 weigh 1, every other code
  point 2 (CJK, Hangul, most symbols; Thai and Persian weigh 1), an emoji sequence counts 2 as a whole, every URL
  counts 23; limit 280. The text is NFC-normalized first, as X does.
- Mastodon: code points, every URL counts 23, a remote mention
  ``@user@domain`` counts as ``@user``; limit 500.
- Everyone else: code points.

Graphemes come from the ``regex`` module's ``\\X`` when it is installed, else
from a small approximation of the Unicode rules (marks, joiners, variation
selectors, emoji modifiers, regional-indicator pairs, Hangul jamo).
"""

import re
import unicodedata

try:  # optional: exact extended grapheme clusters
    import regex as _regex
except ImportError:  # pragma: no cover - depends on the environment
    _regex = None

URL_LENGTH = 23
URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]", re.IGNORECASE)
MASTODON_REMOTE_MENTION = re.compile(r"(?<![\w@])(@[\w.-]+)@[\w.-]+\.[a-z]{2,}", re.IGNORECASE)
X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_ZWJ = 0x200D


def graphemes(text):
    """The text's user-perceived characters (extended grapheme clusters)."""
    if not text:
        return []
    if _regex is not None:
        return _regex.findall(r"\X", text)
    return _approximate_graphemes(text)


def grapheme_length(text):
    return len(graphemes(text))


def _extends(char, previous):
    """True when ``char`` continues the cluster ``previous`` ends (approximation of UAX #29)."""
    code = ord(char)
    if previous is None:
        return False
    last = ord(previous[-1])
    if previous[-1] == "\r" and char == "\n":
        return True
    if last == _ZWJ:  # emoji ZWJ sequences (GB11, approximated: whatever follows a ZWJ joins)
        return True
    if code == _ZWJ or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or 0xE0020 <= code <= 0xE007F:
        return True  # joiner, variation selectors, emoji tag characters
    if 0x1F3FB <= code <= 0x1F3FF:  # emoji skin-tone modifiers
        return True
    if 0x1F1E6 <= code <= 0x1F1FF and 0x1F1E6 <= last <= 0x1F1FF:
        # regional indicators pair up into flags: join only the second of a pair
        count = sum(1 for c in previous if 0x1F1E6 <= ord(c) <= 0x1F1FF)
        return count % 2 == 1
    if 0x1160 <= code <= 0x11FF or 0xD7B0 <= code <= 0xD7FF:  # Hangul jamo vowels and trailing consonants
        return True
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Mc"):
        return True
    return code == 0x0E33 or code == 0x0EB3  # Thai and Lao SARA AM are spacing marks


def _approximate_graphemes(text):
    clusters = []
    for char in text:
        if clusters and _extends(char, clusters[-1]):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _is_emoji_cluster(cluster):
    return any(ord(char) >= 0x1F000 or ord(char) in (0xFE0F, _ZWJ) for char in cluster)


def x_weight(char):
    code = ord(char)
    return 1 if any(low <= code <= high for low, high in X_LIGHT_RANGES) else 2


def x_length(text):
    """X's weighted length: 280 is the limit."""
    text = unicodedata.normalize("NFC", text or "")
    total, position = 0, 0
    for match in URL_RE.finditer(text):
        total += _x_plain_length(text[position : match.start()]) + URL_LENGTH
        position = match.end()
    return total + _x_plain_length(text[position:])


def _x_plain_length(text):
    total = 0
    for cluster in graphemes(text):
        total += 2 if _is_emoji_cluster(cluster) else sum(x_weight(char) for char in cluster)
    return total


def mastodon_length(text):
    text = MASTODON_REMOTE_MENTION.sub(r"\1", text or "")
    return len(URL_RE.sub("x" * URL_LENGTH, text))


def code_points(text):
    return len(text or "")

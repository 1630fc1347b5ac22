# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What identifies a person in free text, and how it is scrubbed (no ``odoo`` import).

Two kinds of strings point at a person:

* **unique identifiers**: their handle written as ``@handle`` (or a handle no
  common word can equal, such as ``janina.test``), their profile and avatar
  links, their network id, the links and ids of their posts. They may be
  searched and replaced anywhere in their company's social data.
* **names and words**: their display name and what they wrote. A first name is
  common ("Anna"): these are replaced only inside the person's own records
  (their posts, conversations, replies to them, their tickets), never elsewhere.

``identifiers_of`` sorts a person's strings into those two kinds; ``PersonText``
finds and replaces them.
"""

import html
import os
import re

# A title or a conversation name is cut from the start of a post: this much of the start is enough to recognize it.
WORDS_PREFIX = 40
# Shorter strings are never treated as identifying anyone (a one-letter name, "@a").
MIN_LENGTH = 2
# A network id this short (a small number) could be anything in a text.
MIN_ID_LENGTH = 6
_TAGS = re.compile(r"<[^>]*>")
_PLAIN_HANDLE = re.compile(r"[^\W\d_]+")


def normalize(text):
    """The text on one line, runs of white space as one space."""
    return " ".join((text or "").split())


def html_to_text(value):
    """The visible text of an HTML fragment, good enough to look for a quote in it."""
    return normalize(html.unescape(_TAGS.sub(" ", str(value or ""))))


def like(value):
    """An ILIKE pattern matching ``value`` anywhere, its wildcards escaped."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def handle_forms(handle):
    """The ways a handle is written: ``@anna.k`` always; ``anna.k`` bare too unless a word could equal it.

    Returns (unique, common): ``common`` holds a bare handle that is a plain word ("anna"), which names the
    person only inside their own records.
    """
    bare = (handle or "").strip().lstrip("@")
    if len(bare) < MIN_LENGTH:
        return [], []
    if _PLAIN_HANDLE.fullmatch(bare):
        return ["@" + bare], [bare]
    return ["@" + bare, bare], []


def identifiers_of(identities, mentions):
    """The strings that point at a person, from their identities and their own posts (plain dicts).

    ``identities``: dicts with handle, name, profile_url, avatar_url, external_id, bio.
    ``mentions``: dicts with author_name, author_handle, url, external_id, body.
    Returns (unique, names, words): unique identifiers, display names (and plain-word handles), own words.
    """
    unique, names, words = [], [], []
    for identity in identities:
        forms, common = handle_forms(identity.get("handle"))
        unique += forms + [identity.get("profile_url"), identity.get("avatar_url")]
        names += common + [identity.get("name")]
        external_id = identity.get("external_id") or ""
        if len(external_id) >= MIN_ID_LENGTH:
            unique.append(external_id)
        words.append(identity.get("bio"))
    for mention in mentions:
        forms, common = handle_forms(mention.get("author_handle"))
        unique += forms + [mention.get("url")]
        names += common + [mention.get("author_name")]
        external_id = mention.get("external_id") or ""
        if len(external_id) >= MIN_ID_LENGTH:
            unique.append(external_id)
        words.append(mention.get("body"))
    clean = lambda values: sorted({v.strip() for v in values if v and len(v.strip()) >= MIN_LENGTH})  # noqa: E731
    return clean(unique), clean(names), clean(words)


class PersonText:
    """Finds a person's identifiers and own words in texts, and replaces them.

    ``scrub`` replaces them inside a text written by someone else; ``quotes``
    tells whether a text was made from their words or names them, to replace a
    whole title, description or chatter message.
    """

    def __init__(self, identifiers, words, placeholder):
        self.placeholder = placeholder
        idents = sorted({i.strip() for i in identifiers if i and len(i.strip()) >= MIN_LENGTH}, key=len, reverse=True)
        self.identifiers = idents
        self.pattern = (
            re.compile("|".join(rf"(?<!\w){re.escape(i)}(?!\w)" for i in idents), re.IGNORECASE) if idents else None
        )
        self.words = sorted({normalize(w) for w in words if normalize(w)}, key=len, reverse=True)
        # The start of each text is enough to recognize a title cut from it; a short text must stand as whole words.
        self.words_pattern = (
            re.compile(
                "|".join(
                    rf"(?<!\w){re.escape(w[:WORDS_PREFIX])}" + ("" if len(w) > WORDS_PREFIX else r"(?!\w)")
                    for w in self.words
                ),
                re.IGNORECASE,
            )
            if self.words
            else None
        )

    def __bool__(self):
        return bool(self.identifiers or self.words)

    def like_patterns(self):
        """ILIKE patterns that find candidate rows in one query (checked precisely in Python afterwards)."""
        return [like(i) for i in self.identifiers] + [like(w[:WORDS_PREFIX]) for w in self.words]

    def quotes(self, text):
        plain = normalize(text)
        if not plain:
            return False
        if self.words_pattern and self.words_pattern.search(plain):
            return True
        return bool(self.pattern and self.pattern.search(plain))

    def quotes_html(self, value):
        return bool(value) and self.quotes(html_to_text(value))

    def scrub(self, text):
        """The text with the person's words and identifiers replaced; False stays False."""
        if not text:
            return text
        result = text
        if self.words_pattern and self.words_pattern.search(normalize(result)):
            result = self._replace_quotes(normalize(result))
        if self.pattern:
            result = self.pattern.sub(self.placeholder, result)
        return result

    def _replace_quotes(self, text):
        """Replace each quote of the person's words: from where one of their texts starts, as far as it matches."""
        parts, pos = [], 0
        while match := self.words_pattern.search(text, pos):
            start = match.start()
            rest = text[start:].lower()
            length = max(len(os.path.commonprefix([rest, w.lower()])) for w in self.words)
            parts += [text[pos:start], self.placeholder]
            pos = start + max(length, 1)
        return "".join(parts) + text[pos:]

    def scrub_data(self, value):
        """The same inside JSON data (network payloads kept to answer a post)."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_data(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub_data(v) for k, v in value.items()}
        return value

"""Text, date and number helpers shared by the clients."""

import html
import re
import unicodedata
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

TEXT_MAX = 100_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")  # PostgreSQL stores neither NUL nor lone surrogates
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_BLOCK_TAGS = {"p", "div", "br", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "pre"}
_DROP_TAGS = {"script", "style", "template", "noscript", "head", "title"}


_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:@,()=+~!$*'-]{1,512}$")
_AT_URI = re.compile(r"^at://[A-Za-z0-9._:%-]+/[A-Za-z0-9.-]+/[A-Za-z0-9._~:-]+$")


class BadItem(ValueError):
    """One item of a page cannot be read; the rest of the page still lands."""


def check_id(value, what="id"):
    """``value`` if it is a network id that cannot change a request's host or path, else BadItem.

    Ids never hold ``/``, ``?``, ``#``, ``%``, ``\\``, spaces or ``..``; Bluesky's
    at:// URIs are checked by ``check_at_uri``. None stays None.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadItem(f"{what} is {type(value).__name__}, not a string")
    text = storable(str(value))  # NUL and lone surrogates go anyway (scrub_item): judge what is kept
    if not _SAFE_ID.match(text) or ".." in text or text == ".":
        raise BadItem(f"{what} {text[:80]!r} holds characters a network id never has")
    return text


def check_at_uri(value, what="uri"):
    """An AT Protocol record URI ``at://did/collection/rkey``, else BadItem. None stays None."""
    if value is None:
        return None
    if not isinstance(value, str) or not _AT_URI.match(storable(value)) or ".." in value:
        raise BadItem(f"{what} {str(value)[:80]!r} is not an at:// record URI")
    return storable(value)


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.dropping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _DROP_TAGS:
            self.dropping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _DROP_TAGS:
            self.dropping = max(self.dropping - 1, 0)
        elif tag in _BLOCK_TAGS and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.dropping:
            self.parts.append(data)


def html_to_text(value):
    """Plain text of an HTML fragment: tags and scripts gone, entities decoded."""
    if not value:
        return ""
    parser = _TextExtractor()
    try:
        parser.feed(value)
        parser.close()
    except Exception:  # html.parser is lenient; never let markup lose a post
        return clean_text(html.unescape(re.sub(r"<[^>]*>", " ", value)))
    return clean_text("".join(parser.parts))


def clean_text(value):
    """Normalize whitespace, drop control characters and lone surrogates, cap the length."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        raise BadItem(f"text is {type(value).__name__}, not a string")
    value = unicodedata.normalize("NFC", _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")))
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    value = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return value[:TEXT_MAX]


def storable(value):
    """``value`` with NUL characters and lone surrogates removed from every string in it (dicts, lists too)."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("", value) if _UNSTORABLE.search(value) else value
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value


def scrub_fields(holder):
    """Make every string attribute of a dataclass (an ``Author`` from a profile API, ...) storable."""
    for name, value in vars(holder).items():
        if isinstance(value, (str, dict, list)):
            setattr(holder, name, storable(value))
    return holder


def scrub_item(item):
    """Make every string of a normalized item storable, whatever field of the payload it came from."""
    scrub_fields(item)
    if item.author:
        scrub_fields(item.author)
    return item


def looks_like_html(value):
    return bool(value) and "<" in value and re.search(r"</?[a-zA-Z][^>]*>", value) is not None


def parse_datetime(value):
    """A timezone-aware UTC datetime from ISO 8601, RFC 822, Facebook's +0000 form or epoch seconds/ms."""
    if value is None or value == "":
        raise BadItem("missing date")
    if isinstance(value, bool):
        raise BadItem(f"invalid date {value!r}")
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError) as exc:
            raise BadItem(f"invalid date {value!r}") from exc
    if not isinstance(value, str):
        raise BadItem(f"invalid date {value!r}")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)  # 3.11 reads "Z", "+0000" and nanoseconds itself
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError) as exc:
            raise BadItem(f"invalid date {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def safe_int(value):
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def require_str(mapping, key, what=None):
    """A non-empty string (or number) field of a payload, as a string; BadItem otherwise."""
    if not isinstance(mapping, dict):
        raise BadItem(f"{what or 'item'} is not an object")
    value = mapping.get(key)
    if isinstance(value, bool) or value is None or value == "":
        raise BadItem(f"missing {key}")
    if isinstance(value, (int, float)):
        return str(int(value))
    if not isinstance(value, str):
        raise BadItem(f"{key} is {type(value).__name__}, not a string")
    return value


def as_dict(value):
    return value if isinstance(value, dict) else {}


def as_list(value):
    return value if isinstance(value, list) else []

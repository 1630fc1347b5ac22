"""RSS 2.0 and Atom 1.0 feeds of blogs and forums.

``base_url`` is the feed URL; ``login`` and ``token`` are unused (a token, if
given, is sent as a Bearer token for private feeds). Conditional GET with
ETag / Last-Modified. Feeds are parsed with ``defusedxml`` in every path
(whatever the encoding, UTF-16 included, and in the re-parse of broken bytes),
with DTDs forbidden: no XXE, no entity expansion (billion laughs), no network
access from the parser.
"""

import hashlib
import re
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from . import errors
from .base import BaseClient, dump_state, load_state
from .models import Author, FetchPage, Item
from .utils import BadItem, clean_text, html_to_text, looks_like_html, parse_datetime

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
SEEN_IDS_KEPT = 2000


def parse_xml(body, label="the feed"):
    """Parse a feed safely: defused parser, no DTD, no entity declarations (any encoding)."""
    head = body[:4096] if len(body) > 4096 else body
    if _DOCTYPE.search(head) or b"<!ENTITY" in body:  # cheap early refusal; the parser refuses them too
        raise _dtd_refused(label)
    try:
        return _parse(body, label)
    except ParseError as exc:
        # Broken bytes in a declared encoding: keep the feed, with replacement characters.
        declared = re.search(rb'encoding=["\']([A-Za-z0-9._-]+)', head)
        try:
            text = body.decode(declared.group(1).decode() if declared else "utf-8", errors="replace")
        except LookupError:
            raise errors.BadPayload(
                f"{label} declares an unknown character set ({declared.group(1).decode(errors='replace')}).", "feed"
            ) from exc
        try:
            return _parse(re.sub(r"^\s*<\?xml[^>]*\?>", "", text), label)
        except ParseError:
            raise errors.BadPayload(f"{label} is not well-formed XML ({exc}).", "feed") from exc


def _parse(document, label):
    """Only ever the defused parser, with DTDs forbidden; what it refuses becomes a BadPayload."""
    try:
        return defused_fromstring(document, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise _dtd_refused(label) from exc
    except LookupError as exc:
        raise errors.BadPayload(f"{label} declares an unknown character set.", "feed") from exc
    except RecursionError as exc:
        raise errors.BadPayload(f"{label} is nested too deeply to be read.", "feed") from exc
    except ValueError as exc:  # e.g. an encoding expat cannot read (multi-byte codecs)
        raise errors.BadPayload(f"{label} cannot be read ({exc}).", "feed") from exc


def _dtd_refused(label):
    return errors.BadPayload(f"{label} declares a DTD or entities, which are refused for safety.", "feed")


def _text(element, path):
    found = element.find(path)
    return (found.text or "").strip() if found is not None and found.text else ""


class FeedClient(BaseClient):
    network = "feed"
    label = "the feed"
    max_length = 0
    can_reply = False

    def verify(self):
        root, _response = self._get_document({})
        title = _text(root, f"{ATOM}title") or _text(root, "channel/title") or self.base_url
        return Author(external_id=self.base_url, name=clean_text(title), profile_url=self.base_url)

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        state = load_state(cursor)
        root, response = self._get_document(state)
        if root is None:  # 304 Not Modified
            yield FetchPage(items=[], cursor=cursor, has_more=False)
            return
        raw_entries = root.findall(f"{ATOM}entry") or root.findall("channel/item") or root.findall("item")
        words = [kw.lower() for kw in keywords if kw]
        page = self.make_page(raw_entries, lambda entry: self._normalize(entry, words), None, False)
        seen = state.get("seen") or []
        page.items = [item for item in page.items if item.external_id not in seen]
        new_state = {
            "etag": response.headers.get("ETag") or "",
            "modified": response.headers.get("Last-Modified") or "",
            "seen": ([item.external_id for item in page.items] + seen)[:SEEN_IDS_KEPT],
        }
        page.cursor = dump_state(new_state)
        yield page

    def _get_document(self, state):
        headers = {"Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5"}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("modified"):
            headers["If-Modified-Since"] = state["modified"]
        response = self.request("GET", self.base_url, headers=headers, expect_json=False, allow_status=(304,))
        if response.status_code == 304:
            return None, response
        root = parse_xml(response._social_body, f"The feed {self.base_url}")
        if root.tag not in (f"{ATOM}feed", "rss", "channel", "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"):
            raise errors.BadPayload(f"{self.base_url} is neither an RSS nor an Atom feed.", self.network)
        return root, response

    def _normalize(self, entry, words):
        if entry.tag == f"{ATOM}entry":
            ext_id = _text(entry, f"{ATOM}id")
            link = ""
            for candidate in entry.findall(f"{ATOM}link"):
                if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                    link = candidate.get("href")
                    break
            title = _text(entry, f"{ATOM}title")
            content = entry.find(f"{ATOM}content")
            if content is None:
                content = entry.find(f"{ATOM}summary")
            body = "".join(content.itertext()) if content is not None else ""
            is_html = content is not None and content.get("type") in ("html", "xhtml")
            date = _text(entry, f"{ATOM}published") or _text(entry, f"{ATOM}updated")
            author_name = _text(entry, f"{ATOM}author/{ATOM}name")
            author_uri = _text(entry, f"{ATOM}author/{ATOM}uri")
        else:
            link = _text(entry, "link")
            ext_id = _text(entry, "guid") or link
            title = _text(entry, "title")
            body = _text(entry, f"{CONTENT}encoded") or _text(entry, "description")
            is_html = True
            date = _text(entry, "pubDate") or _text(entry, f"{DC}date")
            author_name = _text(entry, f"{DC}creator") or _text(entry, "author")
            author_uri = ""
        if not ext_id:
            ext_id = link or hashlib.sha1((title + body).encode()).hexdigest()
        text = html_to_text(body) if is_html or looks_like_html(body) else clean_text(body)
        if title and not text.startswith(title):
            text = clean_text(f"{html_to_text(title)}\n{text}")
        if not text:
            raise BadItem("empty entry")
        if words and not any(word in text.lower() for word in words):
            return None
        author_key = author_uri or author_name or self.base_url
        return Item(
            external_id=ext_id,
            author=Author(external_id=author_key, name=clean_text(author_name), profile_url=author_uri),
            text=text,
            posted_at=parse_datetime(date),
            url=link,
            root_id=ext_id,
            kind="post",
        )

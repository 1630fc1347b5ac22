"""Plain data the clients hand to Odoo: one normalized shape for every network."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Author:
    external_id: str
    handle: str = ""
    name: str = ""
    profile_url: str = ""
    avatar_url: str = ""
    followers: int | None = None
    bio: str = ""


@dataclass
class Item:
    """One post, comment or reply."""

    external_id: str
    author: Author
    text: str
    posted_at: datetime  # timezone-aware, UTC
    url: str = ""
    parent_id: str | None = None  # the post this one answers
    root_id: str | None = None  # the conversation's first post; itself for a root post
    is_own: bool = False  # written by the brand account itself
    kind: str = "mention"  # mention | reply | quote | comment | post
    lang: str | None = None  # language the network reports, if any
    visibility: str = "public"  # "private" for direct messages received by webhook
    extra: dict = field(default_factory=dict)  # what a later reply needs (cid, media id, ...)


@dataclass
class FetchPage:
    items: list
    cursor: str | None  # store it only once this page is saved; fetching from it again loses nothing
    has_more: bool
    skipped: list = field(default_factory=list)  # one line per malformed item left out


@dataclass
class Media:
    """An image to publish."""

    filename: str
    mimetype: str
    data: bytes
    alt: str = ""
    url: str = ""  # a public https address of the same image, for networks that fetch it themselves (Instagram)
    preview_url: str = ""  # a public https address of a small version (LINE's previewImageUrl)

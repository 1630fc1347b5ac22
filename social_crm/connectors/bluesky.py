"""Bluesky (AT Protocol) over XRPC.

``base_url``: the PDS (default https://bsky.social); ``login``: handle or email;
``token``: an app password. Mentions, replies and quotes come from
``app.bsky.notification.listNotifications``; keywords from
``app.bsky.feed.searchPosts``. Replies carry ``reply.root``/``reply.parent``
and facets (UTF-8 byte offsets) for every @handle and link in the text.
"""

import re
import unicodedata
from datetime import datetime, timezone

from . import errors, media, textlength
from .base import BaseClient, dump_state, engagement_counts, load_state, newer_than
from .models import Author, Item
from .utils import BadItem, as_dict, as_list, check_at_uri, clean_text, parse_datetime, require_str, safe_int

THREAD_DEPTH = 6
MAX_BYTES = 3000  # app.bsky.feed.post text: 300 graphemes and 3000 UTF-8 bytes
MENTION_REASONS = ("mention", "reply", "quote")
GET_POSTS_MAX = 25  # app.bsky.feed.getPosts takes at most 25 uris
AUTH_ERRORS = (
    "InvalidToken",
    "AuthenticationRequired",
    "AuthMissing",
    "AccountTakedown",
    "InvalidPassword",
    "AuthFactorTokenRequired",
    "AccountDeactivated",
)
HANDLE_RE = re.compile(
    r"(?<![\w@])@([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+)"
)
# A link ends before trailing punctuation, Latin or Arabic-script (Persian comma, semicolon, question mark).
URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\u060c\u061b\u061f\u06d4]")
# A hashtag: # then anything up to a space (trailing punctuation is cut off in ``facets``).
TAG_RE = re.compile(r"(?<![\w#&])#([^\s#]+)")
MAX_TAG_LENGTH = 64  # graphemes, app.bsky.richtext.facet#tag
MAX_IMAGES = 4  # app.bsky.embed.images
MAX_BLOB_BYTES = 1_000_000  # app.bsky.embed.images#image: maxSize
MEDIA_HOSTS = ("cdn.bsky.app", ".bsky.app")  # where the AppView serves images and video thumbnails
GET_POSTS_BATCH = 25  # app.bsky.feed.getPosts: uris maxLength


def byte_span(text, start, end):
    """UTF-8 byte offsets of the characters ``text[start:end]``."""
    return len(text[:start].encode("utf-8")), len(text[:end].encode("utf-8"))


def facet(text, start, end, kind, **feature):
    byte_start, byte_end = byte_span(text, start, end)
    return {
        "index": {"byteStart": byte_start, "byteEnd": byte_end},
        "features": [{"$type": f"app.bsky.richtext.facet#{kind}", **feature}],
    }


def post_url(author, uri):
    """The page of the post ``uri`` (its at:// address) by ``author`` on bsky.app."""
    return f"https://bsky.app/profile/{author.handle or author.external_id}/post/{uri.rsplit('/', 1)[-1]}"


def _now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class BlueskyClient(BaseClient):
    network = "bluesky"
    label = "Bluesky"
    default_base_url = "https://bsky.social"
    max_length = 300
    deletion_batch = 100  # 4 calls of getPosts per fetch
    can_publish = True
    reply_takes_media = True  # ``reply(..., media=)``: pictures as in a post (``image_types``, ``max_image_bytes``)
    publish_limits = {"max_length": 300, "max_images": MAX_IMAGES, "needs_image": False, "link": True}
    max_image_bytes = MAX_BLOB_BYTES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._session = None

    # --- session -------------------------------------------------------

    def auth_headers(self):
        return {"Authorization": f"Bearer {self._session['accessJwt']}"} if self._session else {}

    def _login(self):
        if not self.login or not self.token:
            raise errors.AuthenticationFailed("Bluesky needs a handle and an app password.", self.network)
        self._session = None
        session = self.request(
            "POST",
            "/xrpc/com.atproto.server.createSession",
            json_body={"identifier": self.login, "password": self.token},
        )
        if not isinstance(session, dict) or not session.get("accessJwt") or not session.get("did"):
            raise errors.BadPayload("Bluesky sent an unreadable session.", self.network)
        self._session = session

    def _refresh(self):
        refresh = self._session.get("refreshJwt")
        self._session = None
        if not refresh:
            return self._login()
        try:
            session = self.request(
                "POST", "/xrpc/com.atproto.server.refreshSession", headers={"Authorization": f"Bearer {refresh}"}
            )
        except errors.AuthenticationFailed:
            return self._login()
        self._session = session

    def xrpc(self, method, nsid, params=None, body=None, data=None, headers=None):
        if self._session is None:
            self._login()
        call = {"params": params, "json_body": body, "data": data, "headers": headers}
        try:
            return self.request(method, f"/xrpc/{nsid}", **call)
        except errors.AuthenticationFailed as exc:
            if getattr(exc, "code", None) != "ExpiredToken":
                raise
            self._refresh()
            return self.request(method, f"/xrpc/{nsid}", **call)

    def raise_for_error(self, response, payload):
        code = payload.get("error") if isinstance(payload, dict) else None
        message = (payload.get("message") if isinstance(payload, dict) else None) or code or response.reason
        if response.status_code == 429 or code == "RateLimitExceeded":
            reset = safe_int(response.headers.get("RateLimit-Reset"))
            wait = None
            if reset:
                wait = max(reset - datetime.now(timezone.utc).timestamp(), 1)
            raise self.rate_limited(response, wait=wait)
        if code == "ExpiredToken":
            exc = errors.AuthenticationFailed("Bluesky session expired: log in again.", self.network)
            exc.code = code
            raise exc
        if code in AUTH_ERRORS or response.status_code == 401:
            raise errors.AuthenticationFailed(f"token rejected by Bluesky: log in again ({message}).", self.network)
        if code in ("NotFound", "RecordNotFound", "NotFoundError") or response.status_code == 404:
            raise errors.NotFound(f"Bluesky says this does not exist: {message}.", self.network)
        raise errors.ApiError(
            f"Bluesky answered {response.status_code}: {message}.", self.network, status=response.status_code, code=code
        )

    # --- reading -------------------------------------------------------

    def verify(self):
        self._login()
        own = {"did": self._session["did"], "handle": self._session.get("handle", "")}
        try:
            profile = self.xrpc("GET", "app.bsky.actor.getProfile", params={"actor": own["did"]})
        except (errors.NotFound, errors.ApiError):
            profile = None  # a new account the AppView has not indexed yet: the session says who we are
        return self._author(profile if isinstance(profile, dict) and profile.get("did") else own)

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        state = load_state(cursor)
        own = self.own()
        sources = [("notifications", None)] + [(f"search:{kw}", kw) for kw in keywords if kw]
        for key, keyword in sources:
            for raw, source_state, has_more in self.drain(
                state.get(key, {}),
                (lambda token, kw=keyword: self._load_search(kw, token)) if keyword else self._load_notifications,
                lambda raw: raw.get("indexedAt") if isinstance(raw, dict) else None,
                newer_than,
                max_pages,
                dated=lambda raw: raw.get("indexedAt") if isinstance(raw, dict) else None,
            ):
                state[key] = source_state
                page = self.make_page(raw, lambda r: self._normalize(r, own), dump_state(state), has_more)
                yield page

    def _load_notifications(self, token):
        params = {"limit": 50}
        if token:
            params["cursor"] = token
        payload = self.xrpc("GET", "app.bsky.notification.listNotifications", params=params)
        notifications = self.page_list(payload, "notifications", "notifications")
        raw = [n for n in notifications if not isinstance(n, dict) or n.get("reason") in MENTION_REASONS]
        return raw, payload.get("cursor")

    def _load_search(self, keyword, token):
        params = {"q": keyword, "sort": "latest", "limit": 50}
        if token:
            params["cursor"] = token
        payload = self.xrpc("GET", "app.bsky.feed.searchPosts", params=params)
        return self.page_list(payload, "posts", "search results"), payload.get("cursor")

    def _gone(self, external_ids):
        """getPosts leaves out the posts the AppView no longer has: deleted by their author (or taken down)."""
        uris = []
        for uri in external_ids:
            try:
                uris.append(check_at_uri(uri))
            except BadItem:
                continue  # not a post uri: never reported deleted
        gone = set()
        for start in range(0, len(uris), GET_POSTS_MAX):
            chunk = uris[start : start + GET_POSTS_MAX]
            payload = self.xrpc("GET", "app.bsky.feed.getPosts", params={"uris": chunk})
            posts = self.page_list(payload, "posts", "posts")
            present = {post.get("uri") for post in posts if isinstance(post, dict)}
            gone.update(uri for uri in chunk if uri not in present)
        return gone

    def thread(self, root_id):
        self._check_uri(root_id)
        payload = self.xrpc("GET", "app.bsky.feed.getPostThread", params={"uri": root_id, "depth": THREAD_DEPTH})
        own = self.own()
        posts = []
        # Walked with a stack, no deeper than asked: a hostile answer nested a million levels deep
        # cannot exhaust the recursion limit.
        stack = [(as_dict(payload).get("thread"), 0)]
        while stack:
            node, depth = stack.pop()
            node = as_dict(node)
            if node.get("post"):
                posts.append(node["post"])
            if depth < THREAD_DEPTH:
                stack.extend((child, depth + 1) for child in reversed(as_list(node.get("replies"))))
        return self.make_page(posts, lambda r: self._normalize(r, own), None, False).items

    def _author(self, raw):
        raw = as_dict(raw)
        did = require_str(raw, "did", "author")
        handle = raw.get("handle") if isinstance(raw.get("handle"), str) else ""
        return Author(
            external_id=did,
            handle=handle,
            name=clean_text(raw.get("displayName") or "") if isinstance(raw.get("displayName"), str) else "",
            profile_url=f"https://bsky.app/profile/{handle or did}",
            avatar_url=raw.get("avatar") if isinstance(raw.get("avatar"), str) else "",
            followers=safe_int(raw.get("followersCount")),
            bio=clean_text(raw.get("description")) if isinstance(raw.get("description"), str) else "",
        )

    def _normalize(self, raw, own):
        if not isinstance(raw, dict):
            raise BadItem("not an object")
        uri = check_at_uri(require_str(raw, "uri"))
        record = raw.get("record")
        if not isinstance(record, dict):
            raise BadItem("missing record")
        author = self._author(raw.get("author"))
        text = record.get("text", "")
        if not isinstance(text, str):
            raise BadItem("text is not a string")
        reply = as_dict(record.get("reply"))
        root = as_dict(reply.get("root"))
        parent = as_dict(reply.get("parent"))
        check_at_uri(root.get("uri") or None, "reply root uri")
        check_at_uri(parent.get("uri") or None, "reply parent uri")
        langs = as_list(record.get("langs"))
        extra = {
            "cid": raw.get("cid") or "",
            "root_uri": root.get("uri") or uri,
            "root_cid": root.get("cid") or raw.get("cid") or "",
        }
        thumbnails = self._thumbnails(raw.get("embed"))
        if thumbnails:
            extra["media"] = thumbnails
        return Item(
            external_id=uri,
            author=author,
            text=clean_text(text),
            posted_at=parse_datetime(record.get("createdAt") or raw.get("indexedAt")),
            url=post_url(author, uri),
            parent_id=parent.get("uri") or None,
            root_id=root.get("uri") or uri,
            is_own=bool(own) and author.external_id == own.external_id,
            kind=raw.get("reason") if raw.get("reason") in MENTION_REASONS else "mention",
            lang=langs[0].split("-")[0] if langs and isinstance(langs[0], str) else None,
            extra=extra,
        )

    @staticmethod
    def _thumbnails(embed):
        """The post's pictures as ``media.reference``s of their thumbnails (``app.bsky.embed.images#view``, also
        inside ``recordWithMedia``; a video's thumbnail), with their alt text."""
        embed = as_dict(embed)
        if embed.get("$type") == "app.bsky.embed.recordWithMedia#view":
            embed = as_dict(embed.get("media"))
        kind = embed.get("$type")
        if kind == "app.bsky.embed.images#view":
            images = [as_dict(image) for image in as_list(embed.get("images"))[:MAX_IMAGES]]
            found = [(image.get("thumb"), image.get("alt")) for image in images]
        elif kind == "app.bsky.embed.video#view":
            found = [(embed.get("thumbnail"), embed.get("alt"))]
        else:
            return []
        return [
            media.reference("thumbnail", url=url, alt=clean_text(alt) if isinstance(alt, str) else "")
            for url, alt in found
            if isinstance(url, str) and url.startswith(("https://", "http://"))
        ]

    def media_content(self, ref):
        """A post's thumbnail, from Bluesky's CDN only and without the session token: a ``media.Download``."""
        url = media.check_vendor_host(self, ref.get("url") or "", MEDIA_HOSTS)
        return media.download(self, url, "thumbnail", with_credentials=False)

    # --- writing -------------------------------------------------------

    @classmethod
    def text_length(cls, text):
        """Graphemes, as Bluesky counts them (a Thai syllable with its marks, an emoji sequence: one)."""
        return textlength.grapheme_length(text)

    def check_reply_text(self, text):
        text = super().check_reply_text(text)
        size = len(text.encode("utf-8"))
        if size > MAX_BYTES:
            raise ValueError(f"The reply takes {size} bytes; Bluesky allows {MAX_BYTES}.")
        return text

    def facets(self, text):
        """Rich-text facets of ``text``: @handles that resolve to an account (others stay plain text), links and
        #tags, each indexed by UTF-8 byte offsets (what the AT Protocol counts, not characters)."""
        facets, resolved = [], {}
        for match in HANDLE_RE.finditer(text):
            handle = match.group(1).lower()
            if handle not in resolved:
                resolved[handle] = self._resolve_handle(handle)
            if resolved[handle]:
                facets.append(facet(text, match.start(), match.end(), "mention", did=resolved[handle]))
        links = [(m.start(), m.end()) for m in URL_RE.finditer(text)]
        for start, end in links:
            facets.append(facet(text, start, end, "link", uri=text[start:end]))
        for match in TAG_RE.finditer(text):
            tag = match.group(1)
            while tag and unicodedata.category(tag[-1]).startswith("P") and tag[-1] != "_":
                tag = tag[:-1]
            inside_link = any(start <= match.start() < end for start, end in links)
            if not tag or inside_link or tag.isdigit() or textlength.grapheme_length(tag) > MAX_TAG_LENGTH:
                continue
            facets.append(facet(text, match.start(), match.start() + 1 + len(tag), "tag", tag=tag))
        return sorted(facets, key=lambda f: f["index"]["byteStart"])

    def _resolve_handle(self, handle):
        try:
            resolved = self.xrpc("GET", "com.atproto.identity.resolveHandle", params={"handle": handle})
        except (errors.NotFound, errors.ApiError):
            return None  # not a Bluesky handle: it stays plain text
        did = as_dict(resolved).get("did")
        return did if isinstance(did, str) and did.startswith("did:") else None

    def _strong_ref(self, uri):
        posts = as_list(as_dict(self.xrpc("GET", "app.bsky.feed.getPosts", params={"uris": [uri]})).get("posts"))
        if not posts:
            raise errors.NotFound("The post to answer was deleted on Bluesky.", self.network)
        return {"uri": uri, "cid": posts[0].get("cid")}

    def _check_uri(self, uri):
        """An at:// record URI (it travels in query parameters and bodies, never in the path)."""
        try:
            return check_at_uri(uri)
        except BadItem as exc:
            raise errors.UnsafeId(f"Bluesky cannot answer this post: {exc}.", self.network) from exc

    def reply(self, text, parent_id, root_id=None, extra=None, media=()):
        """``media``: pictures uploaded as blobs first, as for a post (``publish``), then embedded in the reply."""
        text = self.check_reply_text(text)
        media = self.prepare_post(text, None, media)[2] if media else []
        extra = extra or {}
        self._check_uri(parent_id)
        for uri in (root_id, extra.get("root_uri")):
            if uri:
                self._check_uri(uri)
        own = self.own()
        parent = {"uri": parent_id, "cid": extra["cid"]} if extra.get("cid") else self._strong_ref(parent_id)
        root_uri = extra.get("root_uri") or root_id or parent_id
        if root_uri == parent_id:
            root = parent
        elif extra.get("root_cid"):
            root = {"uri": root_uri, "cid": extra["root_cid"]}
        else:
            root = self._strong_ref(root_uri)
        now = datetime.now(timezone.utc)
        record = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": _now_iso(),
            "reply": {"root": root, "parent": parent},
        }
        facets = self.facets(text)
        if facets:
            record["facets"] = facets
        if media:
            images = [{"alt": image.alt or "", "image": self._upload_blob(image)} for image in media]
            record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
        created = self.xrpc(
            "POST",
            "com.atproto.repo.createRecord",
            body={"repo": self._session["did"], "collection": "app.bsky.feed.post", "record": record},
        )
        uri = require_str(as_dict(created), "uri") if isinstance(created, dict) else None
        if not uri:
            raise errors.BadPayload("Bluesky did not say where the reply was posted.", self.network)
        return Item(
            external_id=uri,
            author=own,
            text=text,
            posted_at=now,
            url=post_url(own, uri),
            parent_id=parent_id,
            root_id=root["uri"],
            is_own=True,
            kind="reply",
            extra={"cid": created.get("cid", ""), "root_uri": root["uri"], "root_cid": root["cid"]},
        )

    # --- publishing ----------------------------------------------------

    def publish(self, text, link=None, media=()):
        """A new post: links, @mentions and #tags become facets, images are uploaded as blobs first.
        Not idempotent on the network's side: the caller claims the post before calling."""
        text, link, media = self.prepare_post(text, link, media)
        size = len(text.encode("utf-8"))
        if size > MAX_BYTES:
            raise errors.InvalidPost(f"The post takes {size} bytes; Bluesky allows {MAX_BYTES}.", self.network)
        own = self.own()
        images = [{"alt": image.alt or "", "image": self._upload_blob(image)} for image in media]
        record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": _now_iso()}
        facets = self.facets(text)
        if facets:
            record["facets"] = facets
        if images:
            record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
        created = as_dict(
            self.xrpc(
                "POST",
                "com.atproto.repo.createRecord",
                body={"repo": self._session["did"], "collection": "app.bsky.feed.post", "record": record},
            )
        )
        uri = created.get("uri")
        if not isinstance(uri, str) or not uri.startswith("at://"):
            raise errors.BadPayload("Bluesky did not say where the post was published.", self.network)
        return Item(
            external_id=uri,
            author=own,
            text=text,
            posted_at=parse_datetime(record["createdAt"]),
            url=post_url(own, uri),
            root_id=uri,
            is_own=True,
            kind="post",
            extra={"cid": created.get("cid", ""), "root_uri": uri, "root_cid": created.get("cid", "")},
        )

    def _upload_blob(self, image):
        uploaded = as_dict(
            self.xrpc("POST", "com.atproto.repo.uploadBlob", data=image.data, headers={"Content-Type": image.mimetype})
        )
        blob = uploaded.get("blob")
        if not isinstance(blob, dict) or not as_dict(blob.get("ref")).get("$link"):
            raise errors.BadPayload(f"Bluesky did not accept the image {image.filename}.", self.network)
        return blob

    def engagement(self, external_ids):
        counts = {}
        uris = [uri for uri in dict.fromkeys(external_ids or ()) if uri]
        for uri in uris:
            self._check_uri(uri)
        for start in range(0, len(uris), GET_POSTS_BATCH):
            batch = uris[start : start + GET_POSTS_BATCH]
            payload = as_dict(self.xrpc("GET", "app.bsky.feed.getPosts", params={"uris": batch}))
            for post in as_list(payload.get("posts")):
                post = as_dict(post)
                if post.get("uri") in batch:
                    counts[post["uri"]] = engagement_counts(
                        post.get("replyCount"), post.get("likeCount"), post.get("repostCount")
                    )
        return counts

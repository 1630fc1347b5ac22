"""Mastodon client API (any instance).

``base_url``: the instance (default https://mastodon.social); ``token``: an
access token with ``read`` and ``write:statuses``. Mentions come from
``/api/v1/notifications`` (filtered on our side too, since some servers ignore
``types[]``); keywords from ``/api/v2/search`` or the tag timeline for #tags.
Status text is HTML and is converted to plain text.
"""

import hashlib
import re
from datetime import datetime, timezone

from . import errors, media, netguard, textlength
from .base import BaseClient, dump_state, engagement_counts, load_state, newer_than
from .models import Author, Item
from .utils import BadItem, as_dict, as_list, check_id, clean_text, html_to_text, parse_datetime, require_str, safe_int

LINK_MAX_ID = re.compile(r"<([^>]+)>;\s*rel=\"next\"")
MEDIA_POLLS = 30  # GET /api/v1/media/:id while it answers 206 (still processing)
MEDIA_POLL_WAIT = 1.0  # seconds between two polls


class MastodonClient(BaseClient):
    network = "mastodon"
    label = "Mastodon"
    default_base_url = "https://mastodon.social"
    max_length = 500
    deletion_batch = 20  # one call each: a small share of the 300 calls per 5 minutes Mastodon allows
    can_publish = True
    reply_takes_media = True  # ``reply(..., media=)``: pictures as in a post (``image_types``, ``max_image_bytes``)
    publish_limits = {"max_length": 500, "max_images": 4, "needs_image": False, "link": True}
    max_image_bytes = 16 * 1024 * 1024  # the default instance limit; an instance may set less (it answers 422)

    @classmethod
    def text_length(cls, text):
        """Code points; a URL counts 23 and a remote mention only its @user part, as Mastodon counts."""
        return textlength.mastodon_length(text)

    def raise_for_error(self, response, payload):
        if response.status_code == 429:
            reset = response.headers.get("X-RateLimit-Reset")
            wait = None
            if reset:
                try:
                    wait = (parse_datetime(reset) - datetime.now(timezone.utc)).total_seconds()
                except ValueError:
                    wait = None
            raise self.rate_limited(response, wait=max(wait, 1) if wait is not None else None)
        if response.status_code == 401:
            raise errors.AuthenticationFailed(
                f"token rejected by Mastodon: log in again ({self.error_detail(payload) or 'unauthorized'}).",
                self.network,
            )
        if response.status_code == 404 or (response.status_code == 422 and "not found" in str(payload).lower()):
            raise errors.NotFound(f"Mastodon says this does not exist: {self.error_detail(payload)}.", self.network)
        return super().raise_for_error(response, payload)

    def verify(self):
        if not self.token:
            raise errors.AuthenticationFailed("Mastodon needs an access token.", self.network)
        return self._author(self.request("GET", "/api/v1/accounts/verify_credentials"))

    def _next_max_id(self, response):
        match = LINK_MAX_ID.search(response.headers.get("Link") or "")
        if not match:
            return None
        found = re.search(r"[?&]max_id=([^&]+)", match.group(1))
        return found.group(1) if found else None

    def _load(self, path, params, token, key=None):
        params = dict(params)
        if token:
            params["max_id"] = token
        response = self.request("GET", path, params=params, expect_json=False)
        payload = self.decode(response)
        rows = payload.get(key) if key and isinstance(payload, dict) else payload
        if not isinstance(rows, list):
            raise errors.BadPayload(f"Mastodon sent {path} in an unknown shape.", self.network)
        next_id = self._next_max_id(response)
        if next_id is None and rows and key:  # search has no Link header: page by the last id
            last = rows[-1].get("id") if isinstance(rows[-1], dict) else None
            next_id = last if len(rows) >= params.get("limit", 40) else None
        return rows, next_id

    def _load_notifications(self, token):
        rows, next_id = self._load("/api/v1/notifications", {"types[]": "mention", "limit": 40}, token)
        return [r for r in rows if not isinstance(r, dict) or r.get("type") == "mention"], next_id

    def _load_keyword(self, keyword, token):
        if keyword.startswith("#"):
            return self._load(f"/api/v1/timelines/tag/{self.segment(keyword[1:], strict=False)}", {"limit": 40}, token)
        return self._load(
            "/api/v2/search", {"q": keyword, "type": "statuses", "limit": 40, "resolve": "false"}, token, key="statuses"
        )

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        state = load_state(cursor)
        own = self.own()
        sources = [("notifications", None)] + [(f"search:{kw}", kw) for kw in keywords if kw]
        for key, keyword in sources:
            loader = (lambda token, kw=keyword: self._load_keyword(kw, token)) if keyword else self._load_notifications
            for raw, source_state, has_more in self.drain(
                state.get(key, {}),
                loader,
                lambda raw: raw.get("id") if isinstance(raw, dict) else None,
                newer_than,
                max_pages,
                dated=lambda raw: as_dict(raw).get("created_at"),
            ):
                state[key] = source_state
                yield self.make_page(raw, lambda r: self._normalize(r, own), dump_state(state), has_more)

    def thread(self, root_id):
        status = self.segment(root_id)
        context = as_dict(self.request("GET", f"/api/v1/statuses/{status}/context"))
        root = self.request("GET", f"/api/v1/statuses/{status}")
        own = self.own()
        statuses = [root, *as_list(context.get("descendants"))]
        return self.make_page(statuses, lambda r: self._normalize(r, own), None, False).items

    def _gone(self, external_ids):
        """One status at a time: 404 (or 410) means its author deleted it (or it is no longer visible to us)."""
        gone = set()
        for status_id in external_ids:
            try:
                path = f"/api/v1/statuses/{self.segment(status_id)}"
            except errors.UnsafeId:
                continue  # not a status id: never reported deleted
            response = self.request("GET", path, expect_json=False, allow_status=(404, 410))
            if response.status_code in (404, 410):
                gone.add(status_id)
        return gone

    def _author(self, raw):
        raw = as_dict(raw)
        account_id = require_str(raw, "id", "account")
        return Author(
            external_id=account_id,
            handle=raw.get("acct") or raw.get("username") or "",
            name=clean_text(raw.get("display_name") or "") if isinstance(raw.get("display_name"), str) else "",
            profile_url=raw.get("url") or "",
            avatar_url=raw.get("avatar") or "",
            followers=safe_int(raw.get("followers_count")),
            bio=html_to_text(raw.get("note")) if isinstance(raw.get("note"), str) else "",
        )

    def _normalize(self, raw, own):
        if not isinstance(raw, dict):
            raise BadItem("not an object")
        status = raw.get("status") if "status" in raw or raw.get("type") else raw
        if not isinstance(status, dict):
            raise BadItem("mention without a status")
        status_id = check_id(require_str(status, "id"))
        content = status.get("content")
        if content is not None and not isinstance(content, str):
            raise BadItem("content is not a string")
        author = self._author(status.get("account") or raw.get("account"))
        parent = check_id(status.get("in_reply_to_id"), "in_reply_to_id")
        return Item(
            external_id=status_id,
            author=author,
            text=html_to_text(content or ""),
            posted_at=parse_datetime(status.get("created_at")),
            url=status.get("url") or status.get("uri") or "",
            parent_id=str(parent) if parent else None,
            root_id=None if parent else status_id,
            is_own=bool(own) and author.external_id == own.external_id,
            kind="reply" if parent else "mention",
            lang=status.get("language") if isinstance(status.get("language"), str) else None,
            extra=self._with_thumbnails({"acct": author.handle}, status),
        )

    @staticmethod
    def _with_thumbnails(extra, status):
        """``extra`` plus the status's media attachments as ``media.reference``s of their previews (pictures,
        GIFs and videos: ``preview_url``), with their descriptions as alt text."""
        found = []
        for attachment in as_list(status.get("media_attachments"))[:4]:
            attachment = as_dict(attachment)
            url = attachment.get("preview_url")
            if attachment.get("type") not in ("image", "gifv", "video") or not isinstance(url, str):
                continue
            alt = attachment.get("description")
            found.append(media.reference("thumbnail", url=url, alt=clean_text(alt) if isinstance(alt, str) else ""))
        return {**extra, "media": found} if found else extra

    def media_content(self, ref):
        """A status's preview image, from the instance's host or one of its subdomains (``files.<instance>``),
        without the token: a ``media.Download``."""
        host = netguard.origin(self.base_url)[1]
        url = media.check_vendor_host(self, ref.get("url") or "", (host, f".{host}"))
        return media.download(self, url, "thumbnail", with_credentials=False)

    def reply(self, text, parent_id, root_id=None, extra=None, media=()):
        """``media``: pictures uploaded first as for a post (``publish``), then attached to the reply."""
        text = self.check_reply_text(text)
        self.segment(parent_id)  # an id, never a path or a URL
        media = self.prepare_post(text, None, media)[2] if media else []
        acct = (extra or {}).get("acct")
        if acct and f"@{acct}" not in text:
            text = self.check_reply_text(f"@{acct} {text}")
        body = {"status": text, "in_reply_to_id": parent_id, "visibility": "public"}
        key = hashlib.sha1(f"{parent_id}\n{text}".encode())
        if media:
            body["media_ids"] = [self._upload(image) for image in media]
            for image in media:
                key.update(hashlib.sha256(image.data).digest())
        status = self.request(
            "POST", "/api/v1/statuses", json_body=body, headers={"Idempotency-Key": "social_crm-" + key.hexdigest()}
        )
        item = self._normalize(status, self.own())
        item.is_own = True
        item.parent_id = parent_id
        item.root_id = root_id or parent_id
        item.kind = "reply"
        return item

    # --- publishing ----------------------------------------------------

    def publish(self, text, link=None, media=()):
        """Upload the images (``POST /api/v2/media``, polled until processed), then ``POST /api/v1/statuses``
        with an ``Idempotency-Key`` made of the content: a retry of the same post within Mastodon's window
        (an hour) returns the status already created instead of posting twice."""
        text, link, media = self.prepare_post(text, link, media)
        media_ids = [self._upload(image) for image in media]
        digest = hashlib.sha256(text.encode())
        for image in media:
            digest.update(hashlib.sha256(image.data).digest() + image.alt.encode())
        body = {"status": text, "visibility": "public"}
        if media_ids:
            body["media_ids"] = media_ids
        status = self.request(
            "POST",
            "/api/v1/statuses",
            json_body=body,
            headers={"Idempotency-Key": "social_crm-post-" + digest.hexdigest()},
            idempotent=True,  # the key makes a resend safe: Mastodon answers the first status again
        )
        item = self._normalize(status, self.own())
        item.is_own, item.kind, item.parent_id, item.root_id = True, "post", None, item.external_id
        return item

    def _upload(self, image):
        response = self.request(
            "POST",
            "/api/v2/media",
            files={"file": (image.filename, image.data, image.mimetype)},
            data={"description": image.alt} if image.alt else None,
            expect_json=False,
        )
        attachment = as_dict(self.decode(response))
        media_id = check_id(attachment.get("id"), "media id") if attachment.get("id") else None
        if not media_id:
            raise errors.BadPayload(f"Mastodon did not say which media {image.filename} became.", self.network)
        polls = 0
        while response.status_code in (202, 206) or not attachment.get("url"):
            polls += 1
            if polls > MEDIA_POLLS:
                raise errors.ApiError(
                    f"Mastodon was still processing the image {image.filename} after {MEDIA_POLLS} checks; "
                    "the post was not published, try again later.",
                    self.network,
                )
            self.sleep(MEDIA_POLL_WAIT)
            response = self.request(
                "GET", f"/api/v1/media/{self.segment(media_id)}", expect_json=False, allow_status=(206,)
            )
            attachment = as_dict(self.decode(response))
        return media_id

    def _post_engagement(self, external_id):
        status = as_dict(self.request("GET", f"/api/v1/statuses/{self.segment(external_id)}"))
        return engagement_counts(
            status.get("replies_count"), status.get("favourites_count"), status.get("reblogs_count")
        )

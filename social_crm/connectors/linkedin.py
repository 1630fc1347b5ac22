"""LinkedIn Community Management API (organization pages).

``base_url``: default https://api.linkedin.com/rest; ``login``: the
organization id (``12345`` or ``urn:li:organization:12345``); ``token``: a
3-legged OAuth token of a Page admin (r/w_organization_social). Every call
sends ``LinkedIn-Version`` and ``X-Restli-Protocol-Version: 2.0.0``; URNs in
paths are URL-encoded. Notifications (comments and share mentions) name the
posts to read; comments come from ``/socialActions/{post}/comments``. A 429
comes without any header: the client waits an hour (daily quotas).
"""

import logging
import re
import unicodedata
from datetime import datetime, timedelta, timezone

from . import errors, netguard
from .base import BaseClient, dump_state, engagement_counts, load_state
from .models import Author, Item
from .utils import BadItem, as_dict, as_list, check_id, clean_text, parse_datetime, require_str

_logger = logging.getLogger(__name__)

API_VERSION = "202411"
DEFAULT_429_WAIT = 3600
RETENTION_DAYS = 60
IMAGE_POLLS = 20  # GET /images/{urn} until AVAILABLE
IMAGE_POLL_WAIT = 1.0  # seconds
# "little text" (the commentary format): these characters are markup and are escaped with a backslash.
LITTLE_TEXT_RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")
HASHTAG_RE = re.compile(r"(?<![\w#&])#([^\s#]+)")
URL_RE = re.compile(r"https?://[^\s<>\"']+")


class LinkedinClient(BaseClient):
    network = "linkedin"
    label = "LinkedIn"
    default_base_url = "https://api.linkedin.com/rest"
    max_length = 1250
    can_publish = True
    publish_limits = {"max_length": 3000, "max_images": 20, "needs_image": False, "link": True}
    max_image_bytes = 8 * 1024 * 1024

    @property
    def org_urn(self):
        return self.login if self.login.startswith("urn:") else f"urn:li:organization:{self.login}"

    def auth_headers(self):
        return {
            "Authorization": f"Bearer {self.token}",
            "LinkedIn-Version": self.options.get("version", API_VERSION),
            "X-Restli-Protocol-Version": "2.0.0",
        }

    def raise_for_error(self, response, payload):
        if response.status_code == 429:
            raise self.rate_limited(response, wait=DEFAULT_429_WAIT)
        return super().raise_for_error(response, payload)

    def verify(self):
        if not self.login:
            raise errors.AuthenticationFailed("LinkedIn needs the organization id as login.", self.network)
        org_id = self.org_urn.rsplit(":", 1)[-1]
        org = as_dict(self.request("GET", f"/organizations/{self.segment(org_id)}"))
        vanity = org.get("vanityName") or ""
        return Author(
            external_id=self.org_urn,
            handle=vanity,
            name=org.get("localizedName") or vanity,
            profile_url=f"https://www.linkedin.com/company/{vanity or org_id}",
        )

    def _notifications(self, since_ms):
        end = int(datetime.now(timezone.utc).timestamp() * 1000)
        start = since_ms or int((datetime.now(timezone.utc) - timedelta(days=RETENTION_DAYS)).timestamp() * 1000)
        query = (
            f"/organizationalEntityNotifications?q=criteria&organizationalEntity={self.segment(self.org_urn)}"
            f"&actions=List(COMMENT,SHARE_MENTION,ADMIN_COMMENT)&timeRange=(start:{start},end:{end})&count=50"
        )
        payload = self.request("GET", query)
        return self.page_list(payload, "elements", "notifications")

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        state = load_state(cursor)
        mark = state.get("mark") or 0
        own = self.own()
        posts = []
        for note in self._notifications(mark):
            note = as_dict(note)
            post = (
                note.get("sourcePost")
                or note.get("generatedActivity")
                or as_dict(note.get("decoratedSourcePost")).get("entity")
            )
            try:
                post = check_id(post, "post urn") if isinstance(post, str) else None
            except BadItem as exc:
                _logger.warning("LinkedIn: skipping a notification with an unusable post: %s", exc)
                continue
            if post and post not in posts:
                posts.append(post)
        newest = mark
        for index, post in enumerate(posts[:max_pages]):
            payload = self.request(
                "GET", f"/socialActions/{self.segment(post)}/comments", params={"start": 0, "count": 50}
            )
            rows = as_list(as_dict(payload).get("elements"))
            fresh = [r for r in rows if self._created(r) > mark]
            newest = max([newest, *(self._created(r) for r in fresh)])
            last = index == len(posts[:max_pages]) - 1
            if last:
                state["mark"] = newest
            yield self.make_page(fresh, lambda r, p=post: self._normalize(r, own, p), dump_state(state), not last)
        if not posts:
            yield self.make_page([], None, dump_state(state), False)

    @staticmethod
    def _created(raw):
        value = as_dict(as_dict(raw).get("created")).get("time")
        return value if isinstance(value, int) else 0

    def _normalize(self, raw, own, post):
        if not isinstance(raw, dict):
            raise BadItem("not an object")
        urn = raw.get("$URN") or raw.get("commentUrn")
        comment_id = check_id(require_str(raw, "id"))
        check_id(urn, "$URN")
        check_id(raw.get("parentComment"), "parentComment")
        check_id(raw.get("object"), "object")
        actor = as_dict(raw.get("created")).get("actor") or raw.get("actor")
        if not actor:
            raise BadItem("missing actor")
        text = as_dict(raw.get("message")).get("text")
        if not isinstance(text, str):
            raise BadItem("missing message text")
        return Item(
            external_id=urn or f"urn:li:comment:({post},{comment_id})",
            author=Author(external_id=actor, handle=actor.rsplit(":", 1)[-1]),
            text=clean_text(text),
            posted_at=parse_datetime(as_dict(raw.get("created")).get("time")),
            url=f"https://www.linkedin.com/feed/update/{post}",
            parent_id=raw.get("parentComment") or post,
            root_id=raw.get("object") or post,
            is_own=bool(own) and actor == own.external_id,
            kind="comment",
            extra={"object": raw.get("object") or post},
        )

    def reply(self, text, parent_id, root_id=None, extra=None):
        text = self.check_reply_text(text)
        post = (extra or {}).get("object") or root_id or parent_id
        self.segment(parent_id)  # an id, never a path or a URL
        body = {"actor": self.org_urn, "object": post, "message": {"text": text}}
        if parent_id and parent_id.startswith("urn:li:comment:"):
            body["parentComment"] = parent_id
        response = self.request(
            "POST", f"/socialActions/{self.segment(post)}/comments", json_body=body, expect_json=False
        )
        created = self.decode(response, strict=False)
        urn = as_dict(created).get("$URN") or response.headers.get("x-restli-id") or response.headers.get("X-RestLi-Id")
        if not urn:
            raise errors.BadPayload("LinkedIn did not say which comment was created.", self.network)
        return self._own_item(urn, text, "reply", post, parent_id=parent_id)

    # --- publishing ----------------------------------------------------

    def publish(self, text, link=None, media=()):
        """Images first (``POST /images?action=initializeUpload``, the bytes PUT to its ``uploadUrl``, polled
        until AVAILABLE), then ``POST /posts``; the new post's URN comes back in ``x-restli-id``. No
        idempotency key: the caller claims the post before calling."""
        text, link, media = self.prepare_post(text, link, media)
        images = [{"id": self._upload_image(image), "altText": image.alt[:4086]} for image in media]
        for image in images:
            if not image["altText"]:
                del image["altText"]
        body = {
            "author": self.org_urn,
            "commentary": little_text(text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if len(images) == 1:
            body["content"] = {"media": images[0]}
        elif images:
            body["content"] = {"multiImage": {"images": images}}
        response = self.request("POST", "/posts", json_body=body, expect_json=False)
        urn = response.headers.get("x-restli-id") or as_dict(self.decode(response, strict=False)).get("id")
        if not urn or not str(urn).startswith("urn:li:"):
            raise errors.BadPayload("LinkedIn did not say which post was created.", self.network)
        return self._own_item(urn, text, "post", urn)

    def _own_item(self, urn, text, kind, post, parent_id=None):
        """What the account has just written (a post, or a comment under ``post``) as an ``Item``."""
        return Item(
            external_id=urn,
            author=self.own(),
            text=text,
            posted_at=datetime.now(timezone.utc),
            url=f"https://www.linkedin.com/feed/update/{post}",
            parent_id=parent_id,
            root_id=post,
            is_own=True,
            kind=kind,
            extra={"object": post},
        )

    def _upload_image(self, image):
        started = as_dict(
            self.request(
                "POST",
                "/images",
                params={"action": "initializeUpload"},
                json_body={"initializeUploadRequest": {"owner": self.org_urn}},
            )
        )
        value = as_dict(started.get("value"))
        upload_url, urn = value.get("uploadUrl"), value.get("image")
        if not isinstance(upload_url, str) or not isinstance(urn, str) or not urn.startswith("urn:li:image:"):
            raise errors.BadPayload("LinkedIn did not say where to upload the image.", self.network)
        self.send_elsewhere(
            "PUT",
            upload_url,
            data=image.data,
            headers={"Content-Type": image.mimetype},
            with_credentials=self._linkedin_host(upload_url),
        )
        for attempt in range(IMAGE_POLLS):
            status = as_dict(self.request("GET", f"/images/{self.segment(urn)}")).get("status")
            if status == "AVAILABLE":
                return urn
            if status == "PROCESSING_FAILED":
                raise errors.ApiError(
                    f"LinkedIn could not process the image {image.filename}; nothing was published.",
                    self.network,
                    code=status,
                )
            if attempt + 1 < IMAGE_POLLS:
                self.sleep(IMAGE_POLL_WAIT)
        raise errors.ApiError(
            f"LinkedIn was still processing the image {image.filename}; nothing was published, try again later.",
            self.network,
        )

    def _linkedin_host(self, url):
        """The token goes to the upload address only when both it and the account's API are LinkedIn's own
        (https, linkedin.com or a subdomain); anywhere else the bytes go without it."""

        def linkedin(address):
            scheme, host, _port = netguard.origin(address)
            return scheme == "https" and (host == "linkedin.com" or host.endswith(".linkedin.com"))

        return linkedin(url) and linkedin(self.base_url)

    def _post_engagement(self, external_id):
        actions = as_dict(self.request("GET", f"/socialActions/{self.segment(external_id)}"))
        comments = as_dict(actions.get("commentsSummary"))
        return engagement_counts(
            comments.get("aggregatedTotalComments", comments.get("totalFirstLevelComments")),
            as_dict(actions.get("likesSummary")).get("totalLikes"),
            None,  # reposts: not in socialActions
        )


def little_text(text):
    """``text`` as LinkedIn's "little text": markup characters escaped, #words as hashtags, links kept whole."""
    parts, position = [], 0
    for match in URL_RE.finditer(text):
        parts.append(_escape_words(text[position : match.start()]))
        parts.append(LITTLE_TEXT_RESERVED.sub(r"\\\1", match.group(0)))
        position = match.end()
    parts.append(_escape_words(text[position:]))
    return "".join(parts)


def _escape_words(text):
    pieces, position = [], 0
    for match in HASHTAG_RE.finditer(text):
        tag = match.group(1)
        while tag and unicodedata.category(tag[-1]).startswith("P") and tag[-1] != "_":
            tag = tag[:-1]  # a hashtag ends before trailing punctuation
        if not tag:
            continue
        pieces.append(LITTLE_TEXT_RESERVED.sub(r"\\\1", text[position : match.start()]))
        pieces.append("{hashtag|\\#|" + LITTLE_TEXT_RESERVED.sub(r"\\\1", tag) + "}")
        position = match.start() + 1 + len(tag)
    pieces.append(LITTLE_TEXT_RESERVED.sub(r"\\\1", text[position:]))
    return "".join(pieces)

"""X (Twitter) API v2.

``base_url``: default https://api.x.com; ``login``: the brand's user id (found
with ``/2/users/me`` when empty); ``token``: an OAuth 2.0 user-context bearer
token (``tweet.read tweet.write users.read``) to read mentions and post replies.
Mentions from ``/2/users/{id}/mentions``, keywords from
``/2/tweets/search/recent``; ``since_id`` marks what was saved, ``pagination_token``
/ ``next_token`` walk the pages. The thread key is ``conversation_id``.
"""

from datetime import datetime, timezone

from . import errors, media, textlength
from .base import BaseClient, dump_state, engagement_counts, load_state, newer_than
from .models import Author, Item
from .utils import BadItem, as_dict, as_list, check_id, clean_text, parse_datetime, require_str, safe_int

TWEET_FIELDS = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,lang,attachments"
USER_FIELDS = "username,name,profile_image_url,public_metrics,description"
# The media attached to the tweets read (``includes.media``, matched by ``attachments.media_keys``).
EXPANSIONS = "author_id,attachments.media_keys"
MEDIA_FIELDS = "type,url,preview_image_url,alt_text"
MEDIA_HOSTS = ("pbs.twimg.com",)  # where X serves pictures and video previews (public, no token)
MAX_MEDIA = 4  # a tweet carries at most 4 pictures
LOOKUP_BATCH = 100  # GET /2/tweets: at most 100 ids


class XClient(BaseClient):
    network = "x"
    label = "X"
    default_base_url = "https://api.x.com"
    max_length = 280  # weighted: see text_length
    can_publish = True
    reply_takes_media = True  # ``reply(..., media=)``: pictures as in a post (``image_types``, ``max_image_bytes``)
    publish_limits = {"max_length": 280, "max_images": 4, "needs_image": False, "link": True}
    max_image_bytes = 5 * 1024 * 1024  # POST /2/media/upload: images up to 5 MB
    image_types = ("image/jpeg", "image/png", "image/webp")  # a GIF needs the chunked upload: not done

    @classmethod
    def text_length(cls, text):
        """twitter-text's weighted length (CJK and emoji weigh 2, a URL 23)."""
        return textlength.x_length(text)

    def raise_for_error(self, response, payload):
        if response.status_code == 429 or any(
            as_dict(e).get("code") == 88 for e in as_list(as_dict(payload).get("errors"))
        ):
            reset = safe_int(response.headers.get("x-rate-limit-reset"))
            wait = reset - datetime.now(timezone.utc).timestamp() if reset else None
            raise self.rate_limited(response, wait=max(wait, 1) if wait is not None else None)
        detail = as_dict(payload).get("detail") or as_dict(payload).get("title") or ""
        if response.status_code == 401:
            raise errors.AuthenticationFailed(f"token rejected by X: log in again ({detail}).", self.network)
        if response.status_code == 403 and "duplicate" in str(detail).lower():
            raise errors.ApiError(f"X refused the post: {detail}", self.network, status=403, code="duplicate")
        if response.status_code == 400:
            messages = [as_dict(e).get("message") for e in as_list(as_dict(payload).get("errors"))]
            detail = "; ".join(m for m in messages if isinstance(m, str)) or detail
            raise errors.ApiError(f"X refused the request: {detail}.", self.network, status=400)
        return super().raise_for_error(response, payload)

    def verify(self):
        data = as_dict(self.request("GET", "/2/users/me", params={"user.fields": USER_FIELDS})).get("data")
        if not isinstance(data, dict):
            raise errors.BadPayload("X sent an unreadable profile.", self.network)
        return self._author(data)

    def _user_id(self):
        return self.login if self.login and self.login.isdigit() else self.own().external_id

    def _load(self, path, params, token, token_param):
        params = {
            **params,
            "tweet.fields": TWEET_FIELDS,
            "expansions": EXPANSIONS,
            "user.fields": USER_FIELDS,
            "media.fields": MEDIA_FIELDS,
        }
        if token:
            params[token_param] = token
        payload = self.request("GET", path, params=params)
        if not isinstance(payload, dict) or not isinstance(payload.get("data", []), list):
            raise errors.BadPayload("X sent tweets in an unknown shape.", self.network)
        includes = as_dict(payload.get("includes"))
        users = {u.get("id"): u for u in as_list(includes.get("users")) if isinstance(u, dict)}
        found = {m.get("media_key"): m for m in as_list(includes.get("media")) if isinstance(m, dict)}
        rows = [
            {
                **t,
                "_user": users.get(t.get("author_id")),
                "_media": [
                    found[key]
                    for key in as_list(as_dict(t.get("attachments")).get("media_keys"))
                    if isinstance(key, str) and key in found
                ],
            }
            if isinstance(t, dict)
            else t
            for t in payload.get("data", [])
        ]
        return rows, as_dict(payload.get("meta")).get("next_token")

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        state = load_state(cursor)
        own = self.own()
        user_id = self._user_id()
        sources = [("mentions", None)] + [(f"search:{kw}", kw) for kw in keywords if kw]
        for key, keyword in sources:
            source = state.get(key, {})
            since = source.get("mark")
            if keyword:
                params = {"query": keyword, "max_results": 100}
                path, token_param = "/2/tweets/search/recent", "next_token"
            else:
                params = {"max_results": 100}
                path, token_param = f"/2/users/{self.segment(user_id)}/mentions", "pagination_token"
            if since:
                params["since_id"] = since
            for raw, source_state, has_more in self.drain(
                source,
                lambda token, p=params, pa=path, tp=token_param: self._load(pa, p, token, tp),
                lambda raw: raw.get("id") if isinstance(raw, dict) else None,
                newer_than,
                max_pages,
                dated=lambda raw: raw.get("created_at") if isinstance(raw, dict) else None,
            ):
                state[key] = source_state
                yield self.make_page(raw, lambda r: self._normalize(r, own), dump_state(state), has_more)

    def _author(self, raw):
        raw = as_dict(raw)
        user_id = require_str(raw, "id", "user")
        username = raw.get("username") or ""
        return Author(
            external_id=user_id,
            handle=username,
            name=clean_text(raw.get("name") or ""),
            profile_url=f"https://x.com/{username}" if username else "",
            avatar_url=raw.get("profile_image_url") or "",
            followers=safe_int(as_dict(raw.get("public_metrics")).get("followers_count")),
            bio=clean_text(raw.get("description") or "") if isinstance(raw.get("description"), str) else "",
        )

    def _normalize(self, raw, own):
        if not isinstance(raw, dict):
            raise BadItem("not an object")
        tweet_id = _numeric_id(require_str(raw, "id"), "id")
        text = raw.get("text")
        if not isinstance(text, str):
            raise BadItem("missing text")
        author = self._author(raw.get("_user") or {"id": raw.get("author_id")})
        parent = next(
            (
                r.get("id")
                for r in as_list(raw.get("referenced_tweets"))
                if isinstance(r, dict) and r.get("type") == "replied_to"
            ),
            None,
        )
        parent = _numeric_id(parent, "replied_to id") if parent is not None else None
        conversation = raw.get("conversation_id")
        conversation = _numeric_id(conversation, "conversation_id") if conversation else None
        thumbnails = self._thumbnails(raw.get("_media"))
        return Item(
            external_id=tweet_id,
            author=author,
            text=clean_text(text),
            posted_at=parse_datetime(raw.get("created_at")),
            url=f"https://x.com/{author.handle or 'i'}/status/{tweet_id}",
            parent_id=parent,
            root_id=conversation or tweet_id,
            is_own=bool(own) and author.external_id == own.external_id,
            kind="reply" if parent else "mention",
            lang=raw.get("lang"),
            extra={"media": thumbnails} if thumbnails else {},
        )

    @staticmethod
    def _thumbnails(found):
        """The tweet's pictures as ``media.reference``s (``includes.media`` matched by ``attachments.media_keys``):
        a photo's ``url`` in X's small size (``name=small``, 680 px at most), a video's or GIF's
        ``preview_image_url``; with their ``alt_text``."""
        refs = []
        for item in as_list(found)[:MAX_MEDIA]:
            item = as_dict(item)
            if item.get("type") == "photo":
                url = item.get("url")
                if isinstance(url, str) and "?" not in url:
                    url = f"{url}?name=small"
            elif item.get("type") in ("video", "animated_gif"):
                url = item.get("preview_image_url")
            else:
                continue
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                continue
            alt = item.get("alt_text")
            refs.append(media.reference("thumbnail", url=url, alt=clean_text(alt) if isinstance(alt, str) else ""))
        return refs

    def media_content(self, ref):
        """A tweet's picture, from X's media host (``pbs.twimg.com``) only and without the token: a
        ``media.Download``."""
        url = media.check_vendor_host(self, ref.get("url") or "", MEDIA_HOSTS)
        return media.download(self, url, "thumbnail", with_credentials=False)

    def reply(self, text, parent_id, root_id=None, extra=None, media=()):
        """``media``: pictures uploaded first as for a post (``publish``), then attached to the reply."""
        text = self.check_reply_text(text)
        if not str(parent_id or "").isdigit():
            raise errors.UnsafeId(f"{parent_id!r} is not an X post id.", self.network)
        media = self.prepare_post(text, None, media)[2] if media else []
        body = {"text": text, "reply": {"in_reply_to_tweet_id": parent_id}}
        if media:
            body["media"] = {"media_ids": [self._upload(image) for image in media]}
        created = as_dict(self.request("POST", "/2/tweets", json_body=body))
        data = as_dict(created.get("data"))
        own = self.own()
        tweet_id = data.get("id")
        if not tweet_id:
            raise errors.BadPayload("X did not say which tweet was created.", self.network)
        return Item(
            external_id=str(tweet_id),
            author=own,
            text=data.get("text") or text,
            posted_at=datetime.now(timezone.utc),
            url=f"https://x.com/{own.handle}/status/{tweet_id}",
            parent_id=parent_id,
            root_id=root_id or parent_id,
            is_own=True,
            kind="reply",
        )

    # --- publishing ----------------------------------------------------

    def publish(self, text, link=None, media=()):
        """Upload the images (``POST /2/media/upload``, alt text with ``POST /2/media/metadata``), then
        ``POST /2/tweets``. X has no idempotency key: the caller claims the post before calling (X itself
        refuses a duplicate of a recent post with 403)."""
        text, link, media = self.prepare_post(text, link, media)
        media_ids = [self._upload(image) for image in media]
        body = {"text": text}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        data = as_dict(as_dict(self.request("POST", "/2/tweets", json_body=body)).get("data"))
        if not data.get("id"):
            raise errors.BadPayload("X did not say which post was created.", self.network)
        tweet_id = _numeric_id(data["id"], "id")
        own = self.own()
        return Item(
            external_id=tweet_id,
            author=own,
            text=data.get("text") or text,
            posted_at=datetime.now(timezone.utc),
            url=f"https://x.com/{own.handle or 'i'}/status/{tweet_id}",
            root_id=tweet_id,
            is_own=True,
            kind="post",
        )

    def _upload(self, image):
        uploaded = as_dict(
            self.request(
                "POST",
                "/2/media/upload",
                files={"media": (image.filename, image.data, image.mimetype)},
                data={"media_category": "tweet_image"},
            )
        )
        media_id = as_dict(uploaded.get("data")).get("id")
        try:
            media_id = _numeric_id(media_id, "media id")
        except BadItem as exc:
            raise errors.BadPayload(f"X did not say which media {image.filename} became.", self.network) from exc
        if image.alt:
            self.request(
                "POST",
                "/2/media/metadata",
                json_body={"id": media_id, "metadata": {"alt_text": {"text": image.alt[:1000]}}},
            )
        return media_id

    def engagement(self, external_ids):
        ids = list(dict.fromkeys(str(i) for i in external_ids or ()))
        for tweet_id in ids:
            if not tweet_id.isdigit() or not tweet_id.isascii():
                raise errors.UnsafeId(f"{tweet_id!r} is not an X post id.", self.network)
        counts = {}
        for start in range(0, len(ids), LOOKUP_BATCH):
            batch = ids[start : start + LOOKUP_BATCH]
            payload = as_dict(
                self.request("GET", "/2/tweets", params={"ids": ",".join(batch), "tweet.fields": "public_metrics"})
            )
            for tweet in as_list(payload.get("data")):  # ids X no longer has come back in "errors"
                tweet = as_dict(tweet)
                metrics = as_dict(tweet.get("public_metrics"))
                if tweet.get("id") in batch:
                    counts[tweet["id"]] = engagement_counts(
                        metrics.get("reply_count"), metrics.get("like_count"), metrics.get("retweet_count")
                    )
        return counts


def _numeric_id(value, what):
    """X ids are decimal numbers; anything else is refused (BadItem)."""
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not text.isdigit() or not text.isascii():
        raise BadItem(f"{what} {str(value)[:80]!r} is not an X id")
    return check_id(text, what)

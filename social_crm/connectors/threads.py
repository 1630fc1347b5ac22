"""Threads API (Meta, ``graph.threads.net``).

``base_url``: default https://graph.threads.net/v1.0; ``login``: the Threads user id (empty: ``me``);
``token``: a Threads user access token (long-lived: 60 days, refreshed by ``th_refresh_token``, see
``oauth``). Shapes from Meta's Threads documentation (developers.facebook.com/docs/threads): *Webhooks* (``replies`` and
``mentions`` fields), *Reply
Management* (``GET /{media-id}/conversation``), *Mentions* (``GET /{user-id}/mentions``), *Keyword and Topic
Tag Search* (``GET /keyword_search``), *Posts* and the *Publishing* reference (``POST /{user-id}/threads``
then ``POST /{user-id}/threads_publish``; container ``status``), *Insights* (``GET /{media-id}/insights``).

Listening, each fetch:

- mentions of the brand (``threads_manage_mentions``), newest first, walked down to the last one saved;
- replies at any depth under the brand's recent posts (``threads_read_replies``), per post down to its mark;
- keyword search (``threads_keyword_search``, ``search_type=RECENT``): one query per keyword, each keyword paced
  so that searching all of them all day stays within 90% of the quota (every fetch for one keyword, every 7
  minutes each for ten). Meta
  allows a user 2,200 queries in a rolling 24 hours (across every app; a query that finds nothing does not
  count). The queries that found something are counted in the cursor (the account's own state); once the
  quota is spent no query is sent until the oldest one is 24 hours old (``search_quota_spent`` says until when).

Webhooks (Meta's App Dashboard, *Get real-time notifications with Threads Webhooks*; Advanced Access): a
delivery ``{"app_id", "topic", "target_id", "time", "subscription_id", "has_uid_field", "values": {"value":
<media object>, "field": "replies" | "mentions"}}`` signed like every Meta webhook (``X-Hub-Signature-256``,
HMAC-SHA256 of the raw body with the app secret). Replies and mentions arrive in seconds as public items; the
polling above stays as the safety net, and what a webhook stored is never stored again (same media id).

Lists are Graph API lists: ``{"data": [...], "paging": {"cursors": {"before", "after"}, "next"?}}``. Errors
are Graph API errors (``{"error": {"message", "type", "code", "error_subcode"}}``): throttling as codes
4/17/32/613 (or HTTP 429), an invalid token as code 190.

A reply or a post is a media container (``POST /{user-id}/threads``, ``reply_to_id`` for a reply) published
by ``POST /{user-id}/threads_publish``: only that second call publishes; an image container is polled until
``FINISHED`` first. Texts: 500 characters, emojis counted as their UTF-8 bytes. Images: Threads fetches them
from a public https address (``Media.url``). Publishing limits: 250 posts and 1,000 replies per 24 hours.
"""

import time
from datetime import datetime, timezone

from . import errors, textlength
from .base import BaseClient, dump_state, engagement_counts, load_state
from .facebook import AUTH_CODES, THROTTLE_CODES
from .messaging import EventOutcome, MessagingClient, WebhookEvent
from .meta_messaging import MetaMessaging
from .models import Author, Item
from .utils import BadItem, as_dict, as_list, check_id, clean_text, parse_datetime, require_str, safe_int

MEDIA_FIELDS = (
    "id,text,username,permalink,timestamp,media_type,shortcode,is_reply,replied_to,root_post,"
    "is_reply_owned_by_me,hide_status"
)
PROFILE_FIELDS = "id,username,name,threads_profile_picture_url,threads_biography"
RECENT_POSTS = 25
PAGE_SIZE = 50
SEARCH_QUOTA = 2200  # keyword_search queries per user in a rolling 24 hours (Meta's documented limit)
SEARCH_WINDOW = 24 * 3600
INSIGHT_METRICS = "views,likes,replies,reposts,quotes"


class ThreadsClient(BaseClient, MessagingClient):
    network = "threads"
    label = "Threads"
    container_status_fields = ("status", "error_message")
    container_polls = 10
    container_poll_wait = 3.0  # seconds
    default_base_url = "https://graph.threads.net/v1.0"
    max_length = 500
    can_publish = True
    # Meta: 250 API-published posts and 1,000 replies per profile in a moving 24 hours (threads_publishing_limit)
    publish_limits = {"max_length": 500, "max_images": 20, "needs_image": False, "link": True, "posts_per_day": 250}
    image_types = ("image/jpeg", "image/png")  # Threads takes JPEG and PNG images
    max_image_bytes = 8 * 1024 * 1024
    link_in_text = False  # a text post takes the link as ``link_attachment``
    throttle_codes = THROTTLE_CODES

    def __init__(self, *args, clock=time.time, **kwargs):
        super().__init__(*args, **kwargs)
        self.clock = clock
        self.search_quota = int(self.options.get("search_quota") or SEARCH_QUOTA)
        # When the keyword search quota is spent: (quota, the time a query is allowed again as a UTC datetime).
        self.search_quota_spent = None

    @classmethod
    def text_length(cls, text):
        """Characters as Threads counts them against 500: an emoji counts its UTF-8 bytes."""
        total = 0
        for cluster in textlength.graphemes(text or ""):
            total += len(cluster.encode("utf-8")) if textlength._is_emoji_cluster(cluster) else len(cluster)
        return total

    # --- HTTP ----------------------------------------------------------

    def raise_for_error(self, response, payload):
        error = as_dict(as_dict(payload).get("error"))
        code = safe_int(error.get("code"))
        message = error.get("message") or response.reason
        if code in self.throttle_codes or response.status_code == 429:
            raise self.rate_limited(response)
        if code in AUTH_CODES or response.status_code == 401:
            raise errors.AuthenticationFailed(f"token rejected by Threads: log in again ({message}).", self.network)
        if response.status_code == 404 or code == 100 and safe_int(error.get("error_subcode")) == 33:
            raise errors.NotFound(f"Threads says this does not exist or was deleted: {message}.", self.network)
        raise errors.ApiError(
            f"Threads answered {response.status_code}: {message}.", self.network, status=response.status_code, code=code
        )

    def user(self):
        return self.segment(self.login) if self.login else "me"

    def _get_list(self, path, params):
        """``(rows, after)`` of one Graph list page; ``after`` only when the list says there is more."""
        payload = self.request("GET", path, params=params)
        rows = self.page_list(payload, "data", path)
        paging = as_dict(payload.get("paging"))
        after = as_dict(paging.get("cursors")).get("after")
        more = isinstance(after, str) and after and paging.get("next")
        return rows, after if more else None

    # --- account ---------------------------------------------------------

    def verify(self):
        if not self.token:
            raise errors.AuthenticationFailed("Threads needs an access token: press Connect.", self.network)
        me = as_dict(self.request("GET", f"/{self.user()}", params={"fields": PROFILE_FIELDS}))
        username = me.get("username") if isinstance(me.get("username"), str) else ""
        return Author(
            external_id=require_str(me, "id"),
            handle=username,
            name=me.get("name") if isinstance(me.get("name"), str) else "",
            profile_url=_profile_url(username),
            avatar_url=me.get("threads_profile_picture_url") or "",
            bio=me.get("threads_biography") if isinstance(me.get("threads_biography"), str) else "",
        )

    # --- listening -------------------------------------------------------

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        """Mentions, then replies under the brand's recent posts, then keyword searches; every page carries the
        whole state, so a page stored is never read again and a crash re-reads at most one page."""
        state = load_state(cursor)
        own = self.own()
        user = self.user()
        pages = 0

        # 1. mentions, newest first, down to what the last run saved
        mentions = dict(state.get("mentions") or {})

        def load_mentions(after):
            params = {"fields": MEDIA_FIELDS, "limit": PAGE_SIZE}
            if after:
                params["after"] = after
            return self._get_list(f"/{user}/mentions", params)

        for rows, mention_state, _has_more in self.drain(
            mentions, load_mentions, _marker, _not_older, max_pages, dated=lambda r: as_dict(r).get("timestamp")
        ):
            pages += 1
            state["mentions"] = mention_state
            yield self.make_page(rows, lambda r: self._normalize(r, own, "mention"), dump_state(state), True)

        # 2. replies (any depth) under the brand's recent posts
        posts, _after = self._get_list(
            f"/{user}/threads", {"fields": "id,timestamp,permalink,has_replies", "limit": RECENT_POSTS}
        )
        marks = dict(state.get("replies") or {})
        for post in posts:
            post = as_dict(post)
            try:
                post_id = check_id(post.get("id"), "post id")
            except BadItem:
                continue
            if post.get("has_replies") is False:
                continue
            mark, after = marks.get(post_id), None
            while pages < max_pages:
                params = {"fields": MEDIA_FIELDS, "reverse": "true", "limit": PAGE_SIZE}
                if after:
                    params["after"] = after
                rows, after = self._get_list(f"/{self.segment(post_id)}/conversation", params)
                pages += 1
                fresh = [r for r in rows if not mark or _not_older(_marker(r), mark)]
                newest = max((m for m in (_marker(r) for r in fresh) if m), default="")
                if newest > (marks.get(post_id) or ""):
                    marks[post_id] = newest
                # marks of posts no longer among the recent ones are dropped
                state["replies"] = {key: value for key, value in marks.items() if key in _ids(posts)}
                yield self.make_page(fresh, lambda r: self._normalize(r, own, "reply"), dump_state(state), True)
                if len(fresh) < len(rows) or not after:
                    break

        # 3. keyword search, within the daily quota
        now = self.clock()
        calls = [
            t for t in as_list(state.get("search_calls")) if isinstance(t, (int, float)) and t > now - SEARCH_WINDOW
        ]
        search_marks = dict(state.get("search") or {})
        keywords = list(keywords or ())
        # Paced so that every keyword searched at this rate all day stays within 90% of the quota.
        interval = SEARCH_WINDOW * len(keywords) / (self.search_quota * 0.9) if keywords else 0
        last = {k: v for k, v in as_dict(state.get("search_last")).items() if k in keywords}
        for keyword in keywords:
            if len(calls) >= self.search_quota:
                resume = datetime.fromtimestamp(min(calls) + SEARCH_WINDOW, timezone.utc)
                self.search_quota_spent = (self.search_quota, resume)
                break
            if isinstance(last.get(keyword), (int, float)) and now - last[keyword] < interval:
                continue
            last[keyword] = now
            mark = search_marks.get(keyword)
            params = {"q": keyword, "search_type": "RECENT", "fields": MEDIA_FIELDS, "limit": PAGE_SIZE}
            rows, _after = self._get_list("/keyword_search", params)
            if rows:  # a query that found nothing does not count against the quota
                calls.append(now)
            fresh = [r for r in rows if not mark or _not_older(_marker(r), mark)]
            newest = max((m for m in (_marker(r) for r in fresh) if m), default="")
            if newest > (mark or ""):
                search_marks[keyword] = newest
            state["search"] = {k: v for k, v in search_marks.items() if k in keywords}
            state["search_calls"], state["search_last"] = calls, last
            yield self.make_page(fresh, lambda r: self._normalize(r, own, "mention"), dump_state(state), True)
        state["search_calls"], state["search_last"] = calls, last
        yield self.make_page([], None, dump_state(state), False)

    # --- webhooks (replies, mentions) -----------------------------------

    webhook_visibility = "public"  # replies and mentions are public posts, not private messages
    webhook_fields = ("replies", "mentions")
    check_signature = classmethod(MetaMessaging.check_signature.__func__)  # Meta's X-Hub-Signature-256

    @classmethod
    def split_delivery(cls, payload):
        """One event per notification; its id is the field and the media id, so a redelivery is stored once."""
        notifications = payload if isinstance(payload, list) else [payload]
        events = []
        for notification in notifications:
            if not isinstance(notification, dict) or not isinstance(notification.get("values"), dict):
                raise errors.BadPayload("Not a Threads webhook delivery (no values).", cls.network)
            values = notification["values"]
            media_id = as_dict(values.get("value")).get("id")
            if not isinstance(values.get("field"), str) or not media_id:
                raise errors.BadPayload("A Threads notification without field or media id.", cls.network)
            events.append(WebhookEvent(event_id=f"{values['field']}:{media_id}"[:200], raw=notification))
        return events

    @classmethod
    def read_event(cls, raw, own_id=None):
        values = as_dict(as_dict(raw).get("values"))
        field = values.get("field")
        if field not in cls.webhook_fields:
            return EventOutcome(ignored=f"Threads webhook field {field!r} is not read")
        kind = "reply" if field == "replies" else "mention"
        item = cls._normalize(values.get("value"), None, kind)
        return EventOutcome(items=[item])

    def profile(self, user_id):
        """Threads shows other people's profiles only through their posts: the username is all there is."""
        return Author(external_id=str(user_id), handle=str(user_id), profile_url=_profile_url(str(user_id)))

    @staticmethod
    def _normalize(raw, own, kind):
        if not isinstance(raw, dict):
            raise BadItem("not an object")
        media_id = check_id(require_str(raw, "id"))
        username = raw.get("username")
        if not isinstance(username, str) or not username:
            raise BadItem("missing author (username; private profiles are not shown)")
        text = raw.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadItem(f"no text ({raw.get('media_type') or 'media'} only)")
        parent = as_dict(raw.get("replied_to")).get("id")
        root = as_dict(raw.get("root_post")).get("id")
        parent = check_id(str(parent), "parent id") if parent else None
        root = check_id(str(root), "root id") if root else None
        is_reply = bool(raw.get("is_reply") or parent)
        return Item(
            external_id=media_id,
            author=Author(external_id=username, handle=username, profile_url=_profile_url(username)),
            text=clean_text(text),
            posted_at=parse_datetime(raw.get("timestamp")),
            url=raw.get("permalink") if isinstance(raw.get("permalink"), str) else "",
            parent_id=parent if is_reply else None,
            root_id=(root or parent or media_id) if is_reply else media_id,
            is_own=bool(own) and username == own.handle,
            kind="reply" if is_reply and kind == "reply" else "mention",
            extra={"hidden": raw.get("hide_status") == "HIDDEN"} if raw.get("hide_status") else {},
        )

    # --- answering and publishing ---------------------------------------

    def reply(self, text, parent_id, root_id=None, extra=None):
        """A reply container (``reply_to_id``), then ``threads_publish``: posted once by the second call."""
        text = self.check_reply_text(text)
        self.segment(parent_id)
        self._check_quota("reply_quota_usage", "reply_config", 1000, "replies")
        container = self._container({"media_type": "TEXT", "text": text, "reply_to_id": str(parent_id)})
        media_id = self._publish_container(container)
        return Item(
            external_id=media_id,
            author=self.own(),
            text=text,
            posted_at=datetime.now(timezone.utc),
            parent_id=parent_id,
            root_id=root_id or parent_id,
            is_own=True,
            kind="reply",
        )

    def publish(self, text, link=None, media=()):
        """Text (``link_attachment`` for the link), one image (``IMAGE``) or several (a ``CAROUSEL`` of image
        containers); image containers are polled until ``FINISHED``, then ``threads_publish``.
        No idempotency key: the caller claims the post before calling."""
        text, link, media = self.prepare_post(text, link, media)
        for image in media:
            self._check_public_url(image)
        self._check_quota("quota_usage", "config", self.publish_limits["posts_per_day"], "posts")
        if media and link and link not in text:
            text = f"{text}\n\n{link}" if text else link  # only text posts take link_attachment
            length = self.text_length(text)
            if length > self.max_length:
                raise errors.InvalidPost(
                    f"With its link, the post has {length} characters as Threads counts them; Threads allows "
                    f"{self.max_length}.",
                    self.network,
                )
        if not media:
            data = {"media_type": "TEXT", "text": text}
            if link:
                data["link_attachment"] = link
            container = self._container(data)
        elif len(media) == 1:
            container = self._container(self._image_data(media[0], {"text": text} if text else {}))
            self._wait_finished(container)
        else:
            children = [self._container(self._image_data(i, {"is_carousel_item": "true"})) for i in media]
            for child in children:
                self._wait_finished(child)
            data = {"media_type": "CAROUSEL", "children": ",".join(children)}
            if text:
                data["text"] = text
            container = self._container(data)
            self._wait_finished(container)
        return self._published_post(self._publish_container(container), text)

    def _check_quota(self, usage_field, config_field, default_total, what):
        """Nothing is sent when the profile already used its 24-hour quota (``threads_publishing_limit``); a
        profile that cannot read its quota (a permission missing) is left to Threads' own refusal."""
        try:
            answer = self.request(
                "GET", f"/{self.user()}/threads_publishing_limit", params={"fields": f"{usage_field},{config_field}"}
            )
        except (errors.NotFound, errors.ApiError):
            return
        row = as_dict((as_list(as_dict(answer).get("data")) or [{}])[0])
        used = safe_int(row.get(usage_field))
        total = safe_int(as_dict(row.get(config_field)).get("quota_total")) or default_total
        if used is not None and used >= total:
            raise errors.RateLimited(
                f"Threads allows {total} {what} in 24 hours and this profile has used them: nothing was sent; "
                "try again later.",
                self.network,
                retry_after=3600,
            )

    def _image_data(self, image, data):
        data = {**data, "media_type": "IMAGE", "image_url": image.url}
        if image.alt:
            data["alt_text"] = image.alt[:1000]
        return data

    def _container(self, data):
        created = as_dict(self.request("POST", f"/{self.user()}/threads", data=data))
        if not created.get("id"):
            raise errors.BadPayload("Threads did not create the media container.", self.network)
        return check_id(str(created["id"]), "container id")

    def _publish_container(self, container):
        published = as_dict(self.request("POST", f"/{self.user()}/threads_publish", data={"creation_id": container}))
        if not published.get("id"):
            raise errors.BadPayload("Threads did not say which post was published.", self.network)
        return check_id(str(published["id"]), "media id")

    def _post_engagement(self, external_id):
        answer = as_dict(
            self.request("GET", f"/{self.segment(external_id)}/insights", params={"metric": INSIGHT_METRICS})
        )
        values = {}
        for metric in as_list(answer.get("data")):
            metric = as_dict(metric)
            first = as_dict((as_list(metric.get("values")) or [{}])[0])
            values[metric.get("name")] = first.get("value")
        return engagement_counts(
            values.get("replies"),
            values.get("likes"),
            values.get("reposts"),
            quotes=values.get("quotes"),
            views=values.get("views"),
        )


def _profile_url(username):
    return f"https://www.threads.com/@{username}" if username else ""


def _marker(raw):
    """An item's place in a newest-first list: its UTC time (ISO), then its id."""
    raw = as_dict(raw)
    try:
        moment = parse_datetime(raw.get("timestamp")).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    except BadItem:
        return None
    return f"{moment}|{raw.get('id') or ''}"


def _not_older(marker, mark):
    """Keep what is not older than the mark's second: items of that very second are read again, and the
    database drops the ones it has (so two posts of the same second are never lost)."""
    if marker is None:
        return True
    return marker.split("|", 1)[0] >= str(mark).split("|", 1)[0] and marker != mark


def _ids(rows):
    return {str(as_dict(row).get("id")) for row in rows}

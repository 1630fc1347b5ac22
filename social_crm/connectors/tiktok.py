"""TikTok API for Business (v1.3): comments on the brand's videos, and direct messages.

``base_url``: default https://business-api.tiktok.com/open_api/v1.3; ``login``: the ``business_id`` (the
``open_id`` the TikTok account holder's authorization answers); ``token``: that authorization's access token,
sent in the ``Access-Token`` header; the account's ``secret``: the app's secret, which signs webhook
deliveries.

Every answer is the same envelope, HTTP 200 included: ``{"code", "message", "request_id", "data"}``, where
``code`` 0 means success; anything else is an error (40100: too many requests; 40102/40104/40105: the access
token expired, is missing or was revoked; 40001: a permission (scope) is missing; 40002: a bad parameter).

Comments (scopes ``comment.list``, ``comment.list.manage``, ``video.list``): the business account's recent
videos (``GET /business/video/list/``), then each video's comments, newest first
(``GET /business/comment/list/``, ``cursor``/``has_more`` paging); a reply goes under a top-level comment
(``POST /business/comment/reply/create/``, 150 characters); ``POST /business/comment/hide/`` hides or shows a
comment again. Each comment is a public mention whose conversation root is its video.

Direct messages (Business Messaging API, scopes ``message.list.read``/``message.list.send``, for businesses
TikTok approved, not offered in the EEA, Switzerland and the UK): webhook events ``im_receive_msg`` (a person
wrote), ``im_send_msg`` (the business wrote, from this app or the TikTok app) and ``im_mark_read_msg``, each
``{"event", "user_openid", "create_time", "content"}`` with ``content`` a JSON string
(``conversation_id``, ``message_id``, ``timestamp`` in ms, ``type``, ``text.body``, ``from``/``from_user``,
``to``/``to_user``), signed ``TikTok-Signature: t=<unix>,s=<hex HMAC-SHA256(app secret, "<t>.<raw body>")>``.
Answers go to the conversation (``POST /business/message/send/``) within 48 hours of the person's message.

Publishing (scope ``video.publish``, the same Business token): a photo post (``POST /business/photo/publish/``,
1 to 35 JPEG or WebP pictures that TikTok fetches itself from public addresses under a URL prefix the app
verified with TikTok, ``PULL_FROM_URL``), answered ``data.share_id``; the publishing is asynchronous:
``GET /business/publish/status/`` (``business_id``, ``publish_id``) says ``status`` (``PROCESSING_DOWNLOAD``,
``PROCESSING_UPLOAD``, ``PUBLISH_COMPLETE``, ``FAILED``) and, once TikTok's moderation let it out,
``post_ids``. TikTok reviews public posts before giving their id (usually a minute, sometimes hours): a post
still under review is returned *pending* with its publish id, and ``publish_status`` settles it later.
"""

import json
from datetime import datetime, timedelta, timezone

from . import errors
from .base import BaseClient, _within_deadline_call, dump_state, load_state
from .messaging import EventOutcome, MessagingClient, WebhookEvent, hmac_sha256, require, same_secret
from .models import Author, Item
from .utils import BadItem, as_dict, as_list, check_id, clean_text, parse_datetime, safe_int

RECENT_VIDEOS = 20  # the video list's largest page
COMMENT_PAGE = 30  # the comment list's largest page
REPLY_WINDOW = timedelta(hours=48)
# Seconds between the signature's timestamp and now. TikTok retries a delivery for up to 72 hours and does not
# say whether a retry is signed again: a retry must not be refused, and a replay within the span is harmless
# (every event is stored once under its id). Older ones are refused as replays.
SIGNATURE_TOLERANCE = 73 * 3600
RATE_LIMIT_CODES = {40100}
TOKEN_CODES = {40102, 40104, 40105}  # expired, missing, revoked: a refresh may help
PERMISSION_CODES = {40001}
NOT_FOUND_CODES = {40007}
BLOCKED_CODES = {40064}  # "message blocked due to messaging restrictions"
# Publishing: the answers' words for what went wrong, in the envelope's message or the status's reason.
URL_OWNERSHIP_WORDS = ("url_ownership", "ownership_unverified")
SPAM_WORDS = ("spam_risk", "spam risk", "too_many_posts", "banned_from_posting")
PUBLISH_DONE = "PUBLISH_COMPLETE"
PUBLISH_FAILED = "FAILED"
PLACEHOLDERS = {"image": "[image]", "sticker": "[sticker]", "video": "[video]", "emoji": "[emoji]"}
VIDEO_FIELDS = json.dumps(["item_id", "create_time", "caption", "share_url"])


class TiktokClient(MessagingClient, BaseClient):
    network = "tiktok"
    label = "TikTok"
    default_base_url = "https://business-api.tiktok.com/open_api/v1.3"
    max_length = 150  # comment replies; direct messages are refused by TikTok itself when too long
    reply_window = REPLY_WINDOW
    deletion_batch = 0
    # Photo posts: the caption (2,200 characters), up to 35 pictures, at least one; no link field.
    can_publish = True
    publish_limits = {"max_length": 2200, "max_images": 35, "needs_image": True, "link": False}
    image_types = ("image/jpeg", "image/webp")  # TikTok's photo posts take JPEG and WebP, not PNG
    max_image_bytes = 20 * 1024 * 1024
    publish_polls = 10
    publish_poll_wait = 3.0  # seconds

    def auth_headers(self):
        return {"Access-Token": self.token} if self.token else {}

    # ------------------------------------------------------------------
    # THE ENVELOPE
    # ------------------------------------------------------------------

    def _request(self, method, path, *, expect_json=True, **kwargs):
        response = super()._request(method, path, expect_json=False, **kwargs)
        if not expect_json:
            return response
        payload = self.decode(response)
        self._check_envelope(payload, response)
        return payload.get("data")

    def _check_envelope(self, payload, response=None):
        if not isinstance(payload, dict) or "code" not in payload:
            raise errors.BadPayload(f"{self.label} answered without its code/message envelope.", self.network)
        code = safe_int(payload.get("code"))
        if code == 0:
            return
        raise self._envelope_error(code, payload, response)

    def _envelope_error(self, code, payload, response=None):
        message = payload.get("message") if isinstance(payload.get("message"), str) else ""
        request_id = payload.get("request_id") if isinstance(payload.get("request_id"), str) else ""
        detail = f"{message or 'no message'}; code {code}" + (f", request {request_id}" if request_id else "")
        lowered = message.lower()
        if code in RATE_LIMIT_CODES or (response is not None and response.status_code == 429):
            return self.rate_limited(response)
        if code in TOKEN_CODES:
            exc = errors.AuthenticationFailed(
                f"token rejected by {self.label}: connect the account again ({detail}).", self.network
            )
            exc.http_status = 401  # what a 401 means elsewhere: the base client refreshes once and retries
            return exc
        if code in PERMISSION_CODES:
            return errors.AuthenticationFailed(
                f"{self.label} refused: the authorization lacks a permission this needs ({detail}).", self.network
            )
        if code in NOT_FOUND_CODES:
            return errors.NotFound(f"{self.label} says this does not exist or was deleted ({detail}).", self.network)
        if any(word in lowered for word in URL_OWNERSHIP_WORDS + SPAM_WORDS):
            return self._publish_failure(detail, code)
        if code in BLOCKED_CODES:
            return errors.RecipientUnavailable(
                f"{self.label} did not deliver the message: messaging restrictions ({detail}).", self.network, code=code
            )
        if "48" in lowered and ("hour" in lowered or "window" in lowered):
            return errors.WindowExpired(f"{self.window_message()} ({self.label} said: {detail})", self.network)
        status = response.status_code if response is not None and response.status_code >= 400 else None
        if status is None and code >= 50000:
            status = 500  # TikTok's own failure: worth another try
        return errors.ApiError(f"{self.label} refused the request ({detail}).", self.network, status=status, code=code)

    def raise_for_error(self, response, payload):
        if isinstance(payload, dict) and safe_int(payload.get("code")):
            raise self._envelope_error(safe_int(payload.get("code")), payload, response)
        return super().raise_for_error(response, payload)

    # ------------------------------------------------------------------
    # ACCOUNT
    # ------------------------------------------------------------------

    def _business_id(self):
        if not self.login:
            raise errors.AuthenticationFailed(
                "TikTok needs the business id (the open_id of the authorization) as login; Connect fills it in.",
                self.network,
            )
        return check_id(self.login, "business id")

    def verify(self):
        business_id = self._business_id()
        data = as_dict(
            self.request(
                "GET",
                "/business/get/",
                params={
                    "business_id": business_id,
                    "fields": json.dumps(["username", "display_name", "profile_image", "followers_count"]),
                },
            )
        )
        username = data.get("username") if isinstance(data.get("username"), str) else ""
        return Author(
            external_id=business_id,
            handle=username,
            name=data.get("display_name") if isinstance(data.get("display_name"), str) else "",
            profile_url=f"https://www.tiktok.com/@{username}" if username else "",
            avatar_url=data.get("profile_image") if isinstance(data.get("profile_image"), str) else "",
            followers=safe_int(data.get("followers_count")),
        )

    # ------------------------------------------------------------------
    # COMMENTS
    # ------------------------------------------------------------------

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        """The comments of the recent videos, newest first, down to what the last run saw, video by video.

        The cursor holds per video the newest ``create_time`` saved and, for a walk the page budget cut
        short, the TikTok cursor to resume from (``BaseClient.drain``); it moves with each saved page.
        """
        business_id = self._business_id()
        own = self.own()
        state = load_state(cursor)
        videos_state = dict(state.get("videos") or {})
        videos = self._recent_videos(business_id)
        recent = {video["item_id"] for video in videos}
        videos_state = {key: value for key, value in videos_state.items() if key in recent}
        pages_left = max_pages
        for index, video in enumerate(videos):
            video_id = video["item_id"]
            if pages_left <= 0:
                break

            def load_page(token, video_id=video_id):
                return self._comment_page(business_id, video_id, token)

            walk = self.drain(
                dict(videos_state.get(video_id) or {}),
                load_page,
                marker=_created,
                newer=lambda left, right: int(left or 0) > int(right or 0),
                max_pages=pages_left,
                dated=lambda raw: safe_int(as_dict(raw).get("create_time")),
            )
            for raw_items, video_state, has_more in walk:
                pages_left -= 1
                videos_state[video_id] = video_state
                more = has_more or index + 1 < len(videos)
                yield self.make_page(
                    raw_items,
                    lambda raw, video=video: self._normalize(raw, own, video),
                    dump_state({"videos": videos_state}),
                    more,
                )
        if not videos:
            yield self.make_page([], lambda raw: None, dump_state({"videos": {}}), False)

    def _recent_videos(self, business_id):
        data = as_dict(
            self.request(
                "GET",
                "/business/video/list/",
                params={"business_id": business_id, "fields": VIDEO_FIELDS, "max_count": RECENT_VIDEOS},
            )
        )
        videos = []
        for raw in as_list(data.get("videos")):
            raw = as_dict(raw)
            try:
                video_id = check_id(str(raw.get("item_id") or ""), "video id")
            except BadItem:
                continue
            videos.append({**raw, "item_id": video_id})
        return videos

    def _comment_page(self, business_id, video_id, token):
        params = {
            "business_id": business_id,
            "video_id": video_id,
            "status": "ALL",  # hidden comments too: a hidden complaint still needs an answer
            "include_replies": "true",
            "sort_field": "create_time",
            "sort_order": "desc",
            "max_count": COMMENT_PAGE,
        }
        if token is not None:
            params["cursor"] = token
        data = self.request("GET", "/business/comment/list/", params=params)
        if not isinstance(data, dict) or not isinstance(data.get("comments"), list):
            raise errors.BadPayload(f"{self.label} sent the comment list in an unknown shape.", self.network)
        next_cursor = data.get("cursor") if data.get("has_more") else None
        return data["comments"], next_cursor

    def _normalize(self, raw, own, video):
        if not isinstance(raw, dict):
            raise BadItem("not an object")
        comment_id = check_id(str(raw.get("comment_id") or ""), "comment id")
        user_id = raw.get("user_id") or raw.get("unique_identifier")
        if not user_id:
            raise BadItem("missing author (user_id)")
        user_id = check_id(str(user_id), "user id")
        text = raw.get("text")
        if not isinstance(text, str):
            raise BadItem("missing text")
        video_id = check_id(str(raw.get("video_id") or video.get("item_id") or ""), "video id")
        parent = raw.get("parent_comment_id")
        parent = check_id(str(parent), "parent comment id") if parent and str(parent) != comment_id else None
        username = raw.get("username") if isinstance(raw.get("username"), str) else ""
        return Item(
            external_id=comment_id,
            author=Author(
                external_id=user_id,
                handle=username,
                name=raw.get("display_name") if isinstance(raw.get("display_name"), str) else "",
                profile_url=f"https://www.tiktok.com/@{username}" if username else "",
                avatar_url=raw.get("profile_image") if isinstance(raw.get("profile_image"), str) else "",
            ),
            text=clean_text(text),
            posted_at=parse_datetime(raw.get("create_time")),
            url=video.get("share_url") if isinstance(video.get("share_url"), str) else "",
            parent_id=parent or video_id,
            root_id=video_id,
            is_own=bool(raw.get("owner")) or user_id == own.external_id,
            kind="reply" if parent else "comment",
            extra={
                "video_id": video_id,
                # TikTok replies only under a top-level comment: an answer to a reply goes under its parent.
                "top_comment_id": parent or comment_id,
                "hidden": raw.get("status") == "HIDDEN",
            },
        )

    def reply(self, text, parent_id, root_id=None, extra=None):
        text = self.check_reply_text(text)
        extra = dict(extra or {})
        video_id = check_id(str(extra.get("video_id") or root_id or ""), "video id")
        comment_id = check_id(str(extra.get("top_comment_id") or parent_id or ""), "comment id")
        data = as_dict(
            self.request(
                "POST",
                "/business/comment/reply/create/",
                json_body={
                    "business_id": self._business_id(),
                    "video_id": video_id,
                    "comment_id": comment_id,
                    "text": text,
                },
            )
        )
        if not data.get("comment_id"):
            raise errors.BadPayload("TikTok did not say which reply was created.", self.network)
        return Item(
            external_id=check_id(str(data["comment_id"]), "comment id"),
            author=self.own(),
            text=text,
            posted_at=_posted_at(data.get("create_time")),
            parent_id=parent_id,
            root_id=video_id,
            is_own=True,
            kind="reply",
            extra={"video_id": video_id, "top_comment_id": comment_id},
        )

    @_within_deadline_call
    def hide(self, comment_id, video_id, hidden=True):
        """Hide a comment on the brand's video (only its author still sees it), or show it again."""
        self.request(
            "POST",
            "/business/comment/hide/",
            json_body={
                "business_id": self._business_id(),
                "video_id": check_id(str(video_id or ""), "video id"),
                "comment_id": check_id(str(comment_id or ""), "comment id"),
                "action": "HIDE" if hidden else "UNHIDE",
            },
        )
        return True

    # ------------------------------------------------------------------
    # DIRECT MESSAGES: WEBHOOK
    # ------------------------------------------------------------------

    @classmethod
    def check_signature(cls, raw_body, headers, secret, now=None):
        header = require(headers.get("TikTok-Signature"), cls.network).strip()
        if not secret:
            raise errors.BadSignature("The account has no app secret: the delivery cannot be checked.", cls.network)
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        timestamp, given = parts.get("t", "").strip(), parts.get("s", "").strip()
        if not timestamp.isdigit() or not given:
            raise errors.BadSignature("The TikTok signature header is malformed.", cls.network)
        expected = hmac_sha256(secret, timestamp.encode() + b"." + raw_body).hex()
        if not same_secret(expected, given.lower()):
            raise errors.BadSignature("The TikTok signature does not match the app secret.", cls.network)
        now = datetime.now(timezone.utc).timestamp() if now is None else now
        if abs(now - int(timestamp)) > SIGNATURE_TOLERANCE:
            raise errors.BadSignature("The TikTok signature is too old (a replayed delivery): refused.", cls.network)

    @classmethod
    def split_delivery(cls, payload):
        if not isinstance(payload, dict) or not isinstance(payload.get("event"), str) or not payload["event"]:
            raise errors.BadPayload("The delivery is not a TikTok webhook event (no event).", cls.network)
        content = payload.get("content")
        if isinstance(content, str):
            try:
                content = json.loads(content)
            except ValueError as exc:
                raise errors.BadPayload("The TikTok event's content is not JSON.", cls.network) from exc
        content = as_dict(content)
        key = content.get("message_id") or payload.get("create_time") or content.get("timestamp")
        if not key:
            raise errors.BadPayload("The TikTok event names no message.", cls.network)
        event_id = f"{payload['event']}:{content.get('conversation_id') or ''}:{key}"
        return [WebhookEvent(event_id=event_id[:250], raw={**payload, "content": content})]

    @classmethod
    def read_event(cls, raw, own_id=None):
        raw = as_dict(raw)
        kind = raw.get("event")
        if own_id and raw.get("user_openid") and str(raw["user_openid"]) != str(own_id):
            return EventOutcome(ignored="TikTok event of another business account of the app")
        if kind not in ("im_receive_msg", "im_send_msg"):
            return EventOutcome(ignored=f"TikTok {kind or 'untyped'} event")
        content = as_dict(raw.get("content"))
        conversation_id = check_id(str(content.get("conversation_id") or ""), "conversation id")
        message_id = check_id(str(content.get("message_id") or ""), "message id")
        sender = as_dict(content.get("from_user"))
        sender_id = check_id(str(sender.get("id") or ""), "sender id")
        own = kind == "im_send_msg" or (own_id and sender_id == str(own_id))
        message_type = str(content.get("type") or "text").lower()
        if message_type == "text":
            text = clean_text(as_dict(content.get("text")).get("body") or "")
        elif message_type == "share_post":
            text = "[shared post] " + str(as_dict(content.get("share_post")).get("embed_url") or "")
        else:
            text = PLACEHOLDERS.get(message_type, f"[{message_type}]")
        name = content.get("from") if isinstance(content.get("from"), str) else ""
        item = Item(
            external_id=message_id,
            author=Author(external_id=sender_id, handle=name, name=name),
            text=text.strip(),
            posted_at=parse_datetime(content.get("timestamp") or raw.get("create_time")),
            root_id=f"conversation:{conversation_id}",
            is_own=bool(own),
            kind="reply" if own else "mention",
            visibility="private",
            extra={"conversation_id": conversation_id, "message_type": message_type},
        )
        return EventOutcome(items=[item])

    # ------------------------------------------------------------------
    # DIRECT MESSAGES: ANSWERS
    # ------------------------------------------------------------------

    @classmethod
    def reply_window_closed(cls, context, now=None):
        """True when the person's message of ``context`` (``received_at``) is older than the 48-hour window."""
        received_at = as_dict(context).get("received_at")
        if not received_at:
            return False
        try:
            received = received_at if isinstance(received_at, datetime) else parse_datetime(received_at)
        except BadItem:
            return False
        if received.tzinfo is None:
            received = received.replace(tzinfo=timezone.utc)
        return (now or datetime.now(timezone.utc)) - received > cls.reply_window

    def window_message(self):
        return (
            f"{self.label} allows answering a direct message only within 48 hours of the person's message; that "
            "time has passed. Wait until the person writes again."
        )

    def send(self, text, recipient_id, context=None):
        """The answer, to the conversation of the message answered (``context["conversation_id"]``)."""
        text = (text or "").strip()
        if not text:
            raise ValueError("The message is empty.")
        context = dict(context or {})
        if self.reply_window_closed(context):
            raise errors.WindowExpired(self.window_message(), self.network)
        conversation_id = check_id(str(context.get("conversation_id") or ""), "conversation id")
        data = as_dict(
            self.request(
                "POST",
                "/business/message/send/",
                json_body={
                    "business_id": self._business_id(),
                    "recipient_type": "CONVERSATION",
                    "recipient": conversation_id,
                    "message_type": "TEXT",
                    "text": {"body": text},
                },
            )
        )
        message_id = as_dict(data.get("message")).get("message_id")
        if not message_id:
            raise errors.BadPayload("TikTok accepted the message but did not say its id.", self.network)
        return Item(
            external_id=check_id(str(message_id), "message id"),
            author=Author(external_id=self.login or "tiktok-business"),
            text=text,
            posted_at=datetime.now(timezone.utc),
            root_id=f"conversation:{conversation_id}",
            is_own=True,
            kind="reply",
            visibility="private",
            extra={"conversation_id": conversation_id},
        )

    def profile(self, user_id):
        """TikTok has no profile lookup for a person who wrote: the delivery's name is all there is."""
        return Author(external_id=str(user_id))

    # ------------------------------------------------------------------
    # PUBLISHING
    # ------------------------------------------------------------------

    def publish(self, text, link=None, media=()):
        """A photo post of ``media`` (each with a public ``url`` under the verified prefix, option
        ``url_prefix``), ``text`` as its caption; the status polled a short while. Returns the post, or, while
        TikTok still reviews it, a pending ``Item`` whose ``extra["publish_id"]`` ``publish_status`` settles.
        No idempotency key: the caller claims the post before calling (``social_crm.outgoing.mixin``)."""
        text, link, media = self.prepare_post(text, link, media)
        for image in media:
            self._check_pull_url(image)
        data = as_dict(
            self.request(
                "POST",
                "/business/photo/publish/",
                json_body={
                    "business_id": self._business_id(),
                    "photo_images": [image.url for image in media],
                    "photo_cover_index": 0,
                    "post_info": {"caption": text, "disable_comment": False, "auto_add_music": True},
                },
            )
        )
        publish_id = data.get("share_id") or data.get("publish_id")
        if not isinstance(publish_id, str) or not publish_id.strip():
            raise errors.BadPayload("TikTok accepted the post but did not say its publish id.", self.network)
        publish_id = publish_id.strip()[:200]
        # From here TikTok has the post: nothing may make it look unsent (a retry would post it twice). A
        # status that cannot be read leaves it pending, for ``publish_status`` to settle later.
        for attempt in range(self.publish_polls):
            try:
                status, post_ids, reason = self._status(publish_id)
                if status == PUBLISH_DONE:
                    return self._published(publish_id, post_ids, text)
            except errors.SocialApiError:
                break
            if status == PUBLISH_FAILED:
                raise self._publish_failure(reason)
            if attempt + 1 < self.publish_polls:
                self.sleep(self.publish_poll_wait)
        return self._pending_post(publish_id, text)

    @_within_deadline_call
    def publish_status(self, publish_id, text=""):
        """A pending post's outcome: the post once TikTok published it (pending again while its id waits for
        TikTok's review), None while it is processing; raises the worded error when TikTok gave up (its
        ``gave_up`` attribute set, unlike an error reading the status)."""
        status, post_ids, reason = self._status(publish_id)
        if status == PUBLISH_FAILED:
            exc = self._publish_failure(reason)
            exc.gave_up = True  # TikTok's answer, not a failure to ask: the post is not on TikTok
            raise exc
        if status == PUBLISH_DONE:
            return self._published(publish_id, post_ids, text)
        return None

    def _status(self, publish_id):
        data = as_dict(
            self.request(
                "GET",
                "/business/publish/status/",
                params={"business_id": self._business_id(), "publish_id": str(publish_id)},
            )
        )
        status = str(data.get("status") or "").upper()
        if status.endswith("FAILED"):
            status = PUBLISH_FAILED
        reason = str(data.get("reason") or data.get("fail_reason") or "no reason given")[:300]
        return status, [str(post_id) for post_id in as_list(data.get("post_ids")) if post_id], reason

    def _published(self, publish_id, post_ids, text):
        if not post_ids:
            return self._pending_post(publish_id, text)  # out, but its id comes after TikTok's review
        try:
            post_id = check_id(post_ids[0], "post id")
        except BadItem as exc:
            raise errors.BadPayload(f"TikTok named the published post oddly: {exc}", self.network) from exc
        return Item(
            external_id=post_id,
            author=Author(external_id=self.login or "tiktok-business"),
            text=text,
            posted_at=datetime.now(timezone.utc),
            url=self._share_url(post_id),
            root_id=post_id,
            is_own=True,
            kind="post",
            extra={"publish_id": publish_id, "video_id": post_id},
        )

    def _pending_post(self, publish_id, text):
        return Item(
            external_id=publish_id,
            author=Author(external_id=self.login or "tiktok-business"),
            text=text,
            posted_at=datetime.now(timezone.utc),
            is_own=True,
            kind="post",
            extra={"publish_id": publish_id, "pending": True},
        )

    def _share_url(self, post_id):
        """The post's address from the business's post list (the post is out all the same without it)."""
        try:
            data = as_dict(
                self.request(
                    "GET",
                    "/business/video/list/",
                    params={
                        "business_id": self._business_id(),
                        "fields": VIDEO_FIELDS,
                        "filters": json.dumps({"video_ids": [post_id]}),
                    },
                )
            )
        except errors.SocialApiError:
            return ""
        for raw in as_list(data.get("videos")):
            raw = as_dict(raw)
            if str(raw.get("item_id") or "") == post_id and isinstance(raw.get("share_url"), str):
                return raw["share_url"] if raw["share_url"].startswith("https://") else ""
        return ""

    def _check_pull_url(self, image):
        """TikTok fetches each picture itself, only from an https address under the prefix the app verified."""
        url = self._check_public_url(image)
        prefix = str(self.options.get("url_prefix") or "").strip()
        if not prefix:
            raise errors.InvalidPost(
                "TikTok only fetches pictures under a URL prefix the app verified with TikTok: the verified prefix "
                "is set on the account first.",
                self.network,
            )
        if not url.startswith(prefix):
            raise errors.InvalidPost(
                f"The pictures are served from {url.split('/social_crm/')[0]}, outside the prefix verified with "
                f"TikTok ({prefix}): TikTok would refuse them (url_ownership_unverified).",
                self.network,
            )

    def _publish_failure(self, reason, code=None):
        """A typed, worded error for what TikTok said about a post (``reason``: its words or error code)."""
        lowered = reason.lower()
        if any(word in lowered for word in URL_OWNERSHIP_WORDS):
            return errors.InvalidPost(
                f"TikTok refused to fetch the pictures: their address is not under a URL prefix the app verified "
                f"with TikTok (url_ownership_unverified). Verify the prefix in the TikTok portal and set it on the "
                f"account. ({reason})",
                self.network,
            )
        if any(word in lowered for word in SPAM_WORDS):
            return errors.ApiError(
                f"TikTok refused it as a spam risk (too many posts, or the account may not post now); try again "
                f"later. ({reason})",
                self.network,
                code=code,
            )
        return errors.ApiError(f"TikTok could not publish the post ({reason}); nothing was published.", self.network)


def _created(raw):
    """The comment's ``create_time`` as digits (``base.sort_key`` orders digit strings as numbers)."""
    value = safe_int(as_dict(raw).get("create_time"))
    return str(value) if value is not None else None


def _posted_at(value):
    try:
        return parse_datetime(value)
    except BadItem:
        return datetime.now(timezone.utc)

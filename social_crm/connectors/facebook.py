"""Facebook Pages (Graph API).

``base_url``: default https://graph.facebook.com/v21.0; ``login``: the Page id;
``token``: a Page access token (pages_read_engagement, pages_read_user_content,
pages_manage_engagement to reply). Polls the comments of the Page's recent
posts and the posts the Page is tagged in. Throttling arrives as
``error.code`` 4/17/32/613/80001 in the JSON body (HTTP 400/403), not as 429.
Ids go into paths as single quoted segments and are refused when they could
change the path; ``paging.next`` links are followed only on the account's own
origin (they carry the token).

Page feed webhook (``pages_manage_metadata``; the app installed on the Page with
``POST /{page-id}/subscribed_apps``, see ``subscribe_webhooks``): comments, replies and visitors' posts
arrive in seconds as ``changes`` of field ``feed`` (``verb`` add / edited / remove), read into the same
items the poller makes (same ids), so polling stays the safety net and never stores one twice.

Messenger (private messages, ``pages_messaging``): received by webhook (``object: page``, see
``meta_messaging``), answered with ``POST /{page-id}/messages`` within 24 hours of the person's last
message, or up to 7 days with the human-agent tag where the Page has it; profiles from
``GET /{psid}?fields=first_name,last_name,profile_pic``.
"""

import functools
import hashlib
import json
import logging
from datetime import datetime, timezone

from . import errors, media
from .base import BaseClient, _within_deadline_call, dump_state, engagement_counts, load_state
from .messaging import MB, EventOutcome, MediaRule, send_parts
from .meta_messaging import MetaMessaging
from .models import Author, Item
from .utils import (
    BadItem,
    as_dict,
    as_list,
    check_id,
    clean_text,
    parse_datetime,
    require_str,
    safe_int,
    scrub_item,
)

_logger = logging.getLogger(__name__)

THROTTLE_CODES = {4, 17, 32, 613, 80001, 80002, 80004, 80005, 80006}
AUTH_CODES = {102, 190, 200, 10}
# A comment's picture (Comment ``attachment``, a StoryAttachment) and a post's (``attachments``, a list).
COMMENT_ATTACHMENT = "attachment{type,media{image{src}},description}"
POST_ATTACHMENTS = "attachments{media_type,media{image{src}},description}"
COMMENT_FIELDS = f"id,message,created_time,from{{id,name}},parent{{id}},permalink_url,{COMMENT_ATTACHMENT}"
POST_FIELDS = "id,message,created_time,from{id,name},permalink_url"
TAGGED_FIELDS = f"{POST_FIELDS},{POST_ATTACHMENTS}"
# Attachment types that are a picture (or a video's picture); a link preview (``share``) is not the person's.
PICTURE_TYPES = ("photo", "album", "sticker", "animated_image_share", "animated_image_video", "video", "video_inline")
MAX_PICTURES = 4
RECENT_POSTS = 25
ENGAGEMENT_FIELDS = "comments.limit(0).summary(true),reactions.limit(0).summary(true),shares"


class FacebookClient(BaseClient, MetaMessaging):
    network = "facebook"
    label = "Facebook"
    default_base_url = "https://graph.facebook.com/v21.0"
    max_length = 8000
    text_key = "message"
    webhook_object = "page"
    message_max_length = 2000
    can_publish = True
    publish_limits = {"max_length": 63206, "max_images": 10, "needs_image": False, "link": True}
    max_image_bytes = 4 * 1024 * 1024  # Pages photos: under 4 MB
    link_in_text = False  # a text post takes the link as its own field (Facebook draws the preview)
    # Send API attachments, fetched by Meta from a public address while the message is sent: 25 MB at most.
    reply_media_rules = (
        MediaRule("image", ("image/jpeg", "image/png", "image/gif"), 25 * MB),
        MediaRule("file", (), 25 * MB),
    )
    media_by_url = True
    login_name = "the Page id"

    def auth_headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def raise_for_error(self, response, payload):
        error = as_dict(as_dict(payload).get("error"))
        code = safe_int(error.get("code"))
        message = error.get("message") or response.reason
        if code in self.throttle_codes or response.status_code == 429:
            raise self.rate_limited(response, wait=self._regain_seconds(response))
        messaging = self.messaging_error(response, error)
        if messaging:
            raise messaging
        if code in AUTH_CODES or response.status_code == 401:
            raise errors.AuthenticationFailed(
                f"token rejected by {self.label}: log in again ({message}).", self.network
            )
        if code == 100 and safe_int(error.get("error_subcode")) == 33 or response.status_code == 404:
            raise errors.NotFound(f"{self.label} says this does not exist or was deleted: {message}.", self.network)
        raise errors.ApiError(
            f"{self.label} answered {response.status_code}: {message}.",
            self.network,
            status=response.status_code,
            code=code,
        )

    throttle_codes = THROTTLE_CODES

    def _regain_seconds(self, response):
        """Minutes to regain access from X-Business-Use-Case-Usage, as seconds (None when absent)."""
        try:
            usage = json.loads(response.headers.get("X-Business-Use-Case-Usage") or "{}")
        except ValueError:
            return None
        minutes = [
            safe_int(entry.get("estimated_time_to_regain_access"))
            for entries in as_dict(usage).values()
            for entry in as_list(entries)
            if isinstance(entry, dict)
        ]
        minutes = [m for m in minutes if m]
        return max(minutes) * 60 if minutes else None

    def _get_list(self, path, params):
        payload = self.request("GET", path, params=params)
        rows = self.page_list(payload, "data", path)
        # A next-page link is an absolute URL with the token in it: request() follows it only on the
        # account's own origin (errors.UnsafeAddress otherwise), after this page was handed over.
        next_url = as_dict(payload.get("paging")).get("next")
        return rows, next_url if isinstance(next_url, str) and next_url else None

    def verify(self):
        page = self.own_node("id,name,link,followers_count")
        return Author(
            external_id=require_str(page, "id"),
            name=page.get("name") or "",
            profile_url=page.get("link") or "",
            followers=safe_int(page.get("followers_count")),
        )

    # What the Graph API polls: containers (posts or media) whose comments we read, then tagged items.
    containers = ("feed", POST_FIELDS, RECENT_POSTS)
    comment_params = {"fields": COMMENT_FIELDS, "filter": "stream", "order": "reverse_chronological", "limit": 100}
    tagged = ("tagged", TAGGED_FIELDS, 100)

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        """Comments newer than each container's saved mark, then tagged items newer than theirs.

        Marks (newest created_time saved, per post or media and for tagged items)
        move only with the last page of the cycle, so a crash re-reads the cycle
        and the database drops the duplicates.
        """
        state = load_state(cursor)
        marks = dict(state.get("marks") or {})
        own = self.own()
        edge, fields, limit = self.containers
        containers, _next = self._get_list(f"/{self.segment(self.login)}/{edge}", {"fields": fields, "limit": limit})
        pages = 0
        for container in containers:
            if not isinstance(container, dict) or not container.get("id"):
                continue
            try:
                container_id = check_id(container["id"], "post id")
            except BadItem as exc:
                _logger.warning("%s: skipping a post with an unusable id: %s", self.label, exc)
                continue
            mark = marks.get(container_id)
            url, params = f"/{self.segment(container_id)}/comments", dict(self.comment_params)
            while url and pages < max_pages:
                rows, url = self._get_list(url, params)
                params = None  # the next URL carries its own query
                pages += 1
                rows = self._flatten(rows)
                fresh = [r for r in rows if not mark or self._created(r) > mark]
                newest = max([self._created(r) for r in fresh], default="")
                if newest > (marks.get(container_id) or ""):
                    marks[container_id] = newest
                yield self.make_page(fresh, lambda r, c=container: self._normalize(r, own, c), dump_state(state), True)
                if len(fresh) < len(rows):
                    break
        tagged_mark = state.get("tagged")
        edge, fields, limit = self.tagged
        tagged, _next = self._get_list(f"/{self.segment(self.login)}/{edge}", {"fields": fields, "limit": limit})
        fresh = [r for r in tagged if not tagged_mark or self._created(r) > tagged_mark]
        recent = {c.get("id") for c in containers if isinstance(c, dict)}
        state = {
            "marks": {key: value for key, value in marks.items() if key in recent},
            "tagged": max([self._created(r) for r in fresh], default="") or tagged_mark,
        }
        yield self.make_page(fresh, lambda r: self._normalize_tagged(r, own), dump_state(state), False)

    def _flatten(self, rows):
        return rows

    def _normalize_tagged(self, raw, own):
        return self._normalize(raw, own, None)

    def _created(self, raw):
        try:
            return parse_datetime(as_dict(raw).get("created_time") or as_dict(raw).get("timestamp")).isoformat()
        except BadItem:
            return ""

    def _normalize(self, raw, own, post):
        if not isinstance(raw, dict):
            raise BadItem("not an object")
        item_id = check_id(require_str(raw, "id"))
        sender = as_dict(raw.get("from"))
        if not sender.get("id"):
            raise BadItem("missing author (from)")
        check_id(sender["id"], "author id")
        text = raw.get(self.text_key) or ""
        if not isinstance(text, str):
            raise BadItem("message is not a string")
        post_id = as_dict(post).get("id")
        parent = check_id(as_dict(raw.get("parent")).get("id") or post_id, "parent id")
        return Item(
            external_id=item_id,
            author=Author(
                external_id=str(sender["id"]),
                name=sender.get("name") or "",
                handle=sender.get("username") or "",
                profile_url=f"https://www.facebook.com/{sender['id']}",
            ),
            text=clean_text(text),
            posted_at=parse_datetime(raw.get("created_time")),
            url=raw.get("permalink_url") or "",
            parent_id=parent,
            root_id=post_id or item_id,
            is_own=bool(own) and str(sender["id"]) == own.external_id,
            kind="comment" if post_id else "mention",
            extra={"media": pictures} if (pictures := _pictures(raw)) else {},
        )

    def reply(self, text, parent_id, root_id=None, extra=None):
        text = self.check_reply_text(text)
        # An edit stored next to its comment is answered on the comment itself.
        target = as_dict(extra).get("reply_to") or parent_id
        created = as_dict(self.request("POST", f"/{self.segment(target)}/comments", data={"message": text}))
        if not created.get("id"):
            raise errors.BadPayload(f"{self.label} did not say which comment was created.", self.network)
        own = self.own()
        return Item(
            external_id=str(created["id"]),
            author=own,
            text=text,
            posted_at=parse_datetime(created.get("created_time") or _now_iso()),
            parent_id=parent_id,
            root_id=root_id or parent_id,
            is_own=True,
            kind="reply",
        )

    # --- Page feed webhook (``changes``, field ``feed``) -------------------------

    routed_objects = {"page": "facebook", "instagram": "instagram"}
    # Page subscription made at connect time (``subscribe_webhooks``): the feed (public comments) first;
    # the Messenger fields need pages_messaging as well, so they are asked for separately.
    FEED_FIELDS = ("feed",)
    MESSAGING_FIELDS = ("messages", "messaging_postbacks", "message_echoes", "message_edits")

    @classmethod
    def _read_change(cls, field, value, entry, own_id):
        """A Page ``feed`` change: a comment (or a reply) added, edited or removed; a visitor's post added,
        edited or removed. Comments get the ids the poller gives them (``comment_id``), so a comment stored
        from the webhook is skipped when the poller reads it again; an edit is kept next to the original, as
        ``<comment id>:edit:<digest of the new text>`` (a redelivery of the same edit is the same id)."""
        if field != "feed":
            return EventOutcome(ignored=f"{cls.label} '{field}' change: not read")
        page = str(entry.get("id") or "")
        if own_id and page and page != str(own_id):
            return EventOutcome(ignored=f"{cls.label} feed change for another Page ({page})")
        item, verb = value.get("item"), value.get("verb")
        if item == "comment":
            object_id = check_id(value.get("comment_id"), "comment_id")
        elif item in FEED_POST_ITEMS:
            object_id = check_id(value.get("post_id"), "post_id")
        else:
            return EventOutcome(ignored=f"{cls.label} feed {item or 'change'} ({verb or 'no verb'}): nothing to answer")
        if not object_id:
            raise BadItem(f"a feed {item} without its id")
        if verb in ("remove", "delete"):
            return EventOutcome(deleted_ids=[object_id], public=True)
        if verb not in ("add", "edited"):
            return EventOutcome(ignored=f"{cls.label} feed {item} {verb or 'change'}: nothing to store")
        sender = as_dict(value.get("from"))
        author_id = check_id(sender.get("id"), "author id")
        if not author_id:
            raise BadItem("a feed change without its author (from)")
        own = bool(page) and author_id == page
        if item != "comment" and own:
            return EventOutcome(ignored=f"{cls.label} the Page's own post: published from here or by the Page")
        text = value.get("message") or ""
        if not isinstance(text, str):
            raise BadItem("message is not a string")
        if not text.strip() and verb == "add" and not (value.get("photo") or value.get("video") or value.get("link")):
            return EventOutcome(ignored=f"{cls.label} {item} without text")
        post_id = check_id(value.get("post_id"), "post_id") or object_id
        parent_id = check_id(value.get("parent_id"), "parent_id") if item == "comment" else None
        edited = verb == "edited"
        posted = entry.get("time") if edited else value.get("created_time")
        post_url = as_dict(value.get("post")).get("permalink_url")
        extra = {"post_id": post_id}
        pictures = _feed_pictures(value)
        if pictures:
            extra["media"] = pictures
        if edited:
            extra.update(reply_to=object_id, edit=True)
        result = Item(
            external_id=f"{object_id}:edit:{_digest(text)}" if edited else object_id,
            author=Author(
                external_id=author_id,
                name=clean_text(sender.get("name") or "") if isinstance(sender.get("name"), str) else "",
                profile_url=f"https://www.facebook.com/{author_id}",
            ),
            text=clean_text(text) or _media_placeholder(value),
            posted_at=parse_datetime(posted if posted not in (None, "") else value.get("created_time")),
            url=_comment_url(post_url, post_id, object_id if item == "comment" else None),
            parent_id=object_id if edited else (parent_id or (post_id if item == "comment" else None)),
            root_id=post_id,
            is_own=own,
            kind="comment" if item == "comment" else "mention",
            extra=extra,
        )
        return EventOutcome(items=[scrub_item(result)], public=True)

    def subscribe_webhooks(self):
        """Install the app on the Page for its feed and, where the token may, its Messenger fields
        (``POST /{page-id}/subscribed_apps``). Returns the fields subscribed; raises the network's error when
        even the feed is refused (``pages_manage_metadata`` missing)."""
        page = self.segment(self.login)
        for fields in (self.FEED_FIELDS + self.MESSAGING_FIELDS, self.FEED_FIELDS):
            try:
                answer = as_dict(
                    self.request("POST", f"/{page}/subscribed_apps", data={"subscribed_fields": ",".join(fields)})
                )
            except (errors.AuthenticationFailed, errors.ApiError):
                if fields == self.FEED_FIELDS:
                    raise
                continue  # no pages_messaging: the feed alone
            if answer.get("success") in (True, "true"):
                return list(fields)
            raise errors.BadPayload(f"{self.label} did not confirm the subscription.", self.network)
        return []

    # --- Messenger -----------------------------------------------------------

    @_within_deadline_call
    def send(self, text, recipient_id, context=None, human_agent_tag=None):
        """Answer ``recipient_id`` (a PSID) on Messenger. ``human_agent_tag`` (or ``context["human_agent_tag"]``):
        the Page may use the human-agent tag, so answers stay possible up to 7 days."""
        text = self.check_message_text(text)
        context = as_dict(context)
        if human_agent_tag is None:
            human_agent_tag = bool(context.get("human_agent_tag"))
        tag = self.window_tag(context, human_agent_tag)
        message_id = self._post_message({"text": text}, recipient_id, tag)
        return self.sent_item(message_id, text, recipient_id, context, Author(external_id=self.login))

    @_within_deadline_call
    def send_media(self, text, media, recipient_id, context=None, human_agent_tag=None):
        """The text with ``send``, then one Send API message per file: ``message.attachment`` of type image or
        file whose ``payload.url`` is the file's public address (``Media.url``), which Meta fetches while the
        message is sent. Nothing goes out when a file has no public address or is refused."""
        text = self.check_message_text(text) if (text or "").strip() else ""
        media = self.check_media(media)
        context = as_dict(context)
        if human_agent_tag is None:
            human_agent_tag = bool(context.get("human_agent_tag"))
        tag = self.window_tag(context, human_agent_tag)
        for item in media:
            if not (item.url or "").startswith(("https://", "http://")):
                raise errors.InvalidPost(
                    f"{self.label} fetches files from a public address; {item.filename} has none.", self.network
                )
        self.segment(recipient_id)
        parts = [functools.partial(self.send, text, recipient_id, context, human_agent_tag)] if text else []
        parts += [functools.partial(self._send_attachment, item, recipient_id, context, tag) for item in media]
        return send_parts(self, parts)

    def _attachment_payload(self, item):
        return {"url": item.url, "is_reusable": False}

    def _send_attachment(self, item, recipient_id, context, tag):
        kind = "image" if self.media_rule(item.mimetype).kind == "image" else "file"
        attachment = {"type": kind, "payload": self._attachment_payload(item)}
        message_id = self._post_message({"attachment": attachment}, recipient_id, tag)
        return self.sent_item(message_id, f"[{kind}]", recipient_id, context, Author(external_id=self.login))

    survey_buttons = True
    QUICK_REPLY_TITLE = 20  # Messenger's limit on a quick reply's title

    @_within_deadline_call
    def send_survey(self, question, choices, recipient_id, context=None):
        """A Send API message with ``quick_replies``: pressing one sends back a message whose
        ``quick_reply.payload`` is the choice's payload (within the 24-hour window, as any answer)."""
        text = self.check_message_text(question)
        context = as_dict(context)
        tag = self.window_tag(context, bool(context.get("human_agent_tag")))
        quick_replies = [
            {"content_type": "text", "title": label[: self.QUICK_REPLY_TITLE], "payload": payload}
            for payload, label in choices
        ]
        message_id = self._post_message({"text": text, "quick_replies": quick_replies}, recipient_id, tag)
        return self.sent_item(message_id, text, recipient_id, context, Author(external_id=self.login))

    def _post_message(self, message, recipient_id, tag):
        """One Send API message (``POST /{page-id}/messages``) to ``recipient_id``, with the human-agent ``tag``
        past the 24-hour window; the ``message_id`` Meta gives it."""
        body = {"recipient": {"id": str(recipient_id)}, "message": message}
        body.update({"messaging_type": "MESSAGE_TAG", "tag": tag} if tag else {"messaging_type": "RESPONSE"})
        path = f"/{self.segment(self.login)}/messages" if self.login else "/me/messages"
        self.segment(recipient_id)
        sent = as_dict(self.request("POST", path, json_body=body))
        if not sent.get("message_id"):
            raise errors.BadPayload(f"{self.label} did not say which message was sent.", self.network)
        return sent["message_id"]

    @_within_deadline_call
    def profile(self, user_id):
        person = as_dict(
            self.request("GET", f"/{self.segment(user_id)}", params={"fields": "first_name,last_name,profile_pic"})
        )
        name = " ".join(part for part in (person.get("first_name"), person.get("last_name")) if isinstance(part, str))
        return Author(external_id=str(user_id), name=name.strip(), avatar_url=person.get("profile_pic") or "")

    # --- publishing ----------------------------------------------------

    def publish(self, text, link=None, media=()):
        """Text (and link): ``POST /{page}/feed``. One image: ``POST /{page}/photos`` (multipart ``source``
        with the text as ``caption``). Several: each uploaded unpublished, then one feed post with
        ``attached_media``. No idempotency key on the Graph API: the caller claims the post before calling."""
        text, link, media = self.prepare_post(text, link, media)
        page = self.segment(self.login)
        if media and link and link not in text:
            text = f"{text}\n\n{link}" if text else link  # a photo post has no link field
        if len(media) == 1:
            created = as_dict(
                self.request(
                    "POST",
                    f"/{page}/photos",
                    files={"source": (media[0].filename, media[0].data, media[0].mimetype)},
                    data={"caption": text, "published": "true"},
                )
            )
            post_id = created.get("post_id") or created.get("id")
        else:
            body = {"message": text}
            if link and not media:
                body["link"] = link
            for index, image in enumerate(media):
                photo = as_dict(
                    self.request(
                        "POST",
                        f"/{page}/photos",
                        files={"source": (image.filename, image.data, image.mimetype)},
                        data={"published": "false"},
                    )
                )
                if not photo.get("id"):
                    raise errors.BadPayload(f"Facebook did not accept the image {image.filename}.", self.network)
                body[f"attached_media[{index}]"] = json.dumps({"media_fbid": str(photo["id"])})
            post_id = as_dict(self.request("POST", f"/{page}/feed", data=body)).get("id")
        if not post_id:
            raise errors.BadPayload("Facebook did not say which post was created.", self.network)
        post_id = check_id(str(post_id), "post id")
        own = self.own()
        page_id, _sep, story = post_id.partition("_")
        return Item(
            external_id=post_id,
            author=own,
            text=text,
            posted_at=datetime.now(timezone.utc),
            url=f"https://www.facebook.com/{page_id}/posts/{story}" if story else f"https://www.facebook.com/{post_id}",
            root_id=post_id,
            is_own=True,
            kind="post",
        )

    def _post_engagement(self, external_id):
        post = as_dict(self.request("GET", f"/{self.segment(external_id)}", params={"fields": ENGAGEMENT_FIELDS}))
        return engagement_counts(
            as_dict(as_dict(post.get("comments")).get("summary")).get("total_count"),
            as_dict(as_dict(post.get("reactions")).get("summary")).get("total_count"),
            safe_int(as_dict(post.get("shares")).get("count")) or 0,
        )


FEED_POST_ITEMS = ("post", "status", "photo", "video", "share")


def _digest(text):
    return hashlib.sha256((text or "").encode("utf-8", errors="surrogatepass")).hexdigest()[:16]


def _pictures(raw):
    """A comment's ``attachment`` or a post's ``attachments`` that are pictures, as ``media.reference``s of
    their image (``media.image.src``, on Meta's CDN: fetched by ``media_content`` without the token), with the
    attachment's description as alt text."""
    attachments = [as_dict(raw.get("attachment"))] + as_list(as_dict(raw.get("attachments")).get("data"))
    refs = []
    for attachment in attachments:
        attachment = as_dict(attachment)
        kind = attachment.get("type") or attachment.get("media_type")
        src = as_dict(as_dict(attachment.get("media")).get("image")).get("src")
        if kind not in PICTURE_TYPES or not isinstance(src, str) or not src.startswith(("https://", "http://")):
            continue
        alt = attachment.get("description")
        refs.append(media.reference("thumbnail", url=src, alt=clean_text(alt) if isinstance(alt, str) else ""))
    return refs[:MAX_PICTURES]


def _feed_pictures(value):
    """The pictures a Page ``feed`` change links (``photo``, ``photos``), as ``media.reference``s."""
    links = [value.get("photo")] + as_list(value.get("photos"))
    urls = [link for link in links if isinstance(link, str) and link.startswith(("https://", "http://"))]
    return [media.reference("thumbnail", url=url) for url in list(dict.fromkeys(urls))[:MAX_PICTURES]]


def _media_placeholder(value):
    for key, label in (("photo", "[photo]"), ("video", "[video]"), ("link", "[link]")):
        if value.get(key):
            return label
    return ""


def _comment_url(post_url, post_id, comment_id):
    """The post's permalink (from the delivery, else built from its id), pointing at the comment."""
    url = post_url if isinstance(post_url, str) and post_url.startswith("https://www.facebook.com/") else ""
    if not url:
        page_id, _sep, story = (post_id or "").partition("_")
        url = f"https://www.facebook.com/{page_id}/posts/{story}" if story else f"https://www.facebook.com/{post_id}"
    if comment_id:
        url += ("&" if "?" in url else "?") + f"comment_id={comment_id.rpartition('_')[2]}"
    return url


def _now_iso():
    return datetime.now(timezone.utc).isoformat()

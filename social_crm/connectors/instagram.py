"""Instagram Graph API (Business and Creator accounts).

``base_url``: default https://graph.facebook.com/v21.0; ``login``: the
Instagram user id; ``token``: an access token with instagram_basic and
instagram_manage_comments. Polls the comments (and their replies) on the
account's recent media and the media it is tagged in. Mentions in other
people's comments and captions have no list endpoint: they arrive by webhook only
(field ``mentions``: ids only, read with ``read_lookups`` and answered with
``POST /{ig-user-id}/mentions``). Comments on the account's media also arrive by
webhook (field ``comments``), with the poller's ids.
Throttling: error codes 4/17/32/613/80002 in the body, like Facebook.

Instagram Direct (``instagram_manage_messages``): received by webhook (``object: instagram``, see
``meta_messaging``): text, attachments, story replies (``reply_to.story``), story mentions (an
attachment of type ``story_mention``), the account's own messages (echoes, ``is_echo``) and unsent
messages (``is_deleted``). Answered with ``POST /{ig-user-id}/messages`` (``/me/messages`` without a
login) within 24 hours, or 7 days with the human-agent tag; the text is limited to 1000 bytes of
UTF-8. Profiles from ``GET /{igsid}?fields=name,username,profile_pic``.
"""

from datetime import datetime, timezone

from . import errors, media
from .base import _within_deadline_call, engagement_counts
from .facebook import FacebookClient
from .messaging import MB, EventOutcome, MediaRule
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

COMMENT_FIELDS = "id,text,timestamp,username,from{id,username},parent_id,replies{id,text,timestamp,username,from{id,username},parent_id}"
MEDIA_FIELDS = "id,caption,timestamp,permalink,username"
# A post someone tagged the account in: its picture too (IG Media ``media_url`` / ``thumbnail_url``).
TAGGED_FIELDS = f"{MEDIA_FIELDS},media_type,media_url,thumbnail_url"
# What a mention read by id asks for (IG User Mentioned Comment / Mentioned Media references).
MENTIONED_COMMENT_FIELDS = "id,text,timestamp,username,media{id,permalink}"
MENTIONED_MEDIA_FIELDS = "id,caption,timestamp,permalink,username,media_type,media_url,thumbnail_url"
RECENT_MEDIA = 25


class InstagramClient(FacebookClient):
    network = "instagram"
    label = "Instagram"
    max_length = 2200
    webhook_object = "instagram"
    message_max_bytes = 1000
    # Instagram Direct answers take pictures by URL (PNG, JPEG; 8 MB), no documents.
    reply_media_rules = (MediaRule("image", ("image/jpeg", "image/png"), 8 * MB),)

    def _attachment_payload(self, item):
        return {"url": item.url}  # Instagram keeps no reusable attachments

    def check_message_text(self, text):
        text = super().check_message_text(text)
        size = len(text.encode("utf-8"))
        if size > self.message_max_bytes:
            raise ValueError(
                f"The message takes {size} bytes; Instagram allows {self.message_max_bytes} bytes of UTF-8 "
                "(about 330 characters of Thai or 500 of Persian)."
            )
        return text

    @_within_deadline_call
    def profile(self, user_id):
        person = as_dict(
            self.request("GET", f"/{self.segment(user_id)}", params={"fields": "name,username,profile_pic"})
        )
        username = person.get("username") if isinstance(person.get("username"), str) else ""
        return Author(
            external_id=str(user_id),
            handle=username,
            name=person.get("name") if isinstance(person.get("name"), str) else "",
            profile_url=f"https://www.instagram.com/{username}" if username else "",
            avatar_url=person.get("profile_pic") or "",
        )

    publish_limits = {"max_length": 2200, "max_images": 10, "needs_image": True, "link": False}
    image_types = ("image/jpeg",)  # the Content Publishing API takes JPEG only
    max_image_bytes = 8 * 1024 * 1024
    login_name = "the Instagram user id"
    no_public_url_hint = ": publish it on a public page first (or choose another network)"

    def verify(self):
        user = self.own_node("id,username,name,followers_count,profile_picture_url")
        username = user.get("username") or ""
        return Author(
            external_id=require_str(user, "id"),
            handle=username,
            name=user.get("name") or "",
            profile_url=f"https://www.instagram.com/{username}" if username else "",
            avatar_url=user.get("profile_picture_url") or "",
            followers=safe_int(user.get("followers_count")),
        )

    containers = ("media", MEDIA_FIELDS, RECENT_MEDIA)
    comment_params = {"fields": COMMENT_FIELDS, "limit": 50}
    tagged = ("tags", TAGGED_FIELDS, 50)

    def _flatten(self, rows):
        """Comments with their replies, which the API nests."""
        flat = []
        for row in rows:
            flat.append(row)
            flat.extend(as_list(as_dict(as_dict(row).get("replies")).get("data")))
        return flat

    def _normalize(self, raw, own, media):
        if not isinstance(raw, dict):
            raise BadItem("not an object")
        comment_id = check_id(require_str(raw, "id"))
        sender = as_dict(raw.get("from"))
        user_id = sender.get("id") or raw.get("username")
        if not user_id:
            raise BadItem("missing author")
        username = sender.get("username") or raw.get("username") or ""
        text = raw.get("text")
        if not isinstance(text, str):
            raise BadItem("missing text")
        media = as_dict(media)
        check_id(raw.get("parent_id"), "parent id")
        check_id(media.get("id"), "media id")
        return Item(
            external_id=comment_id,
            author=Author(
                external_id=str(user_id),
                handle=username,
                profile_url=f"https://www.instagram.com/{username}" if username else "",
            ),
            text=clean_text(text),
            posted_at=parse_datetime(raw.get("timestamp")),
            url=media.get("permalink") or "",
            parent_id=raw.get("parent_id") or media.get("id"),
            root_id=media.get("id") or comment_id,
            is_own=bool(own) and (str(user_id) == own.external_id or username == own.handle),
            kind="reply" if raw.get("parent_id") else "comment",
            extra={"media_id": media.get("id") or ""},
        )

    def _normalize_tagged(self, raw, own):
        if not isinstance(raw, dict):
            raise BadItem("not an object")
        media_id = check_id(require_str(raw, "id"))
        username = raw.get("username") or ""
        if not username:
            raise BadItem("missing author")
        return Item(
            external_id=media_id,
            author=Author(external_id=username, handle=username, profile_url=f"https://www.instagram.com/{username}"),
            text=clean_text(raw.get("caption") or ""),
            posted_at=parse_datetime(raw.get("timestamp")),
            url=raw.get("permalink") or "",
            root_id=media_id,
            is_own=username == own.handle,
            kind="mention",
            extra=_with_picture({"media_id": media_id, "tagged": True}, raw),
        )

    subscribe_webhooks = None  # the Page connected to the account is subscribed (its Facebook account)

    # --- comment and mention webhooks (``changes``: ``comments``, ``mentions``) ----------

    @classmethod
    def _read_change(cls, field, value, entry, own_id):
        """``comments`` (and ``live_comments``): a comment on the account's media, with the ids the poller
        gives it, so polling skips what the webhook stored. ``mentions``: the account @mentioned in another
        account's caption or comment; the delivery holds only ids, read by ``read_lookups``."""
        owner = str(entry.get("id") or "")
        if own_id and owner and owner != str(own_id):
            return EventOutcome(ignored=f"{cls.label} {field} for another account ({owner})")
        if field == "mentions":
            media_id = check_id(value.get("media_id"), "media_id")
            if not media_id:
                raise BadItem("a mention without media_id")
            lookup = {"kind": "mention", "media_id": media_id}
            comment_id = check_id(value.get("comment_id"), "comment_id")
            if comment_id:
                lookup["comment_id"] = comment_id
            return EventOutcome(lookups=[lookup], public=True)
        if field not in ("comments", "live_comments"):
            return EventOutcome(ignored=f"{cls.label} '{field}' change: not read")
        media = as_dict(value.get("media"))
        media_id = check_id(media.get("id"), "media id")
        comment_id = check_id(value.get("id"), "comment id")
        sender = as_dict(value.get("from"))
        author_id = check_id(sender.get("id"), "author id")
        if not comment_id or not media_id or not author_id:
            raise BadItem("a comment without id, media or author")
        text = value.get("text")
        if not isinstance(text, str):
            raise BadItem("a comment without text")
        username = sender.get("username") if isinstance(sender.get("username"), str) else ""
        parent_id = check_id(value.get("parent_id"), "parent id")
        # The delivery has no time of its own: the notification's time is as close as it gets.
        item = Item(
            external_id=comment_id,
            author=Author(
                external_id=author_id,
                handle=username,
                profile_url=f"https://www.instagram.com/{username}" if username else "",
            ),
            text=clean_text(text),
            posted_at=parse_datetime(entry.get("time")),
            parent_id=parent_id or media_id,
            root_id=media_id,
            is_own=bool(owner) and author_id == owner,
            kind="reply" if parent_id else "comment",
            extra={"media_id": media_id},
        )
        return EventOutcome(items=[scrub_item(item)], public=True)

    @_within_deadline_call
    def read_lookups(self, lookups):
        """The mentions a ``mentions`` delivery names, read by id: a comment with
        ``mentioned_comment.comment_id(...)``, a caption with ``mentioned_media.media_id(...)``. They are
        answered with ``POST /{ig-user-id}/mentions`` (``extra["mentioned"]``)."""
        items = []
        user = self.segment(self.login)
        for lookup in lookups:
            media_id = check_id(lookup.get("media_id"), "media_id")
            comment_id = check_id(lookup.get("comment_id"), "comment_id")
            if comment_id:
                fields = f"mentioned_comment.comment_id({comment_id}){{{MENTIONED_COMMENT_FIELDS}}}"
                found = as_dict(
                    as_dict(self.request("GET", f"/{user}", params={"fields": fields})).get("mentioned_comment")
                )
            else:
                fields = f"mentioned_media.media_id({media_id}){{{MENTIONED_MEDIA_FIELDS}}}"
                found = as_dict(
                    as_dict(self.request("GET", f"/{user}", params={"fields": fields})).get("mentioned_media")
                )
            try:
                items.append(scrub_item(self._mentioned_item(found, media_id, comment_id)))
            except BadItem as exc:
                raise errors.BadPayload(f"Instagram sent a mention we cannot read: {exc}.", self.network) from exc
        return items

    def _mentioned_item(self, found, media_id, comment_id):
        found_id = check_id(require_str(found, "id"), "id")
        if found_id != (comment_id or media_id):
            raise BadItem(f"asked for {comment_id or media_id}, got {found_id}")
        media = as_dict(found.get("media"))
        username = found.get("username") if isinstance(found.get("username"), str) else ""
        if not username:
            raise BadItem("missing username")
        text = found.get("text") if comment_id else found.get("caption")
        extra = {"media_id": media_id, "mentioned": True}
        if comment_id:
            extra["comment_id"] = comment_id
        else:
            extra = _with_picture(extra, found)
        # Authors of other accounts' media and comments come by user name only, as in the tagged media.
        return Item(
            external_id=found_id,
            author=Author(external_id=username, handle=username, profile_url=f"https://www.instagram.com/{username}"),
            text=clean_text(text if isinstance(text, str) else ""),
            posted_at=parse_datetime(found.get("timestamp")),
            url=(media.get("permalink") if comment_id else found.get("permalink")) or "",
            parent_id=media_id if comment_id else None,
            root_id=media_id,
            kind="mention",
            extra=extra,
        )

    def reply(self, text, parent_id, root_id=None, extra=None):
        text = self.check_reply_text(text)
        extra = extra or {}
        if extra.get("mentioned"):
            return self._reply_to_mention(text, parent_id, root_id, extra)
        if extra.get("tagged"):
            raise errors.ApiError(
                "Instagram does not allow answering a post the brand is tagged in; "
                "comment on it from the Instagram app.",
                self.network,
            )
        created = as_dict(self.request("POST", f"/{self.segment(parent_id)}/replies", data={"message": text}))
        return self._own_reply(created, text, parent_id, root_id, extra.get("media_id", ""))

    def _reply_to_mention(self, text, parent_id, root_id, extra):
        """``POST /{ig-user-id}/mentions`` with ``media_id`` (a caption mention) and ``comment_id`` (a comment
        mention): the answer appears under the mentioning comment, or as a comment on the media."""
        data = {"media_id": check_id(extra.get("media_id"), "media_id"), "message": text}
        if extra.get("comment_id"):
            data["comment_id"] = check_id(extra["comment_id"], "comment_id")
        created = as_dict(self.request("POST", f"/{self.segment(self.login)}/mentions", data=data))
        return self._own_reply(created, text, parent_id, root_id, data["media_id"])

    def _own_reply(self, created, text, parent_id, root_id, media_id):
        """The brand's answer as an item, from the id Instagram gave it."""
        if not created.get("id"):
            raise errors.BadPayload("Instagram did not say which reply was created.", self.network)
        return Item(
            external_id=str(created["id"]),
            author=self.own(),
            text=text,
            posted_at=parse_datetime(_now()),
            parent_id=parent_id,
            root_id=root_id or parent_id,
            is_own=True,
            kind="reply",
            extra={"media_id": media_id},
        )

    # --- publishing ----------------------------------------------------

    def publish(self, text, link=None, media=()):
        """A container per image (``POST /{ig-user}/media`` with ``image_url``: Instagram fetches the image
        itself, so every image needs a public https address in ``Media.url``), a carousel container for
        several, its ``status_code`` polled until FINISHED, then ``POST /{ig-user}/media_publish``.
        No idempotency key: the caller claims the post before calling."""
        text, link, media = self.prepare_post(text, link, media)
        for image in media:
            self._check_public_url(image)
        user = self.segment(self.login)
        if len(media) == 1:
            container = self._container(user, {"image_url": media[0].url, "caption": text}, media[0])
        else:
            children = [self._container(user, {"image_url": i.url, "is_carousel_item": "true"}, i) for i in media]
            for child in children:
                self._wait_finished(child)
            container = self._container(
                user, {"media_type": "CAROUSEL", "children": ",".join(children), "caption": text}, None
            )
        self._wait_finished(container)
        published = as_dict(self.request("POST", f"/{user}/media_publish", data={"creation_id": container}))
        if not published.get("id"):
            raise errors.BadPayload("Instagram did not say which post was published.", self.network)
        media_id = check_id(str(published["id"]), "media id")
        return self._published_post(media_id, text, {"media_id": media_id})

    def _container(self, user, data, image):
        if image is not None and image.alt:
            data = {**data, "alt_text": image.alt}
        created = as_dict(self.request("POST", f"/{user}/media", data=data))
        if not created.get("id"):
            raise errors.BadPayload("Instagram did not create the media container.", self.network)
        return check_id(str(created["id"]), "container id")

    def _post_engagement(self, external_id):
        found = as_dict(
            self.request("GET", f"/{self.segment(external_id)}", params={"fields": "comments_count,like_count"})
        )
        # likes hidden by the owner: absent, None; Instagram has no reposts in its API
        return engagement_counts(found.get("comments_count"), found.get("like_count"), None)


def _with_picture(extra, found):
    """``extra`` plus the picture of an IG Media (``media_url`` of an image or an album's cover, ``thumbnail_url``
    of a video, never the video), on Meta's CDN: fetched by ``media_content`` without the token."""
    url = found.get("thumbnail_url") if found.get("media_type") == "VIDEO" else found.get("media_url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return extra
    return {**extra, "media": [media.reference("thumbnail", url=url)]}


def _now():
    return datetime.now(timezone.utc).isoformat()

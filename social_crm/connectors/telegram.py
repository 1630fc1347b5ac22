"""Telegram Bot API: private messages by webhook (or by polling ``getUpdates``), answered with ``sendMessage``.

``base_url``: default https://api.telegram.org; ``token``: the bot token from BotFather, which
Telegram puts in the path (``/bot<token>/<method>``), so requests made here are never retried with
a log line and errors never show the address. The account's ``secret`` is the ``secret_token``
given to ``setWebhook``: Telegram sends it back in ``X-Telegram-Bot-Api-Secret-Token``.
A bot may write to a person who started it at any time (no reply window) until they block it.
Avatars need ``getFile``, whose download address holds the token: they are not fetched.

Telegram Business (Bot API 7.2, rights since 9.0): a Premium user connects the bot to their own
account; the bot then receives ``business_connection`` (who, ``is_enabled``, ``rights.can_reply``),
``business_message``, ``edited_business_message`` and ``deleted_business_messages`` for the user's
private chats, and answers with ``business_connection_id`` in ``sendMessage``, within 24 hours of
the customer's last message (``can_reply``: "send and edit messages in the private chats that had
incoming messages in the last 24 hours"). Such messages are the customer's chat with the Premium
user: their ids start with ``biz:<connection id>:`` so that they never meet the bot's own chats.
"""

import functools
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from . import errors, media
from .base import BaseClient
from .messaging import (
    MB,
    EventOutcome,
    MediaRule,
    MessagingClient,
    WebhookEvent,
    require,
    same_secret,
    send_parts,
    survey_answer,
)
from .models import Author, Item
from .utils import BadItem, as_dict, as_list, check_id, clean_text, parse_datetime, safe_int

TOKEN_SHAPE = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$")
MESSAGE_KEYS = ("message", "edited_message", "channel_post", "edited_channel_post")
BUSINESS_KEYS = ("business_message", "edited_business_message")
# callback queries: survey buttons pressed; business updates: chats of Premium users who connected the bot
ALLOWED_UPDATES = [*MESSAGE_KEYS, "callback_query", "business_connection", *BUSINESS_KEYS, "deleted_business_messages"]
BUSINESS_WINDOW = timedelta(hours=24)  # can_reply: chats that had incoming messages in the last 24 hours
POLL_LIMIT = 100
PLACEHOLDERS = (
    ("photo", "[photo]"),
    ("video", "[video]"),
    ("voice", "[voice message]"),
    ("audio", "[audio]"),
    ("document", "[file]"),
    ("location", "[location]"),
    ("contact", "[contact]"),
)
# Message fields holding a file, and the kind each is kept as (photo and sticker are handled apart).
FILE_KINDS = (
    ("video", "video"),
    ("video_note", "video"),
    ("animation", "video"),
    ("voice", "audio"),
    ("audio", "audio"),
    ("document", "file"),
)
GONE = ("wrong file_id", "file_id is invalid", "invalid file_id", "temporarily unavailable", "file not found")
UNREACHABLE = ("blocked", "deactivated", "kicked", "chat not found", "not a member", "user not found")


@dataclass
class BusinessConnection:
    """A ``BusinessConnection``: the Premium user who connected the bot, and what the bot may do there."""

    connection_id: str
    user: object  # Author of the business account's owner
    user_chat_id: str
    is_enabled: bool
    can_reply: bool
    rights: dict
    date: datetime


class TelegramClient(MessagingClient, BaseClient):
    network = "telegram"
    label = "Telegram"
    default_base_url = "https://api.telegram.org"
    max_length = 4096
    survey_buttons = True
    # sendPhoto: photos up to 10 MB (Telegram recompresses them); sendDocument: any file up to 50 MB.
    reply_media_rules = (
        MediaRule("image", ("image/jpeg", "image/png", "image/webp"), 10 * MB),
        MediaRule("file", (), 50 * MB),
    )
    caption_max_length = 1024

    def auth_headers(self):
        return {}  # the token travels in the path

    def _method(self, name):
        if not TOKEN_SHAPE.match(self.token or ""):
            raise errors.AuthenticationFailed(
                f"The {self.label} bot token is missing or not shaped like BotFather's (123456:ABC...).", self.network
            )
        return f"/bot{self.token}/{name}"

    def call(self, name, body=None):
        """One Bot API method; ``{"ok": true, "result": ...}`` gives the result, anything else a typed error."""
        answer = as_dict(self.request("POST", self._method(name), json_body=body or {}, idempotent=False))
        if answer.get("ok") is not True or "result" not in answer:
            raise errors.BadPayload(f"{self.label} answered {name} without a result.", self.network)
        return answer["result"]

    # ------------------------------------------------------------------
    # WEBHOOK
    # ------------------------------------------------------------------

    @classmethod
    def check_signature(cls, raw_body, headers, secret):
        given = require(headers.get("X-Telegram-Bot-Api-Secret-Token"), cls.network)
        if not secret or not same_secret(secret, given):
            raise errors.BadSignature("The Telegram secret token does not match the account's.", cls.network)

    @classmethod
    def split_delivery(cls, payload):
        update_id = as_dict(payload).get("update_id")
        if not isinstance(payload, dict) or isinstance(update_id, bool) or not isinstance(update_id, int):
            raise errors.BadPayload("The delivery is not a Telegram update (no update_id).", cls.network)
        return [WebhookEvent(event_id=str(update_id), raw=payload)]

    @classmethod
    def read_event(cls, raw, own_id=None):
        raw = as_dict(raw)
        business = next((k for k in BUSINESS_KEYS if isinstance(raw.get(k), dict)), None)
        if business:
            return EventOutcome(items=[cls._business_item(raw[business], edited=business.startswith("edited_"))])
        if isinstance(raw.get("deleted_business_messages"), dict):
            return EventOutcome(deleted_ids=cls._business_deleted(raw["deleted_business_messages"]))
        key = next((k for k in MESSAGE_KEYS if isinstance(raw.get(k), dict)), None)
        if key is None:
            kinds = [k for k in raw if k != "update_id"]
            return EventOutcome(ignored=f"{cls.label} {kinds[0] if kinds else 'empty'} update")
        return EventOutcome(items=[cls._message_item(raw[key], own_id, edited=key.startswith("edited_"))])

    # ------------------------------------------------------------------
    # TELEGRAM BUSINESS
    # ------------------------------------------------------------------

    @staticmethod
    def _business_prefix(connection_id):
        return f"biz:{check_id(connection_id, 'business connection id')}"

    @classmethod
    def _business_item(cls, message, edited=False):
        """A message of a Premium user's private chat: the customer's, or the user's own answer (then
        ``is_own``: in a private chat the customer's user id is the chat id, anyone else writes for the business)."""
        connection_id = message.get("business_connection_id")
        if not isinstance(connection_id, str) or not connection_id:
            raise BadItem("Telegram business message without business_connection_id")
        item = cls._message_item(message, edited=edited)
        prefix = cls._business_prefix(connection_id)
        chat_id = item.extra["chat_id"]
        item.external_id = f"{prefix}:{item.external_id}"
        item.parent_id = f"{prefix}:{item.parent_id}" if item.parent_id else None
        item.root_id = f"{prefix}:chat:{chat_id}"
        item.is_own = item.author.external_id != chat_id or bool(message.get("sender_business_bot"))
        item.extra["business_connection_id"] = connection_id
        return item

    @classmethod
    def _business_deleted(cls, deleted):
        """``BusinessMessagesDeleted``: the external ids of the messages deleted in the Premium user's chat."""
        chat_id = check_id(safe_int(as_dict(deleted.get("chat")).get("id")), "chat id")
        prefix = cls._business_prefix(deleted.get("business_connection_id"))
        ids = [safe_int(message_id) for message_id in as_list(deleted.get("message_ids"))]
        if chat_id is None or not ids or None in ids:
            raise BadItem("Telegram deleted_business_messages without chat or message ids")
        return [f"{prefix}:{chat_id}:{message_id}" for message_id in ids]

    @classmethod
    def read_business_connection(cls, raw):
        """The ``BusinessConnection`` of a stored ``business_connection`` update (or a
        ``getBusinessConnection`` result), else None."""
        connection = as_dict(as_dict(raw).get("business_connection"))
        return cls._business_connection(connection) if connection else None

    @classmethod
    def _business_connection(cls, connection):
        connection_id = check_id(connection.get("id"), "business connection id")
        rights = {key: value for key, value in as_dict(connection.get("rights")).items() if value is True}
        if not connection_id or not isinstance(connection.get("is_enabled"), bool):
            raise BadItem("Telegram business connection without id or is_enabled")
        # Bot API 9.0 moved can_reply into rights (a missing right is not granted); before, it was a field.
        can_reply = rights.get("can_reply", False) if "rights" in connection else connection.get("can_reply") is True
        return BusinessConnection(
            connection_id=connection_id,
            user=cls._author(as_dict(connection.get("user"))),
            user_chat_id=check_id(safe_int(connection.get("user_chat_id")), "user chat id") or "",
            is_enabled=connection["is_enabled"],
            can_reply=bool(can_reply),
            rights=rights,
            date=parse_datetime(connection.get("date")),
        )

    def get_business_connection(self, connection_id):
        """``getBusinessConnection``: the connection as Telegram knows it now."""
        result = as_dict(self.call("getBusinessConnection", {"business_connection_id": str(connection_id)}))
        try:
            return self._business_connection(result)
        except BadItem as exc:
            raise errors.BadPayload(
                f"Telegram sent getBusinessConnection in an unknown shape ({exc}).", self.network
            ) from exc

    @staticmethod
    def business_window_closed(received_at, now=None):
        """True when the customer's last message is older than what ``can_reply`` allows (24 hours)."""
        if received_at is None:
            return False
        if received_at.tzinfo is None:
            received_at = received_at.replace(tzinfo=timezone.utc)
        return (now or datetime.now(timezone.utc)) - received_at > BUSINESS_WINDOW

    def _reply_to(self, message_id):
        """How ``sendMessage`` names the message answered (Bot API 7.0 ``reply_parameters``)."""
        return {"reply_parameters": {"message_id": message_id, "allow_sending_without_reply": True}}

    def _sent_item(self, sent):
        if sent.get("business_connection_id"):
            return self._business_item(sent)
        return self._message_item(sent, own_id=as_dict(sent.get("from")).get("id"))

    @classmethod
    def _message_item(cls, message, own_id=None, edited=False):
        chat = as_dict(message.get("chat"))
        chat_id = check_id(safe_int(chat.get("id")), "chat id")
        message_id = safe_int(message.get("message_id"))
        if chat_id is None or message_id is None:
            raise BadItem("Telegram message without chat id or message_id")
        sender = as_dict(message.get("from")) or as_dict(message.get("sender_chat")) or chat
        author = cls._author(sender)
        text = clean_text(message.get("text") or message.get("caption") or "")
        if not text:
            sticker = as_dict(message.get("sticker"))
            if sticker:
                text = f"[sticker {sticker.get('emoji') or ''}]".replace(" ]", "]")
            else:
                text = next((label for key, label in PLACEHOLDERS if message.get(key)), "")
        external_id = f"{chat_id}:{message_id}"
        parent = as_dict(message.get("reply_to_message")).get("message_id")
        parent_id = f"{chat_id}:{parent}" if safe_int(parent) is not None else None
        if edited:
            # An edit is kept next to the original (which stays as it was received).
            parent_id = external_id
            external_id = f"{external_id}:edit:{safe_int(message.get('edit_date')) or 0}"
        extra = {"chat_id": chat_id, "message_id": message_id, "chat_type": chat.get("type") or ""}
        files = cls._media(message)
        if files:
            extra["media"] = files
        return Item(
            external_id=external_id,
            author=author,
            text=text,
            posted_at=parse_datetime(message.get("edit_date") if edited else message.get("date")),
            parent_id=parent_id,
            root_id=f"chat:{chat_id}",
            is_own=bool(own_id) and author.external_id == str(own_id),
            kind="reply" if parent_id else "mention",
            lang=None,
            visibility="private",
            extra=extra,
        )

    @staticmethod
    def _media(message):
        """The message's files as ``media.reference``s: the largest photo size under the cap, a sticker's own
        image (its WebP thumbnail for an animated or video sticker), videos, voice notes, audio, documents."""

        def ref(kind, raw):
            raw = as_dict(raw)
            file_id = raw.get("file_id")
            if not isinstance(file_id, str) or not file_id:
                return None
            return media.reference(
                kind,
                ref=file_id,
                mimetype=raw.get("mime_type") if isinstance(raw.get("mime_type"), str) else "",
                name=clean_text(raw.get("file_name")) if isinstance(raw.get("file_name"), str) else "",
                size=safe_int(raw.get("file_size")),
            )

        found = []
        sizes = [as_dict(size) for size in message.get("photo") or () if isinstance(size, dict)]
        if sizes:
            fitting = [s for s in sizes if (safe_int(s.get("file_size")) or 0) <= media.CAPS["image"]] or sizes[:1]
            found.append(ref("image", max(fitting, key=lambda s: safe_int(s.get("file_size")) or 0)))
        sticker = as_dict(message.get("sticker"))
        if sticker:
            moving = sticker.get("is_animated") or sticker.get("is_video")
            found.append(ref("sticker", sticker.get("thumbnail") or sticker.get("thumb") if moving else sticker))
        for key, kind in FILE_KINDS:
            if isinstance(message.get(key), dict):
                found.append(ref(kind, message[key]))
                break  # an animation also comes as a document: once
        return [item for item in found if item]

    def media_content(self, ref):
        """``getFile`` then the file at ``/file/bot<token>/<file_path>`` on Telegram's host: a ``media.Download``.

        Bots download files up to 20 MB; a file_id Telegram no longer knows raises ``media.MediaGone``."""
        kind = ref.get("kind") or "file"
        if (safe_int(ref.get("size")) or 0) > media.CAPS.get(kind, media.CAPS["file"]):
            raise media.too_large(kind, self.label, self.network, safe_int(ref.get("size")))
        try:
            info = as_dict(self.call("getFile", {"file_id": str(ref.get("ref") or "")}))
        except errors.ApiError as exc:
            lowered = str(exc).lower()
            if "too big" in lowered:
                raise media.too_large(kind, self.label, self.network) from exc
            if exc.status in (400, 404) and any(word in lowered for word in GONE):
                raise media.MediaGone(f"Telegram no longer has this {kind} ({exc}).", self.network) from exc
            raise
        path = info.get("file_path")
        if not isinstance(path, str) or not path or any(part in ("", ".", "..") for part in path.split("/")):
            raise errors.BadPayload("Telegram answered getFile without a usable file_path.", self.network)
        if (safe_int(info.get("file_size")) or 0) > media.CAPS.get(kind, media.CAPS["file"]):
            raise media.too_large(kind, self.label, self.network, safe_int(info.get("file_size")))
        url = f"{self.base_url}/file/bot{self.token}/{quote(path, safe='/')}"
        return media.download(self, url, kind, declared=ref.get("mimetype") or "")

    @staticmethod
    def _author(raw):
        user_id = check_id(safe_int(raw.get("id")), "sender id")
        if user_id is None:
            raise BadItem("Telegram message without a sender")
        name = " ".join(p for p in (raw.get("first_name"), raw.get("last_name")) if isinstance(p, str) and p)
        username = raw.get("username") if isinstance(raw.get("username"), str) else ""
        return Author(
            external_id=user_id,
            handle=username,
            name=clean_text(name or raw.get("title") or ""),
            profile_url=f"https://t.me/{username}" if username else "",
            bio=clean_text(raw.get("bio") or "") if isinstance(raw.get("bio"), str) else "",
        )

    # ------------------------------------------------------------------
    # API
    # ------------------------------------------------------------------

    def raise_for_error(self, response, payload):
        payload = as_dict(payload)
        description = str(payload.get("description") or response.reason or "")
        status = safe_int(payload.get("error_code")) or response.status_code
        lowered = description.lower()
        if status == 429:
            wait = safe_int(as_dict(payload.get("parameters")).get("retry_after"))
            raise self.rate_limited(response, wait=wait)
        if status == 401 or status == 404 and "not found" == lowered.strip():
            raise errors.AuthenticationFailed(f"Telegram rejected the bot token ({description}).", self.network)
        if status in (400, 403) and any(word in lowered for word in UNREACHABLE):
            raise errors.RecipientUnavailable(
                f"Telegram cannot deliver to this person: they blocked the bot or the chat is gone ({description}).",
                self.network,
                status=status,
            )
        raise errors.ApiError(f"Telegram answered {status}: {description}.", self.network, status=status)

    def verify(self):
        me = as_dict(self.call("getMe"))
        try:
            return self._author(me)
        except BadItem as exc:
            raise errors.BadPayload(f"Telegram sent getMe in an unknown shape ({exc}).", self.network) from exc

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        """Nothing to fetch as mentions: updates arrive by webhook or through ``poll``."""
        return
        yield  # pragma: no cover - makes this a generator

    def poll(self, offset=None, limit=POLL_LIMIT):
        """Updates after ``offset`` (getUpdates, no long polling): ``(events, next_offset)``.

        Telegram forgets the updates before ``offset`` once asked with it, so store the events
        before asking with ``next_offset``.
        """
        body = self._updates_query(limit)
        if offset:
            body["offset"] = int(offset)
        updates = self.call("getUpdates", body)
        if not isinstance(updates, list):
            raise errors.BadPayload(f"{self.label} sent getUpdates in an unknown shape.", self.network)
        events, next_offset = [], int(offset or 0)
        for update in updates:
            events.extend(self.split_delivery(update))
            next_offset = max(next_offset, update["update_id"] + 1)
        return events, next_offset

    def _updates_query(self, limit):
        """What ``getUpdates`` is asked, but the offset."""
        return {"timeout": 0, "limit": limit, "allowed_updates": ALLOWED_UPDATES}

    def set_webhook(self, url, secret_token):
        """``setWebhook``: Telegram delivers updates to ``url`` (https) with ``secret_token`` in
        ``X-Telegram-Bot-Api-Secret-Token``; getUpdates stops working while it is set."""
        return self.call("setWebhook", {"url": url, "secret_token": secret_token, "allowed_updates": ALLOWED_UPDATES})

    def delete_webhook(self):
        """``deleteWebhook``: back to polling with getUpdates (pending updates are kept)."""
        return self.call("deleteWebhook", {"drop_pending_updates": False})

    def profile(self, user_id):
        chat = as_dict(self.call("getChat", {"chat_id": int(check_id(str(user_id), "user id"))}))
        try:
            return self._author(chat)
        except BadItem as exc:
            raise errors.BadPayload(f"Telegram sent getChat in an unknown shape ({exc}).", self.network) from exc

    def send_survey(self, question, choices, recipient_id, context=None):
        """``sendMessage`` with an inline keyboard: one row of buttons whose ``callback_data`` is the
        choice's payload; pressing one sends the bot a ``callback_query`` update."""
        keyboard = [[{"text": label, "callback_data": payload} for payload, label in choices]]
        return self.send(question, recipient_id, context, reply_markup={"inline_keyboard": keyboard})

    @classmethod
    def read_survey_answer(cls, raw):
        query = as_dict(as_dict(raw).get("callback_query"))
        user_id = safe_int(as_dict(query.get("from")).get("id"))
        user_id = str(user_id) if user_id is not None else ""
        return survey_answer(query.get("data"), user_id, callback_id=str(query.get("id") or ""))

    def answer_callback(self, callback_id, text=""):
        """``answerCallbackQuery``: Telegram shows the button as loading until the bot acknowledges it."""
        body = {"callback_query_id": str(callback_id)}
        if text:
            body["text"] = text[:200]
        return self.call("answerCallbackQuery", body)

    def send(self, text, recipient_id, context=None, reply_markup=None):
        text = self.check_reply_text(text)
        context = dict(context or {})
        chat_id = safe_int(context.get("chat_id")) or safe_int(recipient_id)
        if chat_id is None:
            raise errors.RecipientUnavailable("Telegram needs the chat to answer in.", self.network)
        body = {"chat_id": chat_id, "text": text}
        business = context.get("business_connection_id")
        if business:
            received_at = context.get("received_at")
            if self.business_window_closed(parse_datetime(received_at) if received_at else None):
                raise errors.WindowExpired(
                    "Telegram lets a business bot answer only within 24 hours of the customer's last message.",
                    self.network,
                )
            body["business_connection_id"] = str(business)
        message_id = safe_int(context.get("message_id"))
        if message_id and not reply_markup:
            body.update(self._reply_to(message_id))
        if reply_markup:
            body["reply_markup"] = reply_markup
        sent = as_dict(self.call("sendMessage", body))
        try:
            item = self._sent_item(sent)
        except BadItem as exc:
            raise errors.BadPayload(
                f"Telegram sent the message back in an unknown shape ({exc}).", self.network
            ) from exc
        item.is_own = True
        return item

    def send_media(self, text, media, recipient_id, context=None):
        """Each file with ``sendPhoto`` (pictures) or ``sendDocument`` (other files), multipart, the text as the
        first file's caption when it fits in 1,024 characters, else as a message of its own before them."""
        text = (text or "").strip()
        media = self.check_media(media)
        context = dict(context or {})
        chat_id = safe_int(context.get("chat_id")) or safe_int(recipient_id)
        if chat_id is None:
            raise errors.RecipientUnavailable("Telegram needs the chat to answer in.", self.network)
        caption = text if text and self.text_length(text) <= self.caption_max_length else ""
        parts = [functools.partial(self.send, text, recipient_id, context)] if text and not caption else []
        message_id = safe_int(context.get("message_id"))
        for index, item in enumerate(media):
            first = index == 0
            parts.append(
                functools.partial(
                    self._send_file,
                    chat_id,
                    item,
                    caption if first else "",
                    message_id if first and not parts else None,
                )
            )
        return send_parts(self, parts)

    def _send_file(self, chat_id, item, caption, reply_to):
        method, field = (
            ("sendPhoto", "photo") if self.media_rule(item.mimetype).kind == "image" else ("sendDocument", "document")
        )
        data = {"chat_id": str(chat_id)}
        if caption:
            data["caption"] = caption
        if reply_to:
            data["reply_parameters"] = json.dumps({"message_id": reply_to, "allow_sending_without_reply": True})
        answer = as_dict(
            self.request(
                "POST",
                self._method(method),
                data=data,
                files={field: (item.filename, item.data, item.mimetype)},
                idempotent=False,
            )
        )
        if answer.get("ok") is not True or not isinstance(answer.get("result"), dict):
            raise errors.BadPayload(f"Telegram answered {method} without a result.", self.network)
        sent = answer["result"]
        try:
            result = self._message_item(sent, own_id=as_dict(sent.get("from")).get("id"))
        except BadItem as exc:
            raise errors.BadPayload(f"Telegram sent the file back in an unknown shape ({exc}).", self.network) from exc
        result.is_own = True
        return result

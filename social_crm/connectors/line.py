"""LINE Messaging API: private messages received by webhook, answered with the reply or push API.

``base_url``: default https://api.line.me; ``token``: the channel access token; the account's
``secret``: the channel secret, which signs every delivery (``X-Line-Signature`` =
base64(HMAC-SHA256(channel secret, raw body))). LINE has no list of messages to poll: everything
arrives by webhook. A reply uses the event's reply token while it is fresh (free of charge); after
that, the push API, which counts against the channel's monthly message quota.
"""

import base64
import uuid
from datetime import datetime, timezone

from . import errors, media
from .base import BaseClient
from .messaging import (
    MB,
    EventOutcome,
    MediaRule,
    MessagingClient,
    WebhookEvent,
    hmac_sha256,
    require,
    same_secret,
    survey_answer,
)
from .models import Author, Item
from .utils import BadItem, as_dict, as_list, check_id, clean_text, parse_datetime, require_str

# LINE documents reply tokens as usable for about a minute; past this age the push API is used.
REPLY_TOKEN_SECONDS = 50
PLACEHOLDERS = {
    "image": "[image]",
    "video": "[video]",
    "audio": "[audio]",
    "file": "[file]",
    "location": "[location]",
    "sticker": "[sticker]",
}
# Message types whose content LINE keeps for a while (GET /v2/bot/message/{id}/content on api-data.line.me).
CONTENT_KINDS = {"image": "image", "video": "video", "audio": "audio", "file": "file"}
DATA_HOST = "https://api-data.line.me"


class LineClient(MessagingClient, BaseClient):
    network = "line"
    label = "LINE"
    default_base_url = "https://api.line.me"
    max_length = 5000
    can_reply = True
    survey_buttons = True
    QUICK_REPLY_LABEL = 20  # LINE's limit on a quick reply button's label
    # Image messages: JPEG or PNG up to 10 MB (the preview up to 1 MB); LINE's Messaging API sends no documents.
    reply_media_rules = (MediaRule("image", ("image/jpeg", "image/png"), 10 * MB),)
    reply_max_media = 4
    media_by_url = True

    # ------------------------------------------------------------------
    # WEBHOOK
    # ------------------------------------------------------------------

    @classmethod
    def check_signature(cls, raw_body, headers, secret):
        given = require(headers.get("X-Line-Signature"), cls.network).strip()
        if not secret:
            raise errors.BadSignature("The account has no channel secret: the delivery cannot be checked.", cls.network)
        expected = base64.b64encode(hmac_sha256(secret, raw_body))
        if not same_secret(expected, given):
            raise errors.BadSignature("The LINE signature does not match the channel secret.", cls.network)

    @classmethod
    def split_delivery(cls, payload):
        events = as_dict(payload).get("events")
        if not isinstance(payload, dict) or not isinstance(events, list):
            raise errors.BadPayload("The delivery is not a LINE webhook (no events list).", cls.network)
        result = []
        for event in events:
            event_id = as_dict(event).get("webhookEventId")
            if not isinstance(event_id, str) or not event_id:
                raise errors.BadPayload("A LINE event has no webhookEventId.", cls.network)
            result.append(WebhookEvent(event_id=event_id, raw=event))
        return result

    @classmethod
    def read_event(cls, raw, own_id=None):
        raw = as_dict(raw)
        kind = raw.get("type")
        if raw.get("mode") == "standby":
            return EventOutcome(ignored="LINE event in standby mode (another module has the chat)")
        if kind == "unsend":
            message_id = check_id(require_str(as_dict(raw.get("unsend")), "messageId"), "message id")
            return EventOutcome(deleted_ids=[message_id])
        if kind != "message":
            return EventOutcome(ignored=f"LINE {kind or 'untyped'} event")
        return EventOutcome(items=[cls._message_item(raw)])

    @classmethod
    def _message_item(cls, raw):
        message = as_dict(raw.get("message"))
        source = as_dict(raw.get("source"))
        user_id = check_id(require_str(source, "userId"), "user id")
        message_id = check_id(require_str(message, "id"), "message id")
        message_type = message.get("type") or "message"
        text = clean_text(message.get("text")) if message_type == "text" else PLACEHOLDERS.get(message_type, "")
        if message_type == "sticker" and as_list(message.get("keywords")):
            text = "[sticker: " + ", ".join(str(k) for k in as_list(message.get("keywords"))[:5]) + "]"
        chat_id = source.get("groupId") or source.get("roomId") or user_id
        extra = {"message_type": message_type, "chat_id": check_id(chat_id, "chat id")}
        if raw.get("replyToken"):
            extra["reply_token"] = str(raw["replyToken"])
        if message.get("quoteToken"):
            extra["quote_token"] = str(message["quoteToken"])
        if message_type in CONTENT_KINDS:
            provider = as_dict(message.get("contentProvider"))
            extra["media"] = [
                media.reference(
                    CONTENT_KINDS[message_type],
                    ref=message_id,
                    # "external": the content is on the sender's server, not LINE's (never fetched, see media_content)
                    url=provider.get("originalContentUrl") if provider.get("type") == "external" else "",
                    name=clean_text(message.get("fileName")) if isinstance(message.get("fileName"), str) else "",
                    size=message.get("fileSize") if isinstance(message.get("fileSize"), int) else None,
                )
            ]
        return Item(
            external_id=message_id,
            author=Author(external_id=user_id),
            text=text,
            posted_at=parse_datetime(raw.get("timestamp")),
            root_id=f"chat:{extra['chat_id']}",
            kind="mention",
            visibility="private",
            extra=extra,
        )

    # ------------------------------------------------------------------
    # API
    # ------------------------------------------------------------------

    def raise_for_error(self, response, payload):
        message = self.error_detail(payload) or response.reason or ""
        details = " ".join(str(as_dict(d).get("message") or "") for d in as_list(as_dict(payload).get("details")))
        lowered = f"{message} {details}".lower()
        if response.status_code == 429:
            if "monthly limit" in lowered or "quota" in lowered:
                raise errors.ApiError(
                    f"LINE refused the message: the channel's monthly message quota is used up ({message}).",
                    self.network,
                    status=429,
                    code="quota",
                )
            raise self.rate_limited(response)
        if response.status_code == 400 and "reply token" in lowered:
            raise errors.WindowExpired(f"The LINE reply token is no longer valid ({message}).", self.network, 400)
        if response.status_code in (400, 403, 404) and ("friend" in lowered or "block" in lowered):
            raise errors.RecipientUnavailable(
                f"LINE cannot deliver to this person: they blocked the account or are not a friend ({message}).",
                self.network,
                status=response.status_code,
            )
        return super().raise_for_error(response, payload)

    def verify(self):
        if not self.token:
            raise errors.AuthenticationFailed("LINE needs the channel access token.", self.network)
        info = as_dict(self.request("GET", "/v2/bot/info"))
        try:
            return Author(
                external_id=require_str(info, "userId"),
                handle=info.get("basicId") or "",
                name=info.get("displayName") or "",
                avatar_url=info.get("pictureUrl") or "",
            )
        except BadItem as exc:
            raise errors.BadPayload(
                f"LINE sent the bot information in an unknown shape ({exc}).", self.network
            ) from exc

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        """LINE has nothing to poll: messages arrive by webhook."""
        return
        yield  # pragma: no cover - makes this a generator

    def data_base_url(self):
        """Where LINE serves content: api-data.line.me for the real API, else the account's own base URL."""
        return DATA_HOST if self.base_url == self.default_base_url else self.base_url

    def media_content(self, ref):
        """The content of a message a person sent (``ref``: ``Item.extra["media"][i]``), a ``media.Download``.

        LINE keeps it for a limited time only: a 404 then raises ``media.MediaGone``. Content LINE does not
        host (``contentProvider.type`` external) is refused: only LINE's hosts are asked."""
        if ref.get("url"):
            raise errors.UnsafeAddress(
                "This LINE message points to content on another server than LINE's: it was not downloaded.",
                self.network,
            )
        kind = ref.get("kind") or "file"
        if isinstance(ref.get("size"), int) and ref["size"] > media.CAPS.get(kind, media.CAPS["file"]):
            raise media.too_large(kind, self.label, self.network, ref["size"])
        url = f"{self.data_base_url()}/v2/bot/message/{self.segment(ref.get('ref'))}/content"
        return media.download(self, url, kind, declared=ref.get("mimetype") or "")

    def profile(self, user_id):
        raw = as_dict(self.request("GET", f"/v2/bot/profile/{self.segment(user_id)}"))
        return Author(
            external_id=str(raw.get("userId") or user_id),
            name=raw.get("displayName") or "",
            avatar_url=raw.get("pictureUrl") or "",
            bio=raw.get("statusMessage") or "",
        )

    def send(self, text, recipient_id, context=None):
        """Reply with the event's reply token while it is fresh, else push (counts against the quota).

        ``context["retry_key"]`` (a UUID) makes a repeated push a no-op on LINE's side.
        The sent item's ``extra["delivery"]`` says which API was used.
        """
        text = self.check_reply_text(text)
        context = dict(context or {})
        messages = [{"type": "text", "text": text}]
        if context.get("quote_token"):
            messages[0]["quoteToken"] = context["quote_token"]
        return self._deliver(messages, text, recipient_id, context)

    def send_media(self, text, media, recipient_id, context=None):
        """The text and up to four pictures in one request (LINE takes five messages at once, delivered all or
        none): image messages whose ``originalContentUrl`` (``Media.url``) and ``previewImageUrl``
        (``Media.preview_url``, at most 1 MB) are public https addresses LINE fetches when the person opens
        the chat."""
        text = self.check_reply_text(text) if (text or "").strip() else ""
        media = self.check_media(media)
        context = dict(context or {})
        messages = [{"type": "text", "text": text}] if text else []
        if messages and context.get("quote_token"):
            messages[0]["quoteToken"] = context["quote_token"]
        for item in media:
            if not (item.url or "").startswith(("https://", "http://")):
                raise errors.InvalidPost(
                    f"LINE fetches pictures from a public address; {item.filename} has none.", self.network
                )
            messages.append(
                {"type": "image", "originalContentUrl": item.url, "previewImageUrl": item.preview_url or item.url}
            )
        return self._deliver(messages, text or "[image]", recipient_id, context)

    def _deliver(self, messages, text, recipient_id, context):
        """Reply with the event's reply token while it is fresh, else push (with ``context["retry_key"]``)."""
        if self.reply_token_fresh(context):
            try:
                answer = self.request(
                    "POST",
                    "/v2/bot/message/reply",
                    json_body={"replyToken": context["reply_token"], "messages": messages},
                )
                return self._sent_item(answer, text, context.get("chat_id") or recipient_id, "reply")
            except errors.WindowExpired:
                pass  # the token expired on LINE's side: push instead
        return self._push(messages, text, recipient_id, context)

    def send_survey(self, question, choices, recipient_id, context=None):
        """A text message with quick reply buttons, pushed (a survey follows the closing of a ticket, long
        after any reply token): each button is a postback action whose ``data`` is the choice's payload
        and whose ``displayText`` is written in the chat as the customer's answer."""
        text = self.check_reply_text(question)
        context = dict(context or {})
        items = [
            {
                "type": "action",
                "action": {
                    "type": "postback",
                    "label": label[: self.QUICK_REPLY_LABEL],
                    "data": payload,
                    "displayText": label,
                },
            }
            for payload, label in choices
        ]
        return self._push([{"type": "text", "text": text, "quickReply": {"items": items}}], text, recipient_id, context)

    def _push(self, messages, text, recipient_id, context):
        """The push API (counts against the quota), with ``context["retry_key"]`` as LINE's retry key."""
        to = check_id(context.get("chat_id") or recipient_id, "recipient id")
        headers = {}
        if context.get("retry_key"):
            headers["X-Line-Retry-Key"] = str(uuid.UUID(str(context["retry_key"])))
        # 409: LINE already accepted this retry key (an earlier attempt went out): not sent twice.
        answer = self.request(
            "POST",
            "/v2/bot/message/push",
            json_body={"to": to, "messages": messages},
            headers=headers,
            allow_status=(409,),
        )
        return self._sent_item(answer, text, to, "push", fallback_id=headers.get("X-Line-Retry-Key"))

    @classmethod
    def read_survey_answer(cls, raw):
        """A postback event whose ``postback.data`` is a survey payload."""
        raw = as_dict(raw)
        if raw.get("type") != "postback":
            return None
        user_id = as_dict(raw.get("source")).get("userId")
        return survey_answer(as_dict(raw.get("postback")).get("data"), user_id if isinstance(user_id, str) else "")

    @staticmethod
    def reply_token_fresh(context, now=None):
        """True while the context's reply token can still be used (else a reply goes by push)."""
        received_at = (context or {}).get("received_at")
        if not (context or {}).get("reply_token") or not received_at:
            return False
        if isinstance(received_at, str):
            received_at = parse_datetime(received_at)
        if received_at.tzinfo is None:
            received_at = received_at.replace(tzinfo=timezone.utc)
        age = ((now or datetime.now(timezone.utc)) - received_at).total_seconds()
        return 0 <= age < REPLY_TOKEN_SECONDS

    def _sent_item(self, answer, text, chat_id, delivery, fallback_id=None):
        sent = as_list(as_dict(answer).get("sentMessages"))
        message_id = (as_dict(sent[0]).get("id") if sent else None) or fallback_id
        if not message_id:
            raise errors.BadPayload("LINE accepted the message but did not say its id.", self.network)
        author = Author(external_id=self.login or "line-bot")
        message_id = check_id(str(message_id), "message id")
        return self.sent_message(message_id, text, f"chat:{chat_id}", author, {"delivery": delivery})

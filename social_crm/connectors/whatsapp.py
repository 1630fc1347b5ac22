"""WhatsApp Business Platform, Cloud API (Graph API).

``base_url``: default https://graph.facebook.com/v21.0; ``login``: the phone number id (not the phone
number); ``token``: a system user access token with ``whatsapp_business_messaging``; ``secret``: the
Meta app secret (webhook signatures, see ``meta_messaging``).

Messages arrive by webhook only (``object: whatsapp_business_account``, ``entry[].changes[].value``
with ``messages[]``, ``contacts[]`` and ``statuses[]``); there is nothing to poll. The person's name is
``contacts[].profile.name`` of the delivery: the Cloud API has no profile endpoint. Answers go out with
``POST /{phone-number-id}/messages`` within the 24-hour customer service window; past it only
approved template messages may be sent, which this addon does not do.
"""

import functools

from . import errors, media
from .base import BaseClient, _within_deadline_call
from .facebook import FacebookClient
from .messaging import MB, EventOutcome, MediaRule, WebhookEvent, send_parts
from .meta_messaging import MEDIA_HOSTS, MetaMessaging, event_hash, placeholder
from .models import Author, FetchPage, Item
from .utils import BadItem, as_dict, as_list, check_id, clean_text, parse_datetime, require_str, scrub_item

# Graph API throttling, plus WhatsApp's own: 130429 (throughput), 131048 (spam rate limit),
# 131056 (too many messages to one person), 80007 (the business account's rate limit).
THROTTLE_CODES = FacebookClient.throttle_codes | {130429, 131048, 131056, 80007}
# Cloud API media: images JPEG or PNG up to 5 MB; documents of these types up to 100 MB.
DOCUMENT_TYPES = (
    "application/pdf",
    "text/plain",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)


class WhatsappClient(BaseClient, MetaMessaging):
    network = "whatsapp"
    label = "WhatsApp"
    default_base_url = "https://graph.facebook.com/v21.0"
    max_length = 4096
    message_max_length = 4096
    webhook_object = "whatsapp_business_account"
    throttle_codes = THROTTLE_CODES
    reply_media_rules = (
        MediaRule("image", ("image/jpeg", "image/png"), 5 * MB),
        MediaRule("file", DOCUMENT_TYPES, 100 * MB),
    )
    caption_max_length = 1024
    login_name = "the phone number id"

    raise_for_error = FacebookClient.raise_for_error
    _regain_seconds = FacebookClient._regain_seconds

    def verify(self):
        number = self.own_node("id,display_phone_number,verified_name")
        return Author(
            external_id=require_str(number, "id"),
            handle=number.get("display_phone_number") or "",
            name=number.get("verified_name") or "",
        )

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        """Nothing to poll: WhatsApp messages arrive by webhook."""
        yield FetchPage(items=[], cursor=cursor, has_more=False)

    def reply(self, text, parent_id, root_id=None, extra=None):
        extra = as_dict(extra)
        return self.send(text, extra.get("chat_id") or root_id, {**extra, "mid": parent_id})

    # --- intake ----------------------------------------------------------

    @classmethod
    def _split_entry(cls, entry):
        """One event per message and per status; any other change is one event (stored, then ignored)."""
        events = []
        head = {key: entry[key] for key in ("id", "time") if key in entry}
        for change in as_list(entry.get("changes")):
            if not isinstance(change, dict):
                raise errors.BadPayload("A WhatsApp change is not an object.", cls.network)
            value = as_dict(change.get("value"))
            messages, statuses = as_list(value.get("messages")), as_list(value.get("statuses"))
            common = {k: v for k, v in value.items() if k not in ("messages", "statuses", "contacts")}
            for message in messages:
                if not isinstance(message, dict):
                    raise errors.BadPayload("A WhatsApp message is not an object.", cls.network)
                contacts = [c for c in as_list(value.get("contacts")) if as_dict(c).get("wa_id") == message.get("from")]
                single = {**common, "contacts": contacts, "messages": [message]}
                event_id = message.get("id") if isinstance(message.get("id"), str) and message["id"] else None
                events.append(cls._event(head, change, single, event_id or event_hash(message)))
            for status in statuses:
                if not isinstance(status, dict):
                    raise errors.BadPayload("A WhatsApp status is not an object.", cls.network)
                events.append(cls._event(head, change, {**common, "statuses": [status]}, event_hash(status)))
            if not messages and not statuses:
                events.append(cls._event(head, change, value, event_hash(change)))
        return events

    @classmethod
    def _event(cls, head, change, value, event_id):
        raw = {"object": cls.webhook_object, "entry": [{**head, "changes": [{**change, "value": value}]}]}
        return WebhookEvent(event_id=event_id, raw=raw)

    @classmethod
    def _read_event(cls, raw, own_id):
        _key, change, _entry = cls._single(raw)
        field = change.get("field") or "unknown"
        value = as_dict(change.get("value"))
        phone_number_id = str(as_dict(value.get("metadata")).get("phone_number_id") or "")
        if own_id and phone_number_id and phone_number_id != str(own_id):
            return EventOutcome(ignored=f"WhatsApp event for another phone number ({phone_number_id})")
        if field != "messages":
            return EventOutcome(ignored=f"WhatsApp '{field}' change: not a message")
        messages, statuses = as_list(value.get("messages")), as_list(value.get("statuses"))
        if statuses and not messages:
            status = as_dict(statuses[0])
            failures = "; ".join(
                f"({as_dict(e).get('code')}) {as_dict(e).get('title') or as_dict(e).get('message') or ''}".strip()
                for e in as_list(status.get("errors"))
            )
            reason = f"WhatsApp status '{status.get('status') or '?'}' of a sent message"
            return EventOutcome(ignored=f"{reason}: {failures}" if failures else reason)
        if len(messages) != 1 or not isinstance(messages[0], dict):
            return EventOutcome(ignored="WhatsApp change without a message")
        message = messages[0]
        if message.get("type") == "reaction":
            return EventOutcome(ignored="WhatsApp reaction: nothing to answer")
        contact = next(iter(as_list(value.get("contacts"))), {})
        return EventOutcome(items=[cls._whatsapp_item(message, as_dict(contact))])

    @classmethod
    def _whatsapp_item(cls, message, contact):
        mid = check_id(require_str(message, "id"), "message id")
        wa_id = check_id(require_str(message, "from"), "sender")
        kind = message.get("type") or "unknown"
        text, extra = cls._content(kind, as_dict(message.get(kind)), message)
        if not text:
            raise BadItem(f"a {kind} message without content")
        context = as_dict(message.get("context"))
        parent = check_id(context.get("id"), "context id")
        name = as_dict(contact.get("profile")).get("name")
        item = Item(
            external_id=mid,
            author=Author(
                external_id=wa_id,
                handle=f"+{wa_id}",
                name=name if isinstance(name, str) else "",
                profile_url=f"https://wa.me/{wa_id}",
            ),
            text=text,
            posted_at=parse_datetime(
                int(message["timestamp"]) if str(message.get("timestamp", "")).isdigit() else None
            ),
            parent_id=parent,
            root_id=wa_id,
            kind="reply" if parent else "mention",
            visibility="private",
            extra={"chat_id": wa_id, "mid": mid, **extra},
        )
        return scrub_item(item)

    @classmethod
    def _content(cls, kind, body, message):
        """The text of a message of type ``kind`` (placeholders for media) and what ``extra`` keeps of it."""
        if kind == "text":
            return clean_text(body.get("body") if isinstance(body.get("body"), str) else ""), {}
        if kind in ("image", "sticker", "video", "audio", "document"):
            caption = body.get("caption") if isinstance(body.get("caption"), str) else ""
            label = placeholder(kind)
            if kind == "document" and isinstance(body.get("filename"), str):
                label = f"[file: {body['filename']}]"
            kept = {"type": kind, "media_id": str(body.get("id") or ""), "mime_type": body.get("mime_type") or ""}
            extra = {"attachments": [kept]}
            if kept["media_id"]:
                extra["media"] = [
                    media.reference(
                        "file" if kind == "document" else kind,
                        ref=kept["media_id"],
                        mimetype=kept["mime_type"] if isinstance(kept["mime_type"], str) else "",
                        name=clean_text(body["filename"]) if isinstance(body.get("filename"), str) else "",
                        alt=clean_text(caption),
                    )
                ]
            return clean_text("\n".join(p for p in (label, caption) if p)), extra
        if kind == "location":
            place = ", ".join(str(body[k]) for k in ("name", "address") if isinstance(body.get(k), str) and body[k])
            lat, lon = body.get("latitude"), body.get("longitude")
            where = f"{lat},{lon}" if lat is not None and lon is not None else ""
            text = " ".join(p for p in (placeholder("location"), place, f"({where})" if where else "") if p)
            return clean_text(text), {"location": {"latitude": lat, "longitude": lon, "name": place}}
        if kind == "interactive":
            reply = as_dict(body.get(body.get("type") or "")) or as_dict(body.get("button_reply"))
            title = reply.get("title") or ""
            detail = reply.get("description") or ""
            text = "\n".join(p for p in (title, detail) if isinstance(p, str) and p)
            return clean_text(text), {"choice": str(reply.get("id") or "")}
        if kind == "button":
            return clean_text(body.get("text") or ""), {"choice": str(body.get("payload") or "")}
        if kind == "contacts":
            names = [as_dict(as_dict(c).get("name")).get("formatted_name") for c in as_list(message.get("contacts"))]
            return clean_text(" ".join([placeholder("contacts"), *[n for n in names if isinstance(n, str)]])), {}
        # "unsupported", "unknown" and types added later: keep a trace, so the person is still answered.
        return f"[{kind} message not shown]", {}

    # --- sending ---------------------------------------------------------

    @_within_deadline_call
    def send(self, text, recipient_id, context=None):
        """Answer ``recipient_id`` (the wa_id) within the 24-hour customer service window, quoting the
        message answered (``context["mid"]``) when there is one."""
        text = self.check_message_text(text)
        context = as_dict(context)
        to = self._recipient(recipient_id, context)
        return self._post_message(to, "text", {"preview_url": False, "body": text}, text, context)

    def _recipient(self, recipient_id, context):
        """The wa_id to write to, once the window, the login and the recipient are checked; nothing is sent."""
        self.window_tag(context)  # no tag on WhatsApp: past 24 hours this raises errors.WindowExpired
        self.check_login()
        if not recipient_id:
            raise ValueError("Nobody to send the WhatsApp message to.")
        to = str(recipient_id)
        self.segment(to)  # an id, not something that could change the request
        return to

    def _post_message(self, to, kind, content, text, context):
        """One message of ``kind`` (``text``, ``image``, ``document``) to ``to``, quoting the message answered
        (``context["mid"]``) when there is one."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": kind, kind: content}
        if context.get("mid"):
            body["context"] = {"message_id": str(context["mid"])}
        sent = as_dict(self.request("POST", f"/{self.segment(self.login)}/messages", json_body=body))
        ids = [as_dict(m).get("id") for m in as_list(sent.get("messages"))]
        if not ids or not ids[0]:
            raise errors.BadPayload("WhatsApp did not say which message was sent.", self.network)
        return self.sent_item(ids[0], text, to, context, Author(external_id=self.login))

    @_within_deadline_call
    def media_content(self, ref):
        """``GET /{media-id}`` gives a short-lived ``url`` (on Meta's hosts), fetched with the token: a
        ``media.Download``. Media ids of received messages expire (7 days): an unknown one raises
        ``media.MediaGone``."""
        kind = ref.get("kind") or "file"
        try:
            info = as_dict(self.request("GET", f"/{self.segment(ref.get('ref'))}"))
        except (errors.NotFound, errors.ApiError) as exc:
            if isinstance(exc, errors.NotFound) or getattr(exc, "http_status", None) in (400, 404, 410):
                raise media.MediaGone(f"WhatsApp no longer has this {kind} ({exc}).", self.network) from exc
            raise
        url = info.get("url")
        if not isinstance(url, str) or not url:
            raise errors.BadPayload("WhatsApp answered the media request without a url.", self.network)
        size = info.get("file_size")
        if isinstance(size, int) and size > media.CAPS.get(kind, media.CAPS["file"]):
            raise media.too_large(kind, self.label, self.network, size)
        media.check_vendor_host(self, url, MEDIA_HOSTS)
        return media.download(self, url, kind, declared=str(info.get("mime_type") or ref.get("mimetype") or ""))

    def window_message(self, human_agent_tag=False):
        return (
            "WhatsApp allows free-form answers only within 24 hours of the customer's last message; that "
            "time has passed. Only approved template messages may be sent now, which this addon does not "
            "send: wait until the customer writes again."
        )

    def profile(self, user_id):
        """No profile API on WhatsApp: the name comes with each message (``contacts[].profile.name``)."""
        wa_id = str(user_id)
        return Author(external_id=wa_id, handle=f"+{wa_id}", profile_url=f"https://wa.me/{wa_id}")

    def send_media(self, text, media, recipient_id, context=None):
        """Every file uploaded first (``POST /{phone-number-id}/media``, multipart), then one message per file
        with its media id (``type`` image or document), the text as the first one's caption when it fits in
        1,024 characters, else as a text message before them."""
        text = (text or "").strip()
        media = self.check_media(media)
        context = as_dict(context)
        to = self._recipient(recipient_id, context)
        uploaded = [self._upload_media(item) for item in media]  # nothing reached the person yet
        caption = text if text and len(text) <= self.caption_max_length else ""
        parts = [functools.partial(self.send, text, recipient_id, context)] if text and not caption else []
        for index, (item, media_id) in enumerate(zip(media, uploaded, strict=True)):
            parts.append(
                functools.partial(self._send_uploaded, to, item, media_id, caption if index == 0 else "", context)
            )
        return send_parts(self, parts)

    def _upload_media(self, item):
        answer = as_dict(
            self.request(
                "POST",
                f"/{self.segment(self.login)}/media",
                data={"messaging_product": "whatsapp", "type": item.mimetype},
                files={"file": (item.filename, item.data, item.mimetype)},
                idempotent=False,
            )
        )
        if not answer.get("id"):
            raise errors.BadPayload(f"WhatsApp did not say which media {item.filename} became.", self.network)
        return self.segment(str(answer["id"]))

    def _send_uploaded(self, to, item, media_id, caption, context):
        kind = "image" if self.media_rule(item.mimetype).kind == "image" else "document"
        content = {"id": media_id}
        if caption:
            content["caption"] = caption
        if kind == "document":
            content["filename"] = item.filename
        return self._post_message(to, kind, content, caption or f"[{kind}]", context)

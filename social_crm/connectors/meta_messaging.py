"""What Messenger, Instagram Direct and WhatsApp share: Meta's webhook deliveries and Send API rules.

- Signature: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>``.
- Deliveries: ``{"object": "page" | "instagram" | "whatsapp_business_account", "entry": [...]}``;
  Messenger and Instagram Direct put their events in ``entry[].messaging[]``, WhatsApp in
  ``entry[].changes[].value.messages[]`` (and ``statuses[]``); a Page's feed and Instagram comments and
  mentions come as ``entry[].changes[]`` too (read by the Facebook and Instagram clients). Each event
  is stored as a delivery of its own, in the same shape, so a stored event can be read (and split) again.
- Event ids: the message ``mid`` (WhatsApp message ``id``); an edit or an unsend carries the mid of the
  message it changes, so it gets its own prefixed id; events without a mid (read receipts, deliveries,
  reactions, statuses) get a stable hash of the event itself (not of the envelope, whose ``time``
  changes when Meta redelivers).
- Reply window: 24 hours after the person's last message; Messenger's human-agent tag stretches it to
  7 days where the Page has that permission.
"""

import hashlib
import json
from datetime import datetime, timedelta, timezone

from . import errors, media
from .messaging import (
    EventOutcome,
    MessagingClient,
    WebhookEvent,
    hmac_sha256,
    require,
    same_secret,
    survey_answer,
)
from .models import Author, Item
from .utils import BadItem, as_dict, as_list, check_id, clean_text, parse_datetime, safe_int, scrub_item

SIGNATURE_HEADER = "X-Hub-Signature-256"
WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)

# Graph API error (code, subcode) pairs of the Send APIs; subcode None: any subcode.
WINDOW_ERRORS = {
    (10, 2018278),  # Messenger: "This message is sent outside of allowed window."
    (10, 2018065),  # outside the window, News Messaging permission needed
    (10, 2018108),  # outside the window, tag not allowed
    (10, 2534022),  # Instagram: outside of allowed window
    (131047, None),  # WhatsApp: more than 24 hours since the customer last replied
}
UNAVAILABLE_ERRORS = {
    (551, None),  # "This person isn't available right now." (blocked the Page, deactivated)
    (200, 1545041),  # the person does not receive messages from this Page
    (100, 2018001),  # "No matching user found"
    (100, 2534014),  # Instagram: no matching user
    (131026, None),  # WhatsApp: message undeliverable (not on WhatsApp, old app, blocked)
    (131030, None),  # WhatsApp: recipient not in the test number's allowed list
    (131050, None),  # WhatsApp: the person stopped receiving messages from the business
}
PLACEHOLDERS = {
    "image": "[image]",
    "sticker": "[sticker]",
    "video": "[video]",
    "audio": "[audio]",
    "file": "[file]",
    "document": "[file]",
    "location": "[location]",
    "fallback": "[link]",
    "share": "[shared post]",
    "ig_reel": "[reel]",
    "reel": "[reel]",
    "ig_post": "[post]",
    "story_mention": "[story mention]",
    "like_heart": "[heart]",
    "template": "[template]",
    "contacts": "[contact]",
}


def get_routed_class(network):
    """The client class of ``network`` (imported late: the clients import this module)."""
    from . import CLIENTS

    return CLIENTS[network]


# Attachment types whose payload.url is content to keep, and the kind each is kept as.
MEDIA_KINDS = {"image": "image", "sticker": "sticker", "video": "video", "audio": "audio", "file": "file"}
# Where Meta serves the content of attachments (signed CDN addresses: fetched without the token).
MEDIA_HOSTS = (".fbcdn.net", ".fbsbx.com", ".cdninstagram.com")


def placeholder(kind):
    return PLACEHOLDERS.get(kind) or f"[{kind or 'attachment'}]"


def header(headers, name):
    """``headers[name]`` for case-insensitive mappings and plain dicts alike."""
    value = headers.get(name) if hasattr(headers, "get") else None
    if value is None and isinstance(headers, dict):
        lowered = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == lowered), None)
    return value


def event_hash(event):
    """A stable id for an event without a message id."""
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "h:" + hashlib.sha256(canonical.encode("utf-8", errors="surrogatepass")).hexdigest()


def as_aware(value):
    """``received_at`` of a send context as an aware UTC datetime (None when unknown)."""
    if value in (None, "", False):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    try:
        return parse_datetime(value)
    except BadItem:
        return None


def window_closed(context):
    """True when the send context's person wrote too long ago for any answer (``window_tag`` would refuse)."""
    context = as_dict(context)
    received_at = as_aware(context.get("received_at"))
    if received_at is None:
        return False
    limit = HUMAN_AGENT_WINDOW if context.get("human_agent_tag") else WINDOW
    return datetime.now(timezone.utc) - received_at > limit


class MetaMessaging(MessagingClient):
    """Mixin for the Graph API clients (``FacebookClient``, ``InstagramClient``, ``WhatsappClient``)."""

    webhook_object = ""  # the delivery's ``object``
    # Deliveries this client splits: ``object`` -> network. One Meta app has one callback URL per object,
    # and the admin may paste the same address for its Page and Instagram objects: the route then hands
    # each event to the account its entry names (``WebhookEvent.owner_id`` / ``network``).
    routed_objects = {}
    message_max_length = 0  # the Send API's text limit (private messages), see ``check_message_text``
    login_name = ""  # what the account's login is on the Graph API ("the Page id"), for the error when it is missing

    def check_login(self):
        if not self.login:
            raise errors.AuthenticationFailed(f"{self.label} needs {self.login_name} as login.", self.network)

    def own_node(self, fields):
        """The account's own Graph API node (``GET /{login}?fields=``): the Page, the Instagram user, the phone
        number."""
        self.check_login()
        return as_dict(self.request("GET", f"/{self.segment(self.login)}", params={"fields": fields}))

    # --- intake ----------------------------------------------------------

    @classmethod
    def check_signature(cls, raw_body, headers, secret):
        given = require(header(headers or {}, SIGNATURE_HEADER), cls.network)
        if not secret:
            raise errors.BadSignature(
                f"The {cls.label} account has no app secret, so its deliveries cannot be checked.", cls.network
            )
        algorithm, _sep, digest = str(given).strip().partition("=")
        if algorithm.lower() != "sha256" or not digest:
            raise errors.BadSignature(f"The {SIGNATURE_HEADER} header is not sha256=<hex>.", cls.network)
        expected = hmac_sha256(secret, raw_body or b"").hex()
        if not same_secret(expected, digest.strip().lower()):
            raise errors.BadSignature(
                f"The delivery's signature does not match the {cls.label} app secret.", cls.network
            )

    @classmethod
    def split_delivery(cls, payload):
        if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
            raise errors.BadPayload(f"This is not a {cls.label} webhook delivery (no entry list).", cls.network)
        objects = cls.routed_objects or {cls.webhook_object: cls.network}
        kind = payload.get("object")
        if not isinstance(kind, str) or kind not in objects:
            raise errors.BadPayload(
                f"This delivery is for {kind!r}, not {cls.webhook_object!r} ({cls.label}).",
                cls.network,
            )
        reader = get_routed_class(objects[kind]) if kind != cls.webhook_object else cls
        events = []
        for entry in payload["entry"]:
            if not isinstance(entry, dict):
                raise errors.BadPayload(f"A {cls.label} delivery entry is not an object.", cls.network)
            owner = entry.get("id")
            for event in reader._split_entry(entry):
                event.owner_id = str(owner) if isinstance(owner, (str, int)) and not isinstance(owner, bool) else ""
                event.network = reader.network
                events.append(event)
        return events

    @classmethod
    def _split_entry(cls, entry):
        """Messenger and Instagram Direct: one event per ``messaging`` (and ``standby``) item; ``changes``
        (feed, comments) are stored too and ignored when read."""
        head = {key: entry[key] for key in ("id", "time") if key in entry}
        events = []
        for key in ("messaging", "standby", "changes"):
            for event in as_list(entry.get(key)):
                if not isinstance(event, dict):
                    raise errors.BadPayload(f"A {cls.label} {key} event is not an object.", cls.network)
                raw = {"object": cls.webhook_object, "entry": [{**head, key: [event]}]}
                events.append(WebhookEvent(event_id=cls._event_id(event), raw=raw))
        return events

    @classmethod
    def _event_id(cls, event):
        message = as_dict(event.get("message"))
        mid = message.get("mid")
        if isinstance(mid, str) and mid:
            return f"deleted:{mid}" if message.get("is_deleted") else mid
        edit = as_dict(event.get("message_edit"))
        if isinstance(edit.get("mid"), str) and edit["mid"]:
            return f"edit:{edit['mid']}:{edit.get('num_edit', '')}"
        postback = as_dict(event.get("postback"))
        if isinstance(postback.get("mid"), str) and postback["mid"]:
            return f"postback:{postback['mid']}"
        return event_hash(event)

    @classmethod
    def _single(cls, raw):
        """The one event of a stored delivery, and the list it came from."""
        entries = as_list(as_dict(raw).get("entry"))
        if as_dict(raw).get("object") != cls.webhook_object or len(entries) != 1 or not isinstance(entries[0], dict):
            raise errors.BadPayload(f"This stored event is not a single {cls.label} event.", cls.network)
        for key in ("messaging", "standby", "changes"):
            events = as_list(entries[0].get(key))
            if len(events) == 1 and isinstance(events[0], dict):
                return key, events[0], entries[0]
        raise errors.BadPayload(f"This stored event is not a single {cls.label} event.", cls.network)

    @classmethod
    def read_event(cls, raw, own_id=None):
        try:
            return cls._read_event(raw, own_id)
        except BadItem as exc:
            raise errors.BadPayload(f"A {cls.label} event cannot be read: {exc}.", cls.network) from exc

    @classmethod
    def read_survey_answer(cls, raw):
        """A message whose ``quick_reply.payload`` is a survey payload (a quick reply button pressed)."""
        try:
            key, event, _entry = cls._single(raw)
        except errors.BadPayload:
            return None
        message = as_dict(event.get("message"))
        if key != "messaging" or message.get("is_echo"):
            return None
        return survey_answer(as_dict(message.get("quick_reply")).get("payload"), as_dict(event.get("sender")).get("id"))

    @classmethod
    def _read_event(cls, raw, own_id):
        key, event, entry = cls._single(raw)
        if key == "changes":
            return cls._read_change(
                as_dict(event).get("field") or "unknown", as_dict(event.get("value")), entry, own_id
            )
        sender = str(as_dict(event.get("sender")).get("id") or "")
        recipient = str(as_dict(event.get("recipient")).get("id") or "")
        if "message" in event:
            message = as_dict(event["message"])
            own = bool(message.get("is_echo"))
            page = sender if own else recipient
            if own_id and page and page != str(own_id):
                return EventOutcome(ignored=f"{cls.label} message for another account ({page})")
            if message.get("is_deleted"):
                return EventOutcome(deleted_ids=[check_id(message.get("mid"), "mid")])
            return EventOutcome(
                items=[cls._message_item(event, message, sender, recipient, own, standby=key == "standby")]
            )
        if "message_edit" in event:
            return EventOutcome(items=[cls._edit_item(event, sender)])
        if "postback" in event:
            return EventOutcome(items=[cls._postback_item(event, sender)])
        for name, reason in (
            ("read", "read receipt"),
            ("delivery", "delivery receipt"),
            ("reaction", "reaction"),
            ("referral", "referral"),
            ("optin", "opt-in"),
            ("account_linking", "account linking"),
        ):
            if name in event:
                return EventOutcome(ignored=f"{cls.label} {reason}: nothing to answer")
        kinds = ", ".join(sorted(k for k in event if k not in ("sender", "recipient", "timestamp"))) or "empty"
        return EventOutcome(ignored=f"{cls.label} event of an unknown type ({kinds})")

    @classmethod
    def _read_change(cls, field, value, entry, own_id):
        """A ``changes`` event (a Page's feed, Instagram comments and mentions); the clients that read them
        override this."""
        return EventOutcome(ignored=f"{cls.label} '{field}' change: not read by this client")

    @classmethod
    def _message_item(cls, event, message, sender, recipient, own, standby=False):
        mid = check_id(message.get("mid"), "mid")
        if not mid:
            raise BadItem("missing mid")
        person = recipient if own else sender
        if not person:
            raise BadItem("missing sender")
        check_id(person, "sender id")
        text = message.get("text") or ""
        if not isinstance(text, str):
            raise BadItem("text is not a string")
        parts = [clean_text(text)] if text.strip() else []
        attachments = []
        for attachment in as_list(message.get("attachments")):
            attachments.append(cls._attachment(as_dict(attachment), message))
            parts.append(placeholder(attachments[-1]["type"]))
        if not parts:
            raise BadItem("a message without text or attachments")
        extra = {"chat_id": person, "mid": mid}
        if attachments:
            extra["attachments"] = attachments
            files = [
                media.reference(MEDIA_KINDS[a["type"]], url=a["url"], name=a.get("title") or "")
                for a in attachments
                if a.get("type") in MEDIA_KINDS and a.get("url")
            ]
            if files:
                extra["media"] = files
        reply_to = as_dict(message.get("reply_to"))
        story = as_dict(reply_to.get("story"))
        if story:
            extra["story"] = {"id": str(story.get("id") or ""), "url": story.get("url") or ""}
            parts.insert(0, "[story reply]")
        quick = as_dict(message.get("quick_reply")).get("payload")
        if quick:
            extra["quick_reply"] = str(quick)
        if standby:
            extra["standby"] = True
        item = Item(
            external_id=mid,
            author=cls._author(sender, own),
            text="\n".join(parts),
            posted_at=parse_datetime(event.get("timestamp")),
            parent_id=check_id(reply_to.get("mid"), "reply_to mid"),
            root_id=person,
            is_own=own,
            kind="reply" if own or reply_to.get("mid") else "mention",
            visibility="private",
            extra=extra,
        )
        return scrub_item(item)

    @staticmethod
    def _attachment(attachment, message):
        """What ``extra`` keeps of an attachment: its type (a sticker is an image with a sticker id), URL, title."""
        payload = as_dict(attachment.get("payload"))
        kind = str(attachment.get("type") or "attachment")
        if kind == "image" and (payload.get("sticker_id") or message.get("sticker_id")):
            kind = "sticker"
        kept = {"type": kind, "url": payload.get("url"), "title": payload.get("title") or attachment.get("title")}
        return {key: value for key, value in kept.items() if isinstance(value, str) and value}

    def media_content(self, ref):
        """An attachment a person sent, from the signed CDN address of the delivery (``payload.url``), only on
        Meta's hosts and without the account's token: a ``media.Download``. A 403/404/410 (expired address)
        raises ``media.MediaGone``."""
        url = media.check_vendor_host(self, ref.get("url") or "", MEDIA_HOSTS)
        try:
            return media.download(self, url, ref.get("kind") or "file", with_credentials=False)
        except errors.AuthenticationFailed as exc:  # the CDN answers 403 once the signed address expired
            raise media.MediaGone(f"{self.label} no longer serves this attachment ({exc}).", self.network) from exc

    @classmethod
    def _edit_item(cls, event, sender):
        edit = as_dict(event.get("message_edit"))
        mid = check_id(edit.get("mid"), "mid")
        text = edit.get("text")
        if not mid or not isinstance(text, str) or not sender:
            raise BadItem("an edit without mid, text or sender")
        extra = {"chat_id": sender, "mid": mid, "edit": safe_int(edit.get("num_edit")) or 1}
        return cls._received_item(event, sender, mid, text, extra)

    @classmethod
    def _postback_item(cls, event, sender):
        postback = as_dict(event.get("postback"))
        if not sender:
            raise BadItem("a postback without sender")
        title = postback.get("title") or postback.get("payload") or ""
        if not isinstance(title, str) or not title:
            raise BadItem("a postback without title")
        mid = check_id(postback.get("mid"), "mid") or event_hash(event)
        return cls._received_item(
            event, sender, mid, title, {"chat_id": sender, "postback": str(postback.get("payload") or "")}
        )

    @classmethod
    def _received_item(cls, event, sender, external_id, text, extra):
        """A private message ``sender`` sent (an edit, a button pressed) as a scrubbed ``Item``."""
        item = Item(
            external_id=external_id,
            author=cls._author(check_id(sender, "sender id"), False),
            text=clean_text(text),
            posted_at=parse_datetime(event.get("timestamp")),
            root_id=sender,
            kind="mention",
            visibility="private",
            extra=extra,
        )
        return scrub_item(item)

    @classmethod
    def _author(cls, user_id, own):
        return Author(external_id=str(user_id))

    # --- sending ---------------------------------------------------------

    def check_message_text(self, text):
        text = (text or "").strip()
        if not text:
            raise ValueError("The message is empty.")
        length = len(text)
        if self.message_max_length and length > self.message_max_length:
            raise ValueError(f"The message has {length} characters; {self.label} allows {self.message_max_length}.")
        return text

    def window_tag(self, context, human_agent_tag=False):
        """``None`` inside the 24-hour window, ``"HUMAN_AGENT"`` past it when the tag is allowed and the
        last message is under 7 days old; else ``errors.WindowExpired``, before anything is sent. An
        unknown ``received_at`` lets the network decide."""
        received_at = as_aware(as_dict(context).get("received_at"))
        if received_at is None:
            return None
        age = datetime.now(timezone.utc) - received_at
        if age <= WINDOW:
            return None
        if human_agent_tag and age <= HUMAN_AGENT_WINDOW:
            return "HUMAN_AGENT"
        raise errors.WindowExpired(self.window_message(human_agent_tag), self.network)

    def window_message(self, human_agent_tag=False):
        if human_agent_tag:
            return (
                f"{self.label} allows answering up to 7 days after the person's last message with the human "
                "agent tag; that time has passed. Wait until the person writes again."
            )
        return (
            f"{self.label} allows answering only within 24 hours of the person's last message; that time has "
            "passed. Wait until the person writes again."
        )

    def messaging_error(self, response, error):
        """A typed error for a Send API error answer, or None when it is not a messaging one."""
        code, subcode = safe_int(error.get("code")), safe_int(error.get("error_subcode"))
        message = error.get("message") or response.reason or ""
        details = as_dict(error.get("error_data")).get("details")
        if details:
            message = f"{message} ({details})"

        def matches(pairs):
            return (code, subcode) in pairs or (code, None) in pairs

        if matches(WINDOW_ERRORS) or (code == 10 and "allowed window" in message):
            return errors.WindowExpired(
                f"{self.window_message()} ({self.label} said: {message})",
                self.network,
                status=response.status_code,
                code=code,
            )
        if matches(UNAVAILABLE_ERRORS):
            return errors.RecipientUnavailable(
                f"{self.label} cannot deliver to this person: they may have blocked the account, left "
                f"{self.label} or cannot receive messages ({message}).",
                self.network,
                status=response.status_code,
                code=code,
            )
        return None

    def sent_item(self, external_id, text, recipient_id, context, author):
        extra = {"chat_id": str(recipient_id), "mid": str(external_id)}
        parent_id = as_dict(context).get("mid") or None
        return self.sent_message(external_id, text, str(recipient_id), author, extra, parent_id=parent_id)

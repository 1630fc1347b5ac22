"""Private messages received by webhook: the contract between network clients and Odoo.

A messaging client (LINE, Telegram, WhatsApp, and the Facebook and Instagram clients for
Messenger and Instagram Direct) adds these methods to ``BaseClient``. Odoo's side only calls
them, so a network is supported once its client implements them:

1. ``check_signature(raw_body, headers, secret)`` before anything is stored;
2. ``split_delivery(payload)`` into events, each stored once under the network's own id;
3. ``read_event(raw, own_id)`` later, by the processing cron, into normalized items (and, for
   deliveries that hold only ids, ``lookups`` the cron reads with ``client.read_lookups(lookups)``);
4. ``send(text, recipient_id, context)`` to answer, ``profile(user_id)`` for names and avatars;
   ``send_media(text, media, recipient_id, context)`` to answer with pictures and files where the
   network takes them (``reply_media_rules``: the types and sizes, checked by ``check_media`` before
   anything is sent);
5. ``send_survey(question, choices, recipient_id, context)`` to ask how it went with one button per
   answer, where the network has buttons (``survey_buttons``), and ``read_survey_answer(raw)`` to
   recognize the button pressed in a stored event.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from . import errors
from .models import Item


@dataclass
class WebhookEvent:
    """One event of a delivery, stored raw on ``social_crm.event`` (unique per account on ``event_id``)."""

    event_id: str  # LINE webhookEventId, Telegram update_id, Meta message mid
    raw: dict
    # Meta sends every Page and Instagram account of one app to one callback URL: the account the event is
    # for (the delivery entry's id) and its network (from the delivery's ``object``), when they are named.
    owner_id: str = ""
    network: str = ""


@dataclass
class EventOutcome:
    """What one stored event means once read."""

    items: list = field(default_factory=list)  # Items with visibility "private"; the page's own echoes is_own=True
    deleted_ids: list = field(default_factory=list)  # external ids of messages their author deleted
    ignored: str = ""  # why nothing came of it (unknown event type, follow, read receipt), for the log
    public: bool = False  # the items are public posts and comments (Meta feed and comment webhooks)
    # What the client must read by id before there is anything to store (Instagram mentions), for
    # ``client.read_lookups(lookups)`` in the processing cron: plain dicts.
    lookups: list = field(default_factory=list)


# A survey button's payload: "csat:<token>:<answer>", the same on every network (Telegram allows 64 bytes).
SURVEY_PREFIX = "csat"
SURVEY_PAYLOAD = re.compile(r"^csat:([A-Za-z0-9]{8,32}):([a-z]{2,10})$")


def survey_payload(token, answer):
    payload = f"{SURVEY_PREFIX}:{token}:{answer}"
    if not SURVEY_PAYLOAD.match(payload):
        raise ValueError(f"not a survey payload: {payload!r}")
    return payload


def parse_survey_payload(data):
    """``(token, answer)`` of a survey button's payload, or None for anything else."""
    match = SURVEY_PAYLOAD.match(data) if isinstance(data, str) else None
    return match.groups() if match else None


@dataclass
class SurveyAnswer:
    """A survey button pressed: the survey's token, the answer, who pressed it."""

    token: str
    answer: str
    user_id: str
    callback_id: str = ""  # Telegram: the callback query to acknowledge


def survey_answer(data, user_id, callback_id=""):
    """The ``SurveyAnswer`` of a button whose payload is ``data``, pressed by ``user_id``; None when ``data`` is
    not a survey payload or nobody is named."""
    parsed = parse_survey_payload(data)
    if not parsed or not user_id:
        return None
    return SurveyAnswer(token=parsed[0], answer=parsed[1], user_id=str(user_id), callback_id=callback_id)


MB = 1024 * 1024


@dataclass(frozen=True)
class MediaRule:
    """A kind of file a network takes in an answer: ``mimetypes`` (empty: any type) up to ``max_bytes``."""

    kind: str  # "image" (shown as a picture) or "file" (a document to download)
    mimetypes: tuple
    max_bytes: int


class MessagingClient:
    """Mixin for ``BaseClient`` subclasses that receive private messages by webhook."""

    receives_messages = True

    # What ``send_media`` takes, the first matching rule deciding (empty: answers are text only); how many files
    # one answer may carry; how long a caption may be (0: the text always goes as its own message).
    reply_media_rules = ()
    reply_max_media = 10
    caption_max_length = 0
    media_by_url = False  # the network fetches each file from its public address (``Media.url``)

    @classmethod
    def media_rule(cls, mimetype):
        """The ``MediaRule`` under which the network takes ``mimetype``, or None when it refuses it."""
        for rule in cls.reply_media_rules:
            if not rule.mimetypes or mimetype in rule.mimetypes:
                return rule
        return None

    def check_media(self, media):
        """``media`` (``models.Media``) as a list, checked against ``reply_media_rules``; ``errors.InvalidPost``
        names the first file the network would refuse. Nothing is sent."""
        media = list(media or ())
        if media and not self.reply_media_rules:
            raise errors.InvalidPost(f"{self.label} answers here take text only.", self.network)
        if len(media) > self.reply_max_media:
            raise errors.InvalidPost(
                f"{self.label} takes at most {self.reply_max_media} files in one answer; {len(media)} were given.",
                self.network,
            )
        for item in media:
            rule = self.media_rule(item.mimetype)
            if rule is None:
                raise errors.InvalidPost(
                    f"{self.label} does not take {item.filename} ({item.mimetype or 'unknown type'}).", self.network
                )
            if not item.data:
                raise errors.InvalidPost(f"{item.filename} is empty.", self.network)
            if len(item.data) > rule.max_bytes:
                raise errors.InvalidPost(
                    f"{item.filename} takes {len(item.data) / MB:.1f} MB; {self.label} takes up to "
                    f"{rule.max_bytes / MB:.0f} MB.",
                    self.network,
                )
        return media

    def send_media(self, text, media, recipient_id, context=None):
        """Send ``text`` with ``media`` (``models.Media``) to ``recipient_id``; same context, return (the first
        message sent) and errors as ``send``, plus ``errors.InvalidPost`` for a file the network refuses and
        ``errors.PartlySent`` when a later part fails after an earlier one went out."""
        raise errors.InvalidPost(f"{self.label} answers here take text only.", self.network)

    @classmethod
    def check_signature(cls, raw_body, headers, secret):
        """Raise ``errors.Unsigned`` (no signature) or ``errors.BadSignature`` (wrong one); ``headers`` is a
        case-insensitive mapping."""
        raise NotImplementedError

    @classmethod
    def split_delivery(cls, payload):
        """The delivery's events, as ``WebhookEvent``s; ``errors.BadPayload`` for a shape that is not the network's."""
        raise NotImplementedError

    @classmethod
    def read_event(cls, raw, own_id=None):
        """An ``EventOutcome`` for one stored event; ``own_id`` is the account's own id (page, bot, channel)."""
        raise NotImplementedError

    def send(self, text, recipient_id, context=None):
        """Send ``text`` to ``recipient_id``; ``context`` is the ``Item.extra`` of the message answered, plus
        ``received_at`` (aware UTC datetime). Returns the sent ``Item`` (``is_own=True``). Raises
        ``errors.WindowExpired`` outside the network's reply window, ``errors.RecipientUnavailable`` when the
        person blocked the account, ``errors.RateLimited``, or other ``SocialApiError``s."""
        raise NotImplementedError

    def profile(self, user_id):
        """The person's ``Author`` (name, avatar) from the network's profile API."""
        raise NotImplementedError

    # whether ``send_survey`` asks with buttons; without, the caller sends links with ``send``
    survey_buttons = False

    def send_survey(self, question, choices, recipient_id, context=None):
        """Ask ``question`` with one button per ``(payload, label)`` of ``choices`` (payloads from
        ``survey_payload``); same context, return and errors as ``send``."""
        raise NotImplementedError

    @classmethod
    def read_survey_answer(cls, raw):
        """The ``SurveyAnswer`` of a stored event that is a survey button pressed, else None."""
        return None

    def sent_message(self, external_id, text, root_id, author, extra, parent_id=None):
        """The ``Item`` of a private message this account has just sent (what ``send`` returns)."""
        return Item(
            external_id=str(external_id),
            author=author,
            text=text,
            posted_at=datetime.now(timezone.utc),
            parent_id=parent_id,
            root_id=root_id,
            is_own=True,
            kind="reply",
            visibility="private",
            extra=extra,
        )


def send_parts(client, parts):
    """Call each of ``parts`` (callables sending one message, returning its ``Item``) in order; the first
    ``Item``. A failure once a part went out becomes ``errors.PartlySent``: sending again would repeat it."""
    sent = []
    for part in parts:
        try:
            sent.append(part())
        except (errors.SocialApiError, ValueError) as exc:
            if not sent:
                raise
            raise errors.PartlySent(
                f"{client.label} received the first {len(sent)} part(s) of this answer, then refused the next: {exc}",
                client.network,
                sent=sent[0],
            ) from exc
    return sent[0] if sent else None


def hmac_sha256(secret, raw_body):
    return hmac.new((secret or "").encode(), raw_body, hashlib.sha256).digest()


def same_secret(expected, given):
    """Constant-time comparison of two strings or bytes."""
    if isinstance(expected, str):
        expected = expected.encode()
    if isinstance(given, str):
        given = given.encode()
    return hmac.compare_digest(expected or b"", given or b"")


def require(header_value, network):
    if not header_value:
        raise errors.Unsigned("The delivery is not signed.", network)
    return header_value

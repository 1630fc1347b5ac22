"""Recorded Meta webhook deliveries (tests/connectors/payloads/), signed as Meta signs them."""

import hashlib
import hmac
import json
from pathlib import Path

import pytest

PAYLOADS = Path(__file__).parent / "payloads"
APP_SECRET = "d41d8cd98f00b204e9800998ecf8427e"
PAGE_ID = "104567890123456"
PSID = "6357283457123456"
IG_ID = "17841405822304914"
IGSID = "1254459154682919"
PHONE_NUMBER_ID = "106540352242922"


def body(name):
    """The raw bytes of a recorded delivery, exactly as they reach the webhook."""
    return (PAYLOADS / f"{name}.json").read_bytes()


def delivery(name):
    return json.loads(body(name))


def signature(raw, secret=APP_SECRET):
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def signed_headers(raw, secret=APP_SECRET):
    return {"Content-Type": "application/json", "X-Hub-Signature-256": signature(raw, secret)}


def messenger_delivery(message, timestamp=1790000000000, sender=PSID, page_id=PAGE_ID):
    """A Messenger webhook delivery of one ``message`` event from ``sender`` to the Page, as Meta posts it."""
    event = {"sender": {"id": sender}, "recipient": {"id": page_id}, "timestamp": timestamp, "message": message}
    return {"object": "page", "entry": [{"id": page_id, "time": timestamp, "messaging": [event]}]}


def malformations(id_field, bad_id, text_field, bad_text, date_field):
    """The five ways a hostile or broken event is malformed, for ``parametrize``: each breaks an event's dict in
    place (its id or its author missing, a path in its id, its text of the wrong shape, its date unreadable)."""
    return [
        pytest.param(lambda event: event.pop(id_field), id=f"no-{id_field}"),
        pytest.param(lambda event: event.pop("from"), id="no-from"),
        pytest.param(lambda event: event.update({id_field: bad_id}), id=f"path-in-{id_field}"),
        pytest.param(lambda event: event.update({text_field: bad_text}), id=f"bad-{text_field}"),
        pytest.param(lambda event: event.update({date_field: "yesterday"}), id=f"bad-{date_field}"),
    ]

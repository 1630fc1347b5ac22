"""Messenger, Instagram Direct and WhatsApp deliveries: signatures, splitting into events, reading them."""

import copy
import json
from datetime import datetime, timezone

import pytest
from meta_payloads import (
    APP_SECRET,
    IG_ID,
    IGSID,
    PAGE_ID,
    PHONE_NUMBER_ID,
    PSID,
    body,
    delivery,
    malformations,
    signature,
)
from requests.structures import CaseInsensitiveDict

from social_crm.connectors import errors, get_client_class

MESSENGER = get_client_class("facebook")
INSTAGRAM = get_client_class("instagram")
WHATSAPP = get_client_class("whatsapp")
FIRST_MID = "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P"


def read_all(client, name, own_id=None):
    return [client.read_event(event.raw, own_id) for event in client.split_delivery(delivery(name))]


# ----------------------------------------------------------------------
# Signatures: X-Hub-Signature-256 over the raw body
# ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client", "name"),
    [(MESSENGER, "messenger_text"), (INSTAGRAM, "instagram_messages"), (WHATSAPP, "whatsapp_messages")],
)
def test_a_delivery_signed_with_the_app_secret_is_accepted(client, name):
    raw = body(name)
    client.check_signature(raw, CaseInsensitiveDict({"X-Hub-Signature-256": signature(raw)}), APP_SECRET)
    client.check_signature(raw, {"x-hub-signature-256": signature(raw)}, APP_SECRET)  # any header case


def test_unsigned_delivery_is_refused():
    raw = body("messenger_text")
    with pytest.raises(errors.Unsigned):
        MESSENGER.check_signature(raw, CaseInsensitiveDict({"Content-Type": "application/json"}), APP_SECRET)
    with pytest.raises(errors.Unsigned):
        MESSENGER.check_signature(raw, {"X-Hub-Signature-256": ""}, APP_SECRET)


@pytest.mark.parametrize(
    "forge",
    [
        lambda raw: signature(raw, "another-apps-secret"),
        lambda raw: signature(raw.replace("พัสดุ".encode(), b"xxxxx")),  # signed another body
        lambda raw: signature(raw).replace("sha256=", "sha1="),
        lambda raw: signature(raw)[7:],  # the hex without "sha256="
        lambda raw: "sha256=" + "0" * 64,
    ],
)
def test_forged_signatures_are_refused(forge):
    raw = body("messenger_text")
    with pytest.raises(errors.BadSignature):
        MESSENGER.check_signature(raw, {"X-Hub-Signature-256": forge(raw)}, APP_SECRET)


def test_a_body_changed_after_signing_is_refused():
    raw = body("whatsapp_messages")
    header = signature(raw)
    tampered = raw.replace(b"Sara Ahmadi", b"Sara Ahmadj")
    with pytest.raises(errors.BadSignature):
        WHATSAPP.check_signature(tampered, {"X-Hub-Signature-256": header}, APP_SECRET)


def test_an_account_without_app_secret_accepts_nothing():
    """An empty key is a key anyone can sign with."""
    raw = body("messenger_text")
    with pytest.raises(errors.BadSignature, match="no app secret"):
        MESSENGER.check_signature(raw, {"X-Hub-Signature-256": signature(raw, "")}, "")


# ----------------------------------------------------------------------
# Splitting a delivery into events, each stored once under its own id
# ----------------------------------------------------------------------


def test_messenger_events_are_keyed_on_mid_and_stored_as_single_deliveries():
    events = MESSENGER.split_delivery(delivery("messenger_text"))
    assert [e.event_id for e in events] == [FIRST_MID]
    assert events[0].raw == delivery("messenger_text")  # one event: the delivery itself
    assert [e.event_id for e in MESSENGER.split_delivery(events[0].raw)] == [FIRST_MID]


def test_edits_and_postbacks_get_ids_of_their_own():
    """An edit carries the mid of the message it changes: keyed on the mid alone, it would be dropped as a
    redelivery of that message."""
    ids = [e.event_id for e in MESSENGER.split_delivery(delivery("messenger_echo_edit_postback"))]
    assert ids == [
        "m_echo_4YKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP",
        f"edit:{FIRST_MID}:1",
        "postback:m_postback_5YKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8f",
    ]


def test_receipts_get_stable_hashes_that_ignore_the_envelope():
    ids = [e.event_id for e in MESSENGER.split_delivery(delivery("messenger_receipts"))]
    assert len(set(ids)) == 3 and all(i.startswith("h:") for i in ids)
    redelivered = delivery("messenger_receipts")
    redelivered["entry"][0]["time"] += 60_000  # Meta retries a minute later
    assert [e.event_id for e in MESSENGER.split_delivery(redelivered)] == ids
    changed = delivery("messenger_receipts")
    changed["entry"][0]["messaging"][0]["read"]["watermark"] += 1
    assert MESSENGER.split_delivery(changed)[0].event_id != ids[0]


def test_an_unsent_instagram_message_has_another_id_than_the_message():
    ids = [e.event_id for e in INSTAGRAM.split_delivery(delivery("instagram_messages"))]
    mention_mid = delivery("instagram_messages")["entry"][0]["messaging"][1]["message"]["mid"]
    assert ids[1] == mention_mid and ids[3] == f"deleted:{mention_mid}"
    assert len(set(ids)) == 4


def test_whatsapp_messages_keep_only_their_senders_contact():
    events = WHATSAPP.split_delivery(delivery("whatsapp_messages"))
    assert [e.event_id for e in events] == [
        "wamid.HBgMOTg5MTIxMjM0NTY3FQIAEhggQTJDRkQ0NjFFRjM5MzA4NTdCMUQA",
        "wamid.HBgLNjY4MTIzNDU2NzgVAgASGCBBMkNGRDQ2MUVGMzkzMDg1N0IxRAB=",
        "wamid.HBgLNjY4MTIzNDU2NzgVAgASGCBDMkNGRDQ2MUVGMzkzMDg1N0IxRAC=",
    ]
    value = events[1].raw["entry"][0]["changes"][0]["value"]
    assert value["contacts"] == [{"profile": {"name": "Somchai Jaidee"}, "wa_id": "66812345678"}]
    assert len(value["messages"]) == 1 and value["metadata"]["phone_number_id"] == PHONE_NUMBER_ID
    assert [e.event_id for e in WHATSAPP.split_delivery(events[1].raw)] == [events[1].event_id]


def test_whatsapp_statuses_of_one_message_are_distinct_events():
    ids = [e.event_id for e in WHATSAPP.split_delivery(delivery("whatsapp_statuses"))]
    assert len(ids) == 2 and ids[0] != ids[1] and all(i.startswith("h:") for i in ids)


@pytest.mark.parametrize(
    ("client", "payload"),
    [
        (WHATSAPP, delivery("messenger_text")),  # a Page delivery sent to a WhatsApp account
        (MESSENGER, {"object": "user", "entry": []}),  # objects of the app other than Page and Instagram
        (INSTAGRAM, delivery("whatsapp_messages")),
        (MESSENGER, {"object": "page"}),
        (MESSENGER, {"object": "page", "entry": "nope"}),
        (MESSENGER, {"object": "page", "entry": ["nope"]}),
        (MESSENGER, {"object": "page", "entry": [{"id": PAGE_ID, "messaging": ["nope"]}]}),
        (WHATSAPP, {"object": "whatsapp_business_account", "entry": [{"changes": [7]}]}),
        (MESSENGER, ["not", "an", "object"]),
    ],
)
def test_shapes_that_are_not_the_networks_are_refused(client, payload):
    with pytest.raises(errors.BadPayload):
        client.split_delivery(payload)


# ----------------------------------------------------------------------
# Reading events: Messenger
# ----------------------------------------------------------------------


def test_messenger_text_message():
    (outcome,) = read_all(MESSENGER, "messenger_text", PAGE_ID)
    (item,) = outcome.items
    assert item.external_id == FIRST_MID
    assert item.text == "สวัสดีครับ พัสดุของผมยังไม่มาถึงเลย"
    assert item.author.external_id == PSID and not item.is_own
    assert item.posted_at == datetime(2025, 12, 3, 7, 0, 0, 123000, tzinfo=timezone.utc)
    assert item.visibility == "private" and item.root_id == PSID and item.kind == "mention"
    assert item.extra["chat_id"] == PSID
    assert outcome.deleted_ids == [] and outcome.ignored == ""


def test_messenger_image_sticker_and_file():
    image, sticker, receipt = (o.items[0] for o in read_all(MESSENGER, "messenger_attachments", PAGE_ID))
    assert image.text == "[image]"
    assert image.extra["attachments"] == [
        {"type": "image", "url": "https://scontent.xx.fbcdn.net/v/t1.15752-9/parcel.jpg?_nc_cat=1"}
    ]
    assert sticker.text == "[sticker]" and sticker.extra["attachments"][0]["type"] == "sticker"
    assert receipt.text == "ใบเสร็จครับ\n[file]"
    assert receipt.parent_id == "m_page_answer_0YKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxq" and receipt.kind == "reply"


def test_messenger_echo_edit_and_postback():
    echo, edit, postback = read_all(MESSENGER, "messenger_echo_edit_postback", PAGE_ID)
    (item,) = echo.items
    assert item.is_own and item.author.external_id == PAGE_ID
    assert item.root_id == PSID and item.extra["chat_id"] == PSID  # the conversation with the person
    (edited,) = edit.items
    assert edited.external_id == FIRST_MID and edited.extra["edit"] == 1
    assert edited.text == "สวัสดีครับ พัสดุหมายเลข TH123 ของผมยังไม่มาถึงเลย"
    (button,) = postback.items
    assert button.text == "Talk to an agent" and button.extra["postback"] == "AGENT"


def test_messenger_receipts_and_reactions_are_ignored_with_a_reason():
    outcomes = read_all(MESSENGER, "messenger_receipts", PAGE_ID)
    assert [o.items for o in outcomes] == [[], [], []]
    assert ["read receipt" in outcomes[0].ignored, "delivery receipt" in outcomes[1].ignored] == [True, True]
    assert "reaction" in outcomes[2].ignored


def test_events_of_unknown_types_and_unread_changes_are_ignored_with_a_reason():
    handover = {"object": "page", "entry": [{"id": PAGE_ID, "messaging": [{
        "sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": 1,
        "pass_thread_control": {"new_owner_app_id": "123", "metadata": ""}}]}]}  # fmt: skip
    (event,) = MESSENGER.split_delivery(handover)
    assert "unknown type (pass_thread_control)" in MESSENGER.read_event(event.raw, PAGE_ID).ignored
    ratings = {"object": "page", "entry": [{"id": PAGE_ID, "time": 1, "changes": [
        {"field": "ratings", "value": {"item": "rating", "verb": "add", "review_id": "1_2"}}]}]}  # fmt: skip
    (event,) = MESSENGER.split_delivery(ratings)
    assert "'ratings' change" in MESSENGER.read_event(event.raw, PAGE_ID).ignored


def test_a_message_for_another_page_is_ignored():
    (event,) = MESSENGER.split_delivery(delivery("messenger_text"))
    outcome = MESSENGER.read_event(event.raw, own_id="999999999")
    assert outcome.items == [] and "another account" in outcome.ignored


@pytest.mark.parametrize(
    "break_it",
    [
        lambda m: m["message"].pop("mid"),
        lambda m: m.pop("timestamp"),
        lambda m: m["message"].update(mid="../../me/messages"),
        lambda m: m["message"].update(text=["not", "text"]),
        lambda m: m["message"].pop("text"),  # neither text nor attachments
        lambda m: m.pop("sender"),
    ],
)
def test_malformed_messenger_events_raise_bad_payload(break_it):
    payload = delivery("messenger_text")
    break_it(payload["entry"][0]["messaging"][0])
    with pytest.raises(errors.BadPayload):
        MESSENGER.read_event(payload, PAGE_ID)


def test_a_stored_event_holding_two_events_is_refused():
    payload = delivery("messenger_attachments")  # three events in one entry
    with pytest.raises(errors.BadPayload, match="single"):
        MESSENGER.read_event(payload, PAGE_ID)


def test_nul_characters_do_not_reach_the_database():
    payload = delivery("messenger_text")
    payload["entry"][0]["messaging"][0]["message"]["text"] = "hello\x00 there"
    (item,) = MESSENGER.read_event(payload, PAGE_ID).items
    assert "\x00" not in item.text


# ----------------------------------------------------------------------
# Reading events: Instagram Direct
# ----------------------------------------------------------------------


def test_instagram_story_reply_story_mention_echo_and_unsend():
    reply, mention, echo, unsent = read_all(INSTAGRAM, "instagram_messages", IG_ID)
    (item,) = reply.items
    assert item.text == "[story reply]\nسلام، سفارش من هنوز نرسیده است"
    assert item.extra["story"] == {
        "id": "17998765432109876",
        "url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17998765432109876&signature=abc",
    }
    assert item.author.external_id == IGSID and item.visibility == "private" and item.root_id == IGSID
    (story,) = mention.items
    assert story.text == "[story mention]" and story.extra["attachments"][0]["type"] == "story_mention"
    (own,) = echo.items
    assert own.is_own and own.author.external_id == IG_ID and own.root_id == IGSID
    assert unsent.items == [] and unsent.deleted_ids == [story.external_id]


# ----------------------------------------------------------------------
# Reading events: WhatsApp
# ----------------------------------------------------------------------


def test_whatsapp_text_image_and_sticker():
    text, image, sticker = (o.items[0] for o in read_all(WHATSAPP, "whatsapp_messages", PHONE_NUMBER_ID))
    assert text.text == "سلام، سفارش ۴۵۶ کی می‌رسد؟"
    assert text.author.name == "Sara Ahmadi" and text.author.external_id == "989121234567"
    assert text.author.handle == "+989121234567" and text.root_id == "989121234567"
    assert text.posted_at == datetime(2025, 12, 3, 7, 20, tzinfo=timezone.utc)
    assert text.visibility == "private" and not text.is_own
    assert image.text == "[image]\nกล่องเสียหายครับ" and image.author.name == "Somchai Jaidee"
    assert image.extra["attachments"] == [{"type": "image", "media_id": "1003383421387256", "mime_type": "image/jpeg"}]
    assert sticker.text == "[sticker]" and sticker.author.name == "Somchai Jaidee"


def test_whatsapp_location_list_reply_button_and_reaction():
    location, choice, button, reaction = read_all(WHATSAPP, "whatsapp_interactive", PHONE_NUMBER_ID)
    assert location.items[0].text == "[location] Azadi Tower, Azadi Sq, Tehran (35.6997,51.338)"
    (item,) = choice.items
    assert item.text == "بازپرداخت\nپول من را برگردانید" and item.extra["choice"] == "refund"
    assert item.parent_id == "wamid.HBgMOTg5MTIxMjM0NTY3FQIAERgSQTA5RkFCQTA2QjE0ODc0OQA=" and item.kind == "reply"
    assert button.items[0].text == "Yes" and button.items[0].extra["choice"] == "CONFIRM_ORDER"
    assert reaction.items == [] and "reaction" in reaction.ignored


def test_whatsapp_statuses_are_ignored_with_a_reason():
    delivered, read = read_all(WHATSAPP, "whatsapp_statuses", PHONE_NUMBER_ID)
    assert delivered.items == [] and "status 'delivered'" in delivered.ignored
    assert "status 'read'" in read.ignored


def test_whatsapp_unsupported_messages_are_kept_as_a_trace():
    payload = delivery("whatsapp_messages")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message.pop("text")
    message.update(type="unsupported", errors=[{"code": 131051, "title": "Message type unknown"}])
    item = WHATSAPP.read_event(WHATSAPP.split_delivery(payload)[0].raw, PHONE_NUMBER_ID).items[0]
    assert item.text == "[unsupported message not shown]"


def test_whatsapp_message_for_another_number_is_ignored():
    (outcome, *_rest) = read_all(WHATSAPP, "whatsapp_messages", own_id="555")
    assert outcome.items == [] and "another phone number" in outcome.ignored


@pytest.mark.parametrize("break_it", malformations("id", "wamid/../../x", "text", {"body": ""}, "timestamp"))
def test_malformed_whatsapp_messages_raise_bad_payload(break_it):
    payload = delivery("whatsapp_messages")
    event = WHATSAPP.split_delivery(payload)[0].raw
    broken = copy.deepcopy(event)
    break_it(broken["entry"][0]["changes"][0]["value"]["messages"][0])
    with pytest.raises(errors.BadPayload):
        WHATSAPP.read_event(broken, PHONE_NUMBER_ID)


def test_every_stored_event_survives_a_json_round_trip():
    """Events are stored as JSON in the database and read later by the cron."""
    for client, name in ((MESSENGER, "messenger_attachments"), (WHATSAPP, "whatsapp_interactive")):
        for event in client.split_delivery(delivery(name)):
            stored = json.loads(json.dumps(event.raw))
            assert client.read_event(stored) == client.read_event(event.raw)

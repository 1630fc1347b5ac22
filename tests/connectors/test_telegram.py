"""Telegram Bot API: updates as Telegram documents them, sendMessage and getUpdates on loopback."""

import json

import pytest
from bot_api import last_call, ok, refused, route, sent_message

from social_crm.connectors import errors, get_client, get_client_class

TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "s3cr3t-token_for-webhook"
SARA = {
    "id": 7261839,
    "is_bot": False,
    "first_name": "سارا",
    "last_name": "رضایی",
    "username": "sara_r",
    "language_code": "fa",
}
BOT = {"id": 110201543, "is_bot": True, "first_name": "Acme support", "username": "acme_support_bot"}

Telegram = get_client_class("telegram")


def update(update_id, text="سلام، سفارشم هنوز نرسیده", key="message", message_id=1365, **extra):
    message = {
        "message_id": message_id,
        "from": SARA,
        "chat": {"id": 7261839, "first_name": "سارا", "last_name": "رضایی", "username": "sara_r", "type": "private"},
        "date": 1735700000,
        "text": text,
        **extra,
    }
    return {"update_id": update_id, key: message}


def test_secret_token_header():
    body = json.dumps(update(1)).encode()
    Telegram.check_signature(body, {"X-Telegram-Bot-Api-Secret-Token": SECRET}, SECRET)
    with pytest.raises(errors.Unsigned):
        Telegram.check_signature(body, {}, SECRET)
    with pytest.raises(errors.BadSignature):
        Telegram.check_signature(body, {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}, SECRET)
    with pytest.raises(errors.BadSignature):
        Telegram.check_signature(body, {"X-Telegram-Bot-Api-Secret-Token": "anything"}, "")


def test_persian_message_edit_channel_post_and_other_updates():
    [event] = Telegram.split_delivery(update(10000))
    assert event.event_id == "10000"
    item = Telegram.read_event(event.raw, own_id="110201543").items[0]
    assert item.text == "سلام، سفارشم هنوز نرسیده" and item.visibility == "private"
    assert item.external_id == "7261839:1365" and item.root_id == "chat:7261839"
    assert item.author.name == "سارا رضایی" and item.author.handle == "sara_r" and not item.is_own
    assert item.extra == {"chat_id": "7261839", "message_id": 1365, "chat_type": "private"}

    edited = update(10001, text="سلام، سفارش ۱۲۳ هنوز نرسیده", key="edited_message", edit_date=1735700300)
    edit = Telegram.read_event(edited).items[0]
    assert edit.external_id == "7261839:1365:edit:1735700300" and edit.parent_id == "7261839:1365"

    photo = update(
        10002, text=None, message_id=1366, photo=[{"file_id": "AgAD", "file_unique_id": "x", "width": 90, "height": 90}]
    )
    assert Telegram.read_event(photo).items[0].text == "[photo]"
    sticker = update(10003, text=None, message_id=1367, sticker={"file_id": "CAAD", "emoji": "😡", "type": "regular"})
    assert Telegram.read_event(sticker).items[0].text == "[sticker 😡]"

    channel = {
        "update_id": 10004,
        "channel_post": {
            "message_id": 12,
            "sender_chat": {"id": -1001234567890, "title": "Acme news", "type": "channel"},
            "chat": {"id": -1001234567890, "title": "Acme news", "type": "channel"},
            "date": 1735700000,
            "text": "خبر",
        },
    }
    assert Telegram.read_event(channel).items[0].author.name == "Acme news"

    member = {"update_id": 10005, "my_chat_member": {"chat": {"id": 7261839}, "from": SARA, "date": 1735700000}}
    outcome = Telegram.read_event(member)
    assert not outcome.items and "my_chat_member" in outcome.ignored


def test_malformed_update():
    for payload in ({"message": {}}, {"update_id": "1"}, [1], {"update_id": True}):
        with pytest.raises(errors.BadPayload):
            Telegram.split_delivery(payload)


@pytest.fixture
def bot_api(server):
    route(server, TOKEN, "sendMessage", sent_message(BOT, 1400, 1735700100, chat={"first_name": "سارا"}))
    route(server, TOKEN, "getMe", ok(BOT))
    return server


def client(server, token=TOKEN):
    return get_client("telegram", base_url=server.url, allowed_hosts="127.0.0.1", token=token)


def test_send_message_with_reply_parameters(bot_api):
    sent = client(bot_api).send("سلام سارا، پیگیری می‌کنیم", "7261839", {"chat_id": "7261839", "message_id": 1365})
    assert last_call(bot_api, TOKEN, "sendMessage") == {
        "chat_id": 7261839,
        "text": "سلام سارا، پیگیری می‌کنیم",
        "reply_parameters": {"message_id": 1365, "allow_sending_without_reply": True},
    }
    assert sent.is_own and sent.external_id == "7261839:1400" and sent.visibility == "private"


def test_send_errors_blocked_rate_limited_bad_token(bot_api):
    route(bot_api, TOKEN, "sendMessage", refused(403, "Forbidden: bot was blocked by the user"))
    with pytest.raises(errors.RecipientUnavailable, match="blocked"):
        client(bot_api).send("x", "7261839")
    slow_down = refused(429, "Too Many Requests: retry after 5", parameters={"retry_after": 5})
    route(bot_api, TOKEN, "sendMessage", slow_down)
    with pytest.raises(errors.RateLimited) as caught:
        client(bot_api).send("x", "7261839")
    assert caught.value.retry_after == 5
    route(bot_api, TOKEN, "sendMessage", refused(401, "Unauthorized"))
    with pytest.raises(errors.AuthenticationFailed) as denied:
        client(bot_api).send("x", "7261839")
    assert TOKEN not in str(denied.value)
    with pytest.raises(errors.AuthenticationFailed):
        client(bot_api, token="../../evil").send("x", "7261839")
    assert len(bot_api.requests) == 3  # the badly shaped token never left


def test_poll_with_offset(bot_api):
    pages = {None: [update(500), update(501, message_id=1366)], 502: []}

    def get_updates(request):
        body = json.loads(request["body"])
        return ok(pages[body.get("offset")])

    route(bot_api, TOKEN, "getUpdates", get_updates)
    events, offset = client(bot_api).poll()
    assert [e.event_id for e in events] == ["500", "501"] and offset == 502
    assert json.loads(bot_api.requests[-1]["body"])["allowed_updates"][0] == "message"
    assert client(bot_api).poll(offset) == ([], 502)
    route(bot_api, TOKEN, "getUpdates", refused(409, "Conflict: can't use getUpdates method while webhook is active"))
    with pytest.raises(errors.ApiError, match="webhook is active"):
        client(bot_api).poll(offset)


def test_verify_and_profile(bot_api):
    assert client(bot_api).verify().handle == "acme_support_bot"
    sara = {"id": 7261839, "type": "private", "first_name": "سارا", "username": "sara_r", "bio": "تهران"}
    route(bot_api, TOKEN, "getChat", ok(sara))
    author = client(bot_api).profile("7261839")
    assert author.name == "سارا" and author.bio == "تهران"


# ----------------------------------------------------------------------
# Telegram Business: a Premium user connects the bot to their own account (Bot API 7.2; rights: 9.0).
# Shapes of BusinessConnection, business_message, BusinessMessagesDeleted and sendMessage's
# business_connection_id as core.telegram.org/bots/api documents them.
# ----------------------------------------------------------------------

CONNECTION_ID = "Bb3x9Qk2AAAAcC4aL0m1xFv7"
NIMA = {"id": 5550001, "is_bot": False, "first_name": "نیما", "username": "nima_shop", "is_premium": True}


def business_connection(update_id, is_enabled=True, rights=None, **extra):
    connection = {
        "id": CONNECTION_ID,
        "user": NIMA,
        "user_chat_id": 5550001,
        "date": 1735690000,
        "is_enabled": is_enabled,
        **extra,
    }
    if rights is not None:
        connection["rights"] = rights
    return {"update_id": update_id, "business_connection": connection}


def business_message(
    update_id, text="سلام، این کفش سایز ۴۲ دارید؟", message_id=77, sender=SARA, key="business_message", **extra
):
    message = {
        "business_connection_id": CONNECTION_ID,
        "message_id": message_id,
        "from": sender,
        "chat": {"id": 7261839, "first_name": "سارا", "username": "sara_r", "type": "private"},
        "date": 1735700000,
        "text": text,
        **extra,
    }
    return {"update_id": update_id, key: message}


def test_business_connection_rights_and_the_older_can_reply():
    connection = Telegram.read_business_connection(business_connection(20001, rights={"can_reply": True}))
    assert connection.connection_id == CONNECTION_ID and connection.is_enabled and connection.can_reply
    assert connection.user.external_id == "5550001" and connection.user.handle == "nima_shop"
    assert connection.user_chat_id == "5550001" and connection.rights == {"can_reply": True}
    read_only = Telegram.read_business_connection(business_connection(20002, rights={"can_read_messages": True}))
    assert not read_only.can_reply, "a right missing from rights is not granted"
    disabled = Telegram.read_business_connection(business_connection(20003, is_enabled=False, can_reply=True))
    assert not disabled.is_enabled and disabled.can_reply, "before Bot API 9.0, can_reply was a field"
    assert Telegram.read_business_connection(update(20004)) is None
    outcome = Telegram.read_event(business_connection(20005, rights={}))
    assert not outcome.items and "business_connection" in outcome.ignored
    with pytest.raises(Exception, match="id or is_enabled"):
        Telegram.read_business_connection({"business_connection": {"id": CONNECTION_ID}})


def test_business_messages_are_the_customer_chat_with_the_premium_user():
    customer = Telegram.read_event(business_message(20010), own_id="110201543").items[0]
    assert customer.external_id == f"biz:{CONNECTION_ID}:7261839:77"
    assert customer.root_id == f"biz:{CONNECTION_ID}:chat:7261839", "never the bot's own chat with Sara"
    assert customer.visibility == "private" and not customer.is_own and customer.author.name == "سارا رضایی"
    assert customer.extra["business_connection_id"] == CONNECTION_ID and customer.extra["message_id"] == 77

    owner = Telegram.read_event(business_message(20011, text="بله، داریم", message_id=78, sender=NIMA)).items[0]
    assert owner.is_own, "the Premium user's own answer in the chat is the business speaking"
    by_bot = Telegram.read_event(business_message(20012, message_id=79, sender=NIMA, sender_business_bot=BOT))
    assert by_bot.items[0].is_own

    edited = business_message(20013, text="سایز ۴۳ چطور؟", key="edited_business_message", edit_date=1735700400)
    edit = Telegram.read_event(edited).items[0]
    assert edit.external_id == f"biz:{CONNECTION_ID}:7261839:77:edit:1735700400"
    assert edit.parent_id == f"biz:{CONNECTION_ID}:7261839:77"

    deleted = {
        "update_id": 20014,
        "deleted_business_messages": {
            "business_connection_id": CONNECTION_ID,
            "chat": {"id": 7261839, "type": "private", "first_name": "سارا"},
            "message_ids": [77, 80],
        },
    }
    outcome = Telegram.read_event(deleted)
    assert outcome.deleted_ids == [f"biz:{CONNECTION_ID}:7261839:77", f"biz:{CONNECTION_ID}:7261839:80"]
    bad = {
        "update_id": 20015,
        "business_message": {**business_message(1)["business_message"], "business_connection_id": "a/../b"},
    }
    with pytest.raises(Exception, match="never has"):
        Telegram.read_event(bad)


def test_send_with_business_connection_id_within_24_hours(bot_api):
    from datetime import datetime, timedelta, timezone

    # Telegram answers with the message as the chat shows it: from the Premium user, sent by the bot.
    send_business = sent_message(
        NIMA, 81, 1735700600, chat={"first_name": "سارا"}, business_connection_id=CONNECTION_ID, sender_business_bot=BOT
    )
    route(bot_api, TOKEN, "sendMessage", send_business)
    received = datetime.now(timezone.utc) - timedelta(hours=2)
    context = {
        "chat_id": "7261839",
        "message_id": 77,
        "business_connection_id": CONNECTION_ID,
        "received_at": received.isoformat(),
    }
    sent = client(bot_api).send("سلام، بله موجود است", "7261839", context)
    assert json.loads(bot_api.requests[-1]["body"]) == {
        "chat_id": 7261839,
        "text": "سلام، بله موجود است",
        "business_connection_id": CONNECTION_ID,
        "reply_parameters": {"message_id": 77, "allow_sending_without_reply": True},
    }
    assert sent.is_own and sent.external_id == f"biz:{CONNECTION_ID}:7261839:81"
    assert sent.root_id == f"biz:{CONNECTION_ID}:chat:7261839"

    late = {**context, "received_at": (received - timedelta(hours=23)).isoformat()}
    count = len(bot_api.requests)
    with pytest.raises(errors.WindowExpired, match="24 hours"):
        client(bot_api).send("سلام", "7261839", late)
    assert len(bot_api.requests) == count, "nothing left after the window closed"


def test_get_business_connection_and_business_updates_allowed(bot_api):
    answer = business_connection(0, rights={"can_reply": True})["business_connection"]
    route(bot_api, TOKEN, "getBusinessConnection", ok(answer))
    connection = client(bot_api).get_business_connection(CONNECTION_ID)
    assert connection.can_reply and connection.is_enabled
    assert json.loads(bot_api.requests[-1]["body"]) == {"business_connection_id": CONNECTION_ID}
    route(bot_api, TOKEN, "setWebhook", ok(True))
    client(bot_api).set_webhook("https://odoo.example.com/social_crm/webhook/k3y", SECRET)
    allowed = json.loads(bot_api.requests[-1]["body"])["allowed_updates"]
    for kind in ("business_connection", "business_message", "edited_business_message", "deleted_business_messages"):
        assert kind in allowed

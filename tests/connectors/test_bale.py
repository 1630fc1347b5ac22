"""Bale Bot API: updates, getUpdates paging, setWebhook and sendMessage as docs.bale.ai documents them, on loopback.

Payloads follow Bale's Bot API (docs.bale.ai: ``Update`` with ``message`` / ``edited_message`` /
``callback_query``, ``sendMessage`` with ``reply_to_message_id``, ``setWebhook`` with ``url`` only,
``getUpdates`` with ``offset`` and ``limit``; error descriptions as Bale returns them).
"""

import json

import pytest
from bot_api import callback_query, last_call, ok, refused, route, sent_message

from social_crm.connectors import DEFAULT_BASE_URLS, errors, get_client, get_client_class
from social_crm.connectors.messaging import survey_payload

TOKEN = "1234567890:yC3vHQvB2kQp1d7XwGyM0aBcDeFgHiJkLmNoPq"
ZAHRA = {"id": 52038472, "is_bot": False, "first_name": "زهرا", "last_name": "احمدی", "username": "zahra_ah"}
BOT = {"id": 1234567890, "is_bot": True, "first_name": "پشتیبانی آکمه", "username": "acme_support_bot"}
PERSIAN = "سلام، سفارش ۴۵۲۱ من هنوز نرسیده. لطفاً پیگیری کنید"

Bale = get_client_class("bale")


def update(update_id, text=PERSIAN, message_id=301, key="message", **extra):
    message = {
        "message_id": message_id,
        "from": ZAHRA,
        "chat": {"id": ZAHRA["id"], "type": "private", "first_name": "زهرا", "username": "zahra_ah"},
        "date": 1790000000,
        "text": text,
        **extra,
    }
    return {"update_id": update_id, key: message}


def client(server, token=TOKEN):
    return get_client("bale", base_url=server.url, allowed_hosts="127.0.0.1", token=token)


@pytest.fixture
def bale_api(server):
    route(server, TOKEN, "sendMessage", sent_message(BOT, 302, 1790000100))
    route(server, TOKEN, "getMe", ok(BOT))
    route(server, TOKEN, "setWebhook", ok(True))
    route(server, TOKEN, "deleteWebhook", ok(True))
    return server


def test_bale_is_its_own_network_at_tapi_bale_ai():
    assert DEFAULT_BASE_URLS["bale"] == "https://tapi.bale.ai"
    assert Bale.label == "Bale" and Bale.max_length == 4096 and Bale.survey_buttons and Bale.receives_messages
    assert get_client_class("telegram").default_base_url == "https://api.telegram.org"


def test_no_secret_header_to_check_the_address_is_the_secret():
    body = json.dumps(update(1)).encode()
    # Bale sends no X-Telegram-Bot-Api-Secret-Token: a delivery without one is accepted (the route found
    # the account by its random webhook key), and so is one with anything in it.
    assert Bale.check_signature(body, {}, "") is None
    assert Bale.check_signature(body, {"X-Telegram-Bot-Api-Secret-Token": "x"}, "") is None
    with pytest.raises(errors.Unsigned):
        get_client_class("telegram").check_signature(body, {}, "s3cret")


def test_persian_message_edit_and_survey_button():
    [event] = Bale.split_delivery(update(88001))
    assert event.event_id == "88001"
    item = Bale.read_event(event.raw, own_id=str(BOT["id"])).items[0]
    assert item.text == PERSIAN and item.visibility == "private" and not item.is_own
    assert item.external_id == "52038472:301" and item.root_id == "chat:52038472"
    assert item.author.name == "زهرا احمدی" and item.author.profile_url == "https://ble.ir/zahra_ah"

    edit = Bale.read_event(update(88002, text=PERSIAN + "!", key="edited_message", edit_date=1790000500)).items[0]
    assert edit.external_id == "52038472:301:edit:1790000500" and edit.parent_id == "52038472:301"

    pressed = callback_query(88003, "5203847201", ZAHRA, survey_payload("Ab12Cd34Ef56", "good"), 303, 1790000200)
    answer = Bale.read_survey_answer(pressed)
    assert (answer.token, answer.answer, answer.user_id, answer.callback_id) == (
        "Ab12Cd34Ef56",
        "good",
        "52038472",
        "5203847201",
    )
    assert not Bale.read_event(pressed).items


def test_send_message_answers_with_reply_to_message_id(bale_api):
    sent = client(bale_api).send("سلام زهرا، پیگیری می‌کنیم", "52038472", {"chat_id": "52038472", "message_id": 301})
    assert last_call(bale_api, TOKEN, "sendMessage") == {
        "chat_id": 52038472,
        "text": "سلام زهرا، پیگیری می‌کنیم",
        "reply_to_message_id": 301,
    }
    assert sent.is_own and sent.external_id == "52038472:302"
    with pytest.raises(ValueError, match="4096"):
        client(bale_api).send("ب" * 4097, "52038472")


def test_survey_with_inline_keyboard(bale_api):
    client(bale_api).send_survey("راضی بودید؟", [(survey_payload("Ab12Cd34Ef56", "good"), "خوب")], "52038472")
    body = json.loads(bale_api.requests[-1]["body"])
    assert body["reply_markup"] == {"inline_keyboard": [[{"text": "خوب", "callback_data": "csat:Ab12Cd34Ef56:good"}]]}
    assert "reply_to_message_id" not in body


def test_set_and_delete_webhook_send_what_bale_takes(bale_api):
    client(bale_api).set_webhook("https://odoo.example.com/social_crm/webhook/k3y", "ignored")
    assert json.loads(bale_api.requests[-1]["body"]) == {"url": "https://odoo.example.com/social_crm/webhook/k3y"}
    client(bale_api).delete_webhook()
    assert bale_api.requests[-1]["path"] == f"/bot{TOKEN}/deleteWebhook"
    assert json.loads(bale_api.requests[-1]["body"]) == {}


def test_get_updates_pages_with_offset(bale_api):
    queue = [update(500 + n, message_id=400 + n) for n in range(5)]

    def get_updates(request):
        body = json.loads(request["body"])
        offset, limit = body.get("offset") or 0, body["limit"]
        return ok([u for u in queue if u["update_id"] >= offset][:limit])

    route(bale_api, TOKEN, "getUpdates", get_updates)
    bale = client(bale_api)
    events, offset = bale.poll(limit=2)
    assert [e.event_id for e in events] == ["500", "501"] and offset == 502
    assert json.loads(bale_api.requests[-1]["body"]) == {"limit": 2}, "no allowed_updates or timeout: Bale has none"
    events, offset = bale.poll(offset, limit=2)
    assert [e.event_id for e in events] == ["502", "503"] and offset == 504
    assert json.loads(bale_api.requests[-1]["body"]) == {"limit": 2, "offset": 502}
    events, offset = bale.poll(offset)
    assert [e.event_id for e in events] == ["504"] and offset == 505
    assert bale.poll(offset) == ([], 505)


def test_bale_errors_in_words(bale_api):
    route(bale_api, TOKEN, "sendMessage", refused(400, "no such group or user"))
    with pytest.raises(errors.RecipientUnavailable, match="never started"):
        client(bale_api).send("x", "52038472")
    route(bale_api, TOKEN, "sendMessage", refused(403, "Forbidden: permission_denied"))
    with pytest.raises(errors.RecipientUnavailable):
        client(bale_api).send("x", "52038472")
    route(bale_api, TOKEN, "sendMessage", refused(400, "bot limit exceed"))
    with pytest.raises(errors.RateLimited):
        client(bale_api).send("x", "52038472")
    route(bale_api, TOKEN, "sendMessage", refused(401, "Bad Request: Token not found"))
    with pytest.raises(errors.AuthenticationFailed) as caught:
        client(bale_api).send("x", "52038472")
    assert TOKEN not in str(caught.value) and "Bale" in str(caught.value)
    with pytest.raises(errors.AuthenticationFailed, match="Bale bot token"):
        client(bale_api, token="../getMe?x=").send("x", "52038472")
    route(bale_api, TOKEN, "getUpdates", refused(409, "webhook is set"))
    with pytest.raises(errors.ApiError, match="Bale answered 409"):
        client(bale_api).poll()


def test_verify_and_profile(bale_api):
    assert client(bale_api).verify().handle == "acme_support_bot"
    route(
        bale_api,
        TOKEN,
        "getChat",
        ok({"id": 52038472, "type": "private", "first_name": "زهرا", "username": "zahra_ah"}),
    )
    author = client(bale_api).profile("52038472")
    assert author.name == "زهرا" and author.profile_url == "https://ble.ir/zahra_ah"
    assert json.loads(bale_api.requests[-1]["body"]) == {"chat_id": 52038472}

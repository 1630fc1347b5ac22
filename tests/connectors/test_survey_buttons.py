"""Satisfaction surveys with each network's own buttons, and the button pressed read back from its webhook."""

import json

from bot_api import callback_query, route, sent_message
from meta_payloads import PAGE_ID, PSID, messenger_delivery

from social_crm.connectors import get_client, get_client_class
from social_crm.connectors.messaging import parse_survey_payload, survey_payload

LOOPBACK = "127.0.0.1"
TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
LINE_USER = "U4af4980629a0b2d3c1e2f3a4b5c6d7e8"
SURVEY = "0123456789abcdef"
BOT = {"id": 110201543, "is_bot": True, "first_name": "Acme support", "username": "acme_support_bot"}
CHOICES = [
    (survey_payload(SURVEY, key), label) for key, label in (("good", "😀 Good"), ("ok", "😐 OK"), ("bad", "🙁 Bad"))
]


def client(server, network, **kwargs):
    return get_client(network, base_url=server.url, allowed_hosts=LOOPBACK, **kwargs)


def only_json(server):
    (request,) = server.requests
    return request["path"], json.loads(request["body"])


def test_payloads_round_trip_and_refuse_the_rest():
    assert parse_survey_payload(survey_payload(SURVEY, "good")) == (SURVEY, "good")
    for other in (None, 42, "", "csat:short:good", f"csat:{SURVEY}:good:extra", f"csat:{SURVEY}:GOOD", "hello"):
        assert parse_survey_payload(other) is None


def test_line_quick_reply_postbacks(server):
    server.route("POST", "/v2/bot/message/push", (200, {}, {"sentMessages": [{"id": "461230966842064897"}]}))
    line = client(server, "line", token="channel-token")
    item = line.send_survey("How did we do?", CHOICES, LINE_USER, {"retry_key": "4c1d4dbc-7c45-4b8e-a1b2-6f0c8d2b9e11"})
    path, body = only_json(server)
    assert path == "/v2/bot/message/push" and body["to"] == LINE_USER
    [message] = body["messages"]
    assert message["type"] == "text" and message["text"] == "How did we do?"
    assert message["quickReply"]["items"][0] == {
        "type": "action",
        "action": {"type": "postback", "label": "😀 Good", "data": f"csat:{SURVEY}:good", "displayText": "😀 Good"},
    }
    assert server.requests[0]["headers"]["X-Line-Retry-Key"] == "4c1d4dbc-7c45-4b8e-a1b2-6f0c8d2b9e11"
    assert item.external_id == "461230966842064897" and item.is_own
    pressed = get_client_class("line").read_survey_answer(
        {"type": "postback", "postback": {"data": f"csat:{SURVEY}:ok"}, "source": {"type": "user", "userId": LINE_USER}}
    )
    assert (pressed.token, pressed.answer, pressed.user_id) == (SURVEY, "ok", LINE_USER)
    assert get_client_class("line").read_survey_answer({"type": "message", "message": {"text": "hi"}}) is None


def test_telegram_inline_keyboard_and_callback(server):
    route(server, TOKEN, "sendMessage", sent_message(BOT, 1500, 1))
    telegram = client(server, "telegram", token=TOKEN)
    telegram.send_survey("How did we do?", CHOICES, "7261839", {"chat_id": 7261839, "message_id": 1365})
    _path, body = only_json(server)
    assert body["chat_id"] == 7261839 and "reply_parameters" not in body
    assert body["reply_markup"] == {
        "inline_keyboard": [[{"text": label, "callback_data": data} for data, label in CHOICES]]
    }
    button = callback_query(2, "4382bfdwdsb323b2d9", {"id": 7261839}, CHOICES[2][0])
    pressed = get_client_class("telegram").read_survey_answer(button)
    assert (pressed.answer, pressed.user_id, pressed.callback_id) == ("bad", "7261839", "4382bfdwdsb323b2d9")


def test_messenger_quick_replies(server):
    server.route("POST", f"/{PAGE_ID}/messages", (200, {}, {"recipient_id": PSID, "message_id": "m_survey"}))
    messenger = client(server, "facebook", login=PAGE_ID, token="page-token")
    messenger.send_survey("How did we do?", CHOICES, PSID, {"mid": "m_question"})
    _path, body = only_json(server)
    assert body["recipient"] == {"id": PSID} and body["messaging_type"] == "RESPONSE"
    assert body["message"]["quick_replies"][1] == {"content_type": "text", "title": "😐 OK", "payload": CHOICES[1][0]}
    delivery = messenger_delivery({"mid": "m_answer", "text": "😀 Good", "quick_reply": {"payload": CHOICES[0][0]}})
    pressed = get_client_class("facebook").read_survey_answer(delivery)
    assert (pressed.token, pressed.answer, pressed.user_id) == (SURVEY, "good", PSID)
    delivery["entry"][0]["messaging"][0]["message"].pop("quick_reply")
    assert get_client_class("facebook").read_survey_answer(delivery) is None

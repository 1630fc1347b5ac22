"""Answers through the Messenger, Instagram and WhatsApp Send APIs, against real HTTP servers on loopback."""

import json
from datetime import datetime, timedelta, timezone

import pytest
from meta_payloads import IG_ID, IGSID, PAGE_ID, PHONE_NUMBER_ID, PSID

from social_crm.connectors import errors, get_client

LOOPBACK = "127.0.0.1"
WA_ID = "989121234567"
ANSWERED = "wamid.HBgMOTg5MTIxMjM0NTY3FQIAEhggQTJDRkQ0NjFFRjM5MzA4NTdCMUQA"


def client(server, network, login, token="page-token"):
    return get_client(network, base_url=server.url, allowed_hosts=LOOPBACK, login=login, token=token)


def read_profile(server, network, login, user_id, fields):
    """``profile(user_id)`` of the account ``login`` when the Graph API knows these ``fields`` of the user."""
    server.route("GET", f"/{user_id}", (200, {}, {**fields, "id": user_id}))
    return client(server, network, login).profile(user_id)


def hours_ago(hours):
    return {"received_at": datetime.now(timezone.utc) - timedelta(hours=hours)}


def sent_json(server):
    (request,) = server.requests
    return request["path"], json.loads(request["body"]), request["headers"]


def graph_error(code, message, subcode=None, status=400, **extra):
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf123", **extra}
    if subcode:
        error["error_subcode"] = subcode
    return (status, {}, {"error": error})


# ----------------------------------------------------------------------
# Messenger
# ----------------------------------------------------------------------


def test_messenger_answer_within_the_window(server):
    server.route("POST", f"/{PAGE_ID}/messages", (200, {}, {"recipient_id": PSID, "message_id": "m_sent_1"}))
    item = client(server, "facebook", PAGE_ID).send("เราส่งพัสดุให้แล้วครับ", PSID, {"mid": "m_question", **hours_ago(2)})
    path, body, headers = sent_json(server)
    assert body == {
        "recipient": {"id": PSID},
        "message": {"text": "เราส่งพัสดุให้แล้วครับ"},
        "messaging_type": "RESPONSE",
    }
    assert headers["Authorization"] == "Bearer page-token"
    assert item.external_id == "m_sent_1" and item.is_own and item.visibility == "private"
    assert item.root_id == PSID and item.parent_id == "m_question" and item.text == "เราส่งพัสดุให้แล้วครับ"


def test_messenger_without_page_id_sends_as_me(server):
    server.route("POST", "/me/messages", (200, {}, {"recipient_id": PSID, "message_id": "m_sent_2"}))
    assert client(server, "facebook", "").send("Hello", PSID).external_id == "m_sent_2"


def test_messenger_outside_the_window_is_refused_before_calling(server):
    with pytest.raises(errors.WindowExpired, match="within 24 hours"):
        client(server, "facebook", PAGE_ID).send("Sorry for the wait", PSID, hours_ago(25))
    assert server.requests == []


@pytest.mark.parametrize("how", ["kwarg", "context"])
def test_messenger_human_agent_tag_stretches_the_window_to_seven_days(server, how):
    server.route("POST", f"/{PAGE_ID}/messages", (200, {}, {"recipient_id": PSID, "message_id": "m_sent_3"}))
    messenger = client(server, "facebook", PAGE_ID)
    if how == "kwarg":
        messenger.send("Sorry for the wait", PSID, hours_ago(72), human_agent_tag=True)
    else:
        messenger.send("Sorry for the wait", PSID, {**hours_ago(72), "human_agent_tag": True})
    _path, body, _headers = sent_json(server)
    assert body["messaging_type"] == "MESSAGE_TAG" and body["tag"] == "HUMAN_AGENT"


def test_messenger_human_agent_tag_ends_after_seven_days(server):
    with pytest.raises(errors.WindowExpired, match="7 days"):
        client(server, "facebook", PAGE_ID).send("Hello?", PSID, hours_ago(8 * 24), human_agent_tag=True)
    assert server.requests == []


def test_messenger_says_outside_the_window(server):
    """The window is counted from the last message Odoo knows; Meta has the last word."""
    server.route(
        "POST",
        f"/{PAGE_ID}/messages",
        graph_error(10, "(#10) This message is sent outside of allowed window.", 2018278),
    )
    with pytest.raises(errors.WindowExpired, match="allowed window"):
        client(server, "facebook", PAGE_ID).send("Hello", PSID, hours_ago(23))


def test_messenger_blocked_by_the_person(server):
    server.route(
        "POST", f"/{PAGE_ID}/messages", graph_error(551, "(#551) This person isn't available right now.", 1545041)
    )
    with pytest.raises(errors.RecipientUnavailable, match="blocked"):
        client(server, "facebook", PAGE_ID).send("Hello", PSID)


def test_messenger_rate_limit_613_with_http_400_is_not_retried(server):
    usage = json.dumps({PAGE_ID: [{"type": "messenger", "call_count": 100, "estimated_time_to_regain_access": 5}]})
    status, _headers, payload = graph_error(613, "(#613) Calls to this api have exceeded the rate limit.")
    server.route("POST", f"/{PAGE_ID}/messages", (status, {"X-Business-Use-Case-Usage": usage}, payload))
    with pytest.raises(errors.RateLimited) as caught:
        client(server, "facebook", PAGE_ID).send("Hello", PSID)
    assert caught.value.retry_after == 300
    assert len(server.requests) == 1  # a send is never repeated on its own: it could post twice


def test_messenger_expired_token_still_reads_as_authentication(server):
    server.route("POST", f"/{PAGE_ID}/messages", graph_error(190, "Error validating access token", 463))
    with pytest.raises(errors.AuthenticationFailed):
        client(server, "facebook", PAGE_ID).send("Hello", PSID)


def test_messenger_answer_without_message_id_is_an_error(server):
    server.route("POST", f"/{PAGE_ID}/messages", (200, {}, {"recipient_id": PSID}))
    with pytest.raises(errors.BadPayload):
        client(server, "facebook", PAGE_ID).send("Hello", PSID)


def test_messenger_text_limit_and_empty_text_are_checked_before_calling(server):
    with pytest.raises(ValueError, match="2000"):
        client(server, "facebook", PAGE_ID).send("x" * 2001, PSID)
    with pytest.raises(ValueError, match="empty"):
        client(server, "facebook", PAGE_ID).send("   ", PSID)
    assert server.requests == []


def test_messenger_profile(server):
    picture = "https://platform-lookaside.fbsbx.com/p.jpg"
    fields = {"first_name": "Somchai", "last_name": "Jaidee", "profile_pic": picture}
    author = read_profile(server, "facebook", PAGE_ID, PSID, fields)
    assert (author.external_id, author.name, author.avatar_url) == (PSID, "Somchai Jaidee", picture)
    assert server.requests[0]["query"] == {"fields": ["first_name,last_name,profile_pic"]}
    assert server.requests[0]["headers"]["Authorization"] == "Bearer page-token"


# ----------------------------------------------------------------------
# The token goes to the account's host only
# ----------------------------------------------------------------------


@pytest.mark.parametrize("recipient", ["../me/conversations", "https://evil.example/x", "1/2", "a?b=c"])
def test_a_crafted_recipient_cannot_change_the_request(server, recipient):
    with pytest.raises(errors.UnsafeId):
        client(server, "facebook", PAGE_ID).send("Hello", recipient)
    with pytest.raises(errors.UnsafeId):
        client(server, "whatsapp", PHONE_NUMBER_ID).send("Hello", recipient)
    with pytest.raises(errors.UnsafeId):
        client(server, "instagram", IG_ID).profile(recipient)
    assert server.requests == []


@pytest.mark.parametrize(("network", "login"), [("facebook", PAGE_ID), ("whatsapp", PHONE_NUMBER_ID)])
def test_a_redirect_to_another_host_does_not_carry_the_token(server, other_server, network, login):
    other_server.route("POST", f"/{login}/messages", (200, {}, {"message_id": "stolen"}))
    server.route("POST", f"/{login}/messages", (307, {"Location": other_server.url + f"/{login}/messages"}, ""))
    with pytest.raises(errors.UnsafeAddress, match="redirected"):
        client(server, network, login).send("Hello", PSID)
    assert other_server.requests == []


# ----------------------------------------------------------------------
# Instagram Direct
# ----------------------------------------------------------------------


def test_instagram_answer_within_the_window(server):
    server.route("POST", f"/{IG_ID}/messages", (200, {}, {"recipient_id": IGSID, "message_id": "aWdfZAG1fsent"}))
    item = client(server, "instagram", IG_ID, "ig-token").send("سفارش شما فردا می‌رسد", IGSID, hours_ago(1))
    path, body, headers = sent_json(server)
    assert path == f"/{IG_ID}/messages" and headers["Authorization"] == "Bearer ig-token"
    assert body == {
        "recipient": {"id": IGSID},
        "message": {"text": "سفارش شما فردا می‌رسد"},
        "messaging_type": "RESPONSE",
    }
    assert item.external_id == "aWdfZAG1fsent" and item.root_id == IGSID and item.visibility == "private"


def test_instagram_outside_the_window(server):
    with pytest.raises(errors.WindowExpired):
        client(server, "instagram", IG_ID).send("Hello", IGSID, hours_ago(30))
    assert server.requests == []
    server.route(
        "POST", f"/{IG_ID}/messages", graph_error(10, "(#10) This message is sent outside of allowed window.", 2534022)
    )
    with pytest.raises(errors.WindowExpired):
        client(server, "instagram", IG_ID).send("Hello", IGSID)


def test_instagram_counts_its_limit_in_bytes(server):
    with pytest.raises(ValueError, match="1000 bytes"):
        client(server, "instagram", IG_ID).send("س" * 501, IGSID)  # 501 characters, 1002 bytes
    assert server.requests == []


def test_instagram_profile(server):
    fields = {
        "name": "Sara Ahmadi",
        "username": "sara.ahmadi",
        "profile_pic": "https://scontent.cdninstagram.com/p.jpg",
    }
    author = read_profile(server, "instagram", IG_ID, IGSID, fields)
    assert (author.handle, author.name, author.profile_url) == (
        "sara.ahmadi",
        "Sara Ahmadi",
        "https://www.instagram.com/sara.ahmadi",
    )
    assert author.avatar_url == "https://scontent.cdninstagram.com/p.jpg"
    assert server.requests[0]["query"] == {"fields": ["name,username,profile_pic"]}


# ----------------------------------------------------------------------
# WhatsApp
# ----------------------------------------------------------------------


def whatsapp_sent(message_id="wamid.HBgMOTg5MTIxMjM0NTY3FQIAERgSQzA5RkFCQTA2QjE0ODc0OQA="):
    return (
        200,
        {},
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": WA_ID, "wa_id": WA_ID}],
            "messages": [{"id": message_id}],
        },
    )


def test_whatsapp_answer_quotes_the_message_answered(server):
    server.route("POST", f"/{PHONE_NUMBER_ID}/messages", whatsapp_sent())
    item = client(server, "whatsapp", PHONE_NUMBER_ID, "wa-token").send(
        "سفارش ۴۵۶ فردا می‌رسد", WA_ID, {"mid": ANSWERED, "chat_id": WA_ID, **hours_ago(3)}
    )
    path, body, headers = sent_json(server)
    assert path == f"/{PHONE_NUMBER_ID}/messages" and headers["Authorization"] == "Bearer wa-token"
    assert body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {"preview_url": False, "body": "سفارش ۴۵۶ فردا می‌رسد"},
        "context": {"message_id": ANSWERED},
    }
    assert item.external_id == "wamid.HBgMOTg5MTIxMjM0NTY3FQIAERgSQzA5RkFCQTA2QjE0ODc0OQA="
    assert item.is_own and item.root_id == WA_ID and item.parent_id == ANSWERED


def test_whatsapp_reply_goes_through_send(server):
    server.route("POST", f"/{PHONE_NUMBER_ID}/messages", whatsapp_sent())
    client(server, "whatsapp", PHONE_NUMBER_ID).reply("Hi", ANSWERED, WA_ID, {"chat_id": WA_ID})
    _path, body, _headers = sent_json(server)
    assert body["to"] == WA_ID and body["context"] == {"message_id": ANSWERED}


def test_whatsapp_outside_the_session_says_templates_are_out_of_scope(server):
    with pytest.raises(errors.WindowExpired, match="template"):
        client(server, "whatsapp", PHONE_NUMBER_ID).send("Hello", WA_ID, hours_ago(24.5))
    assert server.requests == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (131047, errors.WindowExpired),
        (131026, errors.RecipientUnavailable),
        (130429, errors.RateLimited),
        (131056, errors.RateLimited),
        (613, errors.RateLimited),
    ],
)
def test_whatsapp_send_errors(server, code, expected):
    details = {"messaging_product": "whatsapp", "details": "See the WhatsApp error codes."}
    server.route("POST", f"/{PHONE_NUMBER_ID}/messages", graph_error(code, f"(#{code}) failed", error_data=details))
    with pytest.raises(expected):
        client(server, "whatsapp", PHONE_NUMBER_ID).send("Hello", WA_ID)
    assert len(server.requests) == 1


def test_whatsapp_verify_reads_the_phone_number(server):
    server.route(
        "GET",
        f"/{PHONE_NUMBER_ID}",
        (200, {}, {"verified_name": "Acme Support", "display_phone_number": "+1 555-078-3881", "id": PHONE_NUMBER_ID}),
    )
    own = client(server, "whatsapp", PHONE_NUMBER_ID).verify()
    assert (own.external_id, own.name, own.handle) == (PHONE_NUMBER_ID, "Acme Support", "+1 555-078-3881")


def test_whatsapp_has_nothing_to_poll_and_no_profile_api(server):
    whatsapp = client(server, "whatsapp", PHONE_NUMBER_ID)
    pages = list(whatsapp.fetch(cursor="kept"))
    assert [(p.items, p.cursor, p.has_more) for p in pages] == [([], "kept", False)]
    assert whatsapp.profile(WA_ID).external_id == WA_ID
    assert server.requests == []


def test_whatsapp_without_phone_number_id(server):
    with pytest.raises(errors.AuthenticationFailed, match="phone number id"):
        client(server, "whatsapp", "").send("Hello", WA_ID)
    assert server.requests == []


@pytest.mark.parametrize(
    "received_at",
    [
        datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(hours=25),  # Odoo's naive UTC datetimes
        (datetime.now(timezone.utc) - timedelta(hours=25)).isoformat(),
    ],
)
def test_the_window_reads_naive_utc_and_iso_dates(server, received_at):
    with pytest.raises(errors.WindowExpired):
        client(server, "facebook", PAGE_ID).send("Hello", PSID, {"received_at": received_at})
    with pytest.raises(errors.WindowExpired):
        client(server, "whatsapp", PHONE_NUMBER_ID).send("Hello", WA_ID, {"received_at": received_at})
    assert server.requests == []

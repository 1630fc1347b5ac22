"""LINE Messaging API: signed deliveries as LINE documents them, and the reply/push API on loopback."""

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

import pytest

from social_crm.connectors import errors, get_client, get_client_class

SECRET = "8c570fa6dd201bb328f1c1eac23a96d8"
USER = "U4af4980629a0b2d3c1e2f3a4b5c6d7e8"


def line_event(kind, event_id, body=None, reply_token="b60d432864f44d079f6d8efe86cf404b", timestamp=1735700000000):
    """One event as LINE's webhook reference shows it."""
    event = {
        "type": kind,
        "mode": "active",
        "timestamp": timestamp,
        "source": {"type": "user", "userId": USER},
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": False},
    }
    if reply_token and kind in ("message", "follow"):
        event["replyToken"] = reply_token
    event.update(body or {})
    return event


def text_message(event_id="01FZ74A0TDDPYRVKNK77XKC3ZR", text="สวัสดีครับ สั่งของไปสามวันแล้วยังไม่ได้รับเลย"):
    return line_event(
        "message",
        event_id,
        {"message": {"type": "text", "id": "468789577898262530", "quoteToken": "q3Plxr4AgKd", "text": text}},
    )


def delivery(*events):
    return json.dumps({"destination": "xxxxxxxxxx", "events": list(events)}, ensure_ascii=False).encode()


def sign(body, secret=SECRET):
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


Line = get_client_class("line")


def test_signature_checked_on_raw_body():
    body = delivery(text_message())
    Line.check_signature(body, {"X-Line-Signature": sign(body)}, SECRET)
    with pytest.raises(errors.Unsigned):
        Line.check_signature(body, {}, SECRET)
    with pytest.raises(errors.BadSignature):
        Line.check_signature(body, {"X-Line-Signature": sign(body, "another secret")}, SECRET)
    # One changed byte, same signature: refused.
    with pytest.raises(errors.BadSignature):
        Line.check_signature(body.replace(b"destination", b"Destination"), {"X-Line-Signature": sign(body)}, SECRET)
    with pytest.raises(errors.BadSignature):
        Line.check_signature(body, {"X-Line-Signature": sign(body, "")}, "")


def test_split_and_read_thai_text_image_sticker_follow_unsend():
    image = line_event(
        "message",
        "01FZ74ASS536FW97EX38NKCZQK",
        {
            "message": {
                "type": "image",
                "id": "354718705033693859",
                "quoteToken": "q3Plxr4AgKd",
                "contentProvider": {"type": "line"},
                "imageSet": {"id": "E005D41A7288F41B6", "index": 1, "total": 2},
            }
        },
    )
    sticker = line_event(
        "message",
        "01FZ74ASS536FW97EX38NKCZQL",
        {
            "message": {
                "type": "sticker",
                "id": "1501597916",
                "quoteToken": "q3Plxr4AgKd",
                "stickerId": "52002738",
                "packageId": "11537",
                "stickerResourceType": "ANIMATION",
                "keywords": ["cony", "sally", "Staring", "hi"],
            }
        },
    )
    follow = line_event("follow", "01FZ74ASS536FW97EX38NKCZQM", {"follow": {"isUnblocked": False}})
    unsend = line_event("unsend", "01FZ74ASS536FW97EX38NKCZQN", {"unsend": {"messageId": "325708"}})
    events = Line.split_delivery(json.loads(delivery(text_message(), image, sticker, follow, unsend)))
    assert [e.event_id for e in events] == [
        "01FZ74A0TDDPYRVKNK77XKC3ZR",
        "01FZ74ASS536FW97EX38NKCZQK",
        "01FZ74ASS536FW97EX38NKCZQL",
        "01FZ74ASS536FW97EX38NKCZQM",
        "01FZ74ASS536FW97EX38NKCZQN",
    ]
    text = Line.read_event(events[0].raw).items[0]
    assert text.text == "สวัสดีครับ สั่งของไปสามวันแล้วยังไม่ได้รับเลย"
    assert text.visibility == "private" and text.external_id == "468789577898262530"
    assert text.author.external_id == USER and text.root_id == f"chat:{USER}"
    assert text.extra["reply_token"] == "b60d432864f44d079f6d8efe86cf404b"
    assert text.posted_at == datetime(2025, 1, 1, 2, 53, 20, tzinfo=timezone.utc)
    assert Line.read_event(events[1].raw).items[0].text == "[image]"
    assert Line.read_event(events[2].raw).items[0].text.startswith("[sticker: cony")
    assert Line.read_event(events[3].raw).ignored and not Line.read_event(events[3].raw).items
    assert Line.read_event(events[4].raw).deleted_ids == ["325708"]


def test_unknown_event_type_and_standby_are_ignored():
    outcome = Line.read_event(line_event("beacon", "01H", {"beacon": {"hwid": "d41d8cd98f", "type": "enter"}}))
    assert "beacon" in outcome.ignored and not outcome.items
    standby = text_message()
    standby["mode"] = "standby"
    assert Line.read_event(standby).ignored


def test_malformed_deliveries():
    with pytest.raises(errors.BadPayload):
        Line.split_delivery({"destination": "x"})
    with pytest.raises(errors.BadPayload):
        Line.split_delivery([1, 2])
    with pytest.raises(errors.BadPayload):
        Line.split_delivery({"events": [{"type": "message"}]})
    assert Line.split_delivery({"destination": "x", "events": []}) == []  # the console's "Verify" button


@pytest.fixture
def line_api(server):
    server.route(
        "POST",
        "/v2/bot/message/reply",
        (200, {}, {"sentMessages": [{"id": "461230966842064897", "quoteToken": "IStG5h1Tz7b"}]}),
    )
    server.route(
        "POST",
        "/v2/bot/message/push",
        (200, {}, {"sentMessages": [{"id": "461230966842064898", "quoteToken": "IStG5h1Tz7c"}]}),
    )
    server.route(
        "GET",
        f"/v2/bot/profile/{USER}",
        (
            200,
            {},
            {
                "displayName": "สมชาย",
                "userId": USER,
                "language": "th",
                "pictureUrl": "https://profile.line-scdn.net/ch/v2/p/uf9da5ee2b",
                "statusMessage": "Hello, LINE!",
            },
        ),
    )
    return server


def client(server):
    return get_client("line", base_url=server.url, allowed_hosts="127.0.0.1", token="channel-access-token")


def fresh_context():
    item = Line.read_event(text_message()).items[0]
    return {**item.extra, "received_at": datetime.now(timezone.utc) - timedelta(seconds=5)}


def test_reply_api_while_token_fresh(line_api):
    sent = client(line_api).send("ขอบคุณครับ เราจะตรวจสอบให้", USER, fresh_context())
    request = line_api.requests[-1]
    assert request["path"] == "/v2/bot/message/reply"
    assert request["headers"]["Authorization"] == "Bearer channel-access-token"
    body = json.loads(request["body"])
    assert body["replyToken"] == "b60d432864f44d079f6d8efe86cf404b"
    assert body["messages"] == [{"type": "text", "text": "ขอบคุณครับ เราจะตรวจสอบให้", "quoteToken": "q3Plxr4AgKd"}]
    assert sent.external_id == "461230966842064897" and sent.is_own and sent.extra["delivery"] == "reply"


def test_push_api_once_token_is_old(line_api):
    context = {**fresh_context(), "received_at": datetime.now(timezone.utc) - timedelta(minutes=5)}
    context["retry_key"] = "123e4567-e89b-12d3-a456-426614174000"
    sent = client(line_api).send("ตอบช้าไปหน่อยครับ", USER, context)
    request = line_api.requests[-1]
    assert [r["path"] for r in line_api.requests] == ["/v2/bot/message/push"]
    assert json.loads(request["body"])["to"] == USER
    assert request["headers"]["X-Line-Retry-Key"] == "123e4567-e89b-12d3-a456-426614174000"
    assert sent.extra["delivery"] == "push" and sent.external_id == "461230966842064898"


def test_expired_token_on_line_side_falls_back_to_push(line_api):
    line_api.route("POST", "/v2/bot/message/reply", (400, {}, {"message": "Invalid reply token"}))
    sent = client(line_api).send("สวัสดีครับ", USER, fresh_context())
    assert [r["path"] for r in line_api.requests] == ["/v2/bot/message/reply", "/v2/bot/message/push"]
    assert sent.extra["delivery"] == "push"


def test_repeated_push_with_same_retry_key_is_not_sent_twice(line_api):
    line_api.route(
        "POST",
        "/v2/bot/message/push",
        (409, {}, {"message": "The retry key is already accepted", "sentMessages": [{"id": "461230966842064898"}]}),
    )
    context = {"retry_key": "123e4567-e89b-12d3-a456-426614174000"}
    sent = client(line_api).send("สวัสดีครับ", USER, context)
    assert sent.external_id == "461230966842064898"


def test_push_errors_quota_rate_limit_not_friend(line_api):
    line_api.route("POST", "/v2/bot/message/push", (429, {}, {"message": "You have reached your monthly limit."}))
    with pytest.raises(errors.ApiError, match="monthly message quota") as caught:
        client(line_api).send("x", USER, {})
    assert not isinstance(caught.value, errors.RateLimited)
    line_api.route(
        "POST",
        "/v2/bot/message/push",
        (429, {"Retry-After": "7"}, {"message": "The API rate limit has been exceeded. Try again later."}),
    )
    with pytest.raises(errors.RateLimited) as limited:
        client(line_api).send("x", USER, {})
    assert limited.value.retry_after == 7
    line_api.route(
        "POST",
        "/v2/bot/message/push",
        (400, {}, {"message": "Failed to send messages", "details": [{"message": "The user is not a friend"}]}),
    )
    with pytest.raises(errors.RecipientUnavailable):
        client(line_api).send("x", USER, {})


def test_profile(line_api):
    author = client(line_api).profile(USER)
    assert author.name == "สมชาย" and author.avatar_url.startswith("https://profile.line-scdn.net/")
    with pytest.raises(errors.UnsafeId):
        client(line_api).profile("../v2/bot/info")


def test_no_polling_and_verify(line_api):
    line_api.route(
        "GET",
        "/v2/bot/info",
        (200, {}, {"userId": "Ub9952f8", "basicId": "@216ru", "displayName": "Acme TH", "chatMode": "chat"}),
    )
    assert list(client(line_api).fetch()) == []
    assert client(line_api).verify().external_id == "Ub9952f8"

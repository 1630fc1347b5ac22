"""TikTok API for Business v1.3 on loopback: the envelope, comment paging, replies, hiding, direct messages.

Payloads are shaped from TikTok's API for Business reference as quoted by the open clients that implement it
(the ``code``/``message``/``request_id``/``data`` envelope; ``business/video/list`` ``videos``/``cursor``/
``has_more``; ``business/comment/list`` ``comments`` with ``comment_id``, ``video_id``, ``user_id``,
``create_time``, ``text``, ``owner``, ``status``, ``username``, ``parent_comment_id``; ``business/message/send``
``data.message.message_id``), and from TikTok for Developers' webhook pages (``TikTok-Signature: t=..,s=..``;
at-least-once delivery).
"""

import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from social_crm.connectors import errors, get_client, get_client_class

BUSINESS = "-000Mz7yh9BwQKnYV3yBbC5oGnpdqF2uBpeO"
SECRET = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
VIDEO = "7301234567890123456"
OTHER_VIDEO = "7301234567890000001"
PERSIAN = "سلام، سفارشم هنوز نرسیده. کی ارسال می‌شود؟"

Tiktok = get_client_class("tiktok")


def envelope(data=None, code=0, message="OK"):
    return {"code": code, "message": message, "request_id": "2026120702000001A2B3C4D5E6F7", "data": data or {}}


def comment(comment_id, created, text=PERSIAN, user="6823041999", username="sara.t", parent=None, owner=False):
    row = {
        "comment_id": comment_id,
        "video_id": VIDEO,
        "user_id": user,
        "unique_identifier": username,
        "create_time": created,
        "text": text,
        "likes": 0,
        "replies": 0,
        "owner": owner,
        "liked": False,
        "pinned": False,
        "status": "PUBLIC",
        "username": username,
        "display_name": "Sara",
        "profile_image": "https://p16-sign.tiktokcdn.com/avatar.jpeg",
    }
    if parent:
        row["parent_comment_id"] = parent
    return row


@pytest.fixture
def api(server):
    server.comments = {VIDEO: [], OTHER_VIDEO: []}
    server.route(
        "GET", "/business/get/", lambda r: (200, {}, envelope({"username": "acme.shop", "display_name": "Acme"}))
    )
    server.route(
        "GET",
        "/business/video/list/",
        lambda r: (
            200,
            {},
            envelope(
                {
                    "videos": [
                        {
                            "item_id": VIDEO,
                            "create_time": 1765000000,
                            "caption": "new",
                            "share_url": "https://www.tiktok.com/@acme.shop/video/" + VIDEO,
                        },
                        {"item_id": OTHER_VIDEO, "create_time": 1764000000, "caption": "old", "share_url": ""},
                    ],
                    "cursor": 2,
                    "has_more": False,
                }
            ),
        ),
    )

    def comments(request):
        video = request["query"]["video_id"][0]
        start = int(request["query"].get("cursor", ["0"])[0])
        size = int(request["query"]["max_count"][0])
        rows = sorted(server.comments[video], key=lambda c: -c["create_time"])
        page = rows[start : start + 2]  # two a page, so paging shows
        more = start + 2 < len(rows)
        assert size == 30
        return 200, {}, envelope({"comments": page, "cursor": start + 2, "has_more": more})

    server.route("GET", "/business/comment/list/", comments)
    return server


def client(server, **kwargs):
    return get_client(
        "tiktok", base_url=server.url, allowed_hosts="127.0.0.1", login=BUSINESS, token="act.token", **kwargs
    )


def collect(pages):
    pages = list(pages)
    return pages, [item for page in pages for item in page.items]


def test_verify_sends_the_access_token_header(api):
    author = client(api).verify()
    assert (author.external_id, author.handle, author.name) == (BUSINESS, "acme.shop", "Acme")
    request = api.requests[-1]
    assert request["headers"]["Access-Token"] == "act.token"
    assert "Authorization" not in request["headers"]
    assert request["query"]["business_id"] == [BUSINESS]
    assert json.loads(request["query"]["fields"][0])[0] == "username"


def test_comments_paged_then_only_new_ones(api):
    api.comments[VIDEO] = [comment(str(7400000000000000000 + i), 1765000100 + i) for i in range(5)]
    api.comments[VIDEO].append(comment("7400000000000009999", 1765000200, text="ممنون", parent="7400000000000000004"))
    c = client(api, options={"history_days": 3650})
    pages, items = collect(c.fetch())
    assert len(items) == 6
    first = next(i for i in items if i.external_id == "7400000000000000000")
    assert first.text == PERSIAN
    assert (first.root_id, first.parent_id, first.kind, first.visibility) == (VIDEO, VIDEO, "comment", "public")
    assert first.author.handle == "sara.t" and first.author.profile_url == "https://www.tiktok.com/@sara.t"
    assert first.url.endswith(VIDEO)
    reply = next(i for i in items if i.external_id == "7400000000000009999")
    assert (reply.parent_id, reply.kind, reply.extra["top_comment_id"]) == (
        "7400000000000000004",
        "reply",
        "7400000000000000004",
    )
    listed = [r for r in api.requests if r["path"] == "/business/comment/list/"]
    assert [r["query"].get("cursor") for r in listed if r["query"]["video_id"] == [VIDEO]] == [None, ["2"], ["4"]]
    assert listed[0]["query"]["sort_order"] == ["desc"] and listed[0]["query"]["status"] == ["ALL"]
    cursor = pages[-1].cursor
    # Next run: only what is newer than the saved mark, one page per video.
    api.comments[VIDEO].append(comment("7400000000000010000", 1765000300, text="جواب بدید لطفا"))
    api.requests.clear()
    pages, items = collect(client(api).fetch(cursor=cursor))
    assert [i.external_id for i in items] == ["7400000000000010000"]
    assert len([r for r in api.requests if r["path"] == "/business/comment/list/"]) == 2
    _pages, again = collect(client(api).fetch(cursor=pages[-1].cursor))
    assert again == []


def test_a_cut_walk_resumes_from_the_tiktok_cursor(api):
    api.comments[VIDEO] = [comment("7400000000000000000", 1765000000)]
    pages, _items = collect(client(api).fetch())
    api.comments[VIDEO] += [comment(str(7400000000000000100 + i), 1765000100 + i) for i in range(6)]
    pages, items = collect(client(api).fetch(cursor=pages[-1].cursor, max_pages=2))
    assert len(items) == 4
    _pages, rest = collect(client(api).fetch(cursor=pages[-1].cursor))
    assert {i.external_id for i in rest} == {"7400000000000000100", "7400000000000000101"}


def test_own_comments_and_malformed_rows(api):
    api.comments[VIDEO] = [
        comment("7400000000000000001", 1765000101, user=BUSINESS, owner=True, text="hi"),
        {"comment_id": "7400000000000000002", "create_time": 1765000102},
        {"comment_id": "../x", "user_id": "1", "text": "x", "create_time": 1765000103},
    ]
    pages, items = collect(client(api, options={"history_days": 3650}).fetch())
    assert [i.is_own for i in items] == [True]
    assert len([line for page in pages for line in page.skipped]) == 2


def test_errors_in_the_envelope_of_a_200_answer(api):
    c = client(api)
    for code, kind in (
        (40100, errors.RateLimited),
        (40105, errors.AuthenticationFailed),
        (40001, errors.AuthenticationFailed),
        (40007, errors.NotFound),
        (40002, errors.ApiError),
    ):
        api.route("GET", "/business/get/", (200, {}, envelope(code=code, message=f"said {code}")))
        with pytest.raises(kind) as raised:
            c.verify()
        if kind is not errors.RateLimited:
            assert f"said {code}" in str(raised.value)
            assert "2026120702000001A2B3C4D5E6F7" in str(raised.value)
    api.route("GET", "/business/get/", (429, {"Retry-After": "7"}, envelope(code=40100, message="Too many requests")))
    with pytest.raises(errors.RateLimited) as raised:
        c.verify()
    assert raised.value.retry_after == 7
    api.route("GET", "/business/get/", (200, {}, {"data": {}}))
    with pytest.raises(errors.BadPayload):
        c.verify()


def test_an_expired_token_is_refreshed_once(api):
    tokens = []

    def answer(request):
        tokens.append(request["headers"]["Access-Token"])
        if request["headers"]["Access-Token"] == "act.token":
            return 200, {}, envelope(code=40105, message="Access token is incorrect or has been revoked.")
        return 200, {}, envelope({"username": "acme.shop"})

    api.route("GET", "/business/get/", answer)
    c = client(api)
    c.on_unauthorized = lambda: "act.fresh"
    assert c.verify().handle == "acme.shop"
    assert tokens == ["act.token", "act.fresh"]


def test_reply_goes_under_the_top_level_comment(api):
    api.route(
        "POST",
        "/business/comment/reply/create/",
        lambda r: (
            200,
            {},
            envelope({"comment_id": "7400000000000020000", "video_id": VIDEO, "create_time": 1765001000}),
        ),
    )
    c = client(api)
    extra = {"video_id": VIDEO, "top_comment_id": "7400000000000000004"}
    item = c.reply("سلام، امروز ارسال می‌شود.", "7400000000000009999", root_id=VIDEO, extra=extra)
    assert (item.external_id, item.is_own, item.root_id, item.parent_id) == (
        "7400000000000020000",
        True,
        VIDEO,
        "7400000000000009999",
    )
    [posted] = [r for r in api.requests if r["path"] == "/business/comment/reply/create/"]
    sent = json.loads(posted["body"])
    assert sent == {
        "business_id": BUSINESS,
        "video_id": VIDEO,
        "comment_id": "7400000000000000004",
        "text": "سلام، امروز ارسال می‌شود.",
    }
    assert posted["headers"]["Access-Token"] == "act.token"
    with pytest.raises(ValueError):
        c.reply("x" * 151, "7400000000000000004", root_id=VIDEO, extra=extra)
    api.route("POST", "/business/comment/reply/create/", (200, {}, envelope(code=40002, message="comment not found")))
    with pytest.raises(errors.ApiError):
        c.reply("ok", "7400000000000000004", root_id=VIDEO, extra=extra)


def test_hide_and_unhide(api):
    api.route("POST", "/business/comment/hide/", (200, {}, envelope({})))
    c = client(api)
    assert c.hide("7400000000000000004", VIDEO)
    assert c.hide("7400000000000000004", VIDEO, hidden=False)
    actions = [json.loads(r["body"])["action"] for r in api.requests if r["path"] == "/business/comment/hide/"]
    assert actions == ["HIDE", "UNHIDE"]
    with pytest.raises(ValueError):
        c.hide("../../business/get", VIDEO)


# ----------------------------------------------------------------------
# Direct messages
# ----------------------------------------------------------------------


def dm_event(message_id="7411111111111111111", text=PERSIAN, event="im_receive_msg", sender="u-6823041999", ts=None):
    ts = ts or 1765000000000
    sender_name, receiver = ("sara.t", BUSINESS) if event == "im_receive_msg" else ("acme.shop", "u-6823041999")
    content = {
        "conversation_id": "0:1:6823041999:7000000000000000001",
        "message_id": message_id,
        "timestamp": ts,
        "type": "text",
        "text": {"body": text},
        "from": sender_name,
        "from_user": {"id": sender if event == "im_receive_msg" else BUSINESS},
        "to": "acme.shop",
        "to_user": {"id": receiver},
    }
    return {
        "client_key": "aw1234567890",
        "event": event,
        "create_time": ts // 1000,
        "user_openid": BUSINESS,
        "content": json.dumps(content, ensure_ascii=False),
    }


def signed(payload, secret=SECRET, timestamp=None):
    body = json.dumps(payload, ensure_ascii=False).encode()
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return body, {"TikTok-Signature": f"t={timestamp},s={signature}"}


def test_signature_check():
    body, headers = signed(dm_event())
    Tiktok.check_signature(body, headers, SECRET)
    with pytest.raises(errors.Unsigned):
        Tiktok.check_signature(body, {}, SECRET)
    with pytest.raises(errors.BadSignature):
        Tiktok.check_signature(body, signed(dm_event(), secret="another")[1], SECRET)
    with pytest.raises(errors.BadSignature):
        Tiktok.check_signature(body + b" ", headers, SECRET)
    with pytest.raises(errors.BadSignature):
        Tiktok.check_signature(body, {"TikTok-Signature": "t=abc,s="}, SECRET)
    with pytest.raises(errors.BadSignature):
        Tiktok.check_signature(body, headers, "")
    Tiktok.check_signature(*signed(dm_event(), timestamp=int(time.time()) - 71 * 3600), SECRET)  # a late retry
    old_body, old_headers = signed(dm_event(), timestamp=int(time.time()) - 80 * 3600)
    with pytest.raises(errors.BadSignature, match="too old"):
        Tiktok.check_signature(old_body, old_headers, SECRET)


def test_split_and_read_messages():
    [event] = Tiktok.split_delivery(dm_event())
    assert event.event_id == "im_receive_msg:0:1:6823041999:7000000000000000001:7411111111111111111"
    assert isinstance(event.raw["content"], dict)
    # A redelivery is the same event id: stored once.
    assert Tiktok.split_delivery(dm_event())[0].event_id == event.event_id
    [item] = Tiktok.read_event(event.raw, BUSINESS).items
    assert (item.external_id, item.text, item.visibility, item.is_own) == (
        "7411111111111111111",
        PERSIAN,
        "private",
        False,
    )
    assert item.root_id == "conversation:0:1:6823041999:7000000000000000001"
    assert item.author.external_id == "u-6823041999" and item.author.handle == "sara.t"
    assert item.posted_at == datetime.fromtimestamp(1765000000, tz=timezone.utc)
    [echo] = Tiktok.read_event(
        Tiktok.split_delivery(dm_event("7411111111111111112", "ok", "im_send_msg"))[0].raw, BUSINESS
    ).items
    assert echo.is_own
    read = Tiktok.read_event({"event": "im_mark_read_msg", "user_openid": BUSINESS, "content": {}}, BUSINESS)
    assert not read.items and "im_mark_read_msg" in read.ignored
    other = Tiktok.read_event({**event.raw, "user_openid": "another-business"}, BUSINESS)
    assert not other.items and "another business" in other.ignored


def test_malformed_deliveries():
    for payload in (
        [],
        {"content": "{}"},
        {"event": "im_receive_msg", "content": "{not json"},
        {"event": "x", "content": {}},
    ):
        with pytest.raises(errors.BadPayload):
            Tiktok.split_delivery(payload)


@pytest.fixture
def messages(server):
    server.route(
        "POST",
        "/business/message/send/",
        lambda r: (200, {}, envelope({"message": {"message_id": "7422222222222222222"}})),
    )
    return server


def test_send_within_the_48_hour_window(messages):
    context = {
        "conversation_id": "0:1:6823041999:7000000000000000001",
        "received_at": (datetime.now(timezone.utc) - timedelta(hours=47)).isoformat(),
    }
    item = client(messages).send("سلام! امروز ارسال می‌شود.", "u-6823041999", context)
    assert (item.external_id, item.visibility, item.is_own) == ("7422222222222222222", "private", True)
    assert json.loads(messages.requests[-1]["body"]) == {
        "business_id": BUSINESS,
        "recipient_type": "CONVERSATION",
        "recipient": "0:1:6823041999:7000000000000000001",
        "message_type": "TEXT",
        "text": {"body": "سلام! امروز ارسال می‌شود."},
    }


def test_send_refused_outside_the_window_before_anything_leaves(messages):
    context = {
        "conversation_id": "0:1:6823041999:7000000000000000001",
        "received_at": (datetime.now(timezone.utc) - timedelta(hours=49)).isoformat(),
    }
    assert Tiktok.reply_window_closed(context)
    with pytest.raises(errors.WindowExpired, match="48 hours"):
        client(messages).send("late", "u-6823041999", context)
    assert messages.requests == []
    # TikTok's own refusal is the same typed error.
    messages.route(
        "POST",
        "/business/message/send/",
        (200, {}, envelope(code=40002, message="The 48-hour messaging window has expired.")),
    )
    with pytest.raises(errors.WindowExpired):
        client(messages).send("late", "u-6823041999", {"conversation_id": "0:1:6823041999:7000000000000000001"})
    messages.route("POST", "/business/message/send/", (200, {}, envelope(code=40064, message="blocked")))
    with pytest.raises(errors.RecipientUnavailable):
        client(messages).send("x", "u-6823041999", {"conversation_id": "0:1:6823041999:7000000000000000001"})


# ----------------------------------------------------------------------
# Connecting: TikTok account holders' authorization (JSON token endpoints, envelope answers)
# ----------------------------------------------------------------------

REDIRECT = "https://odoo.example.com/social_crm/oauth/callback"


def token_answer(access, refresh):
    return envelope(
        {
            "open_id": BUSINESS,
            "scope": "user.info.basic,comment.list,comment.list.manage,message.list.send",
            "access_token": access,
            "expires_in": 86400,
            "refresh_token": refresh,
            "refresh_token_expires_in": 31536000,
            "token_type": "Bearer",
        }
    )


@pytest.fixture
def tokens(server):
    server.route("POST", "/open_api/v1.3/tt_user/oauth2/token/", (200, {}, token_answer("act.1", "rft.1")))
    server.route("POST", "/open_api/v1.3/tt_user/oauth2/refresh_token/", (200, {}, token_answer("act.2", "rft.2")))
    return server


def oauth_client(server):
    from social_crm.connectors import oauth

    return oauth.OAuthClient(
        "tiktok",
        "7301234567890",
        "app-secret",
        REDIRECT,
        token_url=server.url + "/open_api/v1.3/tt_user/oauth2/token/",
        allowed_hosts="127.0.0.1",
    )


def test_consent_page_names_the_app_as_client_key():
    from urllib.parse import parse_qs, urlsplit

    from social_crm.connectors import oauth

    url = oauth.OAuthClient("tiktok", "7301234567890", "s", REDIRECT).authorization_url("st", oauth.new_code_verifier())
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://www.tiktok.com/v2/auth/authorize/?")
    assert query["client_key"] == ["7301234567890"]
    assert query["redirect_uri"] == [REDIRECT] and query["state"] == ["st"]
    assert "comment.list.manage" in query["scope"][0].split(",")


def test_code_exchange_and_rotating_refresh(tokens):
    client = oauth_client(tokens)
    token = client.exchange_code("auth-code-1", "verifier")
    assert (token.access_token, token.refresh_token, token.raw["open_id"]) == ("act.1", "rft.1", BUSINESS)
    assert token.expires_at > time.time() + 86000
    sent = json.loads(tokens.requests[-1]["body"])
    assert sent == {
        "client_id": "7301234567890",
        "client_secret": "app-secret",
        "grant_type": "authorization_code",
        "auth_code": "auth-code-1",
        "redirect_uri": REDIRECT,
    }
    fresh = client.refresh("rft.1")
    assert (fresh.access_token, fresh.refresh_token) == ("act.2", "rft.2")
    assert tokens.requests[-1]["path"] == "/open_api/v1.3/tt_user/oauth2/refresh_token/"
    assert json.loads(tokens.requests[-1]["body"])["refresh_token"] == "rft.1"


def test_a_spent_refresh_token_asks_for_a_new_consent(tokens):
    tokens.route(
        "POST",
        "/open_api/v1.3/tt_user/oauth2/refresh_token/",
        (200, {}, envelope(code=40105, message="refresh_token is invalid or expired")),
    )
    with pytest.raises(errors.GrantRevoked):
        oauth_client(tokens).refresh("rft.spent")
    tokens.route("POST", "/open_api/v1.3/tt_user/oauth2/token/", (200, {}, envelope(code=40002, message="bad code")))
    with pytest.raises(errors.ApiError) as raised:
        oauth_client(tokens).exchange_code("x", "v")
    assert not isinstance(raised.value, errors.GrantRevoked)

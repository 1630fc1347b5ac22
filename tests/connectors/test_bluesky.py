import json
import time

import pytest

from social_crm.connectors import errors, get_client

BRAND = {"did": "did:plc:acme", "handle": "acme.test", "displayName": "Acme", "followersCount": 5000}
JANE = {"did": "did:plc:jane", "handle": "jane.test", "displayName": "Jane ✨", "avatar": "https://cdn/av.jpg"}


def notification(n, reason="mention", text=None, indexed=None, reply=None, author=JANE):
    record = {
        "$type": "app.bsky.feed.post",
        "text": text or f"@acme.test post {n}",
        "createdAt": f"2026-01-15T10:{n:02d}:00.000Z",
        "langs": ["th"],
    }
    if reply:
        record["reply"] = reply
    return {
        "uri": f"at://{author['did']}/app.bsky.feed.post/{n}",
        "cid": f"bafy{n}",
        "author": author,
        "reason": reason,
        "record": record,
        "isRead": False,
        "indexedAt": indexed or f"2026-01-15T10:{n:02d}:01.000Z",
    }


@pytest.fixture
def pds(server):
    server.sessions = 0
    server.notifications = []  # newest first, pages of 2 for the test

    def create_session(request):
        body = json.loads(request["body"])
        if body["password"] != "app-pass":
            return 401, {}, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        server.sessions += 1
        return 200, {}, {"accessJwt": f"access{server.sessions}", "refreshJwt": "refresh", **BRAND}

    def list_notifications(request):
        start = int(request["query"].get("cursor", ["0"])[0])
        page = server.notifications[start : start + 2]
        body = {"notifications": page}
        if start + 2 < len(server.notifications):
            body["cursor"] = str(start + 2)
        return 200, {}, body

    server.route("POST", "/xrpc/com.atproto.server.createSession", create_session)
    server.route("GET", "/xrpc/app.bsky.actor.getProfile", (200, {}, BRAND))
    server.route("GET", "/xrpc/app.bsky.notification.listNotifications", list_notifications)
    return server


def client(server, password="app-pass"):
    return get_client("bluesky", base_url=server.url, allowed_hosts="127.0.0.1", login="acme.test", token=password)


def test_bad_password_is_authentication_failed(pds):
    with pytest.raises(errors.AuthenticationFailed, match="log in again"):
        client(pds, "wrong").verify()


def test_first_fetch_takes_newest_page_then_only_new(pds):
    pds.notifications = [notification(n) for n in (5, 4, 3)] + [notification(2, reason="like")]
    bsky = client(pds)
    pages = list(bsky.fetch())
    assert [i.external_id for p in pages for i in p.items] == [
        "at://did:plc:jane/app.bsky.feed.post/5",
        "at://did:plc:jane/app.bsky.feed.post/4",
    ]
    first = pages[-1].items[0]
    assert first.author.handle == "jane.test" and first.author.name == "Jane ✨"
    assert first.lang == "th" and first.root_id == first.external_id and first.extra["cid"] == "bafy5"
    assert first.url == "https://bsky.app/profile/jane.test/post/5"
    cursor = pages[-1].cursor
    # two new notifications arrive on top
    pds.notifications = [notification(7), notification(6)] + pds.notifications
    pages = list(client(pds).fetch(cursor=cursor))
    assert [i.external_id.rsplit("/", 1)[1] for p in pages for i in p.items] == ["7", "6"]
    assert list(client(pds).fetch(cursor=pages[-1].cursor))[-1].items == []


def test_interrupted_walk_resumes_without_loss(pds):
    pds.notifications = [notification(n) for n in (3, 2, 1)]
    cursor = list(client(pds).fetch())[-1].cursor  # mark = item 3
    pds.notifications = [notification(n) for n in (9, 8, 7, 6, 5, 4)] + pds.notifications
    walk = client(pds).fetch(cursor=cursor, max_pages=2)
    pages = list(walk)
    seen = [i.external_id.rsplit("/", 1)[1] for p in pages for i in p.items]
    assert seen == ["9", "8", "7", "6"]
    assert pages[-1].has_more
    rest = list(client(pds).fetch(cursor=pages[-1].cursor))
    assert [i.external_id.rsplit("/", 1)[1] for p in rest for i in p.items] == ["5", "4"]
    again = list(client(pds).fetch(cursor=rest[-1].cursor))
    assert sum(len(p.items) for p in again) == 0


def test_replies_keep_root_and_bad_items_are_skipped(pds):
    root = {"uri": "at://did:plc:acme/app.bsky.feed.post/1", "cid": "bafyroot"}
    parent = {"uri": "at://did:plc:jane/app.bsky.feed.post/2", "cid": "bafy2"}
    broken = notification(4)
    del broken["record"]
    pds.notifications = [
        notification(5, reason="reply", reply={"root": root, "parent": parent}),
        broken,
        notification(3, author=BRAND),
    ]
    pages = list(client(pds).fetch())
    items = [i for p in pages for i in p.items]
    assert items[0].root_id == root["uri"] and items[0].parent_id == parent["uri"]
    assert items[0].extra == {"cid": "bafy5", "root_uri": root["uri"], "root_cid": "bafyroot"}
    assert pages[0].skipped and "missing record" in pages[0].skipped[0]


def test_own_posts_are_flagged(pds):
    pds.notifications = [notification(3, author=BRAND), notification(2)]
    items = list(client(pds).fetch())[0].items
    assert items[0].is_own and not items[1].is_own


def test_expired_token_refreshes_once(pds):
    calls = {"n": 0}

    def notifications(request):
        calls["n"] += 1
        if request["headers"]["Authorization"] == "Bearer access1" and calls["n"] == 1:
            return 400, {}, {"error": "ExpiredToken", "message": "Token has expired"}
        return 200, {}, {"notifications": [notification(1)]}

    pds.route("GET", "/xrpc/app.bsky.notification.listNotifications", notifications)
    pds.route(
        "POST",
        "/xrpc/com.atproto.server.refreshSession",
        (200, {}, {"accessJwt": "fresh", "refreshJwt": "refresh2", **BRAND}),
    )
    items = list(client(pds).fetch())[0].items
    assert len(items) == 1
    assert pds.requests[-1]["headers"]["Authorization"] == "Bearer fresh"


def test_rate_limit_uses_ratelimit_reset(pds):
    reset = int(time.time()) + 300
    pds.route(
        "GET",
        "/xrpc/app.bsky.notification.listNotifications",
        (429, {"RateLimit-Reset": str(reset), "RateLimit-Remaining": "0"}, {"error": "RateLimitExceeded"}),
    )
    with pytest.raises(errors.RateLimited) as caught:
        list(client(pds).fetch())
    assert 290 <= caught.value.retry_after <= 301


def test_keyword_search(pds):
    pds.route(
        "GET",
        "/xrpc/app.bsky.feed.searchPosts",
        (200, {}, {"posts": [{k: v for k, v in notification(8, text="acme is great").items() if k != "reason"}]}),
    )
    items = [i for p in client(pds).fetch(keywords=["acme"]) for i in p.items]
    assert [i.text for i in items] == ["acme is great"]
    assert pds.requests[-1]["query"]["q"] == ["acme"]


def test_reply_builds_facets_with_utf8_byte_offsets(pds):
    pds.route("GET", "/xrpc/com.atproto.identity.resolveHandle", (200, {}, {"did": "did:plc:jane"}))
    created = {}

    def create_record(request):
        created.update(json.loads(request["body"]))
        return 200, {}, {"uri": "at://did:plc:acme/app.bsky.feed.post/99", "cid": "bafy99"}

    pds.route("POST", "/xrpc/com.atproto.repo.createRecord", create_record)
    text = "ขอโทษครับ 🙏 @jane.test ดูที่ https://acme.example/help"
    item = client(pds).reply(
        text,
        parent_id="at://did:plc:jane/app.bsky.feed.post/5",
        root_id="at://did:plc:acme/app.bsky.feed.post/1",
        extra={"cid": "bafy5", "root_uri": "at://did:plc:acme/app.bsky.feed.post/1", "root_cid": "bafyroot"},
    )
    record = created["record"]
    assert created["repo"] == "did:plc:acme"
    assert record["reply"] == {
        "root": {"uri": "at://did:plc:acme/app.bsky.feed.post/1", "cid": "bafyroot"},
        "parent": {"uri": "at://did:plc:jane/app.bsky.feed.post/5", "cid": "bafy5"},
    }
    encoded = text.encode("utf-8")
    mention, link = record["facets"]
    assert encoded[mention["index"]["byteStart"] : mention["index"]["byteEnd"]] == b"@jane.test"
    assert mention["features"][0]["did"] == "did:plc:jane"
    assert encoded[link["index"]["byteStart"] : link["index"]["byteEnd"]] == b"https://acme.example/help"
    assert item.is_own and item.external_id.endswith("/99") and item.root_id.endswith("/1")


def test_reply_too_long_or_empty(pds):
    with pytest.raises(ValueError):
        client(pds).reply("x" * 301, parent_id="at://a/b/c")
    with pytest.raises(ValueError):
        client(pds).reply("   ", parent_id="at://a/b/c")
    # Thai combining marks do not count as characters
    client(pds).check_reply_text("ที่" * 150)


def test_profile_not_indexed_yet_falls_back_to_the_session(pds):
    pds.route(
        "GET", "/xrpc/app.bsky.actor.getProfile", (400, {}, {"error": "InvalidRequest", "message": "Profile not found"})
    )
    me = client(pds).verify()
    assert me.external_id == "did:plc:acme" and me.handle == "acme.test"

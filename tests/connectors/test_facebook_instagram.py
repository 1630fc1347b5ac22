import json

import pytest

from social_crm.connectors import errors, get_client


@pytest.fixture
def graph(server):
    server.route("GET", "/123", (200, {}, {"id": "123", "name": "Acme", "link": "https://facebook.com/acme"}))
    server.route(
        "GET",
        "/123/feed",
        (
            200,
            {},
            {
                "data": [
                    {
                        "id": "123_1",
                        "message": "New product!",
                        "created_time": "2026-01-15T09:00:00+0000",
                        "from": {"id": "123", "name": "Acme"},
                    }
                ],
                "paging": {"cursors": {"before": "a", "after": "b"}},
            },
        ),
    )
    server.route(
        "GET",
        "/123/tagged",
        (
            200,
            {},
            {
                "data": [
                    {
                        "id": "555_9",
                        "message": "@Acme is the best",
                        "created_time": "2026-01-15T11:00:00+0000",
                        "from": {"id": "555", "name": "Jane Doe"},
                        "permalink_url": "https://facebook.com/555_9",
                    }
                ]
            },
        ),
    )
    return server


def comments(server, rows, next_url=None):
    body = {"data": rows, "paging": {"cursors": {"before": "x", "after": "y"}}}
    if next_url:
        body["paging"]["next"] = server.url + next_url
    return body


def comment(n, parent=None, sender=("555", "Jane Doe")):
    row = {
        "id": f"123_1_{n}",
        "message": f"@Acme my order is late {n}",
        "created_time": f"2026-01-15T10:{n:02d}:00+0000",
        "from": {"id": sender[0], "name": sender[1]},
        "permalink_url": f"https://www.facebook.com/123_1?comment_id={n}",
    }
    if parent:
        row["parent"] = {"id": parent}
    return row


def fb(server):
    return get_client("facebook", base_url=server.url, allowed_hosts="127.0.0.1", login="123", token="page-token")


def test_comments_paging_and_mark(graph):
    graph.route(
        "GET", "/123_1/comments", (200, {}, comments(graph, [comment(3), comment(2, parent="123_1_1")], "/next-page"))
    )
    graph.route("GET", "/next-page", (200, {}, comments(graph, [comment(1)])))
    pages = list(fb(graph).fetch())
    items = [i for p in pages for i in p.items]
    assert [i.external_id for i in items] == ["123_1_3", "123_1_2", "123_1_1", "555_9"]
    assert items[0].root_id == "123_1" and items[0].parent_id == "123_1"
    assert items[1].parent_id == "123_1_1"
    assert items[3].kind == "mention"
    graph.route("GET", "/123_1/comments", (200, {}, comments(graph, [comment(4), comment(3)])))
    again = [i for p in fb(graph).fetch(cursor=pages[-1].cursor) for i in p.items]
    assert [i.external_id for i in again] == ["123_1_4"]
    assert graph.requests[1]["headers"]["Authorization"] == "Bearer page-token"


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_throttle_codes_in_body(graph, code):
    usage = json.dumps({"123": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7}]})
    graph.route(
        "GET",
        "/123/feed",
        (
            400,
            {"X-Business-Use-Case-Usage": usage},
            {
                "error": {
                    "message": "Application request limit reached",
                    "type": "OAuthException",
                    "code": code,
                    "fbtrace_id": "A1",
                }
            },
        ),
    )
    with pytest.raises(errors.RateLimited) as caught:
        list(fb(graph).fetch())
    assert caught.value.retry_after == 420


def test_expired_token_and_deleted_object(graph):
    graph.route("GET", "/123", (400, {}, {"error": {"message": "Error validating access token", "code": 190}}))
    with pytest.raises(errors.AuthenticationFailed, match="log in again"):
        fb(graph).verify()
    graph.route(
        "POST",
        "/123_1_9/comments",
        (400, {}, {"error": {"message": "Object does not exist", "code": 100, "error_subcode": 33}}),
    )
    graph.route("GET", "/123", (200, {}, {"id": "123", "name": "Acme"}))
    with pytest.raises(errors.NotFound):
        fb(graph).reply("hello", parent_id="123_1_9")


def test_reply_posts_a_comment(graph):
    graph.route("POST", "/123_1_3/comments", (200, {}, {"id": "123_1_77"}))
    item = fb(graph).reply("Sorry Jane, we are on it", parent_id="123_1_3", root_id="123_1")
    post = next(r for r in graph.requests if r["method"] == "POST")
    assert post["body"] == b"message=Sorry+Jane%2C+we+are+on+it"
    assert item.external_id == "123_1_77" and item.is_own and item.root_id == "123_1"


def test_instagram_comments_replies_and_tags(server):
    server.route("GET", "/1789", (200, {}, {"id": "1789", "username": "acme", "followers_count": 3}))
    server.route(
        "GET",
        "/1789/media",
        (
            200,
            {},
            {
                "data": [
                    {"id": "m1", "permalink": "https://instagram.com/p/m1", "timestamp": "2026-01-15T09:00:00+0000"}
                ]
            },
        ),
    )
    server.route(
        "GET",
        "/m1/comments",
        (
            200,
            {},
            {
                "data": [
                    {
                        "id": "c1",
                        "text": "@acme love it",
                        "timestamp": "2026-01-15T10:30:00+0000",
                        "username": "jane",
                        "from": {"id": "u1", "username": "jane"},
                        "replies": {
                            "data": [
                                {
                                    "id": "c2",
                                    "text": "thanks!",
                                    "timestamp": "2026-01-15T10:40:00+0000",
                                    "username": "acme",
                                    "from": {"id": "1789", "username": "acme"},
                                    "parent_id": "c1",
                                }
                            ]
                        },
                    },
                    {"id": "c3", "timestamp": "2026-01-15T10:31:00+0000", "username": "bob"},
                ]
            },
        ),
    )
    server.route(
        "GET",
        "/1789/tags",
        (
            200,
            {},
            {
                "data": [
                    {
                        "id": "m9",
                        "caption": "with @acme",
                        "username": "sara",
                        "timestamp": "2026-01-15T12:00:00+0000",
                        "permalink": "https://instagram.com/p/m9",
                    }
                ]
            },
        ),
    )
    server.route("POST", "/c1/replies", (200, {}, {"id": "c4"}))
    ig = get_client("instagram", base_url=server.url, allowed_hosts="127.0.0.1", login="1789", token="tok")
    pages = list(ig.fetch())
    items = [i for p in pages for i in p.items]
    assert [i.external_id for i in items] == ["c1", "c2", "m9"]
    assert items[1].is_own and items[1].parent_id == "c1" and items[0].root_id == "m1"
    assert any("missing text" in line for p in pages for line in p.skipped)
    reply = ig.reply("Thank you Jane!", parent_id="c1", root_id="m1", extra={"media_id": "m1"})
    assert reply.external_id == "c4"
    with pytest.raises(errors.ApiError):
        ig.reply("hi", parent_id="m9", extra={"tagged": True})
    server.route("GET", "/1789/media", (403, {}, {"error": {"message": "limit", "code": 80002}}))
    with pytest.raises(errors.RateLimited):
        list(get_client("instagram", base_url=server.url, allowed_hosts="127.0.0.1", login="1789", token="tok").fetch())

import base64
import json
from urllib.parse import parse_qs, quote

import pytest
from loopback_client import JsonEndpoint

from social_crm.connectors import errors, get_client


def listing(children, after=None):
    return {"kind": "Listing", "data": {"after": after, "before": None, "children": children}}


def reddit_comment(n, author="jane"):
    return {
        "kind": "t1",
        "data": {
            "id": f"k{n}",
            "name": f"t1_k{n}",
            "author": author,
            "author_fullname": f"t2_{author}",
            "body": f"u/acme my order is late {n}",
            "created_utc": 1768473000.0 + n,
            "permalink": f"/r/shop/comments/1abc/t/k{n}/",
            "link_id": "t3_1abc",
            "parent_id": "t3_1abc",
            "subreddit": "shop",
        },
    }


@pytest.fixture
def reddit_api(server):
    def token(request):
        form = parse_qs(request["body"].decode())
        if form.get("password") != ["pw"]:
            return 401, {}, {"error": "invalid_grant"}
        assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"cid:secret").decode()
        return 200, {}, {"access_token": "reddit-bearer", "token_type": "bearer", "expires_in": 86400}

    server.route("POST", "/api/v1/access_token", token)
    server.route("GET", "/api/v1/me", (200, {}, {"name": "acme", "id": "xyz"}))
    return server


def reddit(server, password="pw"):
    return get_client(
        "reddit",
        base_url=server.url,
        allowed_hosts="127.0.0.1",
        login="cid:acme",
        token=password,
        options={"token_url": server.url + "/api/v1/access_token", "secret": "secret"},
    )


def test_reddit_password_grant_mentions_and_after(reddit_api):
    answers = iter([listing([reddit_comment(3), reddit_comment(2)], after="t1_k2"), listing([reddit_comment(1)])])
    reddit_api.route("GET", "/message/mentions", lambda request: (200, {}, next(answers)))
    first = list(reddit(reddit_api).fetch())
    assert [i.external_id for p in first for i in p.items] == ["t1_k3", "t1_k2"]
    item = first[0].items[0]
    assert item.root_id == "t3_1abc" and item.parent_id == "t3_1abc"
    assert item.url == "https://www.reddit.com/r/shop/comments/1abc/t/k3/"
    get = next(r for r in reddit_api.requests if r["path"] == "/message/mentions")
    assert get["headers"]["Authorization"] == "Bearer reddit-bearer"
    assert get["headers"]["User-Agent"].startswith("social_crm/")
    reddit_api.route("GET", "/message/mentions", (200, {}, listing([reddit_comment(5), reddit_comment(3)])))
    new = [i.external_id for p in reddit(reddit_api).fetch(cursor=first[-1].cursor) for i in p.items]
    assert new == ["t1_k5"]


def test_reddit_bad_password_and_429(reddit_api):
    with pytest.raises(errors.AuthenticationFailed):
        reddit(reddit_api, "nope").verify()
    reddit_api.route("GET", "/message/mentions", (429, {"X-Ratelimit-Reset": "37", "X-Ratelimit-Remaining": "0"}, {}))
    with pytest.raises(errors.RateLimited) as caught:
        list(reddit(reddit_api).fetch())
    assert caught.value.retry_after == 37


def test_reddit_reply_and_ratelimit_error(reddit_api):
    def comment(request):
        form = parse_qs(request["body"].decode())
        assert form["thing_id"] == ["t1_k3"] and form["api_type"] == ["json"]
        return (
            200,
            {},
            {
                "json": {
                    "errors": [],
                    "data": {
                        "things": [
                            {
                                "kind": "t1",
                                "data": {
                                    "id": "k9",
                                    "name": "t1_k9",
                                    "author": "acme",
                                    "body": form["text"][0],
                                    "link_id": "t3_1abc",
                                    "parent_id": "t1_k3",
                                    "permalink": "/r/shop/comments/1abc/t/k9/",
                                    "created_utc": 1768473100.0,
                                },
                            }
                        ]
                    },
                }
            },
        )

    reddit_api.route("POST", "/api/comment", comment)
    item = reddit(reddit_api).reply("Sorry! Check your DMs", parent_id="t1_k3", root_id="t3_1abc")
    assert item.external_id == "t1_k9" and item.is_own and item.root_id == "t3_1abc"
    reddit_api.route(
        "POST",
        "/api/comment",
        (
            200,
            {},
            {"json": {"errors": [["RATELIMIT", "you are doing that too much. try again in 9 minutes.", "ratelimit"]]}},
        ),
    )
    with pytest.raises(errors.RateLimited):
        reddit(reddit_api).reply("again", parent_id="t1_k3")


def yt_thread(n, replies=()):
    top = {
        "kind": "youtube#comment",
        "id": f"Ugz{n}",
        "snippet": {
            "videoId": "dQw4w9WgXcQ",
            "textOriginal": f"@Acme my order is late {n}",
            "authorDisplayName": "@jane",
            "authorChannelId": {"value": "UCjane"},
            "publishedAt": f"2026-01-15T10:{n:02d}:00Z",
            "likeCount": 0,
        },
    }
    thread = {
        "kind": "youtube#commentThread",
        "id": f"Ugz{n}",
        "snippet": {
            "channelId": "UCacme",
            "videoId": "dQw4w9WgXcQ",
            "topLevelComment": top,
            "totalReplyCount": len(replies),
        },
    }
    if replies:
        thread["replies"] = {
            "comments": [
                {
                    "id": f"Ugz{n}.r{k}",
                    "snippet": {
                        "videoId": "dQw4w9WgXcQ",
                        "textOriginal": text,
                        "authorDisplayName": "@acme",
                        "authorChannelId": {"value": "UCacme"},
                        "parentId": f"Ugz{n}",
                        "publishedAt": f"2026-01-15T11:{n:02d}:00Z",
                    },
                }
                for k, text in enumerate(replies)
            ]
        }
    return thread


@pytest.fixture
def youtube(server):
    server.route(
        "GET",
        "/channels",
        (
            200,
            {},
            {"items": [{"id": "UCacme", "snippet": {"title": "Acme"}, "statistics": {"subscriberCount": "1200"}}]},
        ),
    )
    return server


def yt(server):
    return get_client("youtube", base_url=server.url, allowed_hosts="127.0.0.1", login="UCacme", token="oauth")


def test_youtube_threads_replies_and_stop_at_mark(youtube):
    answers = iter(
        [{"items": [yt_thread(3, ["thanks!"]), yt_thread(2)], "nextPageToken": "p2"}, {"items": [yt_thread(1)]}]
    )
    youtube.route("GET", "/commentThreads", lambda request: (200, {}, next(answers)))
    pages = list(yt(youtube).fetch())
    items = [i for p in pages for i in p.items]
    assert [i.external_id for i in items] == ["Ugz3", "Ugz3.r0", "Ugz2"]
    assert items[1].is_own and items[1].parent_id == "Ugz3" and items[1].root_id == "Ugz3"
    assert items[0].url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=Ugz3"
    youtube.route("GET", "/commentThreads", (200, {}, {"items": [yt_thread(5), yt_thread(3)], "nextPageToken": "p9"}))
    new = [i.external_id for p in yt(youtube).fetch(cursor=pages[-1].cursor) for i in p.items]
    assert new == ["Ugz5"], "stops at the saved publishedAt without reading page p9"
    assert youtube.requests[-1]["query"].get("pageToken") is None


def test_youtube_quota_and_reply(youtube):
    youtube.route(
        "GET",
        "/commentThreads",
        (403, {}, {"error": {"code": 403, "message": "quota", "errors": [{"reason": "quotaExceeded"}]}}),
    )
    with pytest.raises(errors.RateLimited, match="quota") as caught:
        list(yt(youtube).fetch())
    assert 0 < caught.value.retry_after <= 86400
    comments = JsonEndpoint(
        lambda body: {
            "id": "Ugz3.r9",
            "snippet": {
                "textOriginal": body["snippet"]["textOriginal"],
                "parentId": "Ugz3",
                "authorChannelId": {"value": "UCacme"},
                "publishedAt": "2026-01-15T12:00:00Z",
            },
        }
    )
    youtube.route("POST", "/comments", comments)
    item = yt(youtube).reply("We are sorry!", parent_id="Ugz3.r0", extra={"thread_id": "Ugz3", "video_id": "v"})
    assert comments.received == [{"snippet": {"parentId": "Ugz3", "textOriginal": "We are sorry!"}}]
    assert item.external_id == "Ugz3.r9" and item.root_id == "Ugz3" and item.is_own


def test_linkedin_headers_comments_and_429(server):
    post = "urn:li:activity:7100"
    encoded = quote(post, safe="")
    server.route("GET", "/organizations/123", (200, {}, {"id": 123, "localizedName": "Acme", "vanityName": "acme"}))
    server.route(
        "GET",
        "/organizationalEntityNotifications",
        (200, {}, {"elements": [{"action": "COMMENT", "sourcePost": post}], "paging": {"start": 0}}),
    )
    server.route(
        "GET",
        f"/socialActions/{encoded}/comments",
        (
            200,
            {},
            {
                "elements": [
                    {
                        "id": "6636",
                        "$URN": f"urn:li:comment:({post},6636)",
                        "actor": "urn:li:person:AbC123",
                        "object": post,
                        "message": {"text": "@Acme my order is late"},
                        "created": {"actor": "urn:li:person:AbC123", "time": 1768473000000},
                    },
                    {"id": "6637", "object": post, "created": {"time": 1768473001000}},
                ],
                "paging": {"start": 0, "count": 10, "total": 2},
            },
        ),
    )
    li = get_client("linkedin", base_url=server.url, allowed_hosts="127.0.0.1", login="123", token="li-token")
    pages = list(li.fetch())
    items = [i for p in pages for i in p.items]
    assert [i.external_id for i in items] == [f"urn:li:comment:({post},6636)"]
    assert items[0].root_id == post and items[0].author.external_id == "urn:li:person:AbC123"
    assert pages[0].skipped
    request = server.requests[-1]
    assert (
        request["headers"]["X-Restli-Protocol-Version"] == "2.0.0"
        and request["headers"]["LinkedIn-Version"] == "202411"
    )
    assert request["path"] == f"/socialActions/{encoded}/comments"
    assert list(li.fetch(cursor=pages[-1].cursor))[-1].items == []
    sent = {}

    def create(request):
        sent.update(json.loads(request["body"]))
        return 201, {"x-restli-id": f"urn:li:comment:({post},7000)"}, b""

    server.route("POST", f"/socialActions/{encoded}/comments", create)
    item = li.reply("Thanks, we are checking", parent_id=items[0].external_id, extra=items[0].extra)
    assert sent["actor"] == "urn:li:organization:123" and sent["parentComment"] == items[0].external_id
    assert item.external_id == f"urn:li:comment:({post},7000)"
    server.route("GET", "/organizationalEntityNotifications", (429, {}, {"message": "Too many requests"}))
    with pytest.raises(errors.RateLimited) as caught:
        list(li.fetch())
    assert caught.value.retry_after == 3600


def test_reddit_refuses_a_client_secret_in_the_login(reddit_api):
    client = get_client(
        "reddit",
        base_url=reddit_api.url,
        allowed_hosts="127.0.0.1",
        login="cid:leaked:acme",
        token="pw",
        options={"token_url": reddit_api.url + "/api/v1/access_token", "secret": "s"},
    )
    with pytest.raises(errors.AuthenticationFailed):
        client.verify()
    assert not [r for r in reddit_api.requests if r["path"] == "/api/v1/access_token"]

"""Posts deleted on the network, as the fetch re-checks them (``BaseClient.gone``)."""

import json

import pytest
from loopback_client import client_on

from social_crm.connectors import errors, get_client

BRAND = {"did": "did:plc:acme", "handle": "acme.test", "displayName": "Acme"}
JANE = {"did": "did:plc:jane", "handle": "jane.test", "displayName": "Jane", "avatar": "https://cdn/av.jpg"}
MASTO_BRAND = {"id": "1", "username": "acme", "acct": "acme", "display_name": "Acme", "url": "https://m.example/@acme"}


def post_view(uri):
    """app.bsky.feed.defs#postView, as getPosts returns it."""
    return {
        "uri": uri,
        "cid": "bafyreib2rxk3rh6kzwq",
        "author": {**JANE, "labels": [], "createdAt": "2026-01-01T00:00:00.000Z"},
        "record": {"$type": "app.bsky.feed.post", "text": "@acme.test hello", "createdAt": "2026-01-15T10:00:00.000Z"},
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 1,
        "quoteCount": 0,
        "indexedAt": "2026-01-15T10:00:01.000Z",
        "viewer": {"threadMuted": False, "embeddingDisabled": False},
        "labels": [],
    }


@pytest.fixture
def appview(server):
    server.existing = set()
    server.shape = None

    def create_session(request):
        return 200, {}, {"accessJwt": "access", "refreshJwt": "refresh", **BRAND}

    def get_posts(request):
        if server.shape is not None:
            return 200, {}, server.shape
        asked = request["query"].get("uris", [])
        if len(asked) > 25:
            return 400, {}, {"error": "InvalidRequest", "message": "uris must not have more than 25 elements"}
        return 200, {}, {"posts": [post_view(uri) for uri in asked if uri in server.existing]}

    server.route("POST", "/xrpc/com.atproto.server.createSession", create_session)
    server.route("GET", "/xrpc/app.bsky.feed.getPosts", get_posts)
    return server


def bsky(server):
    return get_client("bluesky", base_url=server.url, allowed_hosts="127.0.0.1", login="acme.test", token="app-pass")


def uri(n):
    return f"at://did:plc:jane/app.bsky.feed.post/3l{n:05d}"


def test_bluesky_reports_the_uris_getposts_leaves_out(appview):
    asked = [uri(n) for n in range(30)]
    appview.existing = {u for n, u in enumerate(asked) if n % 7}
    assert bsky(appview).gone(asked) == {uri(0), uri(7), uri(14), uri(21), uri(28)}
    calls = [r for r in appview.requests if r["path"].endswith("getPosts")]
    assert [len(c["query"]["uris"]) for c in calls] == [25, 5], "at most 25 uris per call"
    assert all(c["headers"]["Authorization"] == "Bearer access" for c in calls)


def test_bluesky_never_reports_what_is_not_a_post_uri(appview):
    appview.existing = {uri(1)}
    assert bsky(appview).gone([uri(1), "https://evil.example/x", "", uri(1)]) == set()
    calls = [r for r in appview.requests if r["path"].endswith("getPosts")]
    assert [c["query"]["uris"] for c in calls] == [[uri(1)]]


def test_bluesky_unknown_shape_is_an_error_not_a_deletion(appview):
    appview.shape = {"feed": []}
    with pytest.raises(errors.BadPayload):
        bsky(appview).gone([uri(1)])


def test_bluesky_error_answer_is_an_error_not_a_deletion(appview):
    appview.route(
        "GET", "/xrpc/app.bsky.feed.getPosts", (429, {"RateLimit-Reset": "1"}, {"error": "RateLimitExceeded"})
    )
    with pytest.raises(errors.RateLimited):
        bsky(appview).gone([uri(1)])


@pytest.fixture
def instance(server):
    server.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, MASTO_BRAND))
    server.route(
        "GET",
        "/api/v1/statuses/2001",
        (200, {}, {"id": "2001", "content": "<p>still here</p>", "account": MASTO_BRAND}),
    )
    server.route("GET", "/api/v1/statuses/2002", (404, {}, {"error": "Record not found"}))
    server.route("GET", "/api/v1/statuses/2003", (410, {}, {"error": "Gone"}))
    return server


def masto(server):
    return client_on("mastodon", server, token="tok")


def test_mastodon_404_and_410_are_deleted(instance):
    assert masto(instance).gone(["2001", "2002", "2003"]) == {"2002", "2003"}
    paths = [r["path"] for r in instance.requests]
    assert paths == ["/api/v1/statuses/2001", "/api/v1/statuses/2002", "/api/v1/statuses/2003"]
    assert all(r["headers"]["Authorization"] == "Bearer tok" for r in instance.requests)


def test_mastodon_unsafe_ids_are_not_requested(instance):
    assert masto(instance).gone(["../../admin", "2002/../2001", "2001"]) == set()
    assert [r["path"] for r in instance.requests] == ["/api/v1/statuses/2001"]


def test_mastodon_rejected_token_is_an_error_not_a_deletion(instance):
    instance.route("GET", "/api/v1/statuses/2002", (401, {}, {"error": "The access token is invalid"}))
    with pytest.raises(errors.AuthenticationFailed):
        masto(instance).gone(["2002"])


def test_mastodon_server_error_is_an_error_not_a_deletion(instance):
    instance.route("GET", "/api/v1/statuses/2002", (503, {}, "<html>maintenance</html>"))
    with pytest.raises(errors.ApiError):
        masto(instance).gone(["2002"])
    assert len(instance.requests) == 3, "a read is retried"


def test_networks_that_cannot_tell_report_nothing(server):
    for network in ("x", "reddit", "feed"):
        client = get_client(network, base_url=server.url, allowed_hosts="127.0.0.1", token="t", login="l")
        assert client.gone(["1", "2"]) == set()
    assert server.requests == []


def test_json_body_of_the_mastodon_status_is_not_needed(instance):
    instance.route("GET", "/api/v1/statuses/2001", (200, {}, json.dumps({"id": "2001"})[:-3]))
    assert masto(instance).gone(["2001"]) == set()

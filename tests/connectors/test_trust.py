"""Attacks a hostile or compromised server (or a crafted id) could try on the clients, each refused."""

import contextlib
import json
import socket
import threading
import time

import pytest
import requests

from social_crm.connectors import errors, get_client
from social_crm.connectors.base import BaseClient
from social_crm.connectors.feed import parse_xml

LOOPBACK = "127.0.0.1"


def masto(server, **kwargs):
    return get_client("mastodon", base_url=server.url, allowed_hosts=LOOPBACK, token="secret-token", **kwargs)


def bluesky(server):
    """A Bluesky client of acme.test, whose server lets it log in and read its profile."""
    session = {"accessJwt": "a", "refreshJwt": "r", "did": "did:plc:acme", "handle": "acme.test"}
    server.route("POST", "/xrpc/com.atproto.server.createSession", (200, {}, session))
    server.route("GET", "/xrpc/app.bsky.actor.getProfile", (200, {}, {"did": "did:plc:acme", "handle": "acme.test"}))
    return get_client("bluesky", base_url=server.url, allowed_hosts=LOOPBACK, login="acme.test", token="pw")


def reddit(server, token_url):
    """A Reddit script app (password grant) whose access token comes from ``token_url``."""
    options = {"token_url": token_url, "secret": "secret"}
    return get_client(
        "reddit", base_url=server.url, allowed_hosts=LOOPBACK, login="cid:acme", token="pw", options=options
    )


def paths(server):
    return [request["path"] for request in server.requests]


# ----------------------------------------------------------------------
# Redirects: re-checked hop by hop, never carrying credentials elsewhere
# ----------------------------------------------------------------------


def test_redirect_to_another_port_does_not_carry_the_token(server, other_server):
    other_server.route("GET", "/steal", (200, {}, {"id": "1", "acct": "acme"}))
    server.route("GET", "/api/v1/accounts/verify_credentials", (302, {"Location": other_server.url + "/steal"}, ""))
    with pytest.raises(errors.UnsafeAddress, match="redirected to another address.*only sent to"):
        masto(server).verify()
    assert other_server.requests == []


def test_redirect_to_localhost_name_of_the_same_server_does_not_carry_the_token(server):
    server.route("GET", "/steal", (200, {}, {"id": "1", "acct": "acme"}))
    port = server.url.rsplit(":", 1)[1]
    server.route(
        "GET", "/api/v1/accounts/verify_credentials", (307, {"Location": f"http://localhost:{port}/steal"}, "")
    )
    client = get_client("mastodon", base_url=server.url, allowed_hosts="127.0.0.1,localhost", token="secret-token")
    with pytest.raises(errors.UnsafeAddress, match="redirected"):
        client.verify()
    assert paths(server) == ["/api/v1/accounts/verify_credentials"]


def test_redirect_on_the_same_origin_is_followed_with_credentials(server):
    server.route("GET", "/api/v1/accounts/verify_credentials", (301, {"Location": "/v2/me"}, ""))
    server.route("GET", "/v2/me", (200, {}, {"id": "1", "acct": "acme"}))
    assert masto(server).verify().handle == "acme"
    assert server.requests[-1]["headers"]["Authorization"] == "Bearer secret-token"


def test_redirect_into_the_private_network_is_refused(server):
    server.route("GET", "/feed", (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, ""))
    client = get_client("feed", base_url=server.url + "/feed", allowed_hosts=LOOPBACK)
    with pytest.raises(errors.UnsafeAddress, match=r"169\.254\.169\.254 is a link-local address"):
        client.verify()


def test_feed_without_credentials_follows_a_redirect_to_another_allowed_host(server, other_server):
    other_server.route("GET", "/moved", (200, {}, "<rss><channel><title>Moved</title></channel></rss>"))
    server.route("GET", "/feed", (301, {"Location": other_server.url + "/moved"}, ""))
    client = get_client("feed", base_url=server.url + "/feed", allowed_hosts=LOOPBACK)
    assert client.verify().name == "Moved"
    assert "Authorization" not in other_server.requests[0]["headers"]


def test_redirects_are_bounded(server):
    server.route("GET", "/loop", (302, {"Location": "/loop"}, ""))
    with pytest.raises(errors.ApiError, match="redirected more than"):
        masto(server).request("GET", "/loop")
    assert len(server.requests) == 6


def test_303_after_post_continues_as_get_without_the_body(server):
    server.route("POST", "/api/v1/statuses", (303, {"Location": "/done"}, ""))
    server.route("GET", "/done", (200, {}, {"ok": True}))
    assert masto(server).request("POST", "/api/v1/statuses", json_body={"status": "hi"}) == {"ok": True}
    assert server.requests[-1]["method"] == "GET" and server.requests[-1]["body"] == b""


def test_bluesky_307_on_create_session_does_not_resend_the_password(server, other_server):
    other_server.route(
        "POST",
        "/xrpc/com.atproto.server.createSession",
        (200, {}, {"accessJwt": "a", "refreshJwt": "r", "did": "did:plc:x", "handle": "x.test"}),
    )
    server.route(
        "POST",
        "/xrpc/com.atproto.server.createSession",
        (307, {"Location": other_server.url + "/xrpc/com.atproto.server.createSession"}, ""),
    )
    client = get_client("bluesky", base_url=server.url, allowed_hosts=LOOPBACK, login="acme.test", token="app-pass")
    with pytest.raises(errors.UnsafeAddress, match="redirected to another address"):
        client.verify()
    assert other_server.requests == []
    assert b"app-pass" in server.requests[0]["body"]  # only the account's own server ever saw it


def test_reddit_password_grant_is_not_redirected_elsewhere(server, other_server):
    other_server.route("POST", "/token", (200, {}, {"access_token": "x"}))
    server.route("POST", "/api/v1/access_token", (307, {"Location": other_server.url + "/token"}, ""))
    client = reddit(server, token_url=server.url + "/api/v1/access_token")
    with pytest.raises(errors.UnsafeAddress):
        client.verify()
    assert other_server.requests == []


def test_reddit_token_url_on_a_private_address_is_refused(server):
    client = reddit(server, token_url="https://10.1.2.3/api/v1/access_token")
    with pytest.raises(errors.UnsafeAddress, match="private address"):
        client.verify()


# ----------------------------------------------------------------------
# Next-page links from payloads stay on the account's host
# ----------------------------------------------------------------------

FB_PAGE = {"id": "123", "name": "Acme"}
FB_POSTS = {"data": [{"id": "123_1", "created_time": "2026-01-15T09:00:00+0000", "from": {"id": "123"}}]}


def fb_comment(n):
    return {
        "id": f"123_1_{n}",
        "message": f"late {n}",
        "created_time": f"2026-01-15T10:{n:02d}:00+0000",
        "from": {"id": "555", "name": "Jane"},
    }


def test_facebook_paging_next_on_another_host_is_refused_and_never_gets_the_token(server, other_server):
    other_server.route("GET", "/next-page", (200, {}, {"data": [fb_comment(1)]}))
    server.route("GET", "/123", (200, {}, FB_PAGE))
    server.route("GET", "/123/feed", (200, {}, FB_POSTS))
    server.route(
        "GET",
        "/123_1/comments",
        (
            200,
            {},
            {"data": [fb_comment(2)], "paging": {"next": other_server.url + "/next-page?access_token=page-token"}},
        ),
    )
    client = get_client("facebook", base_url=server.url, allowed_hosts=LOOPBACK, login="123", token="page-token")
    pages = client.fetch()
    first = next(pages)
    assert [i.external_id for i in first.items] == ["123_1_2"]  # what came from the account's host is kept
    with pytest.raises(errors.UnsafeAddress, match="pointed to another address.*not followed"):
        next(pages)
    assert other_server.requests == []


def test_facebook_paging_next_on_the_same_host_is_followed(server):
    server.route("GET", "/123", (200, {}, FB_PAGE))
    server.route("GET", "/123/feed", (200, {}, FB_POSTS))
    server.route("GET", "/123/tagged", (200, {}, {"data": []}))
    server.route(
        "GET",
        "/123_1/comments",
        (200, {}, {"data": [fb_comment(2)], "paging": {"next": server.url + "/page2?after=x"}}),
    )
    server.route("GET", "/page2", (200, {}, {"data": [fb_comment(1)]}))
    client = get_client("facebook", base_url=server.url, allowed_hosts=LOOPBACK, login="123", token="page-token")
    assert [i.external_id for p in client.fetch() for i in p.items] == ["123_1_2", "123_1_1"]


def test_request_refuses_absolute_urls_of_other_hosts(server, other_server):
    client = masto(server)
    with pytest.raises(errors.UnsafeAddress):
        client.request("GET", other_server.url + "/x")
    with pytest.raises(errors.UnsafeId, match="absolute URL"):
        client.url("https://evil.example/x")
    with pytest.raises(errors.UnsafeId):
        client.url("//evil.example/x")
    assert client.url("/api/v1/x") == server.url + "/api/v1/x"
    assert other_server.requests == []


# ----------------------------------------------------------------------
# Ids never change the host or path of a request
# ----------------------------------------------------------------------

HOSTILE_IDS = [
    "https://evil.example/x?",
    "//evil.example/x",
    "123/../../me",
    "..",
    "1?fields=access_token",
    "1#frag",
    "1/comments",
    "1%2F..",
    "1\\x",
    "a b",
]


@pytest.mark.parametrize("parent_id", HOSTILE_IDS)
def test_facebook_reply_to_a_hostile_parent_id_never_leaves_its_path(server, parent_id):
    server.route("GET", "/123", (200, {}, FB_PAGE))
    client = get_client("facebook", base_url=server.url, allowed_hosts=LOOPBACK, login="123", token="page-token")
    with pytest.raises(errors.UnsafeId) as caught:
        client.reply("hello", parent_id=parent_id)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, errors.ApiError)
    assert server.requests == []


@pytest.mark.parametrize(
    ("network", "kwargs", "parent_id"),
    [
        ("instagram", {"login": "1789"}, "https://evil.example/x?"),
        ("mastodon", {}, "../../admin"),
        ("x", {}, "1/../2"),
        ("x", {}, "12a"),
        ("linkedin", {"login": "123"}, "urn:li:comment:/../x"),
        ("reddit", {}, "t1_x/../y"),
        ("youtube", {"login": "UC1"}, "https://evil.example/"),
        ("bluesky", {"login": "acme.test"}, "https://evil.example/x"),
        ("bluesky", {"login": "acme.test"}, "at://did:plc:a/app.bsky.feed.post/1/../../x"),
    ],
)
def test_every_client_refuses_hostile_parent_ids(server, network, kwargs, parent_id):
    client = get_client(network, base_url=server.url, allowed_hosts=LOOPBACK, token="tok", **kwargs)
    with pytest.raises(errors.UnsafeId):
        client.reply("hello", parent_id=parent_id, root_id=parent_id if network == "youtube" else None)
    assert server.requests == []


def test_mastodon_thread_of_a_hostile_root_is_refused(server):
    with pytest.raises(errors.UnsafeId):
        masto(server).thread("../../../admin/accounts")
    assert server.requests == []


def test_mastodon_hashtag_keyword_is_one_quoted_segment(server):
    server.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, {"id": "1", "acct": "acme"}))
    server.route("GET", "/api/v1/notifications", (200, {}, []))
    server.route("GET", "/api/v1/timelines/tag/a%2F..%2Fb%3Fx", (200, {}, []))
    list(masto(server).fetch(keywords=["#a/../b?x"]))
    assert server.requests[-1]["path"] == "/api/v1/timelines/tag/a%2F..%2Fb%3Fx"


def test_hostile_ids_in_payloads_are_skipped_and_never_requested(server):
    server.route("GET", "/123", (200, {}, FB_PAGE))
    server.route(
        "GET",
        "/123/feed",
        (
            200,
            {},
            {
                "data": [
                    {"id": "../../me/accounts?x=", "created_time": "2026-01-15T09:00:00+0000"},
                    {"id": "123_1", "created_time": "2026-01-15T09:00:00+0000"},
                ]
            },
        ),
    )
    server.route("GET", "/123/tagged", (200, {}, {"data": []}))
    server.route(
        "GET",
        "/123_1/comments",
        (
            200,
            {},
            {
                "data": [
                    fb_comment(1),
                    {**fb_comment(2), "id": "https://evil.example/c?"},
                    {**fb_comment(3), "parent": {"id": "1/../../x"}},
                ]
            },
        ),
    )
    client = get_client("facebook", base_url=server.url, allowed_hosts=LOOPBACK, login="123", token="page-token")
    pages = list(client.fetch())
    assert [i.external_id for p in pages for i in p.items] == ["123_1_1"]
    assert sum(len(p.skipped) for p in pages) == 2
    assert not any(".." in path or "/me" in path or "evil" in path for path in paths(server))


def test_bluesky_uris_of_the_wrong_shape_are_skipped(server):
    author = {"did": "did:plc:jane", "handle": "jane.test"}
    good = {
        "uri": "at://did:plc:jane/app.bsky.feed.post/1",
        "cid": "c",
        "author": author,
        "reason": "mention",
        "record": {"text": "hi", "createdAt": "2026-01-15T10:00:00Z"},
        "indexedAt": "2026-01-15T10:00:01Z",
    }
    bad = {**good, "uri": "https://evil.example/x?"}
    server.route("GET", "/xrpc/app.bsky.notification.listNotifications", (200, {}, {"notifications": [good, bad]}))
    page = next(bluesky(server).fetch())
    assert [i.external_id for i in page.items] == ["at://did:plc:jane/app.bsky.feed.post/1"]
    assert page.skipped


# ----------------------------------------------------------------------
# Hostile XML and JSON
# ----------------------------------------------------------------------


def billion_laughs(levels=9):
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    )
    return f"<!DOCTYPE rss [{entities}]><rss><channel><title>&lol{levels};</title></channel></rss>"


@pytest.mark.parametrize(
    "body",
    [
        ('<?xml version="1.0" encoding="UTF-16"?>' + billion_laughs()).encode("utf-16"),
        ('<?xml version="1.0" encoding="UTF-16LE"?>' + billion_laughs()).encode("utf-16-le"),
        ('<?xml version="1.0" encoding="UTF-16BE"?>' + billion_laughs()).encode("utf-16-be"),
        # A fake encoding= for the re-parse fallback: the raw bytes hold no "<!DOCTYPE", the decoded text does.
        b'<?xml version="1.0" encoding="unicode_escape"?>' + billion_laughs().replace("<!", "\\x3c!").encode(),
        b'<?xml version="1.0" encoding="raw_unicode_escape"?>' + billion_laughs().replace("<!", "\\u003c!").encode(),
        b'<?xml version="1.0"?>' + billion_laughs().encode(),
        b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/x.dtd"><rss/>',
        b'<?xml version="1.0"?>\n'
        + b" " * 5000
        + b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>',
    ],
    ids=[
        "utf16",
        "utf16le",
        "utf16be",
        "fake-unicode-escape",
        "fake-raw-unicode-escape",
        "utf8",
        "external-dtd",
        "xxe-after-4k",
    ],
)
def test_hostile_feeds_are_refused_quickly(server, body):
    server.route("GET", "/feed", (200, {"Content-Type": "application/rss+xml"}, body))
    client = get_client("feed", base_url=server.url + "/feed", allowed_hosts=LOOPBACK)
    began = time.monotonic()
    with pytest.raises(errors.BadPayload, match="DTD or entities"):
        list(client.fetch())
    assert time.monotonic() - began < 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'<?xml version="1.0" encoding="x-no-such-charset"?><rss/>', "unknown character set"),
        (b'<?xml version="1.0" encoding="x-no-such-charset"?><rss><broken></rss>', "unknown character set"),
        (b'<?xml version="1.0" encoding="utf-7"?><rss/>', "cannot be read"),
    ],
)
def test_unreadable_encodings_are_bad_payloads(body, message):
    with pytest.raises(errors.BadPayload, match=message):
        parse_xml(body)


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("application/json", "[" * 200_000 + "]" * 200_000, "nested too deeply"),
        ("application/json; charset=x-no-such", "{}", "unknown character set"),
    ],
    ids=["deep", "charset"],
)
def test_deep_json_and_unknown_charset_are_bad_payloads(server, content_type, body, message):
    server.route("GET", "/hostile", (200, {"Content-Type": content_type}, body))
    with pytest.raises(errors.BadPayload, match=message):
        masto(server).request("GET", "/hostile")


def test_deeply_nested_bluesky_thread_is_read_without_recursion(server):
    depth = 400  # deep, but within what json.loads reads (deeper is a BadPayload, see above)
    body = '{"thread":' + '{"replies":[' * depth + "{}" + "]}" * depth + "}"
    server.route("GET", "/xrpc/app.bsky.feed.getPostThread", (200, {"Content-Type": "application/json"}, body))
    assert bluesky(server).thread("at://did:plc:acme/app.bsky.feed.post/1") == []


# ----------------------------------------------------------------------
# Overall deadline: a slow or dripping server cannot hold a fetch
# ----------------------------------------------------------------------


@contextlib.contextmanager
def drip_server(interval=0.1, length=100_000):
    """Yields the URL of a server answering every request with a 200 whose body comes one byte every
    ``interval`` seconds."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip(conn):
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(
                    f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n".encode()
                )
                for _ in range(length):
                    if stop.is_set():
                        return
                    conn.sendall(b" ")
                    time.sleep(interval)
            except OSError:
                return

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except OSError:
                continue
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()


def test_a_dripping_server_is_stopped_by_the_deadline():
    with drip_server() as url:
        client = get_client("feed", base_url=url + "/feed", allowed_hosts=LOOPBACK, timeout=1, deadline=1.5)
        began = time.monotonic()
        with pytest.raises(errors.DeadlineExceeded, match="overall limit of 1.5 seconds") as caught:
            list(client.fetch())
        elapsed = time.monotonic() - began
    assert isinstance(caught.value, errors.ConnectionFailed)
    assert 1.4 < elapsed < 5, elapsed  # 1.5 s, with room for a busy machine; not 100 000 drips


def test_pages_before_the_deadline_stay_valid(server):
    rows = [
        {
            "id": str(10 + n),
            "type": "mention",
            "account": {"id": "7", "acct": "jane"},
            "status": {
                "id": str(20 + n),
                "content": f"<p>hi {n}</p>",
                "created_at": "2026-01-15T10:00:00Z",
                "account": {"id": "7", "acct": "jane"},
            },
        }
        for n in range(4)
    ]

    def notifications(request):
        if "max_id" in request["query"]:
            time.sleep(3)  # the second page is slow: the deadline, not the 20 s timeout, ends the fetch
            return 200, {}, rows[2:]
        return 200, {"Link": f'<{server.url}/api/v1/notifications?max_id=11>; rel="next"'}, rows[:2]

    server.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, {"id": "1", "acct": "acme"}))
    server.route("GET", "/api/v1/notifications", notifications)
    client = masto(server, deadline=1)
    client.own()  # the first fetch of an account reads one page only; pretend an earlier run saw the list
    pages = client.fetch(cursor=json.dumps({"notifications": {"mark": "0", "seen": True}}))
    first = next(pages)
    assert [i.external_id for i in first.items] == ["20", "21"] and first.has_more and first.cursor
    began = time.monotonic()
    with pytest.raises(errors.DeadlineExceeded):
        next(pages)
    assert time.monotonic() - began < 2.5  # the slow page would take 3 s


def test_deadline_defaults_to_300_seconds_and_is_an_option(server):
    assert BaseClient(base_url=server.url).deadline == 300
    assert BaseClient(base_url=server.url, options={"deadline": 12}).deadline == 12
    assert get_client("feed", base_url=server.url, deadline=5).deadline == 5


def test_every_request_and_redirect_hop_goes_through_session_send(server, monkeypatch):
    """Odoo's test harness patches ``requests.Session.send`` to block the internet: it must see every hop."""
    seen, original = [], requests.Session.send

    def send(session, prepared, **kwargs):
        seen.append(prepared.url)
        return original(session, prepared, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    server.route("GET", "/api/v1/accounts/verify_credentials", (302, {"Location": "/v2/me"}, ""))
    server.route("GET", "/v2/me", (200, {}, {"id": "1", "acct": "acme"}))
    masto(server).verify()
    assert seen == [server.url + "/api/v1/accounts/verify_credentials", server.url + "/v2/me"]

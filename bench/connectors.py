"""Items per second through each network client, on recorded payloads served on loopback.

Usage: python bench/connectors.py [--seconds 3] [--smoke]
"""

import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import social_crm_path  # noqa: E402,F401  (registers the social_crm namespace without Odoo)
from social_crm.connectors import get_client  # noqa: E402

loopback = social_crm_path.loopback()

N = 100
# The loopback servers below are what the bench measures: allow them, as the tests do.
ALLOWED_HOSTS = "127.0.0.1,localhost"


def client(network, **options):
    return get_client(network, allowed_hosts=ALLOWED_HOSTS, **options)


def bluesky(server):
    author = {"did": "did:plc:jane", "handle": "jane.test", "displayName": "Jane"}
    rows = [
        {
            "uri": f"at://did:plc:jane/app.bsky.feed.post/{i}",
            "cid": f"c{i}",
            "author": author,
            "reason": "mention",
            "record": {"text": f"@acme.test สั่งของไปแล้วยังไม่ได้รับ {i}", "createdAt": "2026-01-15T10:30:00.000Z"},
            "indexedAt": "2026-01-15T10:30:01.000Z",
        }
        for i in range(N)
    ]
    server.route(
        "POST",
        "/xrpc/com.atproto.server.createSession",
        (200, {}, {"accessJwt": "a", "refreshJwt": "r", "did": "did:plc:acme", "handle": "acme.test"}),
    )
    server.route("GET", "/xrpc/app.bsky.actor.getProfile", (200, {}, {"did": "did:plc:acme", "handle": "acme.test"}))
    server.route("GET", "/xrpc/app.bsky.notification.listNotifications", (200, {}, {"notifications": rows}))
    return client("bluesky", base_url=server.url, login="acme.test", token="p")


def mastodon(server):
    account = {"id": "77", "acct": "sara", "username": "sara", "display_name": "Sara", "url": "https://m/@sara"}
    rows = [
        {
            "id": str(i),
            "type": "mention",
            "account": account,
            "status": {
                "id": str(5000 + i),
                "content": f"<p>@acme سفارشم کی می‌رسه؟ {i}</p>",
                "created_at": "2026-01-15T10:30:00Z",
                "account": account,
                "url": f"https://m/@sara/{i}",
                "in_reply_to_id": None,
            },
        }
        for i in range(N)
    ]
    server.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, {"id": "1", "acct": "acme"}))
    server.route("GET", "/api/v1/notifications", (200, {}, rows))
    return client("mastodon", base_url=server.url, token="t")


def x(server):
    data = [
        {
            "id": str(10**18 + i),
            "text": f"@acme my order is late {i}",
            "author_id": "2",
            "created_at": "2026-01-15T10:30:00.000Z",
            "conversation_id": "1",
        }
        for i in range(N)
    ]
    server.route("GET", "/2/users/me", (200, {}, {"data": {"id": "1", "username": "acme"}}))
    server.route(
        "GET",
        "/2/users/1/mentions",
        (
            200,
            {},
            {
                "data": data,
                "includes": {"users": [{"id": "2", "username": "jane", "name": "Jane"}]},
                "meta": {"result_count": N},
            },
        ),
    )
    return client("x", base_url=server.url, token="t")


def reddit(server):
    children = [
        {
            "kind": "t1",
            "data": {
                "name": f"t1_{i}",
                "author": "jane",
                "body": f"u/acme late {i}",
                "created_utc": 1768473000.0,
                "link_id": "t3_x",
                "parent_id": "t3_x",
                "permalink": f"/r/s/comments/x/t/{i}/",
            },
        }
        for i in range(N)
    ]
    server.route("GET", "/api/v1/me", (200, {}, {"name": "acme", "id": "1"}))
    server.route("GET", "/message/mentions", (200, {}, {"kind": "Listing", "data": {"children": children}}))
    return client("reddit", base_url=server.url, token="t")


def youtube(server):
    items = [
        {
            "id": f"T{i}",
            "snippet": {
                "videoId": "v",
                "topLevelComment": {
                    "id": f"T{i}",
                    "snippet": {
                        "textOriginal": f"@Acme late {i}",
                        "authorDisplayName": "@jane",
                        "authorChannelId": {"value": "UCj"},
                        "publishedAt": "2026-01-15T10:30:00Z",
                    },
                },
            },
        }
        for i in range(N)
    ]
    server.route("GET", "/channels", (200, {}, {"items": [{"id": "UCa", "snippet": {"title": "Acme"}}]}))
    server.route("GET", "/commentThreads", (200, {}, {"items": items}))
    return client("youtube", base_url=server.url, login="UCa", token="t")


def feed(server):
    entries = "".join(
        f"<entry><id>urn:{i}</id><title>t{i}</title><updated>2026-01-15T10:30:00Z</updated>"
        f"<author><name>u{i}</name></author><content type='html'>&lt;p&gt;Acme broke {i}&lt;/p&gt;</content></entry>"
        for i in range(N)
    )
    server.route(
        "GET", "/feed", (200, {}, f'<feed xmlns="http://www.w3.org/2005/Atom"><title>f</title>{entries}</feed>')
    )
    return client("feed", base_url=server.url + "/feed")


def measure(make, seconds):
    with loopback.LoopbackServer() as server:
        client = make(server)
        count, started = 0, time.perf_counter()
        while True:  # at least one fetch
            for page in client.fetch():
                count += len(page.items)
            if time.perf_counter() - started >= seconds:
                break
        return count / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--smoke", action="store_true", help="one fetch per network: proves the bench still runs")
    opts = parser.parse_args()
    if opts.smoke:
        opts.seconds = 0
    print(f"machine: {os.cpu_count()} cores; {N} items per page, fetch() end to end over loopback HTTP")
    results = {}
    for name, make in (
        ("bluesky", bluesky),
        ("mastodon", mastodon),
        ("x", x),
        ("reddit", reddit),
        ("youtube", youtube),
        ("feed", feed),
    ):
        results[name] = round(measure(make, opts.seconds))
        if not results[name]:
            raise SystemExit(f"{name}: no item fetched")
        print(f"{name:10s} {results[name]:>8,} items/s", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

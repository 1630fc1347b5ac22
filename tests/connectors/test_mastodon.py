from datetime import datetime, timedelta, timezone

import pytest
from loopback_client import JsonEndpoint

from social_crm.connectors import errors, get_client

BRAND = {
    "id": "1",
    "username": "acme",
    "acct": "acme",
    "display_name": "Acme",
    "url": "https://m.example/@acme",
    "avatar": "",
    "followers_count": 5000,
    "note": "<p>We make things</p>",
}
SARA = {
    "id": "77",
    "username": "sara",
    "acct": "sara@persian.social",
    "display_name": "سارا",
    "url": "https://persian.social/@sara",
    "avatar": "https://cdn/s.png",
    "followers_count": 340,
    "note": "<p>mail: sara@example.ir</p>",
}


def mention(n, content=None, reply_to=None, account=SARA, kind="mention"):
    return {
        "id": str(1000 + n),
        "type": kind,
        "created_at": f"2026-01-15T10:{n:02d}:00.000Z",
        "account": account,
        "status": {
            "id": str(2000 + n),
            "uri": f"https://persian.social/users/sara/statuses/{2000 + n}",
            "url": f"https://persian.social/@sara/{2000 + n}",
            "in_reply_to_id": reply_to,
            "content": content
            or f'<p><span class="h-card"><a href="https://m.example/@acme">@<span>acme</span></a></span> پیام {n}</p>',
            "language": "fa",
            "account": account,
            "created_at": f"2026-01-15T10:{n:02d}:00.000Z",
        },
    }


@pytest.fixture
def instance(server):
    server.mentions = []

    def notifications(request):
        rows = server.mentions
        if "max_id" in request["query"]:
            limit = int(request["query"]["max_id"][0])
            rows = [r for r in rows if int(r["id"]) < limit]
        page = rows[:2]
        headers = {}
        if len(rows) > 2:
            headers["Link"] = (
                f'<{server.url}/api/v1/notifications?max_id={page[-1]["id"]}>; rel="next", '
                f'<{server.url}/api/v1/notifications?min_id={page[0]["id"]}>; rel="prev"'
            )
        return 200, headers, page

    server.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, BRAND))
    server.route("GET", "/api/v1/notifications", notifications)
    return server


def masto(server):
    return get_client("mastodon", base_url=server.url, allowed_hosts="127.0.0.1", token="tok")


def test_html_to_text_and_persian(instance):
    instance.mentions = [mention(2, content="<p>@acme سفارشم کی می‌رسه؟<br>سه روزه منتظرم <script>x()</script></p>")]
    item = list(masto(instance).fetch())[0].items[0]
    assert item.text == "@acme سفارشم کی می‌رسه؟\nسه روزه منتظرم"
    assert item.author.handle == "sara@persian.social" and item.author.bio == "mail: sara@example.ir"
    assert item.lang == "fa" and item.external_id == "2002"
    assert instance.requests[-1]["headers"]["Authorization"] == "Bearer tok"
    assert instance.requests[-1]["query"]["types[]"] == ["mention"]


def test_server_ignoring_types_filter_is_filtered_here(instance):
    instance.mentions = [mention(3), mention(2, kind="favourite")]
    items = list(masto(instance).fetch())[0].items
    assert [i.external_id for i in items] == ["2003"]


def test_paging_with_link_header_and_cursor(instance):
    instance.mentions = [mention(n) for n in (3, 2, 1)]
    cursor = list(masto(instance).fetch())[-1].cursor
    instance.mentions = [mention(n) for n in (9, 8, 7, 6)] + instance.mentions
    pages = list(masto(instance).fetch(cursor=cursor))
    assert [i.external_id for p in pages for i in p.items] == ["2009", "2008", "2007", "2006"]
    assert any("max_id" in r["query"] for r in instance.requests)
    assert sum(len(p.items) for p in masto(instance).fetch(cursor=pages[-1].cursor)) == 0


def test_reply_chain_has_parent(instance):
    instance.mentions = [mention(4, reply_to="1999")]
    item = list(masto(instance).fetch())[0].items[0]
    assert item.parent_id == "1999" and item.root_id is None and item.kind == "reply"


def test_rate_limit_reset_iso(instance):
    instance.route(
        "GET",
        "/api/v1/notifications",
        (
            429,
            {"X-RateLimit-Reset": "2099-01-01T00:00:00.000Z", "X-RateLimit-Remaining": "0"},
            {"error": "Too many requests"},
        ),
    )
    with pytest.raises(errors.RateLimited) as caught:
        list(masto(instance).fetch())
    assert caught.value.retry_after > 3600


def test_invalid_token(instance):
    instance.route("GET", "/api/v1/accounts/verify_credentials", (401, {}, {"error": "The access token is invalid"}))
    with pytest.raises(errors.AuthenticationFailed, match="token rejected by Mastodon"):
        masto(instance).verify()


def test_malformed_page(instance):
    instance.route("GET", "/api/v1/notifications", (200, {}, {"unexpected": "object"}))
    with pytest.raises(errors.BadPayload):
        list(masto(instance).fetch())


def test_bad_items_skipped(instance):
    bad_date = mention(5)
    bad_date["status"]["created_at"] = "not a date"
    no_account = mention(6)
    no_account["status"]["account"] = None
    no_account["account"] = None
    instance.mentions = [no_account, bad_date, mention(4), mention(4)]
    page = list(masto(instance).fetch())[0]
    assert len(page.skipped) == 2
    instance.mentions = [mention(4), mention(4)]
    assert [i.external_id for i in list(masto(instance).fetch())[0].items] == ["2004"]


def test_reply_mentions_the_author(instance):
    statuses = JsonEndpoint(
        lambda body: {
            **mention(9)["status"],
            "id": "3000",
            "account": BRAND,
            "in_reply_to_id": "2004",
            "content": f"<p>{body['status']}</p>",
        }
    )
    instance.route("POST", "/api/v1/statuses", statuses)
    item = masto(instance).reply("ممنون، بررسی می‌کنیم", parent_id="2004", extra={"acct": "sara@persian.social"})
    [posted] = statuses.received
    assert posted["in_reply_to_id"] == "2004"
    assert posted["status"] == "@sara@persian.social ممنون، بررسی می‌کنیم"
    assert item.is_own and item.external_id == "3000" and item.parent_id == "2004"
    post_request = next(r for r in instance.requests if r["method"] == "POST")
    assert post_request["headers"]["Idempotency-Key"].startswith("social_crm-")


def test_nul_and_lone_surrogates_anywhere_in_a_payload_are_dropped(instance):
    # JSON may carry \u0000 and unpaired surrogates; PostgreSQL stores neither, and one such post must not block a page.
    account = dict(
        SARA, display_name="Sa\u0000ra", acct="sara\u0000@persian.social", url="https://persian.social/@sa\ud800ra"
    )
    bad = mention(4, content="<p>hello\u0000 there \udc00</p>", account=account)
    bad["status"]["id"] = "20\u000004"
    instance.mentions = [bad, mention(5)]
    items = list(masto(instance).fetch())[0].items
    assert sorted(i.external_id for i in items) == ["2004", "2005"]
    item = next(i for i in items if i.external_id == "2004")
    assert item.text == "hello there"
    assert item.author.name == "Sara" and item.author.handle == "sara@persian.social"
    assert item.author.profile_url == "https://persian.social/@sara"
    for value in (item.text, item.url, item.author.name, item.author.handle, str(item.extra)):
        assert "\x00" not in value and not any("\ud800" <= ch <= "\udfff" for ch in value)


def dated_mention(n, days_ago):
    row = mention(n)
    when = (datetime.now(timezone.utc) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    row["created_at"] = row["status"]["created_at"] = when
    return row


def test_first_fetch_goes_back_as_far_as_asked(instance):
    instance.mentions = [dated_mention(n, days) for n, days in ((9, 0), (8, 1), (7, 2), (6, 5), (5, 9), (4, 12))]
    newest_page_only = [i.external_id for p in masto(instance).fetch() for i in p.items]
    assert newest_page_only == ["2009", "2008"], "without a history period the first fetch reads one page"
    client = get_client(
        "mastodon", base_url=instance.url, allowed_hosts="127.0.0.1", token="tok", options={"history_days": 7}
    )
    pages = list(client.fetch())
    assert [i.external_id for p in pages for i in p.items] == ["2009", "2008", "2007", "2006"]
    # the next fetch starts from what the first one saw, however far back it went
    instance.mentions = [dated_mention(10, 0), *instance.mentions]
    assert [i.external_id for p in client.fetch(cursor=pages[-1].cursor) for i in p.items] == ["2010"]

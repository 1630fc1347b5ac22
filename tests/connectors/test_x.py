import json
import time

import pytest

from social_crm.connectors import errors, get_client

ME = {"data": {"id": "783214", "username": "acme", "name": "Acme", "public_metrics": {"followers_count": 9000}}}


def tweet(n, conversation="1789999999999999999", author="2244994945"):
    return {
        "id": str(1790000000000000000 + n),
        "text": f"@acme my order is late {n}",
        "author_id": author,
        "created_at": "2026-01-15T10:30:00.000Z",
        "conversation_id": conversation,
        "lang": "en",
        "in_reply_to_user_id": "783214",
        "referenced_tweets": [{"type": "replied_to", "id": conversation}],
    }


def page(tweets, next_token=None):
    meta = {"result_count": len(tweets)}
    if tweets:
        meta.update(newest_id=tweets[0]["id"], oldest_id=tweets[-1]["id"])
    if next_token:
        meta["next_token"] = next_token
    return {
        "data": tweets,
        "includes": {
            "users": [
                {"id": "2244994945", "username": "jane", "name": "Jane Doe"},
                {"id": "783214", "username": "acme", "name": "Acme"},
            ]
        },
        "meta": meta,
    }


@pytest.fixture
def api(server):
    server.route("GET", "/2/users/me", (200, {}, ME))
    return server


def x(server):
    return get_client("x", base_url=server.url, allowed_hosts="127.0.0.1", token="bearer")


def test_mentions_since_id_and_next_token(api):
    api.route("GET", "/2/users/783214/mentions", (200, {}, page([tweet(3), tweet(2)])))
    pages = list(x(api).fetch())
    item = pages[0].items[0]
    assert item.author.handle == "jane" and item.root_id == "1789999999999999999"
    assert item.parent_id == "1789999999999999999" and item.url == "https://x.com/jane/status/1790000000000000003"
    answers = iter([page([tweet(6), tweet(5)], "tok2"), page([tweet(4)])])
    api.route("GET", "/2/users/783214/mentions", lambda request: (200, {}, next(answers)))
    pages = list(x(api).fetch(cursor=pages[-1].cursor))
    assert [i.external_id[-1] for p in pages for i in p.items] == ["6", "5", "4"]
    mention_requests = [r for r in api.requests if r["path"].endswith("/mentions")]
    assert mention_requests[-2]["query"]["since_id"] == ["1790000000000000003"]
    assert mention_requests[-1]["query"]["pagination_token"] == ["tok2"]
    assert "conversation_id" in mention_requests[-1]["query"]["tweet.fields"][0]


def test_empty_result_has_no_data_key(api):
    api.route("GET", "/2/users/783214/mentions", (200, {}, {"meta": {"result_count": 0}}))
    assert list(x(api).fetch())[0].items == []


def test_code_88_rate_limit(api):
    reset = int(time.time()) + 900
    api.route(
        "GET",
        "/2/users/783214/mentions",
        (
            429,
            {"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"},
            {"errors": [{"code": 88, "message": "Rate limit exceeded"}]},
        ),
    )
    with pytest.raises(errors.RateLimited) as caught:
        list(x(api).fetch())
    assert 880 <= caught.value.retry_after <= 901


def test_reply(api):
    sent = {}

    def post(request):
        sent.update(json.loads(request["body"]))
        return 201, {}, {"data": {"id": "1790000000000000099", "text": sent["text"]}}

    api.route("POST", "/2/tweets", post)
    item = x(api).reply(
        "Sorry Jane, DM us your order number", parent_id="1790000000000000003", root_id="1789999999999999999"
    )
    assert sent == {
        "text": "Sorry Jane, DM us your order number",
        "reply": {"in_reply_to_tweet_id": "1790000000000000003"},
    }
    assert item.is_own and item.root_id == "1789999999999999999"
    with pytest.raises(ValueError):
        x(api).reply("x" * 281, parent_id="1")

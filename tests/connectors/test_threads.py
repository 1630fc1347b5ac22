"""Threads client against a loopback Threads API shaped like Meta's Threads documentation
(``social_crm/tests/threads_graph.py`` says which document each payload follows)."""

import json
import pathlib
from urllib.parse import parse_qs

import pytest
from loopback_client import client_on

import social_crm_path
from social_crm.connectors import Media, errors
from social_crm.connectors.threads import SEARCH_WINDOW, ThreadsClient

tg = social_crm_path.load_file("social_crm_threads_graph", "social_crm/tests/threads_graph.py")
IMAGE_URL = "https://cdn.example.com/public/new.jpg"


@pytest.fixture
def graph(server):
    return tg.ThreadsGraph(server, prefix="/v1.0")


def client(graph, clock=None, **options):
    kwargs = {"clock": clock} if clock else {}
    return client_on("threads", graph, token="threads-token", login=tg.USER_ID, options=options, **kwargs)


def fetch_all(threads, cursor=None, keywords=()):
    pages = list(threads.fetch(cursor=cursor, keywords=keywords))
    return [item for page in pages for item in page.items], pages[-1].cursor, pages


def form(request):
    return {k: v[0] for k, v in parse_qs(request["body"].decode(), keep_blank_values=True).items()}


def test_verify_reads_the_profile(graph):
    me = client(graph).verify()
    assert (me.external_id, me.handle, me.name) == (tg.USER_ID, "acme.support", "Acme Support")
    assert me.profile_url == "https://www.threads.com/@acme.support" and me.bio == "Acme customer care"
    assert graph.requests("GET", f"/{tg.USER_ID}")[0]["headers"]["Authorization"] == "Bearer threads-token"


def test_mentions_and_replies_in_pages_then_only_what_is_new(graph):
    graph.mentions = [
        tg.media(
            f"1790000000000{n:04d}", "somchai", f"@acme.support สั่งของไป {n}", f"2026-12-07T02:{59 - n:02d}:00+0000"
        )
        for n in range(60)
    ]
    graph.posts = [{"id": "1780000000000001", "timestamp": "2026-12-06T10:00:00+0000", "has_replies": True}]
    graph.conversations["1780000000000001"] = [
        tg.media(
            "1781000000000002",
            "sara.m",
            "سفارشم هنوز نرسیده",
            "2026-12-07T01:00:00+0000",
            "1781000000000001",
            "1780000000000001",
        ),
        tg.media("1781000000000001", "nima", "کی ارسال میشه؟", "2026-12-07T00:30:00+0000", "1780000000000001"),
    ]
    threads = client(graph, history_days=7)
    items, cursor, pages = fetch_all(threads)
    assert len([i for i in items if i.kind == "mention"]) == 60  # two pages of 50, walked down (history_days)
    assert len(graph.requests("GET", f"/{tg.USER_ID}/mentions")) == 2
    reply = next(i for i in items if i.external_id == "1781000000000002")
    assert (reply.kind, reply.parent_id, reply.root_id, reply.text) == (
        "reply",
        "1781000000000001",
        "1780000000000001",
        "سفارشم هنوز نرسیده",
    )
    assert reply.author.external_id == "sara.m" and reply.url.startswith("https://www.threads.com/@sara.m/post/")
    assert all(page.cursor for page in pages)
    # nothing new: the next fetch reads one page of each and stores nothing
    assert fetch_all(client(graph), cursor)[0] == []
    graph.mentions.insert(0, tg.media("1799999999999999", "lek", "@acme.support ของแตก", "2026-12-07T03:10:00+0000"))
    graph.conversations["1780000000000001"].insert(
        0,
        tg.media(
            "1781000000000003", "sara.m", "هنوز نه", "2026-12-07T03:11:00+0000", "1781000000000002", "1780000000000001"
        ),
    )
    new, cursor2, _pages = fetch_all(client(graph), cursor)
    assert sorted(i.external_id for i in new) == ["1781000000000003", "1799999999999999"]


def test_a_crash_between_pages_resumes_from_the_stored_page(graph):
    graph.mentions = [
        tg.media(f"1790000000000{n:04d}", "somchai", f"ping {n}", f"2026-12-07T02:{59 - n:02d}:00+0000")
        for n in range(60)
    ]
    first = next(client(graph, history_days=7).fetch())
    assert len(first.items) == 50 and first.has_more
    rest, _cursor, _pages = fetch_all(client(graph), first.cursor)
    assert len(rest) == 10 and not {i.external_id for i in rest} & {i.external_id for i in first.items}


def test_bad_items_are_skipped_with_a_reason(graph):
    graph.mentions = [
        {"id": "1790000000000001", "text": "no author", "timestamp": "2026-12-07T02:00:00+0000"},
        tg.media("1790000000000002", "lek", "", "2026-12-07T02:00:00+0000", media_type="IMAGE"),
        tg.media("1790000000000003", "lek", "ok", "2026-12-07T02:00:00+0000"),
        tg.media("../../me", "lek", "evil id", "2026-12-07T02:00:00+0000"),
    ]
    pages = list(client(graph).fetch())
    assert [i.external_id for p in pages for i in p.items] == ["1790000000000003"]
    skipped = [s for p in pages for s in p.skipped]
    assert len(skipped) == 3 and any("username" in s for s in skipped) and any("IMAGE" in s for s in skipped)


def test_keyword_search_counts_its_quota_per_24_hours(graph):
    now = 1_800_000_000.0
    graph.search["acme"] = [tg.media("1795000000000001", "ploy", "acme ดีมาก", "2026-12-07T02:00:00+0000")]
    graph.search["acme shoes"] = []
    threads = client(graph, clock=lambda: now)
    items, cursor, _pages = fetch_all(threads, keywords=["acme", "acme shoes"])
    assert [i.external_id for i in items] == ["1795000000000001"] and not threads.search_quota_spent
    calls = graph.requests("GET", "/keyword_search")
    assert [c["query"]["q"][0] for c in calls] == ["acme", "acme shoes"]
    assert calls[0]["query"]["search_type"] == ["RECENT"]
    assert json.loads(cursor)["search_calls"] == [now]  # the empty answer did not count
    # 2,200 searches that found something in the last 24 hours: no query is sent, the account is told until when
    spent_state = json.dumps({"search_calls": [now - 3600] * 2199 + [now - 60]})
    spent = client(graph, clock=lambda: now)
    fetch_all(spent, spent_state, ["acme", "acme shoes"])
    assert len(graph.requests("GET", "/keyword_search")) == 2, "no query once the quota is spent"
    quota, resume = spent.search_quota_spent
    assert quota == 2200 and resume.timestamp() == pytest.approx(now - 3600 + SEARCH_WINDOW)
    # once the oldest is 24 hours old, searching resumes
    older = json.dumps({"search_calls": [now - SEARCH_WINDOW - 1] * 2199 + [now - 60]})
    again = client(graph, clock=lambda: now)
    fetch_all(again, older, ["acme"])
    assert len(graph.requests("GET", "/keyword_search")) == 3 and not again.search_quota_spent


def test_keyword_searches_are_paced_to_last_the_day(graph):
    now = [1_800_000_000.0]
    graph.search["acme"] = [tg.media("1795000000000001", "ploy", "acme", "2026-12-07T02:00:00+0000")]
    cursor = None
    searched = []
    for step in (0, 60, 1000, 60, 60):  # quota 90 for one keyword: one search per 1,067 s at most
        now[0] += step
        _items, cursor, _pages = fetch_all(client(graph, clock=lambda: now[0], search_quota=90), cursor, ["acme"])
        searched.append(len(graph.requests("GET", "/keyword_search")))
    assert searched == [1, 1, 1, 2, 2]


def test_rate_limit_and_bad_token_are_typed(graph):
    graph.throttled.add(f"/{tg.USER_ID}/mentions")
    with pytest.raises(errors.RateLimited):
        fetch_all(client(graph))
    graph.tokens = {"other"}
    with pytest.raises(errors.AuthenticationFailed):
        client(graph).verify()


def test_reply_is_a_container_then_one_publish(graph):
    graph.mentions = [tg.media("1790000000000001", "somchai", "@acme.support ของยังไม่มา", "2026-12-07T02:00:00+0000")]
    posted = client(graph).reply("ขออภัยค่ะ 🙏 กำลังตรวจสอบให้นะคะ", "1790000000000001", root_id="1790000000000001")
    creates, publishes = (
        graph.requests("POST", f"/{tg.USER_ID}/threads"),
        graph.requests("POST", f"/{tg.USER_ID}/threads_publish"),
    )
    assert form(creates[0]) == {
        "media_type": "TEXT",
        "text": "ขออภัยค่ะ 🙏 กำลังตรวจสอบให้นะคะ",
        "reply_to_id": "1790000000000001",
    }
    assert len(publishes) == 1 and form(publishes[0]) == {"creation_id": next(iter(graph.containers))}
    assert posted.external_id == graph.published[0] and posted.kind == "reply" and posted.is_own


def test_500_characters_with_emojis_counted_as_their_bytes(graph):
    assert ThreadsClient.text_length("ก" * 10) == 10
    assert ThreadsClient.text_length("🙏") == 4 and ThreadsClient.text_length("👍🏽") == 8
    threads = client(graph)
    with pytest.raises(ValueError, match="500"):
        threads.reply("x" * 497 + "🙏", "1790000000000001")
    with pytest.raises(errors.InvalidPost, match="500"):
        threads.publish("ก" * 501)
    assert graph.requests("POST") == []
    threads.publish("ก" * 500)
    assert len(graph.published) == 1


def test_publish_text_with_link_attachment(graph):
    posted = client(graph).publish("New arrivals", link="https://shop.example.com/new")
    assert form(graph.requests("POST", f"/{tg.USER_ID}/threads")[0]) == {
        "media_type": "TEXT",
        "text": "New arrivals",
        "link_attachment": "https://shop.example.com/new",
    }
    assert posted.url.startswith("https://www.threads.com/@acme.support/post/") and posted.kind == "post"


def test_publish_image_polls_the_container_then_publishes_once(graph):
    image = Media("a.jpg", "image/jpeg", b"\xff\xd8\xff\xe0 jpeg", alt="รองเท้าสีแดง", url=IMAGE_URL)
    posted = client(graph).publish("รุ่นใหม่มาแล้ว", link="https://shop.example.com/new", media=[image])
    created = form(graph.requests("POST", f"/{tg.USER_ID}/threads")[0])
    assert created == {
        "media_type": "IMAGE",
        "image_url": IMAGE_URL,
        "alt_text": "รองเท้าสีแดง",
        "text": "รุ่นใหม่มาแล้ว\n\nhttps://shop.example.com/new",
    }
    container = next(iter(graph.containers))
    polls = graph.requests("GET", f"/{container}")
    assert len(polls) == 2 and polls[0]["query"]["fields"] == ["status,error_message"]
    assert len(graph.requests("POST", f"/{tg.USER_ID}/threads_publish")) == 1
    assert posted.external_id == graph.published[0]


def test_publish_carousel_and_refusals(graph):
    images = [Media(f"{n}.png", "image/png", b"\x89PNG data", url=f"{IMAGE_URL}?{n}") for n in range(2)]
    client(graph).publish("two", media=images)
    creates = [form(r) for r in graph.requests("POST", f"/{tg.USER_ID}/threads")]
    assert [c["media_type"] for c in creates] == ["IMAGE", "IMAGE", "CAROUSEL"]
    assert creates[0]["is_carousel_item"] == "true" and creates[2]["children"].count(",") == 1
    with pytest.raises(errors.InvalidPost, match="public web address"):
        client(graph).publish("x", media=[Media("a.jpg", "image/jpeg", b"jpeg")])
    with pytest.raises(errors.InvalidPost, match="https"):
        client(graph).publish("x", media=[Media("a.jpg", "image/jpeg", b"jpeg", url="http://cdn.example.com/a.jpg")])
    with pytest.raises(errors.InvalidPost, match="JPEG, PNG"):
        client(graph).publish("x", media=[Media("a.gif", "image/gif", b"gif", url=IMAGE_URL)])


def test_an_image_threads_could_not_fetch_publishes_nothing(graph):
    graph.image_states = ["IN_PROGRESS", "ERROR"]
    with pytest.raises(errors.ApiError, match="nothing was published"):
        client(graph).publish("x", media=[Media("a.jpg", "image/jpeg", b"jpeg", url=IMAGE_URL)])
    assert graph.requests("POST", f"/{tg.USER_ID}/threads_publish") == []


def test_nothing_is_sent_once_the_24_hour_quotas_are_used(graph):
    graph.quota_usage["posts"] = 250
    with pytest.raises(errors.RateLimited, match="250 posts in 24 hours"):
        client(graph).publish("one more")
    graph.quota_usage["replies"] = 999
    graph.mentions = [tg.media("1790000000000001", "somchai", "hi", "2026-12-07T02:00:00+0000")]
    client(graph).reply("the last one", "1790000000000001")
    with pytest.raises(errors.RateLimited, match="1000 replies in 24 hours"):
        client(graph).reply("one too many", "1790000000000001")
    assert len(graph.published) == 1
    limits = graph.requests("GET", f"/{tg.USER_ID}/threads_publishing_limit")
    assert [r["query"]["fields"] for r in limits] == [
        ["quota_usage,config"],
        ["reply_quota_usage,reply_config"],
        ["reply_quota_usage,reply_config"],
    ]


def test_insights_are_the_engagement_of_post_results(graph):
    posted = client(graph).publish("hello")
    graph.insights[posted.external_id].update(views=120, likes=7, replies=3, reposts=2, quotes=1)
    counts = client(graph).engagement([posted.external_id, "1799999999999999"])
    assert counts == {posted.external_id: {"replies": 3, "likes": 7, "reposts": 2, "quotes": 1, "views": 120}}
    call = graph.requests("GET", f"/{posted.external_id}/insights")[0]
    assert call["query"]["metric"] == ["views,likes,replies,reposts,quotes"]


# --- webhooks: the deliveries of Meta's *Webhooks for Threads* document (replies, mentions) ---

PAYLOADS = pathlib.Path(__file__).parent / "payloads"
APP_SECRET = "0c7a4e1b2d3f"


def signed(raw, secret=APP_SECRET):
    import hashlib
    import hmac

    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()}


def test_webhook_signature_is_meta_s():
    raw = (PAYLOADS / "threads_replies.json").read_bytes()
    ThreadsClient.check_signature(raw, signed(raw), APP_SECRET)
    with pytest.raises(errors.Unsigned):
        ThreadsClient.check_signature(raw, {}, APP_SECRET)
    with pytest.raises(errors.BadSignature):
        ThreadsClient.check_signature(raw, signed(raw, "guessed"), APP_SECRET)
    with pytest.raises(errors.BadSignature):
        ThreadsClient.check_signature(raw + b" ", signed(raw), APP_SECRET)


def test_webhook_reply_and_mention_become_public_items():
    reply_delivery = json.loads((PAYLOADS / "threads_replies.json").read_bytes())
    [event] = ThreadsClient.split_delivery(reply_delivery)
    assert event.event_id == "replies:8901234"
    [item] = ThreadsClient.read_event(event.raw).items
    assert (item.external_id, item.kind, item.parent_id, item.root_id) == ("8901234", "reply", "567890", "567890")
    assert item.author.handle == "sara.rezaei" and "ناراضی" in item.text and item.visibility == "public"
    mention_delivery = json.loads((PAYLOADS / "threads_mentions.json").read_bytes())
    [event] = ThreadsClient.split_delivery(mention_delivery)
    [item] = ThreadsClient.read_event(event.raw).items
    assert (item.external_id, item.kind, item.root_id, item.parent_id) == ("8901235", "mention", "8901235", None)
    assert ThreadsClient.webhook_visibility == "public" and ThreadsClient.receives_messages


def test_webhook_other_fields_are_ignored_and_bad_shapes_refused():
    publish = {"app_id": "1", "topic": "interaction", "values": {"value": {"id": "1"}, "field": "publish"}}
    [event] = ThreadsClient.split_delivery(publish)
    assert ThreadsClient.read_event(event.raw).ignored
    for bad in ({"object": "page", "entry": []}, {"values": {"field": "replies", "value": {}}}, ["x"]):
        with pytest.raises(errors.BadPayload):
            ThreadsClient.split_delivery(bad)

"""The project's Bluesky client against a real Bluesky network (PLC, PDS, AppView) on loopback.

A customer (jane.test) mentions the brand (acme.test) in Thai with an emoji, follows up
in the thread; the brand fetches, reads the thread and answers through
``social_crm.connectors``; the customer reads the answer with raw XRPC.
Each test can run alone: the scenario's steps run on demand, once.
"""

import os
import time

import pytest
from devnet_clients import TIMEOUT, client_of, new_account

from social_crm.connectors import errors

BRAND, BRAND_PASSWORD = "acme.test", "acme-brand-pass"
CUSTOMER, CUSTOMER_PASSWORD = "jane.test", "jane-customer-pass"
MENTION_TEXT = "@acme.test สั่งของไปสองอาทิตย์แล้วยังไม่ได้รับเลย 😡📦 ช่วยตรวจสอบให้หน่อยครับ"
FOLLOW_UP_TEXT = "@acme.test ยังรออยู่นะครับ ⏳ เลขพัสดุ TH-123"
BRAND_REPLY_TEXT = "ขออภัยครับคุณ @jane.test 🙏 ทีมงานกำลังตรวจสอบพัสดุให้ครับ"
CUSTOMER_ANSWER_TEXT = "ขอบคุณครับ 👍"


def all_items(pages):
    return [item for page in pages for item in page.items]


def fetch_until(net, client, external_id, cursor=None):
    """Fetch (from ``cursor``) until ``external_id`` shows up; returns (item, pages)."""
    found = {}

    def poll():
        pages = list(client.fetch(cursor=cursor))
        found["pages"] = pages
        return next((i for i in all_items(pages) if i.external_id == external_id), None)

    item = net.wait_for(poll, timeout=TIMEOUT)
    return item, found["pages"]


class Scenario:
    def __init__(self, net):
        self.net = net
        self.steps = {}
        self.brand = net.create_account(BRAND, BRAND_PASSWORD)
        self.customer = net.create_account(CUSTOMER, CUSTOMER_PASSWORD)
        self.client = self.make_client()

    def make_client(self, token=BRAND_PASSWORD):
        return client_of(self.net, BRAND, token)

    def step(self, name, run):
        if name not in self.steps:
            self.steps[name] = run()
        return self.steps[name]

    def fetch_until(self, external_id, cursor=None):
        return fetch_until(self.net, self.client, external_id, cursor)

    # --- the steps -----------------------------------------------------

    def root(self):
        return self.step(
            "root",
            lambda: self.net.post(self.customer, MENTION_TEXT, mentions=[(BRAND, self.brand["did"])], langs=["th"]),
        )

    def first_fetch(self):
        return self.step("first_fetch", lambda: self.fetch_until(self.root()["uri"]))

    def cursor(self):
        return self.first_fetch()[1][-1].cursor

    def follow_up(self):
        root = self.root()
        return self.step(
            "follow_up",
            lambda: self.net.post(
                self.customer,
                FOLLOW_UP_TEXT,
                mentions=[(BRAND, self.brand["did"])],
                reply_to={"root": root, "parent": root},
            ),
        )

    def follow_up_fetch(self):
        return self.step("follow_up_fetch", lambda: self.fetch_until(self.follow_up()["uri"], self.cursor()))

    def brand_reply(self):
        def run():
            item = self.follow_up_fetch()[0]
            return self.client.reply(
                BRAND_REPLY_TEXT, parent_id=item.external_id, root_id=item.root_id, extra=item.extra
            )

        return self.step("brand_reply", run)


@pytest.fixture(scope="module")
def scenario(bluesky_network):
    return Scenario(bluesky_network)


def test_verify_returns_the_brand(scenario):
    me = scenario.client.verify()
    assert me.external_id == scenario.brand["did"]
    assert me.handle == BRAND
    assert me.profile_url == f"https://bsky.app/profile/{BRAND}"


def test_the_mention_facet_uses_utf8_byte_offsets(scenario, devnet_module):
    """The harness's own facets, checked on what the AppView serves back."""
    net, root = scenario.net, scenario.root()
    post = net.wait_for(
        lambda: net.thread(scenario.customer, root["uri"])["thread"]["post"], TIMEOUT, ignore=(devnet_module.XrpcError,)
    )
    facet = post["record"]["facets"][0]
    raw = post["record"]["text"].encode("utf-8")
    assert raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8") == "@" + BRAND
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#mention", "did": scenario.brand["did"]}]


def test_fetch_returns_the_thai_mention(scenario):
    root = scenario.root()
    item, pages = scenario.first_fetch()
    assert item.text == MENTION_TEXT
    assert item.author.handle == CUSTOMER
    assert item.author.external_id == scenario.customer["did"]
    assert item.root_id == root["uri"] and item.parent_id is None
    assert item.is_own is False
    assert item.kind == "mention"
    assert item.lang == "th"
    assert item.extra["cid"] == root["cid"]
    assert item.url == f"https://bsky.app/profile/{CUSTOMER}/post/{root['uri'].rsplit('/', 1)[-1]}"
    assert item.posted_at.tzinfo is not None and abs(time.time() - item.posted_at.timestamp()) < 300
    assert all(page.skipped == [] for page in pages)
    assert pages[-1].cursor and pages[-1].has_more is False


def test_fetch_from_the_last_cursor_returns_nothing_new(scenario):
    cursor = scenario.cursor()
    again = list(scenario.client.fetch(cursor=cursor))
    assert all_items(again) == []
    assert again == [] or again[-1].cursor  # a cursor to store again, if any page came back


def test_customer_follow_up_in_the_thread_is_fetched(scenario):
    root, follow_up = scenario.root(), scenario.follow_up()
    item, pages = scenario.follow_up_fetch()
    assert item.text == FOLLOW_UP_TEXT
    assert item.root_id == root["uri"]
    assert item.parent_id == root["uri"]
    assert item.extra["cid"] == follow_up["cid"]
    assert item.author.handle == CUSTOMER and item.is_own is False
    assert root["uri"] not in {i.external_id for i in all_items(pages)}, "the first mention came back twice"


def test_thread_returns_the_posts(scenario):
    root, follow_up = scenario.root(), scenario.follow_up()
    scenario.follow_up_fetch()  # indexed by now
    posts = {item.external_id: item for item in scenario.client.thread(root["uri"])}
    assert set(posts) >= {root["uri"], follow_up["uri"]}
    assert posts[root["uri"]].text == MENTION_TEXT
    assert posts[follow_up["uri"]].parent_id == root["uri"]
    assert posts[follow_up["uri"]].root_id == root["uri"]
    assert not any(item.is_own for item in posts.values())


def test_brand_reply_lands_under_the_customer_post(scenario):
    net, root, follow_up = scenario.net, scenario.root(), scenario.follow_up()
    posted = scenario.brand_reply()
    assert posted.is_own is True
    assert posted.root_id == root["uri"] and posted.parent_id == follow_up["uri"]
    assert posted.external_id.startswith(f"at://{scenario.brand['did']}/app.bsky.feed.post/")

    def brand_answers():  # what the customer sees, raw XRPC
        thread = net.thread(scenario.customer, root["uri"])["thread"]
        node = next((r for r in thread.get("replies", []) if r["post"]["uri"] == follow_up["uri"]), None)
        return [r["post"] for r in node.get("replies", [])] if node else []

    answers = net.wait_for(brand_answers, TIMEOUT)
    assert [a["uri"] for a in answers] == [posted.external_id]
    answer = answers[0]
    assert answer["author"]["did"] == scenario.brand["did"] and answer["author"]["handle"] == BRAND
    assert answer["record"]["text"] == BRAND_REPLY_TEXT
    assert answer["record"]["reply"]["root"] == {"uri": root["uri"], "cid": root["cid"]}
    assert answer["record"]["reply"]["parent"] == {"uri": follow_up["uri"], "cid": follow_up["cid"]}
    mentions = [
        f for f in answer["record"].get("facets", []) if f["features"][0]["$type"] == "app.bsky.richtext.facet#mention"
    ]
    assert len(mentions) == 1, answer["record"].get("facets")
    raw = answer["record"]["text"].encode("utf-8")
    assert raw[mentions[0]["index"]["byteStart"] : mentions[0]["index"]["byteEnd"]] == b"@jane.test"
    assert mentions[0]["features"][0]["did"] == scenario.customer["did"]
    # The customer is notified of the answer.
    notes = net.wait_for(
        lambda: [n for n in net.notifications(scenario.customer) if n["uri"] == posted.external_id], TIMEOUT
    )
    assert {n["reason"] for n in notes} <= {"reply", "mention"}


def test_customer_answer_to_the_brand_comes_back_as_a_reply(scenario):
    net, root = scenario.net, scenario.root()
    posted = scenario.brand_reply()
    cursor = scenario.follow_up_fetch()[1][-1].cursor
    answer = net.post(scenario.customer, CUSTOMER_ANSWER_TEXT, reply_to=posted.external_id)
    item, pages = scenario.fetch_until(answer["uri"], cursor)
    assert item.kind == "reply"
    assert item.parent_id == posted.external_id and item.root_id == root["uri"]
    assert item.text == CUSTOMER_ANSWER_TEXT and item.is_own is False
    assert posted.external_id not in {i.external_id for i in all_items(pages)}, "the brand's own reply came back"


def test_reply_without_extra_looks_up_the_cids_and_builds_facets(scenario):
    """A reply with only the ids (no stored cid): the client reads the cids from the AppView."""
    net, root = scenario.net, scenario.root()
    scenario.first_fetch()
    text = "ดูสถานะได้ที่ https://example.com/track?id=ไทย1 ครับ @jane.test ✅"
    posted = scenario.client.reply(text, parent_id=root["uri"], root_id=root["uri"], extra=None)
    record = net.get_record(posted.external_id)["value"]
    strong_root = {"uri": root["uri"], "cid": root["cid"]}
    assert record["reply"] == {"root": strong_root, "parent": strong_root}
    raw = record["text"].encode("utf-8")
    spans = {
        f["features"][0]["$type"].rsplit("#", 1)[-1]: raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode()
        for f in record["facets"]
    }
    assert spans == {"link": "https://example.com/track?id=ไทย1", "mention": "@jane.test"}


def post_mentions(net, author, brand, count):
    handle = brand["handle"]
    return [
        net.post(author, f"@{handle} ข้อความที่ {n} 🎉", mentions=[(handle, brand["did"])])["uri"] for n in range(count)
    ]


def test_more_than_a_page_of_new_mentions_is_fetched_whole(scenario):
    """Notifications come 50 a page: 55 new mentions after a stored cursor all arrive."""
    net = scenario.net
    brand, client = new_account(net, "shoptwo.test", "shop-two-pass")
    fan = net.create_account("fan.test", "fan-pass")
    first = post_mentions(net, fan, brand, 1)[0]
    _, pages = fetch_until(net, client, first)
    cursor = pages[-1].cursor
    uris = post_mentions(net, fan, brand, 55)
    net.wait_for(lambda: len(net.notifications(brand)) >= 56, TIMEOUT)
    pages = list(client.fetch(cursor=cursor))
    fetched = [i.external_id for i in all_items(pages)]
    assert sorted(fetched) == sorted(uris)
    assert [p.has_more for p in pages] == [True, False]


def test_mentions_after_an_empty_first_fetch_are_all_fetched(scenario):
    net = scenario.net
    brand, client = new_account(net, "shopbrand.test", "shop-brand-pass")
    fan = net.create_account("fan2.test", "fan-pass")
    pages = list(client.fetch())  # a brand account connected before anybody mentioned it
    assert all_items(pages) == []
    cursor = pages[-1].cursor
    uris = post_mentions(net, fan, brand, 55)
    net.wait_for(lambda: len(net.notifications(brand)) >= 55, TIMEOUT)
    fetched = {i.external_id for i in all_items(client.fetch(cursor=cursor))}
    assert not set(uris) - fetched, f"{len(set(uris) - fetched)} of 55 mentions never fetched (cursor {cursor})"


def test_wrong_password_is_refused_by_the_real_server(scenario):
    with pytest.raises(errors.AuthenticationFailed) as caught:
        scenario.make_client(token="not-the-password").verify()
    assert "not-the-password" not in str(caught.value)


@pytest.mark.skipif(os.environ.get("SOCIAL_CRM_E2E_RATE_LIMITS") == "0", reason="SOCIAL_CRM_E2E_RATE_LIMITS=0")
def test_real_rate_limit_becomes_rate_limited(devnet_module, start_devnet, request):
    """A second network with the PDS's real limiter (DEVNET_RATE_LIMITS=1): createSession
    allows 30 logins per 5 minutes per handle, the 31st is a 429."""
    net = start_devnet(rate_limits=True)
    request.addfinalizer(net.stop)
    net.create_account("ratelimited.test", "rate-pass")
    statuses = []
    for _ in range(40):
        try:
            net.login("ratelimited.test", "rate-pass")
            statuses.append(200)
        except devnet_module.XrpcError as exc:
            statuses.append(exc.status)
            if exc.status == 429:
                assert exc.error == "RateLimitExceeded"
                assert exc.headers.get("RateLimit-Remaining") == "0"
                break
    assert statuses[-1] == 429, statuses
    with pytest.raises(errors.RateLimited) as caught:
        client_of(net, "ratelimited.test", "rate-pass").verify()
    assert 1 <= caught.value.retry_after <= 5 * 60 + 5

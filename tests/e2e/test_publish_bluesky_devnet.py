"""Publishing with the project's Bluesky client on a real Bluesky network (PLC, PDS, AppView) on loopback.

The brand (pubbrand.test) publishes in Thai and Persian with a mention of a customer (pubfan.test), a
link, a hashtag and an image; the customer, with raw XRPC, is notified, likes, reposts and answers;
the brand reads the counts back with ``engagement``.
"""

import pytest
from devnet_clients import TIMEOUT, client_of

from social_crm.connectors import Media, errors

BRAND, BRAND_PASSWORD = "pubbrand.test", "pub-brand-pass"
FAN, FAN_PASSWORD = "pubfan.test", "pub-fan-pass"
THAI_TEXT = "สินค้าใหม่มาแล้ว 🎉 ขอบคุณ @pubfan.test ที่แนะนำนะครับ ดูรายละเอียด https://example.com/ใหม่ #โปรโมชั่น"
LINK = "https://shop.example.com/p/42?ref=บลูสกาย"
PERSIAN_TEXT = "محصول تازه رسید 🌷 از @pubfan.test سپاسگزاریم، @nobody-here.test هم ببیند #تخفیف"


class Publishing:
    def __init__(self, net):
        self.net = net
        self.brand = net.create_account(BRAND, BRAND_PASSWORD)
        self.fan = net.create_account(FAN, FAN_PASSWORD)
        self.client = client_of(net, BRAND, BRAND_PASSWORD)
        self._thai = None

    def thai_post(self, image):
        if self._thai is None:
            media = [Media("product.png", "image/png", image, alt="ภาพสินค้าใหม่ สีแดง")]
            self._thai = self.client.publish(THAI_TEXT, link=LINK, media=media)
        return self._thai


@pytest.fixture(scope="module")
def publishing(bluesky_network):
    return Publishing(bluesky_network)


@pytest.fixture(scope="module")
def image(png):
    return png(6, 4, (10, 120, 200))


def spans(record):
    raw = record["text"].encode("utf-8")
    return [
        (
            f["features"][0]["$type"].rsplit("#", 1)[-1],
            raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode("utf-8"),
            f["features"][0],
        )
        for f in record.get("facets", [])
    ]


def test_a_thai_post_with_mention_link_tag_and_image_is_published(publishing, image):
    net, posted = publishing.net, publishing.thai_post(image)
    assert posted.is_own is True and posted.kind == "post"
    assert posted.external_id.startswith(f"at://{publishing.brand['did']}/app.bsky.feed.post/")
    assert posted.url == f"https://bsky.app/profile/{BRAND}/post/{posted.external_id.rsplit('/', 1)[-1]}"
    assert posted.root_id == posted.external_id and posted.extra["cid"]

    stored = net.get_record(posted.external_id)
    record = stored["value"]
    assert stored["cid"] == posted.extra["cid"]
    assert record["text"] == f"{THAI_TEXT}\n\n{LINK}"  # the link is added to the text once, with its facet
    found = spans(record)
    assert [(kind, text) for kind, text, _ in found] == [
        ("mention", "@pubfan.test"),
        ("link", "https://example.com/ใหม่"),
        ("tag", "#โปรโมชั่น"),
        ("link", LINK),
    ]
    assert found[0][2]["did"] == publishing.fan["did"]
    assert found[2][2]["tag"] == "โปรโมชั่น"
    assert found[3][2]["uri"] == LINK

    embed = record["embed"]
    assert embed["$type"] == "app.bsky.embed.images" and len(embed["images"]) == 1
    picture = embed["images"][0]
    assert picture["alt"] == "ภาพสินค้าใหม่ สีแดง"
    assert picture["image"]["mimeType"] == "image/png" and picture["image"]["size"] == len(image)
    blob = net.http.get(
        f"{net.pds_url}/xrpc/com.atproto.sync.getBlob",
        params={"did": publishing.brand["did"], "cid": picture["image"]["ref"]["$link"]},
        timeout=30,
    )
    assert blob.status_code == 200 and blob.content == image


def test_the_mentioned_account_is_notified(publishing, image):
    net, posted = publishing.net, publishing.thai_post(image)
    notes = net.wait_for(
        lambda: [n for n in net.notifications(publishing.fan, reasons=("mention",)) if n["uri"] == posted.external_id],
        TIMEOUT,
    )
    assert len(notes) == 1
    assert notes[0]["author"]["did"] == publishing.brand["did"]
    assert notes[0]["record"]["text"].startswith("สินค้าใหม่มาแล้ว")


def test_a_persian_post_mentions_only_existing_accounts(publishing):
    posted = publishing.client.publish(PERSIAN_TEXT)
    record = publishing.net.get_record(posted.external_id)["value"]
    assert record["text"] == PERSIAN_TEXT and "embed" not in record
    found = spans(record)
    assert [(kind, text) for kind, text, _ in found] == [("mention", "@pubfan.test"), ("tag", "#تخفیف")]
    assert found[0][2]["did"] == publishing.fan["did"]


def test_engagement_counts_the_likes_reposts_and_replies_of_other_accounts(publishing, image):
    net, posted = publishing.net, publishing.thai_post(image)
    subject = {"uri": posted.external_id, "cid": posted.extra["cid"]}
    assert publishing.client.engagement([posted.external_id]) == {
        posted.external_id: {"replies": 0, "likes": 0, "reposts": 0}
    }
    fan = publishing.fan
    for collection in ("app.bsky.feed.like", "app.bsky.feed.repost"):
        net.xrpc(
            "POST",
            "com.atproto.repo.createRecord",
            fan,
            json={
                "repo": fan["did"],
                "collection": collection,
                "record": {"$type": collection, "subject": subject, "createdAt": "2026-12-03T05:00:00.000Z"},
            },
        )
    net.post(fan, "ชอบมากครับ 👍", reply_to=posted.external_id)
    expected = {posted.external_id: {"replies": 1, "likes": 1, "reposts": 1}}

    def counted():
        counts = publishing.client.engagement([posted.external_id])
        return counts if counts == expected else None

    assert net.wait_for(counted, TIMEOUT) == expected


def test_a_reply_to_the_published_post_is_fetched_in_its_thread(publishing, image):
    net, posted = publishing.net, publishing.thai_post(image)
    cursor = list(publishing.client.fetch())[-1].cursor
    answer = net.post(publishing.fan, "ขอราคาหน่อยครับ", reply_to=posted.external_id)

    def fetched():
        return next(
            (i for p in publishing.client.fetch(cursor=cursor) for i in p.items if i.external_id == answer["uri"]), None
        )

    item = net.wait_for(fetched, TIMEOUT)
    assert item.kind == "reply" and item.parent_id == posted.external_id and item.root_id == posted.external_id


def test_too_long_or_unknown_engagement_ids(publishing):
    with pytest.raises(errors.InvalidPost, match="301 characters as Bluesky counts them; Bluesky allows 300"):
        publishing.client.publish("ก่" * 301)  # 301 graphemes, 602 code points
    publishing.client.publish("ก่" * 300)  # 300 graphemes fit
    missing = f"at://{publishing.brand['did']}/app.bsky.feed.post/3zzzzzzzzzzzz"
    assert publishing.client.engagement([missing]) == {}
    with pytest.raises(errors.UnsafeId):
        publishing.client.engagement(["https://evil.example/xrpc"])

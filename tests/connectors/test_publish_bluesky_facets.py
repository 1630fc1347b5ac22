"""Bluesky rich-text facets: UTF-8 byte offsets in Thai, Persian and emoji text, handles resolved by a
loopback PDS (com.atproto.identity.resolveHandle as documented: 200 {"did"} or 400 {"error"})."""

import json

import pytest

from social_crm.connectors import Media, errors, get_client

DIDS = {"jane.test": "did:plc:jane", "sara.test": "did:plc:sara"}


@pytest.fixture
def pds(server):
    def resolve(request):
        handle = request["query"]["handle"][0]
        if handle in DIDS:
            return 200, {}, {"did": DIDS[handle]}
        return 400, {}, {"error": "InvalidRequest", "message": "Unable to resolve handle"}

    def create_session(request):
        return 200, {}, {"accessJwt": "access", "refreshJwt": "refresh", "did": "did:plc:acme", "handle": "acme.test"}

    server.route("POST", "/xrpc/com.atproto.server.createSession", create_session)
    server.route("GET", "/xrpc/com.atproto.identity.resolveHandle", resolve)
    return server


def bluesky(server):
    return get_client("bluesky", base_url=server.url, allowed_hosts="127.0.0.1", login="acme.test", token="app-pass")


def decoded(text, facets):
    raw = text.encode("utf-8")
    return [
        (f["features"][0]["$type"].rsplit("#", 1)[-1], raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode())
        for f in facets
    ]


def test_thai_text_offsets_are_bytes_not_characters(pds):
    text = "สวัสดีครับ @jane.test ดูที่ https://example.com/ไทย?q=1 ได้เลย #โปรโมชั่น"
    facets = bluesky(pds).facets(text)
    assert decoded(text, facets) == [
        ("mention", "@jane.test"),
        ("link", "https://example.com/ไทย?q=1"),
        ("tag", "#โปรโมชั่น"),
    ]
    # "สวัสดีครับ " is 10 Thai characters of 3 bytes each and a space: the mention starts at byte 31, not 11.
    assert facets[0]["index"] == {"byteStart": 31, "byteEnd": 41}
    assert facets[0]["features"] == [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:jane"}]
    assert facets[2]["features"] == [{"$type": "app.bsky.richtext.facet#tag", "tag": "โปรโมชั่น"}]


def test_persian_text_with_zwnj_and_persian_punctuation(pds):
    text = "سلام @sara.test، لطفاً https://example.ir/محصول را ببینید؟ #می‌خواهم"
    facets = bluesky(pds).facets(text)
    assert decoded(text, facets) == [
        ("mention", "@sara.test"),
        ("link", "https://example.ir/محصول"),
        ("tag", "#می‌خواهم"),  # the zero-width non-joiner belongs to the word
    ]
    assert facets[0]["index"]["byteStart"] == len("سلام ".encode())
    assert facets[1]["features"][0]["uri"] == "https://example.ir/محصول"  # the Persian comma and ؟ stay outside


def test_emoji_sequences_before_a_mention(pds):
    text = "👩‍👩‍👧‍👦🇹🇭👍🏽 @jane.test!"
    facets = bluesky(pds).facets(text)
    assert decoded(text, facets) == [("mention", "@jane.test")]
    assert facets[0]["index"] == {"byteStart": len("👩‍👩‍👧‍👦🇹🇭👍🏽 ".encode()), "byteEnd": len(text.encode()) - 1}


def test_unknown_handles_stay_plain_text_and_each_handle_is_resolved_once(pds):
    text = "@nobody.test @jane.test @JANE.test @sara.test ราคา #123 #"
    facets = bluesky(pds).facets(text)
    assert decoded(text, facets) == [("mention", "@jane.test"), ("mention", "@JANE.test"), ("mention", "@sara.test")]
    resolved = [r["query"]["handle"][0] for r in pds.requests if r["path"].endswith("resolveHandle")]
    assert resolved == ["nobody.test", "jane.test", "sara.test"]


def test_publish_sends_the_facets_and_the_images(pds, png):
    created = {}

    def upload(request):
        created["blob"] = request
        return (
            200,
            {},
            {
                "blob": {
                    "$type": "blob",
                    "ref": {"$link": "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"},
                    "mimeType": "image/png",
                    "size": len(request["body"]),
                }
            },
        )

    def create(request):
        created["record"] = json.loads(request["body"])
        return 200, {}, {"uri": "at://did:plc:acme/app.bsky.feed.post/3l6oveex3ii2l", "cid": "bafyreig2fjxi3"}

    pds.route("GET", "/xrpc/app.bsky.actor.getProfile", (200, {}, {"did": "did:plc:acme", "handle": "acme.test"}))
    pds.route("POST", "/xrpc/com.atproto.repo.uploadBlob", upload)
    pds.route("POST", "/xrpc/com.atproto.repo.createRecord", create)
    image = png()
    posted = bluesky(pds).publish("ใหม่ @jane.test 🎉", media=[Media("a.png", "image/png", image, alt="ภาพ")])
    assert posted.url == "https://bsky.app/profile/acme.test/post/3l6oveex3ii2l"
    assert created["blob"]["body"] == image and created["blob"]["headers"]["Content-Type"] == "image/png"
    assert created["blob"]["headers"]["Authorization"] == "Bearer access"
    body = created["record"]
    assert body["repo"] == "did:plc:acme" and body["collection"] == "app.bsky.feed.post"
    record = body["record"]
    assert decoded(record["text"], record["facets"]) == [("mention", "@jane.test")]
    assert record["embed"]["images"][0]["alt"] == "ภาพ"
    assert record["embed"]["images"][0]["image"]["ref"]["$link"].startswith("bafkrei")


def test_limits_graphemes_bytes_and_images(pds, png):
    client = bluesky(pds)
    with pytest.raises(errors.InvalidPost, match="at most 4 images"):
        client.publish("ok", media=[Media(f"{n}.png", "image/png", png()) for n in range(5)])
    with pytest.raises(errors.InvalidPost, match="up to 1.0 MB"):
        client.publish("ok", media=[Media("big.png", "image/png", b"x" * 1_000_001)])
    with pytest.raises(errors.InvalidPost, match="takes 3001 bytes"):
        client.publish("👩‍👩‍👧‍👦" * 120 + "a")  # 121 graphemes but 25 bytes each
    assert not [r for r in pds.requests if r["method"] == "POST" and "createRecord" in r["path"]]


def test_networks_that_cannot_publish_say_so():
    for network in ("feed", "reddit", "youtube"):
        client = get_client(network, base_url="https://example.com", token="t")
        assert client.can_publish is False and client.publish_limits["max_length"] == 0
        with pytest.raises(errors.ApiError, match="cannot publish"):
            client.publish("hello")


def test_reply_with_a_picture_embeds_the_uploaded_blob(pds, png):
    created = {}
    blob = {"$type": "blob", "ref": {"$link": "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"}}

    def create(request):
        created["record"] = json.loads(request["body"])["record"]
        return 200, {}, {"uri": "at://did:plc:acme/app.bsky.feed.post/3l6oveex3ii2m", "cid": "bafyreig2fjxi4"}

    pds.route("GET", "/xrpc/app.bsky.actor.getProfile", (200, {}, {"did": "did:plc:acme", "handle": "acme.test"}))
    pds.route("POST", "/xrpc/com.atproto.repo.uploadBlob", (200, {}, {"blob": blob}))
    pds.route("POST", "/xrpc/com.atproto.repo.createRecord", create)
    parent = "at://did:plc:jane/app.bsky.feed.post/3l6ovparent"
    extra = {"cid": "bafyparent"}
    bluesky(pds).reply("ขออภัยครับ", parent, extra=extra, media=[Media("p.png", "image/png", png())])
    record = created["record"]
    assert record["reply"]["parent"] == {"uri": parent, "cid": "bafyparent"}
    assert record["embed"] == {"$type": "app.bsky.embed.images", "images": [{"alt": "", "image": blob}]}

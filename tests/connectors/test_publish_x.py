"""Publishing on X against a loopback server shaped like docs.x.com (POST /2/media/upload, /2/media/metadata,
/2/tweets, GET /2/tweets with public_metrics)."""

import json

import pytest

from social_crm.connectors import Media, errors, get_client

ME = {"data": {"id": "783214", "username": "acme", "name": "Acme"}}
TEXT = "ของใหม่มาแล้ว 🎉 ลดราคา 20% วันนี้เท่านั้น"
LINK = "https://shop.example.com/th/sale"


@pytest.fixture
def api(server):
    server.uploads = 0

    def upload(request):
        server.uploads += 1
        media_id = str(1880028106020515840 + server.uploads)
        return (
            200,
            {},
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": 120,
                    "expires_after_secs": 86400,
                    "image": {"image_type": "image/png", "w": 6, "h": 4},
                }
            },
        )

    def metadata(request):
        body = json.loads(request["body"])
        return 200, {}, {"data": {"id": body["id"], "associated_metadata": body["metadata"]}}

    def tweet(request):
        body = json.loads(request["body"])
        return (
            201,
            {},
            {
                "data": {
                    "id": "1445880548472328192",
                    "text": body["text"],
                    "edit_history_tweet_ids": ["1445880548472328192"],
                }
            },
        )

    server.route("GET", "/2/users/me", (200, {}, ME))
    server.route("POST", "/2/media/upload", upload)
    server.route("POST", "/2/media/metadata", metadata)
    server.route("POST", "/2/tweets", tweet)
    return server


def x(server):
    return get_client("x", base_url=server.url, allowed_hosts="127.0.0.1", token="x-user-token")


def test_publish_uploads_each_image_sets_alt_text_then_posts(api, png, multipart):
    images = [png(), png(2, 2, (0, 0, 0))]
    media = [Media("a.png", "image/png", images[0], alt="ภาพสินค้า"), Media("b.png", "image/png", images[1])]
    posted = x(api).publish(TEXT, link=LINK, media=media)
    assert posted.external_id == "1445880548472328192" and posted.kind == "post" and posted.is_own is True
    assert posted.url == "https://x.com/acme/status/1445880548472328192" and posted.root_id == posted.external_id

    uploads = [r for r in api.requests if r["path"] == "/2/media/upload"]
    assert [multipart(r)["media"]["data"] for r in uploads] == images
    assert all(multipart(r)["media_category"]["data"] == b"tweet_image" for r in uploads)
    metadata = [json.loads(r["body"]) for r in api.requests if r["path"] == "/2/media/metadata"]
    assert metadata == [{"id": "1880028106020515841", "metadata": {"alt_text": {"text": "ภาพสินค้า"}}}]
    tweets = [json.loads(r["body"]) for r in api.requests if r["path"] == "/2/tweets" and r["method"] == "POST"]
    assert tweets == [
        {"text": f"{TEXT}\n\n{LINK}", "media": {"media_ids": ["1880028106020515841", "1880028106020515842"]}}
    ]
    assert all(r["headers"]["Authorization"] == "Bearer x-user-token" for r in api.requests)


def test_a_text_only_post_has_no_media(api):
    x(api).publish(TEXT)
    assert not [r for r in api.requests if r["path"].startswith("/2/media")]
    assert json.loads(next(r["body"] for r in api.requests if r["path"] == "/2/tweets")) == {"text": TEXT}


def test_x_weighted_length_is_checked_before_sending(api):
    client = x(api)
    with pytest.raises(errors.InvalidPost, match="282 characters as X counts them; X allows 280"):
        client.publish("日" * 141)  # CJK weighs 2
    client.publish("ก" * 280)  # Thai weighs 1
    client.publish("ก" * 256 + " https://example.com/" + "a" * 100)  # any URL weighs 23
    with pytest.raises(errors.InvalidPost, match="281 characters"):
        client.publish("ก" * 257 + " https://example.com/" + "a" * 100)
    with pytest.raises(errors.InvalidPost, match="281 characters"):
        client.publish("ก" * 256, link="https://example.com/x")  # the link joins the text: 256 + 2 + 23
    assert len([r for r in api.requests if r["path"] == "/2/tweets"]) == 2


def test_errors_duplicate_rate_limit_and_bad_request(api, png):
    api.route(
        "POST",
        "/2/tweets",
        (
            403,
            {},
            {
                "detail": "You are not allowed to create a Tweet with duplicate content.",
                "type": "about:blank",
                "title": "Forbidden",
                "status": 403,
            },
        ),
    )
    with pytest.raises(errors.ApiError, match="duplicate content") as caught:
        x(api).publish(TEXT)
    assert caught.value.code == "duplicate" and not isinstance(caught.value, errors.AuthenticationFailed)

    api.route(
        "POST",
        "/2/media/upload",
        (429, {"x-rate-limit-reset": "4102444800", "x-rate-limit-remaining": "0"}, {"title": "Too Many Requests"}),
    )
    with pytest.raises(errors.RateLimited):
        x(api).publish(TEXT, media=[Media("a.png", "image/png", png())])

    api.route(
        "POST",
        "/2/media/upload",
        (
            400,
            {},
            {
                "errors": [{"message": "media type unrecognized.", "parameters": {"media": []}}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
        ),
    )
    with pytest.raises(errors.ApiError, match="media type unrecognized"):
        x(api).publish(TEXT, media=[Media("a.png", "image/png", png())])
    assert not [r for r in api.requests if r["path"] == "/2/tweets" and r["method"] == "POST"][1:]


def test_engagement_reads_public_metrics_and_skips_deleted_posts(api):
    api.route(
        "GET",
        "/2/tweets",
        (
            200,
            {},
            {
                "data": [
                    {
                        "id": "1445880548472328192",
                        "text": TEXT,
                        "edit_history_tweet_ids": ["1445880548472328192"],
                        "public_metrics": {
                            "retweet_count": 4,
                            "reply_count": 2,
                            "like_count": 17,
                            "quote_count": 1,
                            "bookmark_count": 0,
                            "impression_count": 950,
                        },
                    }
                ],
                "errors": [
                    {
                        "value": "1445880548472328193",
                        "detail": "Could not find tweet with ids: [1445880548472328193].",
                        "title": "Not Found Error",
                        "resource_type": "tweet",
                        "parameter": "ids",
                        "resource_id": "1445880548472328193",
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                ],
            },
        ),
    )
    counts = x(api).engagement(["1445880548472328192", "1445880548472328193"])
    assert counts == {"1445880548472328192": {"replies": 2, "likes": 17, "reposts": 4}}
    lookup = next(r for r in api.requests if r["path"] == "/2/tweets" and r["method"] == "GET")
    assert lookup["query"] == {"ids": ["1445880548472328192,1445880548472328193"], "tweet.fields": ["public_metrics"]}
    with pytest.raises(errors.UnsafeId):
        x(api).engagement(["12,34"])


def test_a_gif_is_refused_before_sending(api):
    with pytest.raises(errors.InvalidPost, match="image/gif; X takes JPEG, PNG, WEBP images"):
        x(api).publish(TEXT, media=[Media("a.gif", "image/gif", b"GIF89a")])
    assert not [r for r in api.requests if r["method"] == "POST"]


def test_reply_with_a_picture_uploads_it_as_for_a_post(api, png, multipart):
    image = png()
    replied = x(api).reply("ขออภัยครับ นี่คือรูปพัสดุ", "1790000000000000001", media=[Media("p.png", "image/png", image)])
    assert replied.kind == "reply" and replied.parent_id == "1790000000000000001"
    [upload] = [r for r in api.requests if r["path"] == "/2/media/upload"]
    assert multipart(upload)["media"]["data"] == image
    [tweet] = [json.loads(r["body"]) for r in api.requests if r["path"] == "/2/tweets" and r["method"] == "POST"]
    assert tweet == {
        "text": "ขออภัยครับ นี่คือรูปพัสดุ",
        "reply": {"in_reply_to_tweet_id": "1790000000000000001"},
        "media": {"media_ids": ["1880028106020515841"]},
    }
    pdf = Media("invoice.pdf", "application/pdf", b"%PDF-1.4")
    with pytest.raises(errors.InvalidPost, match="invoice.pdf is application/pdf"):
        x(api).reply("hi", "1790000000000000001", media=[pdf])

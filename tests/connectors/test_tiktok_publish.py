"""TikTok photo posts on a loopback TikTok API for Business v1.3: publish, status polled, the post's id and link.

Payloads are shaped from TikTok's API for Business *TikTok Accounts* publishing endpoints as their open
clients name them (``POST /business/photo/publish/`` with ``business_id``, ``photo_images``,
``photo_cover_index``, ``post_info``, answered ``data.share_id``; ``GET /business/publish/status/`` with
``business_id`` and ``publish_id``, answered ``data.status`` and ``data.post_ids``; ``GET /business/video/list/``
with ``filters.video_ids`` for the ``share_url``), the status values and failure reasons from TikTok for
Developers' Content Posting pages (``PROCESSING_DOWNLOAD``, ``PUBLISH_COMPLETE``, ``FAILED``,
``url_ownership_unverified``, ``spam_risk_too_many_posts``), and the envelope of ``test_tiktok.py``.
"""

import json

import pytest
from test_tiktok import BUSINESS, envelope

from social_crm.connectors import Media, errors, get_client

POST_ID = "7442210987654321098"
SHARE_ID = "p_pub_url~v2.7442210000000000001"
PREFIX = "https://odoo.example.com/social_crm/media/"
CAPTION = "คอลเลกชันใหม่ 🌸 #แฟชั่น"


def jpeg(name="a.jpg", url=PREFIX + "token-a"):
    return Media(name, "image/jpeg", b"\xff\xd8\xff\xe0 not really a jpeg", url=url)


@pytest.fixture
def api(server):
    server.statuses = ["PROCESSING_DOWNLOAD", "PUBLISH_COMPLETE"]
    server.post_ids = [POST_ID]
    server.publish_answer = envelope({"share_id": SHARE_ID})

    def status(request):
        state = server.statuses.pop(0) if len(server.statuses) > 1 else server.statuses[0]
        data = {"status": state}
        if state == "PUBLISH_COMPLETE":
            data["post_ids"] = server.post_ids
        if state == "FAILED":
            data["reason"] = server.reason
        return 200, {}, envelope(data)

    server.route("POST", "/business/photo/publish/", lambda r: (200, {}, server.publish_answer))
    server.route("GET", "/business/publish/status/", status)
    server.route(
        "GET",
        "/business/video/list/",
        (
            200,
            {},
            envelope(
                {
                    "videos": [
                        {
                            "item_id": POST_ID,
                            "create_time": 1765090000,
                            "caption": CAPTION,
                            "share_url": f"https://www.tiktok.com/@acme.shop/photo/{POST_ID}",
                        }
                    ],
                    "has_more": False,
                }
            ),
        ),
    )
    return server


def client(server, prefix=PREFIX):
    tiktok = get_client(
        "tiktok",
        base_url=server.url,
        allowed_hosts="127.0.0.1",
        login=BUSINESS,
        token="act.token",
        options={"url_prefix": prefix},
    )
    tiktok.sleep = lambda seconds: None
    return tiktok


def calls(server, method, path):
    return [r for r in server.requests if r["method"] == method and r["path"] == path]


def test_photo_post_published_then_polled_until_complete(api):
    post = client(api).publish(CAPTION, media=[jpeg(), jpeg("b.webp", PREFIX + "token-b")])
    assert (post.external_id, post.kind, post.is_own) == (POST_ID, "post", True)
    assert post.url == f"https://www.tiktok.com/@acme.shop/photo/{POST_ID}"
    assert post.extra["publish_id"] == SHARE_ID
    (sent,) = calls(api, "POST", "/business/photo/publish/")
    assert sent["headers"]["Access-Token"] == "act.token"
    body = json.loads(sent["body"])
    assert body["business_id"] == BUSINESS
    assert body["photo_images"] == [PREFIX + "token-a", PREFIX + "token-b"]
    assert body["photo_cover_index"] == 0
    assert body["post_info"]["caption"] == CAPTION
    polls = calls(api, "GET", "/business/publish/status/")
    assert len(polls) == 2
    assert polls[0]["query"]["publish_id"] == [SHARE_ID]
    assert polls[0]["query"]["business_id"] == [BUSINESS]
    (listed,) = calls(api, "GET", "/business/video/list/")
    assert json.loads(listed["query"]["filters"][0]) == {"video_ids": [POST_ID]}


def test_a_post_still_under_review_comes_back_pending_then_settles(api):
    api.statuses = ["PROCESSING_UPLOAD"]
    tiktok = client(api)
    tiktok.publish_polls = 3
    post = tiktok.publish(CAPTION, media=[jpeg()])
    assert post.extra == {"publish_id": SHARE_ID, "pending": True}
    assert len(calls(api, "GET", "/business/publish/status/")) == 3
    assert tiktok.publish_status(SHARE_ID, CAPTION) is None
    api.statuses = ["PUBLISH_COMPLETE"]
    api.post_ids = []  # complete, but TikTok's moderation has not given the id yet
    assert tiktok.publish_status(SHARE_ID, CAPTION).extra["pending"] is True
    api.post_ids = [POST_ID]
    assert tiktok.publish_status(SHARE_ID, CAPTION).external_id == POST_ID
    assert len(calls(api, "POST", "/business/photo/publish/")) == 1
    api.statuses, api.reason = ["FAILED"], "picture_size_check_failed"
    with pytest.raises(errors.ApiError, match="picture_size_check_failed") as failed:
        tiktok.publish_status(SHARE_ID, CAPTION)
    assert failed.value.gave_up is True
    api.route("GET", "/business/publish/status/", (200, {}, envelope(code=50002, message="Internal error")))
    with pytest.raises(errors.ApiError) as unread:
        tiktok.publish_status(SHARE_ID, CAPTION)
    assert not getattr(unread.value, "gave_up", False)


def test_a_status_that_cannot_be_read_leaves_the_post_pending_never_failed(api):
    api.route("GET", "/business/publish/status/", (200, {}, envelope(code=40102, message="Access token expired")))
    post = client(api).publish(CAPTION, media=[jpeg()])
    assert post.extra["pending"] is True  # TikTok has it: a failure here would let a retry post it twice


def test_an_odd_post_id_leaves_the_post_pending(api):
    api.post_ids = ["../7442210987654321098"]
    assert client(api).publish(CAPTION, media=[jpeg()]).extra["pending"] is True


def test_failures_are_typed_and_worded(api):
    api.statuses = ["FAILED"]
    api.reason = "spam_risk_too_many_posts"
    with pytest.raises(errors.ApiError, match="spam risk"):
        client(api).publish(CAPTION, media=[jpeg()])
    api.reason = "url_ownership_unverified"
    with pytest.raises(errors.InvalidPost, match="verified"):
        client(api).publish(CAPTION, media=[jpeg()])
    api.publish_answer = envelope(code=40002, message="url_ownership_unverified: photo_images")
    with pytest.raises(errors.InvalidPost, match="url_ownership_unverified"):
        client(api).publish(CAPTION, media=[jpeg()])
    api.publish_answer = envelope(code=40001, message="No permission: video.publish")
    with pytest.raises(errors.AuthenticationFailed, match="permission"):
        client(api).publish(CAPTION, media=[jpeg()])
    api.publish_answer = envelope(code=40100, message="Too many requests")
    with pytest.raises(errors.RateLimited):
        client(api).publish(CAPTION, media=[jpeg()])


def test_refused_before_anything_leaves(api):
    cases = [
        (client(api, prefix=""), [jpeg()], "is set on the account first"),
        (client(api, prefix="https://cdn.example.com/"), [jpeg()], "outside the prefix"),
        (client(api), [jpeg(url="http://odoo.example.com/social_crm/media/x")], "https://"),
        (client(api), [jpeg(url="")], "has none"),
        (client(api), [Media("a.png", "image/png", b"png", url=PREFIX + "p")], "JPEG, WEBP"),
        (client(api), [], "only publishes posts with an image"),
    ]
    for tiktok, media, message in cases:
        with pytest.raises(errors.InvalidPost, match=message):
            tiktok.publish(CAPTION, media=media)
    with pytest.raises(errors.InvalidPost, match="allows 2200"):
        client(api).publish("ก" * 2201, media=[jpeg()])
    assert not calls(api, "POST", "/business/photo/publish/")

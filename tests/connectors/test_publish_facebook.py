"""Publishing on a Facebook Page against a loopback Graph API shaped like developers.facebook.com
(/{page}/feed, /{page}/photos, the post's comments/reactions summaries and shares)."""

import json
from urllib.parse import parse_qs

import pytest

from social_crm.connectors import Media, errors, get_client

PAGE = {"id": "1234567890", "name": "Acme ไทย", "link": "https://www.facebook.com/acme", "followers_count": 12000}
TEXT = "โปรโมชั่นใหม่ 🎉 ลด 20% ถึงสิ้นเดือน"
LINK = "https://shop.example.com/th/promo"


def form(request):
    return {key: values[0] for key, values in parse_qs(request["body"].decode(), keep_blank_values=True).items()}


@pytest.fixture
def graph(server):
    server.photos = 0

    def photos(request):
        server.photos += 1
        return 200, {}, {"id": f"55500000000{server.photos}", "post_id": f"1234567890_66600000000{server.photos}"}

    server.route("GET", "/1234567890", (200, {}, PAGE))
    server.route("POST", "/1234567890/feed", (200, {}, {"id": "1234567890_777000000001"}))
    server.route("POST", "/1234567890/photos", photos)
    return server


def page(server):
    return get_client(
        "facebook", base_url=server.url, allowed_hosts="127.0.0.1", login="1234567890", token="page-token"
    )


def test_a_text_post_with_a_link_goes_to_the_feed(graph):
    posted = page(graph).publish(TEXT, link=LINK)
    assert posted.external_id == "1234567890_777000000001" and posted.kind == "post" and posted.is_own
    assert posted.url == "https://www.facebook.com/1234567890/posts/777000000001"
    sent = next(r for r in graph.requests if r["method"] == "POST")
    assert sent["path"] == "/1234567890/feed"
    assert form(sent) == {"message": TEXT, "link": LINK}  # the link is its own field: Facebook draws the preview
    assert sent["headers"]["Authorization"] == "Bearer page-token"


def test_one_image_is_a_photo_post_with_the_text_as_caption(graph, png, multipart):
    image = png()
    posted = page(graph).publish(TEXT, link=LINK, media=[Media("promo.png", "image/png", image, alt="โปสเตอร์")])
    assert posted.external_id == "1234567890_666000000001"
    sent = [r for r in graph.requests if r["method"] == "POST"]
    assert [r["path"] for r in sent] == ["/1234567890/photos"]
    fields = multipart(sent[0])
    assert fields["source"] == {"filename": "promo.png", "content_type": "image/png", "data": image}
    assert fields["caption"]["data"].decode() == f"{TEXT}\n\n{LINK}"  # a photo post has no link field
    assert fields["published"]["data"] == b"true"


def test_several_images_are_uploaded_unpublished_then_attached_to_one_post(graph, png, multipart):
    images = [png(), png(3, 3, (1, 2, 3)), png(5, 1, (9, 9, 9))]
    posted = page(graph).publish(TEXT, media=[Media(f"{n}.png", "image/png", data) for n, data in enumerate(images)])
    assert posted.external_id == "1234567890_777000000001"
    sent = [r for r in graph.requests if r["method"] == "POST"]
    assert [r["path"] for r in sent] == ["/1234567890/photos"] * 3 + ["/1234567890/feed"]
    assert [multipart(r)["source"]["data"] for r in sent[:3]] == images
    assert all(multipart(r)["published"]["data"] == b"false" for r in sent[:3])
    assert form(sent[3]) == {
        "message": TEXT,
        "attached_media[0]": json.dumps({"media_fbid": "555000000001"}),
        "attached_media[1]": json.dumps({"media_fbid": "555000000002"}),
        "attached_media[2]": json.dumps({"media_fbid": "555000000003"}),
    }


def test_graph_errors_throttling_duplicates_and_bad_tokens(graph, png):
    graph.route(
        "POST",
        "/1234567890/feed",
        (
            400,
            {"X-Business-Use-Case-Usage": json.dumps({"1234567890": [{"estimated_time_to_regain_access": 7}]})},
            {"error": {"message": "(#32) Page request limit reached", "type": "OAuthException", "code": 32}},
        ),
    )
    with pytest.raises(errors.RateLimited) as caught:
        page(graph).publish(TEXT)
    assert caught.value.retry_after == 7 * 60
    graph.route(
        "POST",
        "/1234567890/feed",
        (400, {}, {"error": {"message": "(#506) Duplicate status message", "type": "OAuthException", "code": 506}}),
    )
    with pytest.raises(errors.ApiError, match="Duplicate status message") as caught:
        page(graph).publish(TEXT)
    assert caught.value.code == 506
    graph.route(
        "POST",
        "/1234567890/photos",
        (
            400,
            {},
            {
                "error": {
                    "message": "(#324) Requires upload file",
                    "type": "OAuthException",
                    "code": 324,
                    "fbtrace_id": "AbCdEf",
                }
            },
        ),
    )
    with pytest.raises(errors.ApiError, match="Requires upload file"):
        page(graph).publish(TEXT, media=[Media("a.png", "image/png", png())])
    graph.route(
        "POST",
        "/1234567890/feed",
        (
            400,
            {},
            {"error": {"message": "Error validating access token", "type": "OAuthException", "code": 190}},
        ),
    )
    with pytest.raises(errors.AuthenticationFailed):
        page(graph).publish(TEXT)


def counted(post_id, comments, reactions, shares=None):
    """A Page post's comment and reaction summaries and shares as the Graph API answers them (no ``shares``
    at all when nobody shared the post)."""
    answer = {
        "comments": {"data": [], "summary": {"order": "ranked", "total_count": comments, "can_comment": True}},
        "reactions": {"data": [], "summary": {"total_count": reactions, "viewer_reaction": "NONE"}},
    }
    if shares is not None:
        answer["shares"] = {"count": shares}
    return 200, {}, {**answer, "id": post_id}


def test_engagement_reads_comment_and_reaction_summaries_and_shares(graph):
    graph.route("GET", "/1234567890_777000000001", counted("1234567890_777000000001", 4, 31, shares=2))
    graph.route("GET", "/1234567890_777000000002", counted("1234567890_777000000002", 0, 1))
    graph.route(
        "GET",
        "/1234567890_777000000003",
        (
            400,
            {},
            {
                "error": {
                    "message": "Unsupported get request. Object with ID '1234567890_777000000003' does not exist",
                    "type": "GraphMethodException",
                    "code": 100,
                    "error_subcode": 33,
                }
            },
        ),
    )
    ids = ["1234567890_777000000001", "1234567890_777000000002", "1234567890_777000000003"]
    assert page(graph).engagement(ids) == {
        "1234567890_777000000001": {"replies": 4, "likes": 31, "reposts": 2},
        "1234567890_777000000002": {"replies": 0, "likes": 1, "reposts": 0},
    }
    read = next(r for r in graph.requests if r["path"] == "/1234567890_777000000001")
    assert read["query"]["fields"] == ["comments.limit(0).summary(true),reactions.limit(0).summary(true),shares"]


def test_limits(graph, png):
    client = page(graph)
    with pytest.raises(errors.InvalidPost, match="at most 10 images"):
        client.publish(TEXT, media=[Media(f"{n}.png", "image/png", png()) for n in range(11)])
    with pytest.raises(errors.InvalidPost, match="up to 4.2 MB"):
        client.publish(TEXT, media=[Media("big.png", "image/png", b"x" * (4 * 1024 * 1024 + 1))])
    assert not [r for r in graph.requests if r["method"] == "POST"]

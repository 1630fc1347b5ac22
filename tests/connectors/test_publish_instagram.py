"""Publishing on Instagram against a loopback Graph API shaped like the Content Publishing docs
(/{ig-user}/media containers, status_code, /{ig-user}/media_publish, comments_count and like_count)."""

from urllib.parse import parse_qs

import pytest
from loopback_client import client_on

from social_crm.connectors import Media, errors

USER = {"id": "17841400000000001", "username": "acme.th", "name": "Acme"}
CAPTION = "คอลเลกชันใหม่ 🌸 #แฟชั่น"
IMAGE_URL = "https://cdn.example.com/public/new-collection.jpg"


def form(request):
    return {key: values[0] for key, values in parse_qs(request["body"].decode(), keep_blank_values=True).items()}


def jpeg(name="a.jpg", url=IMAGE_URL, alt=""):
    return Media(name, "image/jpeg", b"\xff\xd8\xff\xe0 not really a jpeg", alt=alt, url=url)


@pytest.fixture
def graph(server):
    server.containers = 0
    server.status = {}

    def create(request):
        server.containers += 1
        container = f"1790000000000000{server.containers}"
        server.status[container] = ["IN_PROGRESS", "FINISHED"]
        return 200, {}, {"id": container}

    def status(container):
        def answer(request):
            states = server.status[container]
            code = states.pop(0) if len(states) > 1 else states[0]
            return 200, {}, {"status_code": code, "id": container}

        return answer

    server.route("GET", "/17841400000000001", (200, {}, USER))
    server.route("POST", "/17841400000000001/media", create)
    for n in range(1, 12):
        server.route("GET", f"/1790000000000000{n}", status(f"1790000000000000{n}"))
    server.route("POST", "/17841400000000001/media_publish", (200, {}, {"id": "17920000000000001"}))
    server.route(
        "GET",
        "/17920000000000001",
        (200, {}, {"permalink": "https://www.instagram.com/p/DAbCdEfGhIj/", "id": "17920000000000001"}),
    )
    return server


def instagram(server):
    return client_on("instagram", server, login="17841400000000001", token="ig-token")


def posts(server):
    return [r for r in server.requests if r["method"] == "POST"]


def test_one_image_container_is_polled_then_published(graph):
    posted = instagram(graph).publish(CAPTION, media=[jpeg(alt="ชุดเดรสสีชมพู")])
    assert posted.external_id == "17920000000000001" and posted.kind == "post" and posted.is_own
    assert posted.url == "https://www.instagram.com/p/DAbCdEfGhIj/"
    sent = posts(graph)
    assert [r["path"] for r in sent] == ["/17841400000000001/media", "/17841400000000001/media_publish"]
    assert form(sent[0]) == {"image_url": IMAGE_URL, "caption": CAPTION, "alt_text": "ชุดเดรสสีชมพู"}
    assert form(sent[1]) == {"creation_id": "17900000000000001"}
    polls = [r for r in graph.requests if r["path"] == "/17900000000000001"]
    assert len(polls) == 2 and polls[0]["query"]["fields"] == ["status_code,status"]  # IN_PROGRESS, FINISHED


def test_several_images_make_a_carousel(graph):
    urls = [f"https://cdn.example.com/public/{n}.jpg" for n in range(3)]
    instagram(graph).publish(CAPTION, media=[jpeg(f"{n}.jpg", url) for n, url in enumerate(urls)])
    sent = posts(graph)
    assert [form(r) for r in sent[:3]] == [{"image_url": url, "is_carousel_item": "true"} for url in urls]
    assert form(sent[3]) == {
        "media_type": "CAROUSEL",
        "children": "17900000000000001,17900000000000002,17900000000000003",
        "caption": CAPTION,
    }
    assert form(sent[4]) == {"creation_id": "17900000000000004"}


def test_a_container_in_error_is_reported_and_nothing_is_published(graph):
    graph.route(
        "GET",
        "/17900000000000001",
        (200, {}, {"status_code": "ERROR", "status": "Error: Media download has failed.", "id": "17900000000000001"}),
    )
    with pytest.raises(errors.ApiError, match="Media download has failed") as caught:
        instagram(graph).publish(CAPTION, media=[jpeg()])
    assert caught.value.code == "ERROR"
    assert [r["path"] for r in posts(graph)] == ["/17841400000000001/media"]


def test_a_container_that_never_finishes_is_an_error(graph):
    graph.route("GET", "/17900000000000001", (200, {}, {"status_code": "IN_PROGRESS", "id": "17900000000000001"}))
    with pytest.raises(errors.ApiError, match="still preparing"):
        instagram(graph).publish(CAPTION, media=[jpeg()])
    assert [r["path"] for r in posts(graph)] == ["/17841400000000001/media"]


def test_what_instagram_cannot_take_is_refused_before_sending(graph):
    client = instagram(graph)
    with pytest.raises(errors.InvalidPost, match="only publishes posts with an image"):
        client.publish(CAPTION)
    with pytest.raises(errors.InvalidPost, match="public web address"):
        client.publish(CAPTION, media=[jpeg(url="")])
    with pytest.raises(errors.InvalidPost, match="https://"):
        client.publish(CAPTION, media=[jpeg(url="http://cdn.example.com/a.jpg")])
    with pytest.raises(errors.InvalidPost, match="JPEG"):
        client.publish(CAPTION, media=[Media("a.png", "image/png", b"png", url=IMAGE_URL)])
    with pytest.raises(errors.InvalidPost, match="does not take links"):
        client.publish(CAPTION, link="https://shop.example.com", media=[jpeg()])
    assert posts(graph) == []


def test_publishing_limit_is_rate_limited(graph):
    graph.route(
        "POST",
        "/17841400000000001/media_publish",
        (
            400,
            {},
            {
                "error": {
                    "message": "Application request limit reached",
                    "type": "OAuthException",
                    "code": 4,
                    "is_transient": True,
                }
            },
        ),
    )
    with pytest.raises(errors.RateLimited):
        instagram(graph).publish(CAPTION, media=[jpeg()])


def test_engagement_reads_comments_and_likes(graph):
    graph.route(
        "GET", "/17920000000000001", (200, {}, {"comments_count": 5, "like_count": 48, "id": "17920000000000001"})
    )
    graph.route("GET", "/17920000000000002", (200, {}, {"comments_count": 1, "id": "17920000000000002"}))
    assert instagram(graph).engagement(["17920000000000001", "17920000000000002", "17920000000000003"]) == {
        "17920000000000001": {"replies": 5, "likes": 48, "reposts": None},
        "17920000000000002": {"replies": 1, "likes": None, "reposts": None},  # likes hidden by the owner
    }
    read = next(r for r in graph.requests if r["path"] == "/17920000000000001")
    assert read["query"]["fields"] == ["comments_count,like_count"]

"""Publishing on Mastodon against a loopback server shaped like docs.joinmastodon.org (MediaAttachment, Status)."""

import json
import re

import pytest
from loopback_client import client_on

from social_crm.connectors import Media, errors

BRAND = {"id": "1", "username": "acme", "acct": "acme", "display_name": "Acme", "url": "https://m.example/@acme"}
TEXT = "محصول تازه رسید 🌷 تخفیف ویژه برای شما #تخفیف"
LINK = "https://shop.example.com/fa/محصول?id=7"


def attachment(media_id, url=True, description=None):
    return {
        "id": media_id,
        "type": "image",
        "url": f"https://files.m.example/media_attachments/files/{media_id}/original/a.png" if url else None,
        "preview_url": f"https://files.m.example/media_attachments/files/{media_id}/small/a.png",
        "remote_url": None,
        "text_url": None,
        "meta": {"original": {"width": 6, "height": 4, "size": "6x4", "aspect": 1.5}},
        "description": description,
        "blurhash": "UFBWY:8_0Jxv4mx]t8Rj%MS#%MRjNGxuofWB",
    }


def status(status_id, text, media=(), replies=0, favourites=0, reblogs=0):
    return {
        "id": status_id,
        "created_at": "2026-12-03T05:30:00.000Z",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "fa",
        "uri": f"https://m.example/users/acme/statuses/{status_id}",
        "url": f"https://m.example/@acme/{status_id}",
        "replies_count": replies,
        "reblogs_count": reblogs,
        "favourites_count": favourites,
        "content": f"<p>{text}</p>",
        "account": BRAND,
        "media_attachments": list(media),
        "mentions": [],
        "tags": [],
    }


@pytest.fixture
def instance(server):
    server.statuses = {}  # Idempotency-Key -> status, as Mastodon keeps them for an hour
    server.polls = 0

    def upload(request):
        return 202, {}, attachment("22348641", url=False)

    def media(request):
        server.polls += 1
        if server.polls < 3:
            return 206, {}, attachment("22348641", url=False)
        return 200, {}, attachment("22348641", description="گل لاله")

    def post_status(request):
        key = request["headers"].get("Idempotency-Key")
        if key not in server.statuses:
            body = json.loads(request["body"])
            server.statuses[key] = status(str(110000000000000000 + len(server.statuses)), body["status"])
        return 200, {}, server.statuses[key]

    server.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, BRAND))
    server.route("POST", "/api/v2/media", upload)
    server.route("GET", "/api/v1/media/22348641", media)
    server.route("POST", "/api/v1/statuses", post_status)
    return server


def client(server, **kwargs):
    return client_on("mastodon", server, token="mastodon-token", **kwargs)


def test_publish_uploads_polls_the_media_then_posts_with_an_idempotency_key(instance, png, multipart):
    image = png()
    posted = client(instance).publish(TEXT, link=LINK, media=[Media("tulip.png", "image/png", image, alt="گل لاله")])
    assert posted.external_id == "110000000000000000" and posted.url == "https://m.example/@acme/110000000000000000"
    assert posted.is_own is True and posted.kind == "post" and posted.root_id == posted.external_id
    assert posted.parent_id is None and posted.author.external_id == "1"

    upload = next(r for r in instance.requests if r["path"] == "/api/v2/media")
    fields = multipart(upload)
    assert fields["file"] == {"filename": "tulip.png", "content_type": "image/png", "data": image}
    assert fields["description"]["data"].decode() == "گل لاله"
    assert upload["headers"]["Authorization"] == "Bearer mastodon-token"
    assert instance.polls == 3  # 206, 206, then 200 with its url

    sent = [r for r in instance.requests if r["path"] == "/api/v1/statuses"]
    assert len(sent) == 1
    assert json.loads(sent[0]["body"]) == {
        "status": f"{TEXT}\n\n{LINK}",
        "visibility": "public",
        "media_ids": ["22348641"],
    }
    assert sent[0]["headers"]["Idempotency-Key"].startswith("social_crm-post-")


def test_a_retry_sends_the_same_key_and_gets_the_same_status(instance, png):
    first = client(instance).publish(TEXT)
    again = client(instance).publish(TEXT)
    assert again.external_id == first.external_id
    keys = [r["headers"]["Idempotency-Key"] for r in instance.requests if r["path"] == "/api/v1/statuses"]
    assert len(keys) == 2 and keys[0] == keys[1]
    other = client(instance).publish(TEXT + " ۲")
    assert other.external_id != first.external_id


def test_a_server_error_on_posting_is_retried_safely(instance):
    answers = iter([(503, {}, {"error": "Service Unavailable"})])

    def flaky(request):
        return next(answers, None) or instance.routes[("POST", "/api/v1/statuses:ok")](request)

    instance.routes[("POST", "/api/v1/statuses:ok")] = instance.routes[("POST", "/api/v1/statuses")]
    instance.route("POST", "/api/v1/statuses", flaky)
    posted = client(instance).publish(TEXT)
    sent = [r for r in instance.requests if r["path"] == "/api/v1/statuses"]
    assert len(sent) == 2 and sent[0]["headers"]["Idempotency-Key"] == sent[1]["headers"]["Idempotency-Key"]
    assert len(instance.statuses) == 1 and posted.external_id == "110000000000000000"


def test_media_still_processing_after_the_checks_is_an_error_and_nothing_is_posted(instance, png):
    instance.route("GET", "/api/v1/media/22348641", (206, {}, attachment("22348641", url=False)))
    with pytest.raises(errors.ApiError, match="still processing the image slow.png"):
        client(instance).publish(TEXT, media=[Media("slow.png", "image/png", png())])
    assert not [r for r in instance.requests if r["path"] == "/api/v1/statuses"]


def test_media_processing_failure_and_validation_errors_are_reported(instance, png):
    image = [Media("a.png", "image/png", png())]
    refusals = [
        ("/api/v2/media", 500, "Error processing thumbnail for uploaded media"),
        ("/api/v2/media", 422, "Validation failed: File content type is invalid, File is invalid"),
        ("/api/v1/statuses", 422, "Cannot attach files that have not finished processing. Try again in a moment!"),
    ]
    for path, status, error in refusals:
        if path == "/api/v1/statuses":  # the media is taken this time, the status refused
            instance.route("POST", "/api/v2/media", (202, {}, attachment("22348641", url=False)))
        instance.route("POST", path, (status, {}, {"error": error}))
        with pytest.raises(errors.ApiError, match=re.escape(error)):
            client(instance).publish(TEXT, media=image)
    assert not instance.statuses


def test_rate_limit_on_posting(instance):
    instance.route(
        "POST",
        "/api/v1/statuses",
        (429, {"X-RateLimit-Reset": "2099-01-01T00:00:00.000Z"}, {"error": "Too many requests"}),
    )
    with pytest.raises(errors.RateLimited):
        client(instance).publish(TEXT)


def test_what_mastodon_would_refuse_is_refused_before_sending(instance, png):
    mastodon = client(instance)
    with pytest.raises(errors.InvalidPost, match="501 characters as Mastodon counts them; Mastodon allows 500"):
        mastodon.publish("ب" * 501)
    mastodon.publish("ب" * 476 + " https://example.com/" + "x" * 200)  # a URL counts 23: 476 + 1 + 23 = 500 fits
    with pytest.raises(errors.InvalidPost, match="at most 4 images"):
        mastodon.publish(TEXT, media=[Media(f"{n}.png", "image/png", png()) for n in range(5)])
    with pytest.raises(errors.InvalidPost, match="image/svg\\+xml"):
        mastodon.publish(TEXT, media=[Media("logo.svg", "image/svg+xml", b"<svg/>")])
    with pytest.raises(errors.InvalidPost, match="not a web address"):
        mastodon.publish(TEXT, link="javascript:alert(1)")
    with pytest.raises(errors.InvalidPost, match="empty"):
        mastodon.publish("   ")
    assert len([r for r in instance.requests if r["path"] == "/api/v1/statuses"]) == 1


def test_engagement_reads_each_status(instance):
    instance.route("GET", "/api/v1/statuses/111", (200, {}, status("111", TEXT, replies=2, favourites=7, reblogs=3)))
    instance.route("GET", "/api/v1/statuses/112", (404, {}, {"error": "Record not found"}))
    assert client(instance).engagement(["111", "112"]) == {"111": {"replies": 2, "likes": 7, "reposts": 3}}
    with pytest.raises(errors.UnsafeId):
        client(instance).engagement(["../accounts/1"])


def test_a_redirect_to_another_host_never_carries_the_token_or_the_image(instance, other_server, png):
    other_server.route("POST", "/steal", (200, {}, attachment("1")))
    instance.route("POST", "/api/v2/media", (307, {"Location": f"{other_server.url}/steal"}, b""))
    with pytest.raises(errors.UnsafeAddress, match="credentials are only sent to"):
        client(instance).publish(TEXT, media=[Media("a.png", "image/png", png())])
    assert other_server.requests == []
    assert not [r for r in instance.requests if r["path"] == "/api/v1/statuses"]

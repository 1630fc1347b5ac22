"""Publishing on a LinkedIn organization page against loopback servers shaped like the Posts and Images APIs
(learn.microsoft.com/linkedin): the API on one host, the image upload address on another."""

import json
from urllib.parse import quote

import pytest
from loopback_client import client_on

from social_crm.connectors import Media, errors, get_client
from social_crm.connectors.linkedin import little_text

ORG = "urn:li:organization:5515715"
TEXT = "ลดราคา (20%) สำหรับสมาชิก #โปรโมชั่น"
LINK = "https://shop.example.com/th/promo_2026"


@pytest.fixture
def api(server, other_server):
    server.images = 0
    server.image_status = {}

    def initialize(request):
        server.images += 1
        urn = f"urn:li:image:C4E10AQFoyyAjHPMQu{server.images}"
        server.image_status[urn] = ["WAITING_UPLOAD", "PROCESSING", "AVAILABLE"]
        return (
            200,
            {},
            {
                "value": {
                    "uploadUrlExpiresAt": 1650567510704,
                    "uploadUrl": f"{other_server.url}/dms-uploads/C4E10AQFoyyAjHPMQu{server.images}/uploaded-image/0"
                    "?ca=vector_ads&cn=uploads&m=AQJbrN86Zm265gAAAWemyz&app=1953784&sync=0&v=beta&ut=2H-IhpbfXrRow1",
                    "image": urn,
                }
            },
        )

    def image(urn):
        def answer(request):
            states = server.image_status[urn]
            return 200, {}, {"id": urn, "status": states.pop(0) if len(states) > 1 else states[0], "owner": ORG}

        return answer

    server.route(
        "GET", "/organizations/5515715", (200, {}, {"id": 5515715, "localizedName": "Acme", "vanityName": "acme"})
    )
    server.route("POST", "/images", initialize)
    for n in range(1, 4):
        urn = f"urn:li:image:C4E10AQFoyyAjHPMQu{n}"
        server.route("GET", f"/images/{quote(urn, safe='')}", image(urn))
    server.route("POST", "/posts", (201, {"x-restli-id": "urn:li:share:6844785523593134080"}, b""))
    for n in range(1, 4):
        other_server.route("PUT", f"/dms-uploads/C4E10AQFoyyAjHPMQu{n}/uploaded-image/0", (201, {}, b""))
    server.uploads = other_server
    return server


def linkedin(server):
    return client_on("linkedin", server, login="5515715", token="li-token")


def test_a_text_post_with_link(api):
    posted = linkedin(api).publish(TEXT, link=LINK)
    assert posted.external_id == "urn:li:share:6844785523593134080" and posted.kind == "post" and posted.is_own
    assert posted.url == "https://www.linkedin.com/feed/update/urn:li:share:6844785523593134080"
    sent = next(r for r in api.requests if r["path"] == "/posts")
    assert json.loads(sent["body"]) == {
        "author": ORG,
        "commentary": "ลดราคา \\(20%\\) สำหรับสมาชิก {hashtag|\\#|โปรโมชั่น}\n\nhttps://shop.example.com/th/promo\\_2026",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    assert sent["headers"]["Authorization"] == "Bearer li-token"
    assert sent["headers"]["X-Restli-Protocol-Version"] == "2.0.0" and sent["headers"]["LinkedIn-Version"]


def test_an_image_goes_to_the_upload_address_without_the_token(api, png):
    image = png()
    linkedin(api).publish(TEXT, media=[Media("promo.png", "image/png", image, alt="โปสเตอร์โปรโมชั่น")])
    started = next(r for r in api.requests if r["path"] == "/images")
    assert started["query"] == {"action": ["initializeUpload"]}
    assert json.loads(started["body"]) == {"initializeUploadRequest": {"owner": ORG}}
    [upload] = api.uploads.requests
    assert upload["method"] == "PUT" and upload["body"] == image
    assert upload["query"]["ut"] == ["2H-IhpbfXrRow1"]  # the signed address, whole
    assert upload["headers"]["Content-Type"] == "image/png"
    assert "Authorization" not in upload["headers"], "the token left the account's API host"
    assert not any("li-token" in str(value) for value in upload["headers"].values())
    polls = [r for r in api.requests if r["path"] == "/images/urn%3Ali%3Aimage%3AC4E10AQFoyyAjHPMQu1"]
    assert len(polls) == 3  # WAITING_UPLOAD, PROCESSING, AVAILABLE
    body = json.loads(next(r for r in api.requests if r["path"] == "/posts")["body"])
    assert body["content"] == {"media": {"id": "urn:li:image:C4E10AQFoyyAjHPMQu1", "altText": "โปสเตอร์โปรโมชั่น"}}


def test_several_images_are_a_multi_image_post(api, png):
    linkedin(api).publish(TEXT, media=[Media(f"{n}.png", "image/png", png()) for n in range(3)])
    body = json.loads(next(r for r in api.requests if r["path"] == "/posts")["body"])
    assert body["content"] == {
        "multiImage": {"images": [{"id": f"urn:li:image:C4E10AQFoyyAjHPMQu{n}"} for n in range(1, 4)]}
    }
    assert len(api.uploads.requests) == 3


def test_an_upload_address_on_a_private_network_is_refused(api, png):
    api.route(
        "POST",
        "/images",
        (
            200,
            {},
            {"value": {"uploadUrl": "http://10.1.2.3/dms-uploads/x", "image": "urn:li:image:C4E10AQFoyyAjHPMQu1"}},
        ),
    )
    with pytest.raises(errors.UnsafeAddress):
        linkedin(api).publish(TEXT, media=[Media("a.png", "image/png", png())])
    assert not [r for r in api.requests if r["path"] == "/posts"]


def test_image_processing_failure_and_api_errors(api, png):
    api.route(
        "GET",
        "/images/urn%3Ali%3Aimage%3AC4E10AQFoyyAjHPMQu1",
        (200, {}, {"id": "urn:li:image:C4E10AQFoyyAjHPMQu1", "status": "PROCESSING_FAILED"}),
    )
    with pytest.raises(errors.ApiError, match="could not process the image a.png"):
        linkedin(api).publish(TEXT, media=[Media("a.png", "image/png", png())])
    assert not [r for r in api.requests if r["path"] == "/posts"]

    api.route(
        "POST",
        "/posts",
        (
            422,
            {},
            {
                "message": "Content is a duplicate of urn:li:share:6844785523593134080",
                "status": 422,
                "code": "DUPLICATE_POST",
            },
        ),
    )
    with pytest.raises(errors.ApiError, match="duplicate"):
        linkedin(api).publish(TEXT)
    api.route("POST", "/posts", (429, {}, {"message": "Resource level throttle APPLICATION DAY limit", "status": 429}))
    with pytest.raises(errors.RateLimited) as caught:
        linkedin(api).publish(TEXT)
    assert caught.value.retry_after == 3600
    api.route(
        "POST", "/posts", (401, {}, {"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401})
    )
    with pytest.raises(errors.AuthenticationFailed):
        linkedin(api).publish(TEXT)


def test_commentary_is_limited_to_3000_characters(api):
    with pytest.raises(errors.InvalidPost, match="3001 characters as LinkedIn counts them; LinkedIn allows 3000"):
        linkedin(api).publish("ก" * 3001)
    linkedin(api).publish("ก" * 3000)


def test_engagement_reads_social_actions(api):
    api.route(
        "GET",
        "/socialActions/urn%3Ali%3Ashare%3A6844785523593134080",
        (
            200,
            {},
            {
                "commentsSummary": {"selectedComments": [], "totalFirstLevelComments": 3, "aggregatedTotalComments": 5},
                "target": "urn:li:share:6844785523593134080",
                "likesSummary": {
                    "selectedLikes": [],
                    "aggregatedTotalLikes": 9,
                    "likedByCurrentUser": False,
                    "totalLikes": 9,
                },
            },
        ),
    )
    assert linkedin(api).engagement(["urn:li:share:6844785523593134080", "urn:li:share:1"]) == {
        "urn:li:share:6844785523593134080": {"replies": 5, "likes": 9, "reposts": None}
    }


def test_little_text_escapes_markup_and_keeps_hashtags_and_links():
    assert little_text("@acme [ใหม่] *ลด* ~50%~ <b> | {x} \\ #tag, #تخفیف!") == (
        "\\@acme \\[ใหม่\\] \\*ลด\\* \\~50%\\~ \\<b\\> \\| \\{x\\} \\\\ {hashtag|\\#|tag}, {hashtag|\\#|تخفیف}!"
    )
    assert little_text("https://ex.com/a_(b)") == "https://ex.com/a\\_\\(b\\)"


def test_the_token_goes_to_an_upload_address_only_on_linkedin_itself():
    client = get_client("linkedin", login="5515715", token="li-token")  # the real API address
    assert client._linkedin_host("https://www.linkedin.com/dms-uploads/C4E10AQ/uploaded-image/0?ut=x")
    assert not client._linkedin_host("https://linkedin.com.evil.example/dms-uploads/x")
    assert not client._linkedin_host("http://www.linkedin.com/dms-uploads/x")
    assert not client._linkedin_host("https://evil.example/www.linkedin.com/x")

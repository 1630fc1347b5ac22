"""Pictures in public posts on X, Facebook and Instagram: the vendor's payloads read into thumbnail references,
fetched from the vendor's media hosts only, without the token, capped and typed from their bytes.

Payloads are shaped as the vendors document them: X API v2 ``GET /2/users/:id/mentions`` with
``expansions=attachments.media_keys`` (``includes.media[]``: ``media_key``, ``type``, ``url``,
``preview_image_url``, ``alt_text``; docs.x.com, "Media object" and "Using fields and expansions"); Graph API
Comment ``attachment`` and Post ``attachments`` (StoryAttachment: ``type``/``media_type``, ``media.image.src``,
``description``); the Page ``feed`` webhook field (Webhooks reference, Page: ``photo``, ``photos``); IG User
``mentioned_media`` with IG Media fields ``media_type``, ``media_url``, ``thumbnail_url``."""

import pytest

from social_crm.connectors import errors, get_client, get_client_class
from social_crm.connectors import media as media_module
from social_crm.connectors.media import MediaRefused

LOOPBACK = "127.0.0.1"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
HTML = b"<html><script>alert(1)</script></html>"
PAGE_ID = "104567890123456"
IG_ID = "17841405822304914"

# ----------------------------------------------------------------------
# X
# ----------------------------------------------------------------------

X_MENTIONS = {
    "data": [
        {
            "id": "1790000000000000011",
            "text": "@acme it arrived like this https://t.co/AbCdEf",
            "author_id": "2244994945",
            "created_at": "2026-11-01T09:00:00.000Z",
            "conversation_id": "1790000000000000011",
            "lang": "en",
            "attachments": {"media_keys": ["3_1790000000000000101", "7_1790000000000000102"]},
            "edit_history_tweet_ids": ["1790000000000000011"],
        },
        {
            "id": "1790000000000000010",
            "text": "@acme ขอบคุณครับ",
            "author_id": "2244994945",
            "created_at": "2026-11-01T08:00:00.000Z",
            "conversation_id": "1790000000000000010",
            "lang": "th",
            "edit_history_tweet_ids": ["1790000000000000010"],
        },
    ],
    "includes": {
        "media": [
            {
                "media_key": "3_1790000000000000101",
                "type": "photo",
                "url": "https://pbs.twimg.com/media/GbXyZaAWsAAp1_1.jpg",
                "alt_text": "A crushed parcel on a doorstep",
            },
            {
                "media_key": "7_1790000000000000102",
                "type": "video",
                "preview_image_url": "https://pbs.twimg.com/ext_tw_video_thumb/1790000000000000102/pu/img/zJRA8B3H.jpg",
            },
        ],
        "users": [{"id": "2244994945", "username": "jane", "name": "Jane Doe"}],
    },
    "meta": {"result_count": 2, "newest_id": "1790000000000000011", "oldest_id": "1790000000000000010"},
}


def x_client(server):
    return get_client("x", base_url=server.url, login="783214", token="bearer", allowed_hosts=LOOPBACK)


def test_x_asks_for_the_media_and_keeps_the_thumbnails(server):
    server.route("GET", "/2/users/me", (200, {}, {"data": {"id": "783214", "username": "acme", "name": "Acme"}}))
    server.route("GET", "/2/users/783214/mentions", (200, {}, X_MENTIONS))
    items = [item for page in x_client(server).fetch() for item in page.items]
    query = server.requests[-1]["query"]
    assert query["expansions"] == ["author_id,attachments.media_keys"]
    assert query["media.fields"] == ["type,url,preview_image_url,alt_text"]
    assert "attachments" in query["tweet.fields"][0]
    assert items[0].extra["media"] == [
        {
            "kind": "thumbnail",
            "url": "https://pbs.twimg.com/media/GbXyZaAWsAAp1_1.jpg?name=small",
            "alt": "A crushed parcel on a doorstep",
        },
        {
            "kind": "thumbnail",
            "url": "https://pbs.twimg.com/ext_tw_video_thumb/1790000000000000102/pu/img/zJRA8B3H.jpg",
        },
    ]
    assert "media" not in items[1].extra, "a tweet without attachments has no pictures"
    real = get_client("x", token="bearer")
    for ref in items[0].extra["media"]:
        media_module.check_vendor_host(real, ref["url"], ("pbs.twimg.com",))


def test_x_thumbnail_fetched_without_the_token_and_strangers_refused(server, other_server):
    client = x_client(server)
    server.route("GET", "/media/GbXyZaAWsAAp1_1.jpg", (200, {"Content-Type": "image/jpeg"}, JPEG))
    download = client.media_content({"kind": "thumbnail", "url": f"{server.url}/media/GbXyZaAWsAAp1_1.jpg"})
    assert (download.mimetype, download.kind) == ("image/jpeg", "thumbnail")
    assert "Authorization" not in server.requests[-1]["headers"]
    other_server.route("GET", "/a.jpg", (200, {}, JPEG))
    real = get_client("x", token="bearer")
    for url in (
        f"{other_server.url}/a.jpg",
        "https://pbs.twimg.com.evil.example/media/a.jpg",
        "https://video.twimg.com/ext_tw_video/1/pu/vid/a.mp4",
        "http://pbs.twimg.com/media/a.jpg",
    ):
        with pytest.raises(errors.UnsafeAddress):
            (client if url.startswith(other_server.url) else real).media_content({"kind": "thumbnail", "url": url})
    assert not other_server.requests


def test_x_mistyped_and_oversized_thumbnails_are_refused(server, monkeypatch, png):
    client = x_client(server)
    server.route("GET", "/media/page.jpg", (200, {"Content-Type": "image/jpeg"}, HTML))
    with pytest.raises(MediaRefused) as mistyped:
        client.media_content({"kind": "thumbnail", "url": f"{server.url}/media/page.jpg"})
    assert mistyped.value.code == "type"
    monkeypatch.setitem(media_module.CAPS, "thumbnail", 64)
    server.route("GET", "/media/big.png", (200, {}, png(64, 64)))
    with pytest.raises(MediaRefused) as large:
        client.media_content({"kind": "thumbnail", "url": f"{server.url}/media/big.png"})
    assert large.value.code == "too_large"


# ----------------------------------------------------------------------
# Facebook Page
# ----------------------------------------------------------------------

POST_ID = f"{PAGE_ID}_987654321098765"
FB_COMMENT_PICTURE = (
    "https://scontent.xx.fbcdn.net/v/t39.30808-6/4651_n.jpg?stp=dst-jpg_s720x720&_nc_cat=1&oh=00_AY&oe=6700A1B2"
)


def facebook_routes(server):
    server.route("GET", f"/{PAGE_ID}", (200, {}, {"id": PAGE_ID, "name": "Acme Thailand"}))
    server.route(
        "GET", f"/{PAGE_ID}/feed", (200, {}, {"data": [{"id": POST_ID, "created_time": "2026-11-01T08:00:00+0000"}]})
    )
    server.route(
        "GET",
        f"/{POST_ID}/comments",
        (
            200,
            {},
            {
                "data": [
                    {
                        "id": "987654321098765_1122334455667788",
                        "message": "มาถึงแบบนี้ค่ะ",
                        "created_time": "2026-11-01T09:00:00+0000",
                        "from": {"id": "7010203040506070", "name": "สมหญิง ใจดี"},
                        "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/987654321098765?comment_id=1122334455667788",
                        "attachment": {
                            "type": "photo",
                            "media": {"image": {"height": 720, "src": FB_COMMENT_PICTURE, "width": 720}},
                            "description": "กล่องบุบ",
                            "target": {
                                "id": "1122334455667790",
                                "url": "https://www.facebook.com/photo.php?fbid=1122334455667790",
                            },
                            "url": "https://www.facebook.com/photo.php?fbid=1122334455667790",
                        },
                    },
                    {
                        "id": "987654321098765_1122334455667789",
                        "message": "see https://example.com",
                        "created_time": "2026-11-01T08:30:00+0000",
                        "from": {"id": "7010203040506071", "name": "Niran K."},
                        "attachment": {
                            "type": "share",
                            "media": {"image": {"src": "https://external.xx.fbcdn.net/emg1/v/t13/safe_image.jpg"}},
                            "url": "https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.com",
                        },
                    },
                ],
                "paging": {"cursors": {"before": "QVFIUk", "after": "QVFIUl"}},
            },
        ),
    )
    server.route(
        "GET",
        f"/{PAGE_ID}/tagged",
        (
            200,
            {},
            {
                "data": [
                    {
                        "id": "7010203040506072_555666777888999",
                        "message": "@Acme Thailand the box was open",
                        "created_time": "2026-11-01T10:00:00+0000",
                        "from": {"id": "7010203040506072", "name": "Pim S."},
                        "permalink_url": "https://www.facebook.com/7010203040506072/posts/555666777888999",
                        "attachments": {
                            "data": [
                                {
                                    "media_type": "photo",
                                    "media": {
                                        "image": {
                                            "height": 540,
                                            "src": "https://scontent.fbkk5-1.fna.fbcdn.net/v/t39.30808-6/open_n.jpg?_nc_cat=2",
                                            "width": 720,
                                        }
                                    },
                                    "description": "Opened parcel",
                                }
                            ]
                        },
                    }
                ]
            },
        ),
    )


def test_facebook_comments_and_tagged_posts_keep_their_pictures(server):
    facebook_routes(server)
    client = get_client("facebook", base_url=server.url, login=PAGE_ID, token="page-token", allowed_hosts=LOOPBACK)
    items = {item.external_id: item for page in client.fetch() for item in page.items}
    asked = {r["path"]: r["query"].get("fields", [""])[0] for r in server.requests}
    assert "attachment{type,media{image{src}},description}" in asked[f"/{POST_ID}/comments"]
    assert "attachments{media_type,media{image{src}},description}" in asked[f"/{PAGE_ID}/tagged"]
    assert items["987654321098765_1122334455667788"].extra["media"] == [
        {"kind": "thumbnail", "url": FB_COMMENT_PICTURE, "alt": "กล่องบุบ"}
    ]
    assert "media" not in items["987654321098765_1122334455667789"].extra, "a link preview is not a picture"
    assert items["7010203040506072_555666777888999"].extra["media"] == [
        {
            "kind": "thumbnail",
            "url": "https://scontent.fbkk5-1.fna.fbcdn.net/v/t39.30808-6/open_n.jpg?_nc_cat=2",
            "alt": "Opened parcel",
        }
    ]


def test_facebook_feed_webhook_photos_are_thumbnails():
    value = {
        "from": {"id": "7010203040506072", "name": "Pim S."},
        "message": "ร้านส่งของผิดสีค่ะ",
        "post_id": f"{PAGE_ID}_555666777888999",
        "created_time": 1790000395,
        "item": "status",
        "published": 1,
        "verb": "add",
        "photos": [
            "https://scontent.xx.fbcdn.net/v/t39.30808-6/wrong_colour_1.jpg?_nc_cat=1",
            "https://scontent.xx.fbcdn.net/v/t39.30808-6/wrong_colour_2.jpg?_nc_cat=1",
        ],
    }
    entry = {"id": PAGE_ID, "time": 1790000400}
    Facebook = get_client_class("facebook")
    [item] = Facebook._read_change("feed", value, entry, PAGE_ID).items
    assert [ref["url"] for ref in item.extra["media"]] == value["photos"]
    comment = {
        "from": {"id": "7010203040506070", "name": "สมหญิง ใจดี"},
        "post_id": POST_ID,
        "comment_id": "987654321098765_1122334455667700",
        "created_time": 1790000005,
        "item": "comment",
        "parent_id": POST_ID,
        "verb": "add",
        "photo": "https://scontent.xx.fbcdn.net/v/t39.30808-6/dent_n.jpg?_nc_cat=1",
    }
    [item] = Facebook._read_change("feed", comment, entry, PAGE_ID).items
    assert item.text == "[photo]"
    assert item.extra["media"] == [{"kind": "thumbnail", "url": comment["photo"]}]


def test_facebook_thumbnail_without_the_token_from_meta_hosts_only(server, other_server, monkeypatch, png):
    client = get_client("facebook", base_url=server.url, login=PAGE_ID, token="page-token", allowed_hosts=LOOPBACK)
    server.route("GET", "/v/t39.30808-6/4651_n.jpg", (200, {}, JPEG))
    download = client.media_content({"kind": "thumbnail", "url": f"{server.url}/v/t39.30808-6/4651_n.jpg?oe=1"})
    assert download.mimetype == "image/jpeg"
    assert "Authorization" not in server.requests[-1]["headers"]
    real = get_client("facebook", token="page-token")
    media_module.check_vendor_host(real, FB_COMMENT_PICTURE, (".fbcdn.net",))
    for stranger in ("https://scontent.xx.fbcdn.net.evil.example/a.jpg", "https://example.com/a.jpg"):
        with pytest.raises(errors.UnsafeAddress):
            real.media_content({"kind": "thumbnail", "url": stranger})
    with pytest.raises(errors.UnsafeAddress):
        client.media_content({"kind": "thumbnail", "url": f"{other_server.url}/a.jpg"})
    assert not other_server.requests
    server.route("GET", "/v/page.jpg", (200, {}, HTML))
    with pytest.raises(MediaRefused):
        client.media_content({"kind": "thumbnail", "url": f"{server.url}/v/page.jpg"})
    monkeypatch.setitem(media_module.CAPS, "thumbnail", 64)
    server.route("GET", "/v/big.png", (200, {}, png(64, 64)))
    with pytest.raises(MediaRefused) as large:
        client.media_content({"kind": "thumbnail", "url": f"{server.url}/v/big.png"})
    assert large.value.code == "too_large"


# ----------------------------------------------------------------------
# Instagram
# ----------------------------------------------------------------------


def mentioned_media(media_id, media_type, **urls):
    return {
        "mentioned_media": {
            "caption": "@acme.th ของมาไม่ครบค่ะ",
            "timestamp": "2026-11-01T09:00:00+0000",
            "permalink": "https://www.instagram.com/p/DAbc999/",
            "username": "mint.ch",
            "media_type": media_type,
            **urls,
            "id": media_id,
        },
        "id": IG_ID,
    }


def test_instagram_caption_mention_keeps_its_picture(server):
    image = "https://scontent-bkk1-1.cdninstagram.com/v/t51.29350-15/4651_n.jpg?_nc_cat=1&oe=6700A1B2"
    cover = "https://scontent-bkk1-1.cdninstagram.com/v/t51.29350-15/video_cover_n.jpg?_nc_cat=1"

    def answer(request):
        fields = request["query"]["fields"][0]
        assert fields.endswith("{id,caption,timestamp,permalink,username,media_type,media_url,thumbnail_url}")
        if "17920112008063024" in fields:
            return 200, {}, mentioned_media("17920112008063024", "IMAGE", media_url=image)
        return (
            200,
            {},
            mentioned_media(
                "17920112008063025",
                "VIDEO",
                media_url="https://scontent-bkk1-1.cdninstagram.com/o1/v/t16/f2/m86/video.mp4",
                thumbnail_url=cover,
            ),
        )

    server.route("GET", f"/{IG_ID}", answer)
    client = get_client("instagram", base_url=server.url, login=IG_ID, token="ig-token", allowed_hosts=LOOPBACK)
    photo, video = client.read_lookups(
        [{"kind": "mention", "media_id": "17920112008063024"}, {"kind": "mention", "media_id": "17920112008063025"}]
    )
    assert photo.extra["media"] == [{"kind": "thumbnail", "url": image}]
    assert video.extra["media"] == [{"kind": "thumbnail", "url": cover}], "a video's cover, never the video"
    real = get_client("instagram", token="ig-token")
    media_module.check_vendor_host(real, image, (".cdninstagram.com",))
    with pytest.raises(errors.UnsafeAddress):
        real.media_content({"kind": "thumbnail", "url": "https://cdninstagram.com.evil.example/a.jpg"})
    server.route("GET", "/v/t51.29350-15/4651_n.jpg", (200, {}, HTML))
    with pytest.raises(MediaRefused):
        client.media_content({"kind": "thumbnail", "url": f"{server.url}/v/t51.29350-15/4651_n.jpg"})


def test_instagram_tagged_post_keeps_its_picture(server):
    cover = "https://scontent-bkk1-1.cdninstagram.com/v/t51.29350-15/tagged_n.jpg?_nc_cat=1"
    server.route("GET", f"/{IG_ID}", (200, {}, {"id": IG_ID, "username": "acme.th", "name": "Acme Thailand"}))
    server.route("GET", f"/{IG_ID}/media", (200, {}, {"data": []}))
    server.route(
        "GET",
        f"/{IG_ID}/tags",
        (
            200,
            {},
            {
                "data": [
                    {
                        "id": "17920112008063026",
                        "caption": "กล่องมาบุบค่ะ @acme.th",
                        "timestamp": "2026-11-01T09:00:00+0000",
                        "permalink": "https://www.instagram.com/p/DAbc777/",
                        "username": "mint.ch",
                        "media_type": "CAROUSEL_ALBUM",
                        "media_url": cover,
                    }
                ],
                "paging": {"cursors": {"before": "QVFIU", "after": "QVFIU"}},
            },
        ),
    )
    client = get_client("instagram", base_url=server.url, login=IG_ID, token="ig-token", allowed_hosts=LOOPBACK)
    [item] = [item for page in client.fetch() for item in page.items]
    assert server.requests[-1]["query"]["fields"] == [
        "id,caption,timestamp,permalink,username,media_type,media_url,thumbnail_url"
    ]
    assert item.extra == {
        "media_id": "17920112008063026",
        "tagged": True,
        "media": [{"kind": "thumbnail", "url": cover}],
    }

"""Media people send: kept from the deliveries, fetched from each network's content API on loopback, capped,
typed from their bytes, only from the network's hosts."""

import json

import pytest
from meta_payloads import PHONE_NUMBER_ID, delivery

from social_crm.connectors import errors, get_client, get_client_class
from social_crm.connectors import media as media_module
from social_crm.connectors.media import MediaGone, MediaRefused, sniff

LOOPBACK = "127.0.0.1"
TELEGRAM_TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
OGG = b"OggS\x00\x02" + b"\x00" * 22 + b"\x01\x13OpusHead" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32
M4A = b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom" + b"\x00" * 32
HTML = b"<html><script>alert(1)</script></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def test_the_type_is_read_from_the_bytes(png):
    assert sniff(JPEG) == "image/jpeg"
    assert sniff(png()) == "image/png"
    assert sniff(b"GIF89a" + b"\x00" * 20) == "image/gif"
    assert sniff(WEBP) == "image/webp"
    assert sniff(OGG) == "audio/ogg"
    assert sniff(MP4) == "video/mp4"
    assert sniff(M4A) == "audio/mp4"
    assert sniff(PDF) == "application/pdf"
    assert sniff(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01B\x82\x84webm") == "video/webm"
    assert sniff(b"ID3\x04\x00" + b"\x00" * 20) == "audio/mpeg"
    for stranger in (HTML, SVG, b"PK\x03\x04zip", b"MZ\x90\x00exe", b""):
        assert sniff(stranger) == ""


def test_a_kind_takes_only_its_types(png):
    assert media_module.check_content(png(), "image").mimetype == "image/png"
    with pytest.raises(MediaRefused) as refused:
        media_module.check_content(PDF, "image", "LINE", "image/jpeg")
    assert refused.value.code == "type" and "declared image/jpeg" in str(refused.value)
    with pytest.raises(MediaRefused):
        media_module.check_content(SVG, "file", "LINE", "image/svg+xml")
    assert media_module.check_content(PDF, "file").extension == "pdf"


# ----------------------------------------------------------------------
# LINE
# ----------------------------------------------------------------------


def line_image_event(message_id="468789577898262531", kind="image", **message):
    return {
        "type": "message",
        "mode": "active",
        "timestamp": 1735700000000,
        "source": {"type": "user", "userId": "U4af4980629a0b2d3c1e2f3a4b5c6d7e8"},
        "webhookEventId": "01FZ74A0TDDPYRVKNK77XKC3ZS",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": "b60d432864f44d079f6d8efe86cf404b",
        "message": {"type": kind, "id": message_id, "quoteToken": "q3Plxr4AgKd", **message},
    }


def line(server):
    return get_client("line", base_url=server.url, token="channel-access-token", allowed_hosts=LOOPBACK)


def test_line_keeps_the_message_id_and_fetches_the_content_with_the_token(server, png):
    outcome = get_client_class("line").read_event(
        line_image_event(contentProvider={"type": "line"}, imageSet={"id": "E005D41A", "index": 1, "total": 2})
    )
    item = outcome.items[0]
    assert item.text == "[image]"
    assert item.extra["media"] == [{"kind": "image", "ref": "468789577898262531"}]
    server.route(
        "GET",
        "/v2/bot/message/468789577898262531/content",
        (200, {"Content-Type": "image/png"}, png(8, 8)),
    )
    download = line(server).media_content(item.extra["media"][0])
    assert download.data == png(8, 8) and download.mimetype == "image/png" and download.extension == "png"
    assert server.requests[-1]["headers"]["Authorization"] == "Bearer channel-access-token"


def test_line_files_keep_their_name_and_size():
    event = line_image_event(kind="file", fileName="ใบเสร็จ.pdf", fileSize=2138)
    ref = get_client_class("line").read_event(event).items[0].extra["media"][0]
    assert ref == {"kind": "file", "ref": "468789577898262531", "name": "ใบเสร็จ.pdf", "size": 2138}


def test_line_real_content_host_is_api_data():
    client = get_client("line", token="t")
    assert client.data_base_url() == "https://api-data.line.me"


def test_line_expired_content_is_gone(server):
    server.route("GET", "/v2/bot/message/1/content", (404, {}, {"message": "Not found"}))
    with pytest.raises(MediaGone):
        line(server).media_content({"kind": "image", "ref": "1"})


def test_line_oversized_and_mistyped_content_are_refused(server, monkeypatch, png):
    server.route("GET", "/v2/bot/message/2/content", (200, {"Content-Type": "image/jpeg"}, HTML))
    with pytest.raises(MediaRefused) as mistyped:
        line(server).media_content({"kind": "image", "ref": "2"})
    assert mistyped.value.code == "type"
    monkeypatch.setitem(media_module.CAPS, "image", 100)
    server.route("GET", "/v2/bot/message/3/content", (200, {"Content-Type": "image/png"}, png(40, 40) + b"\x00" * 200))
    with pytest.raises(MediaRefused) as large:
        line(server).media_content({"kind": "image", "ref": "3"})
    assert large.value.code == "too_large" and "not downloaded" in str(large.value)


def test_a_body_growing_past_the_cap_is_cut():
    """Without a Content-Length to trust, the reader stops at the cap instead of reading on."""
    read = []

    class Streaming:
        def iter_content(self, size):
            for _ in range(100):
                read.append(size)
                yield b"\x00" * size

    client = get_client("line", token="t")
    with pytest.raises(MediaRefused):
        media_module._read(Streaming(), 3 * media_module.CHUNK, client, "audio")
    assert len(read) == 4


def test_line_redirect_to_another_host_is_refused(server, other_server, png):
    other_server.route("GET", "/stolen", (200, {}, png()))
    server.route("GET", "/v2/bot/message/5/content", (302, {"Location": f"{other_server.url}/stolen"}, b""))
    with pytest.raises(errors.UnsafeAddress):
        line(server).media_content({"kind": "image", "ref": "5"})
    assert not other_server.requests  # the token never left for the other host


def test_line_external_content_is_not_fetched(server):
    with pytest.raises(errors.UnsafeAddress):
        line(server).media_content({"kind": "image", "ref": "6", "url": "https://example.com/a.jpg"})
    assert not server.requests


def test_line_private_address_refused_without_the_allow_list(server):
    client = get_client("line", base_url=server.url, token="t")
    with pytest.raises(errors.UnsafeAddress):
        client.media_content({"kind": "image", "ref": "7"})


# ----------------------------------------------------------------------
# Telegram
# ----------------------------------------------------------------------


def telegram(server):
    return get_client("telegram", base_url=server.url, token=TELEGRAM_TOKEN, allowed_hosts=LOOPBACK)


def telegram_message(**fields):
    return {
        "update_id": 1,
        "message": {
            "message_id": 1366,
            "from": {"id": 7261839, "is_bot": False, "first_name": "سارا"},
            "chat": {"id": 7261839, "type": "private"},
            "date": 1790000000,
            **fields,
        },
    }


def test_telegram_photo_keeps_the_largest_size_under_the_cap():
    photo = [
        {"file_id": "AgACAgQAAxk-small", "file_unique_id": "a", "file_size": 1200, "width": 90, "height": 67},
        {"file_id": "AgACAgQAAxk-large", "file_unique_id": "b", "file_size": 98000, "width": 1280, "height": 960},
        {"file_id": "AgACAgQAAxk-huge", "file_unique_id": "c", "file_size": 90 * 1024 * 1024, "width": 9e3},
    ]
    update = telegram_message(photo=photo, caption="این‌طوری رسید")
    item = get_client_class("telegram").read_event(update).items[0]
    assert item.text == "این‌طوری رسید"
    assert item.extra["media"] == [{"kind": "image", "ref": "AgACAgQAAxk-large", "size": 98000}]


def test_telegram_animated_sticker_keeps_its_thumbnail():
    sticker = {
        "file_id": "CAACAgIAAxk-tgs",
        "is_animated": True,
        "is_video": False,
        "emoji": "😡",
        "thumbnail": {"file_id": "AAMCAgADGQ-thumb", "file_size": 5000},
    }
    item = get_client_class("telegram").read_event(telegram_message(sticker=sticker)).items[0]
    assert item.text == "[sticker 😡]"
    assert item.extra["media"] == [{"kind": "sticker", "ref": "AAMCAgADGQ-thumb", "size": 5000}]
    voice = {"file_id": "AwACAgQ-voice", "mime_type": "audio/ogg", "file_size": 8000, "duration": 3}
    item = get_client_class("telegram").read_event(telegram_message(voice=voice)).items[0]
    assert item.extra["media"] == [{"kind": "audio", "ref": "AwACAgQ-voice", "mimetype": "audio/ogg", "size": 8000}]


def test_telegram_get_file_then_the_file_path(server, png):
    def get_file(request):
        assert json.loads(request["body"]) == {"file_id": "AgACAgQAAxk-large"}
        return 200, {}, {"ok": True, "result": {"file_id": "AgACAgQAAxk-large", "file_path": "photos/file_7.jpg"}}

    server.route("POST", f"/bot{TELEGRAM_TOKEN}/getFile", get_file)
    server.route("GET", f"/file/bot{TELEGRAM_TOKEN}/photos/file_7.jpg", (200, {}, JPEG))
    download = telegram(server).media_content({"kind": "image", "ref": "AgACAgQAAxk-large"})
    assert download.mimetype == "image/jpeg" and download.data == JPEG


def test_telegram_unknown_file_id_is_gone(server):
    answer = {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: wrong file_id or the file is temporarily unavailable",
    }
    server.route("POST", f"/bot{TELEGRAM_TOKEN}/getFile", (400, {}, answer))
    with pytest.raises(MediaGone):
        telegram(server).media_content({"kind": "image", "ref": "AgAC-old"})


def test_telegram_too_big_is_refused_before_any_download(server):
    with pytest.raises(MediaRefused):
        telegram(server).media_content({"kind": "video", "ref": "BAAC", "size": 300 * 1024 * 1024})
    assert not server.requests
    answer = {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"}
    server.route("POST", f"/bot{TELEGRAM_TOKEN}/getFile", (400, {}, answer))
    with pytest.raises(MediaRefused):
        telegram(server).media_content({"kind": "video", "ref": "BAAC"})


def test_telegram_file_path_cannot_climb(server):
    answer = {"ok": True, "result": {"file_id": "x", "file_path": "../../bot/getMe"}}
    server.route("POST", f"/bot{TELEGRAM_TOKEN}/getFile", (200, {}, answer))
    with pytest.raises(errors.BadPayload):
        telegram(server).media_content({"kind": "image", "ref": "x"})


# ----------------------------------------------------------------------
# WhatsApp and Messenger
# ----------------------------------------------------------------------


def whatsapp(server):
    return get_client(
        "whatsapp", base_url=server.url, login=PHONE_NUMBER_ID, token="EAAG-system-user", allowed_hosts=LOOPBACK
    )


def test_whatsapp_keeps_the_media_id(server):
    events = get_client_class("whatsapp").split_delivery(delivery("whatsapp_messages"))
    refs = [
        ref
        for event in events
        for item in get_client_class("whatsapp").read_event(event.raw).items
        for ref in item.extra.get("media", [])
    ]
    assert {ref["kind"] for ref in refs} >= {"image", "sticker"}
    assert all(ref["ref"] for ref in refs)


def test_whatsapp_media_id_then_url_with_the_token(server, png):
    server.route(
        "GET",
        "/1037543291543636",
        (
            200,
            {},
            {
                "messaging_product": "whatsapp",
                "url": f"{server.url}/whatsapp_business/attachments/?mid=1037543291543636&ext=1",
                "mime_type": "image/jpeg",
                "sha256": "e3b0c442",
                "file_size": 303833,
                "id": "1037543291543636",
            },
        ),
    )
    server.route("GET", "/whatsapp_business/attachments/", (200, {"Content-Type": "image/jpeg"}, png()))
    download = whatsapp(server).media_content({"kind": "image", "ref": "1037543291543636"})
    assert download.mimetype == "image/png"  # what the bytes are, whatever was declared
    assert server.requests[-1]["headers"]["Authorization"] == "Bearer EAAG-system-user"


def test_whatsapp_expired_media_id_is_gone(server):
    error = {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}}
    server.route("GET", "/1037543291543637", (400, {}, error))
    with pytest.raises(MediaGone):
        whatsapp(server).media_content({"kind": "image", "ref": "1037543291543637"})


def test_whatsapp_media_url_on_another_host_is_refused(server, other_server, png):
    other_server.route("GET", "/x", (200, {}, png()))
    server.route("GET", "/1037543291543638", (200, {}, {"url": f"{other_server.url}/x", "id": "1037543291543638"}))
    with pytest.raises(errors.UnsafeAddress):
        whatsapp(server).media_content({"kind": "image", "ref": "1037543291543638"})
    assert not other_server.requests


def test_messenger_attachment_urls_kept_and_fetched_without_the_token(server, png):
    events = get_client_class("facebook").split_delivery(delivery("messenger_attachments"))
    items = [item for event in events for item in get_client_class("facebook").read_event(event.raw).items]
    kinds = [ref["kind"] for item in items for ref in item.extra.get("media", [])]
    assert kinds == ["image", "sticker", "file"]
    client = get_client("facebook", base_url=server.url, token="page-token", allowed_hosts=LOOPBACK)
    server.route("GET", "/v/t1.15752-9/parcel.jpg", (200, {}, png()))
    download = client.media_content({"kind": "image", "url": f"{server.url}/v/t1.15752-9/parcel.jpg?_nc_cat=1"})
    assert download.mimetype == "image/png"
    assert "Authorization" not in server.requests[-1]["headers"]
    # The real delivery's address is Meta's CDN: accepted as a vendor host (not fetched here).
    media_module.check_vendor_host(client, items[0].extra["media"][0]["url"], ("fbcdn.net", ".fbcdn.net"))


def test_messenger_attachment_on_a_strangers_host_is_refused(server, other_server):
    client = get_client("facebook", base_url=server.url, token="page-token", allowed_hosts=LOOPBACK)
    with pytest.raises(errors.UnsafeAddress):
        client.media_content({"kind": "image", "url": f"{other_server.url}/evil.jpg"})
    with pytest.raises(errors.UnsafeAddress):
        client.media_content({"kind": "image", "url": "https://scontent.xx.fbcdn.net.evil.example/a.jpg"})
    assert not other_server.requests


# ----------------------------------------------------------------------
# Public posts: thumbnails only
# ----------------------------------------------------------------------


def test_bluesky_keeps_the_thumbnails_and_their_alt_text(server, other_server, png):
    client = get_client("bluesky", base_url=server.url, login="acme.test", token="pw", allowed_hosts=LOOPBACK)
    raw = {
        "uri": "at://did:plc:abc/app.bsky.feed.post/3kxyz",
        "cid": "bafyreia",
        "author": {"did": "did:plc:abc", "handle": "somchai.bsky.social"},
        "record": {"text": "มาถึงแบบนี้ครับ", "createdAt": "2026-11-01T09:00:00Z"},
        "embed": {
            "$type": "app.bsky.embed.images#view",
            "images": [
                {
                    "thumb": "https://cdn.bsky.app/img/feed_thumbnail/plain/did:plc:abc/bafkrei@jpeg",
                    "fullsize": "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:abc/bafkrei@jpeg",
                    "alt": "กล่องพัสดุที่บุบ",
                }
            ],
        },
    }
    item = client._normalize(raw, None)
    assert item.extra["media"] == [
        {
            "kind": "thumbnail",
            "url": "https://cdn.bsky.app/img/feed_thumbnail/plain/did:plc:abc/bafkrei@jpeg",
            "alt": "กล่องพัสดุที่บุบ",
        }
    ]
    media_module.check_vendor_host(client, item.extra["media"][0]["url"], ("cdn.bsky.app",))
    server.route("GET", "/img/feed_thumbnail/x", (200, {}, png()))
    download = client.media_content({"kind": "thumbnail", "url": f"{server.url}/img/feed_thumbnail/x"})
    assert download.mimetype == "image/png"
    assert "Authorization" not in server.requests[-1]["headers"]
    with pytest.raises(errors.UnsafeAddress):
        client.media_content({"kind": "thumbnail", "url": f"{other_server.url}/img/x"})
    with pytest.raises(errors.UnsafeAddress):
        client.media_content({"kind": "thumbnail", "url": "https://cdn.bsky.app.evil.example/img/x"})


def test_mastodon_keeps_the_previews_from_its_own_hosts(server, png, monkeypatch):
    client = get_client("mastodon", base_url=server.url, token="t", allowed_hosts=LOOPBACK)
    status = {
        "id": "113400000000000001",
        "created_at": "2026-11-01T09:00:00.000Z",
        "content": "<p>It arrived like this</p>",
        "account": {"id": "1", "acct": "jane@example.social", "username": "jane"},
        "media_attachments": [
            {
                "id": "22",
                "type": "image",
                "url": f"{server.url}/system/media_attachments/files/original/parcel.jpg",
                "preview_url": f"{server.url}/system/media_attachments/files/small/parcel.jpg",
                "description": "A crushed parcel",
            },
            {"id": "23", "type": "audio", "url": "https://files.example/a.mp3", "preview_url": None},
        ],
    }
    item = client._normalize(status, None)
    assert item.extra["media"] == [
        {
            "kind": "thumbnail",
            "url": f"{server.url}/system/media_attachments/files/small/parcel.jpg",
            "alt": "A crushed parcel",
        }
    ]
    server.route("GET", "/system/media_attachments/files/small/parcel.jpg", (200, {}, png()))
    assert client.media_content(item.extra["media"][0]).mimetype == "image/png"
    # The instance's media host (files.<instance>) is the instance's; another host is not.
    real = get_client("mastodon", base_url="https://mastodon.social", token="t")
    media_module.check_vendor_host(
        real, "https://files.mastodon.social/media_attachments/small/a.jpg", ("mastodon.social", ".mastodon.social")
    )
    with pytest.raises(errors.UnsafeAddress):
        real.media_content({"kind": "thumbnail", "url": "https://evil.example/a.jpg"})


def test_a_thumbnail_is_capped_smaller_than_a_picture(server, monkeypatch, png):
    assert media_module.CAPS["thumbnail"] < media_module.CAPS["image"]
    monkeypatch.setitem(media_module.CAPS, "thumbnail", 64)
    client = get_client("bluesky", base_url=server.url, login="acme.test", token="pw", allowed_hosts=LOOPBACK)
    server.route("GET", "/img/big", (200, {}, png(64, 64)))
    with pytest.raises(MediaRefused):
        client.media_content({"kind": "thumbnail", "url": f"{server.url}/img/big"})

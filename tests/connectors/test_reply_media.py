"""Answers with pictures and files (``send_media``): each network's upload and send API, on loopback."""

import json
from datetime import datetime, timedelta, timezone

import pytest
from meta_payloads import IG_ID, IGSID, PAGE_ID, PHONE_NUMBER_ID, PSID

from social_crm.connectors import errors, get_client
from social_crm.connectors.models import Media

LOOPBACK = "127.0.0.1"
TELEGRAM_TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
CHAT = 7261839
WA_ID = "989121234567"
PERSIAN = "این عکس بستهٔ شماست"
THAI = "นี่คือรูปพัสดุของคุณครับ"


def recent():
    return {"received_at": datetime.now(timezone.utc) - timedelta(hours=1)}


def photo(png, name="parcel.png", url=""):
    return Media(filename=name, mimetype="image/png", data=png(), url=url, preview_url=url and f"{url}/preview")


def telegram_message(message_id, extra):
    return {
        "message_id": message_id,
        "from": {"id": 110201543, "is_bot": True, "first_name": "Acme"},
        "chat": {"id": CHAT, "type": "private"},
        "date": 1790000100,
        **extra,
    }


@pytest.fixture
def telegram(server):
    def sent(kind):
        def handler(request):
            return 200, {}, {"ok": True, "result": telegram_message(1400 + len(server.requests), {kind: [{}]})}

        return handler

    server.route("POST", f"/bot{TELEGRAM_TOKEN}/sendPhoto", sent("photo"))
    server.route("POST", f"/bot{TELEGRAM_TOKEN}/sendDocument", sent("document"))
    server.route(
        "POST",
        f"/bot{TELEGRAM_TOKEN}/sendMessage",
        lambda request: (200, {}, {"ok": True, "result": telegram_message(1399, {"text": "t"})}),
    )
    return get_client("telegram", base_url=server.url, allowed_hosts=LOOPBACK, token=TELEGRAM_TOKEN)


def test_telegram_photo_with_caption_and_document_multipart(server, telegram, png, multipart):
    pdf = Media(filename="invoice.pdf", mimetype="application/pdf", data=b"%PDF-1.4 invoice")
    item = telegram.send_media(PERSIAN, [photo(png), pdf], str(CHAT), {"chat_id": CHAT, "message_id": 1365})
    first, second = server.requests
    assert first["path"].endswith("/sendPhoto") and second["path"].endswith("/sendDocument")
    fields = multipart(first)
    assert fields["photo"]["filename"] == "parcel.png" and fields["photo"]["data"] == png()
    assert fields["chat_id"]["data"] == str(CHAT).encode()
    assert fields["caption"]["data"].decode() == PERSIAN
    assert json.loads(fields["reply_parameters"]["data"])["message_id"] == 1365
    document = multipart(second)
    assert document["document"]["data"] == b"%PDF-1.4 invoice" and "caption" not in document
    assert item.external_id == f"{CHAT}:1401" and item.is_own


def test_telegram_long_text_goes_first_then_the_photo(server, telegram, png, multipart):
    telegram.send_media("x" * 1500, [photo(png)], str(CHAT), {"chat_id": CHAT})
    assert [r["path"].rsplit("/", 1)[1] for r in server.requests] == ["sendMessage", "sendPhoto"]
    assert "caption" not in multipart(server.requests[1])


def test_telegram_refuses_too_large_before_sending(server, telegram):
    huge = Media(filename="scan.png", mimetype="image/png", data=b"\x89PNG" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(errors.InvalidPost, match="scan.png takes 10.0 MB; Telegram takes up to 10 MB"):
        telegram.send_media("hi", [huge], str(CHAT), {"chat_id": CHAT})
    assert server.requests == []


def test_telegram_second_file_refused_is_partly_sent(server, telegram, png):
    server.route(
        "POST",
        f"/bot{TELEGRAM_TOKEN}/sendDocument",
        (400, {}, {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"}),
    )
    pdf = Media(filename="invoice.pdf", mimetype="application/pdf", data=b"%PDF-1.4")
    with pytest.raises(errors.PartlySent) as caught:
        telegram.send_media("hi", [photo(png), pdf], str(CHAT), {"chat_id": CHAT})
    assert caught.value.sent.external_id == f"{CHAT}:1401"


def test_whatsapp_uploads_then_sends_the_media_id(server, png, multipart):
    server.route("POST", f"/{PHONE_NUMBER_ID}/media", (200, {}, {"id": "1166846181421424"}))
    server.route(
        "POST",
        f"/{PHONE_NUMBER_ID}/messages",
        (200, {}, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.HBgMOTg5MTIx"}]}),
    )
    client = get_client("whatsapp", base_url=server.url, allowed_hosts=LOOPBACK, login=PHONE_NUMBER_ID, token="t")
    item = client.send_media(PERSIAN, [photo(png)], WA_ID, {"mid": "wamid.question", **recent()})
    upload, message = server.requests
    fields = multipart(upload)
    assert fields["messaging_product"]["data"] == b"whatsapp"
    assert fields["type"]["data"] == b"image/png"
    assert fields["file"]["data"] == png() and fields["file"]["filename"] == "parcel.png"
    assert json.loads(message["body"]) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "image",
        "image": {"id": "1166846181421424", "caption": PERSIAN},
        "context": {"message_id": "wamid.question"},
    }
    assert item.external_id == "wamid.HBgMOTg5MTIx"


def test_whatsapp_refuses_a_type_it_does_not_take(server):
    client = get_client("whatsapp", base_url=server.url, allowed_hosts=LOOPBACK, login=PHONE_NUMBER_ID, token="t")
    zipped = Media(filename="all.zip", mimetype="application/zip", data=b"PK\x03\x04")
    with pytest.raises(errors.InvalidPost, match=r"WhatsApp does not take all.zip \(application/zip\)"):
        client.send_media("hi", [zipped], WA_ID, recent())
    assert server.requests == []


def test_messenger_text_then_image_by_url(server, png):
    server.route("POST", f"/{PAGE_ID}/messages", lambda r: (200, {}, {"message_id": f"m_{len(server.requests)}"}))
    client = get_client("facebook", base_url=server.url, allowed_hosts=LOOPBACK, login=PAGE_ID, token="t")
    url = "https://odoo.example/social_crm/media/abc"
    item = client.send_media("Here it is", [photo(png, url=url)], PSID, recent())
    text, image = (json.loads(r["body"]) for r in server.requests)
    assert text["message"] == {"text": "Here it is"}
    assert image == {
        "recipient": {"id": PSID},
        "message": {"attachment": {"type": "image", "payload": {"url": url, "is_reusable": False}}},
        "messaging_type": "RESPONSE",
    }
    assert item.external_id == "m_1"


def test_instagram_takes_images_by_url_only(server, png):
    server.route("POST", f"/{IG_ID}/messages", (200, {}, {"recipient_id": IGSID, "message_id": "aWdfZAG1"}))
    client = get_client("instagram", base_url=server.url, allowed_hosts=LOOPBACK, login=IG_ID, token="t")
    url = "https://odoo.example/social_crm/media/abc"
    client.send_media("", [photo(png, url=url)], IGSID, recent())
    (request,) = server.requests
    assert json.loads(request["body"])["message"] == {"attachment": {"type": "image", "payload": {"url": url}}}
    pdf = Media(filename="invoice.pdf", mimetype="application/pdf", data=b"%PDF", url=url)
    with pytest.raises(errors.InvalidPost, match="Instagram does not take invoice.pdf"):
        client.send_media("", [pdf], IGSID, recent())
    with pytest.raises(errors.InvalidPost, match="public address"):
        client.send_media("", [photo(png)], IGSID, recent())
    assert len(server.requests) == 1


def test_line_text_and_image_in_one_push(server, png):
    server.route("POST", "/v2/bot/message/push", (200, {}, {"sentMessages": [{"id": "461230966842064897"}]}))
    client = get_client("line", base_url=server.url, allowed_hosts=LOOPBACK, token="channel-token")
    url = "https://odoo.example/social_crm/media/abc"
    key = "123e4567-e89b-42d3-a456-426614174000"
    item = client.send_media(THAI, [photo(png, url=url)], "U4af4980629a0b2d3c1e2f3a4b5c6d7e8", {"retry_key": key})
    (request,) = server.requests
    assert json.loads(request["body"])["messages"] == [
        {"type": "text", "text": THAI},
        {"type": "image", "originalContentUrl": url, "previewImageUrl": f"{url}/preview"},
    ]
    assert request["headers"]["X-Line-Retry-Key"] == key
    assert item.external_id == "461230966842064897"
    with pytest.raises(errors.InvalidPost, match="at most 4 files"):
        client.send_media(THAI, [photo(png, url=url)] * 5, "U4af4980629a0b2d3c1e2f3a4b5c6d7e8", {})

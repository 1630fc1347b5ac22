# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Agents answer with pictures and files: the composer's limits in words, approval freezing the files, each
network's upload or signed link on loopback, posting once."""

import io
import json
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP

import requests
from PIL import Image

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.misc import hash_sign

from ..models.selections import MEDIA_SCOPE
from .mastodon_case import MastodonReplyCase
from .network_case import png_bytes
from .webhook_case import BOT, TELEGRAM_TOKEN, WebhookCase, line_text, telegram_update

PAGE_ID = "104567890123456"
PSID = "6357283457123456"
PHONE_ID = "106540352242922"
WA_ID = "989121234567"
PUSH_PATH = "/v2/bot/message/push"
LINE_REPLY_PATH = "/v2/bot/message/reply"
PHOTO_PATH = f"/bot{TELEGRAM_TOKEN}/sendPhoto"
DOCUMENT_PATH = f"/bot{TELEGRAM_TOKEN}/sendDocument"
REPLY_LOGGER = "odoo.addons.social_crm.models.social_crm_outgoing"


def multipart(request):
    """``{field: (filename, bytes)}`` of a recorded multipart/form-data request."""
    content_type = request["headers"]["Content-Type"]
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + request["body"])
    return {
        part.get_param("name", header="content-disposition"): (part.get_filename(), part.get_payload(decode=True))
        for part in message.iter_parts()
    }


class MediaCase(WebhookCase):
    """LINE fetches the pictures of an image message from Odoo, as LINE's servers do: ``server.fetched`` holds
    ``(url, status, content type, bytes)`` of each fetch, and of the same link with a forged token."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.fetched = []
        cls.server.telegram_failure = None

        def line_sent(request):
            for message in json.loads(request["body"])["messages"]:
                if message["type"] != "image":
                    continue
                for url in (
                    message["originalContentUrl"],
                    message["previewImageUrl"],
                    message["originalContentUrl"][:-4] + "AAAA",
                ):
                    answer = requests.get(url, timeout=10)
                    cls.server.fetched.append(
                        (url, answer.status_code, answer.headers.get("Content-Type"), answer.content)
                    )
            return 200, {}, {"sentMessages": [{"id": f"46123096684{len(cls.server.requests):05d}"}]}

        cls.server.route("POST", PUSH_PATH, line_sent)
        cls.server.route("POST", LINE_REPLY_PATH, line_sent)

        def telegram_file(kind):
            def handler(request):
                if cls.server.telegram_failure:
                    return cls.server.telegram_failure
                caption = multipart(request).get("caption", (None, b""))[1].decode()
                message = {
                    "message_id": 1500 + len(cls.server.requests),
                    "from": BOT,
                    "chat": {"id": 7261839, "first_name": "سارا", "type": "private"},
                    "date": 1790000100,
                    kind: [{"file_id": "AgACAgQAAxkDAAI", "width": 320, "height": 200}]
                    if kind == "photo"
                    else {"file_id": "BQACAgQ"},
                    **({"caption": caption} if caption else {}),
                }
                return 200, {}, {"ok": True, "result": message}

            return handler

        cls.server.route("POST", PHOTO_PATH, telegram_file("photo"))
        cls.server.route("POST", DOCUMENT_PATH, telegram_file("document"))

    def setUp(self):
        super().setUp()
        self.server.fetched.clear()
        self.server.telegram_failure = None
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())

    def upload(self, user, name="parcel.png", raw=None, **vals):
        """What the composer's upload does: a file of the reply model not linked to a reply yet."""
        return (
            self.env["ir.attachment"]
            .with_user(user)
            .create({"name": name, "raw": raw or png_bytes(), "res_model": "social_crm.reply", "res_id": 0, **vals})
        )

    def line_ticket(self, event_id="01FZ74A0TDDPYRVKNK77XKMEDA"):
        self.deliver_line(line_text(event_id, "468789577898262599"))
        self.run_processing()
        return self.env["social_crm.mention"].search([("account_id", "=", self.line.id)], limit=1).ticket_id

    def telegram_ticket(self, update_id=900101):
        self.deliver_telegram(telegram_update(update_id))
        self.run_processing()
        return self.env["social_crm.mention"].search([("account_id", "=", self.telegram.id)], limit=1).ticket_id

    def draft(self, ticket, user, body, *attachments):
        reply = self.answer_from_ticket(ticket, user, body)
        reply.with_user(user).write({"attachment_ids": [(4, attachment.id) for attachment in attachments]})
        return reply


@tagged("social_crm", "social_crm_reply", "post_install", "-at_install")
class TestReplyMedia(MediaCase):
    def test_line_picture_through_approval_reaches_line_once_by_a_signed_link(self):
        self.line.reply_policy = "always"
        ticket = self.line_ticket()
        image = self.upload(self.social_user)
        reply = self.draft(ticket, self.social_user, "นี่คือรูปพัสดุของคุณครับ", image)
        self.assertEqual((image.res_model, image.res_id), ("social_crm.reply", reply.id), "the upload is the reply's")
        self.assertFalse(reply.attachment_warning)
        reply.with_user(self.social_user).action_submit()
        self.assertEqual(reply.state, "to_approve")
        self.assertIn("with 1 file(s): parcel.png", reply.activity_ids.note)
        self.assertFalse(self.server.fetched, "nothing goes out before the approval")
        self.assertFalse([r for r in self.server.requests if r["path"] in (PUSH_PATH, LINE_REPLY_PATH)])

        # The manager reads the reply's file (it is the reply's now) and approves: LINE receives it once.
        self.assertEqual(image.with_user(self.social_manager).raw, image.raw)
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "posted", reply.error_message)
        [push] = [json.loads(r["body"]) for r in self.server.requests if r["path"] in (PUSH_PATH, LINE_REPLY_PATH)]
        text, picture = push["messages"]
        self.assertEqual((text["type"], text["text"]), ("text", "นี่คือรูปพัสดุของคุณครับ"))
        self.assertTrue(picture["originalContentUrl"].startswith(f"{self.base_url()}/social_crm/media/"))
        self.assertEqual(picture["previewImageUrl"], picture["originalContentUrl"] + "/preview")

        # LINE fetched the picture with the signed link; the preview is a small JPEG; a forged token gets nothing.
        (original, preview, forged) = self.server.fetched
        self.assertEqual(original[1:], (200, "image/png", image.raw))
        self.assertEqual(preview[1:3], (200, "image/jpeg"))
        self.assertLessEqual(max(Image.open(io.BytesIO(preview[3])).size), 240)
        self.assertEqual(forged[1], 404)

        with self.assertRaises(UserError):
            reply.with_user(self.social_manager).action_approve()
        self.assertEqual(len([r for r in self.server.requests if r["path"] in (PUSH_PATH, LINE_REPLY_PATH)]), 1)
        self.assertEqual(reply.posted_mention_id.direction, "outbound")

    def test_telegram_photo_and_document_go_multipart(self):
        ticket = self.telegram_ticket()
        image = self.upload(self.social_manager)
        pdf = self.upload(self.social_manager, name="invoice.pdf", raw=b"%PDF-1.4\n% invoice 1042\n%%EOF\n")
        reply = self.draft(ticket, self.social_manager, "سلام سارا، این عکس بسته است", image, pdf)
        self.assertFalse(reply.attachment_warning)
        reply.with_user(self.social_manager).action_submit()
        self.assertEqual(reply.state, "posted", reply.error_message)
        photo, document = (r for r in self.server.requests if r["path"] in (PHOTO_PATH, DOCUMENT_PATH))
        self.assertEqual(photo["path"], PHOTO_PATH)
        fields = multipart(photo)
        self.assertEqual(fields["photo"], ("parcel.png", image.raw))
        self.assertEqual(fields["chat_id"][1], b"7261839")
        self.assertEqual(fields["caption"][1].decode(), "سلام سارا، این عکس بسته است")
        self.assertEqual(json.loads(fields["reply_parameters"][1])["message_id"], 1365)
        self.assertEqual(multipart(document)["document"], ("invoice.pdf", pdf.raw))
        self.assertEqual(reply.posted_mention_id.body, "سلام سارا، این عکس بسته است")
        # the conversation shows what Sara received: the picture and the file in the brand's bubble
        sent = self.env["ir.attachment"].search(
            [("res_model", "=", "social_crm.mention"), ("res_id", "=", reply.posted_mention_id.id)]
        )
        self.assertEqual(sorted(sent.mapped("checksum")), sorted((image | pdf).mapped("checksum")))
        bubbles = reply.thread_id.with_user(self.social_user).conversation_html
        self.assertIn(f"/web/image/{sent.filtered(lambda a: a.name == 'parcel.png').id}", bubbles)

    def test_changed_added_or_removed_file_after_submission_is_a_draft_again(self):
        self.telegram.reply_policy = "always"
        ticket = self.telegram_ticket()
        image = self.upload(self.social_user)
        reply = self.draft(ticket, self.social_user, "سلام", image)
        reply.with_user(self.social_user).action_submit()
        self.assertEqual(reply.state, "to_approve")
        image.with_user(self.social_user).write({"raw": png_bytes(color=(0, 0, 0))})
        self.assertEqual(reply.state, "draft", "new bytes: approved again")

        reply.with_user(self.social_user).action_submit()
        other = self.upload(self.social_user, name="second.png", raw=png_bytes(color=(1, 2, 3)))
        reply.with_user(self.social_user).write({"attachment_ids": [(4, other.id)]})
        self.assertEqual(reply.state, "draft", "a file added")

        reply.with_user(self.social_user).action_submit()
        reply.with_user(self.social_user).write({"attachment_ids": [(3, other.id)]})
        self.assertEqual(reply.state, "draft", "a file removed")
        self.assertFalse([r for r in self.server.requests if r["path"] in (PHOTO_PATH, DOCUMENT_PATH)])

    @mute_logger(REPLY_LOGGER)
    def test_file_rewritten_behind_the_orm_is_not_sent(self):
        ticket = self.telegram_ticket()
        original = png_bytes(color=(17, 71, 117))  # its own file in the filestore, put back after the test
        image = self.upload(self.social_manager, raw=original)
        reply = self.draft(ticket, self.social_manager, "سلام", image)
        self.server.telegram_failure = (502, {}, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
        reply.with_user(self.social_manager).action_submit()
        self.assertEqual(reply.state, "failed")
        self.assertTrue(reply.approved_fingerprint)

        # The checksum column changed in SQL: what was approved no longer holds.
        self.server.telegram_failure = None
        self.server.requests.clear()
        self.env.cr.execute("UPDATE ir_attachment SET checksum = reverse(checksum) WHERE id = %s", [image.id])
        image.invalidate_recordset(["checksum"])
        with self.assertRaises(UserError):
            reply.with_user(self.social_manager).action_submit()
        self.env.cr.execute("UPDATE ir_attachment SET checksum = reverse(checksum) WHERE id = %s", [image.id])
        image.invalidate_recordset(["checksum", "raw"])

        # The bytes in the filestore rewritten, the checksum column untouched: refused when read to be sent.
        path = image._full_path(image.store_fname)
        self.addCleanup(lambda: open(path, "wb").write(original))  # noqa: SIM115
        with open(path, "wb") as stored:
            stored.write(png_bytes(color=(9, 9, 9)))
        reply.with_user(self.social_manager).action_submit()
        self.assertEqual(reply.state, "failed")
        self.assertIn("changed since the reply was approved", reply.error_message)
        self.assertFalse(reply.outcome_unknown)
        self.assertEqual([r for r in self.server.requests if r["path"] == PHOTO_PATH], [], "nothing was sent")

    def test_limits_are_said_in_words_before_submitting(self):
        ticket = self.line_ticket()
        large = self.upload(self.social_user, name="scan.png", raw=png_bytes() + b"\0" * (10 * 1024 * 1024))
        pdf = self.upload(self.social_user, name="invoice.pdf", raw=b"%PDF-1.4\n%%EOF\n")
        reply = self.draft(ticket, self.social_user, "ขอบคุณครับ", large, pdf)
        self.assertIn("scan.png is too large for LINE (10.0 MB; 10 MB at most).", reply.attachment_warning)
        self.assertIn("LINE does not take invoice.pdf (application/pdf).", reply.attachment_warning)
        with self.assertRaisesRegex(UserError, "too large for LINE"):
            reply.with_user(self.social_user).action_submit()
        self.assertEqual(reply.state, "draft")
        self.assertFalse([r for r in self.server.requests if r["path"] in (PUSH_PATH, LINE_REPLY_PATH)])

    def test_a_public_reply_takes_pictures_only(self):
        mention = self.ingest([self.make_item("at://jane/post/901", "my parcel is broken")])
        pdf = self.upload(self.social_user, name="invoice.pdf", raw=b"%PDF-1.4\n%%EOF\n")
        reply = (
            self.env["social_crm.reply"]
            .with_user(self.social_user)
            .create(
                {
                    "thread_id": mention.thread_id.id,
                    "parent_mention_id": mention.id,
                    "body": "Sorry Jane",
                    "attachment_ids": [(4, pdf.id)],
                }
            )
        )
        self.assertIn("Bluesky does not take invoice.pdf (application/pdf).", reply.attachment_warning)
        with self.assertRaisesRegex(UserError, "Bluesky does not take invoice.pdf"):
            reply.with_user(self.social_user).action_submit()

    def test_another_records_or_companys_file_is_refused(self):
        ticket = self.telegram_ticket()
        # A file of another document, even one the agent may read.
        partner_file = self.env["ir.attachment"].create(
            {"name": "contract.pdf", "raw": b"%PDF-1.4", "res_model": "res.partner", "res_id": self.partner.id}
        )
        self.assertTrue(partner_file.with_user(self.social_user).raw)
        with self.assertRaisesRegex(AccessError, "belongs to another document"):
            self.draft(ticket, self.social_user, "سلام", partner_file)
        # Someone else's upload: not readable, refused.
        theirs = self.upload(self.social_manager)
        with self.assertRaises(AccessError):
            self.draft(ticket, self.social_user, "سلام", theirs)
        # Another company's file.
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.social_user.company_ids |= other_company
        foreign = self.upload(self.social_user, company_id=other_company.id)
        with self.assertRaisesRegex(ValidationError, "belongs to another company"):
            self.draft(ticket, self.social_user, "سلام", foreign)

    def test_signed_link_serves_the_bytes_once_and_never_after_a_change_or_expiry(self):
        image = self.upload(self.social_manager)
        url = image._social_public_url(1)
        answer = self.url_open(url)
        self.assertEqual((answer.status_code, answer.content), (200, image.raw))
        self.assertEqual(answer.headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(self.url_open(url + "/original").status_code, 404)
        self.assertEqual(self.url_open(f"/social_crm/media/{'A' * 80}").status_code, 404)
        past = hash_sign(self.env, MEDIA_SCOPE, [image.id, image.checksum], expiration=datetime(2020, 1, 1))
        self.assertEqual(self.url_open(f"/social_crm/media/{past}").status_code, 404, "expired")
        other_scope = hash_sign(self.env, "mail.message", [image.id, image.checksum], expiration_hours=1)
        self.assertEqual(self.url_open(f"/social_crm/media/{other_scope}").status_code, 404)
        image.write({"raw": png_bytes(color=(5, 5, 5))})
        self.assertEqual(self.url_open(url).status_code, 404, "a changed file: the old link serves nothing")

        # Instagram publishing uses the same links.
        instagram = self.env["social_crm.account"].create(
            {"name": "Acme IG", "network": "instagram", "base_url": self.server.url, "login": "17841405822304914"}
        )
        post = self.env["social_crm.post"].create(
            {"body": "New", "account_ids": [(6, 0, instagram.ids)], "image_ids": [(6, 0, image.ids)]}
        )
        [media] = post._media(instagram)
        self.assertIn("/social_crm/media/", media.url)
        self.assertEqual(self.url_open(media.url).content, image.raw)


@tagged("social_crm", "social_crm_ui", "post_install", "-at_install")
class TestUiReplyMedia(MediaCase):
    def test_agent_attaches_a_picture_in_the_ticket_composer(self):
        ticket = self.telegram_ticket(900201)
        self.start_tour(f"/odoo/helpdesk.ticket/{ticket.id}", "social_crm_reply_media_tour", login="social_user")
        reply = ticket.social_reply_ids
        self.assertEqual(reply.state, "posted", reply.error_message)
        self.assertEqual(reply.attachment_ids.mapped("name"), ["parcel.png"])
        self.assertEqual((reply.attachment_ids.res_model, reply.attachment_ids.res_id), ("social_crm.reply", reply.id))
        [photo] = [r for r in self.server.requests if r["path"] == PHOTO_PATH]
        fields = multipart(photo)
        self.assertEqual(fields["photo"], ("parcel.png", reply.attachment_ids.raw))
        self.assertEqual(fields["caption"][1].decode(), "سلام سارا، این عکس بسته است")


@tagged("social_crm", "social_crm_reply", "post_install", "-at_install")
class TestReplyMediaMeta(MediaCase):
    """Messenger fetches the picture by its signed link while the message is sent; WhatsApp uploads then sends."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.attachment_failure = None

        def send_api(request):
            body = json.loads(request["body"])
            attachment = body["message"].get("attachment")
            if attachment:
                if cls.server.attachment_failure:
                    return cls.server.attachment_failure
                answer = requests.get(attachment["payload"]["url"], timeout=10)
                cls.server.fetched.append((attachment["payload"]["url"], answer.status_code, None, answer.content))
            return 200, {}, {"recipient_id": PSID, "message_id": f"m_{len(cls.server.requests)}"}

        cls.server.route("POST", f"/{PAGE_ID}/messages", send_api)
        cls.server.route("GET", f"/{PSID}", (200, {}, {"first_name": "สมชาย", "id": PSID}))
        cls.server.route("POST", f"/{PHONE_ID}/media", (200, {}, {"id": "1166846181421424"}))
        cls.server.route(
            "POST",
            f"/{PHONE_ID}/messages",
            lambda request: (200, {}, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.HBgMOTg5MTIx"}]}),
        )
        token = "EAAG-token"
        cls.page = cls.account_by_id("facebook", "Acme on Messenger", PAGE_ID, token=token)
        cls.whatsapp = cls.account_by_id("whatsapp", "Acme on WhatsApp", PHONE_ID, token=token)

    def setUp(self):
        super().setUp()
        self.server.attachment_failure = None

    def picture_reply(self, mention, body):
        """The manager's answer to ``mention``: ``body`` and a picture uploaded in the composer."""
        image = self.upload(self.social_manager)
        values = {"thread_id": mention.thread_id.id, "parent_mention_id": mention.id, "body": body}
        reply = (
            self.env["social_crm.reply"]
            .with_user(self.social_manager)
            .create({**values, "attachment_ids": [(4, image.id)]})
        )
        return reply, image

    def private_message(self, account, sender, mid):
        item = self.make_item(mid, "ส่งรูปสินค้าให้ดูหน่อยครับ", author_id=sender, handle="", root_id=sender)
        item.visibility = "private"
        item.extra = {"mid": mid, "chat_id": sender, "received_at": fields.Datetime.now().isoformat() + "+00:00"}
        return self.ingest([item], account)

    def test_messenger_text_then_picture_fetched_by_its_signed_link(self):
        mention = self.private_message(self.page, PSID, "m_question_1")
        self.assertEqual(mention.thread_id.visibility, "private")
        reply, image = self.picture_reply(mention, "นี่คือรูปครับ")
        self.assertFalse(reply.attachment_warning)
        reply.with_user(self.social_manager).action_submit()
        self.assertEqual(reply.state, "posted", reply.error_message)
        text, picture = (json.loads(r["body"]) for r in self.server.requests if r["path"] == f"/{PAGE_ID}/messages")
        self.assertEqual(text["message"], {"text": "นี่คือรูปครับ"})
        self.assertEqual(picture["message"]["attachment"]["type"], "image")
        [(url, status, _type, content)] = self.server.fetched
        self.assertEqual((status, content), (200, image.raw))
        self.assertIn("/social_crm/media/", url)

    @mute_logger(REPLY_LOGGER)
    def test_messenger_picture_refused_after_the_text_is_settled_by_a_person(self):
        mention = self.private_message(self.page, PSID, "m_question_2")
        reply, _image = self.picture_reply(mention, "นี่คือรูปครับ")
        error = {"error": {"message": "(#100) Upload attachment failure.", "type": "OAuthException", "code": 100}}
        self.server.attachment_failure = (400, {}, error)
        reply.with_user(self.social_manager).action_submit()
        self.assertEqual(reply.state, "failed")
        self.assertTrue(reply.outcome_unknown, "the text went out: nothing is sent again before a person checks")
        self.assertIn("received the first 1 part(s)", reply.error_message)
        with self.assertRaises(UserError):
            reply.with_user(self.social_manager).action_submit()
        self.assertEqual(len([r for r in self.server.requests if r["path"] == f"/{PAGE_ID}/messages"]), 2)

    def test_whatsapp_uploads_the_picture_then_sends_its_media_id(self):
        mention = self.private_message(self.whatsapp, WA_ID, "wamid.question")
        reply, image = self.picture_reply(mention, "این عکس بسته است")
        reply.with_user(self.social_manager).action_submit()
        self.assertEqual(reply.state, "posted", reply.error_message)
        upload, message = (r for r in self.server.requests if r["path"].startswith(f"/{PHONE_ID}/"))
        self.assertEqual(upload["path"], f"/{PHONE_ID}/media")
        fields_sent = multipart(upload)
        self.assertEqual(fields_sent["file"], ("parcel.png", image.raw))
        self.assertEqual(fields_sent["messaging_product"][1], b"whatsapp")
        body = json.loads(message["body"])
        self.assertEqual(body["image"], {"id": "1166846181421424", "caption": "این عکس بسته است"})
        self.assertEqual((body["to"], body["context"]), (WA_ID, {"message_id": "wamid.question"}))
        self.assertFalse(self.server.fetched, "WhatsApp gets the bytes: no link is handed out")


@tagged("social_crm", "social_crm_reply", "post_install", "-at_install")
class TestReplyMediaPublic(MastodonReplyCase):
    """A public reply's pictures go through the publishing code's upload (Mastodon ``POST /api/v2/media``)."""

    account_name = "Acme on Mastodon (pictures)"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.uploads = []

        def upload(request):
            cls.uploads.append(request)
            return 200, {}, {"id": f"1090{len(cls.uploads)}", "type": "image", "url": "https://mastodon.example/m.png"}

        cls.server.route("POST", "/api/v2/media", upload)

    def test_agents_public_reply_with_a_picture_is_approved_then_posted_once(self):
        image = (
            self.env["ir.attachment"]
            .with_user(self.social_user)
            .create({"name": "parcel.png", "raw": png_bytes(), "res_model": "social_crm.reply", "res_id": 0})
        )
        reply = self.draft(self.social_user)
        reply.with_user(self.social_user).write({"attachment_ids": [(4, image.id)]})
        self.assertFalse(reply.attachment_warning)
        reply.with_user(self.social_user).action_submit()
        self.assertEqual(reply.state, "to_approve", "a public reply waits for a manager")
        self.assertEqual((self.uploads, self.posted), ([], []))
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "posted", reply.error_message)
        [upload] = self.uploads
        self.assertEqual(multipart(upload)["file"], ("parcel.png", image.raw))
        [status] = self.posted
        self.assertEqual(status["media_ids"], ["10901"])
        self.assertEqual(status["in_reply_to_id"], self.mention.external_id)
        with self.assertRaises(UserError):
            reply.with_user(self.social_manager).action_approve()
        self.assertEqual(len(self.posted), 1)

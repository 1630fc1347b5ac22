# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pictures and files people send: through the real webhook route, downloaded by the cron from the networks'
content APIs on loopback, stored as attachments of the mention, shown in the chat, walled like the message."""

import base64
import io
import json
import os
import zipfile
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .network_case import png_bytes
from .test_privacy import analyzed_as
from .webhook_case import PERSIAN, SARA, TELEGRAM_TOKEN, WebhookCase, bot_update, line_event, line_message

PNG = png_bytes(6, 4)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def content_path(message_id):
    return f"/v2/bot/message/{message_id}/content"


class MediaCase(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A plain employee: a Reader of public mentions by default ("Every employee reads social mentions").
        cls.employee = mail_new_test_user(
            cls.env, login="media_employee", name="Eddie Employee", groups="base.group_user"
        )
        cls.outsider = cls.user_of_another_company("media_outsider")

    def run_media(self):
        self.env.ref("social_crm.ir_cron_fetch_media").sudo().method_direct_trigger()

    def requests_to(self, path):
        return [r for r in self.server.requests if r["path"] == path]

    def attachments(self, mention):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "social_crm.mention"), ("res_id", "=", mention.id)], order="id"
        )

    def line_photo(self, message_id="7740001", body=PNG, status=200):
        self.server.route("GET", content_path(message_id), (status, {"Content-Type": "image/jpeg"}, body))
        self.assertEqual(
            self.deliver_line(line_message(f"01J0MEDIA{message_id}", message_id, "image")).status_code, 200
        )
        self.assertFalse(self.requests_to(content_path(message_id)), "nothing is downloaded in the webhook request")
        with analyzed_as("negative", "complaint"):  # "it arrived like this": a ticket
            self.run_processing()
        mention = self.env["social_crm.mention"].search(
            [("account_id", "=", self.line.id), ("external_id", "=", message_id)]
        )
        self.assertEqual(mention.media_state, "pending")
        self.assertFalse(self.requests_to(content_path(message_id)), "nor while the event is processed")
        self.run_media()
        return mention


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestMediaReceive(MediaCase):
    def test_line_photo_lands_on_the_ticket_as_a_picture(self):
        mention = self.line_photo()
        [attachment] = self.attachments(mention)
        self.assertEqual(attachment.mimetype, "image/png", "the type comes from the bytes, not the header")
        self.assertEqual(attachment.raw, PNG)
        self.assertEqual(attachment.company_id, self.line.company_id)
        self.assertEqual(mention.media_state, "done")
        self.assertFalse(mention.media_note)
        [request] = self.requests_to(content_path("7740001"))
        self.assertEqual(request["headers"]["Authorization"], "Bearer channel-access-token")
        self.assertEqual(mention.body, "[image]")
        html = str(mention.ticket_id.with_user(self.social_user).social_chat_html)
        self.assertIn(f'src="/web/image/{attachment.id}?unique={attachment.checksum}"', html)
        self.assertIn(f'data-id="{attachment.id}"', html)
        # Again: nothing downloaded twice, nothing stored twice.
        mention.media_state = "pending"
        self.run_media()
        self.assertEqual(len(self.requests_to(content_path("7740001"))), 1)
        self.assertEqual(len(self.attachments(mention)), 1)
        self.assertEqual(mention.media_state, "done")

    def test_line_content_gone_is_said_in_words_and_not_asked_again(self):
        mention = self.line_photo("7740002", {"message": "Not found"}, status=404)
        self.assertFalse(self.attachments(mention))
        self.assertEqual(mention.media_state, "failed")
        self.assertEqual(mention.media_note, "The picture is no longer available from LINE.")
        self.assertIn("The picture is no longer available from LINE.", str(mention.thread_id.conversation_html))
        self.run_media()
        self.assertEqual(len(self.requests_to(content_path("7740002"))), 1, "never retried")

    def test_mistyped_and_oversized_content_are_refused(self):
        html = b"<html><body><script>alert(document.cookie)</script></body></html>"
        mention = self.line_photo("7740003", html)
        self.assertFalse(self.attachments(mention))
        self.assertEqual(mention.media_state, "failed")
        self.assertIn("not a type Odoo shows", mention.media_note)
        self.server.route("GET", content_path("7740004"), (200, {}, b"\x00" * 10))
        self.deliver_line(
            line_message("01J0MEDIA7740004", "7740004", "file", fileName="manual.pdf", fileSize=300 * 1024 * 1024)
        )
        self.run_processing()
        self.run_media()
        big = self.env["social_crm.mention"].search([("external_id", "=", "7740004")])
        self.assertIn("larger than 20 MB", big.media_note)
        self.assertEqual(big.media_state, "failed")

    def test_a_network_down_is_retried_a_few_times_then_said(self):
        mention = self.line_photo("7740005", {"message": "busy"}, status=503)
        self.assertEqual(mention.media_state, "pending")
        self.assertEqual(mention.media_attempts, 1)
        self.assertTrue(mention.media_retry_at)
        self.run_media()
        self.assertEqual(len(self.requests_to(content_path("7740005"))), 1, "not before its time")
        for _attempt in range(4):
            mention.media_retry_at = False
            self.run_media()
        self.assertEqual(mention.media_state, "failed")
        self.assertIn("could not be downloaded from LINE after 5 attempts", mention.media_note)
        mention.media_retry_at = False
        self.run_media()
        self.assertEqual(len(self.requests_to(content_path("7740005"))), 5, "and then never again")

    def test_an_unexpected_failure_never_blocks_the_queue(self):
        self.server.route("GET", content_path("7740007"), (200, {}, PNG))
        self.server.route("GET", content_path("7740008"), (200, {}, JPEG))
        self.deliver_line(
            line_message("01J0MEDIA7740007", "7740007", "image"), line_message("01J0MEDIA7740008", "7740008", "image")
        )
        self.run_processing()
        real = self.env.registry["social_crm.media"]._store

        def broken(media, mention, ref, download, index):
            if mention.external_id == "7740007":
                raise RuntimeError("disk full")
            return real(media, mention, ref, download, index)

        with (
            patch.object(self.env.registry["social_crm.media"], "_store", broken),
            mute_logger("odoo.addons.social_crm.models.social_crm_media"),
        ):
            self.run_media()
        first, second = (
            self.env["social_crm.mention"].search([("external_id", "=", i)]) for i in ("7740007", "7740008")
        )
        self.assertEqual((first.media_state, first.media_attempts), ("pending", 1), "tried again later")
        self.assertFalse(self.attachments(first))
        self.assertEqual(second.media_state, "done", "the next message is not held up")
        first.media_retry_at = False
        self.run_media()
        self.assertEqual(first.media_state, "done")
        self.assertEqual(self.attachments(first).raw, PNG)

    def test_content_on_another_host_is_not_fetched(self):
        provider = {"type": "external", "originalContentUrl": f"{self.server.url}/elsewhere.jpg"}
        self.deliver_line(line_message("01J0MEDIA7740006", "7740006", "image", contentProvider=provider))
        self.run_processing()
        self.run_media()
        mention = self.env["social_crm.mention"].search([("external_id", "=", "7740006")])
        self.assertEqual(mention.media_note, "The picture was not downloaded: its address is not one of LINE's.")
        self.assertFalse([r for r in self.server.requests if r["method"] == "GET" and "elsewhere" in r["path"]])

    def test_telegram_persian_photo(self):
        self.server.route(
            "POST",
            f"/bot{TELEGRAM_TOKEN}/getFile",
            lambda request: (
                200,
                {},
                {"ok": True, "result": {**json.loads(request["body"]), "file_path": "photos/file_12.jpg"}},
            ),
        )
        self.server.route("GET", f"/file/bot{TELEGRAM_TOKEN}/photos/file_12.jpg", (200, {}, JPEG))
        photo = [
            {"file_id": "AgACAgQAAxkBAAIB-small", "file_unique_id": "AQADs", "file_size": 900, "width": 90},
            {"file_id": "AgACAgQAAxkBAAIB-large", "file_unique_id": "AQADl", "file_size": 61000, "width": 800},
        ]
        chat = {"id": SARA["id"], "first_name": "سارا", "type": "private"}
        update = bot_update(940001, 1388, SARA, chat, caption=PERSIAN, photo=photo)
        self.assertEqual(self.deliver_telegram(update).status_code, 200)
        with analyzed_as("negative", "complaint"):
            self.run_processing()
        self.run_media()
        mention = self.env["social_crm.mention"].search([("account_id", "=", self.telegram.id)])
        self.assertEqual(mention.body, PERSIAN)
        [attachment] = self.attachments(mention)
        self.assertEqual(attachment.mimetype, "image/jpeg")
        self.assertEqual(attachment.raw, JPEG)
        [get_file] = self.requests_to(f"/bot{TELEGRAM_TOKEN}/getFile")
        self.assertEqual(json.loads(get_file["body"]), {"file_id": "AgACAgQAAxkBAAIB-large"})
        html = str(mention.ticket_id.with_user(self.social_user).social_chat_html)
        self.assertIn(f"/web/image/{attachment.id}", html)
        self.assertIn(PERSIAN, html)

    def test_public_post_thumbnail_with_its_alt_text_for_every_reader(self):
        bluesky = self.connected_account(
            "bluesky", "Acme on Bluesky (loopback)", self.server.url, login="acme.test", token="app-password"
        )
        self.server.route("GET", "/img/feed_thumbnail/plain/did:plc:jane/bafkrei@jpeg", (200, {}, JPEG))
        thumb = {
            "kind": "thumbnail",
            "url": f"{self.server.url}/img/feed_thumbnail/plain/did:plc:jane/bafkrei@jpeg",
            "alt": "A crushed parcel on a doorstep",
        }
        item = self.make_item("at://did:plc:jane/app.bsky.feed.post/3kmedia", "It arrived like this", media=[thumb])
        mention = self.ingest([item], bluesky)
        self.assertEqual(mention.media_state, "pending")
        self.run_media()
        [attachment] = self.attachments(mention)
        self.assertEqual(
            (attachment.mimetype, attachment.description), ("image/jpeg", "A crushed parcel on a doorstep")
        )
        self.assertNotIn(
            "Authorization", self.requests_to("/img/feed_thumbnail/plain/did:plc:jane/bafkrei@jpeg")[0]["headers"]
        )
        self.env.invalidate_all()
        self.assertEqual(attachment.with_user(self.employee).raw, JPEG, "a public post's picture: every reader")
        html = str(mention.thread_id.with_user(self.social_user).conversation_html)
        self.assertIn('alt="A crushed parcel on a doorstep"', html)

    def test_messenger_attachments_picture_file_voice_and_a_strangers_host(self):
        from .test_webhooks_messenger import APP_SECRET, PAGE_ID, hub_signature, messenger_message

        page = self.account_by_id(
            "facebook", "Acme TH on Facebook (media)", PAGE_ID, token="EAAGm0PX4ZCpsBAPageToken", secret=APP_SECRET
        )
        pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
        ogg = b"OggS\x00\x02" + b"\x00" * 22 + b"\x01\x13OpusHead" + b"\x00" * 32
        self.server.route("GET", "/v/t1.15752-9/parcel.png", (200, {}, PNG))
        self.server.route("GET", "/v/t59.2708-21/receipt.pdf", (200, {"Content-Type": "application/pdf"}, pdf))
        self.server.route("GET", "/v/t59.3654-21/voice.ogg", (200, {}, ogg))
        stranger = self.server.url.replace("127.0.0.1", "localhost")
        attachments = [
            {"type": "image", "payload": {"url": f"{self.server.url}/v/t1.15752-9/parcel.png?_nc_cat=1"}},
            {
                "type": "file",
                "payload": {"url": f"{self.server.url}/v/t59.2708-21/receipt.pdf"},
                "title": "receipt.pdf",
            },
            {"type": "audio", "payload": {"url": f"{self.server.url}/v/t59.3654-21/voice.ogg"}},
            {"type": "image", "payload": {"url": f"{stranger}/v/t1.15752-9/elsewhere.png"}},
        ]
        payload = messenger_message("m_media_1YKj8mJEM_QPpz5jdCK48PnKAj", 1790000000900, attachments=attachments)
        body = json.dumps(payload).encode()
        self.assertEqual(self.deliver(page, body, {"X-Hub-Signature-256": hub_signature(body)}).status_code, 200)
        with analyzed_as("negative", "complaint"):
            self.run_processing()
        self.run_media()
        mention = self.env["social_crm.mention"].search([("account_id", "=", page.id)])
        stored = self.attachments(mention)
        self.assertEqual(stored.mapped("mimetype"), ["image/png", "application/pdf", "audio/ogg"])
        self.assertEqual(stored[1].name, "receipt.pdf")
        for request in self.server.requests:
            if request["path"].startswith("/v/"):
                self.assertNotIn("Authorization", request["headers"], "a signed CDN address: no token")
        self.assertEqual(mention.media_state, "done")
        self.assertEqual(mention.media_note, "The picture was not downloaded: its address is not one of Facebook's.")
        html = str(mention.thread_id.with_user(self.social_user).conversation_html)
        self.assertIn(f'href="/web/content/{stored[1].id}?download=true"', html)
        self.assertIn("receipt.pdf</bdi>", html)
        # The sanitizer drops the players' attributes: the viewer service gives their controls back.
        self.assertIn(f'<audio class="o_social_media_audio" src="/web/content/{stored[2].id}?unique=', html)
        self.assertIn("its address is not one of Facebook", html)


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestMediaAccess(MediaCase):
    def test_private_media_only_for_those_who_read_private_messages(self):
        mention = self.line_photo("7740101")
        [attachment] = self.attachments(mention)
        self.env.invalidate_all()
        self.assertEqual(attachment.with_user(self.social_user).raw, PNG, "an agent sees the picture")
        self.assertEqual(attachment.with_user(self.social_manager).raw, PNG)
        self.assertTrue(self.employee.has_group("social_crm.group_social_reader"))

        def refused(user):
            self.env.invalidate_all()
            with self.subTest(user=user.login), self.assertRaises(AccessError), mute_logger("odoo.access"):
                # ir.attachment's own check: the record it belongs to must be readable (check_access() of
                # Odoo 18 looks at the attachment model's rights only, not at the mention).
                attachment.with_user(user).check("read")
            with self.subTest(user=user.login), self.assertRaises(AccessError), mute_logger("odoo.access"):
                attachment.with_user(user).read(["raw"])
            Attachment = self.env["ir.attachment"].with_user(user)
            self.assertFalse(Attachment.search([("id", "=", attachment.id)]), user.login)
            self.authenticate(user.login, user.login)
            with mute_logger("odoo.http"):
                response = self.url_open(f"/web/content/{attachment.id}")
                image = self.url_open(f"/web/image/{attachment.id}")
            self.assertNotEqual(response.content, PNG, user.login)
            self.assertIn(response.status_code, (403, 404), user.login)
            self.assertNotEqual(image.content, PNG, f"{user.login}: a placeholder at most")

        refused(self.employee)  # a Reader: public mentions only
        refused(self.outsider)  # a Social Manager of another company
        # Through the web, with the agent's session: the picture itself.
        self.authenticate("social_user", "social_user")
        self.assertEqual(self.url_open(f"/web/content/{attachment.id}").content, PNG)
        self.assertEqual(self.url_open(f"/web/image/{attachment.id}").content, PNG)
        # An employee who is not even a Reader any more.
        settings = self.env["res.config.settings"].create({})
        settings.social_crm_everyone_reads = False
        settings.execute()
        self.assertFalse(self.employee.has_group("social_crm.group_social_reader"))
        refused(self.employee)

    def test_erasure_removes_the_media_and_their_files(self):
        mention = self.line_photo("7740102")
        attachment = self.attachments(mention)
        store_fname = attachment.store_fname
        path = attachment._full_path(store_fname)
        self.assertTrue(os.path.exists(path))
        # The export holds the picture, with its name, size and checksum.
        action = mention.identity_id.with_user(self.social_manager).action_export_social_data()
        export = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(export.datas)))
        data = json.loads(archive.read("social_data.json"))
        [row] = data["media"]
        self.assertEqual(row["mention_id"], mention.id)
        self.assertEqual((row["mimetype"], row["size"], row["checksum"]), ("image/png", len(PNG), attachment.checksum))
        self.assertEqual(archive.read(row["file"]), PNG)

        mention.identity_id.with_user(self.social_manager).action_erase()
        self.assertFalse(attachment.exists(), "the attachment row is gone")
        self.assertFalse(mention.media_state)
        self.env["ir.attachment"]._gc_file_store_unsafe()
        if not self.env["ir.attachment"].search_count([("store_fname", "=", store_fname)]):
            self.assertFalse(os.path.exists(path), "and so is the file")
        self.assertFalse(self.attachments(mention))
        log = self.env["privacy.log"].sudo().search([], order="id desc", limit=1)
        self.assertIn("1 pictures and files deleted", log.execution_details)


@tagged("social_crm", "social_crm_ui", "post_install", "-at_install")
class TestMediaUi(MediaCase):
    def test_the_photo_shows_in_the_ticket_and_opens_in_the_viewer(self):
        mention = self.line_photo("7740201")
        self.assertTrue(self.attachments(mention))
        ogg = b"OggS\x00\x02" + b"\x00" * 22 + b"\x01\x13OpusHead" + b"\x00" * 32
        self.server.route("GET", content_path("7740202"), (200, {}, ogg))
        self.deliver_line(line_message("01J0MEDIA7740202", "7740202", "audio", duration=3000))
        self.run_processing()
        self.run_media()
        voice = self.env["social_crm.mention"].search([("external_id", "=", "7740202")])
        self.assertEqual(self.attachments(voice).mimetype, "audio/ogg")
        self.assertEqual(voice.thread_id, mention.thread_id)
        self.start_tour(
            f"/odoo/helpdesk.ticket/{mention.ticket_id.id}", "social_crm_media_ticket_tour", login="social_user"
        )


@tagged("social_crm", "social_crm_privacy", "post_install", "-at_install")
class TestMediaRetention(MediaCase):
    def test_retention_deletes_the_media_with_their_messages(self):
        mention = self.line_photo("7740301")
        [attachment] = self.attachments(mention)
        closed = self.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        mention.ticket_id.stage_id = closed
        mention.company_id.write({"social_crm_retention_limited": True, "social_crm_retention_days": 0})
        self.env["social_crm.mention"]._cron_apply_retention()
        self.assertFalse(mention.exists())
        self.assertFalse(attachment.exists(), "the picture went with its message")

    def test_a_message_unsent_by_its_author_loses_its_picture(self):
        mention = self.line_photo("7740302")
        attachment = self.attachments(mention)
        self.assertTrue(attachment)
        unsend = line_event("unsend", "01J0MEDIAUNSEND7740302", 1790000100000, unsend={"messageId": "7740302"})
        self.deliver_line(unsend)
        self.run_processing()
        self.assertTrue(mention.deleted_on_network)
        self.assertFalse(attachment.exists())
        self.assertNotIn("/web/image/", str(mention.thread_id.conversation_html))

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""TikTok photo posts (issue 28) through the paths people take, against TikTok's API for Business on loopback:
an agent's post with a picture waits for a manager, the publishing cron publishes it once (publish, status
polled, the post's id and link stored), a post TikTok still reviews is settled by the next run, and an
unverified URL prefix is refused in words before approval (or after TikTok's refusal) and loses nothing.

The API's payloads are those of ``tests/connectors/test_tiktok_publish.py`` (documents named there)."""

import base64
import io
import json
from unittest.mock import patch

from PIL import Image

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from ..connectors.tiktok import TiktokClient
from .common import SocialCrmCommon
from .loopback import LoopbackServer
from .test_tiktok import BUSINESS, envelope

POST_ID = "7442210987654321098"
SHARE_ID = "p_pub_url~v2.7442210000000000001"
PUBLISH_PATH = "/business/photo/publish/"
STATUS_PATH = "/business/publish/status/"
PUBLIC_BASE = "https://odoo.example.com"
CAPTION = "คอลเลกชันใหม่มาแล้ว 🌸 ส่งฟรีทั่วไทย"


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 90)).save(buffer, format="JPEG")
    return buffer.getvalue()


@tagged("social_crm", "post_install", "-at_install")
class TestTiktokPublish(HttpCase, SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = server = cls.enterClassContext(LoopbackServer())

        def publish(request):
            if request["headers"].get("Access-Token") != "act.token":
                return 200, {}, envelope(code=40105, message="Access token is incorrect or revoked.")
            return 200, {}, server.publish_answer

        def status(request):
            state = server.statuses.pop(0) if len(server.statuses) > 1 else server.statuses[0]
            data = {"status": state}
            if state == "PUBLISH_COMPLETE":
                data["post_ids"] = [POST_ID]
            elif state == "FAILED":
                data["reason"] = "photo_pull_failed"
            return 200, {}, envelope(data)

        def videos(request):
            video = {"item_id": POST_ID, "create_time": 1765090000, "caption": CAPTION}
            video["share_url"] = f"https://www.tiktok.com/@acme.shop/photo/{POST_ID}"
            return 200, {}, envelope({"videos": [video], "has_more": False})

        server.route("POST", PUBLISH_PATH, publish)
        server.route("GET", STATUS_PATH, status)
        server.route("GET", "/business/video/list/", videos)
        server.route("GET", "/business/get/", (200, {}, envelope({"username": "acme.shop", "display_name": "Acme"})))
        # The address TikTok fetches the pictures from: Odoo's public one, under the verified prefix.
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", PUBLIC_BASE)
        cls.tiktok = cls.env["social_crm.account"].create(
            {
                "name": "Acme on TikTok",
                "network": "tiktok",
                "base_url": server.url,
                "login": BUSINESS,
                "token": "act.token",
                "team_id": cls.team.id,
                "state": "connected",
                "tiktok_url_prefix": f"{PUBLIC_BASE}/social_crm/media/",
            }
        )
        cls.cron = cls.env.ref("social_crm.ir_cron_publish_posts")

    def setUp(self):
        super().setUp()
        self.server.requests.clear()
        self.server.statuses = ["PROCESSING_DOWNLOAD", "PUBLISH_COMPLETE"]
        self.server.publish_answer = envelope({"share_id": SHARE_ID})
        patcher = patch.object(TiktokClient, "publish_poll_wait", 0.01)
        patcher.start()
        self.addCleanup(patcher.stop)

    def write_post(self, user, mimetype="image/jpeg", name="collection.jpg"):
        picture = (
            self.env["ir.attachment"]
            .with_user(user)
            .create({"name": name, "datas": base64.b64encode(jpeg_bytes()), "mimetype": mimetype})
        )
        return (
            self.env["social_crm.post"]
            .with_user(user)
            .create({"body": CAPTION, "account_ids": [(6, 0, self.tiktok.ids)], "image_ids": [(6, 0, picture.ids)]})
        )

    def run_cron(self):
        self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def published(self):
        return [r for r in self.server.requests if r["method"] == "POST" and r["path"] == PUBLISH_PATH]

    # ------------------------------------------------------------------

    def test_agent_post_approved_by_a_manager_is_published_once(self):
        post = self.write_post(self.social_user)
        post.action_submit()
        self.assertEqual(post.state, "to_approve")
        with self.assertRaises(AccessError):
            post.action_approve()
        self.run_cron()
        self.assertFalse(self.published(), "nothing is published before approval")

        post.with_user(self.social_manager).action_approve()
        self.run_cron()
        self.assertEqual(post.state, "posted")
        result = post.result_ids
        self.assertEqual((result.state, result.external_id, result.publish_id), ("posted", POST_ID, SHARE_ID))
        self.assertEqual(result.url, f"https://www.tiktok.com/@acme.shop/photo/{POST_ID}")
        self.assertEqual((result.mention_id.direction, result.mention_id.external_id), ("outbound", POST_ID))
        (sent,) = self.published()
        body = json.loads(sent["body"])
        self.assertEqual((body["business_id"], body["post_info"]["caption"]), (BUSINESS, CAPTION))
        (url,) = body["photo_images"]
        self.assertTrue(url.startswith(f"{PUBLIC_BASE}/social_crm/media/"), url)
        # What TikTok fetches from that address: the approved picture's bytes.
        self.assertEqual(self.url_open(url.removeprefix(PUBLIC_BASE)).content, post.image_ids.raw)
        self.assertEqual(len([r for r in self.server.requests if r["path"] == STATUS_PATH]), 2)

        self.run_cron()
        with self.assertRaises(UserError):
            post.with_user(self.social_manager).action_retry()
        self.assertEqual(len(self.published()), 1, "a second run publishes nothing")

    def pending_post(self):
        """A manager's post TikTok accepted and still processes when the cron stops polling."""
        self.server.statuses = ["PROCESSING_UPLOAD"]
        post = self.write_post(self.social_manager)
        post.action_submit()
        with patch.object(TiktokClient, "publish_polls", 2):
            self.run_cron()
        return post, post.result_ids

    def test_a_post_tiktok_still_reviews_is_settled_by_the_next_run(self):
        post, result = self.pending_post()
        self.assertEqual((result.state, result.external_id, result.publish_id), ("posted", False, SHARE_ID))
        with self.assertRaises(UserError):
            post.action_retry()  # TikTok has it: nothing to retry
        self.run_cron()
        self.assertFalse(result.external_id, "still processing: asked again, never published again")
        self.server.statuses = ["PUBLISH_COMPLETE"]
        self.run_cron()
        self.assertEqual((result.state, result.external_id), ("posted", POST_ID))
        self.assertEqual(result.url, f"https://www.tiktok.com/@acme.shop/photo/{POST_ID}")
        self.assertEqual(result.mention_id.external_id, POST_ID)
        self.assertEqual(len(self.published()), 1)

    def test_a_post_tiktok_gives_up_on_can_be_retried(self):
        post, result = self.pending_post()
        self.server.statuses = ["FAILED"]
        self.run_cron()
        self.assertEqual((post.state, result.state, result.outcome_unknown), ("failed", "failed", False))
        self.assertIn("TikTok could not publish the post (photo_pull_failed)", result.error)
        self.server.statuses = ["PUBLISH_COMPLETE"]
        post.action_retry()
        self.run_cron()
        self.assertEqual((post.state, result.external_id), ("posted", POST_ID))
        self.assertEqual(len(self.published()), 2, "the post TikTok gave up on, then the one that went out")

    def test_unverified_prefix_is_refused_before_approval_and_loses_nothing(self):
        self.tiktok.tiktok_url_prefix = "https://cdn.example.com/verified/"
        post = self.write_post(self.social_user)
        self.assertIn("url_ownership_unverified", post.account_warning)
        with self.assertRaises(UserError):
            post.action_submit()
        self.assertEqual((post.state, post.body, len(post.image_ids)), ("draft", CAPTION, 1))
        self.tiktok.tiktok_url_prefix = False
        post.invalidate_recordset(["account_warning"])
        self.assertIn("Verified URL prefix", post.account_warning)
        png = self.write_post(self.social_user, mimetype="image/png", name="logo.png")
        self.tiktok.tiktok_url_prefix = f"{PUBLIC_BASE}/social_crm/media/"
        self.assertIn("logo.png", png.account_warning)
        self.assertFalse(self.published())

    @mute_logger("odoo.addons.social_crm.models.social_crm_outgoing")
    def test_tiktok_refusing_the_url_is_a_clear_failure_that_can_be_retried(self):
        self.server.publish_answer = envelope(code=40002, message="url_ownership_unverified: photo_images")
        post = self.write_post(self.social_manager)
        post.action_submit()
        self.run_cron()
        result = post.result_ids
        self.assertEqual((post.state, result.state, result.outcome_unknown), ("failed", "failed", False))
        self.assertIn("url_ownership_unverified", result.error)
        self.assertEqual((post.body, len(post.image_ids)), (CAPTION, 1), "nothing is lost")
        self.server.publish_answer = envelope({"share_id": SHARE_ID})
        post.action_retry()
        self.run_cron()
        self.assertEqual((post.state, result.external_id), ("posted", POST_ID))
        self.assertEqual(len(self.published()), 2, "the refused attempt, then the one that went out")

    @mute_logger("odoo.access")
    def test_only_managers_of_the_company_set_the_verified_prefix(self):
        other_company = self.env["res.company"].create({"name": "Other Co (TikTok)"})
        outsider = mail_new_test_user(
            self.env,
            login="outsider_tiktok_publish",
            groups="base.group_user,social_crm.group_social_manager",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        for user in (self.social_user, outsider):
            with self.assertRaises(AccessError):
                self.tiktok.with_user(user).write({"tiktok_url_prefix": "https://attacker.example/"})
        self.tiktok.with_user(self.social_manager).write({"tiktok_url_prefix": "https://odoo.example.com/"})
        self.assertEqual(self.tiktok.tiktok_url_prefix, "https://odoo.example.com/")
        with self.assertRaises(UserError):
            self.tiktok.with_user(self.social_manager).write({"tiktok_url_prefix": "http://odoo.example.com/"})

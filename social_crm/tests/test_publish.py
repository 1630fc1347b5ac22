# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Publishing: approval as for replies, then the cron publishes each account once (Mastodon on loopback)."""

import base64
import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .mastodon_case import MastodonReplyCase, mastodon_server, status_json


@tagged("social_crm", "post_install", "-at_install")
class TestPublish(MastodonReplyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A second Mastodon server whose answers each test chooses: the other account of a partial failure.
        cls.other = mastodon_server(cls)
        cls.other.answer = None
        cls.other_posted = []

        def other_post(request):
            if cls.other.answer:
                return cls.other.answer
            data = json.loads(request["body"])
            cls.other_posted.append(data)
            return 200, {}, status_json(str(9000 + len(cls.other_posted)), data["status"], None)

        cls.other.route("POST", "/api/v1/statuses", other_post)
        cls.masto2 = cls.connected_account(
            "mastodon",
            "Acme on a second Mastodon (test)",
            cls.other.url,
            login="acme",
            token="token-456",
            own_external_id="1",
        )
        cls.server.route(
            "GET",
            "/api/v1/statuses/2000",
            lambda request: (
                200,
                {},
                {**cls.statuses[0], "replies_count": 3, "favourites_count": 12, "reblogs_count": 4},
            ),
        )
        cls.cron = cls.env.ref("social_crm.ir_cron_publish_posts")
        cls.Post = cls.env["social_crm.post"]

    def setUp(self):
        super().setUp()
        self.other.answer = None
        self.other_posted.clear()

    def write_post(self, user, body="Our spring sale starts today: 20% off every parcel.", accounts=None, **vals):
        return self.Post.with_user(user).create(
            {"body": body, "account_ids": [(6, 0, (accounts or self.masto).ids)], **vals}
        )

    def run_cron(self):
        self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def approval_activities(self, post):
        return post.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("social_crm.mail_activity_post_approval")
        )

    # ------------------------------------------------------------------

    @mute_logger("odoo.access")
    def test_user_submits_and_waits_for_a_manager(self):
        post = self.write_post(self.social_user)
        post.action_submit()
        self.assertEqual(post.state, "to_approve")
        activity = self.approval_activities(post)
        self.assertEqual(len(activity), 1, "one approval request per post, for the managers' pool")
        self.assertIn(activity.user_id, self.env.ref("social_crm.group_social_manager").users)
        with self.assertRaises(AccessError):
            post.action_approve()
        with self.assertRaises(AccessError):
            post.write({"state": "scheduled"})
        with self.assertRaises(AccessError):
            post.write({"approved_body": "something else"})
        with self.assertRaises(AccessError):
            activity.with_user(self.social_user).action_done()
        with self.assertRaises(AccessError):
            self.Post.with_user(self.social_user).create(
                {"body": "x", "account_ids": [(6, 0, self.masto.ids)], "state": "scheduled"}
            )
        self.run_cron()
        self.assertFalse(self.posted, "nothing is published before approval")
        self.assertEqual(post.state, "to_approve")

    def test_manager_approves_and_the_cron_publishes_once(self):
        post = self.write_post(self.social_user, body="ลดราคาทุกชิ้น 20% วันนี้เท่านั้น")
        post.action_submit()
        post.with_user(self.social_manager).action_approve()
        self.assertEqual(post.state, "scheduled")
        self.assertFalse(self.approval_activities(post))
        self.run_cron()
        self.assertEqual([p["status"] for p in self.posted], ["ลดราคาทุกชิ้น 20% วันนี้เท่านั้น"])
        self.assertNotIn("in_reply_to_id", self.posted[0])
        self.assertEqual(post.state, "posted")
        result = post.result_ids
        self.assertEqual((result.account_id, result.state), (self.masto, "posted"))
        self.assertEqual(result.external_id, "2000")
        self.assertEqual(result.url, "https://mastodon.example/@acme/2000")
        mention = result.mention_id
        self.assertEqual((mention.direction, mention.external_id, mention.account_id), ("outbound", "2000", self.masto))
        self.assertTrue(mention.thread_id)
        self.assertEqual(mention.thread_id.root_external_id, "2000")
        self.run_cron()
        self.post_again_publishes_nothing(post)
        with self.assertRaises(UserError):
            post.with_user(self.social_manager).unlink()

    def post_again_publishes_nothing(self, post):
        self.assertEqual(len(self.posted), 1, "a second run publishes nothing")
        self.assertEqual(len(post.result_ids), 1)

    def test_a_reply_to_the_published_post_joins_its_conversation(self):
        post = self.write_post(self.social_manager)
        post.action_submit()
        self.run_cron()
        reply = self.ingest(
            [
                self.make_item(
                    "2100",
                    "@acme does it include parcels to Chiang Mai?",
                    author_id="88",
                    handle="nok@mastodon.example",
                    parent_id="2000",
                    root_id="2000",
                )
            ],
            account=self.masto,
        )
        self.assertEqual(reply.thread_id, post.result_ids.mention_id.thread_id)

    def test_edit_after_submission_returns_to_draft(self):
        post = self.write_post(self.social_user, scheduled_at=fields.Datetime.now() + timedelta(days=1))
        post.action_submit()
        post.body = "Changed after submission"
        self.assertEqual(post.state, "draft")
        self.assertFalse(self.approval_activities(post))
        post.action_submit()
        post.with_user(self.social_manager).action_approve()
        self.assertEqual(post.approved_body, "Changed after submission")
        post.write({"body": "Changed after approval", "scheduled_at": fields.Datetime.now() - timedelta(minutes=1)})
        self.assertEqual(post.state, "draft")
        self.assertFalse(post.approved_body)
        self.run_cron()
        self.assertFalse(self.posted, "a text nobody approved is never published")

    def test_the_approved_text_is_the_one_published(self):
        post = self.write_post(self.social_manager, body="Approved text", link="https://acme.example/sale")
        post.action_submit()
        # A change that bypasses the form (another worker, an import) is caught before publishing: a draft again.
        self.env.cr.execute("UPDATE social_crm_post SET body = 'Not approved' WHERE id = %s", [post.id])
        self.env.invalidate_all()
        self.run_cron()
        self.assertFalse(self.posted)
        self.assertEqual(post.state, "draft")
        self.assertFalse(post.approved_body)
        post.body = "Approved text"
        post.action_submit()
        self.run_cron()
        self.assertEqual([p["status"] for p in self.posted], ["Approved text\n\nhttps://acme.example/sale"])

    def test_a_post_for_next_week_waits(self):
        next_week = fields.Datetime.now() + timedelta(days=7)
        post = self.write_post(self.social_user, scheduled_at=next_week)
        post.action_submit()
        post.with_user(self.social_manager).action_approve()
        self.run_cron()
        self.assertFalse(self.posted)
        self.assertEqual((post.state, post.result_ids.state), ("scheduled", "queued"))
        # The manager moves it to now in the calendar: no new approval needed.
        post.with_user(self.social_manager).scheduled_at = fields.Datetime.now() - timedelta(minutes=1)
        self.assertEqual(post.state, "scheduled")
        self.run_cron()
        self.assertEqual(len(self.posted), 1)
        self.assertEqual(post.state, "posted")

    @mute_logger("odoo.addons.social_crm.models.social_crm_post_result")
    def test_partial_failure_retries_the_failed_account_only(self):
        self.other.answer = (401, {}, {"error": "The access token is invalid"})
        post = self.write_post(self.social_user, accounts=self.masto | self.masto2)
        post.action_submit()
        post.with_user(self.social_manager).action_approve()
        self.run_cron()
        self.assertEqual(post.state, "failed")
        good = post.result_ids.filtered(lambda r: r.account_id == self.masto)
        bad = post.result_ids - good
        self.assertEqual((good.state, bad.state), ("posted", "failed"))
        self.assertIn("rejected the credentials", bad.error)
        self.assertFalse(bad.outcome_unknown)
        todo = post.activity_ids.filtered(lambda a: a.user_id == self.social_user)
        self.assertIn("rejected the credentials", todo.note)
        self.assertTrue(post.message_ids.filtered(lambda m: "rejected the credentials" in (m.body or "")))
        self.other.answer = None
        post.action_retry()
        self.assertEqual(post.state, "scheduled")
        self.run_cron()
        self.assertEqual(len(self.posted), 1, "the account that published is not asked again")
        self.assertEqual(len(self.other_posted), 1)
        self.assertEqual(bad.state, "posted")
        self.assertEqual(post.state, "posted")

    @mute_logger("odoo.addons.social_crm.models.social_crm_post_result")
    def test_server_error_is_told_in_words(self):
        self.other.answer = (500, {}, {"error": "Internal error"})
        post = self.write_post(self.social_manager, accounts=self.masto2)
        post.action_submit()
        self.run_cron()
        self.assertEqual((post.state, post.result_ids.state), ("failed", "failed"))
        self.assertTrue(post.result_ids.error)
        self.assertFalse(post.result_ids.outcome_unknown)

    @mute_logger("odoo.addons.social_crm.models.social_crm_post_result")
    def test_a_lost_answer_is_never_published_again_blindly(self):
        self.server.drop_connection = True
        post = self.write_post(self.social_user)
        post.action_submit()
        post.with_user(self.social_manager).action_approve()
        self.run_cron()
        # The server took the post; the client may resend it under the same Idempotency-Key within its call.
        self.assertTrue(self.posted)
        received = len(self.posted)
        result = post.result_ids
        self.assertEqual((result.state, result.outcome_unknown, post.state), ("failed", True, "failed"))
        self.assertTrue(post.outcome_unknown)
        self.server.drop_connection = False
        with self.assertRaises(UserError):
            post.action_retry()
        self.run_cron()
        self.assertEqual(len(self.posted), received, "the next run sends nothing while the outcome is unknown")
        with self.assertRaises(AccessError):
            result.with_user(self.social_user).action_confirm_not_published()
        result.with_user(self.social_manager).action_confirm_not_published()
        post.action_retry()
        self.run_cron()
        self.assertEqual(len(self.posted), received + 1)
        self.assertEqual((post.state, result.state), ("posted", "posted"))
        self.assertTrue(result.external_id)

    def test_a_crash_between_claim_and_answer_leaves_the_outcome_unknown(self):
        post = self.write_post(self.social_manager)
        post.action_submit()
        result = post.result_ids
        self.assertTrue(result._claim())  # the worker claimed the account, then died before calling the network
        self.assertFalse(result._claim(), "a second worker cannot claim it")
        self.env.cr.execute(
            "UPDATE social_crm_post_result SET posting_started_at = posting_started_at - interval '1 hour' WHERE id = %s",
            [result.id],
        )
        self.env.invalidate_all()
        self.run_cron()
        self.assertFalse(self.posted, "never published blindly")
        self.assertEqual((result.state, result.outcome_unknown), ("failed", True))
        self.assertIn("interrupted", result.error)
        self.assertTrue(post.activity_ids.filtered(lambda a: a.user_id == self.social_manager))
        result.with_user(self.social_manager).action_confirm_published()
        self.assertEqual((result.state, post.state), ("posted", "posted"))

    @mute_logger("odoo.access")
    def test_another_company_sees_nothing(self):
        outsider = self.user_of_another_company("outsider_publishing", "Other Co (publishing)")
        post = self.write_post(self.social_user)
        post.action_submit()
        self.assertFalse(self.Post.with_user(outsider).search([("id", "=", post.id)]))
        with self.assertRaises(AccessError):
            post.with_user(outsider).read(["body"])
        with self.assertRaises(AccessError):
            post.with_user(outsider).action_approve()
        self.assertNotIn(outsider, self.approval_activities(post).user_id)
        post.with_user(self.social_manager).action_approve()
        self.run_cron()
        self.assertEqual(post.result_ids.state, "posted")
        self.assertFalse(self.env["social_crm.post.result"].with_user(outsider).search([("post_id", "=", post.id)]))
        with self.assertRaises(UserError):  # an AccessError is a UserError too
            self.Post.with_user(outsider).create({"body": "x", "account_ids": [(6, 0, self.masto.ids)]})

    @mute_logger("odoo.access")
    def test_a_user_cannot_change_anothers_post(self):
        colleague = mail_new_test_user(
            self.env,
            login="colleague_publishing",
            groups="base.group_user,social_crm.group_social_user",
        )
        post = self.write_post(self.social_user)
        with self.assertRaises(AccessError):
            post.with_user(colleague).write({"body": "Hijacked"})

    def test_accounts_that_cannot_publish_are_named(self):
        feed = self.env["social_crm.account"].create(
            {
                "name": "News feed",
                "network": "feed",
                "base_url": "https://example.com/feed.xml",
                "team_id": self.team.id,
            }
        )
        post = self.write_post(self.social_user, accounts=self.masto | feed)
        self.assertIn("News feed", post.account_warning)
        self.assertIn("cannot publish", post.account_warning)
        with self.assertRaises(UserError):
            post.action_submit()
        self.assertEqual(post.state, "draft")

    def test_preview_counts_as_the_network_counts(self):
        # Mastodon counts a URL as 23 characters, whatever its length.
        post = self.write_post(self.social_user, body="ร้านเปิดแล้ว", link="https://acme.example/" + "a" * 80)
        self.assertIn("37 / 500", post.preview_html)
        post.body = "x" * 490
        self.assertIn("515 characters as Mastodon counts them", post.account_warning)
        with self.assertRaises(UserError):
            post.action_submit()

    def test_privacy_guard(self):
        post = self.write_post(self.social_user, body="Call Jane on +66 81 234 5678 about her parcel")
        self.assertTrue(post.privacy_warning)
        self.submit_once_privacy_acknowledged(post)
        self.assertEqual(post.state, "to_approve")

    def test_only_images_of_limited_size(self):
        text = (
            self.env["ir.attachment"]
            .with_user(self.social_user)
            .create({"name": "notes.txt", "datas": base64.b64encode(b"hello"), "mimetype": "text/plain"})
        )
        with self.assertRaises(ValidationError):
            self.write_post(self.social_user, image_ids=[(6, 0, text.ids)])

    def test_manager_rejects_with_a_reason(self):
        post = self.write_post(self.social_user)
        post.action_submit()
        self.reject_as_manager(post, "Not the brand's voice")
        self.assertEqual((post.state, post.reject_reason), ("draft", "Not the brand's voice"))
        self.assertFalse(self.approval_activities(post))

    def test_engagement_is_refreshed_by_its_cron(self):
        post = self.write_post(self.social_manager)
        post.action_submit()
        self.run_cron()
        self.env.ref("social_crm.ir_cron_post_engagement").method_direct_trigger()
        self.env.invalidate_all()
        result = post.result_ids
        self.assertEqual((result.reply_count, result.like_count, result.repost_count), (3, 12, 4))
        self.assertTrue(result.engagement_at)

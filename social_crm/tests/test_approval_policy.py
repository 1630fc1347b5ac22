# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Approval policies (issue 31) and what approval freezes (issue 23), as each kind of user, against loopback
networks: Mastodon (public answers and posts), Bluesky on a closed port (never reached), LINE (private answers)."""

import base64
import struct
import zlib

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import MANAGER_GROUPS, SocialCrmCommon, TwoCompaniesCase
from .mastodon_case import MastodonReplyCase
from .webhook_case import WebhookCase, line_text

OUTGOING_LOGGER = "odoo.addons.social_crm.models.social_crm_outgoing"
LINE_REPLY_PATH = "/v2/bot/message/reply"
PUBLISHER_GROUPS = "base.group_user,social_crm.group_social_publisher,helpdesk_mgmt.group_helpdesk_user"


def png(rgb):
    """A real (tiny) PNG image of one colour."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * 4 for _ in range(3))
    header = struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG_RED, PNG_BLUE = png((200, 30, 60)), png((30, 60, 200))


def approval_requests(record):
    types = record.env.ref("social_crm.mail_activity_reply_approval") | record.env.ref(
        "social_crm.mail_activity_post_approval"
    )
    return record.activity_ids.filtered(lambda activity: activity.activity_type_id in types)


class PolicyUsers:
    @classmethod
    def make_users(cls):
        cls.publisher = cls.new_user("social_publisher", PUBLISHER_GROUPS, name="Pim Publisher")
        cls.second_manager = cls.new_user("social_manager_2", MANAGER_GROUPS, name="Max Manager")


@tagged("social_crm", "social_crm_reply", "post_install", "-at_install")
class TestApprovalPolicy(PolicyUsers, MastodonReplyCase):
    account_name = "Acme on Mastodon (policies)"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_users()
        cls.server.route("POST", "/api/v2/media", cls._upload)
        cls.uploads = []
        cls.Post = cls.env["social_crm.post"]

    @classmethod
    def _upload(cls, request):
        cls.uploads.append(request)
        return 200, {}, {"id": f"m{len(cls.uploads)}", "type": "image", "url": "https://mastodon.example/m.png"}

    def setUp(self):
        super().setUp()
        self.uploads.clear()

    def composer(self, user, body="Sorry Jane, we are checking your parcel now."):
        """The composer as the conversation's Reply button opens it (a new record with the action's defaults)."""
        action = self.thread.with_user(user).action_reply()
        form = Form(
            self.env["social_crm.reply"].with_user(user).with_context(**action["context"]),
            view="social_crm.social_crm_reply_view_form_composer",
        )
        form.body = body
        return form

    def send(self, user, body="Sorry Jane, we are checking your parcel now."):
        form = self.composer(user, body)
        note = form.approval_note
        reply = form.save()
        reply.action_submit()
        return reply, note

    # --- replies: each policy as each kind of user ----------------------------------------------------

    def test_default_policy_public_answers_wait_for_agents_only(self):
        self.assertEqual(self.masto.reply_policy, "company")
        self.assertEqual(self.masto.effective_reply_policy, "public")
        reply, note = self.send(self.social_user)
        self.assertEqual(reply.state, "to_approve")
        self.assertIn("Waits for the approval", note)
        self.assertEqual(self.posted, [])
        for user in (self.publisher, self.social_manager):
            reply, note = self.send(user, body=f"Answered by {user.name}")
            self.assertEqual(reply.state, "posted", user.name)
            self.assertIn("Sent at once", note)
        self.assertEqual([p["status"] for p in self.posted], ["Answered by Pim Publisher", "Answered by Mia Manager"])

    def test_direct_policy_agents_post_at_once_and_it_is_audited(self):
        self.masto.reply_policy = "direct"
        reply, note = self.send(self.social_user)
        self.assertIn("Sent at once", note)
        self.assertEqual(reply.state, "posted")
        self.assertFalse(reply.approver_id, "nobody approved it")
        self.assertEqual(len(self.posted), 1)
        audit = self.thread.ticket_id.message_ids.filtered(lambda m: "Reply posted" in (m.body or ""))
        self.assertIn("without approval", audit[:1].body)
        self.assertIn("Sam Agent", audit[:1].body)

    def test_company_default_changed_in_settings(self):
        settings = self.env["res.config.settings"].create({})
        settings.social_reply_policy = "direct"
        settings.execute()
        self.assertEqual(self.env.company.social_reply_policy, "direct")
        self.assertEqual(self.masto.effective_reply_policy, "direct")
        reply, _note = self.send(self.social_user)
        self.assertEqual(reply.state, "posted")
        self.masto.reply_policy = "always"
        reply, _note = self.send(self.social_user, body="Second answer")
        self.assertEqual(reply.state, "to_approve", "the account's own policy wins over the company's")

    def test_always_policy_only_managers_and_publishers_skip_it(self):
        self.masto.reply_policy = "always"
        reply, _note = self.send(self.social_user)
        self.assertEqual(reply.state, "to_approve")
        reply, _note = self.send(self.publisher, body="From the publisher")
        self.assertEqual(reply.state, "posted")
        self.assertFalse(reply.approver_id)
        reply, _note = self.send(self.social_manager, body="From the manager")
        self.assertEqual((reply.state, reply.approver_id), ("posted", self.social_manager))

    @mute_logger("odoo.access")
    def test_publisher_has_no_other_manager_right(self):
        reply, _note = self.send(self.social_user)
        with self.assertRaises(AccessError):
            reply.with_user(self.publisher).action_approve()
        with self.assertRaises(AccessError):
            approval_requests(reply).with_user(self.publisher).action_feedback(feedback="ok")
        with self.assertRaises(AccessError):
            self.masto.with_user(self.publisher).write({"reply_policy": "direct"})
        self.assertEqual(reply.state, "to_approve")

    @mute_logger("odoo.access")
    def test_the_approval_trail_is_written_by_the_workflow_only(self):
        reply, _note = self.send(self.social_user)
        for vals in ({"submitted_at": "2026-01-01 00:00:00"}, {"approved_fingerprint": "0" * 64}):
            with self.assertRaises(AccessError):
                reply.write(vals)
            with self.assertRaises(AccessError):
                self.Post.with_user(self.social_user).create(
                    {"body": "x", "account_ids": [(6, 0, self.masto.ids)], **vals}
                )
        self.assertEqual(reply.state, "to_approve")

    @mute_logger("odoo.access")
    def test_agents_cannot_change_the_policy(self):
        with self.assertRaises(AccessError):
            self.masto.with_user(self.social_user).write({"reply_policy": "direct"})
        with self.assertRaises(AccessError):
            self.env.company.with_user(self.social_user).write({"social_reply_policy": "direct"})

    def test_publisher_is_chosen_on_the_user_form(self):
        groups = self.env["res.groups"].get_groups_by_application()
        [(kind, names)] = [
            (kind, gs.mapped("name"))
            for app, kind, gs, _category in groups
            if app == self.env.ref("social_crm.module_category_social_crm")
        ]
        self.assertEqual((kind, names), ("selection", ["Reader", "User", "Publisher", "Manager"]))
        self.assertTrue(self.social_manager.has_group("social_crm.group_social_publisher"))
        self.assertFalse(self.publisher.has_group("social_crm.group_social_manager"))

    def test_the_response_report_shows_the_wait_for_approval_per_account(self):
        reply, _note = self.send(self.social_user)
        self.env.cr.execute(
            "UPDATE social_crm_reply SET submitted_at = submitted_at - interval '150 minutes' WHERE id = %s",
            [reply.id],
        )
        reply.invalidate_recordset()
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "posted")
        self.env.flush_all()
        [row] = (
            self.env["social_crm.response.report"]
            .with_user(self.social_manager)
            .search([("ticket_id", "=", self.thread.ticket_id.id)])
        )
        self.assertAlmostEqual(row.approval_wait_hours, 2.5, delta=0.05)
        [(account, wait)] = self.env["social_crm.response.report"]._read_group(
            [("account_id", "=", self.masto.id)], ["account_id"], ["approval_wait_hours:avg"]
        )
        self.assertEqual(account, self.masto)
        self.assertAlmostEqual(wait, 2.5, delta=0.05)

    # --- one approval request, for the account's approver or the managers' pool --------------------

    def test_one_request_for_the_pool_settled_by_any_manager(self):
        reply, _note = self.send(self.social_user)
        request = approval_requests(reply)
        self.assertEqual(len(request), 1, "one request, not one per manager")
        managers = self.env.ref("social_crm.group_social_manager").users
        self.assertIn(request.user_id, managers)
        # The next request goes to a manager with fewer open requests.
        other, _note = self.send(self.social_user, body="Another answer")
        self.assertNotEqual(approval_requests(other).user_id, request.user_id)
        other.with_user(self.second_manager).action_approve()
        self.assertEqual(other.state, "posted")
        self.assertFalse(approval_requests(other), "settled when approved")

    def test_request_goes_to_the_accounts_approver_and_the_composer_names_them(self):
        self.masto.approver_id = self.second_manager
        form = self.composer(self.social_user)
        self.assertEqual(form.approval_note, "Waits for the approval of Max Manager.")
        reply = form.save()
        reply.action_submit()
        self.assertEqual(approval_requests(reply).user_id, self.second_manager)
        with self.assertRaises(ValidationError):
            self.masto.approver_id = self.social_user

    def test_rejection_reaches_the_author_with_the_reason(self):
        reply, _note = self.send(self.social_user)
        reply.with_user(self.social_manager).action_reject(reason="Too informal for our brand")
        self.assertEqual(reply.state, "rejected")
        self.assertFalse(approval_requests(reply))
        todo = reply.activity_ids.filtered(lambda a: a.user_id == self.social_user)
        self.assertEqual(todo.summary, "Reply rejected")
        self.assertIn("Too informal for our brand", todo.note)

    # --- posts through the post form ------------------------------------------------------------------

    def post_form(self, user, body="Our spring sale starts today."):
        form = Form(self.Post.with_user(user))
        form.body = body
        form.account_ids.add(self.masto)
        return form

    def test_post_form_says_who_approves_and_each_policy_applies(self):
        form = self.post_form(self.social_user)
        self.assertTrue(form.needs_approval_now)
        self.assertIn("Social Manager", form.approval_note)
        post = form.save()
        post.action_submit()
        self.assertEqual(post.state, "to_approve")
        self.assertEqual(len(approval_requests(post)), 1)

        self.masto.post_policy = "direct"
        form = self.post_form(self.social_user, body="Direct post")
        self.assertFalse(form.needs_approval_now)
        post = form.save()
        post.action_submit()
        self.assertEqual((post.state, post.approver_id.id), ("scheduled", False))
        self.assertIn("without approval", post.message_ids[:1].body)

        self.masto.post_policy = "always"
        for user, state in ((self.social_user, "to_approve"), (self.publisher, "scheduled")):
            post = self.post_form(user, body=f"Post by {user.name}").save()
            post.action_submit()
            self.assertEqual(post.state, state, user.name)

    # --- finding 3: what is approved is what is published (images and their description) ------------

    def approved_post_with_image(self):
        image = (
            self.env["ir.attachment"]
            .with_user(self.social_user)
            .create({"name": "sale.png", "datas": base64.b64encode(PNG_RED), "mimetype": "image/png"})
        )
        post = self.Post.with_user(self.social_user).create(
            {
                "body": "Our spring sale starts today.",
                "account_ids": [(6, 0, self.masto.ids)],
                "image_ids": [(6, 0, image.ids)],
                "image_alt": "A red sale banner",
            }
        )
        post.action_submit()
        post.with_user(self.social_manager).action_approve()
        self.assertEqual(post.state, "scheduled")
        return post, image

    def run_cron(self):
        self.env.ref("social_crm.ir_cron_publish_posts").method_direct_trigger()
        self.env.invalidate_all()

    def test_image_description_changed_after_approval_goes_back_to_draft(self):
        post, _image = self.approved_post_with_image()
        post.image_alt = "Click here for free money"
        self.assertEqual(post.state, "draft")
        self.assertFalse(post.approved_body)
        self.run_cron()
        self.assertEqual((self.posted, self.uploads), ([], []), "nothing unapproved reached Mastodon")

    def test_image_bytes_rewritten_after_approval_go_back_to_draft(self):
        post, image = self.approved_post_with_image()
        image.write({"datas": base64.b64encode(PNG_BLUE)})
        self.assertEqual(post.state, "draft")
        self.run_cron()
        self.assertEqual((self.posted, self.uploads), ([], []))
        # Approved again, the new image is what Mastodon receives.
        post.action_submit()
        post.with_user(self.social_manager).action_approve()
        self.run_cron()
        self.assertEqual(post.state, "posted")
        self.assertIn(PNG_BLUE, self.uploads[0]["body"])
        self.assertEqual(len(self.posted), 1)

    def test_bytes_changed_behind_the_orm_are_caught_before_publishing(self):
        post, image = self.approved_post_with_image()
        self.env.cr.execute("UPDATE ir_attachment SET checksum = reverse(checksum) WHERE id = %s", [image.id])
        self.env.invalidate_all()
        self.run_cron()
        self.assertEqual((self.posted, self.uploads), ([], []))
        self.assertEqual(post.state, "draft")
        todo = post.activity_ids.filtered(lambda a: a.user_id == self.social_user)
        self.assertEqual(todo.summary, "Post not published")

    def test_a_post_approved_before_the_upgrade_is_still_published(self):
        post, _image = self.approved_post_with_image()
        self.env.cr.execute("UPDATE social_crm_post SET approved_fingerprint = NULL WHERE id = %s", [post.id])
        self.env.invalidate_all()
        self.run_cron()
        self.assertEqual(post.state, "posted")
        self.assertEqual(len(self.posted), 1)

    # --- finding 9: company walls and attachments -----------------------------------------------------

    @mute_logger("odoo.access")
    def test_unreadable_attachment_cannot_be_attached(self):
        # A file the manager uploaded without a record: only its creator (and administrators) may read it.
        hidden = (
            self.env["ir.attachment"]
            .with_user(self.social_manager)
            .create({"name": "contract.png", "datas": base64.b64encode(PNG_RED), "mimetype": "image/png"})
        )
        with self.assertRaises(AccessError):
            hidden.with_user(self.social_user).check("read")
        with self.assertRaises(AccessError):
            self.Post.with_user(self.social_user).create(
                {"body": "x", "account_ids": [(6, 0, self.masto.ids)], "image_ids": [(6, 0, hidden.ids)]}
            )
        post = self.Post.with_user(self.social_user).create({"body": "x", "account_ids": [(6, 0, self.masto.ids)]})
        with self.assertRaises(AccessError):
            post.write({"image_ids": [(4, hidden.id)]})
        self.assertFalse(post.image_ids)


@tagged("social_crm", "social_crm_security", "post_install", "-at_install")
class TestApprovalCompanyWalls(TwoCompaniesCase):
    @mute_logger("odoo.access")
    def test_manager_cannot_move_a_post_or_an_account_to_a_company_he_is_not_in(self):
        post = (
            self.env["social_crm.post"]
            .with_user(self.social_manager)
            .create({"body": "Draft", "account_ids": [(6, 0, self.account.ids)]})
        )
        with self.assertRaises(AccessError):
            post.write({"company_id": self.company_b.id})
        with self.assertRaises(AccessError):
            self.account.with_user(self.social_manager).write({"company_id": self.company_b.id})
        self.assertEqual(post.company_id, self.company)
        self.assertEqual(self.account.company_id, self.company)

    def test_records_of_two_companies_are_never_mixed(self):
        self.social_manager.company_ids |= self.company_b
        post = (
            self.env["social_crm.post"]
            .with_user(self.social_manager)
            .create({"body": "Draft", "account_ids": [(6, 0, self.account.ids)]})
        )
        with self.assertRaises(UserError):
            post.write({"account_ids": [(4, self.account_b.id)]})
        with self.assertRaises(UserError):
            post.write({"company_id": self.company_b.id})
        self.ingest([self.make_item("at://jane/post/1", "hello")])
        with self.assertRaises(ValidationError):
            self.account.with_user(self.social_manager).write({"company_id": self.company_b.id})


@tagged("social_crm", "social_crm_reply", "post_install", "-at_install")
class TestNeverReached(PolicyUsers, SocialCrmCommon):
    """The common Bluesky account points to a closed port: nothing ever reaches it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_users()
        cls.mention = cls.env["social_crm.mention"]._ingest_items(
            cls.account,
            [cls.make_item("at://did:plc:jane/app.bsky.feed.post/3kparcel", "@acme.test my parcel never arrived")],
        )

    def draft(self, user, body="Sorry Jane, we are on it."):
        action = self.mention.thread_id.with_user(user).action_reply()
        ctx = {key[len("default_") :]: value for key, value in action["context"].items()}
        return self.env["social_crm.reply"].with_user(user).create({**ctx, "body": body})

    def test_public_bluesky_answer_by_an_agent_waits(self):
        reply = self.draft(self.social_user)
        self.assertTrue(reply.needs_approval_now)
        reply.action_submit()
        self.assertEqual(reply.state, "to_approve")

    @mute_logger(OUTGOING_LOGGER, "odoo.addons.social_crm.models.social_crm_reply")
    def test_refused_connection_is_a_plain_failure(self):
        reply = self.draft(self.social_user)
        reply.action_submit()
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "failed")
        self.assertFalse(reply.outcome_unknown, "nothing left Odoo: no manager has to look for it on Bluesky")
        self.assertTrue(reply.can_retry)
        self.assertIn("nothing was sent", reply.error_message)

    @mute_logger(OUTGOING_LOGGER, "odoo.addons.social_crm.models.social_crm_post")
    def test_unknown_host_fails_a_post_plainly_and_tells_its_author(self):
        self.account.write({"network": "mastodon", "base_url": "https://no-such-host.invalid", "token": "t"})
        self.account.sudo().state = "connected"
        post = (
            self.env["social_crm.post"]
            .with_user(self.social_user)
            .create({"body": "Spring sale", "account_ids": [(6, 0, self.account.ids)]})
        )
        post.action_submit()
        post.with_user(self.social_manager).action_approve()
        self.env.ref("social_crm.ir_cron_publish_posts").method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(post.state, "failed")
        self.assertFalse(post.result_ids.outcome_unknown)
        self.assertFalse(post.outcome_unknown)
        managers_asked = post.activity_ids.filtered(lambda a: a.summary and a.summary.startswith("Check a post"))
        self.assertFalse(managers_asked, "no manager is asked to check a network that never received it")
        todo = post.activity_ids.filtered(lambda a: a.user_id == self.social_user)
        self.assertEqual(todo.summary, "Post not published")

    def test_accounts_that_cannot_publish_now_are_named_before_submission(self):
        self.account.sudo().write({"state": "error", "last_error": "token rejected"})
        reply = self.draft(self.social_user)
        self.assertIn("Test brand on Bluesky cannot publish now", reply.publish_warning)
        self.assertIn("token rejected", reply.publish_warning)
        post = (
            self.env["social_crm.post"]
            .with_user(self.social_user)
            .create({"body": "Spring sale", "account_ids": [(6, 0, self.account.ids)]})
        )
        self.assertIn("Test brand on Bluesky cannot publish now", post.publish_warning)
        post.action_submit()
        self.assertIn("cannot publish now", approval_requests(post).note, "the approver is told too")


@tagged("social_crm", "social_crm_reply", "post_install", "-at_install")
class TestPrivateAnswersPolicy(PolicyUsers, WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_users()

    def line_ticket(self, message_id, reply_token):
        self.deliver_line(line_text(message_id, reply_token))
        self.run_processing()
        return self.env["social_crm.mention"].search([("account_id", "=", self.line.id)], limit=1).ticket_id

    def test_agent_answers_a_line_message_at_once_under_the_default_policy(self):
        ticket = self.line_ticket("01FZ74A0TDDPYRVKNK77XKC3AA", "b60d432864f44d079f6d8efe86cf40aa")
        reply = self.answer_from_ticket(ticket, self.social_user, "ได้รับแล้วครับ กำลังตรวจสอบให้")
        self.assertFalse(reply.needs_approval_now)
        reply.with_user(self.social_user).action_submit()
        self.assertEqual(reply.state, "posted", reply.error_message)
        [sent] = self.sent(LINE_REPLY_PATH)
        self.assertEqual(sent["messages"][0]["text"], "ได้รับแล้วครับ กำลังตรวจสอบให้")
        self.assertFalse(reply.approver_id)
        self.assertFalse(approval_requests(reply))
        audit = ticket.message_ids.filtered(lambda m: "Reply posted" in (m.body or ""))
        self.assertIn("without approval", audit[:1].body)

    def test_always_policy_makes_private_answers_wait_but_not_for_publishers(self):
        self.line.reply_policy = "always"
        ticket = self.line_ticket("01FZ74A0TDDPYRVKNK77XKC3AB", "b60d432864f44d079f6d8efe86cf40ab")
        reply = self.answer_from_ticket(ticket, self.social_user, "ขอบคุณครับ")
        reply.with_user(self.social_user).action_submit()
        self.assertEqual(reply.state, "to_approve")
        self.assertFalse(self.sent(LINE_REPLY_PATH))
        mine = self.answer_from_ticket(ticket, self.publisher, "ส่งให้แล้วครับ")
        mine.with_user(self.publisher).action_submit()
        self.assertEqual(mine.state, "posted", mine.error_message)
        self.assertEqual(len(self.sent(LINE_REPLY_PATH)) + len(self.sent("/v2/bot/message/push")), 1)

    def test_the_privacy_guard_still_holds_for_direct_answers(self):
        ticket = self.line_ticket("01FZ74A0TDDPYRVKNK77XKC3AC", "b60d432864f44d079f6d8efe86cf40ac")
        reply = self.answer_from_ticket(ticket, self.social_user, "Your card 4111 1111 1111 1111 is blocked")
        with self.assertRaisesRegex(UserError, "Post anyway"):
            reply.with_user(self.social_user).action_submit()
        self.assertEqual(reply.state, "draft")
        self.assertFalse(self.sent(LINE_REPLY_PATH))

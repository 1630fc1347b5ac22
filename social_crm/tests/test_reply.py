# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .mastodon_case import MastodonReplyCase


@tagged("social_crm", "social_crm_reply", "post_install", "-at_install")
class TestReply(MastodonReplyCase):
    def test_manager_posts_directly_and_it_is_audited(self):
        reply = self.draft(self.social_manager)
        reply.action_submit()
        self.assertEqual(reply.state, "posted")
        self.assertEqual(len(self.posted), 1)
        self.assertEqual(self.posted[0]["in_reply_to_id"], "1100")
        self.assertEqual(self.posted[0]["status"], "Sorry Jane, we are checking your parcel now.")
        outbound = reply.posted_mention_id
        self.assertEqual(outbound.direction, "outbound")
        self.assertEqual(outbound.thread_id, self.thread)
        self.assertEqual(outbound.parent_id, self.mention)
        self.assertEqual(self.thread.state, "answered")
        self.assertTrue(self.thread.first_response_at)
        ticket = self.mention.ticket_id
        self.assertTrue(ticket, "the complaint had made a ticket")
        self.assertEqual(outbound.ticket_id, ticket)
        self.assertTrue(ticket.social_first_response_at)
        audit = ticket.message_ids.filtered(lambda m: "Reply posted" in (m.body or ""))
        self.assertTrue(audit)
        self.assertIn("Mia Manager", audit[0].body)

    def test_user_draft_waits_for_approval(self):
        reply = self.draft(self.social_user)
        reply.action_submit()
        self.assertEqual(reply.state, "to_approve")
        self.assertEqual(self.posted, [], "nothing leaves Odoo before approval")
        activity = reply.activity_ids
        self.assertEqual(len(activity), 1, "one approval request per reply, for the managers' pool")
        self.assertIn(activity.user_id, self.env.ref("social_crm.group_social_manager").users)
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            reply.action_approve()
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "posted")
        self.assertEqual(reply.approver_id, self.social_manager)
        self.assertEqual(len(self.posted), 1)
        self.assertFalse(reply.activity_ids)

    def test_manager_rejects_with_a_reason(self):
        reply = self.draft(self.social_user)
        reply.action_submit()
        self.reject_as_manager(reply, "Tone: please apologise first")
        self.assertEqual(reply.state, "rejected")
        self.assertEqual(reply.reject_reason, "Tone: please apologise first")
        self.assertEqual(self.posted, [])

    @mute_logger("odoo.addons.social_crm.models.social_crm_reply")
    def test_failed_post_keeps_the_draft_and_never_posts_twice(self):
        self.server.fail_with = (401, {}, {"error": "The access token is invalid"})
        reply = self.draft(self.social_manager)
        reply.action_submit()
        self.assertEqual(reply.state, "failed")
        self.assertTrue(reply.error_message)
        self.assertEqual(reply.body, "Sorry Jane, we are checking your parcel now.")
        self.assertFalse(reply.posted_mention_id)
        self.server.fail_with = None
        reply.action_submit()
        self.assertEqual(reply.state, "posted")
        reply._post()  # a second click, or a second worker
        self.assertEqual(len(self.posted), 1)

    def test_length_limit_and_privacy_guard(self):
        reply = self.draft(self.social_manager, body="x" * 501)
        self.assertTrue(reply.too_long)
        with self.assertRaises(UserError):
            reply.action_submit()
        reply.body = "Mail us at care@acme.example or call +66 2 123 4567"
        self.assertIn("email address", reply.privacy_warning)
        self.assertIn("phone number", reply.privacy_warning)
        self.submit_once_privacy_acknowledged(reply)
        self.assertEqual(reply.state, "posted")

    def test_canned_reply_fills_placeholders(self):
        canned = self.env["social_crm.canned.reply"].create(
            {
                "name": "sorry",
                "body": "Hi {name}, sorry! Ticket {ticket}. {unknown}",
            }
        )
        reply = self.draft(self.social_manager)
        reply.template_id = canned
        reply._onchange_template_id()
        self.assertEqual(reply.body, f"Hi Jane, sorry! Ticket {self.thread.ticket_id.number or ''}. {{unknown}}")

    def test_users_cannot_edit_others_drafts(self):
        reply = self.draft(self.social_manager)
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            reply.with_user(self.social_user).write({"body": "hijacked"})

    def test_name_follows_the_text(self):
        reply = self.draft(self.social_user)
        self.assertEqual(reply.display_name, "Reply: Sorry Jane, we are checking your parcel now.")
        reply.body = "Your parcel left the depot this morning."
        self.assertEqual(reply.display_name, "Reply: Your parcel left the depot this morning.")

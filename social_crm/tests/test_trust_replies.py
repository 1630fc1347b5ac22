# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Insider attacks on replies: what a manager approves is what is posted, once, where it belongs."""

from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .mastodon_case import MastodonReplyCase

REPLY_LOGGER = "odoo.addons.social_crm.models.social_crm_reply"


@tagged("social_crm", "social_crm_security", "social_crm_reply", "post_install", "-at_install")
class TestTrustReplies(MastodonReplyCase):
    account_name = "Acme on Mastodon (trust)"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_mention = cls.env["social_crm.mention"]._ingest_items(
            cls.masto,
            [
                cls.make_item("1200", "a different conversation", author_id="78", handle="bob@mastodon.example"),
            ],
        )

    def posted_texts(self):
        return [data["status"] for data in self.posted]

    # --- what a manager approves is exactly what is posted ---------------------------------------

    def test_edit_after_submission_returns_to_draft_and_cancels_the_approval(self):
        reply = self.draft(self.social_user)
        reply.action_submit()
        self.assertEqual(reply.state, "to_approve")
        self.assertTrue(reply.activity_ids)
        reply.write({"body": "Send us your card number and we refund you"})
        self.assertEqual(reply.state, "draft", "an edit after submission must go back to draft")
        self.assertFalse(reply.activity_ids, "the old approval request must be gone")
        with self.assertRaises(UserError):
            reply.with_user(self.social_manager).action_approve()
        self.assertEqual(self.posted, [])
        reply.action_submit()
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "posted")
        self.assertEqual(reply.approved_body, "Send us your card number and we refund you")
        self.assertEqual(self.posted_texts(), ["Send us your card number and we refund you"])

    @mute_logger("odoo.access")
    def test_workflow_fields_cannot_be_written_by_users(self):
        reply = self.draft(self.social_user)
        for vals in (
            {"state": "posted"},
            {"approver_id": self.social_manager.id},
            {"state": "to_approve"},
            {"author_id": self.social_manager.id},
            {"approved_body": "anything"},
            {"posted_at": "2026-11-01 10:00:00"},
        ):
            with self.assertRaises(AccessError, msg=f"an agent wrote {vals}"):
                reply.write(vals)
        with self.assertRaises(AccessError):
            self.env["social_crm.reply"].with_user(self.social_user).create(
                {
                    "thread_id": self.thread.id,
                    "parent_mention_id": self.mention.id,
                    "body": "approved by me",
                    "state": "to_approve",
                    "approver_id": self.social_manager.id,
                }
            )
        self.assertEqual(reply.state, "draft")
        self.assertFalse(reply.approver_id)

    def test_text_changed_behind_the_approval_is_not_posted(self):
        reply = self.draft(self.social_user)
        reply.action_submit()
        reply.sudo()._approve()
        self.env.cr.execute("UPDATE social_crm_reply SET body = 'unapproved words' WHERE id = %s", [reply.id])
        reply.invalidate_recordset()
        with self.assertRaises(UserError):
            reply.sudo()._post()
        self.assertEqual(self.posted, [])

    def test_approval_note_shows_the_text_escaped(self):
        reply = self.draft(self.social_user, body='Look <img src="https://evil.example/t.png"> here')
        reply.action_submit()
        note = reply.activity_ids[:1].note
        self.assertNotIn("<img", note)
        self.assertIn("&lt;img", note)
        self.assertIn("Sam Agent", note)

    def test_rejecter_is_not_shown_as_approver(self):
        reply = self.draft(self.social_user)
        reply.action_submit()
        reply.with_user(self.social_manager).action_reject("Apologise first")
        self.assertEqual(reply.rejected_by_id, self.social_manager)
        self.assertFalse(reply.approver_id)
        reply.action_retry()
        self.assertEqual(reply.state, "draft")
        reply.write({"body": "Sorry Jane! We are checking your parcel now."})
        reply.action_submit()
        self.assertEqual(reply.state, "to_approve")

    # --- a reply goes only where its conversation lives ----------------------------------------------

    def test_parent_must_belong_to_the_conversation(self):
        with self.assertRaises(ValidationError):
            self.env["social_crm.reply"].with_user(self.social_user).create(
                {
                    "thread_id": self.thread.id,
                    "parent_mention_id": self.other_mention.id,
                    "body": "hello",
                }
            )
        reply = self.draft(self.social_user)
        with self.assertRaises(ValidationError):
            reply.write({"parent_mention_id": self.other_mention.id})

    @mute_logger("odoo.access")
    def test_no_reply_on_another_companys_conversation_or_ticket(self):
        other_company = self.env["res.company"].create({"name": "Other Co (replies)"})
        other_account = self.env["social_crm.account"].create(
            {
                "name": "Other brand (replies)",
                "network": "mastodon",
                "company_id": other_company.id,
                "base_url": self.server.url,
            }
        )
        secret_mention = self.env["social_crm.mention"]._ingest_items(
            other_account,
            [
                self.make_item("9100", "confidential complaint of company B", author_id="99"),
            ],
        )
        other_ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "B's ticket",
                "description": "x",
                "company_id": other_company.id,
            }
        )
        Reply = self.env["social_crm.reply"].with_user(self.social_user)
        with self.assertRaises(UserError):  # ValidationError and Odoo's company check are UserErrors
            reply = Reply.create({"thread_id": self.thread.id, "parent_mention_id": secret_mention.id, "body": "x"})
            reply.parent_body  # noqa: B018 - the attack reads the other company's text
        reply = self.draft(self.social_user)
        with self.assertRaises(UserError):
            reply.write({"ticket_id": other_ticket.id})

    # --- one approval, one post --------------------------------------------------------------------

    def test_crash_after_the_network_call_never_posts_twice(self):
        reply = self.draft(self.social_user)
        reply.action_submit()
        manager_reply = reply.with_user(self.social_manager)
        # No assertRaises here: it would roll back to a savepoint, as the real commit never would.
        with patch.object(type(reply), "_record_posted", side_effect=RuntimeError("database went away")):
            try:
                manager_reply.action_approve()
            except RuntimeError:
                pass
            else:
                self.fail("the crash should have reached the caller")
        self.assertEqual(len(self.posted), 1)
        self.assertEqual(reply.state, "posting", "the posting state is saved before the network call")
        for attempt in (manager_reply.action_approve, manager_reply.action_submit, reply.action_submit):
            with self.assertRaises(UserError):
                attempt()
        self.assertEqual(len(self.posted), 1, "a second approval or click must not post again")

    def test_posting_state_is_committed_before_the_network_call(self):
        reply = self.draft(self.social_manager)
        reply.sudo()._approve()
        seen = []

        def commit():
            self.env.cr.execute("SELECT state FROM social_crm_reply WHERE id = %s", [reply.id])
            seen.append((self.env.cr.fetchone()[0], len(self.posted)))

        with patch.object(self.env.cr, "commit", side_effect=commit):
            reply._post(auto_commit=True)
        self.assertEqual(seen[0], ("posting", 0), "committed as posting before anything reached the network")
        self.assertEqual(reply.state, "posted")

    @mute_logger(REPLY_LOGGER)
    def test_lost_answer_is_looked_up_before_posting_again(self):
        self.server.drop_connection = True
        reply = self.draft(self.social_manager)
        reply.action_submit()
        self.assertEqual(reply.state, "failed")
        self.assertTrue(reply.outcome_unknown)
        self.assertEqual(len(self.posted), 1)
        with self.assertRaises(UserError):
            reply.action_submit()  # "Post again" must not post blindly
        self.server.drop_connection = False
        reply.action_check_posted()
        self.assertEqual(reply.state, "posted", "the reply was found on the network")
        self.assertEqual(reply.posted_external_id, "2000")
        self.assertEqual(len(self.posted), 1, "found, not posted a second time")

    @mute_logger(REPLY_LOGGER)
    def test_agent_cannot_settle_an_unknown_outcome(self):
        self.server.drop_connection = True
        reply = self.draft(self.social_manager)
        reply.action_submit()
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            reply.with_user(self.social_user).action_confirm_not_posted()
        reply.action_confirm_not_posted()
        self.assertFalse(reply.outcome_unknown)
        self.server.drop_connection = False
        reply.action_submit()
        self.assertEqual(reply.state, "posted")

    # --- feedback and follow-up ---------------------------------------------------------------------

    @mute_logger("odoo.access")
    def test_agent_cannot_settle_the_approval_request_of_their_reply(self):
        reply = self.draft(self.social_user)
        reply.action_submit()
        activity = reply.activity_ids[:1].with_user(self.social_user)
        with self.assertRaises(AccessError):
            activity.action_feedback(feedback="approved myself")
        with self.assertRaises(AccessError):
            activity.unlink()
        self.assertEqual(reply.state, "to_approve")
        self.assertTrue(reply.activity_ids)

    def test_submission_says_so_and_shows_on_the_ticket(self):
        reply = self.draft(self.social_user)
        action = reply.action_submit()
        self.assertEqual(action["tag"], "display_notification")
        ticket = self.thread.ticket_id
        self.assertTrue(ticket)
        self.assertIn("waits for a manager", ticket.message_ids[:1].body)
        self.assertEqual(reply.display_name, "Reply: Sorry Jane, we are checking your parcel now.")

    @mute_logger(REPLY_LOGGER)
    def test_failed_post_goes_back_to_its_author(self):
        self.server.fail_with = (422, {}, {"error": "Validation failed: Text too spammy"})
        reply = self.draft(self.social_user)
        reply.action_submit()
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "failed")
        self.assertFalse(reply.outcome_unknown, "a refusal is a known outcome")
        todo = reply.activity_ids.filtered(lambda a: a.user_id == self.social_user)
        self.assertTrue(todo, "the author gets an activity")
        self.assertIn("spammy", todo.note)
        self.assertIn("could not be posted", self.thread.ticket_id.message_ids[:1].body)

    def test_length_is_counted_the_way_the_network_counts(self):
        bluesky_thread = (
            self.env["social_crm.mention"]
            ._ingest_items(
                self.account,
                [
                    self.make_item("at://did:plc:jane/app.bsky.feed.post/3kthai", "ของยังไม่มาเลย"),
                ],
            )
            .thread_id
        )
        action = bluesky_thread.with_user(self.social_user).action_reply()
        ctx = {key[len("default_") :]: value for key, value in action["context"].items()}
        # 120 Thai graphemes are more than 120 code points (combining vowels and tone marks): Bluesky takes it.
        thai = "ขอโทษด้วยนะคะ" * 10
        reply = self.env["social_crm.reply"].with_user(self.social_user).create({**ctx, "body": thai})
        self.assertGreater(len(thai), 120)
        self.assertEqual(reply.char_count, 120)
        self.assertFalse(reply.too_long)

    def test_privacy_warning_speaks_the_users_language(self):
        self.env["res.lang"]._activate_lang("th_TH")
        reply = self.draft(self.social_user, body="mail me at jane@example.com").with_context(lang="th_TH")
        self.assertIn("ที่อยู่อีเมล", reply.privacy_warning)

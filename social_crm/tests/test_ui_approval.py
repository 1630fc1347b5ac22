# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""An agent answers a private LINE message in one step, in a real browser (issue 31)."""

from odoo.tests import tagged

from .webhook_case import WebhookCase, line_text

LINE_REPLY_PATH = "/v2/bot/message/reply"


@tagged("social_crm", "social_crm_ui", "post_install", "-at_install")
class TestUiApproval(WebhookCase):
    def test_agent_answers_a_private_message_in_one_step(self):
        self.deliver_line(line_text("01FZ74A0TDDPYRVKNK77XKC3TU", "b60d432864f44d079f6d8efe86cf40tu"))
        self.run_processing()
        ticket = self.env["social_crm.mention"].search([("account_id", "=", self.line.id)]).ticket_id
        self.assertTrue(ticket)
        self.start_tour(f"/odoo/helpdesk.ticket/{ticket.id}", "social_crm_private_answer_tour", login="social_user")
        reply = ticket.social_reply_ids
        self.assertEqual((reply.state, reply.author_id), ("posted", self.social_user))
        self.assertFalse(reply.approver_id)
        [sent] = self.sent(LINE_REPLY_PATH)
        self.assertEqual(sent["messages"][0]["text"], "ได้รับแล้วครับ พัสดุจะถึงพรุ่งนี้")

    def test_manager_approves_from_the_activity_and_the_rejection_reaches_the_author(self):
        """Issue 26: a manager approves from the approval request and rejects another; the author is told why."""
        self.line.write({"reply_policy": "always", "approver_id": self.social_manager.id})
        self.deliver_line(line_text("01FZ74A0TDDPYRVKNK77XKC3MA", "b60d432864f44d079f6d8efe86cf40ma"))
        self.run_processing()
        ticket = self.env["social_crm.mention"].search([("account_id", "=", self.line.id)]).ticket_id
        first = self.answer_from_ticket(ticket, self.social_user, "ขอบคุณที่รอครับ พัสดุออกแล้ว")
        first.with_user(self.social_user).action_submit()
        self.assertEqual(first.state, "to_approve")
        self.start_tour("/odoo", "social_crm_manager_sees_the_request_tour", login="social_manager")
        self.start_tour(
            f"/odoo/social_crm.reply/{first.id}", "social_crm_manager_approves_tour", login="social_manager"
        )
        self.assertEqual((first.state, first.approver_id), ("posted", self.social_manager), first.error_message)
        [sent] = self.sent(LINE_REPLY_PATH)
        self.assertEqual(sent["messages"][0]["text"], "ขอบคุณที่รอครับ พัสดุออกแล้ว")
        second = self.answer_from_ticket(ticket, self.social_user, "จะตรวจสอบให้นะครับ")
        second.with_user(self.social_user).action_submit()
        self.start_tour(
            f"/odoo/social_crm.reply/{second.id}", "social_crm_manager_rejects_tour", login="social_manager"
        )
        self.assertEqual(second.state, "rejected")
        told = second.activity_ids.filtered(lambda activity: activity.user_id == self.social_user)
        self.assertEqual(len(told), 1, "the author gets one to-do")
        self.assertIn("Please give the tracking number", str(told.note) + (told.summary or ""))

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

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The lead form in a real browser: the conversation, and a reply through approval."""

from odoo.tests import HttpCase, tagged

from .common import SocialLeadCase, status_json


@tagged("social_crm_lead", "social_crm_lead_ui", "post_install", "-at_install")
class TestLeadUi(HttpCase, SocialLeadCase):
    def test_the_salesperson_answers_from_the_lead(self):
        self.fetch(status_json("300", "ยังมีของไหมคะ อยากสั่ง 2 ชิ้น ต้องทำยังไง", author="78", lang="th"))
        lead = self.leads()
        self.assertEqual(len(lead), 1)
        self.start_tour(f"/odoo/crm.lead/{lead.id}", "social_crm_lead_reply_tour", login="social_seller")
        reply = lead.social_reply_ids
        self.assertEqual(reply.state, "to_approve")
        self.assertEqual(reply.author_id, self.salesman)
        self.assertEqual(self.posted, [], "nothing is posted before a manager approves")
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(len(self.posted), 1)
        self.assertEqual(self.posted[0]["in_reply_to_id"], "300")

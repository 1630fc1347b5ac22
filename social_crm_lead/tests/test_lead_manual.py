# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Create lead (with or without the contact) and Link to lead, on a mention, a conversation and a ticket."""

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import SocialLeadCase, status_json


@tagged("social_crm_lead", "post_install", "-at_install")
class TestLeadManual(SocialLeadCase):
    def wizard(self, action, user=None, **values):
        form = Form(self.env[action["res_model"]].with_user(user or self.salesman).with_context(**action["context"]))
        for name, value in values.items():
            setattr(form, name, value)
        record = form.save()
        result = record.action_confirm()
        return self.env["crm.lead"].browse(result["res_id"])

    def other_mention(self, text="@acme nice shop, just looking around"):
        mention = self.fetch(status_json("400", text, author="80"))
        self.assertFalse(self.leads(), "no buying signal, no lead by the rules")
        return mention.with_user(self.salesman)

    def test_create_lead_on_a_mention_with_the_contact(self):
        mention = self.other_mention()
        lead = self.wizard(mention.action_create_lead(), create_partner=True, partner_name="Kim Lee")
        self.assertEqual(lead.partner_id.name, "Kim Lee")
        self.assertEqual(mention.identity_id.partner_id, lead.partner_id, "the identity is linked to the new contact")
        self.assertEqual(mention.thread_id.lead_id, lead)
        self.assertEqual(lead.user_id, self.salesman)
        self.assertEqual(lead.source_id.name, "Mastodon")
        self.assertEqual(lead.medium_id.name, "Social")
        self.assertEqual(mention.lead_id, lead, "the mention links to the lead")

    def test_create_lead_on_a_conversation_without_a_contact(self):
        thread = self.other_mention().thread_id
        lead = self.wizard(thread.action_create_lead())
        self.assertFalse(lead.partner_id)
        self.assertEqual(lead.contact_name, "Kim")
        self.assertEqual(thread.lead_id, lead)
        self.assertEqual(thread.action_open_lead()["res_id"], lead.id)

    def test_create_lead_on_a_social_ticket(self):
        mention = self.fetch(status_json("410", "@acme my order hasn't arrived, still waiting", author="77"))
        ticket = mention.ticket_id.with_user(self.salesman)
        self.assertTrue(ticket)
        self.assertFalse(self.leads())
        lead = self.wizard(ticket.action_social_create_lead())
        self.assertEqual(ticket.social_lead_id, lead, "a ticket and a lead on one conversation")
        self.assertEqual(mention.thread_id.ticket_id, ticket)

    def test_link_to_an_existing_lead(self):
        thread = self.other_mention().thread_id
        existing = self.env["crm.lead"].with_user(self.salesman).create({"name": "Kim's office, 40 kettles"})
        lead = self.wizard(thread.action_link_lead(), lead_id=existing)
        self.assertEqual(lead, existing)
        self.assertEqual(thread.lead_id, existing)
        self.assertEqual(existing.social_thread_id, thread)
        follow = status_json("401", "@acme and do you do wholesale?", in_reply_to="400", author="80", minutes=5)
        self.fetch(status_json("400", "@acme nice shop, just looking around", author="80"), follow)
        self.assertEqual(self.leads(), existing, "the linked lead gets the follow-up, no second lead")

    def test_only_social_users_with_sales_rights_create_leads(self):
        mention = self.other_mention()
        employee = mail_new_test_user(self.env, login="plain_employee", groups="base.group_user")
        with self.assertRaises(AccessError):
            mention.with_user(employee).action_create_lead()
        agent = self.social_user  # a Social CRM user without sales rights
        with self.assertRaises(AccessError):
            mention.with_user(agent).action_create_lead()

    def test_another_company_cannot_link_its_conversation_to_our_lead(self):
        thread = self.other_mention().thread_id
        other = self.env["res.company"].create({"name": "Other Co"})
        foreign = self.env["crm.lead"].create({"name": "Their lead", "company_id": other.id})
        action = thread.action_link_lead()
        with self.assertRaises(AccessError):
            self.wizard(action, lead_id=foreign)

    def test_social_users_without_sales_rights_still_work_on_social_records(self):
        """The links to leads are for salespeople: the others' forms open as before the bridge."""
        self.fetch(status_json("420", "@acme how much is the blue kettle?", author="77"))
        mention = self.env["social_crm.mention"].search([("account_id", "=", self.masto.id)])
        self.assertTrue(mention.thread_id.lead_id)
        agent = self.social_user
        for record in (mention, mention.thread_id, self.partner):
            form = Form(record.with_user(agent))
            self.assertTrue(form.id)
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Kettle", "description": "x", "social_thread_id": mention.thread_id.id}
        )
        self.assertTrue(Form(ticket.with_user(agent)).id)

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Buying signals fetched from the network become one lead per conversation, through the real analysis."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import SocialLeadCase, status_json

THAI_BUYING = "ยังมีของไหมคะ อยากสั่ง 2 ชิ้น ต้องทำยังไง"


@tagged("social_crm_lead", "post_install", "-at_install")
class TestLeadPipeline(SocialLeadCase):
    def test_buying_posts_in_english_thai_and_persian_become_one_lead_each(self):
        mentions = self.fetch(
            status_json("100", "@acme how much is the blue kettle? Do you ship to Chiang Mai?", author="77"),
            status_json("101", f"@acme {THAI_BUYING}", author="78", lang="th", minutes=1),
            status_json("102", "@acme سلام، قیمت این کتری چنده؟ موجود دارید؟", author="79", lang="fa", minutes=2),
        )
        self.assertEqual(sorted(mentions.mapped("lang")), ["en", "fa", "th"])
        self.assertEqual(set(mentions.mapped("intent")), {"buying"}, "the learned intent says: buying signals")
        leads = self.leads()
        self.assertEqual(len(leads), 3)
        source = self.env["utm.source"].search([("name", "=", "Mastodon")])
        medium = self.env["utm.medium"].search([("name", "=", "Social")])
        for lead in leads:
            self.assertEqual(lead.source_id, source, "UTM source: the network")
            self.assertEqual(lead.medium_id, medium, "UTM medium: Social")
            self.assertEqual(lead.team_id, self.sales_team, "the account's sales team")
            self.assertEqual(lead.company_id, self.company)
            self.assertFalse(lead.partner_id, "an unknown person: no contact is made up")
            self.assertEqual(lead.social_thread_id.lead_id, lead)
        thai = leads.filtered(lambda lead: lead.social_thread_id.identity_id.handle.startswith("somsri"))
        self.assertEqual(thai.contact_name, "Somsri", "the identity's name")
        self.assertIn("somsri@mastodon.example", str(thai.description), "and handle")
        self.assertIn(THAI_BUYING, str(thai.description))
        self.assertFalse(mentions.ticket_id, "with CRM, buying signals go to sales, not the helpdesk")

    def test_a_follow_up_is_logged_on_the_same_lead(self):
        first = status_json("110", "@acme Is the red kettle still available? How can I order two?", author="77")
        self.fetch(first)
        lead = self.leads()
        self.assertEqual(len(lead), 1)
        follow_up = status_json(
            "111", "@acme Also, do you have wholesale pricing?", in_reply_to="110", author="77", minutes=5
        )
        mentions = self.fetch(first, follow_up)
        self.assertEqual(len(mentions), 2)
        self.assertEqual(len(mentions.thread_id), 1, "one conversation")
        self.assertEqual(self.leads(), lead, "no second lead for the same conversation")
        self.assertIn("wholesale pricing", " ".join(lead.message_ids.mapped("body")), "the message is on the lead")

    def test_the_thai_stock_question_becomes_a_lead(self):
        self.fetch(status_json("120", THAI_BUYING, author="78", lang="th"))
        lead = self.leads()
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.social_thread_id.mention_ids.intent, "buying")

    def test_complaints_and_praise_never_become_leads(self):
        mentions = self.fetch(
            status_json("130", "@acme my order hasn't arrived, still waiting after two weeks", author="77"),
            status_json("131", "@acme สั่งไปแล้วยังไม่ได้ของเลยค่ะ รอนานมาก", author="78", lang="th", minutes=1),
            status_json("132", "@acme سفارشم هنوز نرسیده، خیلی بده", author="79", lang="fa", minutes=2),
            status_json("133", "@acme love the new kettle, best purchase ever!", author="80", minutes=3),
        )
        self.assertEqual(len(mentions), 4)
        self.assertNotIn("buying", mentions.mapped("intent"))
        self.assertFalse(self.leads())
        complaints = mentions.filtered(lambda m: m.intent == "complaint")
        self.assertTrue(complaints.ticket_id, "complaints still become tickets")

    def test_a_complaint_and_a_buying_signal_give_a_ticket_and_a_lead(self):
        complaint = status_json("140", "@acme my order hasn't arrived yet, this is terrible", author="77")
        self.fetch(complaint)
        buying = status_json(
            "141", "@acme and I want to buy three more, how do I order?", in_reply_to="140", author="77", minutes=3
        )
        mentions = self.fetch(complaint, buying)
        thread = mentions.thread_id
        self.assertEqual(len(thread), 1)
        self.assertTrue(thread.ticket_id)
        self.assertTrue(thread.lead_id)
        self.assertEqual(self.leads(), thread.lead_id)

    def test_rules_off_no_lead(self):
        self.env.ref("social_crm_lead.lead_rule_buying").active = False
        self.fetch(status_json("150", "@acme how much is the blue kettle?", author="77"))
        self.assertFalse(self.leads())

    def test_a_won_lead_lets_a_new_one_open(self):
        first = status_json("160", "@acme price of the blue kettle?", author="77")
        self.fetch(first)
        lead = self.leads()
        lead.action_set_won()
        again = status_json(
            "161", "@acme I'd like to order another one, is it in stock?", in_reply_to="160", author="77"
        )
        self.fetch(first, again)
        self.assertEqual(len(self.leads()), 2, "one open lead per conversation: the won one is closed")

    def test_a_linked_contact_gets_the_lead(self):
        self.fetch(status_json("170", "@acme how much for 10 kettles? wholesale price?", author="77"))
        lead = self.leads()
        identity = lead.social_thread_id.identity_id
        identity.partner_id = self.partner
        follow = status_json("171", "@acme can I get a quote for 20?", author="77", minutes=9)
        self.fetch(status_json("170", "@acme how much for 10 kettles? wholesale price?", author="77"), follow)
        new_lead = self.leads() - lead
        self.assertEqual(new_lead.partner_id, self.partner, "a linked identity brings its contact")

    def test_the_campaign_of_the_answered_post(self):
        campaign = self.env["utm.campaign"].create({"name": "Kettle launch"})
        post = self.env["social_crm.post"].create(
            {"body": "Our new kettle is here", "account_ids": [(6, 0, self.masto.ids)], "campaign_id": campaign.id}
        )
        self.env["social_crm.post.result"].create(
            {"post_id": post.id, "account_id": self.masto.id, "state": "posted", "external_id": "900"}
        )
        # the customer answers the published post (900): the conversation's root
        self.fetch(status_json("901", "@acme how much is it? I want to buy one", in_reply_to="900", author="77"))
        lead = self.leads()
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.campaign_id, campaign)

    def test_another_company_never_sees_the_lead(self):
        self.fetch(status_json("180", "@acme how much is the blue kettle?", author="77"))
        lead = self.leads()
        other = self.env["res.company"].create({"name": "Other Co"})
        stranger = mail_new_test_user(
            self.env,
            login="other_seller",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
            groups="base.group_user,social_crm.group_social_manager,sales_team.group_sale_manager",
        )
        self.assertFalse(self.env["crm.lead"].with_user(stranger).search([("id", "=", lead.id)]))
        with self.assertRaises(AccessError):
            lead.with_user(stranger).read(["name"])
        self.assertFalse(self.env["social_crm.lead.report"].with_user(stranger).search([]))
        self.assertEqual(
            self.env["crm.lead"].with_user(self.salesman).search([("social_thread_id", "!=", False)]), lead
        )

    def test_the_reply_from_the_lead_goes_through_approval_to_the_network(self):
        self.fetch(status_json("190", "@acme Is the red kettle in stock? How can I order?", author="77"))
        lead = self.leads().with_user(self.salesman)
        self.assertIn("red kettle", lead.social_chat_html, "the lead shows the conversation")
        action = lead.action_social_reply()
        ctx = {key[len("default_") :]: value for key, value in action["context"].items()}
        reply = (
            self.env["social_crm.reply"]
            .with_user(self.salesman)
            .create({**ctx, "body": "Yes! Two are in stock, here is how to order."})
        )
        self.assertEqual(reply.lead_id, lead)
        reply.action_submit()
        self.assertEqual(reply.state, "to_approve", "a seller's reply waits for a manager")
        self.assertFalse(self.posted)
        self.assertEqual(lead.social_pending_reply_count, 1)
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "posted")
        self.assertEqual(len(self.posted), 1, "the network got the reply once")
        self.assertEqual(self.posted[0]["in_reply_to_id"], "190")
        self.assertIn("Two are in stock", self.posted[0]["status"])
        self.assertIn("Reply posted on Mastodon", " ".join(lead.sudo().message_ids.mapped("body")))

    def test_rules_are_ordered_per_language_and_for_managers_only(self):
        Rule = self.env["social_crm.lead.rule"]
        with self.assertRaises(AccessError):
            Rule.with_user(self.social_user).create({"name": "Mine"})
        with self.assertRaises(AccessError):
            self.env.ref("social_crm_lead.lead_rule_buying").with_user(self.social_manager).write({"active": False})
        # a manager's own rules, first in order: Thai buying signals only; the rest makes no lead
        Rule.with_user(self.social_manager).create(
            [
                {"name": "Thai buyers", "sequence": 1, "intent": "buying", "langs": "th", "tag_ids": []},
                {"name": "Nothing else", "sequence": 2, "create_lead": False},
            ]
        )
        self.fetch(
            status_json("195", "@acme how much is the blue kettle?", author="77"),
            status_json("196", "ราคาเท่าไหร่คะ อยากสั่งสองใบ", author="78", lang="th", minutes=1),
        )
        lead = self.leads()
        self.assertEqual(len(lead), 1)
        self.assertIn("ราคาเท่าไหร่", str(lead.description))

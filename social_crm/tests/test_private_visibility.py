# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Private messages are for the people who answer them: a plain employee reads public mentions only."""

import dataclasses

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import HELPDESK_EMPLOYEE_GROUPS, load_migration
from .test_privacy import analyzed_as
from .webhook_case import WebhookCase, line_text

SECRET = "my address is 14 Soi Sukhumvit 55, call 081-234-5678"
REPORTS = ("social_crm.response.report", "social_crm.voice.report", "social_crm.share.report")


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestPrivateVisibility(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee = cls.new_user("warehouse_wanda", HELPDESK_EMPLOYEE_GROUPS, name="Wanda Warehouse")

    def setUp(self):
        super().setUp()
        self.deliver_line(line_text("01J00000000000000000000V01", "7730001", text=SECRET))
        with analyzed_as("negative", "complaint"):
            self.run_processing()
        self.private = self.env["social_crm.mention"].search([("account_id", "=", self.line.id)])
        self.assertEqual(self.private.visibility, "private")
        with analyzed_as("negative", "complaint"):
            self.public = self.ingest([self.make_item("at://v/1", "parcel late again", author_id="did:plc:v1")])
        self.assertEqual(self.public.visibility, "public")
        (self.private | self.public).identity_id.sudo().write({"partner_id": self.partner.id})
        self.ticket = self.private.ticket_id
        self.assertTrue(self.ticket, "the private message opened a ticket")
        self.env.invalidate_all()

    def as_user(self, records, user):
        self.env.invalidate_all()
        return records.with_user(user)

    def test_the_default_gives_employees_public_mentions_only(self):
        self.assertTrue(self.employee.has_group("social_crm.group_social_reader"))
        self.assertFalse(self.employee.has_group("social_crm.group_social_user"))
        Mention = self.as_user(self.env["social_crm.mention"], self.employee)
        found = Mention.search([("id", "in", (self.private | self.public).ids)])
        self.assertEqual(found, self.public, "search finds the public mention only")
        self.assertEqual(self.as_user(self.public, self.employee).read(["body"])[0]["body"], "parcel late again")
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            self.as_user(self.private, self.employee).read(["body"])
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            self.as_user(self.private.thread_id, self.employee).read(["name"])
        Thread = self.as_user(self.env["social_crm.thread"], self.employee)
        self.assertFalse(Thread.search([("visibility", "=", "private")]))
        counts = Mention._read_group([("partner_id", "=", self.partner.id)], [], ["__count"])
        self.assertEqual(counts[0][0], 1, "grouped counts leave private messages out")
        self.assertFalse(self.as_user(self.public.thread_id, self.employee).mention_ids & self.private)

    def test_contact_social_tab_shows_employees_no_private_message(self):
        partner = self.as_user(self.partner, self.employee)
        self.assertEqual(partner.social_mention_count, 1)
        self.assertEqual(partner.social_recent_mention_ids, self.public)
        self.assertEqual(partner.social_mention_ids, self.public)
        values = partner.web_read(
            {
                "social_mention_count": {},
                "social_recent_mention_ids": {"fields": {"body": {}}},
                "social_mention_ids": {"fields": {"body": {}}},
            }
        )[0]
        self.assertNotIn("Sukhumvit", str(values))
        # A Social CRM User (an agent) reads both.
        agent = self.as_user(self.partner, self.social_user)
        self.assertEqual(agent.social_mention_count, 2)
        self.assertIn("Sukhumvit", str(agent.web_read({"social_recent_mention_ids": {"fields": {"body": {}}}})))

    def test_ticket_of_a_private_conversation_keeps_the_text_out_of_employees_reach(self):
        ticket = self.as_user(self.ticket, self.employee)
        values = ticket.read(["name", "description", "partner_name"])[0]
        self.assertNotIn("Sukhumvit", str(values))
        self.assertNotIn("081-234-5678", str(values))
        self.assertFalse(ticket.social_mention_ids, "the ticket's mentions follow the rules")
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            ticket.read(["social_conversation_ids"])
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            ticket.read(["social_chat_html"])
        # The agent answering it reads the conversation.
        agent_ticket = self.as_user(self.ticket, self.social_user)
        self.assertIn(SECRET, agent_ticket.social_mention_ids.body)
        self.assertIn("Sukhumvit", str(agent_ticket.read(["social_chat_html"])))

    def test_people_known_only_from_private_messages_are_not_for_employees(self):
        line_person, public_person = self.private.identity_id, self.public.identity_id
        self.assertEqual((line_person.visibility, public_person.visibility), ("private", "public"))
        Identity = self.as_user(self.env["social_crm.identity"], self.employee)
        self.assertEqual(Identity.search([("id", "in", (line_person | public_person).ids)]), public_person)
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            self.as_user(line_person, self.employee).read(["name"])
        self.assertEqual(self.as_user(self.partner, self.employee).social_identity_ids, public_person)
        agent = self.as_user(self.env["social_crm.identity"], self.social_user)
        self.assertEqual(agent.search([("id", "in", (line_person | public_person).ids)]), line_person | public_person)

    def test_a_person_who_writes_in_public_becomes_readable(self):
        with analyzed_as("neutral", "other"):
            item = self.make_item("at://v/dm1", "psst", author_id="did:plc:quiet")
            direct = self.ingest([dataclasses.replace(item, visibility="private")])
        self.assertEqual(direct.identity_id.visibility, "private")
        with analyzed_as("neutral", "other"):
            self.ingest([self.make_item("at://v/2", "hello all", author_id="did:plc:quiet")])
        self.assertEqual(direct.identity_id.visibility, "public")
        self.assertTrue(self.as_user(direct.identity_id, self.employee).read(["name"]))

    def test_migration_keeps_people_who_wrote_in_public_readable(self):
        (self.private | self.public).identity_id.sudo().write({"visibility": "private"})
        self.env.flush_all()
        migration = load_migration("18.0.1.3.0", "post-identity_visibility")
        migration.migrate(self.env.cr, "18.0.1.2.0")
        self.env.invalidate_all()
        self.assertEqual(self.public.identity_id.visibility, "public")
        self.assertEqual(self.private.identity_id.visibility, "private")

    def test_reports_and_events_are_not_for_employees(self):
        for report in REPORTS:
            with self.assertRaises(AccessError, msg=report), mute_logger("odoo.access"):
                self.env[report].with_user(self.employee).search([])
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            self.env["social_crm.event"].with_user(self.employee).search([])

    def test_social_users_and_managers_read_private_messages(self):
        for user in (self.social_user, self.social_manager):
            mentions = self.as_user(self.env["social_crm.mention"], user).search(
                [("id", "in", (self.private | self.public).ids)]
            )
            self.assertEqual(mentions, self.private | self.public, user.login)
            self.assertEqual(self.as_user(self.private, user).body, SECRET)
            self.assertTrue(self.as_user(self.env["social_crm.thread"], user).search([("visibility", "=", "private")]))

    def test_switching_the_setting_off_takes_public_reading_away_too(self):
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.social_crm_everyone_reads)
        settings.social_crm_everyone_reads = False
        settings.execute()
        self.assertFalse(self.employee.has_group("social_crm.group_social_reader"))
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            self.as_user(self.public, self.employee).read(["body"])
        self.assertTrue(self.social_user.has_group("social_crm.group_social_reader"), "users keep reading")
        self.assertEqual(self.as_user(self.private, self.social_user).body, SECRET)

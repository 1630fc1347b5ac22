# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 11, point 5: companies are walled, conversations and identities are read-only for users.

Each test is an insider's attack (``with_user``) that worked before.
"""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import TwoCompaniesCase, load_migration


@tagged("social_crm", "social_crm_trust", "post_install", "-at_install")
class TestTrustCompanies(TwoCompaniesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The same author writes to both companies.
        cls.mention_a = cls.ingest([cls.make_item("at://jane/1", "my order 4711 is late, address Main St 5")])
        cls.mention_b = cls.ingest([cls.make_item("at://jane/2", "hello B")], account=cls.account_b)
        cls.identity_a = cls.mention_a.identity_id
        cls.thread_a = cls.mention_a.thread_id

    # ------------------------------------------------------------------
    # Identities
    # ------------------------------------------------------------------

    def test_identities_belong_to_the_company_that_saw_them(self):
        self.assertEqual(self.identity_a.company_id, self.company)
        self.assertEqual(self.mention_b.identity_id.company_id, self.company_b)
        self.assertNotEqual(self.identity_a, self.mention_b.identity_id, "one identity per company")
        self.assertEqual(self.identity_a.external_id, self.mention_b.identity_id.external_id)
        Identity = self.env["social_crm.identity"].with_user(self.user_b)
        self.assertNotIn(self.identity_a, Identity.search([]))

    @mute_logger("odoo.access")
    def test_other_company_user_cannot_mark_a_customer_as_brand(self):
        """A user of company B set is_brand on company A's customer: all their tickets stopped."""
        with self.assertRaises(AccessError):
            self.identity_a.with_user(self.user_b).write({"is_brand": True})
        with self.assertRaises(AccessError):
            self.identity_a.with_user(self.manager_b).write({"is_brand": True})
        self.assertFalse(self.identity_a.is_brand)

    @mute_logger("odoo.access")
    def test_users_cannot_write_identities(self):
        identity = self.identity_a.with_user(self.social_user)
        for vals in (
            {"is_brand": True},
            {"partner_id": self.partner.id},
            {"bio": "x"},
            {"external_id": "did:plc:other"},
            {"match_confidence": 1.0},
        ):
            with self.assertRaises(AccessError, msg=str(vals)):
                identity.write(vals)
        with self.assertRaises(AccessError):
            self.env["social_crm.identity"].with_user(self.social_user).create(
                {"network": "bluesky", "external_id": "did:plc:fake", "company_id": self.company.id}
            )

    @mute_logger("odoo.access")
    def test_only_managers_set_brand_and_nobody_rewrites_network_data(self):
        identity = self.identity_a.with_user(self.social_manager)
        identity.write({"is_brand": True})
        self.assertTrue(self.identity_a.is_brand)
        for vals in (
            {"external_id": "did:plc:other"},
            {"network": "mastodon"},
            {"bio": "x"},
            {"handle": "admin"},
            {"match_reason": "handle"},
            {"company_id": self.company_b.id},
        ):
            with self.assertRaises(AccessError, msg=str(vals)):
                identity.write(vals)

    def test_users_link_identities_of_their_company_through_actions(self):
        identity = self.identity_a.with_user(self.social_user)
        self.identity_a.sudo().write({"suggested_partner_id": self.partner.id, "match_reason": "name"})
        identity.action_reject_suggestion()
        self.assertIn(self.partner, self.identity_a.rejected_partner_ids)
        self.identity_a.sudo().write({"suggested_partner_id": self.partner.id, "match_reason": "email"})
        identity.action_confirm_suggestion()
        self.assertEqual(self.identity_a.partner_id, self.partner)
        other = self.env["res.partner"].create({"name": "Jane Doe"})
        wizard = Form(
            self.env["social_crm.identity.link"]
            .with_user(self.social_user)
            .with_context(default_identity_ids=self.identity_a.ids)
        )
        wizard.partner_id = other
        wizard.save().action_link()
        self.assertEqual(self.identity_a.partner_id, other)
        self.assertEqual(self.identity_a.match_reason, "manual")

    @mute_logger("odoo.access")
    def test_other_company_user_cannot_link_through_actions(self):
        self.identity_a.sudo().write({"suggested_partner_id": self.partner.id})
        with self.assertRaises(AccessError):
            self.identity_a.with_user(self.user_b).action_confirm_suggestion()
        with self.assertRaises(AccessError):
            self.identity_a.with_user(self.user_b).action_reject_suggestion()
        partner_b = self.env["res.partner"].create({"name": "B's contact"})
        wizard = (
            self.env["social_crm.identity.link"]
            .with_user(self.user_b)
            .create(
                {
                    "identity_ids": [(6, 0, self.identity_a.ids)],
                    "partner_id": partner_b.id,
                }
            )
        )
        with self.assertRaises(AccessError):
            wizard.action_link()
        self.assertFalse(self.identity_a.partner_id)

    @mute_logger("odoo.access")
    def test_link_refuses_another_company_contact(self):
        partner_b = self.env["res.partner"].create({"name": "Only B's", "company_id": self.company_b.id})
        with self.assertRaises(UserError):
            self.env["social_crm.identity.link"].create(
                {
                    "identity_ids": [(6, 0, self.identity_a.ids)],
                    "partner_id": partner_b.id,
                }
            ).action_link()
        self.assertFalse(self.identity_a.partner_id)

    # ------------------------------------------------------------------
    # Conversations and tickets
    # ------------------------------------------------------------------

    @mute_logger("odoo.access")
    def test_conversations_are_read_only_for_users(self):
        thread = self.thread_a.with_user(self.social_user)
        for vals in ({"state": "closed"}, {"name": "renamed"}, {"ticket_id": False}):
            with self.assertRaises(AccessError, msg=str(vals)):
                thread.write(vals)
        thread.message_post(body="Looking into it", message_type="comment")
        thread.action_close()
        self.assertEqual(self.thread_a.state, "closed")

    @mute_logger("odoo.access")
    def test_other_company_user_cannot_close_a_conversation(self):
        with self.assertRaises(AccessError):
            self.thread_a.with_user(self.user_b).action_close()
        self.assertNotEqual(self.thread_a.state, "closed")

    @mute_logger("odoo.access")
    def test_ticket_refuses_another_company_conversation(self):
        """Linking A's conversation to a B ticket exposed its post, link and text through related fields."""
        Ticket = self.env["helpdesk.ticket"].with_user(self.manager_b).with_company(self.company_b)
        ticket = Ticket.create({"name": "mine", "description": "x", "team_id": self.team_b.id})
        with self.assertRaises(UserError):
            ticket.write({"social_thread_id": self.thread_a.id})
        with self.assertRaises(UserError):
            Ticket.create({"name": "theirs", "description": "x", "social_thread_id": self.thread_a.id})
        self.assertFalse(ticket.social_url)
        self.assertFalse(ticket.sudo().social_conversation_ids)

    def test_conversation_refuses_another_company_identity(self):
        with self.assertRaises(UserError):
            self.env["social_crm.thread"].create(
                {
                    "account_id": self.account_b.id,
                    "root_external_id": "at://x/1",
                    "identity_id": self.identity_a.id,
                }
            )

    # ------------------------------------------------------------------
    # Rules, canned replies, keywords
    # ------------------------------------------------------------------

    @mute_logger("odoo.access")
    def test_other_company_manager_cannot_edit_shared_rules(self):
        """A company-B manager edited the ticket rules company A uses (shared rules, company empty)."""
        shared = self.env.ref("social_crm.ticket_rule_complaint")
        self.assertFalse(shared.company_id)
        rule_a = self.env["social_crm.ticket.rule"].create({"name": "A only", "company_id": self.company.id})
        Rule = self.env["social_crm.ticket.rule"].with_user(self.manager_b)
        self.assertIn(shared, Rule.search([]), "shared rules stay readable")
        self.assertNotIn(rule_a, Rule.search([]))
        with self.assertRaises(AccessError):
            shared.with_user(self.manager_b).write({"create_ticket": False})
        with self.assertRaises(AccessError):
            shared.with_user(self.manager_b).unlink()
        with self.assertRaises(AccessError):
            rule_a.with_user(self.manager_b).write({"active": False})
        with self.assertRaises(AccessError):
            Rule.create({"name": "for everyone", "company_id": False})
        own = Rule.create({"name": "B complaints", "intent": "complaint", "team_id": self.team_b.id})
        self.assertEqual(own.company_id, self.company_b)
        own.write({"priority": "3"})
        self.assertTrue(shared.create_ticket)
        shared.with_user(self.env.ref("base.user_admin")).write({"priority": "3"})  # administrators may

    @mute_logger("odoo.access")
    def test_rule_refuses_another_company_team_and_account(self):
        Rule = self.env["social_crm.ticket.rule"].with_user(self.manager_b).with_company(self.company_b)
        with self.assertRaises(UserError):
            Rule.create({"name": "steal", "team_id": self.team.id})
        with self.assertRaises(UserError):
            Rule.create({"name": "steal", "account_ids": [(6, 0, self.account.ids)]})
        tag_a = self.env["helpdesk.ticket.tag"].create({"name": "A's tag", "company_id": self.company.id})
        with self.assertRaises(UserError):
            Rule.create({"name": "steal", "tag_ids": [(6, 0, tag_a.ids)]})

    @mute_logger("odoo.access")
    def test_other_company_manager_cannot_edit_shared_canned_replies_and_keywords(self):
        for model, vals in (
            ("social_crm.canned.reply", {"name": "Hi", "body": "Hello {name}"}),
            ("social_crm.keyword", {"name": "acme", "brand": "Acme"}),
        ):
            shared = self.env[model].create(dict(vals, company_id=False))
            mine_a = self.env[model].create(dict(vals, name=vals["name"] + " A", company_id=self.company.id))
            Model = self.env[model].with_user(self.manager_b)
            self.assertIn(shared, Model.search([]))
            self.assertNotIn(mine_a, Model.search([]))
            with self.assertRaises(AccessError, msg=model):
                shared.with_user(self.manager_b).write({"name": "hijacked"})
            with self.assertRaises(AccessError, msg=model):
                shared.with_user(self.manager_b).unlink()
            with self.assertRaises(AccessError, msg=model):
                Model.create(dict(vals, name="shared too", company_id=False))
            own = Model.create(dict(vals, name=vals["name"] + " B"))
            self.assertEqual(own.company_id, self.company_b)
            own.write({"name": vals["name"] + " B2"})
            self.assertEqual(shared.name, vals["name"])

    # ------------------------------------------------------------------
    # Migration
    # ------------------------------------------------------------------

    def test_erasure_in_one_company_leaves_the_other_companys_records(self):
        """Each company is its own controller: A erasing Jane never rewrites what B holds."""
        quoting = self.ingest(
            [
                self.make_item(
                    "at://olek/9",
                    "@jane.test wrote: my order 4711 is late, address Main St 5",
                    author_id="did:plc:olek",
                    handle="olek.test",
                    name="Olek",
                )
            ],
            account=self.account_b,
        )
        before = quoting.body
        self.identity_a.with_user(self.social_manager).action_erase()
        self.assertEqual(self.mention_a.body, "[erased on request]")
        self.assertEqual(quoting.body, before)
        self.assertEqual(self.mention_b.body, "hello B")
        self.assertEqual(self.mention_b.identity_id.handle, "jane.test")

    def test_migration_gives_each_company_its_own_identity(self):
        """An identity shared by two companies before 18.0.1.1.0 is split: each keeps its mentions."""
        migration = load_migration("18.0.1.1.0", "pre-migrate")
        only_a = self.env["res.partner"].create({"name": "A's", "company_id": self.company.id})
        shared, identity_b = self.identity_a, self.mention_b.identity_id
        shared.sudo().write({"partner_id": self.partner.id, "suggested_partner_id": only_a.id})
        self.env.flush_all()
        # As before the upgrade: one identity for the mentions and conversations of both companies.
        for table in ("social_crm_mention", "social_crm_thread"):
            self.env.cr.execute(
                f"UPDATE {table} SET identity_id = %s WHERE identity_id = %s",  # noqa: S608
                [shared.id, identity_b.id],
            )
        self.env.cr.execute("DELETE FROM social_crm_identity WHERE id = %s", [identity_b.id])
        self.env.invalidate_all()
        migration.split_identities_by_company(self.env.cr)
        self.env.invalidate_all()
        copy = self.mention_b.identity_id
        self.assertNotEqual(copy, shared)
        self.assertEqual(copy.company_id, self.company_b)
        self.assertEqual((copy.external_id, copy.name), (shared.external_id, shared.name))
        self.assertEqual(self.mention_b.thread_id.identity_id, copy)
        self.assertEqual(self.mention_a.identity_id, shared)
        self.assertEqual(shared.company_id, self.company, "the original stays with its first company")
        self.assertEqual(copy.partner_id, self.partner, "a contact shared by all companies is kept")
        self.assertFalse(copy.suggested_partner_id, "a contact of company A is not carried to company B")
        migration.split_identities_by_company(self.env.cr)
        self.assertEqual(
            self.env["social_crm.identity"].search_count([("external_id", "=", shared.external_id)]),
            2,
            "running it again changes nothing",
        )

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import SocialCrmCommon


@tagged("social_crm", "social_crm_security", "post_install", "-at_install")
class TestSecurity(SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mention = cls.ingest([cls.make_item("at://jane/post/1", "my order is late")])
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})
        cls.other_account = cls.env["social_crm.account"].create(
            {
                "name": "Other brand",
                "network": "mastodon",
                "company_id": cls.other_company.id,
                "token": "secret-of-other-co",
            }
        )
        cls.other_mention = cls.ingest([cls.make_item("9001", "other company post", author_id="77")], cls.other_account)

    @mute_logger("odoo.access")
    def test_social_user_reads_mentions_but_not_tokens(self):
        account = self.account.with_user(self.social_user)
        self.assertEqual(account.name, "Test brand on Bluesky")
        self.assertTrue(self.mention.with_user(self.social_user).body)
        with self.assertRaises(AccessError):
            account.read(["token"])
        with self.assertRaises(AccessError):
            account.write({"name": "renamed"})
        with self.assertRaises(AccessError):
            self.env["social_crm.account"].with_user(self.social_user).create({"name": "rogue", "network": "feed"})
        with self.assertRaises(AccessError):
            self.mention.with_user(self.social_user).write({"body": "edited"})

    @mute_logger("odoo.access")
    def test_manager_configures_accounts_but_cannot_read_tokens(self):
        account = self.account.with_user(self.social_manager)
        account.write({"keywords": "acme\n#acmecare"})
        self.assertEqual(account._keyword_list(), ["acme", "#acmecare"])
        self.assertTrue(account.has_token, "managers see that a token is set")
        with self.assertRaises(AccessError):
            account.read(["token"])

    def test_system_admin_reads_tokens(self):
        admin = self.env.ref("base.user_admin")
        self.assertEqual(self.account.with_user(admin).token, "app-password")

    def test_multi_company_isolation(self):
        Mention = self.env["social_crm.mention"].with_user(self.social_user)
        visible = Mention.search([])
        self.assertIn(self.mention, visible)
        self.assertNotIn(self.other_mention, visible)
        self.assertNotIn(self.other_account, self.env["social_crm.account"].with_user(self.social_user).search([]))
        self.assertNotIn(
            self.other_mention.thread_id, self.env["social_crm.thread"].with_user(self.social_user).search([])
        )

    def test_user_of_both_companies_sees_both_when_both_active(self):
        user = mail_new_test_user(
            self.env,
            login="both",
            groups="base.group_user,social_crm.group_social_user",
            company_id=self.company.id,
            company_ids=[(6, 0, (self.company | self.other_company).ids)],
        )
        env = user.with_context(allowed_company_ids=(self.company | self.other_company).ids)
        visible = (
            self.env["social_crm.mention"]
            .with_user(env)
            .with_context(allowed_company_ids=(self.company | self.other_company).ids)
            .search([])
        )
        self.assertIn(self.other_mention, visible)
        only_main = (
            self.env["social_crm.mention"].with_user(user).with_context(allowed_company_ids=self.company.ids).search([])
        )
        self.assertNotIn(self.other_mention, only_main)

    def test_every_model_has_access_rules(self):
        models = self.env["ir.model"].search([("model", "=like", "social_crm.%")])
        self.assertTrue(models)
        for model in models.filtered(lambda m: not self.env[m.model]._abstract):
            self.assertTrue(model.access_ids, f"{model.model} has no access rule")

    def test_neutralize_wipes_tokens(self):
        for query in get_neutralization_queries(["social_crm"]):
            self.env.cr.execute(query)
        self.account.invalidate_recordset()
        self.assertFalse(self.account.sudo().token)
        self.assertEqual(self.account.state, "draft")

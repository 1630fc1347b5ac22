# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Social Managers change their company's settings without being system administrators; agents and other
companies' managers cannot. Each company lives with its own values: alerts, matching, reopening, response
target and retention."""

from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from ..models.res_company import SOCIAL_CRM_COMPANY_SETTINGS as COMPANY_VALUES
from .common import TwoCompaniesCase, load_migration
from .test_respond import analyzed_as


class CompanySettingsCase(TwoCompaniesCase):
    company_b_name = "Beta Co"
    account_b_values = {"login": "beta.test", "token": "app-password"}

    def values(self, company):
        return {fname: company[fname] for fname in COMPANY_VALUES}


@tagged("social_crm", "post_install", "-at_install")
class TestManagersSettings(CompanySettingsCase):
    def test_manager_changes_his_company_only(self):
        manager = self.social_manager
        self.assertFalse(manager.has_group("base.group_system"))
        before_b = self.values(self.company_b)
        with Form(self.env["social_crm.settings"].with_user(manager)) as form:
            self.assertEqual(form.company_id, self.company)
            self.assertTrue(form.weekly_digest, "on by default")
            self.assertEqual(form.spike_factor, 6.0)
            form.weekly_digest = False
            form.spike_factor = 3.5
            form.spike_min_count = 2
            form.spike_window_minutes = 30
            form.match_threshold = 0.9
            form.ticket_reopen_days = 2
            form.response_target_hours = 1.5
            form.retention_limited = True
            form.retention_days = 90
        form.record.execute()
        self.assertEqual(
            self.values(self.company),
            {
                "social_crm_spike_factor": 3.5,
                "social_crm_spike_min_count": 2,
                "social_crm_spike_window_minutes": 30,
                "social_crm_ticket_reopen_days": 2,
                "social_crm_match_threshold": 0.9,
                "social_crm_response_target_hours": 1.5,
                "social_crm_retention_limited": True,
                "social_crm_retention_days": 90,
                "social_crm_weekly_digest": False,
            },
        )
        self.assertEqual(self.values(self.company_b), before_b, "the other company keeps its values")
        self.assertEqual(self.env["social_crm.alert"]._spike_settings(self.company), (3.5, 2, 30))
        self.assertEqual(self.company._social_crm_retention_days(), 90)
        self.assertIsNone(self.company_b._social_crm_retention_days())
        # the form shows what is stored
        again = self.env["social_crm.settings"].with_user(manager).create({})
        self.assertFalse(again.weekly_digest)
        self.assertEqual(again.spike_window_minutes, 30)
        # and Settings (an administrator, same company) shows the same values
        admin_settings = self.env["res.config.settings"].with_user(self.env.ref("base.user_admin")).create({})
        self.assertEqual(admin_settings.social_crm_spike_window_minutes, 30)
        self.assertEqual(admin_settings.social_crm_retention_days, 90)

    def test_settings_change_the_current_company(self):
        admin = self.env.ref("base.user_admin")
        admin.company_ids = [(4, self.company_b.id)]
        before_a = self.values(self.company)
        settings = self.env["res.config.settings"].with_user(admin).with_company(self.company_b)
        settings.create({"social_crm_ticket_reopen_days": 0, "social_crm_spike_min_count": 9}).execute()
        self.assertEqual(self.company_b.social_crm_ticket_reopen_days, 0)
        self.assertEqual(self.company_b.social_crm_spike_min_count, 9)
        self.assertEqual(self.values(self.company), before_a)

    def test_digest_off_for_one_company_only(self):
        self.social_manager.write({"company_ids": [(4, self.company_b.id)], "email": "mia@acme.example"})
        settings = self.env["social_crm.settings"].with_user(self.social_manager).create({})
        settings.weekly_digest = False
        settings.execute()
        self.env["social_crm.digest"]._cron_send_weekly_digest()
        subjects = self.env["mail.mail"].search([("subject", "ilike", "weekly digest")]).mapped("subject")
        self.assertIn("Social CRM weekly digest: Beta Co", subjects)
        self.assertNotIn(f"Social CRM weekly digest: {self.company.name}", subjects)

    def test_manager_of_another_company_cannot(self):
        before_a = self.values(self.company)
        Settings = self.env["social_crm.settings"].with_user(self.manager_b)
        with self.assertRaises(AccessError):
            Settings.create({"company_id": self.company.id, "spike_factor": 2.0})
        with self.assertRaises(AccessError):
            Settings.with_company(self.company).create({"spike_factor": 2.0})
        mine = self.env["social_crm.settings"].with_user(self.social_manager).create({})
        with self.assertRaises(AccessError):
            mine.with_user(self.manager_b).write({"spike_factor": 2.0})
        with self.assertRaises(AccessError):
            mine.with_user(self.manager_b).with_company(self.company_b).execute()
        self.assertEqual(self.values(self.company), before_a)
        # his own company, he changes
        Settings.create({"spike_factor": 2.0}).execute()
        self.assertEqual(self.company_b.social_crm_spike_factor, 2.0)
        self.assertEqual(self.company.social_crm_spike_factor, 6.0)

    def test_agent_cannot(self):
        Settings = self.env["social_crm.settings"].with_user(self.social_user)
        with self.assertRaises(AccessError):
            Settings.create({})
        with self.assertRaises(AccessError):
            Settings.create({"spike_factor": 2.0})
        settings = self.env["social_crm.settings"].with_user(self.social_manager).create({})
        with self.assertRaises(AccessError):
            settings.with_user(self.social_user).write({"spike_factor": 2.0})
        self.assertEqual(self.company.social_crm_spike_factor, 6.0)

    def test_values_are_checked_once_for_both_forms(self):
        settings = self.env["social_crm.settings"].with_user(self.social_manager).create({})
        admin = self.env.ref("base.user_admin")
        for fname, value in (
            ("match_threshold", 2.0),
            ("ticket_reopen_days", -1),
            ("response_target_hours", -2.0),
            ("spike_factor", 0.0),
            ("spike_min_count", 0),
            ("spike_window_minutes", 2),
            ("retention_days", -1),
        ):
            with self.assertRaises(ValidationError, msg=fname):
                settings.write({fname: value})
            with self.assertRaises(ValidationError, msg=fname):
                self.env["res.config.settings"].with_user(admin).create({f"social_crm_{fname}": value})
        self.assertEqual(self.company.social_crm_match_threshold, 0.8)


@tagged("social_crm", "post_install", "-at_install")
class TestEachCompanyItsOwnValues(CompanySettingsCase):
    """Two companies, two values, two outcomes."""

    def test_spike_cron_uses_each_company_sensitivity(self):
        now = fields.Datetime.now().replace(microsecond=0)
        self.company.social_crm_spike_min_count = 20
        self.company_b.social_crm_spike_min_count = 5
        for account in (self.account, self.account_b):
            self.negative_mentions([(now - timedelta(minutes=20, seconds=11), 12)], f"storm-{account.id}", account)
        cron = self.env.ref("social_crm.ir_cron_detect_spikes")
        self.assertEqual(cron.model_id.model, "social_crm.alert", "the cron runs the alert model's detection")
        cron.method_direct_trigger()
        alerts = self.env["social_crm.alert"].search([("account_id", "in", (self.account | self.account_b).ids)])
        self.assertEqual(alerts.account_id, self.account_b, "12 is below company A's 20 but above company B's 5")
        self.assertTrue(self.account_b.spike_episode_start)
        self.assertFalse(self.account.spike_episode_start)
        self.assertIn(self.manager_b.partner_id, alerts.message_partner_ids)

    def test_spike_windows_per_company(self):
        now = datetime(2026, 11, 20, 15, 30)
        self.company.social_crm_spike_window_minutes = 15
        for account in (self.account, self.account_b):
            self.negative_mentions([(now - timedelta(minutes=40, seconds=11), 12)], f"late-{account.id}", account)
        self.env["social_crm.alert"]._cron_detect_spikes(now=now)
        alert = self.env["social_crm.alert"].search([("account_id", "in", (self.account | self.account_b).ids)])
        self.assertEqual(alert.account_id, self.account_b, "40 minutes ago is outside A's 15 minutes")
        self.assertEqual(alert.window_minutes, 60)

    def test_matching_uses_the_identity_company_threshold(self):
        self.company.social_crm_match_threshold = 0.99
        self.company_b.social_crm_match_threshold = 0.9
        self.partner.social_handles = "somchai.test"
        Identity = self.env["social_crm.identity"]
        in_a = Identity.create({"network": "bluesky", "external_id": "did:a", "handle": "somchai.test"})
        in_b = Identity.create(
            {"network": "bluesky", "external_id": "did:b", "handle": "somchai.test", "company_id": self.company_b.id}
        )
        self.env["social_crm.relate"]._link_contacts(in_a | in_b)
        self.assertFalse(in_a.partner_id, "a typed handle (0.95) is below company A's 0.99: a suggestion")
        self.assertEqual(in_a.suggested_partner_id, self.partner)
        self.assertEqual(in_b.partner_id, self.partner, "and above company B's 0.9: linked")

    def test_reopening_uses_the_ticket_company_days(self):
        self.company.social_crm_ticket_reopen_days = 0
        self.company_b.social_crm_ticket_reopen_days = 3
        closed = self.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        outcomes = {}
        for account in (self.account, self.account_b):
            with analyzed_as(("en", "negative", "complaint")):
                first = self.ingest([self.make_item(f"at://r{account.id}/1", "broken")], account=account)
            first.ticket_id.stage_id = closed
            first.ticket_id.closed_date = fields.Datetime.now() - timedelta(days=1)
            with analyzed_as(("en", "negative", "complaint")):
                again = self.ingest(
                    [self.make_item(f"at://r{account.id}/2", "again", root_id=f"at://r{account.id}/1", minutes=5)],
                    account=account,
                )
            outcomes[account.company_id] = again.ticket_id == first.ticket_id and not first.ticket_id.closed
        self.assertEqual(outcomes, {self.company: False, self.company_b: True})

    def test_response_report_uses_the_company_target(self):
        self.company.social_crm_response_target_hours = 1.0
        self.company_b.social_crm_response_target_hours = 2.0
        tickets = {}
        for account in (self.account, self.account_b):
            root = f"at://t{account.id}/1"
            with analyzed_as(("en", "negative", "complaint")):
                mention = self.ingest([self.make_item(root, "broken")], account=account)
            brand = self.make_item(
                f"at://t{account.id}/2",
                "sorry!",
                author_id="did:plc:acme",
                root_id=root,
                parent_id=root,
                minutes=90,
                is_own=True,
            )
            self.ingest([brand], account=account)
            tickets[account.company_id] = mention.ticket_id
        self.env.flush_all()
        Report = self.env["social_crm.response.report"]
        rows = {company: Report.search([("ticket_id", "=", ticket.id)]) for company, ticket in tickets.items()}
        self.assertEqual(rows[self.company].response_status, "late", "1.5 hours against company A's 1 hour")
        self.assertEqual(rows[self.company_b].response_status, "in_time", "against company B's 2 hours")
        self.assertEqual(
            self.env["social_crm.digest"]._figures(self.company_b)["target_hours"], 2.0, "the digest says B's"
        )
        sla = self.env["social_crm.sla"]._targets(tickets[self.company] | tickets[self.company_b])
        self.assertEqual(sla[tickets[self.company].id], (1.0, None))
        self.assertEqual(sla[tickets[self.company_b].id], (2.0, None))

    def test_retention_uses_each_company_period(self):
        Mention = self.env["social_crm.mention"]
        Mention.search([]).unlink()
        self.company.write({"social_crm_retention_limited": True, "social_crm_retention_days": 30})
        aged = Mention.browse()
        for account in (self.account, self.account_b):
            item = self.make_item(f"at://old{account.id}/1", "old post")
            item.posted_at = fields.Datetime.now() - timedelta(days=60)
            with analyzed_as(("en", "neutral", "other")):
                aged |= self.ingest([item], account=account)
        Mention._cron_apply_retention()
        self.assertEqual(aged.exists().company_id, self.company_b, "A keeps 30 days; B keeps everything")

    def test_migration_copies_parameters_to_every_company(self):
        icp = self.env["ir.config_parameter"].sudo()
        for key, value in (
            ("social_crm.spike_factor", "4.5"),
            ("social_crm.spike_min_count", "8"),
            ("social_crm.spike_window_minutes", "30"),
            ("social_crm.ticket_reopen_days", "0"),
            ("social_crm.match_threshold", "0.7"),
            ("social_crm.response_target_hours", "seven"),
            ("social_crm.retention_days", "45"),
        ):
            icp.set_param(key, value)
        cron = self.env.ref("social_crm.ir_cron_detect_spikes")
        cron.write({"model_id": self.env["ir.model"]._get_id("social_crm.account")})
        migration = load_migration("18.0.1.3.0", "post-migrate")
        with self.assertLogs(migration.__name__, "WARNING"):
            migration.migrate(self.env.cr, "18.0.1.2.0")
        self.env.invalidate_all()
        for company in (self.company, self.company_b):
            self.assertEqual(company.social_crm_spike_factor, 4.5)
            self.assertEqual(company.social_crm_spike_min_count, 8)
            self.assertEqual(company.social_crm_spike_window_minutes, 30)
            self.assertEqual(company.social_crm_ticket_reopen_days, 0)
            self.assertEqual(company.social_crm_match_threshold, 0.7)
            self.assertEqual(company.social_crm_response_target_hours, 4.0, "unreadable: the default")
            self.assertEqual(company._social_crm_retention_days(), 45)
        self.assertFalse(icp.search([("key", "in", list(migration.PARAMETERS) + [migration.RETENTION_PARAMETER])]))
        self.assertEqual(cron.model_id.model, "social_crm.alert")
        self.assertEqual(cron.code.strip(), "model._cron_detect_spikes()")

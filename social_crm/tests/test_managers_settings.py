# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Social Managers change their settings without being system administrators; agents cannot."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import SocialCrmCommon


@tagged("social_crm", "post_install", "-at_install")
class TestManagersSettings(SocialCrmCommon):
    def test_manager_changes_digest_and_alerts(self):
        manager = self.social_manager
        self.assertFalse(manager.has_group("base.group_system"))
        with Form(self.env["social_crm.settings"].with_user(manager)) as form:
            self.assertTrue(form.weekly_digest, "on by default")
            self.assertEqual(form.spike_factor, 6.0)
            form.weekly_digest = False
            form.spike_factor = 3.5
            form.spike_min_count = 2
            form.spike_window_minutes = 30
            form.retention_limited = True
            form.retention_days = 90
        form.record.execute()
        self.assertFalse(self.company.social_crm_weekly_digest)
        params = self.env["social_crm.params"]
        self.assertEqual(params.get_float("social_crm.spike_factor"), 3.5)
        self.assertEqual(self.env["social_crm.account"]._spike_settings(), (3.5, 2, 30))
        self.assertEqual(self.env["social_crm.mention"]._retention_days(), 90)
        # the form shows what is stored
        again = self.env["social_crm.settings"].with_user(manager).create({})
        self.assertFalse(again.weekly_digest)
        self.assertEqual(again.spike_window_minutes, 30)

    def test_digest_off_for_one_company_only(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.social_manager.write({"company_ids": [(4, other.id)], "email": "mia@acme.example"})
        settings = self.env["social_crm.settings"].with_user(self.social_manager).create({})
        settings.weekly_digest = False
        settings.execute()
        self.env["social_crm.digest"]._cron_send_weekly_digest()
        subjects = self.env["mail.mail"].search([("subject", "ilike", "weekly digest")]).mapped("subject")
        self.assertIn("Social CRM weekly digest: Other Co", subjects)
        self.assertNotIn(f"Social CRM weekly digest: {self.company.name}", subjects)

    def test_values_shared_by_every_company_stay_with_managers_of_every_company(self):
        """A manager of one company of two turns his company's digest off, but cannot change the alert or
        retention values that the other company lives with."""
        other = self.env["res.company"].create({"name": "Other Co"})
        settings = self.env["social_crm.settings"].with_user(self.social_manager).create({})
        settings.write({"spike_factor": 2.0})
        with self.assertRaisesRegex(AccessError, "every company"):
            settings.execute()
        self.assertEqual(self.env["social_crm.params"].get_float("social_crm.spike_factor"), 6.0)
        settings = self.env["social_crm.settings"].with_user(self.social_manager).create({"weekly_digest": False})
        settings.execute()
        self.assertFalse(self.company.social_crm_weekly_digest)
        self.social_manager.company_ids = [(4, other.id)]
        settings = self.env["social_crm.settings"].with_user(self.social_manager).create({"spike_factor": 2.0})
        settings.execute()
        self.assertEqual(self.env["social_crm.params"].get_float("social_crm.spike_factor"), 2.0)

    def test_agent_cannot(self):
        Settings = self.env["social_crm.settings"].with_user(self.social_user)
        with self.assertRaises(AccessError):
            Settings.create({})
        settings = self.env["social_crm.settings"].with_user(self.social_manager).create({"spike_factor": 2.0})
        with self.assertRaises(AccessError):
            settings.with_user(self.social_user).execute()
        self.assertEqual(self.env["social_crm.params"].get_float("social_crm.spike_factor"), 6.0)

    def test_manager_of_another_company_cannot(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        stranger = self.social_manager.copy(
            {"login": "stranger", "company_id": other.id, "company_ids": [(6, 0, other.ids)]}
        )
        settings = self.env["social_crm.settings"].create({})
        with self.assertRaises(AccessError):
            settings.with_user(stranger).with_company(other).execute()

    def test_values_are_checked(self):
        settings = self.env["social_crm.settings"].with_user(self.social_manager).create({})
        with self.assertRaises(ValidationError):
            settings.write({"match_threshold": 2.0})

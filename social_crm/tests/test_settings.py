# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import convert_file

from .common import HELPDESK_EMPLOYEE_GROUPS, SocialCrmCommon
from .test_respond import analyzed_as


class SettingsCase(SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.employee = cls.new_user("plain_employee", HELPDESK_EMPLOYEE_GROUPS, name="Erin Employee")

    def save_settings(self, **values):
        """What pressing Save in Settings does: a settings record with the screen's values, then execute()."""
        settings = self.env["res.config.settings"].with_user(self.admin).create(values)
        settings.execute()
        return settings

    def open_settings(self):
        """What opening Settings shows."""
        return self.env["res.config.settings"].with_user(self.admin).create({})


@tagged("social_crm", "social_crm_settings", "post_install", "-at_install")
class TestEveryoneReads(SettingsCase):
    def assert_reads_social_data(self, user, records):
        for record in records:
            record.with_user(user).check_access("read")
            record.with_user(user).read(["display_name"])

    def assert_forms_open(self, user, partner, ticket):
        """The contact and ticket forms open, as the web client does (view for the user's groups, then web_read)."""
        Form(partner.with_user(user))
        Form(ticket.with_user(user))

    def test_the_company_chooses_who_reads_social_data(self):
        self.somchai_on_bluesky("did:plc:erin-customer")
        with analyzed_as(("en", "negative", "complaint")):
            mention = self.ingest([self.make_item("at://e/1", "still broken", author_id="did:plc:erin-customer")])
        ticket = mention.ticket_id
        self.assertTrue(ticket)
        social_data = (mention, mention.thread_id, mention.identity_id)

        # Installed: every employee reads social data.
        self.assertTrue(self.open_settings().social_crm_everyone_reads)
        self.assertTrue(self.employee.has_group("social_crm.group_social_reader"))
        self.assert_reads_social_data(self.employee, social_data)
        self.assertIn(
            "social_identity_ids",
            self.partner.with_user(self.employee).get_views([(False, "form")])["views"]["form"]["arch"],
        )

        # Switched off: employees without a Social CRM group read none of it ...
        self.save_settings(social_crm_everyone_reads=False)
        self.assertFalse(self.open_settings().social_crm_everyone_reads)
        self.assertFalse(self.employee.has_group("social_crm.group_social_reader"))
        for record in social_data:
            with self.assertRaises(AccessError, msg=f"{record._name} is hidden from plain employees"):
                record.with_user(self.employee).read(["display_name"])
        with self.assertRaises(AccessError):
            self.env["social_crm.mention"].with_user(self.employee).search([])
        # ... yet open contacts and tickets, without their social parts.
        self.assert_forms_open(self.employee, self.partner, ticket)
        for record in (self.partner, ticket):
            arch = record.with_user(self.employee).get_views([(False, "form")])["views"]["form"]["arch"]
            self.assertNotIn("social_", arch, f"the {record._name} form shows no social field to plain employees")
        # Managers keep reading; an agent reads again once given the Social CRM User group.
        self.assert_reads_social_data(self.social_manager, social_data)
        self.social_user.groups_id = [(4, self.env.ref("social_crm.group_social_user").id)]
        self.assert_reads_social_data(self.social_user, social_data)
        self.assert_forms_open(self.social_user, self.partner, ticket)

        # Switched on again: every employee reads again.
        self.save_settings(social_crm_everyone_reads=True)
        self.assertTrue(self.open_settings().social_crm_everyone_reads)
        self.assertTrue(self.employee.has_group("social_crm.group_social_reader"))
        self.assert_reads_social_data(self.employee, social_data)
        self.assert_forms_open(self.employee, self.partner, ticket)

    def test_new_employees_follow_the_choice(self):
        self.save_settings(social_crm_everyone_reads=False)
        newcomer = self.new_user("newcomer", "base.group_user")
        self.assertFalse(newcomer.has_group("social_crm.group_social_reader"))
        self.save_settings(social_crm_everyone_reads=True)
        later = self.new_user("later_newcomer", "base.group_user")
        self.assertTrue(later.has_group("social_crm.group_social_reader"))
        self.assertTrue(newcomer.has_group("social_crm.group_social_reader"))

    def test_an_upgrade_keeps_the_choice(self):
        self.save_settings(social_crm_everyone_reads=False)
        # what `-u social_crm` does with the file that sets the install-time default
        convert_file(self.env, "social_crm", "security/social_crm_security.xml", {}, mode="update", noupdate=False)
        self.assertFalse(self.open_settings().social_crm_everyone_reads, "an upgrade keeps the company's choice")
        self.assertFalse(self.employee.has_group("social_crm.group_social_reader"))


@tagged("social_crm", "social_crm_settings", "post_install", "-at_install")
class TestSettingsKeepTheirValue(SettingsCase):
    def test_weekly_digest_off_sends_nothing(self):
        self.save_settings(social_crm_weekly_digest=False)
        self.assertFalse(self.open_settings().social_crm_weekly_digest, "Settings show the box unticked")
        Mail = self.env["mail.mail"]
        count = Mail.search_count([])
        self.env.ref("social_crm.ir_cron_weekly_digest").method_direct_trigger()
        self.assertEqual(Mail.search_count([]), count, "off: the weekly cron mails nobody")
        self.save_settings(social_crm_weekly_digest=True)
        self.assertTrue(self.open_settings().social_crm_weekly_digest)
        self.env.ref("social_crm.ir_cron_weekly_digest").method_direct_trigger()
        self.assertGreater(Mail.search_count([]), count, "on: the digest goes out")

    def test_other_settings_are_left_alone(self):
        self.save_settings(social_crm_weekly_digest=False, social_crm_ticket_reopen_days=0)
        self.save_settings(social_crm_response_target_hours=2.5)
        settings = self.open_settings()
        self.assertFalse(settings.social_crm_weekly_digest, "saving another setting does not switch the digest back on")
        self.assertEqual(settings.social_crm_ticket_reopen_days, 0)
        self.assertEqual(settings.social_crm_response_target_hours, 2.5)

    def test_reopen_days_zero_never_reopens(self):
        self.save_settings(social_crm_ticket_reopen_days=0)
        self.assertEqual(self.open_settings().social_crm_ticket_reopen_days, 0)
        first, again = self.complaint_after_closing("z", timedelta(hours=1))
        self.assertTrue(first.ticket_id.closed, "0 days: a closed ticket stays closed")
        self.assertTrue(again.ticket_id)
        self.assertNotEqual(again.ticket_id, first.ticket_id, "the customer's new message starts a new ticket")

    def test_reopen_days_setting_reopens_within_the_period(self):
        self.save_settings(social_crm_ticket_reopen_days=2)
        first, again = self.complaint_after_closing("y", timedelta(hours=30))
        self.assertEqual(again.ticket_id, first.ticket_id)
        self.assertFalse(first.ticket_id.closed)

    def test_zero_threshold_and_target_are_kept(self):
        self.save_settings(social_crm_match_threshold=0.0, social_crm_response_target_hours=0.0)
        settings = self.open_settings()
        self.assertEqual(settings.social_crm_match_threshold, 0.0)
        self.assertEqual(settings.social_crm_response_target_hours, 0.0)
        self.assertEqual(self.env.company.social_crm_match_threshold, 0.0, "stored on the company")
        figures = self.env["social_crm.digest"]._figures(self.env.company)
        self.assertEqual(figures["target_hours"], 0.0, "the digest measures against the target that was set")

    def test_values_out_of_range_are_refused(self):
        for values in (
            {"social_crm_ticket_reopen_days": -1},
            {"social_crm_match_threshold": 1.5},
            {"social_crm_response_target_hours": -2.0},
            {"social_crm_nlp_backend": "transformers", "social_crm_nlp_batch_size": 0},
        ):
            with self.assertRaises(ValidationError, msg=str(values)):
                self.save_settings(**values)

    def test_parameters_distinguish_unset_from_zero(self):
        params = self.env["social_crm.params"]
        icp = self.env["ir.config_parameter"].sudo()
        icp.search([("key", "=", "social_crm.nlp_batch_size")]).unlink()
        self.assertEqual(params.get_int("social_crm.nlp_batch_size"), 32, "unset: the default")
        icp.set_param("social_crm.nlp_batch_size", "0")
        self.assertEqual(params.get_int("social_crm.nlp_batch_size"), 0)
        icp.set_param("social_crm.weekly_digest", "False")
        self.assertIs(params.get_bool("social_crm.weekly_digest"), False)
        icp.set_param("social_crm.nlp_batch_size", "seven")
        with self.assertLogs("odoo.addons.social_crm.models.social_crm_params", "WARNING"):
            self.assertEqual(params.get_int("social_crm.nlp_batch_size"), 32, "unreadable: the default, logged")
        self.assertEqual(params.get_float("social_crm.unknown", 1.5), 1.5)

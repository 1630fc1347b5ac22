# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The weekly digest and the spike alerts, where managers look: Settings, their language, their Inbox."""

from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SOCIAL_MANAGER_GROUPS, SocialCrmCommon
from .test_respond import analyzed_as


@tagged("social_crm", "social_crm_reports", "post_install", "-at_install")
class TestDigestForManagers(SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.install_langs(["fa_IR"], overwrite=True)
        cls.company.write({"email": "care@acme.example"})
        cls.persian_manager = cls.new_user(
            "persian_manager", SOCIAL_MANAGER_GROUPS, name="Parisa Manager", email="parisa@acme.example", lang="fa_IR"
        )
        cls.social_manager.email = "mia@acme.example"

    def negative_thread(self, key, text, account=None):
        with analyzed_as(("en", "negative", "complaint")):
            mention = self.ingest([self.make_item(f"at://d/{key}", text, author_id=key)], account=account)
        mention.posted_at = fields.Datetime.now() - timedelta(hours=2)
        mention.thread_id.sudo().write({"last_mention_at": mention.posted_at, "state": "open"})
        return mention

    def digest_mail_to(self, user):
        return self.env["mail.mail"].search([("recipient_ids", "in", user.partner_id.ids)], order="id desc", limit=1)

    def test_each_manager_reads_it_in_their_language_from_the_company(self):
        self.negative_thread("x", "My order never came")
        self.env["social_crm.digest"]._cron_send_weekly_digest()
        english, persian = self.digest_mail_to(self.social_manager), self.digest_mail_to(self.persian_manager)
        self.assertIn("Social CRM: your week", english.body_html)
        self.assertIn("هفتهٔ شما", persian.body_html, "rendered in the recipient's language")
        self.assertNotIn("Social CRM: your week", persian.body_html)
        self.assertEqual(persian.recipient_ids, self.persian_manager.partner_id, "one mail per recipient")
        self.assertIn("care@acme.example", english.email_from, "sent from the company's address")
        # links back into Odoo, and labels instead of raw states
        self.assertIn("/odoo/action-social_crm.social_crm_mention_action", english.body_html)
        self.assertIn("/odoo/social_crm.thread/", english.body_html)
        self.assertIn("Needs answer", english.body_html)
        self.assertIn('dir="ltr"', english.body_html, "each issue in its own direction")
        self.assertNotIn("posts, open)", english.body_html)
        self.assertIn("نیازمند پاسخ", persian.body_html)

    def test_figures_are_counted_once_per_company_not_per_manager(self):
        self.negative_thread("y", "Still waiting for a refund")
        Digest = type(self.env["social_crm.digest"])
        with patch.object(Digest, "_counts", autospec=True, side_effect=Digest._counts) as counts:
            sent = self.env["social_crm.digest"]._cron_send_weekly_digest()
        managers = self.env.ref("social_crm.group_social_manager").users.filtered(lambda u: not u.share and u.email)
        self.assertGreaterEqual(sent, 2, "one mail per manager")
        self.assertEqual(sent, sum(len(m.company_ids) for m in managers))
        self.assertEqual(counts.call_count, len(managers.company_ids), "the queries run once per company")
        # each mail still in its recipient's language, with the same figures
        english, persian = self.digest_mail_to(self.social_manager), self.digest_mail_to(self.persian_manager)
        self.assertIn("Needs answer", english.body_html)
        self.assertIn("نیازمند پاسخ", persian.body_html)
        self.assertIn("Still waiting for a refund", persian.body_html)

    def test_preview_and_test_send_for_the_current_manager_only(self):
        admin = self.env.ref("base.user_admin")
        admin.write({"email": "admin@acme.example"})
        Settings = self.env["res.config.settings"].with_user(admin)
        action = Settings.create({}).action_social_crm_preview_digest()
        preview = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(action["target"], "new")
        self.assertIn("o_digest_count", preview.body)
        before = self.env["mail.mail"].search([]).ids
        Settings.create({}).action_social_crm_send_test_digest()
        sent = self.env["mail.mail"].search([("id", "not in", before)])
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent.recipient_ids, admin.partner_id, "the test goes to the current user only")
        self.assertFalse(sent.email_to)
        # a Persian manager previews it in Persian
        Preview = self.env["social_crm.digest.preview"].with_user(self.persian_manager)
        self.assertIn("هفتهٔ شما", Preview.create({}).body)
        # an agent cannot
        with self.assertRaises(AccessError):
            self.env["social_crm.digest.preview"].with_user(self.social_user).create({})
        with self.assertRaises(AccessError):
            self.env["social_crm.digest"].with_user(self.social_user).action_send_test()

    def test_other_companies_never_in_a_managers_digest(self):
        other = self.env["res.company"].create({"name": "Globex Ltd", "email": "care@globex.example"})
        other_account = self.env["social_crm.account"].create(
            {
                "name": "Globex on Bluesky",
                "network": "bluesky",
                "base_url": "http://127.0.0.1:9",
                "login": "globex.test",
                "token": "x",
                "state": "connected",
                "company_id": other.id,
            }
        )
        self.negative_thread("own", "Acme parcel lost")
        self.negative_thread("other", "Globex secret outage", account=other_account)
        globex_manager = self.new_user(
            "globex_manager", SOCIAL_MANAGER_GROUPS, other, name="Gus Globex", email="gus@globex.example"
        )
        self.env["social_crm.digest"]._cron_send_weekly_digest()
        mine, theirs = self.digest_mail_to(self.social_manager), self.digest_mail_to(globex_manager)
        self.assertIn("Acme parcel lost", mine.body_html)
        self.assertNotIn("Globex secret outage", mine.body_html)
        self.assertIn("Globex secret outage", theirs.body_html)
        self.assertNotIn("Acme parcel lost", theirs.body_html)
        self.assertIn("care@globex.example", theirs.email_from)


@tagged("social_crm", "social_crm_reports", "post_install", "-at_install")
class TestSpikeAlertList(SocialCrmCommon):
    now = datetime(2026, 11, 20, 15, 30)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.social_manager.notification_type = "inbox"

    def storm(self, count):
        """``count`` negative mentions, the last one 30 minutes ago."""
        return self.negative_mentions([(self.now - timedelta(minutes=30, seconds=count - 1), count)], prefix="storm")

    def test_alert_is_listed_with_its_mentions_and_reaches_the_inbox(self):
        mentions = self.storm(12)
        self.assertEqual(self.env["social_crm.alert"]._cron_detect_spikes(now=self.now), 1)
        alert = self.env["social_crm.alert"].with_user(self.social_manager).search([])
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.mention_count, 12)
        self.assertEqual(alert.account_id, self.account)
        self.assertEqual(alert.mention_ids, mentions)
        action = alert.action_open_mentions()
        self.assertEqual(self.env["social_crm.mention"].search(action["domain"]), mentions)
        notification = self.env["mail.notification"].search(
            [
                ("res_partner_id", "=", self.social_manager.partner_id.id),
                ("mail_message_id.model", "=", "social_crm.alert"),
                ("mail_message_id.subtype_id", "=", self.env.ref("mail.mt_comment").id),
            ]
        )
        self.assertEqual(notification.notification_type, "inbox", "in the manager's Inbox, not only by email")
        self.assertIn(f"/odoo/social_crm.mention/{mentions[0].id}", notification.mail_message_id.body)
        self.assertFalse(alert.activity_ids, "the alert arrives where its page says: the Inbox, not activities")
        self.assertFalse(
            self.env["mail.notification"].search(
                [
                    ("res_partner_id", "=", self.social_user.partner_id.id),
                    ("mail_message_id.model", "=", "social_crm.alert"),
                ]
            ),
            "agents are not told",
        )
        with self.assertRaises(AccessError):
            self.env["social_crm.alert"].with_user(self.social_user).search([])

    def test_sensitivity_set_in_settings(self):
        self.storm(12)
        admin = self.env.ref("base.user_admin")
        self.env["res.config.settings"].with_user(admin).create({"social_crm_spike_min_count": 20}).execute()
        self.assertEqual(self.env["social_crm.alert"]._cron_detect_spikes(now=self.now), 0, "12 is below 20")
        self.env["res.config.settings"].with_user(admin).create(
            {"social_crm_spike_min_count": 5, "social_crm_spike_window_minutes": 15}
        ).execute()
        self.assertEqual(
            self.env["social_crm.alert"]._cron_detect_spikes(now=self.now), 0, "none in the last 15 minutes"
        )
        self.env["res.config.settings"].with_user(admin).create({"social_crm_spike_window_minutes": 60}).execute()
        self.assertEqual(self.env["social_crm.alert"]._cron_detect_spikes(now=self.now), 1)
        self.assertEqual(self.env["social_crm.alert"].search([]).window_minutes, 60)

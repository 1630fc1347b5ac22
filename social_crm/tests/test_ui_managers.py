# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A Social Manager (not a system administrator) walks every report, the dashboard and the publishing
calendar in headless Chromium."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import SocialCrmCommon, TourMixin
from .test_respond import analyzed_as


@tagged("social_crm", "social_crm_ui", "post_install", "-at_install")
class TestUiManagerReports(TourMixin, HttpCase, SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["social_crm.keyword"].create(
            [
                {"name": "Acme", "brand": "Acme", "group": "own"},
                {"name": "Globex", "brand": "Globex", "group": "competitor"},
            ]
        )
        texts = ["acme is late again", "globex is down", "where is my acme order"]
        with analyzed_as(("en", "negative", "complaint"), ("en", "neutral", "other"), ("en", "negative", "question")):
            cls.env["social_crm.mention"]._ingest_items(
                cls.account, [cls.make_item(f"at://mgr/{n}", text, author_id=f"m{n}") for n, text in enumerate(texts)]
            )
        # Top Voices is a table the hourly cron fills: filled now, as the cron would, so its views have rows
        cls.env["social_crm.voice.report"]._refresh()

    def test_share_of_voice_through_read_group(self):
        """``read_group`` (pivot, graph, grouped list) passes ``dict_values`` to ``_read_group``."""
        Share = self.env["social_crm.share.report"].with_user(self.social_manager)
        groups = Share.read_group([], ["share:sum", "mention_count:sum"], ["brand"])
        self.assertAlmostEqual(sum(group["share"] for group in groups), 100.0)
        web = Share.web_read_group([], ["share:sum"], ["posted_at:week", "brand"], lazy=False)
        self.assertTrue(web["groups"])

    def test_every_report_in_every_view(self):
        analysis = "action-social_crm.social_crm_mention_action_analysis"
        self.tour_as(self.social_manager, analysis, "social_crm_manager_reports_tour", timeout=300)

    def test_dashboard(self):
        dashboard = "action-spreadsheet_dashboard.ir_actions_dashboard_action"
        self.tour_as(self.social_manager, dashboard, "social_crm_manager_dashboard_tour", timeout=180)


@tagged("social_crm", "social_crm_ui", "post_install", "-at_install")
class TestUiPostCalendar(TourMixin, HttpCase, SocialCrmCommon):
    def test_manager_approves_from_the_calendar(self):
        now = fields.Datetime.now()
        # within this month, so that the month view shows it
        when = now + timedelta(days=1) if now.day < 27 else now + timedelta(hours=1)
        Post = self.env["social_crm.post"].with_user(self.social_user)
        waiting = Post.create(
            {"body": "Spring sale: 20% off every parcel", "account_ids": self.account.ids, "scheduled_at": when}
        )
        waiting.action_submit()
        self.assertEqual(waiting.state, "to_approve")
        unscheduled = Post.create({"body": "Idea for later", "account_ids": self.account.ids})
        self.assertFalse(unscheduled.calendar_at, "not on the calendar: in the side list")
        failed = Post.create({"body": "Broken link post", "account_ids": self.account.ids})
        # published on approval, then failed: on the calendar at its approval
        failed.sudo().write({"state": "failed", "approved_at": now})
        self.assertEqual(failed.calendar_at, now)
        calendar = "action-social_crm.social_crm_post_action_calendar"
        self.tour_as(self.social_manager, calendar, "social_crm_post_calendar_tour", timeout=180)
        self.assertEqual(waiting.state, "scheduled")
        self.assertEqual(waiting.approver_id, self.social_manager)

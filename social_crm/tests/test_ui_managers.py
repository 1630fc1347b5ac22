# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A Social Manager (not a system administrator) walks every report and the dashboard in headless Chromium."""

from odoo.tests import HttpCase, tagged

from .common import SocialCrmCommon
from .test_respond import analyzed_as


@tagged("social_crm", "social_crm_ui", "post_install", "-at_install")
class TestUiManagerReports(HttpCase, SocialCrmCommon):
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

    def test_share_of_voice_through_read_group(self):
        """``read_group`` (pivot, graph, grouped list) passes ``dict_values`` to ``_read_group``."""
        Share = self.env["social_crm.share.report"].with_user(self.social_manager)
        groups = Share.read_group([], ["share:sum", "mention_count:sum"], ["brand"])
        self.assertAlmostEqual(sum(group["share"] for group in groups), 100.0)
        web = Share.web_read_group([], ["share:sum"], ["posted_at:week", "brand"], lazy=False)
        self.assertTrue(web["groups"])

    def test_every_report_in_every_view(self):
        self.start_tour(
            "/odoo/action-social_crm.social_crm_mention_action_analysis",
            "social_crm_manager_reports_tour",
            login=self.social_manager.login,
            timeout=300,
        )

    def test_dashboard(self):
        self.start_tour(
            "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
            "social_crm_manager_dashboard_tour",
            login=self.social_manager.login,
            timeout=180,
        )

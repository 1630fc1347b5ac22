# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Managers' and employees' screens in headless Chromium: Persian right-to-left, Thai, reports, digest."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import SocialCrmCommon, TourMixin
from .test_respond import analyzed_as

PERSIAN_POST = "سفارشم هنوز نرسیده! Order #1234 کجاست؟"
ENGLISH_POST = "Where is my order?"
THAI_POST = "สั่งของไปสองอาทิตย์แล้วยังไม่ได้รับเลย"


@tagged("social_crm", "social_crm_ui", "post_install", "-at_install")
class TestUiReports(TourMixin, HttpCase, SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.install_langs(["fa_IR", "th_TH"], overwrite=True)
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.write(
            {
                "email": "admin@acme.example",
                "groups_id": [(4, cls.env.ref("social_crm.group_social_manager").id)],
            }
        )
        with analyzed_as(
            ("fa", "negative", "complaint"), ("en", "neutral", "question"), ("th", "negative", "complaint")
        ):
            mentions = cls.env["social_crm.mention"]._ingest_items(
                cls.account,
                [
                    cls.make_item("at://fa/1", PERSIAN_POST, author_id="did:plc:fa", handle="parisa.test"),
                    cls.make_item("at://en/1", ENGLISH_POST, author_id="did:plc:en", handle="kim.test"),
                    cls.make_item("at://th/1", THAI_POST, author_id="did:plc:th", handle="somchai.test"),
                ],
            )
        cls.persian = mentions.filtered(lambda m: m.lang == "fa")
        cls.persian.identity_id.partner_id = cls.partner
        # a ticket still waiting, well within the response target
        waiting = mentions.filtered(lambda m: m.lang == "th")
        waiting.thread_id.sudo().first_inbound_at = fields.Datetime.now() - timedelta(minutes=30)
        feed = cls.env["social_crm.account"].create(
            {
                "name": "Acme forum",
                "network": "feed",
                "base_url": "https://forum.example.com/latest.atom",
                "state": "connected",
            }
        )
        with analyzed_as(("en", "neutral", "other")):
            cls.env["social_crm.mention"]._ingest_items(
                feed, [cls.make_item("urn:acme:post:1", "Forum post about Acme", author_id="forum-user")]
            )

    def test_persian_mentions_list_is_right_to_left(self):
        mentions = "action-social_crm.social_crm_mention_action"
        self.tour_as(self.admin, mentions, "social_crm_reports_rtl_mentions_tour", "fa_IR", timeout=240)

    def test_persian_contact_social_tab(self):
        contact = f"res.partner/{self.partner.id}"
        self.tour_as(self.admin, contact, "social_crm_reports_rtl_contact_tour", "fa_IR", timeout=240)

    def test_persian_dashboard(self):
        dashboard = "action-spreadsheet_dashboard.ir_actions_dashboard_action"
        self.tour_as(self.admin, dashboard, "social_crm_reports_rtl_dashboard_tour", "fa_IR", timeout=240)

    def test_thai_mentions_list(self):
        self.tour_as(self.admin, "action-social_crm.social_crm_mention_action", "social_crm_reports_thai_tour", "th_TH")

    def test_response_times_list_is_honest(self):
        response_times = "action-social_crm.social_crm_response_report_action?view_type=list"
        self.tour_as(self.admin, response_times, "social_crm_reports_response_tour")

    def test_mention_pivot_counts(self):
        pivot = "action-social_crm.social_crm_mention_action_analysis?view_type=pivot"
        self.tour_as(self.admin, pivot, "social_crm_reports_pivot_tour")

    def test_manager_previews_the_digest_from_settings(self):
        self.tour_as(
            self.admin, "action-social_crm.social_crm_config_settings_action", "social_crm_digest_preview_tour"
        )
        sent = self.env["mail.mail"].search([("recipient_ids", "in", self.admin.partner_id.ids)])
        self.assertTrue(sent.filtered(lambda mail: "weekly digest" in mail.subject))

    def test_sentiment_colours_in_graphs(self):
        graph = "action-social_crm.social_crm_mention_action?view_type=graph"
        self.tour_as(self.admin, graph, "social_crm_reports_graph_tour")

    def test_top_voices_freshness(self):
        self.tour_as(self.admin, "action-social_crm.social_crm_voice_report_action", "social_crm_reports_voices_tour")

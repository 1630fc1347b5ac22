# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged

from .common import SocialCrmCommon


@tagged("social_crm", "social_crm_ui", "post_install", "-at_install")
class TestUi(HttpCase, SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        mentions = cls.env["social_crm.mention"]._ingest_items(
            cls.account,
            [
                cls.make_item(
                    "at://somchai/post/1",
                    "@acme.test สั่งของไปสองอาทิตย์แล้วยังไม่ได้รับเลย แย่มาก",
                    author_id="did:plc:test-somchai",
                    handle="somchai.test",
                    name="Somchai",
                ),
            ],
        )
        mentions.identity_id.partner_id = cls.partner
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Bluesky: order is late",
                "description": "<p>order is late</p>",
                "partner_id": cls.partner.id,
                "social_thread_id": mentions.thread_id.id,
                "channel_id": cls.env.ref("social_crm.helpdesk_ticket_channel_social").id,
            }
        )
        mentions.thread_id.ticket_id = cls.ticket
        mentions.ticket_id = cls.ticket

    def test_contact_social_tab_tour(self):
        self.start_tour(f"/odoo/res.partner/{self.partner.id}", "social_crm_contact_tour", login="admin")

    def test_social_ticket_tour(self):
        self.start_tour(f"/odoo/helpdesk.ticket/{self.ticket.id}", "social_crm_ticket_tour", login="admin")

    def test_dashboard_tour(self):
        self.start_tour(
            "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action", "social_crm_dashboard_tour", login="admin"
        )


@tagged("social_crm", "social_crm_ui", "post_install", "-at_install")
class TestPublishUi(HttpCase, SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["social_crm.account"].create(
            {
                "name": "Acme Mastodon (publishing)",
                "network": "mastodon",
                "base_url": "http://127.0.0.1:9",
                "token": "token",
                "state": "connected",
                "team_id": cls.team.id,
            }
        )
        cls.social_user.password = "social_user"
        cls.social_manager.password = "social_manager"

    def test_publish_tours(self):
        """An agent writes a post in Thai and submits it; a manager approves it from the calendar."""
        self.start_tour(
            "/odoo/action-social_crm.social_crm_post_action/new", "social_crm_publish_tour", login="social_user"
        )
        post = self.env["social_crm.post"].search([("author_id", "=", self.social_user.id)])
        self.assertEqual(post.state, "to_approve")
        self.assertEqual(post.body, "ร้านใหม่เปิดแล้วที่เชียงใหม่ ลด 20% ทุกชิ้น")
        self.start_tour(
            "/odoo/action-social_crm.social_crm_post_action_calendar",
            "social_crm_publish_approve_tour",
            login="social_manager",
        )
        self.assertEqual((post.state, post.approver_id), ("scheduled", self.social_manager))
        self.assertEqual(post.approved_body, post.body)

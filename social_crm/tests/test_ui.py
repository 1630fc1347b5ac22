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

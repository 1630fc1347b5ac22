# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Sales from social: one report, read by the pivot, the digest and the dashboard; the cost per contact setting."""

import base64
import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SocialLeadCase, status_json


@tagged("social_crm_lead", "post_install", "-at_install")
class TestLeadReport(SocialLeadCase):
    def win(self, lead, revenue):
        lead.write({"expected_revenue": revenue})
        lead.action_set_won()

    def test_leads_won_revenue_conversion_time_to_lead_and_cost_saved(self):
        settings = self.env["res.config.settings"].with_user(self.env.ref("base.user_admin")).create({})
        settings.social_crm_lead_cost_per_contact = 4.5
        settings.execute()
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param("social_crm_lead.cost_per_contact"), "4.5")
        Report = self.env["social_crm.lead.report"].with_user(self.social_manager)
        start, end = fields.Datetime.now() - timedelta(days=7), fields.Datetime.now() + timedelta(minutes=1)
        before = Report._figures(self.company, start, end)["total"]  # the demo's answered conversations
        self.fetch(
            status_json("500", "ยังมีของไหมคะ อยากสั่ง 2 ชิ้น ต้องทำยังไง", author="78", lang="th"),
            status_json("501", "@acme how much is the blue kettle?", author="77", minutes=1),
            status_json("502", "@acme my order hasn't arrived", author="79", minutes=2),
        )
        leads = self.leads()
        self.assertEqual(len(leads), 2)
        thai = leads.filtered(lambda lead: "ยังมีของ" in str(lead.description))
        self.win(thai, 1200.0)
        # the complaint is answered on the network: a conversation resolved on social
        complaint = self.env["social_crm.thread"].search([("account_id", "=", self.masto.id), ("lead_id", "=", False)])
        reply = (
            self.env["social_crm.reply"]
            .with_user(self.social_manager)
            .create({**self.reply_values(complaint), "body": "Sorry! It ships today."})
        )
        reply.action_submit()
        self.assertEqual(reply.state, "posted")
        self.assertEqual(complaint.state, "answered")

        figures = Report._figures(self.company, start, end)
        total = figures["total"]
        self.assertEqual(total["leads"], 2)
        self.assertEqual(total["won"], 1)
        self.assertEqual(total["won_revenue"], 1200.0)
        self.assertEqual(total["conversion"], 50.0)
        self.assertIsNotNone(total["median_hours"])
        self.assertEqual(total["answered"] - before["answered"], 1)
        self.assertAlmostEqual(total["cost_saved"], 4.5 * total["answered"])
        [mastodon] = [line for line in figures["networks"] if line["network"] == "Mastodon"]
        self.assertEqual((mastodon["leads"], mastodon["won"], mastodon["won_revenue"]), (2, 1, 1200.0))
        # the pivot reads the same numbers, per network
        [(network, won_revenue, leads_count)] = Report._read_group(
            [("date", ">=", start), ("network", "=", "mastodon")], ["network"], ["won_revenue:sum", "lead_count:sum"]
        )
        self.assertEqual((network, won_revenue, leads_count), ("mastodon", 1200.0, 2))
        # the Sales from Social dashboard: its charts and tiles read the same report, by network
        dashboard = self.env.ref("social_crm_lead.spreadsheet_dashboard_social_crm_lead").with_user(self.social_manager)
        spreadsheet = json.loads(base64.b64decode(dashboard.spreadsheet_binary_data))
        charts = {
            figure["data"]["title"]["text"]: figure["data"]
            for figure in spreadsheet["sheets"][0]["figures"]
            if figure["data"]["type"].startswith("odoo_")
        }
        chart = charts["Won revenue by network"]
        self.assertEqual(chart["metaData"]["resModel"], "social_crm.lead.report")
        groups = Report.web_read_group(
            chart["searchParams"]["domain"] + [("date", ">=", start)],
            [f"{chart['metaData']['measure']}:sum"],
            chart["metaData"]["groupBy"],
        )["groups"]
        self.assertIn(("mastodon", 1200.0), [(g["network"], g["won_revenue"]) for g in groups])
        for pivot in spreadsheet["pivots"].values():
            for measure in pivot["measures"]:
                self.assertIn(measure["fieldName"], Report._fields, pivot["name"])
        # and the weekly digest shows them
        # (the digest's week ends when it is sent; ``end`` as above, so leads made within this second count)
        html = str(self.env["social_crm.digest"].with_user(self.social_manager)._render(self.company, end=end))
        self.assertIn("Sales from social", html)
        self.assertIn("1,200.00", html)
        self.assertIn("50.0", html)

    def reply_values(self, thread):
        action = thread.with_user(self.social_manager).action_reply()
        return {key[len("default_") :]: value for key, value in action["context"].items()}

    def test_the_report_is_for_managers(self):
        with self.assertRaises(AccessError):
            self.env["social_crm.lead.report"].with_user(self.social_user).search([])

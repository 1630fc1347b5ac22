# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Service levels per team and priority: the wait in amber and red, met or missed in the response report."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import SocialCrmCommon
from .test_respond import analyzed_as


@tagged("social_crm", "social_crm_reports", "post_install", "-at_install")
class TestSla(SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_team = cls.env["helpdesk.ticket.team"].create({"name": "Second line"})
        cls.Sla = cls.env["social_crm.sla"].with_user(cls.social_manager)
        cls.Sla.create(
            [
                {"team_id": cls.team.id, "priority": "3", "first_response_hours": 1.0, "resolution_hours": 4.0},
                {"team_id": cls.team.id, "first_response_hours": 2.0},
                {"first_response_hours": 8.0, "resolution_hours": 24.0},
            ]
        )

    def ticket(self, key, hours_ago, priority="1", team=None, answered_after=None):
        with analyzed_as(("en", "negative", "complaint")):
            mention = self.ingest([self.make_item(f"at://sla/{key}", f"my order {key} is late", author_id=key)])
        ticket = mention.ticket_id
        since = fields.Datetime.now() - timedelta(hours=hours_ago)
        answered = since + timedelta(hours=answered_after) if answered_after is not None else False
        ticket.sudo().write({"priority": priority, "team_id": (team or self.team).id})
        self.env.cr.execute("UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s", [since, ticket.id])
        ticket.invalidate_recordset(["create_date"])
        mention.thread_id.sudo().write(
            {"first_inbound_at": since, "first_response_at": answered, "state": "answered" if answered else "open"}
        )
        ticket.sudo().social_first_response_at = answered
        self.env.flush_all()
        return ticket

    def test_most_specific_target_applies(self):
        urgent = self.ticket("u", 0, priority="3")
        normal = self.ticket("n", 0, priority="1")
        elsewhere = self.ticket("e", 0, team=self.other_team)
        targets = self.env["social_crm.sla"]._targets(urgent | normal | elsewhere)
        self.assertEqual(targets[urgent.id], (1.0, 4.0))
        self.assertEqual(targets[normal.id], (2.0, None))
        self.assertEqual(targets[elsewhere.id], (8.0, 24.0), "the company's default target")

    def test_waiting_turns_amber_then_red(self):
        cases = {
            "fresh": (self.ticket("a", 0.5, priority="3"), "ok"),
            "amber": (self.ticket("b", 0.8, priority="3"), "warning"),
            "red": (self.ticket("c", 1.5, priority="3"), "breached"),
            "normal amber": (self.ticket("d", 1.6, priority="1"), "warning"),
            "answered": (self.ticket("f", 1.5, priority="3", answered_after=0.2), "ok"),
            "resolution late": (self.ticket("g", 30, team=self.other_team, answered_after=1), "breached"),
        }
        threads = self.env["social_crm.thread"].with_user(self.social_user)
        for name, (ticket, expected) in cases.items():
            thread = threads.browse(ticket.social_thread_id.id)
            self.assertEqual(thread.sla_status, expected, name)

    def test_met_and_missed_in_the_response_report(self):
        met = self.ticket("m1", 10, priority="3", answered_after=0.5)
        met.sudo().stage_id = self.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET closed_date = create_date + interval '3 hours' WHERE id = %s", [met.id]
        )
        late = self.ticket("m2", 10, priority="3", answered_after=1.5)
        running = self.ticket("m3", 0.2, priority="1")
        Report = self.env["social_crm.response.report"].with_user(self.social_manager)
        self.env.invalidate_all()
        rows = {row.ticket_id: row for row in Report.search([("ticket_id", "in", (met | late | running).ids)])}
        self.assertEqual((rows[met].sla_status, rows[met].resolution_status), ("met", "met"))
        self.assertEqual(rows[late].sla_status, "missed")
        self.assertEqual(rows[late].response_status, "late", "its team's 1-hour target, not the 4-hour setting")
        self.assertEqual(rows[running].sla_status, "running")
        [(share,)] = Report._read_group([("ticket_id", "in", (met | late | running).ids)], [], ["sla_met:avg"])
        self.assertEqual(share, 50.0, "one met, one missed, the running one not counted")

    def test_managers_set_targets_agents_read_them(self):
        with self.assertRaises(AccessError):
            self.env["social_crm.sla"].with_user(self.social_user).create({"first_response_hours": 1.0})
        with self.assertRaises(ValidationError):
            self.Sla.create({"team_id": self.team.id, "priority": "3", "first_response_hours": 3.0})
        self.assertEqual(len(self.env["social_crm.sla"].with_user(self.social_user).search([])), 3)

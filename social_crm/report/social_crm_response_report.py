# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools


class SocialCrmResponseReport(models.Model):
    """Speed of the answers to social tickets, by team and agent."""

    _name = "social_crm.response.report"
    _description = "Social Response Report"
    _auto = False
    _order = "create_date desc"

    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True)
    thread_id = fields.Many2one("social_crm.thread", string="Conversation", readonly=True)
    team_id = fields.Many2one("helpdesk.ticket.team", string="Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    network = fields.Char(readonly=True)
    create_date = fields.Datetime(string="Opened on", readonly=True)
    first_response_at = fields.Datetime(readonly=True)
    closed_date = fields.Datetime(string="Closed on", readonly=True)
    first_response_hours = fields.Float(string="First response (hours)", aggregator="avg", readonly=True)
    resolution_hours = fields.Float(string="Resolution (hours)", aggregator="avg", readonly=True)
    answered_in_target = fields.Float(
        string="Answered within target (%)",
        aggregator="avg",
        readonly=True,
        help="Share of tickets whose first response came within the target time (setting).",
    )
    ticket_count = fields.Integer(string="Tickets", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT t.id AS id,
                       t.id AS ticket_id,
                       t.social_thread_id AS thread_id,
                       t.team_id,
                       t.user_id,
                       t.company_id,
                       th.network,
                       t.create_date,
                       COALESCE(t.social_first_response_at, th.first_response_at) AS first_response_at,
                       t.closed_date,
                       EXTRACT(EPOCH FROM COALESCE(t.social_first_response_at, th.first_response_at)
                                          - COALESCE(th.first_inbound_at, t.create_date)) / 3600.0
                           AS first_response_hours,
                       EXTRACT(EPOCH FROM t.closed_date - t.create_date) / 3600.0 AS resolution_hours,
                       CASE WHEN COALESCE(t.social_first_response_at, th.first_response_at) IS NOT NULL
                             AND EXTRACT(EPOCH FROM COALESCE(t.social_first_response_at, th.first_response_at)
                                                    - COALESCE(th.first_inbound_at, t.create_date)) / 3600.0
                                 <= COALESCE((SELECT NULLIF(value, '')::float FROM ir_config_parameter
                                               WHERE key = 'social_crm.response_target_hours'), 4.0)
                            THEN 100.0 ELSE 0.0 END AS answered_in_target,
                       1 AS ticket_count
                  FROM helpdesk_ticket t
                  JOIN social_crm_thread th ON th.id = t.social_thread_id
            )
            """
        )

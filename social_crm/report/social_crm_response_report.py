# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..models.selections import NETWORKS

# The one definition of first response, used by this report, the weekly digest and the dashboard:
# the clock starts at the customer's first message (or the ticket's creation when the conversation has
# none) and stops at the first answer on the network (the ticket's own reply, else the conversation's).
FIRST_RESPONSE_AT = "COALESCE(t.social_first_response_at, th.first_response_at)"
WAITING_SINCE = "COALESCE(th.first_inbound_at, t.create_date)"
# The ticket's service level target (social_crm.sla: team and priority, then team, then priority, then the
# company's default), else the *Response target* of the ticket's company.
TARGET_HOURS = "COALESCE(sla.first_response_hours, rc.social_crm_response_target_hours)"
RESOLUTION_HOURS = "NULLIF(sla.resolution_hours, 0)"
SLA_JOIN = """
                  LEFT JOIN LATERAL (
                        SELECT s.first_response_hours, s.resolution_hours
                          FROM social_crm_sla s
                         WHERE s.active AND s.company_id = t.company_id
                           AND (s.team_id = t.team_id OR s.team_id IS NULL)
                           AND (s.priority = t.priority OR s.priority IS NULL)
                      ORDER BY s.team_id IS NULL, s.priority IS NULL
                         LIMIT 1
                  ) sla ON TRUE
"""
SLA_RESULTS = [("met", "Met"), ("missed", "Missed"), ("running", "Running")]
RESPONSE_STATUSES = [
    ("in_time", "Answered in time"),
    ("late", "Answered late"),
    ("open", "Waiting, within target"),
    ("missed", "Waiting, target missed"),
]


class SocialCrmResponseReport(models.Model):
    """Speed of the answers to social tickets, by team and agent.

    A ticket not answered yet has no response time (empty, never 0) and does not
    count as missed until the target time has passed: it is *open*.
    """

    _name = "social_crm.response.report"
    _description = "Social Response Report"
    _inherit = "social_crm.view.report.mixin"
    _auto = False
    _median_fields = ("median_response_hours",)
    _order = "create_date desc"

    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True)
    thread_id = fields.Many2one("social_crm.thread", string="Conversation", readonly=True)
    team_id = fields.Many2one("helpdesk.ticket.team", string="Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    network = fields.Selection(NETWORKS, readonly=True)
    create_date = fields.Datetime(string="Opened on", readonly=True)
    first_response_at = fields.Datetime(readonly=True)
    closed_date = fields.Datetime(string="Closed on", readonly=True)
    account_id = fields.Many2one("social_crm.account", string="Account", readonly=True)
    first_response_hours = fields.Float(string="First response (hours)", aggregator="avg", readonly=True)
    median_response_hours = fields.Float(
        string="Median first response (hours)",
        aggregator="avg",  # computed as a median in _read_group_select
        readonly=True,
        help="Half of the answered tickets got their first response faster than this.",
    )
    resolution_hours = fields.Float(string="Resolution (hours)", aggregator="avg", readonly=True)
    response_status = fields.Selection(RESPONSE_STATUSES, string="Response", readonly=True)
    answered_in_target = fields.Float(
        string="Answered within target (%)",
        aggregator="avg",
        readonly=True,
        help="Share of tickets whose first response came within the target time (setting). Tickets still "
        "waiting count only once the target time has passed without an answer.",
    )
    resolution_status = fields.Selection(
        SLA_RESULTS,
        string="Resolution SLA",
        readonly=True,
        help="Closed within the resolution target (Met), past it (Missed), or open and still within it "
        "(Running). Empty: no resolution target for this team and priority.",
    )
    sla_status = fields.Selection(
        SLA_RESULTS,
        string="SLA",
        readonly=True,
        help="Met: answered in time and, where there is a resolution target, resolved in time. Missed: either "
        "target passed. Running: nothing missed yet, something still open.",
    )
    sla_met = fields.Float(
        string="SLA met (%)",
        aggregator="avg",
        readonly=True,
        help="Share of the tickets whose service level was met, among those settled (met or missed).",
    )
    ticket_count = fields.Integer(string="Tickets", readonly=True)
    approval_wait_hours = fields.Float(
        string="Waiting for approval (hours)",
        aggregator="avg",
        readonly=True,
        help="Part of the first response spent waiting for a manager's approval (the first reply posted on the "
        "ticket: from its submission to its approval); 0 when it needed none.",
    )

    def init(self):
        hours = f"EXTRACT(EPOCH FROM {FIRST_RESPONSE_AT} - {WAITING_SINCE}) / 3600.0"
        waited = f"EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - {WAITING_SINCE}) / 3600.0"
        age = "EXTRACT(EPOCH FROM COALESCE(t.closed_date, now() AT TIME ZONE 'UTC') - t.create_date) / 3600.0"
        response = f"""CASE WHEN {FIRST_RESPONSE_AT} IS NOT NULL AND {hours} <= {TARGET_HOURS} THEN 'met'
                            WHEN {FIRST_RESPONSE_AT} IS NOT NULL OR {waited} > {TARGET_HOURS} THEN 'missed'
                            ELSE 'running' END"""
        resolution = f"""CASE WHEN {RESOLUTION_HOURS} IS NULL THEN NULL
                              WHEN {age} > {RESOLUTION_HOURS} THEN 'missed'
                              WHEN t.closed_date IS NOT NULL THEN 'met'
                              ELSE 'running' END"""
        select = f"""
                SELECT t.id AS id,
                       t.id AS ticket_id,
                       t.social_thread_id AS thread_id,
                       t.team_id,
                       t.user_id,
                       t.company_id,
                       th.network,
                       th.account_id,
                       t.create_date,
                       {FIRST_RESPONSE_AT} AS first_response_at,
                       t.closed_date,
                       CASE WHEN {FIRST_RESPONSE_AT} IS NOT NULL THEN GREATEST({hours}, 0) END
                           AS first_response_hours,
                       CASE WHEN {FIRST_RESPONSE_AT} IS NOT NULL THEN GREATEST({hours}, 0) END
                           AS median_response_hours,
                       EXTRACT(EPOCH FROM t.closed_date - t.create_date) / 3600.0 AS resolution_hours,
                       CASE WHEN {FIRST_RESPONSE_AT} IS NOT NULL AND {hours} <= {TARGET_HOURS} THEN 'in_time'
                            WHEN {FIRST_RESPONSE_AT} IS NOT NULL THEN 'late'
                            WHEN {waited} <= {TARGET_HOURS} THEN 'open'
                            ELSE 'missed' END AS response_status,
                       CASE WHEN {FIRST_RESPONSE_AT} IS NOT NULL AND {hours} <= {TARGET_HOURS} THEN 100.0
                            WHEN {FIRST_RESPONSE_AT} IS NOT NULL THEN 0.0
                            WHEN {waited} <= {TARGET_HOURS} THEN NULL
                            ELSE 0.0 END AS answered_in_target,
                       {resolution} AS resolution_status,
                       CASE WHEN ({response}) = 'missed' OR ({resolution}) = 'missed' THEN 'missed'
                            WHEN ({response}) = 'met' AND COALESCE(({resolution}) = 'met', TRUE) THEN 'met'
                            ELSE 'running' END AS sla_status,
                       CASE WHEN ({response}) = 'missed' OR ({resolution}) = 'missed' THEN 0.0
                            WHEN ({response}) = 'met' AND COALESCE(({resolution}) = 'met', TRUE) THEN 100.0
                            END AS sla_met,
                       1 AS ticket_count,
                       CASE WHEN {FIRST_RESPONSE_AT} IS NOT NULL THEN
                           COALESCE(GREATEST(EXTRACT(EPOCH FROM fr.approved_at - fr.submitted_at) / 3600.0, 0), 0)
                       END AS approval_wait_hours
                  FROM helpdesk_ticket t
                  JOIN social_crm_thread th ON th.id = t.social_thread_id
                  JOIN res_company rc ON rc.id = t.company_id
                  {SLA_JOIN}
                  LEFT JOIN LATERAL (
                      SELECT r.submitted_at, r.approved_at
                        FROM social_crm_reply r
                       WHERE r.ticket_id = t.id AND r.state = 'posted'
                       ORDER BY r.posted_at, r.id
                       LIMIT 1
                  ) fr ON TRUE
        """
        self._create_view(select)

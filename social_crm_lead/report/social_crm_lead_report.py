# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from odoo.addons.social_crm.models.selections import NETWORKS

from ..models.selections import COST_PARAM

# The definitions of sales from social, written once: this report, the weekly digest and the dashboard read them.
# - a lead from social: a CRM lead of a social conversation (social_thread_id set), won or lost, dated by its
#   creation; won: in a won stage and not archived; won revenue: the expected revenue of the won ones;
#   conversion rate: won leads / leads (per cent) of the same rows;
# - time to lead: from the conversation's first customer message to the lead's creation (hours);
# - a conversation resolved on social: one the brand answered on the network (first response, now answered or
#   closed), dated by that answer; cost saved: each one x the cost per contact (Settings).
COST_PER_CONTACT = (
    f"COALESCE((SELECT NULLIF(value, '')::float FROM ir_config_parameter WHERE key = '{COST_PARAM}'), 0.0)"
)
HOURS_TO_LEAD = "GREATEST(EXTRACT(EPOCH FROM l.create_date - th.first_inbound_at) / 3600.0, 0)"
WON = "(l.active AND s.is_won)"


class SocialCrmLeadReport(models.Model):
    """Sales from social, per network and period: leads, won opportunities and revenue, conversion, time to lead,
    and the cost saved by conversations resolved on social."""

    _name = "social_crm.lead.report"
    _description = "Sales from Social Report"
    _inherit = "social_crm.view.report.mixin"
    _auto = False
    _median_fields = ("median_hours_to_lead",)
    _order = "date desc"

    kind = fields.Selection([("lead", "Lead"), ("conversation", "Resolved conversation")], readonly=True)
    date = fields.Datetime(readonly=True, help="Leads: created on; resolved conversations: first answered on.")
    lead_id = fields.Many2one("crm.lead", string="Lead", readonly=True)
    thread_id = fields.Many2one("social_crm.thread", string="Conversation", readonly=True)
    account_id = fields.Many2one("social_crm.account", string="Account", readonly=True)
    network = fields.Selection(NETWORKS, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales team", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    lead_count = fields.Integer(string="Leads from social", readonly=True)
    won_count = fields.Integer(string="Won", readonly=True)
    won_revenue = fields.Float(string="Won revenue", readonly=True)
    conversion_rate = fields.Float(
        string="Conversion rate (%)", aggregator="avg", readonly=True, help="Won leads out of the leads from social."
    )
    hours_to_lead = fields.Float(string="Time to lead (hours)", aggregator="avg", readonly=True)
    median_hours_to_lead = fields.Float(
        string="Median time to lead (hours)",
        aggregator="avg",  # computed as a median in _read_group_select
        readonly=True,
        help="Half of the leads were opened faster than this after the customer's first message.",
    )
    answered_count = fields.Integer(string="Resolved on social", readonly=True)
    cost_saved = fields.Float(readonly=True, help="Conversations resolved on social x the cost per contact (Settings).")

    def init(self):
        select = f"""
                SELECT l.id * 2 AS id,
                       'lead' AS kind,
                       l.create_date AS date,
                       l.id AS lead_id,
                       th.id AS thread_id,
                       th.account_id,
                       th.network,
                       th.company_id,
                       l.team_id,
                       l.user_id,
                       1 AS lead_count,
                       CASE WHEN {WON} THEN 1 ELSE 0 END AS won_count,
                       CASE WHEN {WON} THEN COALESCE(l.expected_revenue, 0) ELSE 0 END AS won_revenue,
                       CASE WHEN {WON} THEN 100.0 ELSE 0.0 END AS conversion_rate,
                       CASE WHEN th.first_inbound_at IS NOT NULL THEN {HOURS_TO_LEAD} END AS hours_to_lead,
                       CASE WHEN th.first_inbound_at IS NOT NULL THEN {HOURS_TO_LEAD} END AS median_hours_to_lead,
                       0 AS answered_count,
                       0.0 AS cost_saved
                  FROM crm_lead l
                  JOIN social_crm_thread th ON th.id = l.social_thread_id
             LEFT JOIN crm_stage s ON s.id = l.stage_id
             UNION ALL
                SELECT th.id * 2 + 1 AS id,
                       'conversation' AS kind,
                       th.first_response_at AS date,
                       NULL AS lead_id,
                       th.id AS thread_id,
                       th.account_id,
                       th.network,
                       th.company_id,
                       NULL AS team_id,
                       NULL AS user_id,
                       0 AS lead_count,
                       0 AS won_count,
                       0.0 AS won_revenue,
                       NULL AS conversion_rate,
                       NULL AS hours_to_lead,
                       NULL AS median_hours_to_lead,
                       1 AS answered_count,
                       {COST_PER_CONTACT} AS cost_saved
                  FROM social_crm_thread th
                 WHERE th.first_response_at IS NOT NULL AND th.state IN ('answered', 'closed')
        """
        self._create_view(select)

    @api.model
    def _figures(self, company, start, end):
        """The period's figures of one company, in total and per network (for the digest)."""
        aggregates = [
            "lead_count:sum",
            "won_count:sum",
            "won_revenue:sum",
            "conversion_rate:avg",
            "median_hours_to_lead:avg",
            "answered_count:sum",
            "cost_saved:sum",
        ]
        domain = [("company_id", "=", company.id), ("date", ">=", start), ("date", "<", end)]
        labels = dict(self._fields["network"]._description_selection(self.env))

        def row(values):
            leads, won, revenue, rate, median, answered, saved = values
            return {
                "leads": leads or 0,
                "won": won or 0,
                "won_revenue": round(revenue or 0.0, 2),
                "conversion": round(rate, 1) if leads else None,
                "median_hours": round(median, 1) if median is not None and median is not False else None,
                "answered": answered or 0,
                "cost_saved": round(saved or 0.0, 2),
            }

        [total] = self._read_group(domain, [], aggregates)
        networks = self._read_group(domain, ["network"], aggregates, order="network")
        return {
            "currency": company.currency_id,
            "total": row(total),
            "networks": [dict(row(values), network=labels.get(network, network)) for network, *values in networks],
        }

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Service level targets of social tickets: first response and resolution, per team and priority.

The most specific active target of a ticket's company applies: team and priority, then team, then
priority, then the company's default; without any, the first response falls back on the *Response
target* setting and the resolution has no target. A conversation waiting for an answer turns amber
(``warning``) at ``WARNING_SHARE`` of its target and red (``breached``) past it.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .selections import TICKET_PRIORITIES

WARNING_SHARE = 0.75


class SocialCrmSla(models.Model):
    _name = "social_crm.sla"
    _description = "Social CRM Service Level Target"
    _order = "company_id, team_id nulls last, priority desc nulls last, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Team",
        index="btree_not_null",
        ondelete="cascade",
        check_company=True,
        help="Empty: every team without a target of its own.",
    )
    priority = fields.Selection(TICKET_PRIORITIES, help="Empty: every priority without a target of its own.")
    first_response_hours = fields.Float(
        string="First response (hours)", required=True, help="From the customer's message to the first answer."
    )
    resolution_hours = fields.Float(
        string="Resolution (hours)", help="From the ticket's opening to its closing; 0: no resolution target."
    )

    _sql_constraints = [
        ("positive", "CHECK(first_response_hours > 0 AND resolution_hours >= 0)", "Targets are positive hours."),
    ]

    @api.constrains("company_id", "team_id", "priority", "active")
    def _check_one_per_scope(self):
        for sla in self.filtered("active"):
            twins = self.search_count(
                [
                    ("id", "!=", sla.id),
                    ("company_id", "=", sla.company_id.id),
                    ("team_id", "=", sla.team_id.id),
                    ("priority", "=", sla.priority),
                ]
            )
            if twins:
                raise ValidationError(self.env._("There is already a target for this team and priority."))

    @api.depends("team_id", "priority")
    def _compute_name(self):
        priorities = dict(self._fields["priority"]._description_selection(self.env))
        for sla in self:
            team = sla.team_id.display_name or self.env._("All teams")
            priority = priorities.get(sla.priority) or self.env._("All priorities")
            sla.name = f"{team} / {priority}"

    @api.model
    def _targets(self, tickets):
        """``{ticket id: (first response hours, resolution hours or None)}``, one query for all tickets."""
        rules = self.sudo().search([("company_id", "in", tickets.company_id.ids)])
        by_scope = {(rule.company_id.id, rule.team_id.id, rule.priority): rule for rule in rules}
        targets = {}
        for ticket in tickets:
            company, team, priority = ticket.company_id.id, ticket.team_id.id, ticket.priority or False
            rule = next(
                (
                    by_scope[scope]
                    for scope in ((company, team, priority), (company, team, False), (company, False, priority))
                    + ((company, False, False),)
                    if scope in by_scope
                ),
                None,
            )
            if rule:
                targets[ticket.id] = (rule.first_response_hours, rule.resolution_hours or None)
            else:
                targets[ticket.id] = (ticket.company_id.social_crm_response_target_hours, None)
        return targets

    @api.model
    def _status(self, elapsed_hours, target_hours):
        if not target_hours or elapsed_hours is None:
            return "ok"
        if elapsed_hours > target_hours:
            return "breached"
        return "warning" if elapsed_hours >= WARNING_SHARE * target_hours else "ok"

    @api.model
    def _thread_statuses(self, threads, now=None):
        """``{thread id: status}`` of conversations: the first response of those waiting for an answer,
        and the resolution of their open ticket, whichever is worse."""
        now = now or fields.Datetime.now()
        threads = threads.sudo()
        waiting = threads.filtered(lambda thread: thread.state in ("new", "open"))
        last_in = dict(
            self.env["social_crm.mention"]
            .sudo()
            ._read_group(
                [("thread_id", "in", waiting.ids), ("direction", "=", "inbound")], ["thread_id"], ["posted_at:max"]
            )
        )
        tickets = threads.ticket_id.filtered(lambda ticket: not ticket.stage_id.closed)
        targets = self._targets(tickets)
        rank = {"ok": 0, "warning": 1, "breached": 2}
        statuses = {}
        for thread in threads:
            ticket = thread.ticket_id if thread.ticket_id in tickets else None
            first_target, resolution_target = targets.get(ticket.id) if ticket else (None, None)
            if not ticket:
                first_target = thread.company_id.social_crm_response_target_hours
            found = ["ok"]
            if thread in waiting:
                since = thread.first_inbound_at if not thread.first_response_at else last_in.get(thread)
                if since:
                    found.append(self._status((now - since).total_seconds() / 3600, first_target))
            if ticket and resolution_target:
                found.append(self._status((now - ticket.create_date).total_seconds() / 3600, resolution_target))
            statuses[thread.id] = max(found, key=rank.get)
        return statuses

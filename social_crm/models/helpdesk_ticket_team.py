# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models

OPEN_THREAD_STATES = ("new", "open")


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    social_auto_assign = fields.Boolean(
        string="Assign social tickets automatically",
        help="New social tickets of this team go to its members in turn (round robin), skipping those who "
        "already handle as many open conversations as the capacity allows.",
    )
    social_capacity = fields.Integer(
        string="Open conversations per agent",
        default=10,
        help="An agent with this many open social conversations gets no new one; 0: no limit.",
    )
    social_last_assigned_id = fields.Many2one(
        "res.users", string="Last assigned agent", readonly=True, copy=False, help="Where the round robin resumes."
    )

    @api.model
    def _social_auto_assign(self, vals_list):
        """Fill ``user_id`` in the values of new social tickets whose team assigns automatically.

        Round robin among the team's internal members of the ticket's company, starting after the last one
        given a ticket, skipping members at capacity. The open conversations of every candidate are counted
        in one query.
        """
        by_team = defaultdict(list)
        for vals in vals_list:
            if not vals.get("user_id") and vals.get("team_id"):
                by_team[vals["team_id"]].append(vals)
        teams = self.sudo().browse(list(by_team)).filtered("social_auto_assign")
        members = teams.user_ids.filtered(lambda user: user.active and not user.share)
        if not members:
            return
        load = defaultdict(int)
        for user, count in (
            self.env["social_crm.thread"]
            .sudo()
            ._read_group(
                [("user_id", "in", members.ids), ("state", "in", OPEN_THREAD_STATES)], ["user_id"], ["__count"]
            )
        ):
            load[user.id] = count
        for team in teams:
            agents = team.user_ids.filtered(lambda user: user.active and not user.share).sorted("id")
            last = team.social_last_assigned_id
            start = (agents.ids.index(last.id) + 1) if last.id in agents.ids else 0
            for vals in by_team[team.id]:
                company_id = vals.get("company_id")
                for offset in range(len(agents)):
                    agent = agents[(start + offset) % len(agents)]
                    if company_id and company_id not in agent.company_ids.ids:
                        continue
                    if team.social_capacity and load[agent.id] >= team.social_capacity:
                        continue
                    vals["user_id"] = agent.id
                    load[agent.id] += 1
                    start = (start + offset + 1) % len(agents)
                    last = agent
                    break
            if last != team.social_last_assigned_id:
                team.social_last_assigned_id = last

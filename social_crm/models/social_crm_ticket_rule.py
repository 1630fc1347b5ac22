# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .selections import TICKET_PRIORITIES


class SocialCrmTicketRule(models.Model):
    """Decides, in order, whether a conversation becomes a helpdesk ticket, and how.

    The first active rule whose conditions all hold for a new inbound mention
    wins; empty conditions match anything. A rule can also say "no ticket".
    """

    _name = "social_crm.ticket.rule"
    _inherit = "social_crm.rule.mixin"
    _description = "Social Ticket Rule"

    # Actions
    create_ticket = fields.Boolean(default=True, help="Untick to say: conversations matching this rule need no ticket.")
    team_id = fields.Many2one("helpdesk.ticket.team", help="Empty: the account's team.")
    priority = fields.Selection(TICKET_PRIORITIES, default="1")
    tag_ids = fields.Many2many("helpdesk.ticket.tag", string="Tags")

    @api.constrains("company_id", "team_id", "tag_ids")
    def _check_action_company(self):
        """A company's rule sends tickets to its own or shared teams and tags only.

        A shared rule (no company) may name a company's team: for the other
        companies the account's team is used instead (see routing).
        """
        for rule in self.sudo().filtered("company_id"):
            foreign = [r.display_name for r in (*rule.team_id, *rule.tag_ids) if r.company_id - rule.company_id]
            if foreign:
                raise ValidationError(
                    _(
                        "Rule %(rule)s belongs to %(company)s and cannot use %(records)s of another company.",
                        rule=rule.name,
                        company=rule.company_id.name,
                        records=", ".join(foreign),
                    )
                )

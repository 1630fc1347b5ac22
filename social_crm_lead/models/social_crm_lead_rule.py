# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SocialCrmLeadRule(models.Model):
    """Decides, in order, whether a conversation becomes a CRM lead: the ticket rules' design, for sales.

    The first active rule whose conditions all hold for a new inbound mention
    wins; empty conditions match anything. A rule can also say "no lead".
    Conditions are matched exactly as the ticket rules' (same matcher).
    """

    _name = "social_crm.lead.rule"
    _inherit = "social_crm.rule.mixin"
    _description = "Social Lead Rule"

    intent = fields.Selection(default="buying")
    min_followers = fields.Integer(help="0 for anyone.")
    # Actions
    create_lead = fields.Boolean(default=True, help="Untick to say: conversations matching this rule need no lead.")
    crm_team_id = fields.Many2one("crm.team", string="Sales team", help="Empty: the account's sales team.")
    user_id = fields.Many2one("res.users", string="Salesperson", help="Empty: nobody yet (the team's to assign).")
    tag_ids = fields.Many2many("crm.tag", string="Tags")

    @api.constrains("company_id", "crm_team_id")
    def _check_action_company(self):
        """A company's rule sends leads to its own or shared sales teams only (a shared rule: see routing)."""
        for rule in self.sudo().filtered(lambda r: r.company_id and r.crm_team_id.company_id):
            if rule.crm_team_id.company_id != rule.company_id:
                raise ValidationError(
                    _(
                        "Rule %(rule)s belongs to %(company)s and cannot use the sales team %(team)s of another "
                        "company.",
                        rule=rule.name,
                        company=rule.company_id.name,
                        team=rule.crm_team_id.name,
                    )
                )

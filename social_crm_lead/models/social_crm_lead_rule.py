# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.social_crm.models.selections import INTENTS, NETWORKS, SENTIMENTS
from odoo.addons.social_crm.models.social_crm_ticket_rule import SocialCrmTicketRule


class SocialCrmLeadRule(models.Model):
    """Decides, in order, whether a conversation becomes a CRM lead: the ticket rules' design, for sales.

    The first active rule whose conditions all hold for a new inbound mention
    wins; empty conditions match anything. A rule can also say "no lead".
    Conditions are matched exactly as the ticket rules' (same matcher).
    """

    _name = "social_crm.lead.rule"
    _description = "Social Lead Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Empty: shared by every company; only administrators change shared ones.",
    )
    # Conditions
    account_ids = fields.Many2many("social_crm.account", string="Accounts", check_company=True)
    network = fields.Selection(NETWORKS)
    sentiment = fields.Selection(SENTIMENTS)
    intent = fields.Selection(INTENTS, default="buying")
    keywords = fields.Char(help="Comma-separated words; the rule matches when the text holds any of them.")
    min_followers = fields.Integer(string="Minimum followers", help="0 for anyone.")
    langs = fields.Char(string="Languages", help="Comma-separated ISO 639-1 codes, e.g. th, fa. Empty for any.")
    # Actions
    create_lead = fields.Boolean(default=True, help="Untick to say: conversations matching this rule need no lead.")
    crm_team_id = fields.Many2one("crm.team", string="Sales team", help="Empty: the account's sales team.")
    user_id = fields.Many2one("res.users", string="Salesperson", help="Empty: nobody yet (the team's to assign).")
    tag_ids = fields.Many2many("crm.tag", string="Tags")

    _split = SocialCrmTicketRule._split
    _matcher = SocialCrmTicketRule._matcher

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

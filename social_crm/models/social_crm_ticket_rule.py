# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .social_crm_account import NETWORKS
from .social_crm_mention import INTENTS, SENTIMENTS

PRIORITIES = [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Very High")]


class SocialCrmTicketRule(models.Model):
    """Decides, in order, whether a conversation becomes a helpdesk ticket, and how.

    The first active rule whose conditions all hold for a new inbound mention
    wins; empty conditions match anything. A rule can also say "no ticket".
    """

    _name = "social_crm.ticket.rule"
    _description = "Social Ticket Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    # Conditions
    account_ids = fields.Many2many("social_crm.account", string="Accounts", check_company=True)
    network = fields.Selection(NETWORKS)
    sentiment = fields.Selection(SENTIMENTS)
    intent = fields.Selection(INTENTS)
    keywords = fields.Char(help="Comma-separated words; the rule matches when the text holds any of them.")
    min_followers = fields.Integer(string="Minimum followers", help="For VIP voices: 0 for anyone.")
    langs = fields.Char(string="Languages", help="Comma-separated ISO 639-1 codes, e.g. th, fa. Empty for any.")
    # Actions
    create_ticket = fields.Boolean(default=True, help="Untick to say: conversations matching this rule need no ticket.")
    team_id = fields.Many2one("helpdesk.ticket.team", help="Empty: the account's team.")
    priority = fields.Selection(PRIORITIES, default="1")
    tag_ids = fields.Many2many("helpdesk.ticket.tag", string="Tags")

    @api.model
    def _split(self, value):
        return [part.strip().lower() for part in (value or "").split(",") if part.strip()]

    def _matches(self, mention, followers=0):
        self.ensure_one()
        if self.account_ids and mention.account_id not in self.account_ids:
            return False
        if self.network and mention.network != self.network:
            return False
        if self.sentiment and mention.sentiment != self.sentiment:
            return False
        if self.intent and mention.intent != self.intent:
            return False
        if self.min_followers and followers < self.min_followers:
            return False
        langs = self._split(self.langs)
        if langs and (mention.lang or "") not in langs:
            return False
        keywords = self._split(self.keywords)
        if keywords:
            body = (mention.body or "").lower()
            if not any(keyword in body for keyword in keywords):
                return False
        return True

    @api.model
    def _first_match(self, rules, mention):
        followers = mention.identity_id.followers or 0
        for rule in rules:
            if (not rule.company_id or rule.company_id == mention.company_id) and rule._matches(mention, followers):
                return rule
        return self.browse()

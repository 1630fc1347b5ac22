# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .selections import INTENTS, NETWORKS, SENTIMENTS


class SocialCrmRuleMixin(models.AbstractModel):
    """What decides, in order, what a new conversation becomes (ticket rules, lead rules): the conditions and
    the one matcher.

    The first active rule whose conditions all hold for a new inbound mention wins; empty conditions match
    anything. A model adds its actions (what the conversation becomes).
    """

    _name = "social_crm.rule.mixin"
    _inherit = "social_crm.shared.setting.mixin"
    _description = "Social CRM: a routing rule"
    _order = "sequence, id"

    # Conditions
    account_ids = fields.Many2many("social_crm.account", string="Accounts", check_company=True)
    network = fields.Selection(NETWORKS)
    sentiment = fields.Selection(SENTIMENTS)
    intent = fields.Selection(INTENTS)
    keywords = fields.Char(help="Comma-separated words; the rule matches when the text holds any of them.")
    min_followers = fields.Integer(string="Minimum followers", help="For VIP voices: 0 for anyone.")
    langs = fields.Char(string="Languages", help="Comma-separated ISO 639-1 codes, e.g. th, fa. Empty for any.")

    @api.model
    def _split(self, value):
        return [part.strip().lower() for part in (value or "").split(",") if part.strip()]

    def _matcher(self):
        """A function giving, for a mention, the first of these rules that matches (or an empty rule).

        The rules' conditions are read once for a whole batch of mentions: a
        rule matches when every condition it sets holds (same company or
        none, account, network, sentiment, intent, minimum followers,
        language, any of the keywords in the text).
        """
        compiled = [
            (
                rule,
                rule.company_id.id,
                set(rule.account_ids.ids),
                rule.network,
                rule.sentiment,
                rule.intent,
                rule.min_followers,
                set(self._split(rule.langs)),
                self._split(rule.keywords),
            )
            for rule in self
        ]
        empty = self.browse()

        def first_match(mention):
            company_id, account_id = mention.company_id.id, mention.account_id.id
            followers = mention.identity_id.followers or 0
            body = None
            for rule, rule_company, accounts, network, sentiment, intent, min_followers, langs, keywords in compiled:
                if rule_company and rule_company != company_id:
                    continue
                if (accounts and account_id not in accounts) or (network and mention.network != network):
                    continue
                if (sentiment and mention.sentiment != sentiment) or (intent and mention.intent != intent):
                    continue
                if (min_followers and followers < min_followers) or (langs and (mention.lang or "") not in langs):
                    continue
                if keywords:
                    body = (mention.body or "").lower() if body is None else body
                    if not any(keyword in body for keyword in keywords):
                        continue
                return rule
            return empty

        return first_match

    @api.model
    def _first_asking(self, mentions, first_match, action):
        """(mention, rule): the first of ``mentions`` whose first matching rule (``first_match``: ``_matcher()``)
        sets ``action`` (``create_ticket``, ``create_lead``), else (None, an empty rule)."""
        for mention in mentions:
            rule = first_match(mention)
            if rule[action]:
                return mention, rule
        return None, self.browse()

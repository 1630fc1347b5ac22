# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .selections import INTENTS, NETWORKS, SENTIMENTS, TICKET_PRIORITIES


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
    intent = fields.Selection(INTENTS)
    keywords = fields.Char(help="Comma-separated words; the rule matches when the text holds any of them.")
    min_followers = fields.Integer(string="Minimum followers", help="For VIP voices: 0 for anyone.")
    langs = fields.Char(string="Languages", help="Comma-separated ISO 639-1 codes, e.g. th, fa. Empty for any.")
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

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools


class SocialCrmShareReport(models.Model):
    """Share of voice: mentions and sentiment per brand keyword group, over time."""

    _name = "social_crm.share.report"
    _description = "Social Share of Voice"
    _auto = False
    _order = "posted_at desc"

    mention_id = fields.Many2one("social_crm.mention", readonly=True)
    keyword_id = fields.Many2one("social_crm.keyword", readonly=True)
    brand = fields.Char(readonly=True)
    group = fields.Selection([("own", "Our brand"), ("competitor", "Competitor")], readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    account_id = fields.Many2one("social_crm.account", readonly=True)
    network = fields.Char(readonly=True)
    posted_at = fields.Datetime(readonly=True)
    sentiment = fields.Selection(
        [("negative", "Negative"), ("neutral", "Neutral"), ("positive", "Positive")], readonly=True
    )
    sentiment_score = fields.Float(aggregator="avg", readonly=True)
    mention_count = fields.Integer(string="Mentions", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT m.id::bigint * 100000 + k.id AS id,
                       m.id AS mention_id,
                       k.id AS keyword_id,
                       k.brand,
                       k."group",
                       m.company_id,
                       m.account_id,
                       m.network,
                       m.posted_at,
                       m.sentiment,
                       m.sentiment_score,
                       1 AS mention_count
                  FROM social_crm_keyword_mention_rel rel
                  JOIN social_crm_keyword k ON k.id = rel.keyword_id
                  JOIN social_crm_mention m ON m.id = rel.mention_id
                 WHERE m.direction = 'inbound'
            )
            """
        )

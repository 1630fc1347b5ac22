# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools


class SocialCrmVoiceReport(models.Model):
    """Top voices: who talks about the brand most, with the most reach, the most negatively."""

    _name = "social_crm.voice.report"
    _description = "Social Top Voices"
    _auto = False
    _order = "mention_count desc"

    identity_id = fields.Many2one("social_crm.identity", string="Voice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    network = fields.Char(readonly=True)
    followers = fields.Integer(aggregator="max", readonly=True)
    mention_count = fields.Integer(string="Mentions", readonly=True)
    negative_count = fields.Integer(string="Negative mentions", readonly=True)
    negative_share = fields.Float(string="Negative (%)", aggregator="avg", readonly=True)
    average_sentiment = fields.Float(aggregator="avg", readonly=True)
    last_mention_at = fields.Datetime(aggregator="max", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT min(m.id) AS id,
                       m.identity_id,
                       i.partner_id,
                       m.company_id,
                       i.network,
                       max(i.followers) AS followers,
                       count(*) AS mention_count,
                       count(*) FILTER (WHERE m.sentiment = 'negative') AS negative_count,
                       100.0 * count(*) FILTER (WHERE m.sentiment = 'negative') / count(*) AS negative_share,
                       avg(m.sentiment_score) AS average_sentiment,
                       max(m.posted_at) AS last_mention_at
                  FROM social_crm_mention m
                  JOIN social_crm_identity i ON i.id = m.identity_id
                 WHERE m.direction = 'inbound'
              GROUP BY m.identity_id, i.partner_id, m.company_id, i.network
            )
            """
        )

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools

from ..models.selections import NETWORKS

# The dimensions that split a share between brands; any other grouping (date, network, ...) is a whole.
BRAND_DIMENSIONS = ("brand", "group", "keyword_id", "mention_id")


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
    network = fields.Selection(NETWORKS, readonly=True)
    posted_at = fields.Datetime(readonly=True)
    sentiment = fields.Selection(
        [("negative", "Negative"), ("neutral", "Neutral"), ("positive", "Positive")], readonly=True
    )
    sentiment_score = fields.Float(aggregator="avg", readonly=True)
    mention_count = fields.Integer(string="Mentions", readonly=True)
    share = fields.Float(
        string="Share of voice (%)",
        aggregator="sum",
        readonly=True,
        help="This brand's part of all the brand mentions of the same period (and of the other groupings).",
    )

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
                       1 AS mention_count,
                       0.0::float AS share
                  FROM social_crm_keyword_mention_rel rel
                  JOIN social_crm_keyword k ON k.id = rel.keyword_id
                  JOIN social_crm_mention m ON m.id = rel.mention_id
                 WHERE m.direction = 'inbound'
            )
            """
        )

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        """``share:sum`` is the group's mentions in percent of those of its period: the groups that differ
        only by brand (or own/competitor) add up to 100 %, whatever the date grouping."""
        # ``read_group`` and ``web_read_group`` pass ``dict_values``: make them lists to index them
        groupby, aggregates = list(groupby), list(aggregates)
        if "share:sum" not in aggregates:
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        asked = ["__count" if aggregate == "share:sum" else aggregate for aggregate in aggregates]
        if order and "share" in order:
            order = None
        rows = super()._read_group(domain, groupby, asked, having, offset, limit, order)
        whole = [i for i, spec in enumerate(groupby) if spec.split(":")[0].split(".")[0] not in BRAND_DIMENSIONS]
        counts = {}
        for key, count in self._share_period_counts(domain, [groupby[i] for i in whole]):
            counts[key] = count
        position = len(groupby) + aggregates.index("share:sum")
        result = []
        for row in rows:
            total = counts.get(tuple(row[i] for i in whole)) or 0
            row = list(row)
            row[position] = 100.0 * row[position] / total if total else 0.0
            result.append(tuple(row))
        return result

    def _share_period_counts(self, domain, groupby):
        for row in super()._read_group(domain, groupby, ["__count"]):
            yield tuple(row[:-1]), row[-1]

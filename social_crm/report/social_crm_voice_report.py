# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL, drop_view_if_exists

from ..models.selections import NETWORKS

# One row per author and company over all inbound mentions. Aggregating a
# million mentions takes about half a second, too slow to redo each time the
# report opens: the rows live in a table that a scheduled action refreshes.
VOICE_QUERY = """
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
           max(m.posted_at) AS last_mention_at,
           now() AT TIME ZONE 'UTC' AS refreshed_at
      FROM social_crm_mention m
      JOIN social_crm_identity i ON i.id = m.identity_id
     WHERE m.direction = 'inbound'
  GROUP BY m.identity_id, i.partner_id, m.company_id, i.network
"""
COLUMNS = (
    "id, identity_id, partner_id, company_id, network, followers, mention_count, negative_count, "
    "negative_share, average_sentiment, last_mention_at, refreshed_at"
)


class SocialCrmVoiceReport(models.Model):
    """Top voices: who talks about the brand most, with the most reach, the most negatively."""

    _name = "social_crm.voice.report"
    _description = "Social Top Voices"
    _auto = False
    _order = "mention_count desc, id"

    identity_id = fields.Many2one("social_crm.identity", string="Voice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    network = fields.Selection(NETWORKS, readonly=True)
    followers = fields.Integer(aggregator="max", readonly=True)
    mention_count = fields.Integer(string="Mentions", readonly=True)
    negative_count = fields.Integer(string="Negative mentions", readonly=True)
    negative_share = fields.Float(string="Negative (%)", aggregator="avg", readonly=True)
    average_sentiment = fields.Float(aggregator="avg", readonly=True)
    last_mention_at = fields.Datetime(aggregator="max", readonly=True)
    refreshed_at = fields.Datetime(string="Figures as of", aggregator="min", readonly=True)

    def init(self):
        cr = self.env.cr
        drop_view_if_exists(cr, self._table)  # a view in earlier versions
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(self._table)))
        cr.execute(SQL("CREATE TABLE %s AS %s", SQL.identifier(self._table), SQL(VOICE_QUERY)))
        cr.execute(SQL("ALTER TABLE %s ADD PRIMARY KEY (id)", SQL.identifier(self._table)))
        for columns in (["mention_count"], ["identity_id"], ["partner_id"], ["company_id", "mention_count"]):
            cr.execute(
                SQL(
                    "CREATE INDEX %s ON %s (%s)",
                    SQL.identifier(f"{self._table}_{'_'.join(columns)}_idx"),
                    SQL.identifier(self._table),
                    SQL(", ").join(SQL.identifier(column) for column in columns),
                )
            )

    @api.model
    def _refresh(self):
        """Recompute every row in one statement; readers see the old rows until the commit."""
        self.env["social_crm.mention"].flush_model(
            ["identity_id", "company_id", "direction", "sentiment", "sentiment_score", "posted_at"]
        )
        self.env["social_crm.identity"].flush_model(["partner_id", "network", "followers"])
        table = SQL.identifier(self._table)
        self.env.cr.execute(SQL("DELETE FROM %s", table))
        self.env.cr.execute(SQL("INSERT INTO %s (%s) %s", table, SQL(COLUMNS), SQL(VOICE_QUERY)))
        rows = self.env.cr.rowcount
        self.invalidate_model()
        return rows

    @api.model
    def _cron_refresh(self):
        return self._refresh()

    def action_refresh(self):
        """The *Refresh now* button of the list (called with the selected rows, if any): recompute them all,
        then reload the list with the new figures."""
        self.check_access("read")
        self.sudo()._refresh()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models

BACKFILL_DAYS = 30


class SocialCrmKeyword(models.Model):
    """A listening term for share of voice: the brand's own names, or a competitor's."""

    _name = "social_crm.keyword"
    _description = "Share of Voice Keyword"
    _order = "group, brand, name"
    _check_company_auto = True

    name = fields.Char(string="Term", required=True, help="Matched case-insensitively in the text of mentions.")
    brand = fields.Char(required=True, help="Whose voice this term measures, e.g. Acme or a competitor's name.")
    group = fields.Selection([("own", "Our brand"), ("competitor", "Competitor")], required=True, default="own")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    mention_ids = fields.Many2many(
        "social_crm.mention", "social_crm_keyword_mention_rel", "keyword_id", "mention_id", string="Tagged mentions"
    )
    mention_count = fields.Integer(string="Mentions", compute="_compute_mention_count")

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "This term is already listened for in this company."),
    ]

    def _compute_mention_count(self):
        self.env["social_crm.mention"].flush_model(["keyword_ids"])
        self.env.cr.execute(
            "SELECT keyword_id, count(*) FROM social_crm_keyword_mention_rel WHERE keyword_id = ANY(%s) "
            "GROUP BY keyword_id",
            [self.ids],
        )
        counts = dict(self.env.cr.fetchall())
        for keyword in self:
            keyword.mention_count = counts.get(keyword.id, 0)

    @api.model_create_multi
    def create(self, vals_list):
        keywords = super().create(vals_list)
        keywords._tag_recent_mentions()
        return keywords

    def write(self, vals):
        res = super().write(vals)
        if "name" in vals or vals.get("active"):
            self._tag_recent_mentions()
        return res

    def _tag_recent_mentions(self, days=BACKFILL_DAYS):
        """Give a new or renamed term the recent mentions it matches, so the report is not empty at first.

        One statement over the last ``days`` days (index on posted_at). Older
        mentions are left as they are; new ones are tagged at ingest.
        """
        keywords = self.filtered("active")
        if not keywords:
            return
        self.flush_recordset(["name", "company_id", "active"])
        self.env["social_crm.mention"].flush_model(["body", "company_id", "posted_at"])
        self.env.cr.execute(
            """
            INSERT INTO social_crm_keyword_mention_rel (keyword_id, mention_id)
            SELECT k.id, m.id
              FROM social_crm_keyword k
              JOIN social_crm_mention m
                ON m.posted_at >= %s
               AND (k.company_id IS NULL OR k.company_id = m.company_id)
               AND strpos(lower(m.body), lower(k.name)) > 0
             WHERE k.id = ANY(%s)
            ON CONFLICT DO NOTHING
            """,
            [fields.Datetime.now() - timedelta(days=days), keywords.ids],
        )
        self.env["social_crm.mention"].invalidate_model(["keyword_ids"])
        self.invalidate_recordset(["mention_ids", "mention_count"])

    @api.model
    def _tag_mentions(self, mentions):
        """Link a batch of new mentions to the keywords their text holds: one read, one pass, one insert.

        Matching is case-insensitive (Unicode case folding, so it works for
        every script) on the text already in memory from the ingest.
        """
        if not mentions:
            return
        terms = [
            (keyword.id, keyword.company_id.id, keyword.name.casefold())
            for keyword in self.sudo().search_fetch([], ["name", "company_id"])
            if keyword.name and keyword.name.strip()
        ]
        if not terms:
            return
        keyword_ids, mention_ids = [], []
        for mention in mentions:
            body = (mention.body or "").casefold()
            if not body:
                continue
            company_id = mention.company_id.id
            for keyword_id, keyword_company_id, term in terms:
                if term in body and (not keyword_company_id or keyword_company_id == company_id):
                    keyword_ids.append(keyword_id)
                    mention_ids.append(mention.id)
        if keyword_ids:
            self.env.cr.execute(
                "INSERT INTO social_crm_keyword_mention_rel (keyword_id, mention_id) "
                "SELECT * FROM unnest(%s::int[], %s::int[]) ON CONFLICT DO NOTHING",
                [keyword_ids, mention_ids],
            )
            mentions.invalidate_recordset(["keyword_ids"])
            self.invalidate_model(["mention_ids", "mention_count"])

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import unicodedata
from datetime import timedelta

from odoo import api, fields, models

BACKFILL_DAYS = 30
BACKFILL_BATCH = 5000


def fold(text):
    """The form in which terms and texts are compared: NFKC-normalised, then Unicode case-folded."""
    return unicodedata.normalize("NFKC", text or "").casefold()


class SocialCrmKeyword(models.Model):
    """A listening term for share of voice: the brand's own names, or a competitor's."""

    _name = "social_crm.keyword"
    _description = "Share of Voice Keyword"
    _order = "group, brand, name"
    _check_company_auto = True

    name = fields.Char(
        string="Term", required=True, help="Matched case-insensitively (Unicode case folding) in the text of mentions."
    )
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

        The mentions of the last ``days`` days (index on posted_at) are read in
        bounded batches and matched by the same rule as new mentions at ingest
        (:func:`fold`), so a term finds the same posts either way. Older
        mentions are left as they are.
        """
        keywords = self.filtered("active")
        if not keywords:
            return
        domain = [("posted_at", ">=", fields.Datetime.now() - timedelta(days=days))]
        if all(keywords.mapped("company_id")):
            domain.append(("company_id", "in", keywords.company_id.ids))
        Mention = self.env["social_crm.mention"].sudo()
        last_id = 0
        while True:
            batch = Mention.search_fetch(
                domain + [("id", ">", last_id)], ["body", "company_id"], order="id", limit=BACKFILL_BATCH
            )
            if not batch:
                break
            keywords._link_matches(batch)
            last_id = batch[-1].id
            batch.invalidate_recordset(["body"])  # keep memory flat over large windows

    @api.model
    def _tag_mentions(self, mentions):
        """Link a batch of new mentions to the active keywords their text holds: one read, one pass, one insert."""
        if mentions:
            self.sudo().search_fetch([], ["name", "company_id"])._link_matches(mentions)

    def _link_matches(self, mentions):
        """Link ``mentions`` to those of these keywords their text contains, by the one matching rule.

        Case-insensitive and compatibility-normalised (:func:`fold`), so it
        works alike for every script: "STRASSE" finds "Straße", a full-width
        "ＡＣＭＥ" finds "acme". One INSERT for the batch.
        """
        terms = [
            (keyword.id, keyword.company_id.id, fold(keyword.name)) for keyword in self if (keyword.name or "").strip()
        ]
        if not terms or not mentions:
            return
        keyword_ids, mention_ids = [], []
        for mention in mentions:
            body = fold(mention.body)
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

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


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
        "social_crm.mention", "social_crm_keyword_mention_rel", "keyword_id", "mention_id", string="Mentions"
    )

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "This term is already listened for in this company."),
    ]

    @api.model
    def _tag_mentions(self, mentions):
        """Link a batch of new mentions to the keywords their text contains: one read, one insert."""
        keywords = self.sudo().search_fetch([], ["name", "company_id"])
        if not keywords or not mentions:
            return
        rows = []
        for mention in mentions:
            body = (mention.body or "").casefold()
            if not body:
                continue
            for keyword in keywords:
                term = (keyword.name or "").casefold()
                if term and term in body and (not keyword.company_id or keyword.company_id == mention.company_id):
                    rows.append((keyword.id, mention.id))
        if rows:
            self.env.cr.execute(
                "INSERT INTO social_crm_keyword_mention_rel (keyword_id, mention_id) "
                "SELECT * FROM unnest(%s::int[], %s::int[]) ON CONFLICT DO NOTHING",
                [[k for k, _m in rows], [m for _k, m in rows]],
            )
            self.invalidate_model(["mention_ids"])

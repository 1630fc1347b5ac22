# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    social_identity_ids = fields.One2many("social_crm.identity", "partner_id", string="Social identities")
    social_handles = fields.Char(
        string="Social handles",
        help="Handles of this contact on social networks, comma separated (e.g. @jane.bsky.social, "
        "@jane@mastodon.social). Mentions from these handles are linked to the contact.",
    )
    social_suggested_identity_ids = fields.One2many(
        "social_crm.identity", "suggested_partner_id", string="Suggested identities"
    )
    social_mention_ids = fields.One2many("social_crm.mention", "partner_id", string="Social mentions")
    social_mention_count = fields.Integer(compute="_compute_social_stats", string="Mentions")
    social_negative_count = fields.Integer(compute="_compute_social_stats", string="Negative mentions")
    social_sentiment_avg = fields.Float(compute="_compute_social_stats", string="Average sentiment", digits=(3, 2))
    social_recent_mention_ids = fields.Many2many(
        "social_crm.mention", compute="_compute_social_recent_mentions", string="Recent mentions"
    )

    @api.depends("social_mention_ids")
    def _compute_social_stats(self):
        stats = {
            partner: (count, avg)
            for partner, count, avg in self.env["social_crm.mention"]._read_group(
                [("partner_id", "in", self.ids), ("direction", "=", "inbound")],
                ["partner_id"],
                ["__count", "sentiment_score:avg"],
            )
        }
        negatives = dict(
            self.env["social_crm.mention"]._read_group(
                [("partner_id", "in", self.ids), ("direction", "=", "inbound"), ("sentiment", "=", "negative")],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            count, avg = stats.get(partner, (0, 0.0))
            partner.social_mention_count = count
            partner.social_sentiment_avg = avg or 0.0
            partner.social_negative_count = negatives.get(partner, 0)

    @api.depends("social_mention_ids")
    def _compute_social_recent_mentions(self):
        Mention = self.env["social_crm.mention"]
        for partner in self:
            partner.social_recent_mention_ids = Mention.search(
                [("partner_id", "=", partner.id)] if partner.id else [("id", "=", False)],
                order="posted_at desc, id desc",
                limit=20,
            )

    def action_view_social_mentions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("social_crm.social_crm_mention_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"search_default_group_by_month": 0}
        return action

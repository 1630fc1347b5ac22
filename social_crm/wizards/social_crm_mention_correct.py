# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..models.selections import INTENTS, SENTIMENTS


class SocialCrmMentionCorrect(models.TransientModel):
    """A person corrects the machine's sentiment and intent: kept, marked, never re-scored."""

    _name = "social_crm.mention.correct"
    _description = "Correct the analysis of social mentions"

    mention_ids = fields.Many2many("social_crm.mention", required=True)
    sentiment = fields.Selection(SENTIMENTS, required=True)
    intent = fields.Selection(INTENTS, required=True)

    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        mentions = self.env["social_crm.mention"].browse(
            self.env.context.get("default_mention_ids") or self.env.context.get("active_ids") or []
        )
        if mentions and "mention_ids" in fields_list:
            values["mention_ids"] = [(6, 0, mentions.ids)]
            values.setdefault("sentiment", mentions[:1].sentiment or "neutral")
            values.setdefault("intent", mentions[:1].intent or "other")
        return values

    def action_apply(self):
        self.ensure_one()
        self.mention_ids._apply_correction(self.sentiment, self.intent)
        return {"type": "ir.actions.act_window_close"}

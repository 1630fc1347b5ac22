# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SocialCrmReplyReject(models.TransientModel):
    _name = "social_crm.reply.reject"
    _description = "Reject a Social Reply"

    reply_ids = fields.Many2many("social_crm.reply", required=True)
    reason = fields.Text(required=True)

    def action_reject(self):
        self.reply_ids.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}

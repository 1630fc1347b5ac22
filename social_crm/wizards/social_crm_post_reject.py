# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SocialCrmPostReject(models.TransientModel):
    _name = "social_crm.post.reject"
    _description = "Reject a Social Post"

    post_ids = fields.Many2many("social_crm.post", required=True)
    reason = fields.Text(required=True)

    def action_reject(self):
        self.post_ids.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SocialCrmReplyReject(models.TransientModel):
    _name = "social_crm.reply.reject"
    _inherit = "social_crm.reject"
    _description = "Reject a Social Reply"
    _rejected_field = "reply_ids"

    reply_ids = fields.Many2many("social_crm.reply", required=True)

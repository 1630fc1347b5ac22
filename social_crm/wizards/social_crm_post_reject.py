# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SocialCrmPostReject(models.TransientModel):
    _name = "social_crm.post.reject"
    _inherit = "social_crm.reject"
    _description = "Reject a Social Post"
    _rejected_field = "post_ids"

    post_ids = fields.Many2many("social_crm.post", required=True)

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SocialCrmPost(models.Model):
    _inherit = "social_crm.post"

    campaign_id = fields.Many2one(
        "utm.campaign",
        string="Campaign",
        index="btree_not_null",
        help="Leads from the conversations that answer this post get this campaign.",
    )

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SocialCrmAccount(models.Model):
    _inherit = "social_crm.account"

    crm_team_id = fields.Many2one(
        "crm.team",
        string="Sales team",
        index="btree_not_null",
        check_company=True,
        help="The sales team that receives the leads of this account's buying signals.",
    )

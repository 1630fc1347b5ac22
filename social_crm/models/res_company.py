# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    social_crm_weekly_digest = fields.Boolean(
        string="Social CRM weekly digest",
        default=True,
        help="Email this company's Social Managers a summary of the week (Social CRM > Configuration > Settings).",
    )

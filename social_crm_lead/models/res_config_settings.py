# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .selections import COST_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    social_crm_lead_cost_per_contact = fields.Float(
        string="Cost per contact",
        config_parameter=COST_PARAM,
        help="What one customer contact costs through the other channels (phone, e-mail, counter), in the "
        "company's currency: each conversation resolved on social saves it (Sales from social report).",
    )

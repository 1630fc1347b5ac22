# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .selections import RETENTION_PARAM

DEFAULT_RETENTION_DAYS = 365


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    social_crm_retention_limited = fields.Boolean(
        string="Delete old social data",
        help="Off: mentions are kept until someone deletes them. On: mentions older than the period are deleted "
        "every day, except those of tickets still open.",
    )
    social_crm_retention_days = fields.Integer(
        string="Keep mentions for (days)",
        default=DEFAULT_RETENTION_DAYS,
        help="0 keeps nothing: every mention not needed by an open ticket is deleted at the next daily run.",
    )

    @api.constrains("social_crm_retention_days")
    def _check_social_crm_retention_days(self):
        if any(settings.social_crm_retention_days < 0 for settings in self):
            raise ValidationError(self.env._("The retention period of social data cannot be negative."))

    @api.model
    def get_values(self):
        res = super().get_values()
        days = self.env["social_crm.mention"]._retention_days()
        res.update(
            social_crm_retention_limited=days is not None,
            social_crm_retention_days=DEFAULT_RETENTION_DAYS if days is None else days,
        )
        return res

    def set_values(self):
        res = super().set_values()
        value = str(self.social_crm_retention_days) if self.social_crm_retention_limited else False
        params = self.env["ir.config_parameter"].sudo()
        if (params.get_param(RETENTION_PARAM) or False) != value:
            params.set_param(RETENTION_PARAM, value)
        return res

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SocialCrmSharedSettingMixin(models.AbstractModel):
    """A named, ordered setting that a company owns or that every company shares (canned replies, ticket and
    lead rules): only administrators change shared ones (record rules)."""

    _name = "social_crm.shared.setting.mixin"
    _description = "Social CRM: a setting of a company or shared by all"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Empty: shared by every company; only administrators change shared ones.",
    )

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class SocialCrmDigest(models.AbstractModel):
    _inherit = "social_crm.digest"

    @api.model
    def _extra_figures(self, company, start, end):
        """Sales from social in the week, read from the lead report (its definitions, written once)."""
        figures = super()._extra_figures(company, start, end)
        figures["social_sales"] = self.env["social_crm.lead.report"].sudo()._figures(company, start, end)
        return figures

    @api.model
    def _links(self):
        return dict(super()._links(), leads=self._link("/odoo/action-social_crm_lead.social_crm_lead_report_action"))

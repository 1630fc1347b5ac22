# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class SocialCrmDigestPreview(models.TransientModel):
    """The weekly digest as the current manager would receive it now (Settings > *Preview digest*)."""

    _name = "social_crm.digest.preview"
    _description = "Social CRM Digest Preview"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, readonly=True)
    body = fields.Html(string="Digest", sanitize=False, readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        digest = self.env["social_crm.digest"]
        digest._check_manager()
        digest = digest.with_context(lang=self.env.user.lang or self.env.lang)  # as the user would receive it
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            vals["body"] = digest._render(company)
        return super().create(vals_list)

    def action_send_test(self):
        return self.env["social_crm.digest"].action_send_test()

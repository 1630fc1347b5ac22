# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .selections import APPROVAL_POLICIES


class ResCompany(models.Model):
    _inherit = "res.company"

    # The accounts' default (``social_crm.account.reply_policy``/``post_policy`` = "company").
    social_reply_policy = fields.Selection(
        APPROVAL_POLICIES,
        string="Replies",
        default="public",
        required=True,
        help="When an agent's reply waits for a Social Manager's approval, unless the account says otherwise. "
        "Approval when public: answers to private messages are sent at once.",
    )
    social_post_policy = fields.Selection(
        APPROVAL_POLICIES,
        string="Posts",
        default="public",
        required=True,
        help="When an agent's post waits for a Social Manager's approval, unless the account says otherwise "
        "(posts are public: approval when public is always).",
    )

    def _social_own_contact_data(self):
        """What the company publishes about itself, which a public answer may give (the privacy guard allows it):
        its phone and e-mail, its internal users' and its helpdesk teams' addresses and phones."""
        if not self:
            return ()
        self.ensure_one()
        company = self.sudo()
        values = [company.phone, company.mobile, company.email]
        users = (
            self.env["res.users"]
            .sudo()
            .search_fetch([("company_ids", "in", company.ids), ("share", "=", False)], ["email", "phone", "mobile"])
        )
        values += users.mapped("email") + users.mapped("phone") + users.mapped("mobile")
        teams = self.env["helpdesk.ticket.team"].sudo().search([("company_id", "in", [company.id, False])])
        values += [alias for alias in teams.mapped("alias_email") if alias]
        return tuple(value for value in values if value)

    social_crm_weekly_digest = fields.Boolean(
        string="Social CRM weekly digest",
        default=True,
        help="Email this company's Social Managers a summary of the week (Social CRM > Configuration > Settings).",
    )

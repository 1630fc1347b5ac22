# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields, models
from odoo.exceptions import UserError


class SocialCrmThread(models.Model):
    _inherit = "social_crm.thread"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Lead",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        tracking=True,
        check_company=True,
        groups="sales_team.group_sale_salesman",
        help="The sales opportunity of this conversation (one open lead per conversation).",
    )

    def action_open_lead(self):
        self.ensure_one()
        if not self.lead_id:
            raise UserError(_("This conversation has no lead."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "res_id": self.lead_id.id,
            "view_mode": "form",
        }

    def action_create_lead(self):
        """*Create lead*: the wizard asks whether to create the contact too."""
        return self.env["social_crm.lead.create"]._open_for(self)

    def action_link_lead(self):
        """*Link to lead*: file this conversation on an existing lead."""
        return self.env["social_crm.lead.create"]._open_for(self, mode="link")

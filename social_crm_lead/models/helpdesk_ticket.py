# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields, models
from odoo.exceptions import UserError


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    social_lead_id = fields.Many2one(
        related="social_thread_id.lead_id", string="Lead", groups="sales_team.group_sale_salesman"
    )

    def action_social_create_lead(self):
        """A customer who complains may want to buy more: a lead beside the ticket."""
        self.ensure_one()
        if not self.social_thread_id:
            raise UserError(_("This ticket did not come from a social conversation."))
        return self.env["social_crm.lead.create"]._open_for(self.social_thread_id, ticket=self)

    def action_social_link_lead(self):
        self.ensure_one()
        if not self.social_thread_id:
            raise UserError(_("This ticket did not come from a social conversation."))
        return self.env["social_crm.lead.create"]._open_for(self.social_thread_id, ticket=self, mode="link")

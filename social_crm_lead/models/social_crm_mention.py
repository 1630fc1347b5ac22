# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SocialCrmMention(models.Model):
    _inherit = "social_crm.mention"

    lead_id = fields.Many2one(related="thread_id.lead_id", string="Lead", groups="sales_team.group_sale_salesman")

    def action_create_lead(self):
        self.ensure_one()
        return self.env["social_crm.lead.create"]._open_for(self.thread_id, mention=self)

    def action_link_lead(self):
        self.ensure_one()
        return self.env["social_crm.lead.create"]._open_for(self.thread_id, mention=self, mode="link")

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class SocialCrmTicketRouter(models.AbstractModel):
    _inherit = "social_crm.ticket.router"

    @api.model
    def _route_more(self, mentions, again=False):
        """Beside the ticket rules, the lead rules: buying signals become leads."""
        result = super()._route_more(mentions, again=again)
        self.env["social_crm.lead.router"]._route(mentions, again=again)
        return result

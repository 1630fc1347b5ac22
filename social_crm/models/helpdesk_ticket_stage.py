# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

# helpdesk_mgmt's own stages and the part they play when an agent answers a social conversation.
HELPDESK_MGMT_ROLES = {
    "helpdesk_mgmt.helpdesk_ticket_stage_in_progress": "in_progress",
    "helpdesk_mgmt.helpdesk_ticket_stage_awaiting": "waiting",
}


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    social_role = fields.Selection(
        [("in_progress", "In progress"), ("waiting", "Waiting for the customer")],
        string="Social desk role",
        help="Where a social ticket goes when an agent answers: to the team's “Waiting for the customer” stage "
        "if it has one, else to its “In progress” stage; a new customer message brings it back to “In progress”.",
    )

    @api.model
    def _social_set_default_roles(self):
        """Give helpdesk_mgmt's stages their role once (a person may change it later)."""
        for xmlid, role in HELPDESK_MGMT_ROLES.items():
            stage = self.env.ref(xmlid, raise_if_not_found=False)
            if stage and not stage.social_role and not self.search_count([("social_role", "=", role)], limit=1):
                stage.social_role = role

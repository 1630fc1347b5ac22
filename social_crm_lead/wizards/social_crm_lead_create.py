# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class SocialCrmLeadCreate(models.TransientModel):
    """*Create lead* (with or without creating the contact) and *Link to lead*, for a mention, a conversation
    or a social ticket: the user's rights on the conversation and on leads are checked before anything is
    written."""

    _name = "social_crm.lead.create"
    _description = "Create or Link a Lead from a Social Conversation"

    thread_id = fields.Many2one("social_crm.thread", string="Conversation", required=True, readonly=True)
    mention_id = fields.Many2one("social_crm.mention", readonly=True)
    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True)
    company_id = fields.Many2one(related="thread_id.company_id")
    mode = fields.Selection([("create", "Create a lead"), ("link", "Link to a lead")], default="create", required=True)
    partner_id = fields.Many2one(related="thread_id.partner_id", string="Contact")
    create_partner = fields.Boolean(
        string="Create the contact",
        help="The person is not a contact yet: create one from their social identity and link it.",
    )
    partner_name = fields.Char(string="Contact name")
    lead_id = fields.Many2one(
        "crm.lead", string="Lead", domain="[('company_id', 'in', [company_id, False])]", check_company=True
    )

    @api.model
    def _open_for(self, thread, mention=None, ticket=None, mode="create"):
        thread.ensure_one()
        self._check_rights(thread)
        identity = thread.sudo().identity_id
        return {
            "type": "ir.actions.act_window",
            "name": _("Create lead") if mode == "create" else _("Link to lead"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_thread_id": thread.id,
                "default_mention_id": mention.id if mention else False,
                "default_ticket_id": ticket.id if ticket else False,
                "default_mode": mode,
                "default_partner_name": identity.name or identity.handle or False,
            },
        }

    @api.model
    def _check_rights(self, thread):
        if not self.env.user.has_group("social_crm.group_social_user"):
            raise AccessError(_("Only Social CRM users make leads from social conversations."))
        thread.check_access("read")
        self.env["crm.lead"].check_access("create")

    def action_confirm(self):
        self.ensure_one()
        thread = self.thread_id
        self._check_rights(thread)
        if self.mode == "link":
            lead = self.lead_id
            if not lead:
                raise UserError(_("Choose the lead to link the conversation to."))
            lead.check_access("write")
            if lead.company_id and lead.company_id != thread.company_id:
                raise UserError(_("The lead belongs to another company than the conversation."))
            if not lead.social_thread_id:
                lead.social_thread_id = thread
            self.env["social_crm.lead.router"]._link_leads({thread.id: lead.id})
            lead.message_post(
                body=_("Social conversation linked: %(name)s", name=thread.display_name), subtype_xmlid="mail.mt_note"
            )
        else:
            partner = None
            if self.create_partner and not thread.partner_id:
                identity = thread.sudo().identity_id
                if not identity:
                    raise UserError(_("This conversation has no author to make a contact of."))
                partner = self.env["res.partner"].create(
                    {
                        "name": self.partner_name or identity.name or identity.handle,
                        "social_handles": identity.handle or False,
                        "company_id": thread.company_id.id,
                    }
                )
                identity.with_env(self.env)._link_to(partner)
            lead = self.env["social_crm.lead.router"]._create_lead_by_hand(thread, self.mention_id, partner)
        return {"type": "ir.actions.act_window", "res_model": "crm.lead", "res_id": lead.id, "view_mode": "form"}

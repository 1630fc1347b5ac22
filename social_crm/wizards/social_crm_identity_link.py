# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SocialCrmIdentityLink(models.TransientModel):
    _name = "social_crm.identity.link"
    _description = "Link Social Identities to a Contact"

    identity_ids = fields.Many2many("social_crm.identity", required=True)
    mode = fields.Selection(
        [("existing", "An existing contact"), ("new", "A new contact")], default="existing", required=True
    )
    partner_id = fields.Many2one("res.partner", string="Contact")
    new_name = fields.Char(string="Name")
    new_email = fields.Char(string="Email")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "social_crm.mention" and "identity_ids" in fields_list:
            mentions = self.env["social_crm.mention"].browse(self.env.context.get("active_ids", []))
            values["identity_ids"] = [(6, 0, mentions.identity_id.ids)]
        identity_ids = values.get("identity_ids") or []
        ids = identity_ids[0][2] if identity_ids and isinstance(identity_ids[0], (list, tuple)) else identity_ids
        identities = self.env["social_crm.identity"].browse(ids)
        if identities and "new_name" in fields_list:
            values["new_name"] = identities[0].name or identities[0].handle
            values["partner_id"] = identities.suggested_partner_id[:1].id or False
        return values

    def action_link(self):
        """Link the identities to a contact; rights are checked on the identities before anything is written."""
        self.ensure_one()
        # Every identity chosen, also those hidden from the user: the check below refuses them.
        identities = self.sudo().identity_ids.with_env(self.env)
        if not identities:
            raise UserError(_("Choose the social identities to link."))
        identities._check_linkable()
        if self.mode == "new":
            if not self.new_name:
                raise UserError(_("Give the new contact a name."))
            handles = ", ".join(filter(None, identities.mapped("handle")))
            partner = self.env["res.partner"].create(
                {
                    "name": self.new_name,
                    "email": self.new_email or False,
                    "social_handles": handles or False,
                }
            )
        else:
            partner = self.partner_id
            if not partner:
                raise UserError(_("Choose the contact to link to."))
        identities._link_to(partner)
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": partner.id,
            "view_mode": "form",
        }

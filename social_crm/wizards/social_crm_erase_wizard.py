# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, fields, models

from ..tools.access import checked_sudo


class SocialCrmEraseWizard(models.TransientModel):
    _name = "social_crm.erase.wizard"
    _description = "Erase a Person's Social Data"

    identity_ids = fields.Many2many("social_crm.identity", string="Identities", required=True)
    summary = fields.Html(compute="_compute_summary", sanitize=False)

    def _checked_identities(self):
        """Every identity chosen, also those hidden from the user, once the user may change them all."""
        self.ensure_one()
        self.env["social_crm.privacy"]._check_manager()
        return checked_sudo(self.sudo().identity_ids.with_env(self.env), "write")

    @api.depends("identity_ids")
    def _compute_summary(self):
        for wizard in self:
            identities = wizard._checked_identities().filtered(lambda i: not i.erased_at)
            scope = self.env["social_crm.privacy"]._scope(identities)
            items = [
                (self.env._("Social identities (handle, name, profile link, avatar, bio)"), len(identities)),
                (self.env._("Posts: text, author, link and network data"), len(scope.mentions)),
                (self.env._("Conversations: names and links made from their posts"), len(scope.threads)),
                (
                    self.env._("Tickets: titles and descriptions made from their posts (tickets are kept)"),
                    len(scope.tickets),
                ),
                (self.env._("Replies and chatter messages that quote or name them"), len(scope.replies)),
            ]
            wizard.summary = Markup("<p>%s</p><ul>%s</ul><p>%s</p>") % (
                self.env._('This replaces the person\'s data with "[erased on request]" and cannot be undone:'),
                Markup("").join(Markup("<li>%s: <b>%s</b></li>") % (label, count) for label, count in items),
                self.env._(
                    "Counts, sentiment and dates stay for statistics. The erasure is logged without the erased data."
                ),
            )

    def action_erase(self):
        self.env["social_crm.privacy"]._erase(self._checked_identities())
        return {"type": "ir.actions.act_window_close"}

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import string

from odoo import api, fields, models


class _KeepUnknown(dict):
    def __missing__(self, key):
        return "{" + key + "}"


class SocialCrmCannedReply(models.Model):
    _name = "social_crm.canned.reply"
    _inherit = "social_crm.shared.setting.mixin"
    _description = "Canned Social Reply"
    _order = "sequence, name"

    body = fields.Text(
        required=True,
        translate=True,
        help="Placeholders: {name} (customer name), {handle}, {ticket} (ticket number), {agent}.",
    )
    lang = fields.Char(string="Language", help="ISO 639-1 code of the customers it is meant for; empty for any.")

    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        """In the composer, the canned replies in the customer's language come first, then those for any."""
        lang = (self.env.context.get("social_crm_customer_lang") or "").split("_")[0]
        if not lang:
            return super().name_search(name, args, operator, limit)
        found = super().name_search(name, args, operator, limit=None)
        langs = {reply.id: (reply.lang or "").split("_")[0] for reply in self.browse([pair[0] for pair in found])}
        # Stable sort: the usual order within each group.
        found = sorted(found, key=lambda pair: 0 if langs[pair[0]] == lang else 1 if not langs[pair[0]] else 2)
        return found[:limit] if limit else found

    def _render_for(self, thread, ticket=None):
        self.ensure_one()
        identity = thread.identity_id
        values = _KeepUnknown(
            name=(thread.partner_id.name or identity.name or identity.handle or "").strip(),
            handle=("@" + identity.handle.lstrip("@")) if identity.handle else "",
            ticket=ticket.number if ticket else "",
            agent=self.env.user.name,
        )
        body = self.with_context(lang=self._odoo_lang(thread)).body or ""
        return string.Formatter().vformat(body, (), values) if "{" in body else body

    @api.model
    def _odoo_lang(self, thread):
        code = thread.mention_ids[:1].lang
        if not code:
            return self.env.lang
        installed = [lang for lang, _name in self.env["res.lang"].get_installed()]
        return next((lang for lang in installed if lang.split("_")[0] == code), self.env.lang)

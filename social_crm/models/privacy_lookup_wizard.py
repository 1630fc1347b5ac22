# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's Privacy Lookup (Settings > Users > Privacy) finds social identities too, and erases them first."""

from odoo import models
from odoo.tools import SQL


class PrivacyLookupWizard(models.TransientModel):
    _inherit = "privacy.lookup.wizard"

    def _get_query(self):
        """Odoo's Privacy Lookup also finds social identities by handle, name or profile link."""
        query = super()._get_query()
        name = (self.name or "").strip()
        if not name:
            return query
        exact = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        handle = exact.lstrip("@")
        return SQL(
            """%s
            UNION ALL
            SELECT %s AS res_model_id, id AS res_id, True AS is_active
              FROM social_crm_identity
             WHERE (handle ILIKE %s OR handle ILIKE %s OR name ILIKE %s
                    OR profile_url ILIKE %s OR profile_url ILIKE %s)
               AND (partner_id IS NULL OR partner_id NOT IN (SELECT id FROM indirect_references))""",
            query,
            self.env["ir.model"]._get_id("social_crm.identity"),
            handle,
            "@" + handle,
            exact,
            exact,
            "%/" + handle,
        )


class PrivacyLookupWizardLine(models.TransientModel):
    _inherit = "privacy.lookup.wizard.line"

    def action_unlink(self):
        """Deleting a social identity from the Privacy Lookup first erases its words everywhere.

        ``action_erase`` checks the caller: a Social Manager who may change the identity (its company's).
        """
        self.ensure_one()
        if self.res_model == "social_crm.identity" and not self.is_unlinked:
            self.env["social_crm.identity"].browse(self.res_id).exists().action_erase()
        return super().action_unlink()

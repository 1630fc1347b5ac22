# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.2.0: accounts created before webhooks and Meta's deletion callback get their keys.

Once, at the update that brings them, not at every update: each key is made with ``secrets``, as ``create``
makes it, one random value per account.
"""

import secrets

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    for column, size in (("webhook_key", 32), ("deletion_key", 24)):
        cr.execute(SQL("SELECT id FROM social_crm_account WHERE %s IS NULL", SQL.identifier(column)))
        for (account_id,) in cr.fetchall():
            cr.execute(
                SQL(
                    "UPDATE social_crm_account SET %s = %s WHERE id = %s",
                    SQL.identifier(column),
                    secrets.token_urlsafe(size),
                    account_id,
                )
            )

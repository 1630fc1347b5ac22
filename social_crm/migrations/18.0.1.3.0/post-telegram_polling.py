# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Telegram (and now Bale) polling moved from the account model to the webhook events' queue.

The scheduled action is ``noupdate`` data: point the existing one at ``social_crm.event`` here.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref("social_crm.ir_cron_poll_telegram", raise_if_not_found=False)
    if cron:
        cron.write(
            {
                "name": "Social CRM: poll Telegram and Bale bots (polling mode)",
                "model_id": env["ir.model"]._get_id("social_crm.event"),
                "code": "model._cron_poll_telegram()",
            }
        )

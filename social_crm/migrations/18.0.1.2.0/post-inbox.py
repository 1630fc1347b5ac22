# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The social inbox: waiting time, last message and assignee of the existing conversations."""

from odoo import SUPERUSER_ID, api
from odoo.tools import split_every


def migrate(cr, version):
    cr.execute(
        """
        UPDATE social_crm_thread t SET user_id = ticket.user_id
          FROM helpdesk_ticket ticket
         WHERE t.ticket_id = ticket.id AND ticket.user_id IS NOT NULL
        """
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    Thread = env["social_crm.thread"]
    cr.execute("SELECT id FROM social_crm_thread ORDER BY id")
    for ids in split_every(1000, [row[0] for row in cr.fetchall()]):
        Thread.browse(ids)._refresh_stats()

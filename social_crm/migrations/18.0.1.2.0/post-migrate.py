# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.2.0.

* Accounts created before webhooks and Meta's deletion callback get their keys: once, at the update that brings
  them, not at every update; each key is made with ``secrets``, as ``create`` makes it, one random value each.
* Accounts connected before ``connected_since`` existed count as connected since their last sync.
* "Every employee reads social mentions" gives public mentions only. Before, the setting made every employee a
  Social CRM User, who reads private messages too. Now it gives the Social CRM Reader group (public mentions,
  conversations, identities); private messages are for Social CRM Users and Managers. Where the setting was on,
  employees become Readers, and employees keep the User group only where they answer customers: Social CRM
  Managers and helpdesk users. Anyone else who should read private messages is given the User group again under
  Settings > Users.
"""

import logging
import secrets

from odoo import SUPERUSER_ID, Command, api
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    fill_account_keys(cr)
    fill_connected_since(cr)
    employees_read_public_mentions_only(api.Environment(cr, SUPERUSER_ID, {}))


def fill_account_keys(cr):
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


def fill_connected_since(cr):
    cr.execute(
        """UPDATE social_crm_account SET connected_since = COALESCE(last_sync_at, create_date)
            WHERE state = 'connected' AND connected_since IS NULL"""
    )


def employees_read_public_mentions_only(env):
    employees = env.ref("base.group_user")
    users = env.ref("social_crm.group_social_user")
    reader = env.ref("social_crm.group_social_reader")
    if users not in employees.implied_ids:
        return  # the company had switched the setting off: nothing was given to every employee
    employees.write({"implied_ids": [Command.unlink(users.id), Command.link(reader.id)]})
    keep = env.ref("social_crm.group_social_manager").users
    helpdesk = env.ref("helpdesk_mgmt.group_helpdesk_user", raise_if_not_found=False)
    if helpdesk:
        keep |= helpdesk.users
    removed = users.with_context(active_test=False).users.filtered(lambda user: user.share is False) - keep
    if removed:
        users.write({"users": [Command.unlink(user.id) for user in removed]})
        reader.write({"users": [Command.link(user.id) for user in removed]})
    _logger.info(
        "social_crm: every employee now reads public mentions only; %s employee(s) without a helpdesk or "
        "Social CRM Manager role no longer read private messages",
        len(removed),
    )

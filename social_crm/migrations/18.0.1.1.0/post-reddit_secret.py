# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reddit's client secret moves from the login (read by every employee) to the secret field.

Before: login = "client_id:client_secret:username". After: login = "client_id:username",
secret = client_secret (system administrators only).
"""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    cr.execute(
        """
        UPDATE social_crm_account
           SET secret = split_part(login, ':', 2),
               login = split_part(login, ':', 1) || ':' || split_part(login, ':', 3)
         WHERE network = 'reddit'
           AND array_length(string_to_array(login, ':'), 1) = 3
     RETURNING id
        """
    )
    moved = [row[0] for row in cr.fetchall()]
    # The old value, secret included, is in the login's tracking history: drop those lines.
    cr.execute(
        """
        DELETE FROM mail_tracking_value v
         USING mail_message m, ir_model_fields f
         WHERE v.mail_message_id = m.id
           AND m.model = 'social_crm.account'
           AND v.field_id = f.id AND f.model = 'social_crm.account' AND f.name = 'login'
        """
    )
    if moved:
        _logger.info("social_crm: moved the Reddit client secret of accounts %s to the secret field", moved)

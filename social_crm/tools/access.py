# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The one rule for actions that work as superuser (no ``odoo`` import).

Check the caller's rights on the very records (access rights and record rules,
so the company wall too), then return them as superuser for the work.
"""


def checked_sudo(records, operation="write"):
    """``records`` as superuser, once the caller may ``operation`` ("read", "write", ...) every one of them.

    Raises the ``AccessError`` of the first record refused (one query for the rules, whatever the count);
    records already in a superuser environment pass, as they do everywhere in Odoo.
    """
    records.check_access(operation)
    return records.sudo()

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.3.0: identities known only from private messages are no longer read by every employee.

The update adds ``social_crm.identity.visibility`` as "private" on every row; the people who wrote at least one
public mention become "public" again, so Readers keep seeing them on contacts and public mentions.
"""


def migrate(cr, version):
    if not version:
        return
    mark_public_identities(cr)


def mark_public_identities(cr):
    cr.execute(
        """UPDATE social_crm_identity identity SET visibility = 'public'
            WHERE identity.visibility IS DISTINCT FROM 'public'
              AND EXISTS (SELECT 1 FROM social_crm_mention mention
                           WHERE mention.identity_id = identity.id AND mention.visibility = 'public')"""
    )

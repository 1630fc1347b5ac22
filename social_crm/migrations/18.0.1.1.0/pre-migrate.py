# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.1.0: social identities belong to a company.

Before, one identity per network and id served every company. Each
identity now takes the company of its first mention (or conversation); an
identity seen by several companies is copied once for each other company,
whose mentions and conversations move to the copy. A copy keeps the contact
link only when the contact is shared or belongs to that company.
"""

import logging

_logger = logging.getLogger(__name__)

# Links that must not cross to another company's copy.
PARTNER_COLUMNS = ("partner_id", "suggested_partner_id")


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE social_crm_identity DROP CONSTRAINT IF EXISTS social_crm_identity_network_external_id_uniq")
    cr.execute("ALTER TABLE social_crm_identity ADD COLUMN IF NOT EXISTS company_id integer")
    fill_company(cr)
    split_identities_by_company(cr)


def fill_company(cr):
    cr.execute(
        """
        UPDATE social_crm_identity i
           SET company_id = COALESCE(
                   (SELECT m.company_id FROM social_crm_mention m WHERE m.identity_id = i.id ORDER BY m.id LIMIT 1),
                   (SELECT t.company_id FROM social_crm_thread t WHERE t.identity_id = i.id ORDER BY t.id LIMIT 1),
                   (SELECT c.id FROM res_company c ORDER BY c.sequence, c.id LIMIT 1))
         WHERE i.company_id IS NULL
        """
    )


def split_identities_by_company(cr):
    """Give every other company that saw an identity its own copy; running it again changes nothing."""
    cr.execute(
        """
        SELECT DISTINCT i.id, seen.company_id
          FROM social_crm_identity i
          JOIN (SELECT identity_id, company_id FROM social_crm_mention WHERE identity_id IS NOT NULL
                 UNION
                SELECT identity_id, company_id FROM social_crm_thread WHERE identity_id IS NOT NULL) seen
            ON seen.identity_id = i.id
         WHERE seen.company_id IS DISTINCT FROM i.company_id AND seen.company_id IS NOT NULL
         ORDER BY i.id, seen.company_id
        """
    )
    pairs = cr.fetchall()
    if not pairs:
        return
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'social_crm_identity' "
        "AND column_name NOT IN ('id', 'company_id', 'partner_id', 'suggested_partner_id')"
    )
    columns = ", ".join(f'"{name}"' for (name,) in cr.fetchall())
    for identity_id, company_id in pairs:
        copy_id = _copy_for_company(cr, identity_id, company_id, columns)
        for table in ("social_crm_mention", "social_crm_thread"):
            cr.execute(
                f"""
                UPDATE {table} r
                   SET identity_id = %(copy)s,
                       partner_id = (SELECT partner_id FROM social_crm_identity WHERE id = %(copy)s)
                 WHERE r.identity_id = %(old)s AND r.company_id = %(company)s
                """,  # noqa: S608 (table names are constants)
                {"copy": copy_id, "old": identity_id, "company": company_id},
            )
    _logger.info("social_crm: %s identities copied for the other companies that saw them", len(pairs))


def _copy_for_company(cr, identity_id, company_id, columns):
    cr.execute(
        """
        SELECT c.id FROM social_crm_identity c JOIN social_crm_identity i
            ON i.network = c.network AND i.external_id = c.external_id
         WHERE i.id = %s AND c.company_id = %s
        """,
        [identity_id, company_id],
    )
    row = cr.fetchone()
    if row:
        return row[0]
    kept = ", ".join(
        f"CASE WHEN {col}.company_id IS NULL OR {col}.company_id = %(company)s THEN i.{col} END"
        for col in PARTNER_COLUMNS
    )
    joins = " ".join(f"LEFT JOIN res_partner {col} ON {col}.id = i.{col}" for col in PARTNER_COLUMNS)
    cr.execute(
        f"""
        INSERT INTO social_crm_identity ({columns}, company_id, {", ".join(PARTNER_COLUMNS)})
        SELECT {", ".join(f"i.{c.strip()}" for c in columns.split(","))}, %(company)s, {kept}
          FROM social_crm_identity i {joins}
         WHERE i.id = %(id)s
        RETURNING id
        """,  # noqa: S608 (column names come from the table itself)
        {"company": company_id, "id": identity_id},
    )
    copy_id = cr.fetchone()[0]
    cr.execute(
        """
        UPDATE social_crm_identity SET match_reason = NULL, match_confidence = 0
         WHERE id = %s AND partner_id IS NULL AND suggested_partner_id IS NULL
        """,
        [copy_id],
    )
    cr.execute(
        """
        INSERT INTO social_crm_identity_rejected_partner_rel (identity_id, partner_id)
        SELECT %s, partner_id FROM social_crm_identity_rejected_partner_rel WHERE identity_id = %s
        ON CONFLICT DO NOTHING
        """,
        [copy_id, identity_id],
    )
    return copy_id

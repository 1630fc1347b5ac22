# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One INSERT for the records the ingestion pipeline writes by the thousand.

``create()`` spends 0.1-0.2 ms of Python per record on defaults, cache
filling and marking every computed field, which made storing the bottleneck
of ingestion. Threads and mentions built by the pipeline carry every stored
value themselves (related fields included), so their rows go straight to
PostgreSQL, still converted and validated by each field. Computed and
related stored fields are not recomputed: the caller gives their values.
"""

from odoo.tools import SQL

INSERT_BATCH = 1000


def insert_new_rows(model, vals_list, conflict_columns, key):
    """Insert ``vals_list`` (stored column values only) and skip rows that already exist.

    ``conflict_columns`` name a unique constraint: a row that would break it
    is left out (a concurrent worker stored it first), never raised.
    Returns ``{row[key]: id}`` for the rows inserted.
    """
    if not vals_list:
        return {}
    env = model.env
    columns = sorted({name for vals in vals_list for name in vals})
    fields_ = [model._fields[name] for name in columns]
    if not all(field.store and field.column_type for field in fields_):
        raise ValueError(f"insert_new_rows() takes stored columns only: {columns}")
    now = env.cr.now()
    record = model.browse()
    inserted = {}
    for start in range(0, len(vals_list), INSERT_BATCH):
        chunk = vals_list[start : start + INSERT_BATCH]
        # One array a column: psycopg2 adapts lists in C, row tuples in Python.
        arrays = SQL(", ").join(
            SQL(
                "%s::%s[]",
                [field.convert_to_column_insert(vals.get(field.name, False), record, vals) for vals in chunk],
                SQL(field.column_type[0]),
            )
            for field in fields_
        )
        env.cr.execute(
            SQL(
                "INSERT INTO %s (%s, create_uid, create_date, write_uid, write_date)"
                " SELECT *, %s, %s, %s, %s FROM unnest(%s)"
                " ON CONFLICT (%s) DO NOTHING RETURNING id, %s",
                SQL.identifier(model._table),
                SQL(", ").join(SQL.identifier(name) for name in columns),
                env.uid,
                now,
                env.uid,
                now,
                arrays,
                SQL(", ").join(SQL.identifier(name) for name in conflict_columns),
                SQL.identifier(key),
            )
        )
        inserted.update((row_key, row_id) for row_id, row_key in env.cr.fetchall())
    _invalidate_inverses(model, fields_)
    return inserted


def _invalidate_inverses(model, fields_):
    """One2many caches (thread.mention_ids, ...) may list children: the new rows are not in them."""
    for field in fields_:
        if field.type == "many2one":
            for inverse in model.pool.field_inverses[field]:
                model.env[inverse.model_name].invalidate_model([inverse.name])

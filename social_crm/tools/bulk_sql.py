# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One statement for rows the pipeline writes by the hundred: INSERT from values, UPDATE from (id, values).

``create()`` and ``write()`` spend 0.1-0.2 ms of Python per record on
defaults, cache filling, tracking and marking computed fields. For the records
the pipeline writes in bulk (mentions, threads, events, analysis results,
ticket links, erased texts), the rows go to PostgreSQL in one statement per
batch of ``BATCH`` rows, each value still converted and validated by its field
(an HTML field is sanitized). One array per column, composed with
``odoo.tools.SQL`` (identifiers quoted, values passed as parameters, never
formatted into the text): psycopg2 adapts lists in C, row tuples in Python.

What the ORM would do besides is the caller's business: computed and related
stored columns are not recomputed (the caller gives their values), nothing is
tracked in the chatter, and the caches of the columns written are invalidated.
"""

from markupsafe import Markup

from odoo.tools import SQL

BATCH = 1000


def _column(model, name):
    field = model._fields[name]
    if not (field.store and field.column_type):
        raise ValueError(f"{model._name}.{name} is not a stored column")
    return field


def _array(field, values, cast_index):
    return SQL("%s::%s[]", values, SQL(field.column_type[cast_index]))


def insert_rows(model, vals_list, conflict=(), key="id"):
    """Insert ``vals_list`` (stored column values only) in one INSERT per batch; returns ``{row[key]: id}``.

    ``conflict`` names the columns of a unique constraint: a row that would
    break it is left out (a concurrent worker stored it first), never raised,
    and is missing from the result.
    """
    if not vals_list:
        return {}
    env = model.env
    columns = sorted({name for vals in vals_list for name in vals})
    fields_ = [_column(model, name) for name in columns]
    record = model.browse()
    magic = model._log_access
    now = env.cr.now()
    names = [SQL.identifier(name) for name in columns]
    if magic:
        names += [SQL.identifier(name) for name in ("create_uid", "create_date", "write_uid", "write_date")]
    inserted = {}
    for start in range(0, len(vals_list), BATCH):
        chunk = vals_list[start : start + BATCH]
        arrays = SQL(", ").join(
            _array(
                field, [field.convert_to_column_insert(vals.get(field.name, False), record, vals) for vals in chunk], 0
            )
            for field in fields_
        )
        select = (
            SQL("SELECT *, %s, %s, %s, %s FROM unnest(%s)", env.uid, now, env.uid, now, arrays)
            if magic
            else (SQL("SELECT * FROM unnest(%s)", arrays))
        )
        on_conflict = (
            SQL(" ON CONFLICT (%s) DO NOTHING", SQL(", ").join(SQL.identifier(name) for name in conflict))
            if conflict
            else SQL()
        )
        env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) %s%s RETURNING id, %s",
                SQL.identifier(model._table),
                SQL(", ").join(names),
                select,
                on_conflict,
                SQL.identifier(key),
            )
        )
        inserted.update((row_key, row_id) for row_id, row_key in env.cr.fetchall())
    # One2many caches (thread.mention_ids, ...) may list the children: the new rows are not in them.
    for field in fields_:
        if field.type == "many2one":
            for inverse in model.pool.field_inverses[field]:
                env[inverse.model_name].invalidate_model([inverse.name])
    return inserted


def update_rows(model, rows, fnames, keep_greatest=(), escaped=()):
    """One UPDATE per batch for ``rows`` [(id, {field: value})] whose values differ row by row; returns the ids.

    Each of ``fnames`` is set from the row's value; those also in
    ``keep_greatest`` keep the greater of the stored and the given value
    (``GREATEST``: a NULL on either side gives the other). A text given for
    several rows is converted once. HTML fields named in ``escaped`` whose
    value is ``Markup`` the caller composed itself (every outside string
    escaped by ``markupsafe``, links checked) are stored as given, not
    sanitized again; any other value is sanitized. Pending ORM writes to these
    columns are flushed first, their caches invalidated after.
    """
    if not rows:
        return []
    env = model.env
    fields_ = [_column(model, name) for name in fnames]
    model.flush_model(fnames)
    record = model.browse()
    assignments = [
        SQL("%s = GREATEST(t.%s, v.%s)", SQL.identifier(f.name), SQL.identifier(f.name), SQL.identifier(f.name))
        if f.name in keep_greatest
        else SQL("%s = v.%s", SQL.identifier(f.name), SQL.identifier(f.name))
        for f in fields_
    ]
    if model._log_access:
        assignments += [SQL("write_uid = %s", env.uid), SQL("write_date = %s", env.cr.now())]
    converted = {}  # a text given for many rows (a message body) is converted (sanitized) once

    def convert(field, value):
        if field.name in escaped and field.type == "html" and isinstance(value, Markup):
            return str(value)  # Html.convert_to_column() would sanitize it whatever it is told
        if not isinstance(value, str):
            return field.convert_to_column(value, record)
        key = (field.name, type(value), value)
        if key not in converted:
            converted[key] = field.convert_to_column(value, record)
        return converted[key]

    updated = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        arrays = [SQL("%s::int[]", [row_id for row_id, _vals in chunk])]
        arrays += [_array(f, [convert(f, vals[f.name]) for _id, vals in chunk], 1) for f in fields_]
        env.cr.execute(
            SQL(
                "UPDATE %s t SET %s FROM unnest(%s) AS v(id, %s) WHERE t.id = v.id RETURNING t.id",
                SQL.identifier(model._table),
                SQL(", ").join(assignments),
                SQL(", ").join(arrays),
                SQL(", ").join(SQL.identifier(f.name) for f in fields_),
            )
        )
        updated.extend(row_id for (row_id,) in env.cr.fetchall())
    model.invalidate_model(fnames)
    return updated

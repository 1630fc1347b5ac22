# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CSV files a spreadsheet opens safely (no ``odoo`` import).

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read as a formula by spreadsheet programs; strangers' posts end up in these
files, so such a cell is prefixed with ``'`` (OWASP's advice on CSV injection).
"""

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet shows it, never run as a formula; numbers and booleans stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(fieldnames, rows):
    """CSV text with a header row from dict ``rows``, every text cell made safe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames)
    writer.writeheader()
    writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue()

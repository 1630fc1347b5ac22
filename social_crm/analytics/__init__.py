"""Pure-Python analytics (never imports ``odoo``)."""

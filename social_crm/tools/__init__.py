"""Plain-Python helpers of the addon's models (no ``odoo`` import)."""

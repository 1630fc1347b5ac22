"""Repository-level pytest setup for the pure-Python suite (see ``social_crm_path``)."""

import social_crm_path  # noqa: F401  (registers the social_crm namespace without Odoo)

collect_ignore = ["social_crm"]

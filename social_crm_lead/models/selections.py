# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Keys the bridge's models, report and settings share (the core's rule: the only import between its files)."""

# What one contact costs the company through its other channels (Settings), for the cost saved by social.
COST_PARAM = "social_crm_lead.cost_per_contact"

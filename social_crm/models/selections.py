# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Value sets and parameter names shared by several models: the only thing models files import from each other."""

NETWORKS = [
    ("bluesky", "Bluesky"),
    ("mastodon", "Mastodon"),
    ("x", "X"),
    ("facebook", "Facebook Page"),
    ("instagram", "Instagram"),
    ("reddit", "Reddit"),
    ("youtube", "YouTube"),
    ("linkedin", "LinkedIn"),
    ("feed", "RSS/Atom feed"),
    ("line", "LINE"),
    ("telegram", "Telegram"),
    ("whatsapp", "WhatsApp"),
    ("threads", "Threads"),
]
SENTIMENTS = [("negative", "Negative"), ("neutral", "Neutral"), ("positive", "Positive")]
INTENTS = [
    ("complaint", "Complaint"),
    ("question", "Question"),
    ("praise", "Praise"),
    ("request", "Request"),
    ("buying", "Buying signal"),
    ("other", "Other"),
]
NLP_STATES = [
    ("pending", "To analyze"),
    ("fast", "Fast model"),
    ("accurate", "Accurate model"),
    ("failed", "Failed"),
    ("manual", "Corrected by a person"),
]
VISIBILITIES = [("public", "Public"), ("private", "Private message")]
DIRECTIONS = [("inbound", "Inbound"), ("outbound", "Outbound")]
THREAD_STATES = [("new", "New"), ("open", "Needs answer"), ("answered", "Answered"), ("closed", "Closed")]
TICKET_PRIORITIES = [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Very High")]

# System parameter of the retention period in days (Settings > Social CRM); absent: keep forever.
RETENTION_PARAM = "social_crm.retention_days"

# Defaults of the typed system parameters (Settings): used only when nothing is stored, so 0 and off are kept.
PARAMETER_DEFAULTS = {
    "social_crm.weekly_digest": True,
    "social_crm.ticket_reopen_days": 7,
    "social_crm.match_threshold": 0.8,
    "social_crm.response_target_hours": 4.0,
    "social_crm.nlp_batch_size": 32,
    # spike alerts: a window is a spike at ``factor`` spreads above the baseline and at least ``min_count``
    "social_crm.spike_factor": 6.0,
    "social_crm.spike_min_count": 5,
    "social_crm.spike_window_minutes": 60,
}

# Network ids of erased people and posts become keyed hashes starting with this (models/social_crm_privacy.py).
ERASED_PREFIX = "erased:"

# Approval policies of an account and of its company (``social_crm.approval.mixin.needs_approval``).
APPROVAL_POLICIES = [
    ("direct", "Post directly"),
    ("public", "Approval when public"),
    ("always", "Always approval"),
]

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
    ("bale", "Bale"),
    ("tiktok", "TikTok"),
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

# Defaults of the typed system parameters (Settings): used only when nothing is stored, so 0 and off are kept.
# The values each company sets for itself (alerts, reopening, matching, response target, retention) are
# ``res.company.social_crm_*`` fields.
PARAMETER_DEFAULTS = {
    "social_crm.weekly_digest": True,
    "social_crm.nlp_batch_size": 32,
}

# Network ids of erased people and posts become keyed hashes starting with this (models/social_crm_privacy.py).
ERASED_PREFIX = "erased:"

# Approval policies of an account and of its company (``social_crm.approval.mixin.needs_approval``).
APPROVAL_POLICIES = [
    ("direct", "Post directly"),
    ("public", "Approval when public"),
    ("always", "Always approval"),
]

# SLA status of a conversation (``social_crm.sla``).
SLA_STATUSES = [("ok", "On time"), ("warning", "Due soon"), ("breached", "Overdue")]

# Networks of Meta's data-deletion callback (``social_crm.deletion.request``).
META_NETWORKS = ("facebook", "instagram")

# Scope of the signed links to attachments handed to networks that fetch a file themselves (``ir.attachment``).
MEDIA_SCOPE = "social_crm.media"

# Context key: the followers' recipient data the ingestion already read for a batch (``mail.followers``).
PREFETCHED_RECIPIENTS = "social_crm_prefetched_recipients"

# Listen: accounts fetch from the networks (clients in ../connectors)
from . import social_crm_account
from . import social_crm_oauth_app
from . import social_crm_oauth_state
from . import social_crm_account_oauth
from . import social_crm_account_telegram
from . import social_crm_account_threads
from . import social_crm_account_tiktok

# Store and analyze: mentions (NLP in ../nlp)
from . import social_crm_mention

# Relate: identities, contacts, conversations
from . import social_crm_relate
from . import social_crm_identity
from . import social_crm_thread
from . import social_crm_thread_seen
from . import res_partner
from . import res_company

# Outgoing texts: approval (policies, frozen content) and sending once, shared by replies and posts
from . import social_crm_approval
from . import social_crm_outgoing
from . import ir_attachment

# Respond: tickets, rules, replies
from . import social_crm_ticket_router
from . import social_crm_shared_setting
from . import social_crm_rule
from . import social_crm_ticket_rule
from . import social_crm_thread_link
from . import helpdesk_ticket
from . import helpdesk_ticket_stage
from . import helpdesk_ticket_team
from . import mail_followers
from . import mail_message
from . import social_crm_reply
from . import social_crm_reply_desk
from . import social_crm_reply_media
from . import social_crm_canned_reply
from . import mail_activity

# Publish: posts approved like replies, published once per account
from . import social_crm_post
from . import social_crm_post_result

# Settings, keywords, digest
from . import social_crm_params
from . import res_config_settings
from . import social_crm_keyword
from . import social_crm_digest

# Private messages: webhook deliveries (and Telegram/Bale polling), Telegram Business connections, and the
# pictures and files people send
from . import social_crm_event
from . import social_crm_business_connection
from . import social_crm_media

# Personal data: the privacy service (erasure, export), retention, Odoo's Privacy Lookup
from . import social_crm_privacy
from . import social_crm_retention
from . import privacy_lookup_wizard

# Personal data: deletions from the networks (Meta callback, posts deleted by their authors)
from . import social_crm_deletion_request

# Spike alerts (detection in ../analytics/spikes.py, run from the accounts' cron)
from . import social_crm_alert

# Social Managers' own settings (Social CRM > Configuration > Settings)
from . import social_crm_settings

# Satisfaction asked on the channel when a social ticket is closed
from . import social_crm_csat

# Service level targets per team and priority (the inbox's SLA colours, the response report)
from . import social_crm_sla

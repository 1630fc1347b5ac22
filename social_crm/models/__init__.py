# Listen: accounts fetch from the networks (clients in ../connectors)
from . import social_crm_account

# Store and analyze: mentions (NLP in ../nlp)
from . import social_crm_mention

# Relate: identities, contacts, conversations
from . import social_crm_relate
from . import social_crm_identity
from . import social_crm_thread
from . import res_partner

# Respond: tickets, rules, replies
from . import social_crm_ticket_router
from . import social_crm_ticket_rule
from . import helpdesk_ticket
from . import social_crm_reply
from . import social_crm_canned_reply
from . import mail_activity

# Publish: posts approved like replies, published once per account
from . import social_crm_approval
from . import social_crm_post
from . import social_crm_post_result

# Settings, keywords, digest
from . import social_crm_params
from . import res_config_settings
from . import social_crm_keyword
from . import social_crm_digest

# Personal data: erasure, retention, export
from . import social_crm_privacy

# Personal data: data-deletion requests from the networks (Meta callback)
from . import social_crm_deletion_request

# Private messages: webhook deliveries
from . import social_crm_event

# Spike alerts (detection in ../analytics/spikes.py, run from the accounts' cron)
from . import social_crm_alert

# Social Managers' own settings (Social CRM > Configuration > Settings)
from . import res_company
from . import social_crm_settings

# Satisfaction asked on the channel when a social ticket is closed
from . import social_crm_csat

# Service level targets per team and priority (the inbox's SLA colours, the response report)
from . import social_crm_sla

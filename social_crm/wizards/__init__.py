from . import social_crm_reply_reject

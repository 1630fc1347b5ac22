from . import social_crm_account
from . import social_crm_identity
from . import social_crm_mention
from . import social_crm_thread
from . import social_crm_canned_reply
from . import social_crm_reply
from . import res_partner
from . import helpdesk_ticket

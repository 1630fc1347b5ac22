# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import social_crm_lead_rule
from . import social_crm_lead_router
from . import social_crm_ticket_router
from . import social_crm_account
from . import social_crm_post
from . import social_crm_thread
from . import social_crm_mention
from . import social_crm_reply
from . import social_crm_digest
from . import crm_lead
from . import helpdesk_ticket
from . import res_config_settings

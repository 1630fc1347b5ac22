from . import social_crm_view_report
from . import social_crm_response_report
from . import social_crm_voice_report
from . import social_crm_share_report

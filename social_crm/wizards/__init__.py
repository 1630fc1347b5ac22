from . import social_crm_reject
from . import social_crm_reply_reject
from . import social_crm_identity_link
from . import social_crm_mention_correct
from . import social_crm_erase_wizard
from . import social_crm_post_reject
from . import social_crm_digest_preview

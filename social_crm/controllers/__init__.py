from . import data_deletion
from . import webhook
from . import oauth
from . import csat
from . import media

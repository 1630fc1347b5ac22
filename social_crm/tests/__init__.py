from . import test_models
from . import test_security
from . import test_views
from . import test_ingest
from . import test_respond
from . import test_relate
from . import test_reply
from . import test_ui

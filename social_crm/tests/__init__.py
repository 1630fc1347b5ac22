from . import test_models
from . import test_security
from . import test_views
from . import test_ui

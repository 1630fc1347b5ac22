# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_lead_pipeline
from . import test_lead_manual
from . import test_lead_report
from . import test_lead_ui

"""Import the addon's pure packages (``social_crm.nlp``, ``social_crm.connectors``) without Odoo.

The addon's ``social_crm/__init__.py`` imports Odoo models. The pure packages never import
``odoo``, so this registers an empty ``social_crm`` package pointing at the addon folder:
``import social_crm.nlp`` then works without executing the addon's ``__init__``.
Imported by the pytest ``conftest.py``, the scripts and the benchmarks.
"""

import importlib.machinery
import importlib.util
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent
ADDON_DIR = ROOT / "social_crm"


def register():
    """Register the ``social_crm`` namespace (idempotent) and put the repository root on sys.path."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if "social_crm" not in sys.modules:
        spec = importlib.machinery.ModuleSpec("social_crm", None, is_package=True)
        spec.submodule_search_locations = [str(ADDON_DIR)]
        module = importlib.util.module_from_spec(spec)
        module.__path__ = [str(ADDON_DIR)]
        sys.modules["social_crm"] = module


def load_file(name, path):
    """The module of the file ``path`` (relative to the repository root), run as ``name`` without its package.

    For the pure helpers of the addon's tests (loopback servers) and the scripts, which are not packages.
    """
    spec = importlib.util.spec_from_file_location(name, ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def loopback():
    """The loopback HTTP server module of the addon's tests (recorded vendor payloads), without Odoo."""
    return load_file("social_crm_loopback", "social_crm/tests/loopback.py")


register()

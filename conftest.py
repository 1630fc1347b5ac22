"""Repository-level pytest setup for the pure-Python suite.

The addon's ``social_crm/__init__.py`` imports Odoo models. The pure packages
(``social_crm.connectors`` and ``social_crm.nlp``) never import ``odoo``, so we
register an empty ``social_crm`` package pointing at the addon folder: importing
``social_crm.connectors`` then works without executing the addon's ``__init__``.
"""

import importlib.machinery
import importlib.util
import pathlib
import sys

ADDON_DIR = pathlib.Path(__file__).resolve().parent / "social_crm"

if "social_crm" not in sys.modules:
    spec = importlib.machinery.ModuleSpec("social_crm", None, is_package=True)
    spec.submodule_search_locations = [str(ADDON_DIR)]
    module = importlib.util.module_from_spec(spec)
    module.__path__ = [str(ADDON_DIR)]
    sys.modules["social_crm"] = module

collect_ignore = ["social_crm"]

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Default values computed once for a batch of records created together.

``create()`` calls ``default_get()`` again for every record of a batch (0.2-0.4 ms
each for a ticket or a message: ``ir.default``, context defaults, callables,
overrides). Defaults depend on the model, the fields asked for and the
environment, never on the values of the record being created, so a batch
created with ``batch_defaults_context()`` in its context asks once per model and
list of fields, and every record gets its own copy.
"""

import copy

CONTEXT_KEY = "social_crm_batch_defaults"


def batch_defaults_context():
    """The context entry that makes the ``default_get`` overrides below compute once per batch."""
    return {CONTEXT_KEY: {}}


def cached_default_get(model, fields_list, compute):
    """``compute(fields_list)`` (the model's ``super().default_get``), once per batch when the context asks."""
    cache = model.env.context.get(CONTEXT_KEY)
    if cache is None:
        return compute(fields_list)
    context_defaults = tuple(sorted((k, repr(v)) for k, v in model.env.context.items() if k.startswith("default_")))
    key = (model._name, model.env.uid, model.env.su, model.env.company.id, context_defaults, tuple(fields_list))
    if key not in cache:
        cache[key] = compute(fields_list)
    # A copy per record: the ORM may change the dict and its commands, never the scalars in it.
    return {
        name: copy.deepcopy(value) if isinstance(value, list | dict) else value for name, value in cache[key].items()
    }

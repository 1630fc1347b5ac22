# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from types import SimpleNamespace

from social_crm.tools.batch_defaults import batch_defaults_context, cached_default_get


def model(context, name="helpdesk.ticket"):
    env = SimpleNamespace(context=context, uid=2, su=False, company=SimpleNamespace(id=1))
    return SimpleNamespace(_name=name, env=env)


def counting_defaults():
    calls = []

    def compute(fields_list):
        calls.append(tuple(fields_list))
        return {"priority": "1", "tag_ids": [(6, 0, [3])]}

    return compute, calls


def test_without_the_batch_context_every_call_computes():
    compute, calls = counting_defaults()
    for _record in range(3):
        cached_default_get(model({}), ["priority", "tag_ids"], compute)
    assert len(calls) == 3


def test_a_batch_computes_once_per_model_and_fields_and_gives_each_record_its_own_copy():
    compute, calls = counting_defaults()
    context = batch_defaults_context()
    first = cached_default_get(model(context), ["priority", "tag_ids"], compute)
    first["tag_ids"][0][2].append(99)  # the ORM may change what it got
    first["priority"] = "3"
    second = cached_default_get(model(context), ["priority", "tag_ids"], compute)
    assert second == {"priority": "1", "tag_ids": [(6, 0, [3])]}
    assert len(calls) == 1
    cached_default_get(model(context), ["priority"], compute)
    cached_default_get(model(context, "mail.message"), ["priority", "tag_ids"], compute)
    cached_default_get(model({**context, "default_priority": "2"}), ["priority", "tag_ids"], compute)
    assert len(calls) == 4, "other fields, another model, other context defaults: computed again"

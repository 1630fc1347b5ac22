# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""With CRM, buying signals go to sales: social_crm's ticket rule for them rests while the bridge is installed."""

BUYING_TICKET_RULE = "social_crm.ticket_rule_buying"


def post_init_hook(env):
    rule = env.ref(BUYING_TICKET_RULE, raise_if_not_found=False)
    if rule:
        rule.active = False


def uninstall_hook(env):
    rule = env.ref(BUYING_TICKET_RULE, raise_if_not_found=False)
    if rule:
        rule.active = True

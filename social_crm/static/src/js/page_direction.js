/** @odoo-module **/
/* Odoo 18 lays out right-to-left languages with CSS only; say it on the page too (dir="rtl" on <html>),
 * so that browsers, screen readers and text without a direction of its own follow the language. */
import { localization } from "@web/core/l10n/localization";
import { registry } from "@web/core/registry";

registry.category("services").add("social_crm_page_direction", {
    dependencies: ["localization"],
    start() {
        if (localization.direction === "rtl") {
            document.documentElement.setAttribute("dir", "rtl");
        }
    },
});

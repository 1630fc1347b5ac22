/** @odoo-module **/
/* Hours of a report in hours:minutes, or a word when there is nothing to measure yet ("Not answered yet",
 * "Still open"): a blank cell or 00:00 would read as an instant answer. */
import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { formatFloatTime } from "@web/views/fields/formatters";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

const WORDS = {
    unanswered: () => _t("Not answered yet"),
    open: () => _t("Still open"),
    none: () => _t("No data yet"),
};

export class SocialCrmHoursField extends Component {
    static template = "social_crm.HoursField";
    static props = {
        ...standardFieldProps,
        since: { type: String, optional: true },
        empty: { type: String, optional: true },
    };

    get measured() {
        return this.props.since ? Boolean(this.props.record.data[this.props.since]) : true;
    }

    get text() {
        if (!this.measured) {
            return (WORDS[this.props.empty] || WORDS.none)();
        }
        return formatFloatTime(this.props.record.data[this.props.name]);
    }
}

registry.category("fields").add("social_crm_hours", {
    component: SocialCrmHoursField,
    displayName: "Hours, or a word when not measured yet",
    supportedTypes: ["float"],
    extractProps: ({ options }) => ({ since: options.since, empty: options.empty }),
    fieldDependencies: ({ options }) => (options.since ? [{ name: options.since, type: "datetime" }] : []),
});

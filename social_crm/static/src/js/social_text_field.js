/** @odoo-module **/
/* The text of a post in its own direction: Persian right-to-left, English left-to-right, whatever the
 * interface language, so that punctuation stays where the author put it. Odoo drops a dir attribute
 * written on a field in a view, so the widget sets it from the mention's detected language. */
import { Component } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

const RTL_LANGUAGES = new Set(["ar", "fa", "he", "ur", "ps", "yi", "ckb", "dv", "sd", "ug"]);

export function textDirection(lang) {
    const code = String(lang || "").toLowerCase().split(/[-_]/)[0];
    if (!code) {
        return "auto";
    }
    return RTL_LANGUAGES.has(code) ? "rtl" : "ltr";
}

export class SocialTextField extends Component {
    static template = "social_crm.SocialTextField";
    static props = { ...standardFieldProps, langField: { type: String, optional: true } };

    get text() {
        return this.props.record.data[this.props.name] || "";
    }

    get dir() {
        return textDirection(this.props.record.data[this.props.langField || "lang"]);
    }
}

registry.category("fields").add("social_crm_text", {
    component: SocialTextField,
    displayName: "Post text (in its own direction)",
    supportedTypes: ["char", "text"],
    extractProps: ({ options }) => ({ langField: options.lang_field }),
    fieldDependencies: ({ options }) => [{ name: options.lang_field || "lang", type: "char" }],
});

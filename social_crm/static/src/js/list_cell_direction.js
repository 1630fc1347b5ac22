/** @odoo-module **/
/* Mixed-direction lists: a cell of text takes the direction of its own text, so that in a Persian list an
 * English or Thai title starts on the left and is cut at its end on the right, and a Persian title in an
 * English list starts on the right and is cut on the left. Numbers, dates, badges and cells without letters
 * keep the interface's direction.
 *
 * The direction is set explicitly from the first strong letter (what dir="auto" means): Chromium does not
 * always resolve dir="auto" on a table cell whose text is rendered after the attribute. */
import { patch } from "@web/core/utils/patch";
import { ListRenderer } from "@web/views/list/list_renderer";

const TEXT_TYPES = new Set(["char", "text", "many2one"]);
// Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, Arabic presentation forms.
const RTL_LETTER = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u;
const LETTER = /\p{L}/u;

export function firstStrongDirection(text) {
    for (const char of String(text || "")) {
        if (RTL_LETTER.test(char)) {
            return "rtl";
        }
        if (LETTER.test(char)) {
            return "ltr";
        }
    }
    return undefined;
}

patch(ListRenderer.prototype, {
    getCellDirection(column, record) {
        const field = this.fields[column.name];
        if (column.type !== "field" || column.widget || !field || !TEXT_TYPES.has(field.type)) {
            return undefined;
        }
        return firstStrongDirection(this.getFormattedValue(column, record));
    },
});

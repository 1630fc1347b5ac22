/** @odoo-module **/
/* Mixed-direction lists: a cell of text takes the direction of its own text (dir="auto"), so that in a
 * Persian list an English or Thai title starts on the left and is cut at its end on the right, and a Persian
 * title in an English list starts on the right and is cut on the left. Numbers, dates and badges keep the
 * interface's direction. */
import { patch } from "@web/core/utils/patch";
import { ListRenderer } from "@web/views/list/list_renderer";

const TEXT_TYPES = new Set(["char", "text", "many2one"]);

patch(ListRenderer.prototype, {
    getCellDirection(column) {
        const field = this.fields[column.name];
        return column.type === "field" && !column.widget && field && TEXT_TYPES.has(field.type) ? "auto" : undefined;
    },
});

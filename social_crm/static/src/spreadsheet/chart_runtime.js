/** @odoo-module **/
/* The dashboard's charts are Odoo's own, adjusted once drawn: each adjustment wraps the chart types'
 * ``getChartRuntime`` (see chart_labels.js, sentiment_chart_colors.js). */
import * as spreadsheet from "@odoo/o-spreadsheet";

const { chartRegistry } = spreadsheet.registries;

/** Calls ``adjust(runtime, chart, type)`` on every runtime the chart ``types`` compute. */
export function adjustChartRuntime(types, adjust) {
    for (const type of types) {
        const item = chartRegistry.get(type);
        const getChartRuntime = item.getChartRuntime;
        chartRegistry.add(type, {
            ...item,
            getChartRuntime(chart, getters) {
                const runtime = getChartRuntime(chart, getters);
                adjust(runtime, chart, type);
                return runtime;
            },
        });
    }
}

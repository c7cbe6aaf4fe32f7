import { Report } from "./model";
import { Reporter } from "./reporter";

/**
 * The Report as JSON, keys sorted at every level so the bytes do not depend on the order in
 * which the objects were built.
 */
export class JsonReporter implements Reporter {
    render(report: Report): string {
        return `${JSON.stringify(sortKeys(report), null, 2)}\n`;
    }
}

export function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortKeys);
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort()) {
            const item = (value as Record<string, unknown>)[key];
            if (item !== undefined) {
                out[key] = sortKeys(item);
            }
        }
        return out;
    }
    return value;
}

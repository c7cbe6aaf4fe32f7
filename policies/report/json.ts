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

    /**
     * Byte for byte what `render` returns, one top-level key and one finding at a time: the
     * report's size is then bounded by the file, not by the longest string V8 can build, and the
     * sorted copy of the report is never made whole.
     */
    *chunks(report: Report): Iterable<string> {
        const top = report as unknown as Record<string, unknown>;
        const keys = Object.keys(top).filter(key => top[key] !== undefined).sort();
        if (keys.length === 0) {
            yield "{}\n";
            return;
        }
        yield "{";
        for (const [index, key] of keys.entries()) {
            const value = top[key];
            yield `${index > 0 ? "," : ""}\n  ${JSON.stringify(key)}: `;
            if (key === "findings" && Array.isArray(value) && value.length > 0) {
                yield "[";
                let batch = "";
                for (const [i, finding] of value.entries()) {
                    batch += `${i > 0 ? "," : ""}\n    ${indent(JSON.stringify(sortKeys(finding), null, 2), "    ")}`;
                    if (batch.length > 1 << 20) {
                        yield batch;
                        batch = "";
                    }
                }
                yield `${batch}\n  ]`;
            } else {
                yield indent(JSON.stringify(sortKeys(value), null, 2), "  ");
            }
        }
        yield "\n}\n";
    }
}

/** Indents every line after the first (the first follows a key or a list position). */
function indent(text: string, prefix: string): string {
    return text.replace(/\n/g, `\n${prefix}`);
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

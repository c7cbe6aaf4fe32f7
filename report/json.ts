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
     * Byte for byte what `render` returns, one top-level key and a batch of findings at a time:
     * the report's size is then bounded by the file, not by the longest string V8 can build.
     */
    *chunks(report: Report): Iterable<string> {
        const top = report as unknown as Record<string, unknown>;
        const keys = Object.keys(top).filter(key => top[key] !== undefined).sort();
        if (keys.length === 0) {
            yield "{}\n";
            return;
        }
        const sorted = new SortedView();
        yield "{";
        for (const [index, key] of keys.entries()) {
            const value = top[key];
            yield `${index > 0 ? "," : ""}\n  ${JSON.stringify(key)}: `;
            if (key === "findings" && Array.isArray(value) && value.length > 0) {
                yield "[";
                for (let start = 0; start < value.length; start += FINDINGS_PER_CHUNK) {
                    const batch = value.slice(start, start + FINDINGS_PER_CHUNK).map(finding => sorted.of(finding));
                    // Nested under a key, JSON.stringify indents the findings exactly as they sit
                    // in the report; only the wrapper around them is cut off.
                    const text = JSON.stringify({ findings: batch }, null, 2);
                    yield `${start > 0 ? "," : ""}\n    ${text.slice(BATCH_HEAD.length, text.length - BATCH_TAIL.length)}`;
                }
                yield "\n  ]";
            } else {
                yield JSON.stringify(sortKeys(value), null, 2).replace(/\n/g, "\n  ");
            }
        }
        yield "\n}\n";
    }
}

/**
 * Findings per `JSON.stringify` call: ~80 KB of text. Small enough that each piece is a young
 * object freed by the next scavenge (MB-sized pieces go to the large-object space and wait for a
 * full GC: +30 MB peak RSS on a 10k-resource plan), and far below V8's longest string.
 */
const FINDINGS_PER_CHUNK = 64;
const BATCH_HEAD = "{\n  \"findings\": [\n    ";
const BATCH_TAIL = "\n  ]\n}";

/**
 * `sortKeys` without the copies: a value whose keys are already in order (a report finding is
 * built that way) is used as it is, and only objects that need reordering are copied. Entities
 * and provenances are shared by many findings, so each is checked (or copied) once.
 */
export class SortedView {
    // A Map, not a WeakMap: it lives for one report, and ephemeron tables are slow to grow and to GC.
    private readonly shared = new Map<object, unknown>();

    /** A value that `JSON.stringify` writes exactly as it writes `sortKeys(value)`. */
    of(value: unknown): unknown {
        return this.view(value, false);
    }

    private view(value: unknown, shared: boolean): unknown {
        if (typeof value !== "object" || value === null) {
            return value;
        }
        if (shared) {
            const known = this.shared.get(value);
            if (known !== undefined) {
                return known;
            }
        }
        const out = Array.isArray(value) ? this.array(value) : this.object(value as Record<string, unknown>);
        if (shared) {
            this.shared.set(value, out);
        }
        return out;
    }

    private array(items: readonly unknown[]): unknown {
        if (Object.getPrototypeOf(items) !== Array.prototype || Object.prototype.hasOwnProperty.call(items, "toJSON")) {
            return sortKeys(items);
        }
        let copy: unknown[] | undefined;
        for (let i = 0; i < items.length; i++) {
            const item = items[i];
            const view = this.view(item, false);
            if (copy === undefined && view !== item) {
                copy = items.slice(0, i);
            }
            if (copy !== undefined) {
                copy.push(view);
            }
        }
        return copy ?? items;
    }

    private object(object: Record<string, unknown>): unknown {
        const keys = Object.keys(object);
        // Anything but a plain object (a Date, a boxed string: JSON.stringify writes those its own
        // way, sortKeys as plain objects) takes the copy, as do keys out of order.
        const proto = Object.getPrototypeOf(object) as unknown;
        if ((proto !== Object.prototype && proto !== null) || !plainAndSorted(keys)) {
            return sortKeys(object);
        }
        let copy: Record<string, unknown> | undefined;
        for (let i = 0; i < keys.length; i++) {
            const key = keys[i];
            const item = object[key];
            const view = this.view(item, key === "entity" || key === "provenance");
            if (copy === undefined && view !== item) {
                copy = {};
                for (let j = 0; j < i; j++) {
                    copy[keys[j]] = object[keys[j]];
                }
            }
            if (copy !== undefined) {
                copy[key] = view;
            }
        }
        return copy ?? object;
    }
}

/**
 * Keys in the order `Array.prototype.sort` gives (UTF-16 code units), and none that a copy made
 * by assignment treats specially (`__proto__`) or that JSON.stringify calls (`toJSON`).
 */
function plainAndSorted(keys: readonly string[]): boolean {
    for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if ((i > 0 && keys[i - 1] > key) || key === "__proto__" || key === "toJSON") {
            return false;
        }
    }
    return true;
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

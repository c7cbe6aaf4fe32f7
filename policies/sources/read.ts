// Straight from the module: a re-export through `model/index` compiles to a getter, called on every use.
import { isUnknown, Maybe, unknown, Unknown, UNKNOWN } from "../model/values";

/**
 * Typed, total readers over untyped property bags (Pulumi props, Terraform values, SDK output).
 * They never throw: a wrong type becomes an unknown with a reason that names the field and the
 * type found (never the value, which may be a secret), so a malformed resource yields an honest
 * "cannot tell" instead of crashing the pack.
 */
export type Bag = Readonly<Record<string, unknown>>;

/** Decides whether a raw value stands for "unknown" in the source format. */
export type UnknownTest = (value: unknown) => boolean;

export const neverUnknown: UnknownTest = () => false;

export class Reader {
    /** Frozen, so one instance serves every read (readers run per attribute of every resource). */
    private readonly rawUnknown: Unknown;

    constructor(readonly isRawUnknown: UnknownTest, readonly unknownReason: string) {
        this.rawUnknown = unknown(unknownReason);
    }

    /** The raw value at a dotted path; unknown if any step is unknown. */
    raw(bag: unknown, path: string): Maybe<unknown> {
        let current: unknown = bag;
        for (const step of stepsOf(path)) {
            if (isUnknown(current)) {
                return current;
            }
            if (this.isRawUnknown(current)) {
                return this.rawUnknown;
            }
            if (current === undefined || current === null) {
                return undefined;
            }
            if (Array.isArray(current)) {
                // Terraform nests single blocks as one-element lists; Pulumi does not. Accept both.
                current = current.length === 0 ? undefined : current[0];
                if (current === undefined || current === null) {
                    return undefined;
                }
                if (this.isRawUnknown(current)) {
                    return this.rawUnknown;
                }
            }
            if (typeof current !== "object") {
                return malformed(path, "object", current);
            }
            current = (current as Record<string, unknown>)[step];
        }
        if (this.isRawUnknown(current)) {
            return this.rawUnknown;
        }
        return current === null ? undefined : current;
    }

    string(bag: unknown, path: string): Maybe<string | undefined> {
        const value = this.raw(bag, path);
        if (value === undefined || isUnknown(value) || typeof value === "string") {
            return value;
        }
        if (typeof value === "number" || typeof value === "boolean") {
            return String(value);
        }
        return malformed(path, "string", value);
    }

    boolean(bag: unknown, path: string): Maybe<boolean | undefined> {
        const value = this.raw(bag, path);
        if (value === undefined || isUnknown(value) || typeof value === "boolean") {
            return value;
        }
        // Terraform HCL and some SDK paths carry booleans as strings.
        if (value === "true" || value === "false") {
            return value === "true";
        }
        return malformed(path, "boolean", value);
    }

    number(bag: unknown, path: string): Maybe<number | undefined> {
        const value = this.raw(bag, path);
        if (value === undefined || isUnknown(value) || typeof value === "number") {
            return value;
        }
        if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
            return Number(value);
        }
        return malformed(path, "number", value);
    }

    /** A nested object (Terraform single-block lists unwrapped). */
    object(bag: unknown, path: string): Maybe<Bag | undefined> {
        let value = this.raw(bag, path);
        if (Array.isArray(value)) {
            value = value.length === 0 ? undefined : value[0];
            if (this.isRawUnknown(value)) {
                return this.rawUnknown;
            }
        }
        if (value === undefined || value === null || isUnknown(value)) {
            return value ?? undefined;
        }
        if (typeof value === "object") {
            return value as Bag;
        }
        return malformed(path, "object", value);
    }

    array(bag: unknown, path: string): Maybe<readonly unknown[] | undefined> {
        const value = this.raw(bag, path);
        if (value === undefined || isUnknown(value)) {
            return value;
        }
        if (Array.isArray(value)) {
            return value;
        }
        return malformed(path, "list", value);
    }

    stringList(bag: unknown, path: string): Maybe<readonly string[] | undefined> {
        const list = this.array(bag, path);
        if (list === undefined || isUnknown(list)) {
            return list;
        }
        const out: string[] = [];
        for (const item of list) {
            if (this.isRawUnknown(item)) {
                return this.rawUnknown;
            }
            if (typeof item !== "string") {
                return malformed(path, "list of strings", item);
            }
            out.push(item);
        }
        return out;
    }

    /** A string map whose values may individually be unknown (e.g. tags computed at preview). */
    stringMap(bag: unknown, path: string): Maybe<Readonly<Record<string, Maybe<string>>> | undefined> {
        const value = this.object(bag, path);
        if (value === undefined || isUnknown(value)) {
            return value;
        }
        const out: Record<string, Maybe<string>> = {};
        for (const [key, item] of Object.entries(value)) {
            if (this.isRawUnknown(item)) {
                out[key] = this.rawUnknown;
            } else if (isUnknown(item)) {
                // A source may hand over an unknown with its own reason (an export's ciphertext).
                out[key] = item;
            } else if (typeof item === "string") {
                out[key] = item;
            } else if (item !== null && item !== undefined) {
                out[key] = String(item);
            }
        }
        return out;
    }
}

/**
 * The steps of a dotted path. Readers are called with a handful of literal paths millions of
 * times, so each path is split once; the cache is bounded in case a caller builds paths.
 */
const stepCache = new Map<string, readonly string[]>();

function stepsOf(path: string): readonly string[] {
    let steps = stepCache.get(path);
    if (steps === undefined) {
        steps = path.split(".");
        if (stepCache.size < 4096) {
            stepCache.set(path, steps);
        }
    }
    return steps;
}

function typeName(value: unknown): string {
    return Array.isArray(value) ? "list" : value === null ? "null" : typeof value;
}

/** The reason names the path and the type found, never the value. */
export function malformed(path: string, expected: string, found: unknown): Unknown {
    return unknown(`malformed property '${path}': expected ${expected}, found ${typeName(found)}`);
}

export { UNKNOWN };

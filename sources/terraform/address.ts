/**
 * Terraform resource addresses (`module.api["eu"].aws_api_gateway_method.get[0]`) and the
 * references configuration expressions make (`aws_api_gateway_rest_api.api.id`). Parsed into
 * steps so a reference written once in configuration can be matched to the instances that
 * count/for_each expand it into.
 */

export interface TfModuleStep {
    readonly name: string;
    /** Instance key in address syntax (`0`, `"eu"`), when the module call is expanded. */
    readonly key?: string;
}

export interface TfAddress {
    readonly modules: readonly TfModuleStep[];
    readonly mode: "managed" | "data";
    readonly type: string;
    readonly name: string;
    /** Instance key in address syntax (`0`, `"a"`), for count/for_each instances. */
    readonly key?: string;
    /** Attribute steps after the resource (references only), e.g. `["id"]`. */
    readonly attribute: readonly string[];
}

/** Roots of references that do not name a resource. */
const NON_RESOURCE_ROOTS = new Set(["var", "local", "each", "count", "path", "self", "terraform", "module"]);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const DOT = 0x2e;

/**
 * Split on dots outside brackets and quotes: `a["x.y"].b` → `a["x.y"]`, `b`. Scans char codes and
 * slices (every plan record's address is parsed, so building steps char by char showed in profiles).
 */
function splitSteps(text: string): string[] | undefined {
    const steps: string[] = [];
    let start = 0;
    let depth = 0;
    const length = text.length;
    for (let i = 0; i < length; i++) {
        const ch = text.charCodeAt(i);
        if (ch === QUOTE) {
            // Skip to the closing quote; a backslash escapes the next character.
            i++;
            while (i < length) {
                const q = text.charCodeAt(i);
                if (q === BACKSLASH) {
                    i += 2;
                } else if (q === QUOTE) {
                    break;
                } else {
                    i++;
                }
            }
            if (i >= length) {
                return undefined;
            }
        } else if (ch === OPEN) {
            depth++;
        } else if (ch === CLOSE) {
            depth--;
            if (depth < 0) {
                return undefined;
            }
        } else if (ch === DOT && depth === 0) {
            steps.push(text.slice(start, i));
            start = i + 1;
        }
    }
    if (depth !== 0) {
        return undefined;
    }
    steps.push(text.slice(start));
    return steps;
}

function isDigits(text: string): boolean {
    if (text === "") {
        return false;
    }
    for (let i = 0; i < text.length; i++) {
        const ch = text.charCodeAt(i);
        if (ch < 0x30 || ch > 0x39) {
            return false;
        }
    }
    return true;
}

/**
 * A JSON string literal that is already canonical (what `JSON.stringify(JSON.parse(raw))` gives
 * back unchanged): printable ASCII with no escapes inside the quotes. Keys in real plans are.
 */
function isPlainQuoted(raw: string): boolean {
    if (raw.length < 2 || raw.charCodeAt(raw.length - 1) !== QUOTE) {
        return false;
    }
    for (let i = 1; i < raw.length - 1; i++) {
        const ch = raw.charCodeAt(i);
        if (ch < 0x20 || ch > 0x7e || ch === QUOTE || ch === BACKSLASH) {
            return false;
        }
    }
    return true;
}

interface SplitStep {
    readonly name: string;
    readonly key?: string;
}

/** `name[key]` → name and canonical key (numbers as digits, strings JSON-quoted). */
function splitKey(step: string): SplitStep | undefined {
    const open = step.indexOf("[");
    if (open < 0) {
        return step === "" ? undefined : { name: step };
    }
    if (step.charCodeAt(step.length - 1) !== CLOSE || open === 0) {
        return undefined;
    }
    const name = step.slice(0, open);
    const raw = step.slice(open + 1, -1).trim();
    if (isDigits(raw)) {
        return { name, key: String(Number(raw)) };
    }
    if (raw.charCodeAt(0) === QUOTE) {
        if (isPlainQuoted(raw)) {
            return { name, key: raw };
        }
        try {
            const parsed: unknown = JSON.parse(raw);
            return typeof parsed === "string" ? { name, key: JSON.stringify(parsed) } : undefined;
        } catch {
            return undefined;
        }
    }
    // A non-constant index (`aws_x.y[count.index]`) names no particular instance.
    return { name };
}

const RESOURCE_TYPE = /^[A-Za-z][A-Za-z0-9-]*_[A-Za-z0-9_-]+$/;

/** Shared by every address without attribute steps (all resource addresses). */
const NO_ATTRIBUTE: readonly string[] = Object.freeze([]);

/**
 * Parse a resource address or a reference to a resource. Returns undefined for anything that
 * does not name a resource (`var.x`, `local.y`, `module.m.output`, `count.index`).
 */
export function parseAddress(text: string): TfAddress | undefined {
    const steps = splitSteps(text.trim());
    if (!steps) {
        return undefined;
    }
    const modules: TfModuleStep[] = [];
    let i = 0;
    while (i < steps.length && steps[i] === "module") {
        const step = steps[i + 1] !== undefined ? splitKey(steps[i + 1]) : undefined;
        if (!step) {
            return undefined;
        }
        modules.push(step);
        i += 2;
    }
    let mode: "managed" | "data" = "managed";
    if (steps[i] === "data") {
        mode = "data";
        i++;
    }
    const type = steps[i];
    const resource = steps[i + 1] !== undefined ? splitKey(steps[i + 1]) : undefined;
    if (type === undefined || resource === undefined || NON_RESOURCE_ROOTS.has(type) || !RESOURCE_TYPE.test(type)) {
        return undefined;
    }
    const attribute = i + 2 < steps.length ? steps.slice(i + 2) : NO_ATTRIBUTE;
    return resource.key !== undefined
        ? { modules, mode, type, name: resource.name, key: resource.key, attribute }
        : { modules, mode, type, name: resource.name, attribute };
}

/**
 * A resource address parsed once, with the strings records are indexed by. Front ends that
 * compute these anyway hand them on, so the same strings (already hashed) key every map.
 */
export interface IndexedAddress {
    readonly parsed: TfAddress;
    /** `configAddress(parsed)`. */
    readonly configAddress: string;
    /** `moduleInstancePath(parsed)`. */
    readonly instancePath: string;
}

export function indexAddress(parsed: TfAddress): IndexedAddress {
    return { parsed, configAddress: configAddress(parsed), instancePath: moduleInstancePath(parsed) };
}

/** The module instance part of an address: `module.api["eu"]` (empty for the root module). */
export function moduleInstancePath(address: TfAddress): string {
    let out = "";
    for (const step of address.modules) {
        out += out === "" ? "module." : ".module.";
        out += step.key !== undefined ? `${step.name}[${step.key}]` : step.name;
    }
    return out;
}

/** The module part without instance keys: `module.api` — how configuration names the module. */
export function moduleConfigPath(address: TfAddress): string {
    let out = "";
    for (const step of address.modules) {
        out += out === "" ? `module.${step.name}` : `.module.${step.name}`;
    }
    return out;
}

/** The address of the resource block in configuration (no instance keys, no attribute). */
export function configAddress(address: TfAddress): string {
    const modules = moduleConfigPath(address);
    const resource = `${address.mode === "data" ? "data." : ""}${address.type}.${address.name}`;
    return modules === "" ? resource : `${modules}.${resource}`;
}

/** The resource (instance) a reference names, without its attribute: `aws_x.y[0].id` → `aws_x.y[0]`. */
export function resourceAddress(address: TfAddress): string {
    const modules = moduleInstancePath(address);
    const resource = `${address.mode === "data" ? "data." : ""}${address.type}.${address.name}${address.key !== undefined ? `[${address.key}]` : ""}`;
    return modules === "" ? resource : `${modules}.${resource}`;
}

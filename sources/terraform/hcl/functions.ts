import { createHash } from "crypto";
import * as path from "path";
import { TF_UNKNOWN, isTfUnknown, partialJson } from "../types";

/**
 * Terraform's built-in functions, one small entry each, over the evaluator's values: strings,
 * numbers, booleans, null, arrays (lists, tuples, sets), plain objects (maps, objects) and
 * `TF_UNKNOWN`. Each follows the documented behaviour
 * (developer.hashicorp.com/terraform/language/functions/<name>), and the tests hold each to its
 * documented examples.
 *
 * Where Terraform would stop with an error, a function throws `FunctionError`: the evaluator
 * turns that into an error value, which `try()` and `can()` catch and everything else reads as
 * unknown. Where this reader cannot tell (a format verb it does not know), a function returns
 * `TF_UNKNOWN`. `try`, `can` and `templatefile`'s rendering need the evaluator and live there.
 */

export class FunctionError extends Error {}


/** What a file read for `file()` gives: its text, nothing (missing), or a refusal (outside the configuration, too big, not a regular file). */
export type FileRead =
    | { readonly kind: "text"; readonly text: string }
    | { readonly kind: "missing" }
    | { readonly kind: "refused"; readonly reason: string };

/** What functions may ask of the configuration they are evaluated in. */
export interface FunctionContext {
    readFile(file: string): FileRead;
    /** A template's text rendered with `vars` (templatefile). */
    renderTemplate(text: string, vars: Readonly<Record<string, unknown>>): unknown;
}

export interface TfFunction {
    readonly call: (args: readonly unknown[], context: FunctionContext) => unknown;
    /**
     * Called with arguments that hold unknowns inside (`length([a, unknown])` is 2); the others are
     * only called with wholly known arguments and are unknown otherwise.
     */
    readonly partial?: boolean;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !isTfUnknown(value);
}

/** True when a value holds no unknown anywhere inside it. */
export function isWhollyKnown(value: unknown): boolean {
    if (isTfUnknown(value)) {
        return false;
    }
    if (Array.isArray(value)) {
        return value.every(isWhollyKnown);
    }
    if (isPlainObject(value)) {
        return Object.values(value).every(isWhollyKnown);
    }
    return true;
}

function str(value: unknown): string {
    if (typeof value === "string") {
        return value;
    }
    if (typeof value === "number" || typeof value === "boolean") {
        // Terraform converts primitives to strings wherever a string is expected.
        return String(value);
    }
    throw new FunctionError("a string is required");
}

function num(value: unknown): number {
    if (typeof value === "number") {
        return value;
    }
    if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) {
        return Number(value);
    }
    throw new FunctionError("a number is required");
}

function int(value: unknown): number {
    const n = num(value);
    if (!Number.isInteger(n)) {
        throw new FunctionError("a whole number is required");
    }
    return n;
}

function list(value: unknown): readonly unknown[] {
    if (Array.isArray(value)) {
        return value;
    }
    throw new FunctionError("a list is required");
}

function map(value: unknown): Readonly<Record<string, unknown>> {
    if (isPlainObject(value)) {
        return value;
    }
    throw new FunctionError("a map or object is required");
}

/** Map keys in the order Terraform walks them: lexical by bytes, not by locale. */
export function lexical(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

export function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortKeys);
    }
    if (isPlainObject(value)) {
        return Object.fromEntries(Object.keys(value).sort(lexical).map(key => [key, sortKeys(value[key])]));
    }
    return value;
}

/** Structural equality of known values. */
export function sameValue(a: unknown, b: unknown): boolean {
    return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function distinct(items: readonly unknown[]): unknown[] {
    const seen = new Set<string>();
    const out: unknown[] = [];
    for (const item of items) {
        const key = JSON.stringify(sortKeys(item));
        if (!seen.has(key)) {
            seen.add(key);
            out.push(item);
        }
    }
    return out;
}

/** A set as Terraform orders one: strings lexically, numbers by value, anything else as given. */
export function toSet(items: readonly unknown[]): unknown[] {
    const unique = distinct(items);
    if (unique.every(item => typeof item === "string")) {
        return (unique as string[]).sort(lexical);
    }
    if (unique.every(item => typeof item === "number")) {
        return (unique as number[]).sort((a, b) => a - b);
    }
    return unique;
}

function flattenList(items: readonly unknown[], depth: number): unknown[] {
    if (depth > 64) {
        throw new FunctionError("nested too deeply");
    }
    return items.flatMap(item => (Array.isArray(item) ? flattenList(item, depth + 1) : [item]));
}

/** Go's %v of a value: what Terraform's format() prints for it. */
function formatValue(value: unknown): string {
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(sortKeys(value));
}

/** Terraform's format(): `%s %d %v %q %t %f %%`, with width and precision; another verb makes the result unknown. */
function format(spec: string, args: readonly unknown[]): unknown {
    let next = 0;
    let unsupported = false;
    const out = spec.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (whole, flags: string, width: string | undefined, precision: string | undefined, verb: string) => {
        if (verb === "%") {
            return "%";
        }
        if (next >= args.length) {
            throw new FunctionError("not enough arguments for the format");
        }
        const value = args[next++];
        let text: string;
        switch (verb) {
            case "s": text = str(value); break;
            case "v": text = flags.includes("#") ? JSON.stringify(sortKeys(value)) : formatValue(value); break;
            case "q": text = JSON.stringify(str(value)); break;
            case "d": text = String(int(value)); break;
            case "t":
                if (typeof value !== "boolean") {
                    throw new FunctionError("%t needs a bool");
                }
                text = String(value);
                break;
            case "f": text = num(value).toFixed(precision !== undefined ? Number(precision) : 6); break;
            default:
                unsupported = true;
                return whole;
        }
        if (verb === "d" || verb === "f") {
            if (flags.includes("+") && !text.startsWith("-")) {
                text = `+${text}`;
            }
        }
        if (width !== undefined && Number(width) > 10_000) {
            unsupported = true;
            return whole;
        }
        if (width !== undefined && text.length < Number(width)) {
            const pad = (flags.includes("0") && !flags.includes("-") ? "0" : " ").repeat(Number(width) - text.length);
            text = flags.includes("-") ? text + pad : pad === "" ? text : pad[0] === "0" && text.startsWith("-") ? `-${pad}${text.slice(1)}` : pad + text;
        }
        return text;
    });
    return unsupported ? TF_UNKNOWN : out;
}

/** `/…/` is a regular expression in replace(); Go's `${1}` group reference is JavaScript's `$1`. */
function replace(value: string, search: string, replacement: string): string {
    if (search.length >= 2 && search.startsWith("/") && search.endsWith("/")) {
        let pattern: RegExp;
        try {
            pattern = new RegExp(search.slice(1, -1), "gu");
        } catch {
            throw new FunctionError("invalid regular expression");
        }
        return value.replace(pattern, replacement.replace(/\$\{(\d+)\}/g, "$$$1"));
    }
    return search === "" ? value : value.split(search).join(replacement);
}

type YamlLib = { stringify(value: unknown, options?: Record<string, unknown>): string; parse(text: string): unknown };

/** Loaded on first use: most configurations never call a YAML function. */
function yaml(): YamlLib {
    return require("yaml") as YamlLib;
}

function readText(file: unknown, context: FunctionContext): unknown {
    const read = context.readFile(str(file));
    if (read.kind === "missing") {
        throw new FunctionError("no file exists at the given path");
    }
    return read.kind === "text" ? read.text : TF_UNKNOWN;
}

/** Known only when Terraform applies the configuration: unknown here, and not a gap of this reader. */
export const APPLY_TIME_FUNCTIONS: ReadonlySet<string> = new Set(["timestamp", "plantimestamp", "uuid", "bcrypt"]);

const DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** parseint(): bases 2 to 62, digits 0-9, then a-z, then A-Z (case matters only above base 36). */
function parseInteger(text: string, base: number): number {
    if (!Number.isInteger(base) || base < 2 || base > 62) {
        throw new FunctionError("base must be a whole number between 2 and 62");
    }
    const negative = text.startsWith("-");
    const digits = negative || text.startsWith("+") ? text.slice(1) : text;
    if (digits === "") {
        throw new FunctionError("cannot parse an empty number");
    }
    let value = 0;
    for (const char of digits) {
        let digit = DIGITS.indexOf(char);
        if (base <= 36 && digit >= 36) {
            digit -= 26;
        }
        if (digit < 0 || digit >= base) {
            throw new FunctionError("not a number in that base");
        }
        value = value * base + digit;
    }
    return negative ? -value : value;
}

const stringFunction = (transform: (text: string) => string): TfFunction => ({ call: ([value]) => transform(str(value)) });

export const FUNCTIONS: Readonly<Record<string, TfFunction>> = {
    length: {
        partial: true,
        call: ([value]) => {
            if (typeof value === "string") {
                // Terraform counts user-perceived characters (grapheme clusters).
                return [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(value)].length;
            }
            if (Array.isArray(value)) {
                return value.length;
            }
            return Object.keys(map(value)).length;
        },
    },
    concat: { partial: true, call: args => args.flatMap(item => [...list(item)]) },
    merge: {
        partial: true,
        call: args => {
            const out: Record<string, unknown> = {};
            for (const arg of args) {
                if (arg !== null) {
                    Object.assign(out, map(arg));
                }
            }
            return out;
        },
    },
    lookup: {
        partial: true,
        call: ([collection, key, ...fallback]) => {
            const m = map(collection);
            const k = str(key);
            if (Object.prototype.hasOwnProperty.call(m, k)) {
                return m[k];
            }
            if (fallback.length > 0) {
                return fallback[0];
            }
            throw new FunctionError("the key is not in the map and there is no default");
        },
    },
    keys: { partial: true, call: ([value]) => Object.keys(map(value)).sort(lexical) },
    values: { partial: true, call: ([value]) => Object.keys(map(value)).sort(lexical).map(key => map(value)[key]) },
    element: {
        partial: true,
        call: ([collection, index]) => {
            const items = list(collection);
            const i = int(index);
            if (items.length === 0 || i < 0) {
                throw new FunctionError("cannot use element on an empty list or with a negative index");
            }
            return items[i % items.length];
        },
    },
    contains: { call: ([collection, value]) => list(collection).some(item => sameValue(item, value)) },
    flatten: { call: ([value]) => flattenList(list(value), 0) },
    distinct: { call: ([value]) => distinct(list(value)) },
    compact: { call: ([value]) => list(value).filter(item => item !== null && item !== "").map(str) },
    coalesce: {
        call: args => {
            const found = args.find(item => item !== null && item !== "");
            if (found === undefined) {
                throw new FunctionError("no non-null, non-empty-string arguments");
            }
            return found;
        },
    },
    coalescelist: {
        call: args => {
            const found = args.find(item => list(item).length > 0);
            if (found === undefined) {
                throw new FunctionError("no non-empty list arguments");
            }
            return found;
        },
    },
    slice: {
        partial: true,
        call: ([collection, start, end]) => {
            const items = list(collection);
            const from = int(start);
            const to = int(end);
            if (from < 0 || to > items.length || from > to) {
                throw new FunctionError("slice indices out of range");
            }
            return items.slice(from, to);
        },
    },
    one: {
        partial: true,
        call: ([value]) => {
            const items = list(value);
            if (items.length > 1) {
                throw new FunctionError("more than one element");
            }
            return items.length === 0 ? null : items[0];
        },
    },
    zipmap: {
        partial: true,
        call: ([keyList, valueList]) => {
            const ks = list(keyList);
            const vs = list(valueList);
            if (ks.length !== vs.length) {
                throw new FunctionError("the lists must have the same length");
            }
            return Object.fromEntries(ks.map((key, i) => [str(key), vs[i]]));
        },
    },
    max: { call: args => Math.max(...args.map(num)) },
    min: { call: args => Math.min(...args.map(num)) },
    lower: stringFunction(text => text.toLowerCase()),
    upper: stringFunction(text => text.toUpperCase()),
    trimspace: stringFunction(text => text.replace(/^\s+|\s+$/gu, "")),
    trimprefix: { call: ([value, prefix]) => (str(value).startsWith(str(prefix)) ? str(value).slice(str(prefix).length) : str(value)) },
    trimsuffix: { call: ([value, suffix]) => (str(suffix) !== "" && str(value).endsWith(str(suffix)) ? str(value).slice(0, -str(suffix).length) : str(value)) },
    startswith: { call: ([value, prefix]) => str(value).startsWith(str(prefix)) },
    endswith: { call: ([value, suffix]) => str(value).endsWith(str(suffix)) },
    replace: { call: ([value, search, replacement]) => replace(str(value), str(search), str(replacement)) },
    split: { call: ([separator, value]) => str(value).split(str(separator)) },
    join: {
        call: ([separator, ...lists]) => {
            if (lists.length === 0) {
                throw new FunctionError("at least one list is required");
            }
            return lists.flatMap(item => list(item).map(str)).join(str(separator));
        },
    },
    format: { call: ([spec, ...args]) => format(str(spec), args) },
    tostring: {
        call: ([value]) => {
            if (value === null) {
                return null;
            }
            if (typeof value === "object") {
                throw new FunctionError("cannot convert a collection to a string");
            }
            return str(value);
        },
    },
    tonumber: { call: ([value]) => (value === null ? null : num(value)) },
    tobool: {
        call: ([value]) => {
            if (value === null || typeof value === "boolean") {
                return value;
            }
            if (value === "true" || value === "false") {
                return value === "true";
            }
            throw new FunctionError("cannot convert to bool");
        },
    },
    tolist: { partial: true, call: ([value]) => (value === null ? null : [...list(value)]) },
    toset: { call: ([value]) => (value === null ? null : toSet(list(value))) },
    tomap: { partial: true, call: ([value]) => (value === null ? null : { ...map(value) }) },
    // Terraform writes object attributes in lexical order; an OpenAPI `body` is often built this way.
    // With unknown parts inside, the text is unknown but the structure is kept (see PartialJson).
    jsonencode: { partial: true, call: ([value]) => (isWhollyKnown(value) ? JSON.stringify(sortKeys(value)) : partialJson(value)) },
    jsondecode: {
        call: ([text]) => {
            try {
                return JSON.parse(str(text)) as unknown;
            } catch {
                throw new FunctionError("invalid JSON");
            }
        },
    },
    yamlencode: { call: ([value]) => yaml().stringify(sortKeys(value), { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "QUOTE_DOUBLE", aliasDuplicateObjects: false, indentSeq: false }) },
    yamldecode: {
        call: ([text]) => {
            try {
                return yaml().parse(str(text));
            } catch {
                throw new FunctionError("invalid YAML");
            }
        },
    },
    parseint: { call: ([text, base]) => parseInteger(str(text), int(base)) },
    basename: { call: ([value]) => path.posix.basename(str(value)) },
    dirname: { call: ([value]) => path.posix.dirname(str(value)) },
    setproduct: {
        call: sets => {
            let product: unknown[][] = [[]];
            for (const set of sets) {
                product = product.flatMap(prefix => list(set).map(item => [...prefix, item]));
                if (product.length > 100_000) {
                    return TF_UNKNOWN;
                }
            }
            return sets.length === 0 ? [] : product;
        },
    },
    range: {
        call: args => {
            const [start, limit, step] = args.length === 1 ? [0, num(args[0]), 1] : [num(args[0]), num(args[1]), args.length > 2 ? num(args[2]) : num(args[1]) >= num(args[0]) ? 1 : -1];
            if (step === 0 || (step > 0 && limit < start) || (step < 0 && limit > start)) {
                throw new FunctionError("the step does not lead from start to limit");
            }
            const out: number[] = [];
            for (let n = start; step > 0 ? n < limit : n > limit; n += step) {
                if (out.length >= 1024) {
                    throw new FunctionError("more than 1024 numbers");
                }
                out.push(n);
            }
            return out;
        },
    },
    alltrue: { call: ([value]) => list(value).every(item => item === true || item === "true") },
    anytrue: { call: ([value]) => list(value).some(item => item === true || item === "true") },
    sort: { call: ([value]) => list(value).map(str).sort(lexical) },
    reverse: { partial: true, call: ([value]) => [...list(value)].reverse() },
    index: {
        call: ([collection, value]) => {
            const at = list(collection).findIndex(item => sameValue(item, value));
            if (at < 0) {
                throw new FunctionError("the item is not in the list");
            }
            return at;
        },
    },
    substr: {
        call: ([value, offset, length]) => {
            const chars = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(str(value))].map(part => part.segment);
            let from = int(offset);
            if (from < 0) {
                from = Math.max(0, chars.length + from);
            }
            const n = int(length);
            return chars.slice(from, n < 0 ? chars.length : from + n).join("");
        },
    },
    title: stringFunction(text => text.replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_whole, before: string, letter: string) => before + letter.toUpperCase())),
    // Go's url.QueryEscape: everything but letters, digits and -_.~ is escaped, a space is +.
    urlencode: stringFunction(text => encodeURIComponent(text).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, "+")),
    abs: { call: ([value]) => Math.abs(num(value)) },
    ceil: { call: ([value]) => Math.ceil(num(value)) },
    floor: { call: ([value]) => Math.floor(num(value)) },
    // Deployment triggers hash the configuration they watch (`sha1(jsonencode([...]))`).
    sha1: { call: ([value]) => createHash("sha1").update(str(value), "utf8").digest("hex") },
    sha256: { call: ([value]) => createHash("sha256").update(str(value), "utf8").digest("hex") },
    md5: { call: ([value]) => createHash("md5").update(str(value), "utf8").digest("hex") },
    base64encode: { call: ([value]) => Buffer.from(str(value), "utf8").toString("base64") },
    base64decode: {
        call: ([value]) => {
            const text = str(value);
            if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
                throw new FunctionError("invalid base64");
            }
            return Buffer.from(text, "base64").toString("utf8");
        },
    },
    // A value passes through; the evaluator records that it came through sensitive().
    nonsensitive: { partial: true, call: ([value]) => value },
    file: { call: ([file], context) => readText(file, context) },
    fileexists: {
        call: ([file], context) => {
            const read = context.readFile(str(file));
            return read.kind === "missing" ? false : read.kind === "text" ? true : TF_UNKNOWN;
        },
    },
    templatefile: {
        call: ([file, vars], context) => {
            const text = readText(file, context);
            return typeof text === "string" ? context.renderTemplate(text, map(vars)) : TF_UNKNOWN;
        },
    },
};

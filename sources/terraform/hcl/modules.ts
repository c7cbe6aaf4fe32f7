import { promises as fs } from "fs";
import * as path from "path";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { TF_UNKNOWN } from "../types";
import { BlockDecl } from "./declarations";
import { describeSource, HclNotice, ioReason } from "./errors";
import { Expr, isPlainObject, Step } from "./expressions";

/**
 * Module calls and instance expansion: where a module call's source is read from (local
 * directories only), and how many instances `count` / `for_each` make of a resource or a
 * module call, with the keys (`count.index`, `each.key`, `each.value`) each instance sees.
 */

/** What `count.index`, `each.*` and `dynamic` iterators are in one instance. */
export interface Keys {
    /** `count.index`; TF_UNKNOWN when the count is unknown. */
    readonly count?: unknown;
    readonly eachKey?: unknown;
    readonly eachValue?: unknown;
    /** `dynamic` block iterators in scope. */
    readonly iterators?: ReadonlyMap<string, { readonly key: unknown; readonly value: unknown }>;
}

export const NO_KEYS: Keys = {};

/** The instances of a `count` / `for_each` resource or module call. */
export type Expansion =
    | { readonly kind: "single" }
    | { readonly kind: "unknown"; readonly keys: Keys }
    | { readonly kind: "instances"; readonly instances: ReadonlyArray<{ readonly suffix: string; readonly index: number | string; readonly keys: Keys }> };

/** Stands in while an expansion is computed: a count that reads its own resource is a cycle Terraform rejects; here it is unknown. */
export const EXPANDING: Expansion = { kind: "unknown", keys: { count: TF_UNKNOWN, eachKey: TF_UNKNOWN, eachValue: TF_UNKNOWN } };

/** The instances of one module call; `expansion` is undefined when the module's source was not read. */
export interface ModuleInstances<Instance> {
    readonly expansion?: Expansion;
    readonly instances: ReadonlyMap<string | number, Instance>;
}

const MAX_MODULE_DEPTH = 32;

/** The instances `count` / `for_each` in `body` create; `evaluate` gives a raw argument's value in the declaring module. */
export function expansionFrom(body: Readonly<Record<string, unknown>>, evaluate: (raw: unknown) => unknown): Expansion {
    if (body.count !== undefined) {
        const count = evaluate(body.count);
        const n = typeof count === "number" ? count : typeof count === "string" && /^[0-9]+$/.test(count) ? Number(count) : undefined;
        return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 10_000
            ? { kind: "instances", instances: Array.from({ length: n }, (_, index) => ({ suffix: `[${index}]`, index, keys: { count: index } })) }
            : { kind: "unknown", keys: { count: TF_UNKNOWN } };
    }
    if (body.for_each !== undefined) {
        const collection = evaluate(body.for_each);
        let entries: Array<[string, unknown]> | undefined;
        if (isPlainObject(collection)) {
            entries = Object.entries(collection);
        } else if (Array.isArray(collection) && collection.every(item => typeof item === "string")) {
            // A set of strings (toset([...])): each.key and each.value are the string.
            entries = (collection as string[]).map(item => [item, item]);
        }
        return entries
            ? { kind: "instances", instances: entries.map(([k, v]) => ({ suffix: `[${JSON.stringify(k)}]`, index: k, keys: { eachKey: k, eachValue: v } })) }
            : { kind: "unknown", keys: { eachKey: TF_UNKNOWN, eachValue: TF_UNKNOWN } };
    }
    return { kind: "single" };
}

/** Which instance of a `count` / `for_each` module call steps select: an index step first, when expanded. */
export function pickInstance<Instance>(
    children: ModuleInstances<Instance>,
    steps: readonly Step[],
    evaluateKey: (expr: Expr) => unknown,
): { instance: Instance; rest: readonly Step[] } | undefined {
    const { expansion, instances } = children;
    if (!expansion || expansion.kind === "unknown") {
        return undefined;
    }
    if (expansion.kind === "single") {
        const only = instances.get("");
        return only ? { instance: only, rest: steps } : undefined;
    }
    const [indexStep, ...rest] = steps;
    if (indexStep?.kind !== "index") {
        return undefined;
    }
    const key = evaluateKey(indexStep.key);
    const instance = typeof key === "number" || typeof key === "string" ? instances.get(key) : undefined;
    return instance ? { instance, rest } : undefined;
}

/**
 * The directory a module call reads its resources from (as shown, relative to `displayDir`), or
 * why it is not read: a remote source (a notice: not fetched by design), no literal source, a
 * call that includes itself (`stack` holds the resolved directories of the calls above), or a
 * source that is not a readable directory.
 */
export async function localSourceOf(callName: string, call: BlockDecl, displayDir: string, stack: readonly string[]): Promise<string | SourceError> {
    const source = call.body.source;
    if (typeof source !== "string") {
        return new SourceError(`module "${callName}" has no literal source; its resources are not read`, call.file, call.line);
    }
    if (!source.startsWith("./") && !source.startsWith("../")) {
        return new HclNotice(`module "${callName}" uses a remote source (${describeSource(source)}), which is not fetched; its resources are not checked`, call.file, call.line);
    }
    const childDir = path.join(displayDir, source);
    if (stack.length > MAX_MODULE_DEPTH || stack.includes(path.resolve(childDir))) {
        return new SourceError(`module "${callName}" includes itself (${source}); not read again`, call.file, call.line);
    }
    try {
        if (!(await fs.stat(childDir)).isDirectory()) {
            throw new Error("not a directory");
        }
    } catch (error) {
        return new SourceError(`module "${callName}": source ${source} cannot be read (${ioReason(error)}); its resources are not checked`, call.file, call.line);
    }
    return childDir;
}

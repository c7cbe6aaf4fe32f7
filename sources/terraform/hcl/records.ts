import { TfResourceRecord } from "../types";
import { META_ARGUMENTS, ResourceDecl } from "./declarations";
import { isPlainObject, isWhollyKnown } from "./expressions";
import { ModuleInstance, Trace } from "./instance";
import { Keys, NO_KEYS } from "./modules";
import { referencesOf } from "./references";

/**
 * Records: one `TfResourceRecord` per resource instance of a module instance and, recursively,
 * of its child module instances, in the shape the plan and state front ends give the shared
 * mapping: values, sensitive paths, references, and how each path is configured.
 */

/** Attributes that always hold a secret, whatever the configuration says (see DESIGN: usage plan key values). */
const ALWAYS_SENSITIVE: Readonly<Record<string, readonly string[]>> = {
    aws_api_gateway_api_key: ["value"],
    aws_api_gateway_usage_plan_key: ["value"],
};

/** Records of every resource instance in `scope` and the module instances below it, in declaration order. */
export function collectRecords(scope: ModuleInstance, records: TfResourceRecord[]): void {
    for (const decl of scope.config.resources.values()) {
        const base = `${scope.prefix}${decl.type}.${decl.name}`;
        const expansion = scope.expansionOf(`resource\u0000${decl.type}.${decl.name}`, decl.body, decl, base);
        if (expansion.kind === "single") {
            records.push(record(scope, decl, base, NO_KEYS));
        } else if (expansion.kind === "unknown") {
            records.push(record(scope, decl, base, expansion.keys));
        } else {
            for (const instance of expansion.instances) {
                records.push(record(scope, decl, `${base}${instance.suffix}`, instance.keys));
            }
        }
    }
    for (const callName of scope.config.moduleCalls.keys()) {
        for (const child of scope.children(callName).instances.values()) {
            collectRecords(child, records);
        }
    }
}

function record(scope: ModuleInstance, decl: ResourceDecl, address: string, keys: Keys): TfResourceRecord {
    const values: Record<string, unknown> = {};
    const sensitivePaths = new Set<string>(ALWAYS_SENSITIVE[decl.type] ?? []);
    const references: Record<string, string[]> = {};
    const configured: Record<string, "constant" | "expression" | "block"> = {};
    for (const [attribute, raw] of Object.entries(decl.body)) {
        if (attribute === "depends_on") {
            const refs = referencesOf(scope, raw, keys);
            if (refs.size > 0) {
                references.depends_on = [...refs];
            }
            continue;
        }
        if (META_ARGUMENTS.has(attribute)) {
            continue;
        }
        if (attribute === "dynamic") {
            const trace: Trace = { sensitive: false };
            scope.expandDynamic(raw, keys, trace, values);
            if (isPlainObject(raw)) {
                for (const [blockName, spec] of Object.entries(raw)) {
                    addReferences(references, blockName, referencesOf(scope, { dynamic: { [blockName]: spec } }, keys));
                    classifyDynamic(blockName, spec, configured);
                    if (trace.sensitive) {
                        sensitivePaths.add(blockName);
                    }
                }
            }
            continue;
        }
        const trace: Trace = { sensitive: false };
        const value = scope.evaluateRaw(raw, keys, trace);
        values[attribute] = Array.isArray(values[attribute]) && Array.isArray(value) ? [...(values[attribute] as unknown[]), ...value] : value;
        if (trace.sensitive) {
            sensitivePaths.add(attribute);
        }
        addReferences(references, attribute, referencesOf(scope, raw, keys));
        classify(scope, decl, attribute, raw, keys, configured);
        // Nested block attributes too (`access_log_settings.destination_arn`), as plan `configuration` gives them.
        for (const block of Array.isArray(raw) ? raw : []) {
            if (isPlainObject(block)) {
                for (const [inner, innerRaw] of Object.entries(block)) {
                    addReferences(references, `${attribute}.${inner}`, referencesOf(scope, innerRaw, keys));
                }
            }
        }
    }
    return {
        address,
        type: decl.type,
        name: decl.name,
        mode: "managed",
        modulePath: scope.modulePath,
        values,
        sensitivePaths,
        references,
        file: decl.file,
        ...(decl.line !== undefined ? { line: decl.line } : {}),
        attributeLines: decl.attributeLines,
        configured,
    };
}

/**
 * How the configuration sets a path (see `TfResourceRecord.configured`): a value fully known
 * from the files alone, reading no resource, is `constant` (written in code, directly or
 * through a variable default or a local); anything else is an `expression`. Nested blocks
 * are `block`, and their attributes are classified one by one.
 */
function classify(scope: ModuleInstance, decl: ResourceDecl, path: string, raw: unknown, keys: Keys, into: Record<string, "constant" | "expression" | "block">): void {
    const isBlock = decl.blockPaths
        ? decl.blockPaths.has(path)
        : Array.isArray(raw) && raw.length > 0 && raw.every(item => isPlainObject(item));
    if (!isBlock) {
        if (into[path] !== "expression") {
            const value = scope.evaluateRaw(raw, keys, { sensitive: false });
            into[path] = isWhollyKnown(value) && referencesOf(scope, raw, keys).size === 0 ? "constant" : "expression";
        }
        return;
    }
    into[path] = "block";
    for (const block of Array.isArray(raw) ? raw : [raw]) {
        if (!isPlainObject(block)) {
            continue;
        }
        for (const [inner, innerRaw] of Object.entries(block)) {
            if (inner === "dynamic") {
                if (isPlainObject(innerRaw)) {
                    for (const [blockName, spec] of Object.entries(innerRaw)) {
                        classifyDynamic(`${path}.${blockName}`, spec, into);
                    }
                }
            } else {
                classify(scope, decl, `${path}.${inner}`, innerRaw, keys, into);
            }
        }
    }
}

/** A `dynamic` block: the block exists, and everything in it depends on its iterator. */
function classifyDynamic(path: string, spec: unknown, into: Record<string, "constant" | "expression" | "block">): void {
    into[path] = "block";
    for (const item of Array.isArray(spec) ? spec : [spec]) {
        const content = isPlainObject(item) ? item.content : undefined;
        for (const body of Array.isArray(content) ? content : [content]) {
            if (isPlainObject(body)) {
                for (const inner of Object.keys(body)) {
                    into[`${path}.${inner}`] = "expression";
                }
            }
        }
    }
}

function addReferences(into: Record<string, string[]>, attribute: string, refs: ReadonlySet<string>): void {
    if (refs.size === 0) {
        return;
    }
    const list = into[attribute] ?? (into[attribute] = []);
    for (const ref of refs) {
        if (!list.includes(ref)) {
            list.push(ref);
        }
    }
}


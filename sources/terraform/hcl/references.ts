import { evaluate, Expr, isPlainObject, Step, TraversalExpr, traversalsOf } from "./expressions";
import { ModuleInstance, parseRaw } from "./instance";
import { Keys, NO_KEYS, pickInstance } from "./modules";

/**
 * References: the addresses of the resources a value reads, followed through variables, locals
 * and module outputs. They are recorded even when the value itself is unknown (an `id` the
 * provider computes), so the mapping can still link the resources.
 */

/** Root names that are not resources. Anything else of the form `<provider>_<type>.<name>` is a resource. */
const RESOURCE_TYPE = /^[a-z][a-z0-9]*_[a-z0-9_]+$/;

/** Per instance: the references of its variables, locals and outputs, and which are being computed (a cycle reads as none). */
const memos = new WeakMap<ModuleInstance, { readonly refs: Map<string, ReadonlySet<string>>; readonly visiting: Set<string> }>();

/** Addresses of the resources a raw value reads, through variables, locals and module outputs. */
export function referencesOf(scope: ModuleInstance, raw: unknown, keys: Keys, bound: ReadonlySet<string> = new Set()): ReadonlySet<string> {
    const out = new Set<string>();
    const visit = (value: unknown, names: ReadonlySet<string>): void => {
        if (typeof value === "string") {
            for (const traversal of traversalsOf(parseRaw(value), names)) {
                addressesOf(scope, traversal, keys, out);
            }
        } else if (Array.isArray(value)) {
            value.forEach(item => visit(item, names));
        } else if (isPlainObject(value)) {
            for (const [key, inner] of Object.entries(value)) {
                if (key === "dynamic" && isPlainObject(inner)) {
                    for (const [blockName, specs] of Object.entries(inner)) {
                        for (const spec of Array.isArray(specs) ? specs : [specs]) {
                            if (isPlainObject(spec)) {
                                visit(spec.for_each, names);
                                const iterator = typeof spec.iterator === "string" ? spec.iterator.replace(/^\$\{(.*)\}$/, "$1").trim() : blockName;
                                visit(spec.content, new Set([...names, iterator]));
                            }
                        }
                    }
                } else {
                    visit(inner, names);
                }
            }
        }
    };
    visit(raw, bound);
    return out;
}

/** Memoised per instance and name; a reference cycle (a Terraform error) contributes nothing. */
function memoRefs(scope: ModuleInstance, key: string, compute: () => ReadonlySet<string>): ReadonlySet<string> {
    let memo = memos.get(scope);
    if (!memo) {
        memo = { refs: new Map(), visiting: new Set() };
        memos.set(scope, memo);
    }
    const known = memo.refs.get(key);
    if (known) {
        return known;
    }
    if (memo.visiting.has(key)) {
        return new Set();
    }
    memo.visiting.add(key);
    try {
        const refs = compute();
        memo.refs.set(key, refs);
        return refs;
    } finally {
        memo.visiting.delete(key);
    }
}

/** Add the addresses one traversal reads (a resource or data source directly, or through a variable, local or module output). */
function addressesOf(scope: ModuleInstance, traversal: TraversalExpr, keys: Keys, out: Set<string>): void {
    const [first, second, third] = traversal.steps;
    if (first?.kind !== "attr") {
        return;
    }
    const add = (refs: Iterable<string>) => {
        for (const ref of refs) {
            out.add(ref);
        }
    };
    switch (traversal.root) {
        case "var":
            if (scope.call && Object.prototype.hasOwnProperty.call(scope.call.decl.body, first.name)) {
                const { parent, decl, keys: callKeys } = scope.call;
                add(memoRefs(scope, `var\u0000${first.name}`, () => referencesOf(parent, decl.body[first.name], callKeys)));
            }
            return;
        case "local":
            add(memoRefs(scope, `local\u0000${first.name}`, () => referencesOf(scope, scope.config.locals.get(first.name), NO_KEYS)));
            return;
        case "module": {
            const instances = scope.children(first.name);
            const evaluateKey = (expr: Expr): unknown => evaluate(expr, scope.resolver(keys, { sensitive: false }));
            const picked = pickInstance(instances, traversal.steps.slice(1), evaluateKey);
            const targets = picked ? [{ instance: picked.instance, rest: picked.rest }] : [...instances.instances.values()].map(instance => ({ instance, rest: [] as readonly Step[] }));
            for (const { instance, rest } of targets) {
                const outputStep = rest[0];
                const names = outputStep?.kind === "attr" ? [outputStep.name] : [...instance.config.outputs.keys()];
                for (const name of names) {
                    add(memoRefs(instance, `output\u0000${name}`, () => referencesOf(instance, instance.config.outputs.get(name)?.body.value, NO_KEYS)));
                }
            }
            return;
        }
        case "data":
            if (second?.kind === "attr") {
                out.add(`${scope.prefix}data.${first.name}.${second.name}${indexSuffix(scope, third, keys)}`);
            }
            return;
        case "count":
        case "each":
        case "path":
        case "terraform":
        case "self":
            return;
        default:
            if (RESOURCE_TYPE.test(traversal.root)) {
                // `aws_x.y[0]` of a resource whose count is unknown names the one entity that stands for all its instances.
                const decl = scope.config.resources.get(`${traversal.root}.${first.name}`);
                const base = `${scope.prefix}${traversal.root}.${first.name}`;
                const expanded = !decl || scope.expansionOf(`resource\u0000${traversal.root}.${first.name}`, decl.body, decl, base).kind !== "unknown";
                out.add(`${base}${expanded ? indexSuffix(scope, second, keys) : ""}`);
            }
    }
}

/** `[0]` / `["k"]` when the step is an index whose key is known, else "" (the resource as a whole). */
function indexSuffix(scope: ModuleInstance, step: Step | undefined, keys: Keys): string {
    if (step?.kind !== "index") {
        return "";
    }
    const key = evaluate(step.key, scope.resolver(keys, { sensitive: false }));
    if (typeof key === "number" && Number.isInteger(key)) {
        return `[${key}]`;
    }
    return typeof key === "string" ? `[${JSON.stringify(key)}]` : "";
}

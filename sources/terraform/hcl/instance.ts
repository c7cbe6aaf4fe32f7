import { TF_UNKNOWN, TF_UNKNOWN_NOT_NULL } from "../types";
import { EvalContext } from "./context";
import { BlockDecl, META_ARGUMENTS, ModuleConfig } from "./declarations";
import { HclNotice } from "./errors";
import { applySteps, evaluate, Expr, isPlainObject, parseTemplate, Resolver, Step, TF_ERROR, TraversalExpr } from "./expressions";
import { FunctionContext } from "./functions";
import { EXPANDING, Expansion, expansionFrom, Keys, ModuleInstances, NO_KEYS, pickInstance } from "./modules";
import { convert, parseType } from "./typing";
import { variableSource } from "./variables";


/** Computed attributes every managed resource instance has once created. */
const NEVER_NULL_ONCE_CREATED = new Set(["id", "arn"]);
/**
 * Evaluation: one instance of a module (the root, or one instance of a module call) and the
 * values its configuration gives, as far as they are known without Terraform. Strings from
 * hcl2json are templates (`expressions.ts`); a traversal reads a variable (`variables.ts`), a
 * local, another module's output, or an attribute written in another resource's configuration;
 * everything else is `TF_UNKNOWN`. Evaluation is memoised per instance and cycle-safe.
 */

/** Whether a value was read from a variable or output marked `sensitive`. */
export interface Trace {
    sensitive: boolean;
}

interface Traced {
    readonly value: unknown;
    readonly sensitive: boolean;
}

/** The module call that created an instance, with the parent instance and the call's keys. */
export interface ModuleCall {
    readonly parent: ModuleInstance;
    readonly decl: BlockDecl;
    readonly keys: Keys;
}

const templateCache = new Map<string, Expr>();

/** A raw hcl2json string as a template expression (parsed once per distinct text). */
export function parseRaw(text: string): Expr {
    let expr = templateCache.get(text);
    if (!expr) {
        expr = parseTemplate(text);
        if (templateCache.size > 50_000) {
            templateCache.clear();
        }
        templateCache.set(text, expr);
    }
    return expr;
}

export class ModuleInstance {
    private readonly memo = new Map<string, Traced>();
    private readonly visiting = new Set<string>();
    private readonly expansions = new Map<string, Expansion>();
    private readonly childInstances = new Map<string, ModuleInstances<ModuleInstance>>();
    /** What this instance's addresses start with: `module.x.` (with any index), "" in the root module. */
    readonly prefix: string;

    constructor(
        readonly config: ModuleConfig,
        readonly modulePath: string,
        /** Undefined for the root module, whose variables read `tfvars` instead. */
        readonly call: ModuleCall | undefined,
        private readonly tfvars: Readonly<Record<string, unknown>>,
        readonly context: EvalContext,
    ) {
        this.prefix = modulePath ? `${modulePath}.` : "";
    }

    /** `file()` and `templatefile()` in this module: paths as Terraform reads them, templates rendered here. */
    private functionContext(trace: Trace): FunctionContext {
        return {
            readFile: file => {
                const read = this.context.readFile(file);
                if (read.kind === "refused") {
                    this.context.note(`file\u0000${this.config.dir}\u0000${read.reason}`, () =>
                        new HclNotice(`a file read by file() or templatefile() in ${this.config.displayDir} is not read (${read.reason}); values that use it are unknown`));
                }
                return read;
            },
            renderTemplate: (text, vars) => {
                const names = new Map(Object.entries(vars));
                const resolver: Resolver = {
                    // A template sees only the variables passed to it.
                    traversal: (node, recurse) => (names.has(node.root) ? applySteps(names.get(node.root), node.steps, recurse) : TF_ERROR),
                    functions: this.functionContext(trace),
                    unsupported: name => this.context.unsupported(name, this.config.displayDir),
                };
                return evaluate(parseTemplate(text), resolver);
            },
        };
    }

    /** Evaluate a value as hcl2json gives it: strings are templates, lists and objects recurse. */
    evaluateRaw(raw: unknown, keys: Keys, trace: Trace): unknown {
        if (typeof raw === "string") {
            return evaluate(parseRaw(raw), this.resolver(keys, trace));
        }
        if (Array.isArray(raw)) {
            return raw.map(item => this.evaluateRaw(item, keys, trace));
        }
        if (isPlainObject(raw)) {
            const out: Record<string, unknown> = {};
            for (const [key, value] of Object.entries(raw)) {
                if (key === "dynamic") {
                    this.expandDynamic(value, keys, trace, out);
                } else {
                    out[key] = Array.isArray(out[key]) && Array.isArray(value)
                        ? [...(out[key] as unknown[]), ...(this.evaluateRaw(value, keys, trace) as unknown[])]
                        : this.evaluateRaw(value, keys, trace);
                }
            }
            return out;
        }
        return raw;
    }

    /** `dynamic "x" { for_each = ..., content { ... } }`: one `x` block per item when the collection is known. */
    expandDynamic(raw: unknown, keys: Keys, trace: Trace, into: Record<string, unknown>): void {
        if (!isPlainObject(raw)) {
            return;
        }
        for (const [blockName, specs] of Object.entries(raw)) {
            for (const spec of Array.isArray(specs) ? specs : [specs]) {
                if (!isPlainObject(spec)) {
                    continue;
                }
                const collection = this.evaluateRaw(spec.for_each, keys, trace);
                const iterator = typeof spec.iterator === "string" ? spec.iterator.replace(/^\$\{(.*)\}$/, "$1").trim() : blockName;
                const content = Array.isArray(spec.content) ? spec.content[0] : spec.content;
                let items: Array<[unknown, unknown]> | undefined;
                if (Array.isArray(collection)) {
                    items = collection.map((value, index) => [index, value]);
                } else if (isPlainObject(collection)) {
                    items = Object.entries(collection);
                }
                if (!items || into[blockName] === TF_UNKNOWN) {
                    into[blockName] = TF_UNKNOWN;
                    continue;
                }
                const blocks = items.map(([key, value]) => {
                    const iterators = new Map(keys.iterators ?? []);
                    iterators.set(iterator, { key, value });
                    return this.evaluateRaw(content ?? {}, { ...keys, iterators }, trace);
                });
                const existing = into[blockName];
                into[blockName] = Array.isArray(existing) ? [...existing, ...blocks] : blocks;
            }
        }
    }

    resolver(keys: Keys, trace: Trace): Resolver {
        return {
            traversal: (node, recurse) => this.resolveTraversal(node, keys, trace, recurse),
            functions: this.functionContext(trace),
            unsupported: name => this.context.unsupported(name, this.config.displayDir),
            sensitive: () => {
                trace.sensitive = true;
            },
        };
    }

    private resolveTraversal(node: TraversalExpr, keys: Keys, trace: Trace, evaluateKey: (expr: Expr) => unknown): unknown {
        const [first, ...rest] = node.steps;
        const iterator = keys.iterators?.get(node.root);
        if (iterator) {
            return first?.kind === "attr" && (first.name === "key" || first.name === "value")
                ? applySteps(first.name === "key" ? iterator.key : iterator.value, rest, evaluateKey)
                : TF_UNKNOWN;
        }
        if (first?.kind !== "attr") {
            return TF_UNKNOWN;
        }
        switch (node.root) {
            case "var":
                return applySteps(this.use(this.variable(first.name), trace), rest, evaluateKey);
            case "local":
                return applySteps(this.use(this.local(first.name), trace), rest, evaluateKey);
            case "count":
                return first.name === "index" && keys.count !== undefined ? keys.count : TF_UNKNOWN;
            case "each":
                if (first.name === "key" && keys.eachKey !== undefined) {
                    return keys.eachKey;
                }
                return first.name === "value" && keys.eachValue !== undefined ? applySteps(keys.eachValue, rest, evaluateKey) : TF_UNKNOWN;
            case "module":
                return this.moduleOutput(first.name, rest, keys, trace, evaluateKey);
            case "path":
                // The working directory is the machine's, not the configuration's: never read.
                return first.name === "module" ? applySteps(this.context.pathModule(this.config.dir), rest, evaluateKey)
                    : first.name === "root" ? applySteps(".", rest, evaluateKey) : TF_UNKNOWN;
            case "terraform":
                return first.name === "workspace" ? applySteps(this.context.workspace, rest, evaluateKey) : TF_UNKNOWN;
            case "data":
            case "self":
                return TF_UNKNOWN;
            default:
                return this.resourceAttribute(node.root, first.name, rest, keys, trace, evaluateKey);
        }
    }

    private use(traced: Traced, trace: Trace): unknown {
        if (traced.sensitive) {
            trace.sensitive = true;
        }
        return traced.value;
    }

    /** Memoised, cycle-safe evaluation (a cycle is a Terraform error; here it is just unknown). */
    private traced(key: string, compute: (trace: Trace) => unknown): Traced {
        const known = this.memo.get(key);
        if (known) {
            return known;
        }
        if (this.visiting.has(key)) {
            return { value: TF_UNKNOWN, sensitive: false };
        }
        this.visiting.add(key);
        const trace: Trace = { sensitive: false };
        try {
            const value = compute(trace);
            const result = { value, sensitive: trace.sensitive };
            this.memo.set(key, result);
            return result;
        } finally {
            this.visiting.delete(key);
        }
    }

    private variable(name: string): Traced {
        return this.traced(`var\u0000${name}`, trace => {
            const decl = this.config.variables.get(name);
            if (!decl) {
                return TF_UNKNOWN;
            }
            if (decl.body.sensitive === true) {
                trace.sensitive = true;
            }
            const source = variableSource(name, decl, this.call?.decl.body, this.tfvars);
            if (!source) {
                return TF_UNKNOWN;
            }
            const value = source.from === "argument" && this.call
                ? this.call.parent.evaluateRaw(source.raw, this.call.keys, trace)
                : this.evaluateRaw(source.raw, NO_KEYS, trace);
            const type = parseType(decl.body.type);
            return type ? convert(value, type) : value;
        });
    }

    private local(name: string): Traced {
        return this.traced(`local\u0000${name}`, trace =>
            this.config.locals.has(name) ? this.evaluateRaw(this.config.locals.get(name), NO_KEYS, trace) : TF_UNKNOWN);
    }

    private output(name: string): Traced {
        return this.traced(`output\u0000${name}`, trace => {
            const decl = this.config.outputs.get(name);
            if (!decl) {
                return TF_UNKNOWN;
            }
            if (decl.body.sensitive === true) {
                trace.sensitive = true;
            }
            return this.evaluateRaw(decl.body.value, NO_KEYS, trace);
        });
    }

    private moduleOutput(callName: string, steps: readonly Step[], keys: Keys, trace: Trace, evaluateKey: (expr: Expr) => unknown): unknown {
        const children = this.children(callName);
        const picked = pickInstance(children, steps, evaluateKey);
        if (!picked) {
            // `module.m[0].x` of a module call with count = 0: Terraform fails (and try() falls back).
            const [indexStep] = steps;
            if (children.expansion?.kind === "instances" && indexStep?.kind === "index") {
                const key = evaluateKey(indexStep.key);
                return typeof key === "number" || typeof key === "string" ? TF_ERROR : TF_UNKNOWN;
            }
            return TF_UNKNOWN;
        }
        const [outputStep, ...rest] = picked.rest;
        if (outputStep?.kind !== "attr") {
            return TF_UNKNOWN;
        }
        return applySteps(picked.instance.use(picked.instance.output(outputStep.name), trace), rest, evaluateKey);
    }

    private resourceAttribute(type: string, name: string, steps: readonly Step[], keys: Keys, trace: Trace, evaluateKey: (expr: Expr) => unknown): unknown {
        const decl = this.config.resources.get(`${type}.${name}`);
        if (!decl) {
            return TF_UNKNOWN;
        }
        const expansion = this.expansionOf(`resource\u0000${type}.${name}`, decl.body, decl, `${this.prefix}${type}.${name}`);
        let instanceKeys: Keys = NO_KEYS;
        let suffix = "";
        let rest = steps;
        if (expansion.kind === "unknown") {
            return TF_UNKNOWN;
        }
        if (expansion.kind === "instances") {
            const [indexStep, ...after] = steps;
            if (indexStep?.kind !== "index") {
                return TF_UNKNOWN;
            }
            const key = evaluateKey(indexStep.key);
            const instance = expansion.instances.find(i => i.index === key);
            if (!instance) {
                // `aws_x.y[0]` of a resource with count = 0: Terraform fails (and try() falls back).
                return typeof key === "number" || typeof key === "string" ? TF_ERROR : TF_UNKNOWN;
            }
            instanceKeys = instance.keys;
            suffix = instance.suffix;
            rest = after;
        }
        const [attributeStep, ...after] = rest;
        if (attributeStep?.kind !== "attr" || META_ARGUMENTS.has(attributeStep.name) || !Object.prototype.hasOwnProperty.call(decl.body, attributeStep.name)) {
            // Not written in config: computed by the provider (id, arn, ...) or a provider default.
            // The id and ARN of an instance that will exist are never null once it is created.
            return attributeStep?.kind === "attr" && NEVER_NULL_ONCE_CREATED.has(attributeStep.name) && after.length === 0 ? TF_UNKNOWN_NOT_NULL : TF_UNKNOWN;
        }
        const attribute = attributeStep.name;
        const value = this.use(this.traced(`attr\u0000${type}.${name}${suffix}\u0000${attribute}`, inner => this.evaluateRaw(decl.body[attribute], instanceKeys, inner)), trace);
        // What config leaves out of a nested block the provider may compute: unknown, not an error.
        return applySteps(value, after, evaluateKey, true);
    }

    /**
     * The instances `count` / `for_each` create, evaluated in this module (memoised per
     * declaration). An expansion that cannot be evaluated, or that would take the configuration
     * past its budget of instances, is unknown, and a notice names the address and the expression.
     */
    expansionOf(key: string, body: Readonly<Record<string, unknown>>, decl: BlockDecl, address: string): Expansion {
        const known = this.expansions.get(key);
        if (known) {
            return known;
        }
        this.expansions.set(key, EXPANDING);
        const trace: Trace = { sensitive: false };
        let expansion = expansionFrom(body, raw => this.evaluateRaw(raw, NO_KEYS, trace));
        const argument = body.count !== undefined ? "count" : "for_each";
        if (expansion.kind === "instances" && !this.context.reserve(expansion.instances.length)) {
            expansion = { kind: "unknown", keys: argument === "count" ? { count: TF_UNKNOWN } : { eachKey: TF_UNKNOWN, eachValue: TF_UNKNOWN } };
            this.context.note(`cap\u0000${address}`, () => new HclNotice(
                `${address}: expanding its ${argument} would exceed ${this.context.maxInstances} resource and module instances in this configuration; one entity stands for all its instances`,
                decl.file, decl.attributeLines[argument] ?? decl.line));
        } else if (expansion.kind === "unknown") {
            this.context.note(`expansion\u0000${address}`, () => new HclNotice(
                `${address}: ${argument} = ${expressionText(body[argument])} cannot be evaluated without running Terraform; one entity stands for all its instances`,
                decl.file, decl.attributeLines[argument] ?? decl.line));
        }
        this.expansions.set(key, expansion);
        return expansion;
    }

    /** The instances of a local module call (none when its source was not read). */
    children(callName: string): ModuleInstances<ModuleInstance> {
        const known = this.childInstances.get(callName);
        if (known) {
            return known;
        }
        const instances = new Map<string | number, ModuleInstance>();
        let expansion: Expansion | undefined;
        const decl = this.config.moduleCalls.get(callName);
        const childConfig = this.config.children.get(callName);
        if (decl && childConfig) {
            const base = `${this.prefix}module.${callName}`;
            expansion = this.expansionOf(`module\u0000${callName}`, decl.body, decl, base);
            if (expansion.kind === "instances") {
                for (const instance of expansion.instances) {
                    instances.set(instance.index, new ModuleInstance(childConfig, `${base}${instance.suffix}`, { parent: this, decl, keys: instance.keys }, {}, this.context));
                }
            } else {
                instances.set("", new ModuleInstance(childConfig, base, { parent: this, decl, keys: expansion.kind === "unknown" ? expansion.keys : NO_KEYS }, {}, this.context));
            }
        }
        const children: ModuleInstances<ModuleInstance> = { expansion, instances };
        this.childInstances.set(callName, children);
        return children;
    }
}

/** An expression as written, for a message: `${...}` unwrapped, on one line, shortened. */
function expressionText(raw: unknown): string {
    const text = typeof raw === "string" ? raw.replace(/^\$\{([\s\S]*)\}$/, "$1") : JSON.stringify(raw) ?? "";
    // Quoted text is left out: a message never carries a value from the input.
    const line = text.replace(/"(?:[^"\\]|\\.)*"/g, "\"…\"").replace(/\s+/g, " ").trim();
    return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

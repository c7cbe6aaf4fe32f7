import { promises as fs } from "fs";
import * as path from "path";
import { Inventory, InventoryGap } from "#pack/model/index";
import { SourceError } from "#pack/sources/errors";
import { applySteps, evaluate, Expr, isPlainObject, isWhollyKnown, parseTemplate, Resolver, Step, TraversalExpr, traversalsOf } from "./hcl/expressions";
import { parseJsonWithLines } from "../json-text";
import { attributeLinesOf, blockPathsOf, BodyItem, jsonAttributeLines, scanHclBody } from "./hcl/positions";
import { inventoryFromTerraformRecords } from "./inventory";
import { TF_UNKNOWN, TfResourceRecord } from "./types";

/**
 * The Terraform HCL front end: a directory of `.tf` (and `.tf.json`) files read statically, with
 * no Terraform binary and no provider. `@cdktf/hcl2json` parses the syntax; this module resolves
 * what can be known within the directory and hands one `TfResourceRecord` per resource instance
 * to the shared mapping (`inventory.ts`), exactly as the plan and state front ends do.
 *
 * What is resolved, and what is left unknown ("unknowns, not guesses"):
 * - literals pass through; blocks stay one-element-per-block arrays, as in plan JSON;
 * - `var.x` is the value set in `terraform.tfvars` / `*.auto.tfvars` (root module, directory
 *   input only), else the module argument (child modules), else the variable's `default`;
 *   a variable with none of these is unknown;
 * - `local.x` is the local's value where that is known;
 * - `aws_x.y.attr` is the attribute as written in `aws_x.y`'s config when it is known there;
 *   attributes not written in config are computed by the provider (`id`, `arn`) and unknown.
 *   Every such reference is recorded in `references[attribute]` (the resource's address), so the
 *   mapping can link resources whose ids are unknown;
 * - data sources, `path.*`, splats, most functions, and operators over unknowns are unknown;
 * - `count = N` yields N records `x.y[0]`…; `for_each` over a known map or set yields
 *   `x.y["k"]`…; when the count or collection is unknown, ONE record with the bare address
 *   `x.y` stands for all instances (its `count.index` / `each.*` are unknown);
 * - local modules (`source = "./path"`) are read recursively with addresses prefixed
 *   `module.<name>.` (indexed like resources when the call has `count`/`for_each`); remote
 *   modules are not fetched: a notice says so and the rest is read.
 * Records carry `file`, the declaration `line` and `attributeLines` (attribute → line).
 */

export interface HclReadResult {
    readonly records: TfResourceRecord[];
    /** Syntax errors, unreadable files, duplicate declarations, and notices (`HclNotice`); never fatal. */
    readonly errors: SourceError[];
}

/** Something deliberately not read (a remote module source). Reported, not a failure of the input. */
export class HclNotice extends SourceError {
    constructor(message: string, file?: string, line?: number) {
        super(message, file, line);
        this.name = "SourceNotice";
    }
}

/** Read every `.tf` / `.tf.json` file of a directory as the root module (plus auto-loaded tfvars). */
export async function recordsFromHclDirectory(dir: string): Promise<HclReadResult> {
    const reader = new HclReader();
    const root = await reader.loadModule(dir, []);
    if (root && root.files === 0) {
        reader.errors.push(new SourceError("no Terraform files (.tf, .tf.json) in this directory", dir));
    }
    const tfvars = root ? await reader.readTfvars(dir) : {};
    return reader.finish(root, tfvars);
}

/** Read one `.tf` / `.tf.json` file as a root module of its own (its local modules resolve from its folder). */
export async function recordsFromHclFile(file: string): Promise<HclReadResult> {
    const reader = new HclReader();
    const root = await reader.loadModule(path.dirname(file), [], [path.basename(file)]);
    return reader.finish(root, {});
}

/** A directory (see `recordsFromHclDirectory`) or a single file (see `recordsFromHclFile`). */
export async function recordsFromHcl(dirOrFile: string): Promise<HclReadResult> {
    let stat;
    try {
        stat = await fs.stat(dirOrFile);
    } catch (error) {
        return { records: [], errors: [new SourceError(`cannot read: ${ioReason(error)}`, dirOrFile)] };
    }
    return stat.isDirectory() ? recordsFromHclDirectory(dirOrFile) : recordsFromHclFile(dirOrFile);
}

export interface HclInventory {
    readonly inventory: Inventory;
    readonly records: readonly TfResourceRecord[];
    readonly errors: readonly SourceError[];
}

/** Records and their Inventory, with the read errors kept apart (a CLI reports them; a gate may fail on them). */
export async function readHcl(dirOrFile: string): Promise<HclInventory> {
    const { records, errors } = await recordsFromHcl(dirOrFile);
    return { inventory: inventoryFromTerraformRecords(records), records, errors };
}

/**
 * The Inventory of a directory or file of Terraform configuration. What could not be read
 * (syntax errors, remote modules) is listed in the Inventory's gaps, as `file:line: message`.
 */
export async function inventoryFromHcl(dirOrFile: string): Promise<Inventory> {
    const { inventory, errors } = await readHcl(dirOrFile);
    if (errors.length === 0) {
        return inventory;
    }
    return new Inventory(inventory.all(), [...inventory.gaps, ...errors.map(errorToGap)]);
}

export function errorToGap(error: SourceError): InventoryGap {
    const where = error.file ? `${error.file}${error.line !== undefined ? `:${error.line}` : ""}: ` : "";
    return {
        message: `${where}${error.message}`,
        ...(error.file ? { provenance: { source: "terraform", file: error.file, ...(error.line !== undefined ? { line: error.line } : {}) } } : {}),
    };
}

// ---------------------------------------------------------------------------------------------
// Loading: files → module configurations

interface BlockDecl {
    readonly file: string;
    readonly line?: number;
    readonly body: Readonly<Record<string, unknown>>;
    readonly attributeLines: Readonly<Record<string, number>>;
    /** Dotted paths of nested blocks; undefined for `.tf.json`, where lists of objects count as blocks. */
    readonly blockPaths?: ReadonlySet<string>;
}

interface ResourceDecl extends BlockDecl {
    readonly type: string;
    readonly name: string;
}

interface ModuleConfig {
    /** Directory on disk, and as shown in findings (relative when the input path was). */
    readonly dir: string;
    readonly displayDir: string;
    files: number;
    readonly resources: Map<string, ResourceDecl>;
    readonly variables: Map<string, BlockDecl>;
    readonly locals: Map<string, unknown>;
    readonly outputs: Map<string, BlockDecl>;
    readonly moduleCalls: Map<string, BlockDecl>;
    /** Module call name → the loaded configuration of its local source. */
    readonly children: Map<string, ModuleConfig>;
}

interface Hcl2Json {
    parse(filename: string, contents: string): Promise<Record<string, unknown>>;
}

/** Loaded on first use, so the CrossGuard pack (which never reads HCL) does not pay for the WASM parser. */
function hcl2json(): Hcl2Json {
    // A plain require with a local interface: the package's own typings pull in the DOM lib.
    return require("@cdktf/hcl2json") as Hcl2Json;
}

const MAX_MODULE_DEPTH = 32;

class HclReader {
    readonly errors: SourceError[] = [];
    private readonly configs = new Map<string, Promise<ModuleConfig | undefined>>();

    /** Load a module directory (or just `only` files of it) and, recursively, its local modules. */
    loadModule(displayDir: string, stack: readonly string[], only?: readonly string[]): Promise<ModuleConfig | undefined> {
        const dir = path.resolve(displayDir);
        const key = only ? `${dir}\u0000${only.join("\u0000")}` : dir;
        let loaded = this.configs.get(key);
        if (!loaded) {
            loaded = this.load(dir, displayDir, [...stack, dir], only);
            this.configs.set(key, loaded);
        }
        return loaded;
    }

    private async load(dir: string, displayDir: string, stack: readonly string[], only?: readonly string[]): Promise<ModuleConfig | undefined> {
        let names: string[];
        if (only) {
            names = [...only];
        } else {
            try {
                names = (await fs.readdir(dir)).filter(name => name.endsWith(".tf") || name.endsWith(".tf.json")).sort();
            } catch (error) {
                this.errors.push(new SourceError(`cannot read directory: ${ioReason(error)}`, displayDir));
                return undefined;
            }
        }
        const config: ModuleConfig = {
            dir, displayDir, files: 0,
            resources: new Map(), variables: new Map(), locals: new Map(), outputs: new Map(), moduleCalls: new Map(), children: new Map(),
        };
        for (const name of names) {
            const file = path.join(displayDir, name);
            let text: string;
            try {
                text = await fs.readFile(path.join(dir, name), "utf8");
            } catch (error) {
                this.errors.push(new SourceError(`cannot read file: ${ioReason(error)}`, file));
                continue;
            }
            config.files++;
            const parsed = name.endsWith(".json") ? this.parseJsonFile(file, text) : await this.parseHclFile(file, name, text);
            if (parsed) {
                this.merge(config, parsed);
            }
        }
        for (const [callName, call] of config.moduleCalls) {
            const source = call.body.source;
            if (typeof source !== "string") {
                this.errors.push(new SourceError(`module "${callName}" has no literal source; its resources are not read`, call.file, call.line));
                continue;
            }
            if (!source.startsWith("./") && !source.startsWith("../")) {
                this.errors.push(new HclNotice(`module "${callName}" uses a remote source (${describeSource(source)}), which is not fetched; its resources are not checked`, call.file, call.line));
                continue;
            }
            const childDir = path.join(displayDir, source);
            if (stack.includes(path.resolve(childDir)) || stack.length > MAX_MODULE_DEPTH) {
                this.errors.push(new SourceError(`module "${callName}" includes itself (${source}); not read again`, call.file, call.line));
                continue;
            }
            try {
                if (!(await fs.stat(childDir)).isDirectory()) {
                    throw new Error("not a directory");
                }
            } catch (error) {
                this.errors.push(new SourceError(`module "${callName}": source ${source} cannot be read (${ioReason(error)}); its resources are not checked`, call.file, call.line));
                continue;
            }
            const child = await this.loadModule(childDir, stack);
            if (child) {
                config.children.set(callName, child);
            }
        }
        return config;
    }

    private async parseHclFile(file: string, name: string, text: string): Promise<ParsedFile | undefined> {
        let json: Record<string, unknown>;
        try {
            json = await hcl2json().parse(name, text);
        } catch (error) {
            this.errors.push(syntaxError(file, name, error));
            return undefined;
        }
        const blocks = scanHclBody(text).filter((item): item is Extract<BodyItem, { kind: "block" }> => item.kind === "block");
        // hcl2json lists repeated blocks with the same labels in source order; so does the scan.
        const seen = new Map<string, number>();
        const position = (type: string, labels: readonly string[]): Position => {
            const key = [type, ...labels].join("\u0000");
            const index = seen.get(key) ?? 0;
            seen.set(key, index + 1);
            const block = blocks.filter(b => b.type === type && b.labels.length === labels.length && b.labels.every((l, i) => l === labels[i]))[index];
            return block ? { line: block.line, attributeLines: attributeLinesOf(block.body), blockPaths: blockPathsOf(block.body) } : { attributeLines: {} };
        };
        return collectDeclarations(file, json, position);
    }

    private parseJsonFile(file: string, text: string): ParsedFile | undefined {
        let parsed;
        try {
            parsed = parseJsonWithLines(text);
        } catch (error) {
            const match = /position (\d+)/.exec(error instanceof Error ? error.message : "");
            const line = match ? text.slice(0, Number(match[1])).split("\n").length : undefined;
            this.errors.push(new SourceError("JSON syntax error", file, line));
            return undefined;
        }
        if (!isPlainObject(parsed.value)) {
            this.errors.push(new SourceError("not a Terraform JSON configuration (expected an object)", file));
            return undefined;
        }
        const { keyLines } = parsed;
        const root = parsed.value;
        // Terraform JSON writes a single block as an object where hcl2json writes a list.
        const normalised: Record<string, unknown> = {};
        const positions = new Map<string, Position>();
        for (const kind of ["resource", "data"]) {
            const byType = root[kind];
            if (!isPlainObject(byType)) {
                continue;
            }
            const out: Record<string, Record<string, unknown[]>> = {};
            for (const [type, byName] of Object.entries(byType)) {
                if (!isPlainObject(byName)) {
                    continue;
                }
                out[type] = {};
                for (const [name, body] of Object.entries(byName)) {
                    const bodies = Array.isArray(body) ? body : [body];
                    out[type][name] = bodies;
                    positions.set(`${kind}\u0000${type}\u0000${name}`, { line: keyLines.get(byName)?.[name], attributeLines: jsonAttributeLines(bodies[0], keyLines) });
                }
            }
            normalised[kind] = out;
        }
        for (const kind of ["variable", "output", "module"]) {
            const byName = root[kind];
            if (!isPlainObject(byName)) {
                continue;
            }
            const out: Record<string, unknown[]> = {};
            for (const [name, body] of Object.entries(byName)) {
                const bodies = Array.isArray(body) ? body : [body];
                out[name] = bodies;
                positions.set(`${kind}\u0000${name}`, { line: keyLines.get(byName)?.[name], attributeLines: jsonAttributeLines(bodies[0], keyLines) });
            }
            normalised[kind] = out;
        }
        if (root.locals !== undefined) {
            normalised.locals = Array.isArray(root.locals) ? root.locals : [root.locals];
        }
        return collectDeclarations(file, normalised, (type, labels) => positions.get([type, ...labels].join("\u0000")) ?? { attributeLines: {} });
    }

    private merge(config: ModuleConfig, parsed: ParsedFile): void {
        for (const resource of parsed.resources) {
            const key = `${resource.type}.${resource.name}`;
            const first = config.resources.get(key);
            if (first) {
                this.errors.push(new SourceError(
                    `duplicate resource "${resource.type}" "${resource.name}" (first declared at ${declaredAt(first, resource.file)}); Terraform rejects this, only the first is read`,
                    resource.file, resource.line));
                continue;
            }
            config.resources.set(key, resource);
        }
        for (const [kind, target] of [["variable", config.variables], ["output", config.outputs], ["module", config.moduleCalls]] as const) {
            for (const [name, decl] of parsed[kind]) {
                const first = target.get(name);
                if (first) {
                    this.errors.push(new SourceError(`duplicate ${kind} "${name}" (first declared at ${declaredAt(first, decl.file)}); only the first is read`, decl.file, decl.line));
                    continue;
                }
                target.set(name, decl);
            }
        }
        for (const [name, raw] of parsed.locals) {
            if (!config.locals.has(name)) {
                config.locals.set(name, raw);
            }
        }
    }

    /** `terraform.tfvars[.json]` and `*.auto.tfvars[.json]`, which Terraform loads without being asked. */
    async readTfvars(dir: string): Promise<Record<string, unknown>> {
        let names: string[];
        try {
            names = (await fs.readdir(dir)).filter(n => /^terraform\.tfvars(\.json)?$/.test(n) || /\.auto\.tfvars(\.json)?$/.test(n));
        } catch {
            return {};
        }
        // Terraform's order: terraform.tfvars, then *.auto.tfvars in lexical order; later wins.
        names.sort((a, b) => (a.startsWith("terraform.tfvars") ? -1 : b.startsWith("terraform.tfvars") ? 1 : a.localeCompare(b)));
        const values: Record<string, unknown> = {};
        for (const name of names) {
            const file = path.join(dir, name);
            try {
                const text = await fs.readFile(file, "utf8");
                const parsed: unknown = name.endsWith(".json") ? JSON.parse(text) : await hcl2json().parse(name, text);
                if (isPlainObject(parsed)) {
                    Object.assign(values, parsed);
                }
            } catch (error) {
                this.errors.push(name.endsWith(".json") ? new SourceError("JSON syntax error", file) : syntaxError(file, name, error));
            }
        }
        return values;
    }

    finish(root: ModuleConfig | undefined, tfvars: Record<string, unknown>): HclReadResult {
        if (!root) {
            return { records: [], errors: this.errors };
        }
        const records: TfResourceRecord[] = [];
        new ModuleInstance(root, "", undefined, tfvars).collect(records);
        return { records, errors: this.errors };
    }
}

interface ParsedFile {
    readonly resources: ResourceDecl[];
    readonly variable: Array<[string, BlockDecl]>;
    readonly output: Array<[string, BlockDecl]>;
    readonly module: Array<[string, BlockDecl]>;
    readonly locals: Array<[string, unknown]>;
}

interface Position {
    readonly line?: number;
    readonly attributeLines: Record<string, number>;
    readonly blockPaths?: ReadonlySet<string>;
}

type PositionOf = (type: string, labels: readonly string[]) => Position;

/** Declarations of one file from hcl2json's shape (`resource.<type>.<name>` = list of bodies). */
function collectDeclarations(file: string, json: Record<string, unknown>, position: PositionOf): ParsedFile {
    const parsed: ParsedFile = { resources: [], variable: [], output: [], module: [], locals: [] };
    const resources = json.resource;
    if (isPlainObject(resources)) {
        for (const [type, byName] of Object.entries(resources)) {
            if (!isPlainObject(byName)) {
                continue;
            }
            for (const [name, bodies] of Object.entries(byName)) {
                for (const body of Array.isArray(bodies) ? bodies : [bodies]) {
                    const at = position("resource", [type, name]);
                    parsed.resources.push({ type, name, file, line: at.line, attributeLines: at.attributeLines, blockPaths: at.blockPaths, body: isPlainObject(body) ? body : {} });
                }
            }
        }
    }
    for (const kind of ["variable", "output", "module"] as const) {
        const byName = json[kind];
        if (!isPlainObject(byName)) {
            continue;
        }
        for (const [name, bodies] of Object.entries(byName)) {
            for (const body of Array.isArray(bodies) ? bodies : [bodies]) {
                const at = position(kind, [name]);
                parsed[kind].push([name, { file, line: at.line, attributeLines: at.attributeLines, body: isPlainObject(body) ? body : {} }]);
            }
        }
    }
    const locals = json.locals;
    for (const block of Array.isArray(locals) ? locals : []) {
        if (isPlainObject(block)) {
            parsed.locals.push(...Object.entries(block));
        }
    }
    return parsed;
}

// ---------------------------------------------------------------------------------------------
// Evaluation: module instances → records

/** Arguments Terraform itself interprets; they are not resource attributes. */
const META_ARGUMENTS: ReadonlySet<string> = new Set(["count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"]);

/** Attributes that always hold a secret, whatever the configuration says (see DESIGN: usage plan key values). */
const ALWAYS_SENSITIVE: Readonly<Record<string, readonly string[]>> = {
    aws_api_gateway_api_key: ["value"],
    aws_api_gateway_usage_plan_key: ["value"],
};

/** Root names that are not resources. Anything else of the form `<provider>_<type>.<name>` is a resource. */
const RESOURCE_TYPE = /^[a-z][a-z0-9]*_[a-z0-9_]+$/;

interface Keys {
    /** `count.index`; TF_UNKNOWN when the count is unknown. */
    readonly count?: unknown;
    readonly eachKey?: unknown;
    readonly eachValue?: unknown;
    /** `dynamic` block iterators in scope. */
    readonly iterators?: ReadonlyMap<string, { readonly key: unknown; readonly value: unknown }>;
}

const NO_KEYS: Keys = {};

/** Whether a value was read from a variable or output marked `sensitive`. */
interface Trace {
    sensitive: boolean;
}

interface Traced {
    readonly value: unknown;
    readonly sensitive: boolean;
}

/** The instances of a `count` / `for_each` resource or module call. */
type Expansion =
    | { readonly kind: "single" }
    | { readonly kind: "unknown"; readonly keys: Keys }
    | { readonly kind: "instances"; readonly instances: ReadonlyArray<{ readonly suffix: string; readonly index: number | string; readonly keys: Keys }> };

/** The instances of one module call; `expansion` is undefined when the module's source was not read. */
interface ModuleInstances {
    readonly expansion?: Expansion;
    readonly instances: ReadonlyMap<string | number, ModuleInstance>;
}

const templateCache = new Map<string, Expr>();

function parseRaw(text: string): Expr {
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

class ModuleInstance {
    private readonly memo = new Map<string, Traced>();
    private readonly refMemo = new Map<string, ReadonlySet<string>>();
    private readonly visiting = new Set<string>();
    private readonly expansions = new Map<string, Expansion>();
    private readonly childInstances = new Map<string, ModuleInstances>();
    private readonly prefix: string;

    constructor(
        private readonly config: ModuleConfig,
        readonly modulePath: string,
        /** The module call that created this instance, with the parent instance and the call's keys. */
        private readonly call: { readonly parent: ModuleInstance; readonly decl: BlockDecl; readonly keys: Keys } | undefined,
        private readonly tfvars: Readonly<Record<string, unknown>>,
    ) {
        this.prefix = modulePath ? `${modulePath}.` : "";
    }

    collect(records: TfResourceRecord[]): void {
        for (const decl of this.config.resources.values()) {
            const expansion = this.expansionOf(`resource\u0000${decl.type}.${decl.name}`, decl.body);
            const base = `${this.prefix}${decl.type}.${decl.name}`;
            if (expansion.kind === "single") {
                records.push(this.record(decl, base, NO_KEYS));
            } else if (expansion.kind === "unknown") {
                records.push(this.record(decl, base, expansion.keys));
            } else {
                for (const instance of expansion.instances) {
                    records.push(this.record(decl, `${base}${instance.suffix}`, instance.keys));
                }
            }
        }
        for (const callName of this.config.moduleCalls.keys()) {
            for (const child of this.children(callName).instances.values()) {
                child.collect(records);
            }
        }
    }

    private record(decl: ResourceDecl, address: string, keys: Keys): TfResourceRecord {
        const values: Record<string, unknown> = {};
        const sensitivePaths = new Set<string>(ALWAYS_SENSITIVE[decl.type] ?? []);
        const references: Record<string, string[]> = {};
        const configured: Record<string, "constant" | "expression" | "block"> = {};
        for (const [attribute, raw] of Object.entries(decl.body)) {
            if (attribute === "depends_on") {
                const refs = this.referencesOf(raw, keys);
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
                this.expandDynamic(raw, keys, trace, values);
                if (isPlainObject(raw)) {
                    for (const [blockName, spec] of Object.entries(raw)) {
                        this.addReferences(references, blockName, this.referencesOf({ dynamic: { [blockName]: spec } }, keys));
                        this.classifyDynamic(blockName, spec, configured);
                        if (trace.sensitive) {
                            sensitivePaths.add(blockName);
                        }
                    }
                }
                continue;
            }
            const trace: Trace = { sensitive: false };
            const value = this.evaluateRaw(raw, keys, trace);
            values[attribute] = Array.isArray(values[attribute]) && Array.isArray(value) ? [...(values[attribute] as unknown[]), ...value] : value;
            if (trace.sensitive) {
                sensitivePaths.add(attribute);
            }
            this.addReferences(references, attribute, this.referencesOf(raw, keys));
            this.classify(decl, attribute, raw, keys, configured);
            // Nested block attributes too (`access_log_settings.destination_arn`), as plan `configuration` gives them.
            for (const block of Array.isArray(raw) ? raw : []) {
                if (isPlainObject(block)) {
                    for (const [inner, innerRaw] of Object.entries(block)) {
                        this.addReferences(references, `${attribute}.${inner}`, this.referencesOf(innerRaw, keys));
                    }
                }
            }
        }
        return {
            address,
            type: decl.type,
            name: decl.name,
            mode: "managed",
            modulePath: this.modulePath,
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
    private classify(decl: ResourceDecl, path: string, raw: unknown, keys: Keys, into: Record<string, "constant" | "expression" | "block">): void {
        const isBlock = decl.blockPaths
            ? decl.blockPaths.has(path)
            : Array.isArray(raw) && raw.length > 0 && raw.every(item => isPlainObject(item));
        if (!isBlock) {
            if (into[path] !== "expression") {
                const value = this.evaluateRaw(raw, keys, { sensitive: false });
                into[path] = isWhollyKnown(value) && this.referencesOf(raw, keys).size === 0 ? "constant" : "expression";
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
                            this.classifyDynamic(`${path}.${blockName}`, spec, into);
                        }
                    }
                } else {
                    this.classify(decl, `${path}.${inner}`, innerRaw, keys, into);
                }
            }
        }
    }

    /** A `dynamic` block: the block exists, and everything in it depends on its iterator. */
    private classifyDynamic(path: string, spec: unknown, into: Record<string, "constant" | "expression" | "block">): void {
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

    private addReferences(into: Record<string, string[]>, attribute: string, refs: ReadonlySet<string>): void {
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

    // -- values ---------------------------------------------------------------------------------

    /** Evaluate a value as hcl2json gives it: strings are templates, lists and objects recurse. */
    private evaluateRaw(raw: unknown, keys: Keys, trace: Trace): unknown {
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
    private expandDynamic(raw: unknown, keys: Keys, trace: Trace, into: Record<string, unknown>): void {
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

    private resolver(keys: Keys, trace: Trace): Resolver {
        return { traversal: node => this.resolveTraversal(node, keys, trace) };
    }

    private resolveTraversal(node: TraversalExpr, keys: Keys, trace: Trace): unknown {
        const [first, ...rest] = node.steps;
        const evaluateKey = (expr: Expr): unknown => evaluate(expr, this.resolver(keys, trace));
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
                return this.moduleOutput(first.name, rest, keys, trace);
            case "data":
            case "path":
            case "terraform":
            case "self":
                return TF_UNKNOWN;
            default:
                return this.resourceAttribute(node.root, first.name, rest, keys, trace);
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
            if (this.call) {
                if (Object.prototype.hasOwnProperty.call(this.call.decl.body, name) && !META_ARGUMENTS.has(name) && name !== "source" && name !== "version") {
                    return this.call.parent.evaluateRaw(this.call.decl.body[name], this.call.keys, trace);
                }
            } else if (Object.prototype.hasOwnProperty.call(this.tfvars, name)) {
                return this.evaluateRaw(this.tfvars[name], NO_KEYS, trace);
            }
            return Object.prototype.hasOwnProperty.call(decl.body, "default") ? this.evaluateRaw(decl.body.default, NO_KEYS, trace) : TF_UNKNOWN;
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

    private moduleOutput(callName: string, steps: readonly Step[], keys: Keys, trace: Trace): unknown {
        const evaluateKey = (expr: Expr): unknown => evaluate(expr, this.resolver(keys, trace));
        const picked = this.pickInstance(this.children(callName), steps, evaluateKey);
        if (!picked) {
            return TF_UNKNOWN;
        }
        const [outputStep, ...rest] = picked.rest;
        if (outputStep?.kind !== "attr") {
            return TF_UNKNOWN;
        }
        return applySteps(picked.instance.use(picked.instance.output(outputStep.name), trace), rest, evaluateKey);
    }

    private resourceAttribute(type: string, name: string, steps: readonly Step[], keys: Keys, trace: Trace): unknown {
        const decl = this.config.resources.get(`${type}.${name}`);
        if (!decl) {
            return TF_UNKNOWN;
        }
        const evaluateKey = (expr: Expr): unknown => evaluate(expr, this.resolver(keys, trace));
        const expansion = this.expansionOf(`resource\u0000${type}.${name}`, decl.body);
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
                return TF_UNKNOWN;
            }
            instanceKeys = instance.keys;
            suffix = instance.suffix;
            rest = after;
        }
        const [attributeStep, ...after] = rest;
        if (attributeStep?.kind !== "attr" || META_ARGUMENTS.has(attributeStep.name) || !Object.prototype.hasOwnProperty.call(decl.body, attributeStep.name)) {
            // Not written in config: computed by the provider (id, arn, ...) or a provider default.
            return TF_UNKNOWN;
        }
        const attribute = attributeStep.name;
        const value = this.use(this.traced(`attr\u0000${type}.${name}${suffix}\u0000${attribute}`, inner => this.evaluateRaw(decl.body[attribute], instanceKeys, inner)), trace);
        return applySteps(value, after, evaluateKey);
    }

    /** Which instance of a `count` / `for_each` thing steps select: an index step first, when expanded. */
    private pickInstance(children: ModuleInstances, steps: readonly Step[], evaluateKey: (expr: Expr) => unknown): { instance: ModuleInstance; rest: readonly Step[] } | undefined {
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

    /** The instances `count` / `for_each` create, evaluated in this module (memoised per declaration). */
    private expansionOf(key: string, body: Readonly<Record<string, unknown>>): Expansion {
        const known = this.expansions.get(key);
        if (known) {
            return known;
        }
        // A count that reads its own resource is a cycle Terraform rejects; here it is unknown.
        this.expansions.set(key, { kind: "unknown", keys: { count: TF_UNKNOWN, eachKey: TF_UNKNOWN, eachValue: TF_UNKNOWN } });
        let expansion: Expansion = { kind: "single" };
        const trace: Trace = { sensitive: false };
        if (body.count !== undefined) {
            const count = this.evaluateRaw(body.count, NO_KEYS, trace);
            const n = typeof count === "number" ? count : typeof count === "string" && /^[0-9]+$/.test(count) ? Number(count) : undefined;
            expansion = n !== undefined && Number.isInteger(n) && n >= 0 && n <= 10_000
                ? { kind: "instances", instances: Array.from({ length: n }, (_, index) => ({ suffix: `[${index}]`, index, keys: { count: index } })) }
                : { kind: "unknown", keys: { count: TF_UNKNOWN } };
        } else if (body.for_each !== undefined) {
            const collection = this.evaluateRaw(body.for_each, NO_KEYS, trace);
            let entries: Array<[string, unknown]> | undefined;
            if (isPlainObject(collection)) {
                entries = Object.entries(collection);
            } else if (Array.isArray(collection) && collection.every(item => typeof item === "string")) {
                // A set of strings (toset([...])): each.key and each.value are the string.
                entries = (collection as string[]).map(item => [item, item]);
            }
            expansion = entries
                ? { kind: "instances", instances: entries.map(([k, v]) => ({ suffix: `[${JSON.stringify(k)}]`, index: k, keys: { eachKey: k, eachValue: v } })) }
                : { kind: "unknown", keys: { eachKey: TF_UNKNOWN, eachValue: TF_UNKNOWN } };
        }
        this.expansions.set(key, expansion);
        return expansion;
    }

    /** The instances of a local module call (none when its source was not read). */
    private children(callName: string): ModuleInstances {
        const known = this.childInstances.get(callName);
        if (known) {
            return known;
        }
        const instances = new Map<string | number, ModuleInstance>();
        let expansion: Expansion | undefined;
        const decl = this.config.moduleCalls.get(callName);
        const childConfig = this.config.children.get(callName);
        if (decl && childConfig) {
            expansion = this.expansionOf(`module\u0000${callName}`, decl.body);
            const base = `${this.prefix}module.${callName}`;
            if (expansion.kind === "instances") {
                for (const instance of expansion.instances) {
                    instances.set(instance.index, new ModuleInstance(childConfig, `${base}${instance.suffix}`, { parent: this, decl, keys: instance.keys }, {}));
                }
            } else {
                instances.set("", new ModuleInstance(childConfig, base, { parent: this, decl, keys: expansion.kind === "unknown" ? expansion.keys : NO_KEYS }, {}));
            }
        }
        const children: ModuleInstances = { expansion, instances };
        this.childInstances.set(callName, children);
        return children;
    }

    // -- references -----------------------------------------------------------------------------

    /** Addresses of the resources a raw value reads, through variables, locals and module outputs. */
    private referencesOf(raw: unknown, keys: Keys, bound: ReadonlySet<string> = new Set()): ReadonlySet<string> {
        const out = new Set<string>();
        const visit = (value: unknown, names: ReadonlySet<string>): void => {
            if (typeof value === "string") {
                for (const traversal of traversalsOf(parseRaw(value), names)) {
                    this.addressesOf(traversal, keys, out);
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

    private memoRefs(key: string, compute: () => ReadonlySet<string>): ReadonlySet<string> {
        const known = this.refMemo.get(key);
        if (known) {
            return known;
        }
        if (this.visiting.has(`refs\u0000${key}`)) {
            return new Set();
        }
        this.visiting.add(`refs\u0000${key}`);
        try {
            const refs = compute();
            this.refMemo.set(key, refs);
            return refs;
        } finally {
            this.visiting.delete(`refs\u0000${key}`);
        }
    }

    private addressesOf(traversal: TraversalExpr, keys: Keys, out: Set<string>): void {
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
                if (this.call && Object.prototype.hasOwnProperty.call(this.call.decl.body, first.name)) {
                    const { parent, decl, keys: callKeys } = this.call;
                    add(this.memoRefs(`var\u0000${first.name}`, () => parent.referencesOf(decl.body[first.name], callKeys)));
                }
                return;
            case "local":
                add(this.memoRefs(`local\u0000${first.name}`, () => this.referencesOf(this.config.locals.get(first.name), NO_KEYS)));
                return;
            case "module": {
                const instances = this.children(first.name);
                const evaluateKey = (expr: Expr): unknown => evaluate(expr, this.resolver(keys, { sensitive: false }));
                const picked = this.pickInstance(instances, traversal.steps.slice(1), evaluateKey);
                const targets = picked ? [{ instance: picked.instance, rest: picked.rest }] : [...instances.instances.values()].map(instance => ({ instance, rest: [] as readonly Step[] }));
                for (const { instance, rest } of targets) {
                    const outputStep = rest[0];
                    const names = outputStep?.kind === "attr" ? [outputStep.name] : [...instance.config.outputs.keys()];
                    for (const name of names) {
                        add(instance.memoRefs(`output\u0000${name}`, () => instance.referencesOf(instance.config.outputs.get(name)?.body.value, NO_KEYS)));
                    }
                }
                return;
            }
            case "data":
                if (second?.kind === "attr") {
                    out.add(`${this.prefix}data.${first.name}.${second.name}${this.indexSuffix(third, keys)}`);
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
                    out.add(`${this.prefix}${traversal.root}.${first.name}${this.indexSuffix(second, keys)}`);
                }
        }
    }

    /** `[0]` / `["k"]` when the step is an index whose key is known, else "" (the resource as a whole). */
    private indexSuffix(step: Step | undefined, keys: Keys): string {
        if (step?.kind !== "index") {
            return "";
        }
        const key = evaluate(step.key, this.resolver(keys, { sensitive: false }));
        if (typeof key === "number" && Number.isInteger(key)) {
            return `[${key}]`;
        }
        return typeof key === "string" ? `[${JSON.stringify(key)}]` : "";
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * hcl2json reports `parse config: [main.tf:12,7-13,1: Summary; Detail. other diagnostics]`.
 * Only the file, line and HCL's fixed summary text are kept: the detail can quote the source
 * (an invalid escape inside a key value, say), and no message may carry a value from the input.
 */
function syntaxError(file: string, name: string, error: unknown): SourceError {
    const text = error instanceof Error ? error.message : String(error);
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const match = new RegExp(`${escaped}:(\\d+),(\\d+)(?:-[0-9,]+)?: ([^;\\]]*)`).exec(text) ?? /:(\d+),(\d+)(?:-[0-9,]+)?: ([^;\]]*)/.exec(text);
    if (!match) {
        return new SourceError("HCL syntax error", file);
    }
    const summary = match[3].replace(/"[^"]*"/g, "…").replace(/'[^']*'/g, "…").trim().slice(0, 120);
    return new SourceError(`HCL syntax error at column ${match[2]}: ${summary || "invalid syntax"}`, file, Number(match[1]));
}

/** Where a first declaration is, relative to the file of a second one: `line 12`, or `other.tf:12`. */
function declaredAt(first: BlockDecl, otherFile: string): string {
    const line = first.line !== undefined ? `:${first.line}` : "";
    return first.file === otherFile ? (first.line !== undefined ? `line ${first.line}` : "the same file") : `${path.basename(first.file)}${line}`;
}

function ioReason(error: unknown): string {
    const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
    switch (code) {
        case "ENOENT": return "no such file or directory";
        case "EACCES": return "permission denied";
        case "ENOTDIR": return "not a directory";
        case "EISDIR": return "is a directory";
        default: return typeof code === "string" ? code : "unreadable";
    }
}

/** A module source for a message, without credentials or query strings (`git::https://user:token@host/...?ref=`). */
function describeSource(source: string): string {
    return source.replace(/\/\/[^/@]*@/, "//").replace(/\?.*$/, "").slice(0, 200);
}

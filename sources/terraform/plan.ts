import { Inventory } from "apigw-guard/policies/model/index";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { configAddress, IndexedAddress, indexAddress, parseAddress, resourceAddress, TfAddress } from "./address";
import { canonicalTfType, inventoryFromTerraformRecords } from "./inventory";
import {
    checkFormatVersion, expectObject, expectString, isJsonObject, itemField, JsonObject, jsonTypeName, optionalArray,
    optionalObject, sensitivePaths, walkModule, withUnknowns,
} from "./json";
import { TfResourceRecord } from "./types";

export interface TerraformSourceOptions {
    /** The file the JSON was read from, for provenance and error messages. */
    readonly file?: string;
}

/** Build the Inventory from `terraform show -json <planfile>` output. Throws `SourceError` on bad input. */
export function inventoryFromTerraformPlan(json: unknown, opts: TerraformSourceOptions = {}): Inventory {
    const { records, addresses } = readPlan(json, opts);
    return inventoryFromTerraformRecords(records, addresses);
}

interface ResourceChange {
    readonly actions: readonly string[];
    readonly after: unknown;
    readonly afterUnknown: unknown;
    readonly afterSensitive: unknown;
    /** The entry's own address parts (`module_address`, `type`, `name`, `index`). */
    readonly entry: JsonObject;
    /** Its position in `resource_changes`, for error messages. */
    readonly index: number;
}

/** The JSON path of a change entry, built only for an error message. */
function changeField(change: ResourceChange): () => string {
    return () => itemField("resource_changes", change.index);
}

/**
 * The managed resources a plan leaves in place (created, updated, replaced or unchanged), with
 * values from `resource_changes[].change.after` (unknowns from `after_unknown`, sensitive paths
 * from `after_sensitive`) and references from `configuration`. Deleted resources and data
 * sources are left out.
 */
export function terraformPlanRecords(json: unknown, opts: TerraformSourceOptions = {}): TfResourceRecord[] {
    return readPlan(json, opts).records;
}

/** Shared by records whose block has no references (records never modify it). */
const NO_REFERENCES: Readonly<Record<string, readonly string[]>> = Object.freeze({});

/**
 * The records, and each record's parsed address (same index) so the mapping does not parse
 * every address again.
 */
function readPlan(json: unknown, opts: TerraformSourceOptions): { records: TfResourceRecord[]; addresses: IndexedAddress[] } {
    const file = opts.file;
    if (!isJsonObject(json)) {
        throw new SourceError(`expected a JSON object (terraform show -json <planfile>), found ${jsonTypeName(json)}`, file);
    }
    checkFormatVersion(json, "plan", file);
    if (!("planned_values" in json) && !("resource_changes" in json)) {
        const hint = "values" in json ? " (it looks like Terraform state: read it as state)" : "";
        throw new SourceError(`not a Terraform plan: it has neither planned_values nor resource_changes${hint}`, file);
    }
    const changes = resourceChanges(json, file);
    const configuration = new PlanConfiguration(optionalObject(json.configuration, "configuration", file), file);
    const plannedValues = optionalObject(json.planned_values, "planned_values", file);
    const records: TfResourceRecord[] = [];
    const addresses: IndexedAddress[] = [];
    const seen = new Set<string>();

    // `field` is a function so the JSON path is only built for an error message.
    const add = (address: string, parsed: TfAddress, type: string, name: string, values: unknown, sensitive: unknown, field: () => string, actions: readonly string[]) => {
        seen.add(address);
        const indexed = indexAddress(parsed);
        const found = configuration.of(indexed.configAddress);
        const record: Mutable<TfResourceRecord> = {
            address,
            type: canonicalTfType(type),
            name,
            mode: "managed",
            modulePath: indexed.instancePath,
            values: isJsonObject(values) ? values : expectObject(values, field(), file),
            sensitivePaths: sensitivePaths(sensitive),
            references: found?.references ?? NO_REFERENCES,
        };
        if (found) {
            record.configured = found.configured;
        }
        if (file !== undefined) {
            record.file = file;
        }
        record.actions = actions;
        records.push(record);
        addresses.push(indexed);
    };

    walkModule(optionalObject(plannedValues?.root_module, "planned_values.root_module", file), "planned_values.root_module", file, (resource, index, list, module) => {
        const address = nonEmptyString(resource.address) ?? expectString(resource.address, `${itemField(list, index)}.address`, file);
        if (resource.mode === "data") {
            return;
        }
        if (seen.has(address)) {
            // One copy would mask the other (a passing copy hiding a failing one): refuse.
            throw new SourceError(`${itemField(list, index)}.address: '${address}' appears twice in planned_values; a plan names each resource once, so the input is broken`, file);
        }
        const type = nonEmptyString(resource.type) ?? expectString(resource.type, `${itemField(list, index)}.type`, file);
        const name = nonEmptyString(resource.name) ?? expectString(resource.name, `${itemField(list, index)}.name`, file);
        const change = changes.get(address);
        if (change === undefined) {
            // No change entry (a hand-trimmed plan): planned values omit unknown attributes, so they read as unset.
            add(address, parseAddress(address) ?? addressFromEntry(resource, () => itemField(list, index), file, module), type, name, resource.values ?? {}, resource.sensitive_values, () => `${itemField(list, index)}.values`, []);
        } else if (isDeleted(change)) {
            return;
        } else {
            add(address, parseAddress(address) ?? addressFromEntry(change.entry, changeField(change), file), type, name, withUnknowns(change.after, change.afterUnknown), change.afterSensitive, () => `resource_changes[${address}].change.after`, change.actions);
        }
    });
    // Resources with a change but missing from planned_values (older or trimmed plans).
    for (const [address, change] of changes) {
        if (seen.has(address) || isDeleted(change)) {
            continue;
        }
        // Terraform escapes some instance keys in `address` in ways no reader can undo (astral-plane
        // characters as `\U0001F600`, other escapes); the entry also names its parts.
        const parsed = parseAddress(address) ?? addressFromEntry(change.entry, changeField(change), file);
        if (parsed.mode === "data") {
            continue;
        }
        add(address, parsed, parsed.type, parsed.name, withUnknowns(change.after, change.afterUnknown), change.afterSensitive, () => `resource_changes[${address}].change.after`, change.actions);
    }
    return { records, addresses };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * An address from an entry's own fields, for when its `address` string cannot be parsed: `type`,
 * `name`, `index` (a number for `count`, a string for `for_each`) and the module it is in
 * (`module_address` on resource_changes entries and planned_values modules).
 */
function addressFromEntry(entry: JsonObject, field: () => string, file: string | undefined, module?: JsonObject): TfAddress {
    const type = nonEmptyString(entry.type) ?? expectString(entry.type, `${field()}.type`, file);
    const name = nonEmptyString(entry.name) ?? expectString(entry.name, `${field()}.name`, file);
    const moduleAddress = nonEmptyString(entry.module_address) ?? nonEmptyString(module?.address);
    // A module path is read as the module part of a resource address (any valid resource after it).
    const modules = moduleAddress !== undefined ? parseAddress(`${moduleAddress}.placeholder_type.x`)?.modules : [];
    if (modules === undefined) {
        throw new SourceError(`${field()}: neither the address nor the module address '${moduleAddress}' can be read`, file);
    }
    const index = entry.index;
    const key = typeof index === "number" ? String(index) : typeof index === "string" ? JSON.stringify(index) : undefined;
    return { modules, mode: entry.mode === "data" ? "data" : "managed", type, name, ...(key !== undefined ? { key } : {}), attribute: [] };
}

function nonEmptyString(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

function isDeleted(change: ResourceChange): boolean {
    return change.after === null || change.after === undefined || (change.actions.includes("delete") && !change.actions.includes("create"));
}

/** The actions list as given when it is well-formed (no copy), else the error for the bad item. */
function actionsOf(value: unknown, field: () => string, file: string | undefined): readonly string[] {
    if (Array.isArray(value) && value.every(action => typeof action === "string" && action !== "")) {
        return value as readonly string[];
    }
    return optionalArray(value, `${field()}.change.actions`, file).map((action, i) => expectString(action, `${field()}.change.actions[${i}]`, file));
}

function resourceChanges(plan: JsonObject, file: string | undefined): Map<string, ResourceChange> {
    const changes = new Map<string, ResourceChange>();
    const list = optionalArray(plan.resource_changes, "resource_changes", file);
    for (let index = 0; index < list.length; index++) {
        const field = () => itemField("resource_changes", index);
        const item = list[index];
        const entry = isJsonObject(item) ? item : expectObject(item, field(), file);
        const address = nonEmptyString(entry.address) ?? expectString(entry.address, `${field()}.address`, file);
        // Deposed objects (left over from create_before_destroy) are only ever deleted.
        if (entry.mode === "data" || entry.deposed !== undefined) {
            continue;
        }
        const change = isJsonObject(entry.change) ? entry.change : expectObject(entry.change, `${field()}.change`, file);
        const actions = actionsOf(change.actions, field, file);
        if (changes.has(address)) {
            // Keeping either copy would let one mask the other: refuse.
            throw new SourceError(`${field()}.address: '${address}' appears twice in resource_changes; a plan changes each resource once, so the input is broken`, file);
        }
        changes.set(address, { actions, after: change.after, afterUnknown: change.after_unknown, afterSensitive: change.after_sensitive, entry, index });
    }
    return changes;
}

interface ModuleContext {
    /** Module path as configuration names it: `module.a.module.b` ("" for root). */
    readonly path: string;
    /** The same with instance keys where a reference named one (`module.a[0]`). */
    readonly instancePath: string;
    readonly module: JsonObject;
    /** The module call's input expressions (absent for the root module). */
    readonly inputs?: JsonObject;
    readonly parent?: ModuleContext;
}

interface ResourceConfiguration {
    readonly references: Readonly<Record<string, readonly string[]>>;
    readonly configured: Readonly<Record<string, "constant" | "expression" | "block">>;
}

const MAX_REFERENCE_DEPTH = 16;

/**
 * The `configuration` section: per resource block, which resources each attribute refers to
 * (through module inputs `var.x` and module outputs `module.m.out`) and how each attribute is set.
 */
class PlanConfiguration {
    private readonly byConfigAddress = new Map<string, ResourceConfiguration>();

    constructor(configuration: JsonObject | undefined, private readonly file: string | undefined) {
        const root = optionalObject(configuration?.root_module, "configuration.root_module", file);
        if (root) {
            this.visit({ path: "", instancePath: "", module: root }, "configuration.root_module");
        }
    }

    /** The references and `configured` map of a resource block (by `configAddress`). */
    of(configAddress: string): ResourceConfiguration | undefined {
        return this.byConfigAddress.get(configAddress);
    }

    private visit(context: ModuleContext, field: string): void {
        optionalArray(context.module.resources, `${field}.resources`, this.file).forEach((item, index) => {
            const resourceField = `${field}.resources[${index}]`;
            const resource = expectObject(item, resourceField, this.file);
            if (resource.mode === "data") {
                return;
            }
            const type = expectString(resource.type, `${resourceField}.type`, this.file);
            const name = expectString(resource.name, `${resourceField}.name`, this.file);
            const expressions = optionalObject(resource.expressions, `${resourceField}.expressions`, this.file) ?? {};
            // `for_each = aws_x.y` with `each.value.id`: the attribute refers to the instance of aws_x.y with the same key.
            const forEach = this.resolveAll(collectReferences(resource.for_each_expression), context, 0);
            const references: Record<string, readonly string[]> = {};
            const configured: Record<string, "constant" | "expression" | "block"> = {};
            for (const [attribute, expression] of Object.entries(expressions)) {
                const found = collectReferences(expression);
                const viaEachValue = found.some(reference => /^each\.value($|[.[])/.test(reference));
                const targets = [...new Set([...this.resolveAll(found, context, 0), ...(viaEachValue ? forEach : [])])];
                if (targets.length > 0) {
                    references[attribute] = targets;
                }
                describeConfigured(expression, attribute, configured);
            }
            this.byConfigAddress.set(join(context.path, `${type}.${name}`), { references, configured });
        });
        const calls = optionalObject(context.module.module_calls, `${field}.module_calls`, this.file) ?? {};
        for (const [name, item] of Object.entries(calls)) {
            const callField = `${field}.module_calls.${name}`;
            const call = expectObject(item, callField, this.file);
            const module = optionalObject(call.module, `${callField}.module`, this.file);
            if (!module) {
                continue;
            }
            const path = join(context.path, `module.${name}`);
            this.visit({
                path,
                instancePath: join(context.instancePath, `module.${name}`),
                module,
                inputs: optionalObject(call.expressions, `${callField}.expressions`, this.file) ?? {},
                parent: context,
            }, `${callField}.module`);
        }
    }

    /**
     * Resource addresses that references resolve to. `aws_x.y[0]` and `aws_x.y` both appear for
     * `aws_x.y[0].id`: the indexed one is kept, since it names the instance.
     */
    private resolveAll(references: readonly string[], context: ModuleContext, depth: number): string[] {
        const found = new Set<string>();
        for (const reference of references) {
            for (const target of this.resolve(reference, context, depth)) {
                found.add(target);
            }
        }
        const indexed = new Set<string>();
        for (const address of found) {
            const parsed = parseAddress(address);
            if (parsed?.key !== undefined) {
                indexed.add(configAddress(parsed));
            }
        }
        return [...found].filter(address => {
            const parsed = parseAddress(address);
            return !(parsed && parsed.key === undefined && indexed.has(configAddress(parsed)));
        });
    }

    private resolve(reference: string, context: ModuleContext, depth: number): string[] {
        if (depth > MAX_REFERENCE_DEPTH) {
            return [];
        }
        const steps = reference.split(".");
        if (steps[0] === "var") {
            // A module input: follow the expression the calling module passes in.
            const name = steps[1]?.replace(/\[.*$/, "");
            const input = name !== undefined && context.inputs && context.parent ? context.inputs[name] : undefined;
            return input !== undefined && context.parent ? this.resolveAll(collectReferences(input), context.parent, depth + 1) : [];
        }
        if (steps[0] === "module") {
            return this.resolveOutput(reference, context, depth);
        }
        const parsed = parseAddress(reference);
        if (!parsed || parsed.mode === "data" || parsed.modules.length > 0) {
            return [];
        }
        return [join(context.instancePath, resourceAddress(parsed))];
    }

    /** `module.m.out` (or `module.m[0].out`): the resources the child module's output refers to. */
    private resolveOutput(reference: string, context: ModuleContext, depth: number): string[] {
        const match = /^module\.([A-Za-z0-9_-]+)(\[[^\]]*\])?\.([A-Za-z0-9_-]+)/.exec(reference);
        if (!match) {
            return [];
        }
        const [, name, key, output] = match;
        const calls = isJsonObject(context.module.module_calls) ? context.module.module_calls : {};
        const call = calls[name];
        const module = isJsonObject(call) && isJsonObject(call.module) ? call.module : undefined;
        const outputs = module && isJsonObject(module.outputs) ? module.outputs : {};
        const definition = outputs[output];
        if (!module || !isJsonObject(call) || !isJsonObject(definition)) {
            return [];
        }
        const literalKey = key !== undefined && /^\[(\d+|"(?:[^"\\]|\\.)*")\]$/.test(key) ? key : "";
        const child: ModuleContext = {
            path: join(context.path, `module.${name}`),
            instancePath: join(context.instancePath, `module.${name}${literalKey}`),
            module,
            inputs: isJsonObject(call.expressions) ? call.expressions : {},
            parent: context,
        };
        return this.resolveAll(collectReferences(definition.expression), child, depth + 1);
    }
}

function join(prefix: string, rest: string): string {
    return prefix === "" ? rest : `${prefix}.${rest}`;
}

/** An expression object has only `constant_value` and/or `references`; anything else is a block. */
function isExpression(node: JsonObject): boolean {
    const keys = Object.keys(node);
    return keys.every(key => key === "constant_value" || key === "references");
}

/** Every reference string inside an expression or a (nested) block of expressions. */
function collectReferences(node: unknown): string[] {
    const out: string[] = [];
    const visit = (item: unknown) => {
        if (Array.isArray(item)) {
            item.forEach(visit);
        } else if (isJsonObject(item)) {
            if (isExpression(item)) {
                if (Array.isArray(item.references)) {
                    out.push(...item.references.filter((r): r is string => typeof r === "string"));
                }
            } else {
                Object.values(item).forEach(visit);
            }
        }
    };
    visit(node);
    return out;
}

function describeConfigured(node: unknown, path: string, out: Record<string, "constant" | "expression" | "block">): void {
    if (Array.isArray(node)) {
        out[path] ??= "block";
        // An empty block (`settings {}`) has no expressions to describe.
        node.filter(item => !(isJsonObject(item) && Object.keys(item).length === 0)).forEach(item => describeConfigured(item, path, out));
        return;
    }
    if (!isJsonObject(node)) {
        return;
    }
    if (isExpression(node)) {
        // A function call without references (`uuid()`) has neither field: count it as an expression.
        out[path] = node.constant_value !== undefined && node.references === undefined ? "constant" : "expression";
        return;
    }
    out[path] ??= "block";
    for (const [key, item] of Object.entries(node)) {
        describeConfigured(item, `${path}.${key}`, out);
    }
}

import { promises as fs, readFileSync } from "fs";
import * as path from "path";
import type { default as Ajv, ErrorObject } from "ajv";
import { describeWaiverError, isCalendarDate, Waiver } from "apigw-guard/policies/engine/config";
import { fileSystemProblem, UsageError, UsageErrors } from "./errors";
import { parseJsonText } from "../sources/json-text";

/** The subset of js-yaml used here (a dependency without type declarations). */
interface Yaml {
    load(text: string, options: { schema: unknown; listener?: (event: "open" | "close", state: YamlState) => void; filename?: string }): unknown;
    readonly CORE_SCHEMA: unknown;
}

interface YamlState {
    readonly line: number;
    readonly result: unknown;
    readonly kind: string | null;
}

/** What js-yaml throws: `reason` is phrased without the input; `message` quotes a snippet of it. */
interface YamlException {
    readonly name: "YAMLException";
    readonly reason?: string;
    readonly mark?: { readonly line: number; readonly column: number };
}

export const WAIVERS_SCHEMA_FILE = path.join(__dirname, "..", "..", "schemas", "waivers.schema.json");

let compiled: ReturnType<Ajv["compile"]> | undefined;

function validator(): ReturnType<Ajv["compile"]> {
    if (!compiled) {
        const schema = JSON.parse(readFileSync(WAIVERS_SCHEMA_FILE, "utf8")) as Record<string, unknown>;
        // Loaded here, not at start-up: most runs read no waivers file.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const AjvClass = (require("ajv") as { default: typeof Ajv }).default;
        compiled = new AjvClass({ allErrors: true, strict: false }).compile(schema);
    }
    return compiled;
}

export interface LoadWaiversOptions {
    /** Rule ids a waiver may name (besides `*`); a waiver naming another is an error. Absent: any id. */
    readonly knownRules?: ReadonlySet<string>;
}

/**
 * Read a waivers file (YAML or JSON, see schemas/waivers.schema.json). Every problem is a
 * `UsageError` naming the file, the field (`waivers[2].expires`) and the line where known; messages
 * never quote the file's content.
 */
export async function loadWaiversFile(file: string, options: LoadWaiversOptions = {}): Promise<Waiver[]> {
    let text: string;
    try {
        text = await fs.readFile(file, "utf8");
    } catch (error) {
        throw new UsageErrors([new UsageError(`cannot read the waivers file: ${fileSystemProblem(error)}`, file)]);
    }
    return parseWaivers(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file, options);
}

export function parseWaivers(text: string, file: string, options: LoadWaiversOptions = {}): Waiver[] {
    if (text.trim() === "") {
        throw new UsageErrors([new UsageError("empty waivers file (expected 'waivers:' and a list of waivers)", file)]);
    }
    const isJson = /\.json$/i.test(file) || /^\s*[{[]/.test(text);
    if (isJson) {
        const parsed = parseJsonText(text);
        if (!parsed.ok) {
            const p = parsed.problem;
            throw new UsageErrors([new UsageError(`not valid JSON: ${p.reason} (column ${p.column})`, file, p.line)]);
        }
    }
    let document: unknown;
    let tree: Node | undefined;
    try {
        ({ document, tree } = loadWithLines(text));
    } catch (error) {
        if (isYamlException(error)) {
            const line = error.mark ? error.mark.line + 1 : undefined;
            throw new UsageErrors([new UsageError(`not valid ${isJson ? "JSON" : "YAML"}: ${error.reason ?? "syntax error"}`, file, line)]);
        }
        throw error;
    }
    const validate = validator();
    if (!validate(document)) {
        const problems = new Map<string, UsageError>();
        for (const error of validate.errors ?? []) {
            const { field, pointer } = fieldOf(error);
            const line = lineAt(tree, pointer);
            const subject = field === "" ? "the file" : error.keyword === "additionalProperties" ? `'${field}'` : `field '${field}'`;
            const key = `${field}\u0000${error.keyword}\u0000${line ?? ""}`;
            if (!problems.has(key)) {
                problems.set(key, new UsageError(`${subject} ${describeFileError(error)}`, file, line));
            }
        }
        throw new UsageErrors([...problems.values()].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
    }
    const entries = (document as { waivers: ReadonlyArray<{ id?: string; rule: string; resource: string; reason: string; approver: string; expires: string }> }).waivers;
    const problems: UsageError[] = [];
    const waivers = entries.map((entry, index) => {
        if (!isCalendarDate(entry.expires)) {
            problems.push(new UsageError(`field 'waivers[${index}].expires' is not a calendar date (YYYY-MM-DD)`, file, lineAt(tree, ["waivers", index, "expires"])));
        }
        if (options.knownRules && entry.rule !== "*" && !options.knownRules.has(entry.rule)) {
            problems.push(new UsageError(`field 'waivers[${index}].rule' names no rule of this tool (rule ids are listed in docs/rules.md; '*' means every rule)`, file, lineAt(tree, ["waivers", index, "rule"])));
        }
        const line = lineAt(tree, ["waivers", index]);
        return {
            id: entry.id ?? `${file}#${index + 1}`,
            rule: entry.rule,
            resource: entry.resource,
            reason: entry.reason,
            approver: entry.approver,
            expires: entry.expires,
            file,
            ...(line !== undefined ? { line } : {}),
        };
    });
    if (problems.length > 0) {
        throw new UsageErrors(problems);
    }
    const ids = new Map<string, number>();
    waivers.forEach((waiver, index) => {
        const first = ids.get(waiver.id);
        if (first !== undefined) {
            problems.push(new UsageError(`field 'waivers[${index}].id' repeats the id of waivers[${first}]; ids name waivers in reports, so they must be unique`, file, lineAt(tree, ["waivers", index, "id"])));
        }
        ids.set(waiver.id, index);
    });
    if (problems.length > 0) {
        throw new UsageErrors(problems);
    }
    return waivers;
}

function describeFileError(error: ErrorObject): string {
    if (error.keyword === "const" && error.instancePath === "/version") {
        return "must be 1";
    }
    if (error.keyword === "pattern" && error.instancePath.endsWith("/rule")) {
        return "must be a rule id or '*'";
    }
    if (error.keyword === "required") {
        return error.instancePath === "" ? "is missing: the file must hold 'waivers:', a list of waivers" : "is missing (every waiver needs rule, resource, reason, approver and expires)";
    }
    if (error.keyword === "additionalProperties") {
        return error.instancePath === ""
            ? "has a field that is not a field of a waivers file (fields: version, waivers)"
            : "has a field that is not a waiver field (fields: id, rule, resource, reason, approver, expires)";
    }
    if (error.keyword === "type" && error.instancePath === "") {
        return "must be a mapping with 'waivers:', a list of waivers";
    }
    return describeWaiverError(error);
}

/** `waivers[2].expires` for a person, and the path to find its line. */
function fieldOf(error: ErrorObject): { field: string; pointer: (string | number)[] } {
    const pointer: (string | number)[] = error.instancePath.split("/").slice(1).map(part => (/^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, "/").replace(/~0/g, "~")));
    if (error.keyword === "required") {
        pointer.push(String((error.params as { missingProperty?: string }).missingProperty));
    }
    let field = "";
    for (const part of pointer) {
        field += typeof part === "number" ? `[${part}]` : field === "" ? part : `.${part}`;
    }
    // A missing field has no line of its own: point at its entry instead. An unknown field is
    // named by its line only: its name could be anything, a pasted value included.
    const where = error.keyword === "required" ? pointer.slice(0, -1)
        : error.keyword === "additionalProperties" ? [...pointer, String((error.params as { additionalProperty?: string }).additionalProperty)] : pointer;
    return { field, pointer: where };
}

// ---------------------------------------------------------------------------------------------
// Lines: js-yaml reports each node it composes to a listener; the tree of those events gives the
// line of every key and entry, for errors found after parsing (by the schema).
// ---------------------------------------------------------------------------------------------

interface Node {
    readonly value: unknown;
    /** 0-based. */
    readonly line: number;
    readonly kind: string | null;
    readonly children: Node[];
}

function loadWithLines(text: string): { document: unknown; tree: Node | undefined } {
    const yaml = require("js-yaml") as Yaml;
    const stack: { children: Node[]; line: number }[] = [{ children: [], line: 0 }];
    const listener = (event: "open" | "close", state: YamlState): void => {
        if (event === "open") {
            stack.push({ children: [], line: state.line });
            return;
        }
        const frame = stack.pop();
        if (frame === undefined || stack.length === 0) {
            return;
        }
        const line = frame.children.length > 0 ? frame.children[0].line : state.line;
        stack[stack.length - 1].children.push({ value: state.result, line, kind: state.kind, children: frame.children });
    };
    // CORE_SCHEMA: dates stay strings (the default schema would turn `2026-06-30` into a Date).
    const document = yaml.load(text, { schema: yaml.CORE_SCHEMA, listener });
    return { document, tree: stack[0].children[0] };
}

/** The 1-based line of the node at `pointer` (the key's line for a mapping entry), or the nearest ancestor's. */
function lineAt(tree: Node | undefined, pointer: readonly (string | number)[]): number | undefined {
    let node = tree && unwrap(tree);
    if (node === undefined) {
        return undefined;
    }
    let line = node.line;
    for (const part of pointer) {
        const next: { line: number; node: Node } | undefined = typeof part === "number"
            ? node.kind === "sequence" && node.children[part] ? { line: node.children[part].line, node: node.children[part] } : undefined
            : entryOf(node, part);
        if (next === undefined) {
            break;
        }
        line = next.line;
        node = unwrap(next.node);
    }
    return line + 1;
}

function entryOf(node: Node, key: string): { line: number; node: Node } | undefined {
    if (node.kind !== "mapping") {
        return undefined;
    }
    for (let i = 0; i + 1 < node.children.length; i += 2) {
        if (node.children[i].value === key) {
            return { line: node.children[i].line, node: node.children[i + 1] };
        }
    }
    return undefined;
}

/** js-yaml may report a flow collection twice (an outer node holding the same value). */
function unwrap(node: Node): Node {
    let current = node;
    while (current.children.length === 1 && current.children[0].value === current.value && current.children[0].kind === current.kind) {
        current = current.children[0];
    }
    return current;
}

function isYamlException(error: unknown): error is YamlException {
    return error instanceof Error && error.name === "YAMLException";
}

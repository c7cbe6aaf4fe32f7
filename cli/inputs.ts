import { promises as fs, Stats } from "fs";
import type { InputKind } from "../report/model";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { inventoryFromStackExport } from "../sources/pulumi/stack-export";
import { FrontEndResult, terraformHcl, terraformPlan, terraformState } from "./front-ends";
import { describeUnexpected, fileSystemProblem, InputFailure } from "./errors";
import { parseJsonText, pathNestedDeeperThan } from "../sources/json-text";
import { isTerraformFile } from "../sources/terraform/files";
import { collectGarbage } from "./memory";

export const STDIN_ARG = "-";
export const STDIN_NAME = "<stdin>";

/** What is learnt of an input while it is read: its kind, and the length of its JSON text. */
interface InputState {
    kind: InputKind | "unknown";
    textLength: number;
}

/** A JSON input this long (in UTF-16 units: 1 MiB, about 600 plan resources) is collected once read; below it a scan's heap is mostly the program itself. */
const LARGE_INPUT_CHARS = 1 << 20;

export interface LoadedInput extends FrontEndResult {
    readonly file: string;
    readonly kind: InputKind;
}

export interface InputReader {
    readStdin(): Promise<string>;
}

/**
 * Read one input into an Inventory. Every problem becomes an `InputFailure` carrying the file,
 * the line where known and what is wrong, never content of the input.
 */
export async function loadInput(arg: string, forced: InputKind | "auto", reader: InputReader, hcl: { readonly workspace?: string } = {}): Promise<LoadedInput> {
    const file = arg === STDIN_ARG ? STDIN_NAME : arg;
    const state: InputState = { kind: forced === "auto" ? "unknown" : forced, textLength: 0 };
    try {
        const result = await load(arg, file, forced, state, reader, hcl);
        if (state.kind === "unknown") {
            throw new Error("input kind not determined");
        }
        if (state.textLength >= LARGE_INPUT_CHARS) {
            // The parsed input is garbage now that its Inventory is built: collect it before the rules run.
            collectGarbage();
        }
        return { file, kind: state.kind, ...result };
    } catch (error) {
        if (error instanceof InputFailure) {
            throw error;
        }
        if (error instanceof SourceError || (error instanceof Error && error.name === "SourceError")) {
            const source = error as SourceError;
            throw new InputFailure(file, state.kind, source.message, source.line, source.file);
        }
        throw new InputFailure(file, state.kind, describeUnexpected(error), undefined, undefined, error);
    }
}

async function load(arg: string, file: string, forced: InputKind | "auto", state: InputState, reader: InputReader, hcl: { readonly workspace?: string }): Promise<FrontEndResult> {
    if (arg === STDIN_ARG) {
        if (forced === "terraform-hcl") {
            throw new SourceError("Terraform HCL cannot be read from stdin: pass the .tf file or its directory", file);
        }
        const input: { text?: string } = {};
        try {
            input.text = await reader.readStdin();
        } catch (error) {
            const large = tooLarge(error, undefined);
            throw large === undefined ? error : new SourceError(large, file);
        }
        return fromText(input, file, forced, state);
    }
    let stats: Stats;
    try {
        stats = await fs.stat(arg);
    } catch (error) {
        throw new SourceError(fileSystemProblem(error), file);
    }
    if (stats.isDirectory()) {
        if (forced !== "auto" && forced !== "terraform-hcl") {
            throw new SourceError(`is a directory, not a ${forced} file`, file);
        }
        state.kind = "terraform-hcl";
        return terraformHcl(arg, hcl);
    }
    if (forced === "terraform-hcl" || (forced === "auto" && isTerraformFile(arg))) {
        state.kind = "terraform-hcl";
        if (!isTerraformFile(arg)) {
            // Terraform itself reads only these; anything else would silently yield nothing.
            throw new SourceError("not a Terraform configuration file: their names end in .tf or .tf.json", file);
        }
        await readable(arg, file);
        return terraformHcl(arg, hcl);
    }
    const input: { text?: string } = {};
    try {
        input.text = await fs.readFile(arg, "utf8");
    } catch (error) {
        throw new SourceError(tooLarge(error, stats.size) ?? fileSystemProblem(error), file);
    }
    return fromText(input, file, forced, state);
}

/**
 * A JSON input is read whole into one string, and V8's strings stop at 2^29 - 24 characters
 * (Node.js says "Invalid string length", or ERR_FS_FILE_TOO_LARGE past 2 GiB): say so, with the
 * size, rather than "cannot be read" of a file that is readable.
 */
function tooLarge(error: unknown, bytes: number | undefined): string | undefined {
    const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
    if (code !== "ERR_FS_FILE_TOO_LARGE" && code !== "ERR_STRING_TOO_LONG" && !(error instanceof RangeError && /string length/i.test(error.message))) {
        return undefined;
    }
    const size = bytes === undefined ? "" : ` (${(bytes / 1e6).toFixed(0)} MB)`;
    return `too large to read${size}: a JSON input is read whole, and the limit is ${MAX_JSON_TEXT_MIB} MiB of text`;
}

/** V8's longest string (2^29 - 24 UTF-16 code units), in MiB of ASCII text. */
const MAX_JSON_TEXT_MIB = 512;

async function readable(arg: string, file: string): Promise<void> {
    try {
        const handle = await fs.open(arg, "r");
        await handle.close();
    } catch (error) {
        throw new SourceError(fileSystemProblem(error), file);
    }
}

const NOT_RECOGNISED = "not a Terraform plan/state JSON or a Pulumi stack export";

/**
 * The input text is held in a box that is emptied once parsed: at 300k resources it is a string of
 * several hundred MB, and nothing needs it while the inventory is built from the parsed value.
 */
async function fromText(input: { text?: string }, file: string, forced: InputKind | "auto", state: InputState): Promise<FrontEndResult> {
    state.textLength = input.text?.length ?? 0;
    const json = parseInput(input, file, forced);
    const kind = forced === "auto" ? detectKind(json, file) : forced;
    state.kind = kind;
    try {
        return await readJson(json, file, kind);
    } catch (error) {
        // The readers walk values recursively; JSON.parse does not. Terraform and Pulumi write a
        // few dozen levels at most, so an input that overflows the stack is hostile or broken: say
        // where it nests too deeply instead of reporting a bug.
        const path = isStackOverflow(error) ? pathNestedDeeperThan(json, NESTING_LIMIT) : undefined;
        if (path !== undefined) {
            throw new SourceError(`nests more than ${NESTING_LIMIT} levels deep (at ${path.length > 120 ? `${path.slice(0, 120)}…` : path}): Terraform and Pulumi never write that; the input is broken`, file);
        }
        throw error;
    }
}

const NESTING_LIMIT = 1000;

function isStackOverflow(error: unknown): boolean {
    return error instanceof RangeError && /call stack/i.test(error.message);
}

async function readJson(json: unknown, file: string, kind: InputKind): Promise<FrontEndResult> {
    switch (kind) {
        case "pulumi-export":
            return { inventory: inventoryFromStackExport(json, { file }), problems: [] };
        case "terraform-plan":
            return terraformPlan(json, file);
        case "terraform-state":
            return terraformState(json, file);
        case "terraform-hcl":
            throw new SourceError("Terraform HCL is read from a .tf file or a directory, not from JSON text", file);
    }
}

function parseInput(input: { text?: string }, file: string, forced: InputKind | "auto"): unknown {
    const raw = input.text ?? "";
    input.text = undefined;
    const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (text.trim() === "") {
        throw new SourceError(file === STDIN_NAME ? "empty input" : "empty file", file);
    }
    const parsed = parseJsonText(text);
    if (!parsed.ok) {
        // Checked only once JSON.parse has refused the text (JSON never holds a raw NUL): a scan over
        // a large input's whole text would cost every good input.
        if (text.startsWith("PK\u0003\u0004")) {
            throw new SourceError(`${NOT_RECOGNISED} (looks like a saved binary Terraform plan: convert it with \`terraform show -json <planfile>\`)`, file);
        }
        if (text.includes("\u0000")) {
            throw new SourceError(`${NOT_RECOGNISED} (a binary file)`, file);
        }
        const problem = parsed.problem;
        const position = `column ${problem.column}, offset ${problem.offset}`;
        const first = text.trimStart()[0];
        if (forced === "auto" && first !== "{" && first !== "[") {
            const hint = looksLikeHcl(text)
                ? "looks like Terraform HCL: pass a .tf file or its directory, or use --format-in terraform-hcl with a file path"
                : `not JSON: ${problem.reason}`;
            throw new SourceError(`${NOT_RECOGNISED} (${hint})`, file, problem.line);
        }
        const what = problem.truncated ? "truncated JSON" : "invalid JSON";
        throw new SourceError(`${what}: ${problem.reason} (${position})`, file, problem.line);
    }
    return parsed.value;
}

function looksLikeHcl(text: string): boolean {
    return /^\s*(resource|data|module|provider|variable|terraform|locals|output)\s*("[^"]*"\s*)*\{/m.test(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The kind of a JSON input, from its top-level shape. Anything else is refused with a hint at
 * what it looks like, so a wrong file in a pipeline is obvious from the error alone.
 */
export function detectKind(json: unknown, file: string): InputKind {
    const refuse = (looksLike: string): never => {
        throw new SourceError(`${NOT_RECOGNISED} (${looksLike})`, file);
    };
    if (Array.isArray(json)) {
        return refuse("a JSON list");
    }
    if (!isObject(json)) {
        return refuse(`a JSON ${json === null ? "null" : typeof json}`);
    }
    const has = (key: string) => Object.prototype.hasOwnProperty.call(json, key);
    if (has("format_version")) {
        if (has("planned_values") || has("resource_changes")) {
            return "terraform-plan";
        }
        if (has("provider_schemas")) {
            return refuse("looks like `terraform providers schema -json` output");
        }
        if (has("diagnostics") || has("valid")) {
            return refuse("looks like `terraform validate -json` output");
        }
        // `terraform show -json` of an empty state is `{"format_version": ..}` (+ terraform_version).
        if (has("values") || Object.keys(json).every(key => key === "format_version" || key === "terraform_version")) {
            return "terraform-state";
        }
        return refuse("Terraform JSON of an unrecognised kind");
    }
    if (has("version") && (has("deployment") || has("checkpoint"))) {
        return "pulumi-export";
    }
    if (has("lineage") && has("serial")) {
        return refuse("looks like a raw Terraform state file: convert it with `terraform show -json`");
    }
    if (has("name") && (has("dependencies") || has("devDependencies") || has("scripts") || has("version"))) {
        return refuse("looks like a package.json");
    }
    if (has("compilerOptions")) {
        return refuse("looks like a tsconfig.json");
    }
    if (has("AWSTemplateFormatVersion") || has("Resources")) {
        return refuse("looks like a CloudFormation template");
    }
    if (has("openapi") || has("swagger")) {
        return refuse("looks like an OpenAPI document");
    }
    if (has("steps") || has("changeSummary")) {
        return refuse("looks like `pulumi preview --json` output: scan `pulumi stack export` instead, or run the policy pack with `pulumi preview --policy-pack`");
    }
    if (has("resource") || has("provider") || has("terraform")) {
        return refuse("looks like Terraform JSON configuration: pass it as a file named *.tf.json, or its directory");
    }
    return refuse("an unrecognised JSON object");
}

/**
 * The inputs a path argument stands for: a directory given to an auto-detecting or HCL scan is
 * walked for Terraform roots (`sources/terraform/discover.ts`), each its own input; anything else,
 * and a directory with no Terraform files anywhere (reported as such when read), is itself.
 */
export async function expandInput(arg: string, forced: InputKind | "auto", exclude: readonly string[]): Promise<string[]> {
    if (arg === STDIN_ARG || (forced !== "auto" && forced !== "terraform-hcl")) {
        return [arg];
    }
    try {
        if (!(await fs.stat(arg)).isDirectory()) {
            return [arg];
        }
    } catch {
        return [arg];
    }
    const { terraformRoots } = await import("../sources/terraform/discover");
    const roots = await terraformRoots(arg, { exclude });
    return roots.length > 0 ? roots : [arg];
}

/** Each argument once, each expanded (`expandInput`), the results once each, in order. */
export async function expandInputs(args: readonly string[], forced: InputKind | "auto", exclude: readonly string[]): Promise<string[]> {
    const expanded: string[] = [];
    for (const arg of new Set(args)) {
        expanded.push(...await expandInput(arg, forced, exclude));
    }
    return [...new Set(expanded)];
}

import { runRules } from "apigw-guard/policies/engine/run";
import { RULES } from "apigw-guard/policies/rules/index";
import { buildReport, FailOn, InputError, InputKind, InputResult, Report, reportRules } from "../report/model";
import { DEFAULT_CONFIG, loadConfigFile } from "../cli/config";
import { describeUnexpected, InputFailure, TOOL_NAME, UsageError } from "../cli/errors";
import { clockFrom, configWaivers, loadGates } from "../cli/gates";
import { expandInputs, LoadedInput, loadInput, STDIN_ARG, STDIN_NAME } from "../cli/inputs";
import { kitVersion } from "./version";

/** One problem met while reading an input: where (file, line when known) and what, never input content. */
export interface InputProblem {
    readonly file: string;
    readonly line?: number;
    readonly message: string;
    /** The error behind a problem that ended the input (for debug output); absent for notes. */
    readonly error?: unknown;
}

export interface ScanOptions {
    /** Policy config file (JSON), in the format of `pulumi preview --policy-pack-config`. */
    readonly config?: string;
    /** Input kind for every input, instead of detecting it from content (default `auto`). */
    readonly formatIn?: InputKind | "auto";
    /** Which findings block (default `mandatory`). */
    readonly failOn?: FailOn;
    /** The clock for age rules and the report timestamp: a Date or an ISO-8601 string (default: `APIGW_GUARD_NOW` in `env`, or now). */
    readonly now?: Date | string;
    /** Waivers file (YAML or JSON), baseline (a previous JSON report), framework views. */
    readonly waivers?: string;
    readonly baseline?: string;
    readonly framework?: readonly string[];
    /** Name and version written into the report (default: apigw-guard and this package's version). */
    readonly tool?: { readonly name: string; readonly version: string };
    /** Environment read for `APIGW_GUARD_NOW` (default: `process.env`). */
    readonly env?: NodeJS.ProcessEnv;
    /** Reads stdin for the input `-` (default: none, and `-` is then an input error). */
    readonly readStdin?: () => Promise<string>;
    /** Globs of directories not walked when a directory is scanned for Terraform roots (relative paths, or names). */
    readonly exclude?: readonly string[];
    /** `terraform.workspace` in Terraform HCL inputs (default `default`). */
    readonly workspace?: string;
    /** Called, in order, for every problem met while reading inputs; the report lists them too. */
    readonly onInputProblem?: (problem: InputProblem) => void;
}

/**
 * Evaluates the rules over each input (Terraform plan/state JSON, a directory or file of `.tf` —
 * a directory is walked for Terraform roots, each its own input —
 * a Pulumi stack export; `-` for stdin) and returns one report. Each input is read and evaluated on
 * its own (refs stay unique per input). An input that cannot be read is listed in the report with
 * its error, and the others are still scanned. Throws `UsageError` for bad options (a config,
 * waivers or baseline file that cannot be used, a bad `now`).
 *
 * Render it with `renderReport`; `report.summary.gate.blocking > 0` is a failing gate.
 */
export async function scan(inputs: readonly string[], options: ScanOptions = {}): Promise<Report> {
    const env = options.env ?? process.env;
    const now = options.now instanceof Date ? options.now : clockFrom(options.now, env);
    if (inputs.filter(p => p === STDIN_ARG).length > 1) {
        throw new UsageError(`'${STDIN_ARG}' (stdin) can be given only once`);
    }
    const config = options.config !== undefined ? await loadConfigFile(options.config) : DEFAULT_CONFIG;
    const gates = await loadGates(
        { waivers: options.waivers, baseline: options.baseline, framework: options.framework !== undefined ? [...options.framework] : undefined },
        {
            knownRules: new Set(RULES.map(rule => rule.id)),
            configWaivers: configWaivers(config.config, options.config, RULES.map(rule => rule.id)),
        },
    );
    const reader = { readStdin: options.readStdin ?? (() => Promise.reject(new UsageError(`'${STDIN_ARG}' (stdin) is not available here`))) };
    const report = (problem: InputProblem): void => options.onInputProblem?.(problem);
    const results: InputResult[] = [];
    // A directory stands for every Terraform root in it: each root is its own input.
    for (const arg of await expandInputs(inputs, options.formatIn ?? "auto", options.exclude ?? [])) {
        results.push(await scanInput(arg, { formatIn: options.formatIn ?? "auto", reader, ...(options.workspace !== undefined ? { workspace: options.workspace } : {}), config: config.config, now, report }));
    }
    return buildReport({
        tool: options.tool ?? { name: TOOL_NAME, version: kitVersion() },
        generatedAt: now,
        inputs: results,
        rules: reportRules(RULES, config.levelOf),
        failOn: options.failOn ?? "mandatory",
        ...gates,
    });
}

/** How one input is read and judged (`scan` and the golden-report fixture use it alike). */
export interface InputSettings {
    readonly formatIn: InputKind | "auto";
    readonly reader: { readStdin(): Promise<string> };
    readonly workspace?: string;
    readonly config: Readonly<Record<string, unknown>>;
    readonly now: Date;
    readonly report: (problem: InputProblem) => void;
}

/** One input read and judged: its findings, gaps and problems, or the error that stopped it. */
export async function scanInput(arg: string, settings: InputSettings): Promise<InputResult> {
    try {
        const read = await readInput(arg, settings);
        if (!read.ok) {
            return read.failed;
        }
        const { input, errors } = read;
        const { findings } = runRules(input.inventory, RULES, { config: settings.config, now: settings.now });
        return {
            file: input.file,
            kind: input.kind,
            findings,
            entities: input.inventory.size,
            gaps: input.inventory.gaps.map(gap => ({ ...(gap.ref !== undefined ? { ref: gap.ref } : {}), message: gap.message })),
            errors,
        };
    } catch (error) {
        return failedInput(arg, error, settings.report).failed;
    }
}

/** One input read, not judged, as `scan` reads it: every problem reported as it is met. */
export type ReadInput =
    | { readonly ok: true; readonly input: LoadedInput; readonly errors: InputError[] }
    | { readonly ok: false; readonly failed: InputResult; readonly message: string };

export async function readInput(arg: string, settings: Pick<InputSettings, "formatIn" | "reader" | "workspace" | "report">): Promise<ReadInput> {
    try {
        const input = await loadInput(arg, settings.formatIn, settings.reader, settings.workspace !== undefined ? { workspace: settings.workspace } : {});
        for (const problem of input.problems) {
            settings.report({ file: problem.file ?? input.file, ...(problem.line !== undefined ? { line: problem.line } : {}), message: problem.message });
        }
        return { ok: true, input, errors: input.problems.map(problem => inputError(problem.message, problem.file, problem.line, input.file)) };
    } catch (error) {
        return { ok: false, ...failedInput(arg, error, settings.report) };
    }
}

/** An input that could not be read (or judged): reported, and listed with its error. */
function failedInput(arg: string, error: unknown, report: (problem: InputProblem) => void): { readonly failed: InputResult; readonly message: string } {
    const failure = error instanceof InputFailure ? error : new InputFailure(arg === STDIN_ARG ? STDIN_NAME : arg, "unknown", describeUnexpected(error), undefined, undefined, error);
    report({ file: failure.file, ...(failure.line !== undefined ? { line: failure.line } : {}), message: failure.message, error });
    return { failed: { file: failure.input, kind: failure.kind, errors: [inputError(failure.message, failure.file, failure.line, failure.input)] }, message: failure.message };
}

function inputError(message: string, file: string | undefined, line: number | undefined, input: string): InputError {
    return {
        message,
        ...(file !== undefined && file !== input ? { file } : {}),
        ...(line !== undefined ? { line } : {}),
    };
}

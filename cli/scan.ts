import { promises as fs } from "fs";
import * as path from "path";
import { InvalidArgumentError, Option } from "commander";
import { runRules } from "#pack/engine/run";
import {
    buildReport, createReporter, FailOn, InputError, InputKind, InputResult, isReportFormat, Report, REPORT_FORMATS, ReportFormat, reportRules,
} from "../report";
import { RULES } from "#pack/rules/index";
import { DEFAULT_CONFIG, loadConfigFile } from "./config";
import { clockFrom, configWaivers, GateFlags, loadGates } from "./gates";
import { debugDetails, describeUnexpected, errorLine, fileSystemProblem, InputFailure, TOOL_NAME, UsageError } from "./errors";
import { loadInput, STDIN_ARG, STDIN_NAME } from "./inputs";

export interface ScanOptions {
    readonly config?: string;
    readonly format: ReportFormat;
    readonly output?: string;
    readonly failOn: FailOn;
    readonly formatIn: InputKind | "auto";
    readonly now?: string;
    readonly showPasses?: boolean;
    /** Several reports from one run (repeated `--format`/`--output`); when given, `format` and `output` are not used. */
    readonly outputs?: readonly ReportOutput[];
    /** `--waivers`, `--baseline`, `--framework` (cli/gates.ts). */
    readonly waivers?: GateFlags["waivers"];
    readonly baseline?: GateFlags["baseline"];
    readonly framework?: GateFlags["framework"];
}

/** What a subcommand's `register…Command` takes: where output goes, the tool's name/version, and who receives the exit code. */
export interface RegisterCommandOptions {
    /** Where output goes and the environment comes from (default: this process). */
    readonly io?: CliIO;
    readonly tool?: { readonly name: string; readonly version: string };
    /** Receives the exit code (default: sets `process.exitCode`). */
    readonly onExit?: (code: number) => void;
}

/** The exit-code receiver of a registered command: the caller's, or `process.exitCode`. */
export function exitHandler(options: RegisterCommandOptions): (code: number) => void {
    return options.onExit ?? ((code: number) => {
        process.exitCode = code;
    });
}

export interface CliIO {
    readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
    readonly stderr: { write(text: string): unknown };
    readonly env: NodeJS.ProcessEnv;
    readStdin(): Promise<string>;
}

export const EXIT = { ok: 0, blocking: 1, usage: 2 } as const;

/** Pins the clock when `--now` is not given (shared with the policy pack). */
export const NOW_ENV = "APIGW_GUARD_NOW";

/**
 * `apigw-guard scan`: each input is read and evaluated on its own (refs stay unique per input);
 * all findings go into one report. An unreadable input is listed with its error and the run
 * ends with exit 2, but the other inputs are still scanned and reported.
 */
export async function scan(paths: readonly string[], options: ScanOptions, io: CliIO, tool: { name: string; version: string }): Promise<number> {
    const now = clockFrom(options.now, io.env);
    if (paths.filter(p => p === STDIN_ARG).length > 1) {
        throw new UsageError(`'${STDIN_ARG}' (stdin) can be given only once`);
    }
    const config = options.config !== undefined ? await loadConfigFile(options.config) : DEFAULT_CONFIG;
    const gates = await loadGates(options, {
        knownRules: new Set(RULES.map(rule => rule.id)),
        configWaivers: configWaivers(config.config, options.config, RULES.map(rule => rule.id)),
    });
    const results: InputResult[] = [];
    for (const arg of new Set(paths)) {
        try {
            const input = await loadInput(arg, options.formatIn, io);
            const { findings } = runRules(input.inventory, RULES, { config: config.config, now });
            for (const problem of input.problems) {
                io.stderr.write(errorLine(problem.file ?? input.file, problem.line, problem.message));
            }
            results.push({
                file: input.file,
                kind: input.kind,
                findings,
                entities: input.inventory.size,
                gaps: input.inventory.gaps.map(gap => ({ ...(gap.ref !== undefined ? { ref: gap.ref } : {}), message: gap.message })),
                errors: input.problems.map(problem => inputError(problem.message, problem.file, problem.line, input.file)),
            });
        } catch (error) {
            const failure = error instanceof InputFailure ? error : new InputFailure(arg === STDIN_ARG ? STDIN_NAME : arg, "unknown", describeUnexpected(error), undefined, undefined, error);
            io.stderr.write(errorLine(failure.file, failure.line, failure.message));
            const details = debugDetails(error, io.env);
            if (details) {
                io.stderr.write(details);
            }
            results.push({ file: failure.input, kind: failure.kind, errors: [inputError(failure.message, failure.file, failure.line, failure.input)] });
        }
    }
    const report = buildReport({
        tool,
        generatedAt: now,
        inputs: results,
        rules: reportRules(RULES, config.levelOf),
        failOn: options.failOn,
        ...gates,
    });
    // The report holds its own findings: the engine's may go before the (large) rendering.
    results.length = 0;
    const outputs = options.outputs ?? [{ format: options.format, ...(options.output !== undefined ? { output: options.output } : {}) }];
    if (!(await writeReports(report, outputs, { showPasses: options.showPasses === true }, io))) {
        return EXIT.usage;
    }
    if (report.summary.inputs.withErrors > 0) {
        return EXIT.usage;
    }
    return report.summary.gate.blocking > 0 ? EXIT.blocking : EXIT.ok;
}

/** One report a run writes: a format, to a file or (no `output`) to stdout. */
export interface ReportOutput {
    readonly format: ReportFormat;
    readonly output?: string;
}

/**
 * Renders the report once per output, in order. Text is colored only on a terminal's stdout. A
 * file that cannot be written is reported and the others are still written; returns false then.
 */
export async function writeReports(report: Report, outputs: readonly ReportOutput[], options: { readonly showPasses: boolean }, io: CliIO): Promise<boolean> {
    let written = true;
    for (const target of outputs) {
        const color = target.output === undefined && io.stdout.isTTY === true && !noColor(io.env);
        const reporter = createReporter(target.format, { color, showPasses: options.showPasses });
        if (target.output === undefined) {
            for (const chunk of reporter.chunks ? reporter.chunks(report) : [reporter.render(report)]) {
                io.stdout.write(chunk);
            }
            continue;
        }
        try {
            if (reporter.chunks) {
                // In pieces: a large report never exists as one string (nor as one Buffer).
                const handle = await fs.open(target.output, "w");
                try {
                    for (const chunk of reporter.chunks(report)) {
                        await handle.write(chunk, null, "utf8");
                    }
                } finally {
                    await handle.close();
                }
            } else {
                await fs.writeFile(target.output, reporter.render(report), "utf8");
            }
        } catch (error) {
            io.stderr.write(errorLine(target.output, undefined, `cannot write the report: ${fileSystemProblem(error).replace("cannot be read", "cannot be written")}`));
            written = false;
        }
    }
    return written;
}

/**
 * `--format` and `--output`, repeatable: `--format sarif --output r.sarif --format html --output
 * r.html --format text`. The option parsers record the command-line order (commander calls them
 * in that order), and `outputs()` pairs each `--output` with the `--format` before it; at most one
 * format may go to stdout. A single `--format` and `--output` pair up in either order, as they
 * always have. Make one per parse (the order is state).
 */
export class OutputFlags {
    private readonly sequence: Array<{ readonly flag: "--format" | "--output"; readonly value: string }> = [];

    formatOption(): Option {
        return new Option("--format <format>", `report format: ${REPORT_FORMATS.join(", ")} (repeatable, each with its own --output; default text)`)
            .argParser((value: string) => {
                if (!isReportFormat(value)) {
                    throw new InvalidArgumentError(`Allowed choices are ${REPORT_FORMATS.join(", ")}.`);
                }
                this.sequence.push({ flag: "--format", value });
                return value;
            });
    }

    outputOption(): Option {
        return new Option("--output <file>", "write the report of the --format before it to a file instead of stdout (never colored)")
            .argParser((value: string) => {
                this.sequence.push({ flag: "--output", value });
                return value;
            });
    }

    /** The outputs, paired; a `UsageError` (exit 2) when they do not pair. */
    outputs(): ReportOutput[] {
        return pairOutputs(this.sequence);
    }
}

export function pairOutputs(sequence: ReadonlyArray<{ readonly flag: "--format" | "--output"; readonly value: string }>): ReportOutput[] {
    const formats = sequence.filter(item => item.flag === "--format").map(item => item.value);
    const files = sequence.filter(item => item.flag === "--output").map(item => item.value);
    const asFormat = (value: string): ReportFormat => {
        if (!isReportFormat(value)) {
            throw new UsageError(`--format: '${value.slice(0, 20)}' is not one of ${REPORT_FORMATS.join(", ")}`);
        }
        return value;
    };
    if (formats.length <= 1 && files.length <= 1) {
        return [{ format: asFormat(formats[0] ?? "text"), ...(files[0] !== undefined ? { output: files[0] } : {}) }];
    }
    const pairs: Array<{ format: ReportFormat; output?: string }> = [];
    for (const item of sequence) {
        if (item.flag === "--format") {
            pairs.push({ format: asFormat(item.value) });
            continue;
        }
        const last = pairs[pairs.length - 1];
        if (last === undefined) {
            throw new UsageError(`--output '${item.value}' comes before any --format: with several --format, put each --output after the --format it is for`);
        }
        if (last.output !== undefined) {
            throw new UsageError(`--output '${item.value}': the --format ${last.format} before it already goes to '${last.output}'`);
        }
        last.output = item.value;
    }
    const toStdout = pairs.filter(pair => pair.output === undefined);
    if (toStdout.length > 1) {
        throw new UsageError(`only one --format can go to stdout, but ${toStdout.map(pair => pair.format).join(" and ")} have no --output`);
    }
    const seen = new Map<string, ReportFormat>();
    for (const pair of pairs) {
        if (pair.output !== undefined) {
            const key = path.resolve(pair.output);
            const other = seen.get(key);
            if (other !== undefined) {
                throw new UsageError(`--output '${pair.output}' is given for both --format ${other} and --format ${pair.format}`);
            }
            seen.set(key, pair.format);
        }
    }
    return pairs;
}

function inputError(message: string, file: string | undefined, line: number | undefined, input: string): InputError {
    return {
        message,
        ...(file !== undefined && file !== input ? { file } : {}),
        ...(line !== undefined ? { line } : {}),
    };
}

/** https://no-color.org: set and not empty disables color. */
export function noColor(env: NodeJS.ProcessEnv): boolean {
    return env.NO_COLOR !== undefined && env.NO_COLOR !== "";
}

export { TOOL_NAME };

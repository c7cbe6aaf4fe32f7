import { promises as fs } from "fs";
import { runRules } from "../policies/engine/run";
import { buildReport, createReporter, FailOn, InputError, InputKind, InputResult, ReportFormat, reportRules } from "../policies/report";
import { RULES } from "../policies/rules";
import { DEFAULT_CONFIG, loadConfigFile } from "./config";
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
    const now = clock(options.now, io.env);
    if (paths.filter(p => p === STDIN_ARG).length > 1) {
        throw new UsageError(`'${STDIN_ARG}' (stdin) can be given only once`);
    }
    const config = options.config !== undefined ? await loadConfigFile(options.config) : DEFAULT_CONFIG;
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
    });
    const toFile = options.output !== undefined;
    const color = !toFile && io.stdout.isTTY === true && !noColor(io.env);
    const rendered = createReporter(options.format, { color, showPasses: options.showPasses === true }).render(report);
    if (options.output !== undefined) {
        try {
            await fs.writeFile(options.output, rendered, "utf8");
        } catch (error) {
            io.stderr.write(errorLine(options.output, undefined, `cannot write the report: ${fileSystemProblem(error).replace("cannot be read", "cannot be written")}`));
            return EXIT.usage;
        }
    } else {
        io.stdout.write(rendered);
    }
    if (report.summary.inputs.withErrors > 0) {
        return EXIT.usage;
    }
    return report.summary.gate.blocking > 0 ? EXIT.blocking : EXIT.ok;
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

function clock(flag: string | undefined, env: NodeJS.ProcessEnv): Date {
    const [value, source] = flag !== undefined ? [flag, "--now"] : env[NOW_ENV] ? [env[NOW_ENV], NOW_ENV] : [undefined, ""];
    if (value === undefined) {
        return new Date();
    }
    const date = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) || Number.isNaN(date.getTime())) {
        throw new UsageError(`${source}: '${value}' is not an ISO-8601 date or date-time (e.g. 2026-06-01 or 2026-06-01T12:00:00Z)`);
    }
    return date;
}

export { TOOL_NAME };

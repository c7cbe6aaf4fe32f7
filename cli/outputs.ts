import { closeSync, promises as fs, openSync, realpathSync, writeSync } from "fs";
import * as path from "path";
import { InvalidArgumentError, Option } from "commander";
import type { AsffOptions } from "../report/asff";
import { createReporter, isReportFormat, REPORT_FORMATS, ReportFormat } from "../report/formats";
import type { Report } from "../report/model";
import { CliIO, noColor } from "./command";
import { asffOf } from "./security-hub";
import { errorLine, fileSystemProblem, UsageError } from "./errors";

/** One report a run writes: a format, to a file or (no `output`) to stdout. */
export interface ReportOutput {
    readonly format: ReportFormat;
    readonly output?: string;
}

/**
 * Renders the report once per output, in order. Text is colored only on a terminal's stdout. A
 * file that cannot be written is reported and the others are still written; returns false then.
 */
export async function writeReports(report: Report, outputs: readonly ReportOutput[], options: { readonly showPasses: boolean; readonly asff?: AsffOptions }, io: CliIO): Promise<boolean> {
    if (outputs.some(target => target.format === "asff")) {
        // Before anything is written: findings with no account or region are bad usage (exit 2).
        asffOf(report, options.asff ?? {});
    }
    let written = true;
    for (const target of outputs) {
        const color = target.output === undefined && io.stdout.isTTY === true && !noColor(io.env);
        const reporter = createReporter(target.format, { color, showPasses: options.showPasses, ...(options.asff !== undefined ? { asff: options.asff } : {}) });
        if (target.output === undefined) {
            for (const chunk of reporter.chunks ? reporter.chunks(report) : [reporter.render(report)]) {
                io.stdout.write(chunk);
            }
            continue;
        }
        try {
            if (reporter.chunks) {
                // In pieces: a large report never exists as one string (nor as one Buffer).
                writeChunks(target.output, reporter.chunks(report));
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
 * Writes the chunks to a file synchronously: a report of 100k resources is thousands of chunks,
 * and one awaited write each kept the run waiting on the thread pool between them. Nothing else
 * runs while a report is written.
 */
function writeChunks(file: string, chunks: Iterable<string>): void {
    const fd = openSync(file, "w");
    try {
        for (const chunk of chunks) {
            writeAll(fd, chunk);
        }
    } finally {
        closeSync(fd);
    }
}

function writeAll(fd: number, text: string): void {
    // A short write (a full disk, a pipe) is rare: only then is the rest written from bytes.
    const written = writeSync(fd, text, null, "utf8");
    const bytes = Buffer.byteLength(text, "utf8");
    if (written < bytes) {
        const rest = Buffer.from(text, "utf8");
        let offset = written;
        while (offset < rest.length) {
            offset += writeSync(fd, rest, offset, rest.length - offset);
        }
    }
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

/**
 * A report written over one of the run's own inputs (`--output plan.json` for `scan plan.json`, or
 * over the baseline it compares with) would destroy the input silently: refuse, before anything is
 * read. Paths are compared resolved, and through symbolic links where the file exists.
 */
export function refuseOverwritingInputs(outputs: readonly ReportOutput[], inputs: readonly string[]): void {
    const real = (file: string): string => {
        try {
            return realpathSync(file);
        } catch {
            return path.resolve(file);
        }
    };
    const inputPaths = new Map(inputs.filter(input => input !== "-").map(input => [real(input), input]));
    for (const { output } of outputs) {
        const input = output !== undefined ? inputPaths.get(real(output)) : undefined;
        if (input !== undefined) {
            throw new UsageError(`--output '${output}' is also an input ('${input}'): writing the report there would destroy it; choose another file`);
        }
    }
}

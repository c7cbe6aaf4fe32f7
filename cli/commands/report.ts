import { promises as fs } from "fs";
import { Command } from "commander";
import { buildReport, FailOn } from "../../report";
import { EventLine, PulumiEventsError, reportFromPulumiEvents } from "../../report/pulumi-events";
import { RULES } from "apigw-guard/policies/rules/index";
import { errorLine, fileSystemProblem, TOOL_NAME, UsageError, writeFailure } from "../errors";
import { addGateOptions, clockFrom, failOnOption, GateFlags, GATES_HELP, loadGates } from "../gates";
import { parseJsonText } from "../../sources/json-text";
import { CliIO, EXIT, exitHandler, NOW_ENV, processIO, RegisterCommandOptions, toolOf } from "../command";
import { OutputFlags, refuseOverwritingInputs, ReportOutput, writeReports } from "../outputs";
import { asffOptionsOf } from "../security-hub";

const STDIN_ARG = "-";
const STDIN_NAME = "<stdin>";

const REPORT_HELP = `
Input:
  --pulumi-events FILE   the engine event log of a preview or update (- for stdin):
                           pulumi preview --policy-pack ./policies --event-log events.ndjson
                         Any policy pack's events are read, not only ${TOOL_NAME}'s: policy names
                         become rule ids. pulumi preview --json drops policy events; the event log
                         keeps them.

What is read: policyEvent (a violation: message, level, severity), policyAnalyzeSummaryEvent and
policyAnalyzeStackSummaryEvent (policies that passed), policyRemediationEvent (a policy had to fix
the resource: the changed property names, never their values), policyRemediateSummaryEvent (failed
remediations). Other events are skipped and counted in a note.

Exit codes:
  0  no blocking finding
  1  blocking findings (new, not waived failures at --fail-on; default: mandatory)
  2  bad usage, a line that is not a JSON engine event (its line number is given), or a bad
     waivers or baseline file
${GATES_HELP}
Examples:
  $ pulumi preview --policy-pack ./policies --event-log events.ndjson
  $ ${TOOL_NAME} report --pulumi-events events.ndjson
  $ ${TOOL_NAME} report --pulumi-events events.ndjson --waivers waivers.yaml --format json --output report.json
`;

export interface ReportFlags extends GateFlags {
    pulumiEvents?: string;
    /** The --format/--output pairs (default: text to stdout). */
    outputs?: readonly ReportOutput[];
    failOn: FailOn;
    now?: string;
    showPasses?: boolean;
    /** For --format asff: the account and region of the findings (an event log names neither), and whether passes are written. */
    accountId?: string;
    region?: string;
    asffIncludePassed?: boolean;
}

export type RegisterReportOptions = RegisterCommandOptions;

/** Adds `report` to a program (register after configuring the program, as for `audit`). */
export function registerReportCommand(program: Command, options: RegisterReportOptions = {}): void {
    const onExit = exitHandler(options);
    const outputFlags = new OutputFlags();
    const command = program
        .command("report")
        .description("Turn the policy results of a Pulumi engine event log (pulumi preview --event-log) into a report and a gate.")
        .option("--pulumi-events <file>", "the engine event log (NDJSON) of `pulumi preview|up --event-log FILE`, or - for stdin")
        .addOption(outputFlags.formatOption())
        .addOption(outputFlags.outputOption())
        .addOption(failOnOption())
        .option("--now <iso>", `pin the clock for waiver expiry and the report timestamp (ISO-8601; default: ${NOW_ENV} or the current time)`)
        .option("--show-passes", "also list passing findings in text output")
        .option("--account-id <id>", "AWS account id of the findings, for --format asff (12 digits)")
        .option("--region <region>", "AWS region of the findings, for --format asff")
        .option("--asff-include-passed", "also write passed findings in ASFF (archived, so re-imports close resolved findings)");
    addGateOptions(command)
        .addHelpText("after", REPORT_HELP)
        .action(async (flags: ReportFlags) => {
            const io = options.io ?? processIO();
            const tool = toolOf(options, program);
            let outputs: ReportOutput[];
            try {
                outputs = outputFlags.outputs();
            } catch (error) {
                if (error instanceof UsageError) {
                    io.stderr.write(errorLine(error.file, error.line, error.message));
                    onExit(EXIT.usage);
                    return;
                }
                throw error;
            }
            onExit(await runReport({ ...flags, outputs }, io, tool));
        });
}

/** Runs `report`; returns the exit code. Never throws. */
export async function runReport(flags: ReportFlags, io: CliIO, tool: { readonly name: string; readonly version: string }): Promise<number> {
    try {
        if (flags.pulumiEvents === undefined) {
            throw new UsageError("say what to report on: --pulumi-events FILE (the log of `pulumi preview --event-log FILE`)");
        }
        refuseOverwritingInputs(flags.outputs ?? [], [flags.pulumiEvents, flags.waivers, flags.baseline].filter((file): file is string => file !== undefined));
        const now = clockFrom(flags.now, io.env);
        const gates = await loadGates(flags);
        const file = flags.pulumiEvents === STDIN_ARG ? STDIN_NAME : flags.pulumiEvents;
        const text = await readEvents(flags.pulumiEvents, file, io);
        const lines = parseLines(text, file);
        let events;
        try {
            events = reportFromPulumiEvents(file, lines, RULES);
        } catch (error) {
            if (error instanceof PulumiEventsError) {
                throw new UsageError(error.message, file, error.line);
            }
            throw error;
        }
        const report = buildReport({ tool, generatedAt: now, inputs: [events.input], rules: events.rules, failOn: flags.failOn, ...gates });
        const asff = asffOptionsOf({
            ...(flags.accountId !== undefined ? { accountId: flags.accountId } : {}),
            ...(flags.region !== undefined ? { asffRegion: flags.region } : {}),
            ...(flags.asffIncludePassed === true ? { asffIncludePassed: true } : {}),
        });
        if (!(await writeReports(report, flags.outputs ?? [{ format: "text" }], { showPasses: flags.showPasses === true, asff }, io))) {
            return EXIT.usage;
        }
        for (const problem of events.input.errors ?? []) {
            io.stderr.write(errorLine(file, problem.line, problem.message));
        }
        if (report.summary.inputs.withErrors > 0) {
            return EXIT.usage;
        }
        return report.summary.gate.blocking > 0 ? EXIT.blocking : EXIT.ok;
    } catch (error) {
        writeFailure(error, io);
        return EXIT.usage;
    }
}

async function readEvents(arg: string, file: string, io: CliIO): Promise<string> {
    try {
        return arg === STDIN_ARG ? await io.readStdin() : await fs.readFile(arg, "utf8");
    } catch (error) {
        throw new UsageError(`--pulumi-events: ${fileSystemProblem(error)}`, file);
    }
}

/** NDJSON: one JSON value a line; blank lines skipped. A bad line stops the run with its number. */
export function parseLines(text: string, file: string): EventLine[] {
    const out: EventLine[] = [];
    const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split("\n");
    for (let i = 0; i < lines.length; i++) {
        const raw = lines[i].replace(/\r$/, "");
        if (raw.trim() === "") {
            continue;
        }
        const parsed = parseJsonText(raw);
        if (!parsed.ok) {
            const truncated = parsed.problem.truncated && i >= lines.length - 2 ? " (the log may be cut short)" : "";
            throw new UsageError(`not a JSON engine event: ${parsed.problem.reason} (column ${parsed.problem.column})${truncated}`, file, i + 1);
        }
        out.push({ line: i + 1, event: parsed.value });
    }
    if (out.length === 0) {
        throw new UsageError("the event log is empty", file);
    }
    return out;
}



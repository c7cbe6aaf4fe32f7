import { Command, Option } from "commander";
import { scan as scanInputs } from "../../api/scan";
import { FailOn, InputKind, INPUT_KINDS } from "../../report";
import { CliIO, EXIT, exitHandler, NOW_ENV, processIO, RegisterCommandOptions, toolOf } from "../command";
import { debugDetails, errorLine, TOOL_NAME } from "../errors";
import { addGateOptions, failOnOption, GateFlags, GATES_HELP } from "../gates";
import { OutputFlags, refuseOverwritingInputs, ReportOutput, writeReports } from "../outputs";

export interface ScanOptions {
    readonly config?: string;
    readonly failOn: FailOn;
    readonly formatIn: InputKind | "auto";
    readonly now?: string;
    readonly showPasses?: boolean;
    /** The reports of the run (repeated `--format`/`--output`, paired). */
    readonly outputs: readonly ReportOutput[];
    /** `--waivers`, `--baseline`, `--framework` (cli/gates.ts). */
    readonly waivers?: GateFlags["waivers"];
    readonly baseline?: GateFlags["baseline"];
    readonly framework?: GateFlags["framework"];
    /** `--exclude`: directories not walked when a directory is scanned for Terraform roots. */
    readonly exclude?: readonly string[];
    /** `--workspace`: `terraform.workspace` in Terraform HCL inputs. */
    readonly workspace?: string;
}

const SCAN_HELP = `
Inputs (detected from content; --format-in forces one):
  terraform-plan   terraform show -json tfplan > plan.json
  terraform-state  terraform show -json > state.json
  terraform-hcl    a directory, walked for Terraform roots (each root is its own input; local
                   modules are read with the root that calls them; .terraform/, .git/ and
                   node_modules/ are skipped), or one .tf file (read statically)
  pulumi-export    pulumi stack export > stack.json (--show-secrets values are never printed)
  -                read a JSON input from stdin

Exit codes:
  0  no blocking finding
  1  blocking findings: new (not in --baseline), not waived failures at --fail-on (default: mandatory)
  2  bad usage, a bad config, waivers or baseline file, or an input that could not be read (the
     others are still reported)
${GATES_HELP}
Clock:
  Age rules (API key age) compare against the current time. --now, or ${NOW_ENV} when --now is
  not given, pins it (and the report timestamp), so a scan of the same input is reproducible.

Colors:
  Text output is colored only when stdout is a terminal and NO_COLOR is not set; never with --output.

Examples:
  $ ${TOOL_NAME} scan plan.json
  $ terraform show -json tfplan | ${TOOL_NAME} scan - --format json --output report.json
  $ ${TOOL_NAME} scan ./infra stack.json --config policy-config.json --fail-on advisory
  $ ${TOOL_NAME} scan plan.json --format sarif --output report.sarif --format html --output report.html --format text
  $ ${TOOL_NAME} scan plan.json --waivers waivers.yaml --baseline main-report.json --fail-on high
  $ ${TOOL_NAME} scan plan.json --framework pci-dss-v4
`;

interface RawScanOptions {
    config?: string;
    failOn: ScanOptions["failOn"];
    formatIn: ScanOptions["formatIn"];
    now?: string;
    showPasses?: boolean;
    waivers?: string;
    baseline?: string;
    framework?: string[];
    exclude?: string[];
    workspace?: string;
}

/** `apigw-guard scan <path...>`. */
export function registerScanCommand(program: Command, options: RegisterCommandOptions = {}): void {
    const onExit = exitHandler(options);
    // Repeatable --format/--output pairs: the order they are given in decides the pairing.
    const scanOutputs = new OutputFlags();
    const scanCommand = program
        .command("scan")
        .description("Evaluate the rules over Terraform and Pulumi inputs and report the findings.")
        .argument("<path...>", "inputs: plan/state JSON, stack export JSON, a .tf file or directory, or - for stdin")
        .option("--config <file>", "policy config (JSON), in the format of `pulumi preview --policy-pack-config`")
        .addOption(scanOutputs.formatOption())
        .addOption(scanOutputs.outputOption())
        .addOption(failOnOption())
        .addOption(new Option("--format-in <kind>", "input kind, instead of detecting it from content").choices(["auto", ...INPUT_KINDS]).default("auto"))
        .option("--now <iso>", `pin the clock for age rules and the report timestamp (ISO-8601; default: ${NOW_ENV} or the current time)`)
        .option("--show-passes", "also list passing and not-applicable findings in text output")
        .option("--exclude <glob>", "a directory not walked for Terraform roots: a path relative to the scanned directory, or a name; * and ** as in waivers (repeatable)", (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
        .option("--workspace <name>", "terraform.workspace for Terraform HCL inputs (default: default)");
    addGateOptions(scanCommand)
        .addHelpText("after", SCAN_HELP)
        .action(async (paths: string[], flags: RawScanOptions) => {
            onExit(await scan(paths, { ...flags, outputs: scanOutputs.outputs() }, options.io ?? processIO(), toolOf(options, program)));
        });
}

/**
 * `apigw-guard scan`: the programmatic `scan` (api/scan.ts) with the command's I/O. Each problem is
 * written to stderr as it is met (with debug details under APIGW_GUARD_DEBUG); an unreadable input
 * ends the run with exit 2, but the other inputs are still scanned and reported.
 */
export async function scan(paths: readonly string[], options: ScanOptions, io: CliIO, tool: { name: string; version: string }): Promise<number> {
    const outputs = options.outputs;
    refuseOverwritingInputs(outputs, [...paths, ...[options.config, options.waivers, options.baseline].filter((file): file is string => file !== undefined)]);
    const report = await scanInputs(paths, {
        ...(options.config !== undefined ? { config: options.config } : {}),
        formatIn: options.formatIn,
        failOn: options.failOn,
        ...(options.now !== undefined ? { now: options.now } : {}),
        ...(options.waivers !== undefined ? { waivers: options.waivers } : {}),
        ...(options.baseline !== undefined ? { baseline: options.baseline } : {}),
        ...(options.framework !== undefined ? { framework: options.framework } : {}),
        ...(options.exclude !== undefined ? { exclude: options.exclude } : {}),
        ...(options.workspace !== undefined ? { workspace: options.workspace } : {}),
        tool,
        env: io.env,
        readStdin: () => io.readStdin(),
        onInputProblem: problem => {
            io.stderr.write(errorLine(problem.file, problem.line, problem.message));
            const details = problem.error !== undefined ? debugDetails(problem.error, io.env) : undefined;
            if (details) {
                io.stderr.write(details);
            }
        },
    });
    if (!(await writeReports(report, outputs, { showPasses: options.showPasses === true }, io))) {
        return EXIT.usage;
    }
    if (report.summary.inputs.withErrors > 0) {
        return EXIT.usage;
    }
    return report.summary.gate.blocking > 0 ? EXIT.blocking : EXIT.ok;
}

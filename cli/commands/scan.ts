import { Command, Option } from "commander";
import { scan as scanInputs } from "../../api/scan";
import { FailOn, InputKind, INPUT_KINDS } from "../../report/model";
import { CliIO, EXIT, exitHandler, NOW_ENV, processIO, RegisterCommandOptions, toolOf } from "../command";
import { debugDetails, errorLine, TOOL_NAME, UsageError } from "../errors";
import { addGateOptions, failOnOption, GateFlags, GATES_HELP } from "../gates";
import { OutputFlags, refuseOverwritingInputs, ReportOutput, writeReports } from "../outputs";
import { addSecurityHubOptions, asffOf, asffOptionsOf, importIntoSecurityHub, SECURITY_HUB_HELP, SecurityHubFlags } from "../security-hub";
import type { SecurityHubOptions } from "../../sources/aws/security-hub";

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
    /** `--account-id`, `--region`, `--asff-include-passed`, `--send-to-security-hub` (cli/security-hub.ts). */
    readonly securityHub?: SecurityHubFlags;
    /** `--profile`, `--endpoint-url`: where `--send-to-security-hub` sends, as whom. */
    readonly profile?: string;
    readonly endpointUrl?: string;
    /** Test seam: static credentials, retry timings for the Security Hub client. */
    readonly securityHubOverrides?: Partial<SecurityHubOptions>;
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
     others are still reported), or findings --send-to-security-hub could not import
${GATES_HELP}${SECURITY_HUB_HELP}  IaC findings name no account: --format asff and --send-to-security-hub need --account-id,
  and --region for resources whose region the input does not show (a state file's ARNs do).

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
  $ ${TOOL_NAME} scan plan.json --account-id 123456789012 --region eu-west-1 --send-to-security-hub
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
    accountId?: string;
    region?: string;
    asffIncludePassed?: boolean;
    sendToSecurityHub?: boolean;
    profile?: string;
    endpointUrl?: string;
}

export interface RegisterScanOptions extends RegisterCommandOptions {
    /** Test seam: static credentials and retry timings for `--send-to-security-hub`. */
    readonly securityHubOverrides?: Partial<SecurityHubOptions>;
}

/** `apigw-guard scan <path...>`. */
export function registerScanCommand(program: Command, options: RegisterScanOptions = {}): void {
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
    addSecurityHubOptions(scanCommand, { region: true })
        .option("--profile <name>", "AWS profile for --send-to-security-hub")
        .option("--endpoint-url <url>", "Security Hub endpoint for --send-to-security-hub, instead of AWS's (as in the AWS CLI)");
    addGateOptions(scanCommand)
        .addHelpText("after", SCAN_HELP)
        .action(async (paths: string[], raw: RawScanOptions) => {
            const { accountId, region, asffIncludePassed, sendToSecurityHub, ...flags } = raw;
            const securityHub: SecurityHubFlags = {
                ...(accountId !== undefined ? { accountId } : {}),
                ...(region !== undefined ? { asffRegion: region } : {}),
                ...(asffIncludePassed === true ? { asffIncludePassed } : {}),
                ...(sendToSecurityHub === true ? { sendToSecurityHub } : {}),
            };
            onExit(await scan(paths, {
                ...flags,
                outputs: scanOutputs.outputs(),
                securityHub,
                ...(options.securityHubOverrides !== undefined ? { securityHubOverrides: options.securityHubOverrides } : {}),
            }, options.io ?? processIO(), toolOf(options, program)));
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
    const securityHub = options.securityHub ?? {};
    const asff = asffOptionsOf(securityHub);
    const wantsAsff = securityHub.sendToSecurityHub === true || outputs.some(output => output.format === "asff");
    // IaC inputs never name an account: asking for ASFF without one fails now, not after the scan
    // (and not only on the day a finding first fails).
    if (wantsAsff && asff.account === undefined) {
        throw new UsageError("ASFF needs an AWS account id: pass --account-id (Terraform and Pulumi inputs do not name one)");
    }
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
    // Built before any report is written: a finding with no region stops the run with nothing half-written.
    const findings = wantsAsff ? asffOf(report, asff) : [];
    if (!(await writeReports(report, outputs, { showPasses: options.showPasses === true, asff }, io))) {
        return EXIT.usage;
    }
    if (securityHub.sendToSecurityHub === true) {
        const imported = await importIntoSecurityHub(findings, {
            ...(options.profile !== undefined ? { profile: options.profile } : {}),
            ...(options.endpointUrl !== undefined ? { endpointUrl: options.endpointUrl } : {}),
            ...options.securityHubOverrides,
        }, io);
        if (!imported) {
            return EXIT.usage;
        }
    }
    if (report.summary.inputs.withErrors > 0) {
        return EXIT.usage;
    }
    return report.summary.gate.blocking > 0 ? EXIT.blocking : EXIT.ok;
}

import { promises as fs } from "fs";
import { Command, Option } from "commander";
import { runRules } from "apigw-guard/policies/engine/run";
import { AsffOptions, buildReport, createReporter, FAIL_ON_VALUES, FailOn, REPORT_FORMATS, ReportFormat, reportRules } from "../../report";
import type { InputResult } from "../../report/model";
import { RULES } from "apigw-guard/policies/rules/index";
// The AWS SDK is loaded only when an audit runs: `scan` and `--help` never pay for it.
import type { AuditOptions, AuditStats } from "../../sources/aws/audit";
import type { AccountAudit, AccountSelection, EstateStats } from "../../sources/aws/estate";
import { AuditError } from "../../sources/aws/errors";
import { DEFAULT_CONFIG, loadConfigFile, LoadedConfig } from "../config";
import { debugDetails, errorLine, fileSystemProblem, TOOL_NAME, UsageError, writeFailure } from "../errors";
import { addGateOptions, clockFrom, configWaivers, failOnOption, GateFlags, Gates, GATES_HELP, loadGates } from "../gates";
import { ProgressBar } from "../progress";
import { readAccounts } from "../accounts";
import { CliIO, EXIT, exitHandler, noColor, NOW_ENV, processIO, RegisterCommandOptions, toolOf } from "../command";
import { ManagedBy, readManagedBy } from "../../api/managed-by";
import { managementMarker } from "../../sources/aws/managed";
import { addSecurityHubOptions, asffOf, asffOptionsOf, importIntoSecurityHub, SECURITY_HUB_HELP } from "../security-hub";

const UNUSED_RULE = "apigateway-api-key-unused";
/** As in sources/aws (not imported: the SDK side loads only when an audit runs). */
const REQUEST_TIMEOUT_S = 30;
const DEFAULT_MAX_PAGES_TEXT = "1,000";
const DEFAULT_UNUSED_DAYS = 30;
/** As DEFAULT_UNIT_CONCURRENCY in sources/aws/estate.ts. */
const DEFAULT_UNITS = 8;
const MAX_UNITS = 64;
const FAIL_ON: readonly FailOn[] = FAIL_ON_VALUES;
/** Flags other tools use to read key values; accepted only to refuse them by name. */
const KEY_VALUE_FLAGS = ["--include-values", "--include-value", "--include-key-values", "--show-key-values"];

const AUDIT_HELP = `
What it reads (read-only):
  API Gateway REST APIs, their resources and methods, stages (access logs, method settings,
  X-Ray, cache, WAF), API keys WITHOUT their values, usage plans and their keys, each plan's
  usage over the last --unused-days days, the account's CloudWatch role, custom domain names;
  HTTP and WebSocket APIs (API Gateway v2), their routes and stages; from CloudWatch Logs, the
  log groups stages write to (does each exist, how long it keeps events).
  IAM: apigateway:GET and logs:DescribeLogGroups; the minimal policy is in docs/audit.md.

Credentials and endpoint:
  The AWS SDK's usual chain: --profile or AWS_PROFILE, AWS_ACCESS_KEY_ID/..., SSO, instance
  roles. --endpoint-url (or AWS_ENDPOINT_URL) sends every request to another endpoint, e.g. a VPC
  endpoint. Without --region: AWS_REGION or the profile's region.

Many accounts and regions:
  --org lists the organization's ACTIVE accounts (run from the management account or a delegated
  administrator); --accounts takes ids (a file, one or more a line, # comments; or a comma list).
  --role-name is assumed in each account (session name apigw-guard-audit; --external-id when the
  role's trust policy asks for one). --region all audits each account's enabled regions.
  --concurrency account x region units run at once (default ${DEFAULT_UNITS}). An account whose role
  cannot be assumed, or a region that is not enabled, is a note of that account; the others are
  audited. The report has one input per account; every finding names its account and region.

Exit codes:
  0  no blocking finding
  1  blocking findings: new (not in --baseline), not waived failures at --fail-on (default: mandatory)
  2  bad usage, no or rejected credentials, no or unknown region, endpoint unreachable, a bad
     waivers or baseline file, --org when the organization cannot be listed, nothing readable at
     all (every listing denied, in every account), a --managed-by input that could not be read
     (the report is still written), or findings
     --send-to-security-hub could not import
${GATES_HELP}
Resources no code manages (--managed-by):
  --managed-by takes the inputs scan takes (plan/state JSON, stack exports, a .tf file or a
  directory, walked for Terraform roots) and reports every live API key, usage plan, REST API and
  stage that none of them manages (apigateway-unmanaged-resource, advisory unless the config
  makes it mandatory). Matched by id or ARN where the input knows them, else by name; the finding
  says which. The inputs are read before the account; one that cannot be read is reported, the
  audit still runs (what it may hold is "unknown", never unmanaged) and the exit code is 2.
${SECURITY_HUB_HELP}  The audit names each finding's region; --account-id names the account.

Reads that are denied, fail or return malformed items are reported as notes (what could not be
read) and the audit goes on; every rule that needed what was not read reports unknown for it.

Bounds:
  Each request has ${REQUEST_TIMEOUT_S} s for its whole answer (body included) and is retried a
  few times; a listing stops after ${DEFAULT_MAX_PAGES_TEXT} pages; --timeout (default 30m) bounds the whole audit.
  Each ends as a note naming what was not read.
Key values are never requested: --include-values and the like are refused.

Examples:
  $ ${TOOL_NAME} audit --region eu-west-1 --region us-east-1
  $ ${TOOL_NAME} audit --profile audit --unused-days 60 --format json --output audit.json
  $ ${TOOL_NAME} audit --region us-east-1 --managed-by infra/ prod-state.json stack.json
  $ ${TOOL_NAME} audit --org --role-name ApigwGuardAudit --external-id "$EXTERNAL_ID" --region all --format sarif --output org.sarif
  $ ${TOOL_NAME} audit --accounts accounts.txt --role-name ApigwGuardAudit --region eu-west-1,us-east-1
`;

export interface AuditFlags extends GateFlags {
    region?: string[];
    profile?: string;
    endpointUrl?: string;
    unusedDays?: string;
    config?: string;
    format: string;
    output?: string;
    failOn: string;
    now?: string;
    showPasses?: boolean;
    includeValues?: boolean;
    timeout?: string;
    managedBy?: string[];
    /** --account-id, --asff-include-passed, --send-to-security-hub (cli/security-hub.ts). */
    accountId?: string;
    asffIncludePassed?: boolean;
    sendToSecurityHub?: boolean;
    org?: boolean;
    accounts?: string;
    roleName?: string;
    externalId?: string;
    concurrency?: string;
}

export interface RegisterAuditOptions extends RegisterCommandOptions {
    /** Test seam: extra options for the SDK side (static credentials, retry timings). */
    readonly auditOverrides?: Partial<Pick<AuditOptions, "credentials" | "retry" | "requestTimeoutMs" | "connectionTimeoutMs" | "pageSize" | "maxPages" | "maxResponseBytes" | "stats" | "concurrency">>;
}

/**
 * Adds `audit` to a program. The command inherits the program's commander settings
 * (`exitOverride`, `configureOutput`), so register it after configuring the program.
 */
export function registerAuditCommand(program: Command, options: RegisterAuditOptions = {}): void {
    const onExit = exitHandler(options);
    const command = program
        .command("audit")
        .description("Audit a live AWS account's API Gateway, read-only: the same rules over what is deployed, and API keys with no recent requests.")
        .option("--region <region>", "region to audit (repeatable, or comma-separated; 'all': each account's enabled regions; default: AWS_REGION or the profile's)", collect)
        .option("--org", "audit every ACTIVE account of the organization (from the management or a delegated administrator account; needs --role-name)")
        .option("--accounts <file|list>", "audit these account ids: a file (one or more a line, # comments) or a comma-separated list")
        .option("--role-name <name>", "the role to assume in each account (arn:<partition>:iam::<account>:role/<name>)")
        .option("--external-id <id>", "the external id the role's trust policy asks for (sts:ExternalId)")
        .option("--concurrency <n>", `account x region units audited at once (1-${MAX_UNITS}; default ${DEFAULT_UNITS})`)
        .option("--profile <name>", "AWS profile from the shared config/credentials files")
        .option("--endpoint-url <url>", "send requests to this endpoint instead of AWS's (as in the AWS CLI)")
        .option("--unused-days <days>", `a key with no requests in this many days is unused (1-90; default: the config's ${UNUSED_RULE}.unusedDays or ${DEFAULT_UNUSED_DAYS})`)
        .option("--config <file>", "policy config (JSON), in the format of `pulumi preview --policy-pack-config`")
        .addOption(new Option("--format <format>", "report format").choices(REPORT_FORMATS).default("text"))
        .option("--output <file>", "write the report to a file instead of stdout (never colored)")
        .addOption(failOnOption())
        .option("--now <iso>", `pin the clock for age and usage windows, waiver expiry and the report timestamp (ISO-8601; default: ${NOW_ENV} or the current time)`)
        .option("--show-passes", "also list passing and not-applicable findings in text output")
        .option("--timeout <duration>", "time limit for the whole audit, e.g. 90s, 10m, 1h (default: 30m); what is not read by then is reported as not read")
        .option("--managed-by <inputs...>", "IaC that should manage the account (the inputs scan takes): report live keys, usage plans, APIs and stages none of them manages");
    addSecurityHubOptions(command, { region: false });
    addGateOptions(command);
    for (const flag of KEY_VALUE_FLAGS) {
        command.addOption(new Option(flag).hideHelp());
    }
    command
        .addHelpText("after", AUDIT_HELP)
        .action(async (flags: AuditFlags, self: Command) => {
            const io = options.io ?? processIO();
            const tool = toolOf(options, program);
            const refused = KEY_VALUE_FLAGS.find(flag => self.getOptionValue(camel(flag)) !== undefined);
            if (refused !== undefined) {
                io.stderr.write(errorLine(undefined, undefined, `refusing ${refused}: the audit never reads API key values (key ids, dates and usage are all it needs)`));
                onExit(EXIT.usage);
                return;
            }
            onExit(await runAudit(flags, io, tool, options.auditOverrides));
        });
}

/** Runs one audit; returns the exit code. Never throws; never prints a key value (none is read). */
export async function runAudit(
    flags: AuditFlags,
    io: CliIO,
    tool: { readonly name: string; readonly version: string },
    overrides: RegisterAuditOptions["auditOverrides"] = {},
): Promise<number> {
    let bar: ProgressBar | undefined;
    // The SDK announces its future Node.js floor on stderr; a CLI's stderr carries only its own lines.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    try {
        const format = flags.format as ReportFormat;
        if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
            throw new UsageError(`--format: '${flags.format}' is not one of ${REPORT_FORMATS.join(", ")}`);
        }
        if (!(FAIL_ON as readonly string[]).includes(flags.failOn)) {
            throw new UsageError(`--fail-on: '${flags.failOn}' is not one of ${FAIL_ON.join(", ")}`);
        }
        const failOn = flags.failOn as FailOn;
        const now = clockFrom(flags.now, io.env);
        const loaded = flags.config !== undefined ? await loadConfigFile(flags.config) : DEFAULT_CONFIG;
        const unusedDays = resolveUnusedDays(flags.unusedDays, loaded);
        const timeoutMs = flags.timeout !== undefined ? parseDuration(flags.timeout) : undefined;
        const asff = asffOptionsOf(flags);
        // Read before the account, so a bad waivers or baseline file costs no API calls.
        const gates = await loadGates(flags, {
            knownRules: new Set(RULES.map(rule => rule.id)),
            configWaivers: configWaivers(loaded.config, flags.config, RULES.map(rule => rule.id)),
        });
        // Read before the account too: a bad file costs no API calls.
        const managedBy = flags.managedBy !== undefined ? await readManagedByInputs(flags.managedBy, io) : undefined;
        const regionValues = (flags.region ?? []).flatMap(value => value.split(",")).map(value => value.trim()).filter(value => value !== "");
        const estate = await estateFlags(flags, regionValues);
        const regions = estate.regions === "all" ? [] : estate.regions;
        const stderr = io.stderr as CliIO["stderr"] & { readonly isTTY?: boolean; readonly columns?: number };
        bar = stderr.isTTY === true ? new ProgressBar(stderr, "auditing") : undefined;
        const progressBar = bar;
        const stats: EstateStats = Object.assign(overrides.stats ?? { regions: 0, throttled: 0, retried: 0, exhausted: 0 }, { accounts: 0, accountsRead: 0, units: 0 });
        const { auditEstate } = await import("../../sources/aws/estate");
        const accounts = await auditEstate({
            ...overrides,
            ...estate,
            unusedDays,
            now,
            stats,
            ...(timeoutMs !== undefined ? { timeoutMs } : {}),
            ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
            ...(flags.endpointUrl !== undefined ? { endpointUrl: flags.endpointUrl } : {}),
            ...(progressBar
                ? {
                    // One account: its units of work; several: accounts done of all.
                    onProgress: progress => progress.accountsTotal > 1
                        ? progressBar.update(progress.accountsDone, progress.accountsTotal, `accounts · ${progress.label}`)
                        : progressBar.update(progress.done, progress.total, progress.label),
                }
                : {}),
        });
        bar?.clear();
        if (stats.entitiesRead === 0) {
            for (const audited of accounts) {
                for (const gap of audited.inventory.gaps) {
                    io.stderr.write(errorLine(undefined, undefined, gap.message));
                }
            }
            io.stderr.write(errorLine(undefined, undefined, `nothing could be read: ${nothingReadAdvice(stats)}`));
            return EXIT.usage;
        }
        const mark = managedBy !== undefined ? managementMarker(managedBy.inputs) : undefined;
        const judged = mark !== undefined ? accounts.map(audited => ({ ...audited, inventory: mark(audited.inventory) })) : accounts;
        return await report(judged, { loaded, unusedDays, now, failOn, format, flags, regions, io, tool, gates, asff, overrides, managedByFailed: managedBy?.failed ?? [] });
    } catch (error) {
        bar?.clear();
        return failure(error, io);
    }
}

interface ReportContext {
    readonly loaded: LoadedConfig;
    readonly unusedDays: number;
    readonly now: Date;
    readonly failOn: FailOn;
    readonly format: ReportFormat;
    readonly flags: AuditFlags;
    readonly regions: readonly string[];
    readonly io: CliIO;
    readonly tool: { readonly name: string; readonly version: string };
    readonly gates: Gates;
    /** `--managed-by` inputs that could not be read (wholly or in part): listed, and exit 2. */
    readonly managedByFailed: ManagedBy["failed"];
    readonly asff: AsffOptions;
    readonly overrides: RegisterAuditOptions["auditOverrides"];
}

async function report(accounts: readonly AccountAudit[], context: ReportContext): Promise<number> {
    const { loaded, unusedDays, now, failOn, format, flags, io, tool } = context;
    const config = { ...loaded.config, [UNUSED_RULE]: { ...asObject(loaded.config[UNUSED_RULE]), unusedDays } };
    const built = buildReport({
        tool,
        generatedAt: now,
        // One input per account: the rules judge each account on its own, and every format groups by input.
        inputs: [
            ...accounts.map(audited => accountInput(audited, context.regions, runRules(audited.inventory, RULES, { config, now }).findings)),
            ...context.managedByFailed,
        ],
        rules: reportRules(RULES, loaded.levelOf),
        failOn,
        ...context.gates,
    });
    // Checked before anything is written: a finding with no account is bad usage, not an invented id.
    const findingsForSecurityHub = format === "asff" || flags.sendToSecurityHub === true ? asffOf(built, context.asff) : [];
    const toFile = flags.output !== undefined;
    const color = !toFile && io.stdout.isTTY === true && !noColor(io.env);
    const rendered = createReporter(format, { color, showPasses: flags.showPasses === true, asff: context.asff }).render(built);
    if (flags.output !== undefined) {
        try {
            await fs.writeFile(flags.output, rendered, "utf8");
        } catch (error) {
            io.stderr.write(errorLine(flags.output, undefined, `cannot write the report: ${fileSystemProblem(error).replace("cannot be read", "cannot be written")}`));
            return EXIT.usage;
        }
    } else {
        io.stdout.write(rendered);
    }
    if (flags.sendToSecurityHub === true) {
        const { credentials, retry, requestTimeoutMs, connectionTimeoutMs } = context.overrides ?? {};
        const imported = await importIntoSecurityHub(findingsForSecurityHub, {
            ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
            ...(flags.endpointUrl !== undefined ? { endpointUrl: flags.endpointUrl } : {}),
            ...(credentials !== undefined ? { credentials } : {}),
            ...(retry !== undefined ? { retry } : {}),
            ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
            ...(connectionTimeoutMs !== undefined ? { connectionTimeoutMs } : {}),
            // Security Hub takes a finding only from its own account: each with the role assumed there.
            credentialsFor: (account: string) => accounts.find(audited => audited.account === account)?.credentials,
        }, io);
        if (!imported) {
            return EXIT.usage;
        }
    }
    if (context.managedByFailed.length > 0) {
        return EXIT.usage;
    }
    return built.summary.gate.blocking > 0 ? EXIT.blocking : EXIT.ok;
}

/** The `--managed-by` inputs, each problem on stderr as `scan` writes it. */
async function readManagedByInputs(paths: readonly string[], io: CliIO): Promise<ManagedBy> {
    return readManagedBy(paths, {
        onInputProblem: problem => {
            io.stderr.write(errorLine(problem.file, problem.line, problem.message));
            const details = problem.error !== undefined ? debugDetails(problem.error, io.env) : undefined;
            if (details) {
                io.stderr.write(details);
            }
        },
    });
}

function accountInput(audited: AccountAudit, given: readonly string[], findings: InputResult["findings"]): InputResult {
    const { inventory } = audited;
    const read = [...new Set(inventory.ofKind("account").map(a => a.region ?? ""))].filter(r => r !== "");
    const shown = given.length > 0 ? given : read;
    return {
        // Without the account id (its caller identity unreadable), the regions name the input as before.
        file: audited.account !== undefined ? `aws account ${audited.account}` : `aws:${shown.join(",") || "default-region"}`,
        kind: "aws-account",
        findings,
        entities: inventory.size,
        gaps: inventory.gaps.map(gap => ({ ...(gap.ref !== undefined ? { ref: gap.ref } : {}), message: gap.message })),
        ...(audited.account !== undefined
            ? { account: { id: audited.account, ...(audited.name !== undefined ? { name: audited.name } : {}), regions: audited.regions } }
            : {}),
    };
}

/** Which accounts and regions, from `--org`, `--accounts`, `--role-name`, `--region all` and `--concurrency`. */
async function estateFlags(flags: AuditFlags, regionValues: readonly string[]): Promise<{
    accounts: AccountSelection; regions: readonly string[] | "all"; roleName?: string; externalId?: string; unitConcurrency?: number;
}> {
    if (flags.org === true && flags.accounts !== undefined) {
        throw new UsageError("--org and --accounts cannot be combined: --org audits every ACTIVE account of the organization");
    }
    if (flags.roleName !== undefined && flags.org !== true && flags.accounts === undefined) {
        throw new UsageError("--role-name needs --org or --accounts (the accounts to assume it in)");
    }
    if (flags.externalId !== undefined && flags.roleName === undefined) {
        throw new UsageError("--external-id needs --role-name");
    }
    const all = regionValues.some(value => value.toLowerCase() === "all");
    if (all && regionValues.length > 1) {
        throw new UsageError("--region all cannot be combined with other regions");
    }
    let unitConcurrency: number | undefined;
    if (flags.concurrency !== undefined) {
        if (!/^\d+$/.test(flags.concurrency.trim()) || Number(flags.concurrency) < 1 || Number(flags.concurrency) > MAX_UNITS) {
            throw new UsageError(`--concurrency: '${flags.concurrency}' is not a whole number from 1 to ${MAX_UNITS}`);
        }
        unitConcurrency = Number(flags.concurrency);
    }
    const accounts: AccountSelection = flags.org === true
        ? { kind: "organization" }
        : flags.accounts !== undefined ? { kind: "list", accounts: await readAccounts(flags.accounts) } : { kind: "caller" };
    return {
        accounts,
        regions: all ? "all" : regionValues,
        ...(flags.roleName !== undefined ? { roleName: flags.roleName } : {}),
        ...(flags.externalId !== undefined ? { externalId: flags.externalId } : {}),
        ...(unitConcurrency !== undefined ? { unitConcurrency } : {}),
    };
}

function failure(error: unknown, io: CliIO): number {
    if (error instanceof AuditError) {
        io.stderr.write(errorLine(undefined, undefined, error.message));
        return EXIT.usage;
    }
    writeFailure(error, io);
    return EXIT.usage;
}

/**
 * What to do when no read succeeded, from why they failed: a denial wants permissions, a server
 * error or a timeout does not.
 */
function nothingReadAdvice(stats: AuditStats): string {
    const failures = stats.failures ?? {};
    const advice: string[] = [];
    if ((failures.denied ?? 0) > 0) {
        advice.push("grant the read-only permissions in docs/audit.md");
    }
    if ((failures.server ?? 0) > 0) {
        advice.push("API Gateway answered with server errors (HTTP 5xx), which is a service problem, not a permission one: try again later");
    }
    if ((failures.throttled ?? 0) > 0) {
        advice.push("every read was throttled past its retries: try again when fewer deployments run");
    }
    if ((failures.timeout ?? 0) > 0 || (failures.deadline ?? 0) > 0 || stats.timedOut === true) {
        advice.push("the endpoint did not answer in time: check --endpoint-url and the network, or raise --timeout");
    }
    if ((failures.malformed ?? 0) > 0) {
        advice.push("the endpoint's answers are not API Gateway's (malformed responses): check --endpoint-url");
    }
    return advice.length > 0 ? advice.join("; ") : "see the notes above";
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const MAX_TIMEOUT_MS = 24 * 3_600_000;

/** `90s`, `10m`, `1h`, `500ms`, or plain seconds; from 1 s to 24 h. */
function parseDuration(text: string): number {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
    const ms = match ? Number(match[1]) * DURATION_UNITS_MS[match[2] ?? "s"] : Number.NaN;
    if (!Number.isFinite(ms) || ms < 1000 || ms > MAX_TIMEOUT_MS) {
        throw new UsageError(`--timeout: '${text}' is not a duration from 1s to 24h (e.g. 90s, 10m, 1h)`);
    }
    return Math.round(ms);
}

/** The flag wins, then the config's setting for the unused-key rule, then the rule's default. */
function resolveUnusedDays(flag: string | undefined, loaded: LoadedConfig): number {
    if (flag !== undefined) {
        if (!/^\d+$/.test(flag.trim()) || Number(flag) < 1 || Number(flag) > 90) {
            throw new UsageError(`--unused-days: '${flag}' is not a whole number from 1 to 90 (API Gateway keeps 90 days of usage)`);
        }
        return Number(flag);
    }
    const configured = asObject(loaded.config[UNUSED_RULE]).unusedDays;
    return typeof configured === "number" ? configured : DEFAULT_UNUSED_DAYS;
}

function asObject(value: unknown): Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function collect(value: string, previous: string[] | undefined): string[] {
    return [...(previous ?? []), value];
}

/** `--include-key-values` → `includeKeyValues`, as commander names option values. */
function camel(flag: string): string {
    return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}



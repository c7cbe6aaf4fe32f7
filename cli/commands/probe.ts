import { promises as fs } from "fs";
import { Command } from "commander";
import { Finding } from "apigw-guard/policies/engine/run";
import { buildReport, createReporter, FAIL_ON_VALUES, FailOn, isReportFormat, REPORT_FORMATS, ReportRule } from "../../report";
import { debugDetails, describeUnexpected, errorLine, fileSystemProblem, TOOL_NAME, UsageError, UsageErrors } from "../errors";
import { addGateOptions, clockFrom, GateFlags, Gates, GATES_HELP, loadGates } from "../gates";
import { parseJsonText } from "../../sources/json-text";
import { parseInvokeUrl, probe, ProbeOptions } from "../probe/engine";
import { parseRate } from "../probe/rate-limit";
import { redactSecrets } from "../probe/redact";
import { checkParamValue, DEFAULT_METHODS, parseRoutesFile, parseStackOutputs, ProbeInputError, ProbeRoute, SENDABLE_METHODS, STACK_OUTPUT_NAMES } from "../probe/routes";
import { PROBE_RULES } from "../probe/rules";
import { CliIO, EXIT, exitHandler, noColor, NOW_ENV, processIO, RegisterCommandOptions, toolOf } from "../command";

/** Where the valid key is read from unless --key-env names another variable. */
export const DEFAULT_KEY_ENV = "APIGW_GUARD_API_KEY";
export const DEFAULT_RATE = "5/s";
export const DEFAULT_TIMEOUT_MS = 5000;
/** A probe is a test, not a load test. */
export const MAX_RATE_PER_SECOND = 100;
export const MAX_TIMEOUT_MS = 120_000;
/** API Gateway refuses key values shorter than this, so a shorter one cannot be a valid key. */
export const MIN_KEY_LENGTH = 20;
const FAIL_ON: readonly FailOn[] = FAIL_ON_VALUES;
const STDIN_ARG = "-";

/** The options of `apigw-guard probe`, as commander hands them over. */
export interface ProbeFlags extends GateFlags {
    url?: string;
    routes?: string;
    fromPulumiOutputs?: string;
    apiOutput?: string;
    param?: string[];
    keyEnv: string;
    /** Set when --key-env was given on the command line (then the variable must be set). */
    keyEnvExplicit?: boolean;
    authorizationEnv?: string;
    methods: string;
    cors?: boolean;
    rate: string;
    timeout: string;
    format: string;
    output?: string;
    failOn: string;
    showPasses?: boolean;
    now?: string;
}

const PROBE_HELP = `
Routes (one of):
  --routes FILE               {"routes": [{"path": "/orders/{id}", "methods": ["GET"], "keyRequired": true,
                                           "params": {"id": "123"}},
                                          {"path": "/health", "methods": ["GET"], "public": true}],
                               "cors": true}
  --from-pulumi-outputs FILE  \`pulumi stack output --json\` (or - for stdin): the outputs
                              ${STACK_OUTPUT_NAMES.invokeUrl}, ${STACK_OUTPUT_NAMES.keyedRoutes} and ${STACK_OUTPUT_NAMES.publicRoutes} of a SecuredRestApi,
                              at the top level or under one output (--api-output NAME)

Checks, per keyed route and method: without a key and with a wrong key the stage must answer
403 {"message":"Forbidden"}; with the valid key it must not answer 403 (a 5xx is reported as a
backend problem). Public routes must be open; with CORS, OPTIONS without a key must not be refused.

Safety: only GET, HEAD and OPTIONS are sent unless --methods allows more; requests are sequential,
rate-limited (--rate) and time out (--timeout); redirects are never followed.

The key: read only from the environment variable named by --key-env (default ${DEFAULT_KEY_ENV});
never printed, logged or written. Without it the valid-key check is reported as not applicable.

Exit codes:
  0  no blocking finding (timeouts and refused connections are 'unknown', which never blocks)
  1  blocking findings: new (not in --baseline), not waived failures at --fail-on (default: mandatory)
  2  bad usage or input (bad --url, unreadable routes, a --key-env variable that is not set, a bad
     waivers or baseline file)
${GATES_HELP}
Examples:
  $ pulumi stack output --json > outputs.json
  $ APIGW_GUARD_API_KEY=... ${TOOL_NAME} probe --from-pulumi-outputs outputs.json --param id=123 --cors
  $ ${TOOL_NAME} probe --url https://abc123.execute-api.eu-west-1.amazonaws.com/v1 --routes routes.json --format json --output probe.json
`;

export type RegisterProbeOptions = RegisterCommandOptions;

/**
 * Adds `probe` to a program. The command inherits the program's commander settings
 * (`exitOverride`, `configureOutput`), so register it after configuring the program.
 */
export function registerProbeCommand(program: Command, options: RegisterProbeOptions = {}): void {
    const onExit = exitHandler(options);
    const command = program
        .command("probe")
        .description("Call a deployed stage and prove it refuses requests without an API key and accepts them with one.")
        .option("--url <invoke-url>", `the stage's invoke URL (default: the ${STACK_OUTPUT_NAMES.invokeUrl} output with --from-pulumi-outputs)`)
        .option("--routes <file>", "routes to probe (JSON, format below)")
        .option("--from-pulumi-outputs <file>", "read the routes from `pulumi stack output --json` (- for stdin)")
        .option("--api-output <name>", "with --from-pulumi-outputs: the output holding the API, when several do")
        .option("--param <name=value>", "a path parameter value for routes that do not give one (repeatable)", collect)
        .option("--key-env <name>", "environment variable holding a valid API key", DEFAULT_KEY_ENV)
        .option("--authorization-env <name>", "environment variable holding an Authorization header value, for APIs whose authorizer runs before the key check")
        .option("--methods <list>", "methods that may be sent (comma-separated)", DEFAULT_METHODS.join(","))
        .option("--cors", "the API answers CORS preflights: check OPTIONS without a key is not refused")
        .option("--no-cors", "the API has no CORS: do not check preflights")
        .option("--rate <rate>", `maximum request rate, e.g. 5/s or 120/min (at most ${MAX_RATE_PER_SECOND}/s)`, DEFAULT_RATE)
        .option("--timeout <ms>", "per-request timeout in milliseconds", String(DEFAULT_TIMEOUT_MS))
        .option("--format <format>", `report format (${REPORT_FORMATS.join(", ")})`, "text")
        .option("--output <file>", "write the report to a file instead of stdout (never colored)")
        .option("--fail-on <level>", `which failures fail the run (${FAIL_ON.join(", ")})`, "mandatory")
        .option("--show-passes", "also list passing and not-applicable findings in text output")
        .option("--now <iso>", `pin the clock for waiver expiry and the report timestamp (ISO-8601; default: ${NOW_ENV} or the current time)`);
    addGateOptions(command)
        .addHelpText("after", PROBE_HELP)
        .action(async (flags: ProbeFlags, command: Command) => {
            const io = options.io ?? processIO();
            const tool = toolOf(options, program);
            const keyEnvExplicit = command.getOptionValueSource("keyEnv") === "cli";
            onExit(await runProbe({ ...flags, keyEnvExplicit }, io, tool));
        });
}

function collect(value: string, previous: string[] | undefined): string[] {
    return [...(previous ?? []), value];
}

/** Runs one probe; returns the exit code. Never throws; never prints a secret. */
export async function runProbe(flags: ProbeFlags, io: CliIO, tool: { readonly name: string; readonly version: string }): Promise<number> {
    const secrets: string[] = [];
    const say = (line: string): void => {
        io.stderr.write(redactSecrets(line, secrets));
    };
    try {
        const settings = await settingsFrom(flags, io, secrets);
        const findings = await probe(settings.probe);
        return await report(findings, settings, flags, io, tool, secrets);
    } catch (error) {
        if (error instanceof UsageError) {
            say(errorLine(error.file, error.line, error.message));
            return EXIT.usage;
        }
        if (error instanceof UsageErrors) {
            for (const problem of error.problems) {
                say(errorLine(problem.file, problem.line, problem.message));
            }
            return EXIT.usage;
        }
        if (error instanceof ProbeInputError) {
            say(errorLine(undefined, undefined, `probe: ${error.message}`));
            return EXIT.usage;
        }
        say(errorLine(undefined, undefined, describeUnexpected(error)));
        const details = debugDetails(error, io.env);
        if (details) {
            say(details);
        }
        return EXIT.usage;
    }
}

interface ProbeSettings {
    readonly probe: ProbeOptions;
    readonly url: string;
    readonly format: "text" | "json";
    readonly failOn: FailOn;
    readonly gates: Gates;
    /** The report timestamp and the clock waivers are judged by. */
    readonly now: Date;
}

async function settingsFrom(flags: ProbeFlags, io: CliIO, secrets: string[]): Promise<ProbeSettings> {
    // Secrets first, so that every later message is redacted against them.
    const key = secretFromEnv(flags.keyEnv, "--key-env", io.env, flags.keyEnvExplicit === true, /^[\x21-\x7e]+$/);
    if (key !== undefined) {
        secrets.push(key);
        if (key.length < MIN_KEY_LENGTH) {
            throw new UsageError(`--key-env: the environment variable it names holds ${key.length} characters; API Gateway keys have at least ${MIN_KEY_LENGTH}`);
        }
    }
    const authorization = flags.authorizationEnv !== undefined
        ? secretFromEnv(flags.authorizationEnv, "--authorization-env", io.env, true, /^[\x21-\x7e][\x20-\x7e]*$/)
        : undefined;
    if (authorization !== undefined) {
        secrets.push(authorization);
    }

    const format = flags.format;
    if (!isReportFormat(format) || (format !== "text" && format !== "json")) {
        throw new UsageError(`--format must be one of text, json (got '${format.slice(0, 20)}')`);
    }
    const failOn = FAIL_ON.find(level => level === flags.failOn);
    if (failOn === undefined) {
        throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(", ")} (got '${flags.failOn.slice(0, 20)}')`);
    }
    const methods = parseMethods(flags.methods);
    const ratePerSecond = parseRate(flags.rate);
    if (ratePerSecond === undefined || ratePerSecond > MAX_RATE_PER_SECOND) {
        throw new UsageError(`--rate must be a positive rate of at most ${MAX_RATE_PER_SECOND}/s, e.g. 5/s or 120/min (got '${flags.rate.slice(0, 20)}')`);
    }
    const timeoutMs = /^\d+$/.test(flags.timeout.trim()) ? Number(flags.timeout.trim()) : Number.NaN;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
        throw new UsageError(`--timeout must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (got '${flags.timeout.slice(0, 20)}')`);
    }
    const params = parseParams(flags.param ?? []);
    const now = flags.now !== undefined ? clockFrom(flags.now, io.env) : reportTime(io.env);
    const gates = await loadGates(flags, { knownRules: new Set(PROBE_RULES.map(rule => rule.id)) });

    if (flags.routes !== undefined && flags.fromPulumiOutputs !== undefined) {
        throw new UsageError("give --routes or --from-pulumi-outputs, not both");
    }
    if (flags.apiOutput !== undefined && flags.fromPulumiOutputs === undefined) {
        throw new UsageError("--api-output needs --from-pulumi-outputs");
    }
    let routes: readonly ProbeRoute[];
    let cors: boolean | undefined;
    let fileParams: Readonly<Record<string, string>> = {};
    let url = flags.url;
    let urlSource = "--url";
    if (flags.routes !== undefined) {
        const file = flags.routes;
        const json = await readJson(file, io);
        const parsed = withFile(file, () => parseRoutesFile(json));
        routes = parsed.routes;
        cors = parsed.cors;
        fileParams = parsed.params ?? {};
    } else if (flags.fromPulumiOutputs !== undefined) {
        const file = flags.fromPulumiOutputs;
        const json = await readJson(file, io);
        const outputs = withFile(file, () => parseStackOutputs(json, flags.apiOutput));
        routes = outputs.routes;
        if (url === undefined && outputs.url !== undefined) {
            url = outputs.url;
            urlSource = `${displayName(file)}: ${outputs.source === "." ? "" : `${outputs.source}.`}${STACK_OUTPUT_NAMES.invokeUrl}`;
        }
    } else {
        throw new UsageError("say what to probe: --routes FILE or --from-pulumi-outputs FILE (see 'apigw-guard probe --help')");
    }
    if (url === undefined) {
        throw new UsageError(`--url is required (the outputs have no ${STACK_OUTPUT_NAMES.invokeUrl})`);
    }
    try {
        parseInvokeUrl(url);
    } catch (error) {
        if (error instanceof ProbeInputError) {
            throw new UsageError(`${urlSource}: ${error.message}`);
        }
        throw error;
    }

    return {
        url,
        format,
        failOn,
        gates,
        now,
        probe: {
            url,
            routes,
            methods,
            ratePerSecond,
            timeoutMs,
            params: { ...fileParams, ...params },
            ...(flags.cors !== undefined ? { corsEnabled: flags.cors } : cors !== undefined ? { corsEnabled: cors } : {}),
            ...(key !== undefined ? { key } : {}),
            ...(authorization !== undefined ? { authorization } : {}),
        },
    };
}

/**
 * Reads a secret from the environment. Errors never repeat the variable's name: someone who pastes
 * the key itself after --key-env would otherwise see it printed (and logged by their CI).
 */
function secretFromEnv(name: string, flag: string, env: NodeJS.ProcessEnv, required: boolean, allowed: RegExp): string | undefined {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new UsageError(`${flag} must name an environment variable (letters, digits, '_'): pass the variable's name, never the key itself`);
    }
    const value = env[name];
    if (value === undefined || value === "") {
        if (required) {
            throw new UsageError(`${flag}: the environment variable it names is not set or is empty`);
        }
        return undefined;
    }
    if (!allowed.test(value)) {
        throw new UsageError(`${flag}: the environment variable it names holds characters that cannot be sent in an HTTP header (line breaks, control or non-ASCII characters${flag === "--key-env" ? ", spaces" : ""})`);
    }
    return value;
}

function parseMethods(list: string): string[] {
    const methods = list.split(",").map(m => m.trim().toUpperCase()).filter(m => m !== "");
    if (methods.length === 0) {
        throw new UsageError(`--methods must list at least one of ${SENDABLE_METHODS.join(", ")}`);
    }
    for (const method of methods) {
        if (!(SENDABLE_METHODS as readonly string[]).includes(method)) {
            throw new UsageError(`--methods: '${method.slice(0, 20)}' is not one of ${SENDABLE_METHODS.join(", ")}`);
        }
    }
    return [...new Set(methods)];
}

function parseParams(pairs: readonly string[]): Record<string, string> {
    const params: Record<string, string> = {};
    for (const pair of pairs) {
        const at = pair.indexOf("=");
        const name = at > 0 ? pair.slice(0, at) : "";
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
            throw new UsageError("--param must be NAME=VALUE with NAME a path parameter name, e.g. --param id=123");
        }
        try {
            params[name] = checkParamValue(pair.slice(at + 1), `--param ${name}`);
        } catch (error) {
            throw error instanceof ProbeInputError ? new UsageError(error.message) : error;
        }
    }
    return params;
}

function displayName(file: string): string {
    return file === STDIN_ARG ? "<stdin>" : file;
}

/** Parse errors name the file; a parser's ProbeInputError becomes a UsageError that points at it. */
function withFile<T>(file: string, parse: () => T): T {
    try {
        return parse();
    } catch (error) {
        if (error instanceof ProbeInputError) {
            throw new UsageError(error.message, displayName(file));
        }
        throw error;
    }
}

async function readJson(file: string, io: CliIO): Promise<unknown> {
    let text: string;
    try {
        text = file === STDIN_ARG ? await io.readStdin() : await fs.readFile(file, "utf8");
    } catch (error) {
        throw new UsageError(fileSystemProblem(error), displayName(file));
    }
    const parsed = parseJsonText(text);
    if (!parsed.ok) {
        throw new UsageError(`not valid JSON: ${parsed.problem.reason} (column ${parsed.problem.column})`, displayName(file), parsed.problem.line);
    }
    return parsed.value;
}

async function report(findings: readonly Finding[], settings: ProbeSettings, flags: ProbeFlags, io: CliIO,
    tool: { readonly name: string; readonly version: string }, secrets: readonly string[]): Promise<number> {
    const rules: ReportRule[] = PROBE_RULES.map(rule => ({ id: rule.id, title: rule.title, severity: rule.severity, enforcementLevel: rule.enforcementLevel, controls: rule.controls, remediation: rule.remediation }));
    const entities = new Set(findings.map(f => f.entity?.ref).filter(ref => ref !== undefined));
    const built = buildReport({
        tool,
        generatedAt: settings.now,
        // The live stage is the input; the report model has no kind for it yet.
        inputs: [{ file: settings.url, kind: "api-stage", findings, entities: entities.size }],
        rules,
        failOn: settings.failOn,
        ...settings.gates,
    });
    const toFile = flags.output !== undefined;
    const color = !toFile && io.stdout.isTTY === true && !noColor(io.env);
    const rendered = redactSecrets(createReporter(settings.format, { color, showPasses: flags.showPasses === true }).render(built), secrets);
    if (flags.output !== undefined) {
        try {
            await fs.writeFile(flags.output, rendered, "utf8");
        } catch (error) {
            throw new UsageError(`cannot write the report: ${fileSystemProblem(error).replace("cannot be read", "cannot be written")}`, flags.output);
        }
    } else {
        io.stdout.write(rendered);
    }
    return built.summary.gate.blocking > 0 ? EXIT.blocking : EXIT.ok;
}

/** The report timestamp: pinned by APIGW_GUARD_NOW (as for scan) when it is a valid date. */
function reportTime(env: NodeJS.ProcessEnv): Date {
    const pinned = env[NOW_ENV];
    const date = pinned ? new Date(pinned) : undefined;
    return date !== undefined && !Number.isNaN(date.getTime()) ? date : new Date();
}




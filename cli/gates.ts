import { promises as fs } from "fs";
import { Command, Option } from "commander";
import { policyWaivers, Waiver } from "apigw-guard/policies/engine/config";
import { Baseline, FAIL_ON_VALUES, FailOn, FRAMEWORKS, FrameworkId, isFailOn } from "../report/model";
import { baselineFromReport, BaselineError } from "../report/baseline";
import { fileSystemProblem, TOOL_NAME, UsageError } from "./errors";
import { parseJsonText, parseJsonWithLines } from "../sources/json-text";
import { NOW_ENV } from "./command";
import { loadWaiversFile } from "./waivers-file";

/** The options every reporting command (`scan`, `audit`, `probe`, `report`) shares for its gate. */
export interface GateFlags {
    waivers?: string;
    baseline?: string;
    framework?: string[];
}

/** What `buildReport` takes from the gate options. */
export interface Gates {
    readonly waivers?: readonly Waiver[];
    readonly baseline?: Baseline;
    readonly frameworks?: readonly FrameworkId[];
}

export const FAIL_ON_HELP = "which failures fail the run (exit 1): mandatory (hard failures), advisory (any failure), none, " +
    "or a severity (critical, high, medium, low: any failure at least that severe, whatever its level)";

export const GATES_HELP = `
Gates (docs/gates.md):
  --fail-on mandatory|advisory|none   by enforcement level (default mandatory: hard failures block)
  --fail-on critical|high|medium|low  by severity: any failure at least that severe blocks
  --waivers FILE     accepted exceptions (YAML or JSON; schemas/waivers.schema.json): waived findings
                     are still reported, marked suppressed, and never block; expired waivers stop
                     suppressing and are reported, as are waivers that match nothing (stale)
  --baseline FILE    a previous --format json report: failures already in it are 'existing' and do
                     not block; only new ones do
  --framework ID     group the report by control: ${FRAMEWORKS.join(", ")} (repeatable)
`;

export function failOnOption(defaultValue: FailOn = "mandatory"): Option {
    return new Option("--fail-on <level>", FAIL_ON_HELP).choices(FAIL_ON_VALUES).default(defaultValue);
}

/** Adds `--waivers`, `--baseline` and `--framework` to a command. */
export function addGateOptions(command: Command): Command {
    return command
        .option("--waivers <file>", "waivers file (YAML or JSON): accepted exceptions with reason, approver and expiry")
        .option("--baseline <file>", "a previous JSON report: only failures not in it block")
        .option("--framework <id>", `group the report by the controls of ${FRAMEWORKS.join(", ")} (repeatable, or comma-separated)`, collect);
}

/** A `--fail-on` value from a command that does not use commander choices. */
export function parseFailOn(value: string): FailOn {
    if (!isFailOn(value)) {
        throw new UsageError(`--fail-on: '${value.slice(0, 20)}' is not one of ${FAIL_ON_VALUES.join(", ")}`);
    }
    return value;
}

export interface LoadGatesOptions {
    /** Rule ids waivers may name (besides `*`); absent: any (the pulumi events report, any pack). */
    readonly knownRules?: ReadonlySet<string>;
    /** Waivers from the policy config (`<policy>.waivers`), applied after the file's. */
    readonly configWaivers?: readonly Waiver[];
}

/** Reads the gate options' files. Problems are `UsageError`s (exit 2) naming the file. */
export async function loadGates(flags: GateFlags, options: LoadGatesOptions = {}): Promise<Gates> {
    const frameworks = parseFrameworks(flags.framework ?? []);
    const fromFile = flags.waivers !== undefined ? await loadWaiversFile(flags.waivers, { knownRules: options.knownRules }) : undefined;
    const fromConfig = withoutCopies(options.configWaivers ?? [], fromFile ?? []);
    const waivers = fromFile !== undefined || fromConfig.length > 0 ? [...(fromFile ?? []), ...fromConfig] : undefined;
    const baseline = flags.baseline !== undefined ? await loadBaseline(flags.baseline) : undefined;
    return {
        ...(waivers !== undefined ? { waivers } : {}),
        ...(baseline !== undefined ? { baseline } : {}),
        ...(frameworks.length > 0 ? { frameworks } : {}),
    };
}

export function parseFrameworks(values: readonly string[]): FrameworkId[] {
    const out: FrameworkId[] = [];
    for (const value of values.flatMap(v => v.split(",")).map(v => v.trim()).filter(v => v !== "")) {
        const framework = FRAMEWORKS.find(f => f === value);
        if (framework === undefined) {
            throw new UsageError(`--framework: '${value.slice(0, 40)}' is not one of ${FRAMEWORKS.join(", ")}`);
        }
        if (!out.includes(framework)) {
            out.push(framework);
        }
    }
    return out;
}

/**
 * The waivers written in a policy config (`{"<policy>": {"waivers": [...]}}`), already validated
 * by the config loader. A waiver repeated under every rule (what `waivers to-policy-config` makes
 * of a `rule: "*"` waiver) is one `*` waiver again, so it is not reported stale once per rule.
 */
export function configWaivers(config: Readonly<Record<string, unknown>>, file: string | undefined, ruleIds: readonly string[]): Waiver[] {
    const groups = new Map<string, Waiver[]>();
    for (const [ruleId, raw] of Object.entries(config)) {
        for (const waiver of policyWaivers(ruleId, raw)) {
            const key = identity({ ...waiver, rule: "" });
            groups.set(key, [...(groups.get(key) ?? []), file !== undefined ? { ...waiver, file } : waiver]);
        }
    }
    const out: Waiver[] = [];
    for (const group of groups.values()) {
        const rules = new Set(group.map(waiver => waiver.rule));
        if (ruleIds.length > 1 && ruleIds.every(id => rules.has(id))) {
            out.push({ ...group[0], rule: "*" });
        } else {
            out.push(...group);
        }
    }
    return out;
}

/** Config waivers that repeat one of the waivers file (the config was made from that file). */
function withoutCopies(fromConfig: readonly Waiver[], fromFile: readonly Waiver[]): Waiver[] {
    const seen = new Set(fromFile.map(identity));
    return fromConfig.filter(waiver => !seen.has(identity(waiver)));
}

function identity(waiver: Waiver): string {
    return JSON.stringify([waiver.id, waiver.rule, waiver.resource, waiver.reason, waiver.approver, waiver.expires]);
}

export async function loadBaseline(file: string): Promise<Baseline> {
    let text: string;
    try {
        text = await fs.readFile(file, "utf8");
    } catch (error) {
        throw new UsageError(`--baseline: ${fileSystemProblem(error)}`, file);
    }
    const parsed = parseJsonText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    if (!parsed.ok) {
        throw new UsageError(`--baseline: not a JSON report of ${TOOL_NAME} (not valid JSON: ${parsed.problem.reason} at line ${parsed.problem.line}, column ${parsed.problem.column})`, file, parsed.problem.line);
    }
    try {
        return baselineFromReport(parsed.value, TOOL_NAME);
    } catch (error) {
        if (error instanceof BaselineError) {
            throw new UsageError(`--baseline: ${error.message}`, file, lineOf(text, error.path));
        }
        throw error;
    }
}

/** The line of a place in a JSON text (a key's line; an array item's first key), when it can be found. */
function lineOf(text: string, place: readonly (string | number)[]): number | undefined {
    if (place.length === 0) {
        return undefined;
    }
    const { value, keyLines } = parseJsonWithLines(text);
    let container: unknown = value;
    let line: number | undefined;
    for (const step of place) {
        if (typeof container !== "object" || container === null) {
            break;
        }
        if (typeof step === "string") {
            line = keyLines.get(container)?.[step] ?? line;
        }
        container = (container as Record<string | number, unknown>)[step];
        if (typeof step === "number" && typeof container === "object" && container !== null) {
            const lines = Object.values(keyLines.get(container) ?? {});
            line = lines.length > 0 ? Math.min(...lines) : line;
        }
    }
    return line;
}

function collect(value: string, previous: string[] | undefined): string[] {
    return [...(previous ?? []), value];
}

/** `--now`, else `APIGW_GUARD_NOW`, else the current time (as `scan` reads them). */
export function clockFrom(flag: string | undefined, env: NodeJS.ProcessEnv): Date {
    const [value, source] = flag !== undefined ? [flag, "--now"] : env[NOW_ENV] ? [env[NOW_ENV], NOW_ENV] : [undefined, ""];
    if (value === undefined) {
        return new Date();
    }
    const date = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) || Number.isNaN(date.getTime())) {
        throw new UsageError(`${source}: '${value.slice(0, 40)}' is not an ISO-8601 date or date-time (e.g. 2026-06-01 or 2026-06-01T12:00:00Z)`);
    }
    return date;
}

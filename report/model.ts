import { Finding } from "apigw-guard/policies/engine/run";
import { EntityKind, Provenance } from "apigw-guard/policies/model/index";
import { CatalogueRule, ControlMappings, EnforcementLevel, Severity, Status } from "apigw-guard/policies/rules/types";
import { Waiver } from "apigw-guard/policies/engine/config";
import { findingFingerprint, unqualifiedFingerprint } from "./fingerprint";
import { frameworkView } from "./frameworks";
import { applyWaivers } from "./waivers";

/**
 * What one scan found, independent of how it is shown. Every reporter renders this and only this,
 * so formats cannot disagree. It holds no inventory values: findings carry the entity's ref,
 * kind, name and provenance, never a property value, a secret or a secret's fingerprint (the
 * model's salted key hashes); `ReportFinding.fingerprint` is an identity of rule and resource.
 *
 * Deterministic by construction: inputs keep the order they were given in, findings are sorted
 * by `compareFindings`, and the timestamp is injected by the caller.
 */
export interface Report {
    /** Bumped when the shape changes incompatibly. */
    readonly reportVersion: 1;
    readonly tool: { readonly name: string; readonly version: string };
    /** ISO-8601; the caller's clock (pinned by `--now`), so the same scan gives the same bytes. */
    readonly generatedAt: string;
    readonly inputs: readonly ReportInput[];
    /** The rules that ran (not disabled), with the level the config gave them. */
    readonly rules: readonly ReportRule[];
    readonly findings: readonly ReportFinding[];
    readonly summary: ReportSummary;
    /**
     * Waivers that need a person's attention (only when a waivers file was given): `expired`
     * waivers no longer suppress anything (the findings they matched are reported normally);
     * `stale` waivers matched no failing or unknown finding (the resource was fixed, renamed or
     * removed, or the selector is wrong). Both sorted by where they are written (file, line), then id.
     */
    readonly waivers?: { readonly expired: readonly WaiverNote[]; readonly stale: readonly WaiverNote[] };
    /** Findings grouped by framework control (only with `--framework`). */
    readonly frameworks?: FrameworkView;
}

/** The kinds of input the scanner reads (`--format-in`). */
export const INPUT_KINDS = ["terraform-plan", "terraform-state", "terraform-hcl", "pulumi-export"] as const;
export type InputKind = (typeof INPUT_KINDS)[number];
/** What a report can be about: the file inputs of `scan`, a live account (`audit`), a deployed stage (`probe`). */
export type ReportInputKind = InputKind | "aws-account" | "api-stage" | "pulumi-events";

export interface ReportInput {
    /** The path as given (`<stdin>` for `-`). */
    readonly file: string;
    /** `unknown` when the input could not be read far enough to tell. */
    readonly kind: ReportInputKind | "unknown";
    /** Entities read (absent when the input could not be read). */
    readonly entities?: number;
    /** Resources an adapter could not read, and notices (a remote module not fetched); reported, never dropped. */
    readonly gaps?: readonly ReportGap[];
    /**
     * Why the input, or part of it, could not be read (a file that is not JSON, an HCL syntax
     * error in one file of a directory). Findings of what could be read are still reported, but
     * they are incomplete: the run fails (exit 2).
     */
    readonly errors?: readonly InputError[];
    /** A live audit's account (`audit`; one input per account in an organization audit). */
    readonly account?: ReportAccount;
}

/** The AWS account an `aws-account` input is: its findings and gaps are that account's. */
export interface ReportAccount {
    /** The 12-digit account id. */
    readonly id: string;
    /** The organization's name for it (`--org`). */
    readonly name?: string;
    /** The regions audited in it. */
    readonly regions: readonly string[];
}

export interface InputError {
    readonly message: string;
    /** The file inside the input where the problem is, when not the input itself (a `.tf` file of a directory). */
    readonly file?: string;
    readonly line?: number;
}

export interface ReportGap {
    readonly ref?: string;
    readonly message: string;
}

export interface ReportRule {
    readonly id: string;
    readonly title: string;
    readonly severity: Severity;
    readonly enforcementLevel: Exclude<EnforcementLevel, "disabled">;
    /** Control mappings (framework views and reports group by them). */
    readonly controls: ControlMappings;
    readonly remediation: string;
}

/**
 * An entity kind of the model, or `resource`: a resource the kit does not model (a finding of
 * another policy pack, read from a Pulumi engine event log by `apigw-guard report`).
 */
export type ReportEntityKind = EntityKind | "resource";

/** What a finding points at. */
export interface ReportEntity {
    readonly ref: string;
    readonly kind: ReportEntityKind;
    readonly name: string;
    readonly provenance: Provenance;
}

/** A finding as a front end hands it over: an engine `Finding`, or one about a resource the kit does not model. */
export interface InputFinding extends Omit<Finding, "entity"> {
    readonly entity?: ReportEntity;
}

/** A finding and the input it came from (inputs are evaluated separately). */
export interface ReportFinding extends InputFinding {
    readonly input: string;
    /**
     * A stable identity of "this rule about this resource", for baselines and SARIF
     * `partialFingerprints`. It is the first 32 hex digits of the SHA-256 of
     * `apigw-guard/fingerprint/v1 NUL ruleId NUL entity.kind NUL entity.ref` (see
     * `fingerprint.ts`), where `entity.ref` is the entity's logical key: the Pulumi URN, the
     * Terraform address (`module.api.aws_api_gateway_method.get["a"]`), the AWS ARN, or a key
     * derived from one of those (`<stage ref>#methodSettings/*\/*`). It holds no file, line,
     * input name, position, message, status or value, so it survives reordering, renaming other
     * resources and moving the resource to another file; renaming the resource itself (or its
     * parent in a URN, or its module) makes it a new finding. A finding with no entity (a rule
     * that could not be evaluated) uses kind `rule` and an empty ref.
     */
    readonly fingerprint: string;
    /**
     * Set when an unexpired waiver matched this finding (fail or unknown only). It is still
     * reported in every format, but it never blocks a gate.
     */
    readonly suppressed?: {
        /** The waiver's `id`, or `<waivers file>#<1-based entry number>` when it has none. */
        readonly waiver: string;
        readonly reason: string;
        readonly approver: string;
        /** `YYYY-MM-DD`: the last day the waiver applies (UTC). */
        readonly expires: string;
    };
    /**
     * Only with `--baseline`, and only on failures: `existing` when the baseline report already
     * held a failure with the same fingerprint (it does not block), `new` otherwise.
     */
    readonly baseline?: "new" | "existing";
}

/** A waiver that is reported on its own: expired, or matching nothing. */
export interface WaiverNote {
    /** The waiver's `id`, or `<waivers file>#<1-based entry number>`. */
    readonly waiver: string;
    /** A rule id, or `*`. */
    readonly rule: string;
    /** The selector as written (URN / Terraform address / ARN, globs allowed). */
    readonly resource: string;
    readonly reason: string;
    readonly approver: string;
    /** `YYYY-MM-DD`. */
    readonly expires: string;
    /** Findings the waiver matched (expired waivers: the findings it would have suppressed). */
    readonly matched: number;
    /** The waivers file and the entry's line, when known. */
    readonly file?: string;
    readonly line?: number;
}

/** The frameworks whose controls rules map to (`--framework`). */
export const FRAMEWORKS = ["nist-800-53", "pci-dss-v4", "aws-security-hub"] as const;
export type FrameworkId = (typeof FRAMEWORKS)[number];

/** The report regrouped by framework control: what an auditor reads. */
export interface FrameworkView {
    /** The frameworks asked for, in the order given. */
    readonly frameworks: readonly FrameworkId[];
    /** Sorted by framework (in `frameworks` order), then control id (numeric-aware). */
    readonly controls: readonly ControlResult[];
}

export type ControlStatus = "pass" | "fail" | "unknown" | "not-applicable";

export interface ControlResult {
    /** The control id as the framework writes it: `AC-3`, `10.2.1`, `APIGateway.1`. */
    readonly id: string;
    readonly framework: FrameworkId;
    /** The rules that ran and map to this control, sorted. */
    readonly rules: readonly string[];
    /** Findings of those rules: passes, failures not waived, unknowns not waived, and waived ones. */
    readonly pass: number;
    readonly fail: number;
    readonly unknown: number;
    readonly suppressed: number;
    /**
     * `fail` if any failure is not waived (advisory failures included: the control is not met,
     * whatever the gate says); else `unknown` if any unknown is not waived; else `pass` if
     * anything passed or was waived; else `not-applicable` (nothing to judge).
     */
    readonly status: ControlStatus;
}

/**
 * The gate threshold. By enforcement level: `mandatory` (hard failures block), `advisory`
 * (soft ones too), `none`. By severity: any failure of at least that severity blocks, whatever
 * its level. Waived and baseline-existing failures never block.
 */
export const FAIL_ON_VALUES = ["mandatory", "advisory", "none", "critical", "high", "medium", "low"] as const;
export type FailOn = (typeof FAIL_ON_VALUES)[number];

export function isFailOn(value: string): value is FailOn {
    return (FAIL_ON_VALUES as readonly string[]).includes(value);
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { low: 0, medium: 1, high: 2, critical: 3 };

/** Severities from highest to lowest (tables and summaries list them in this order). */
export const SEVERITIES_DESCENDING: readonly Severity[] = ["critical", "high", "medium", "low"];

export function severityAtLeast(severity: Severity, threshold: Severity): boolean {
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

/** A failure that blocks the gate at `failOn`: active (not waived, not in the baseline) and at the threshold. */
export function blocksGate(finding: Pick<ReportFinding, "status" | "enforcementLevel" | "severity" | "suppressed" | "baseline">, failOn: FailOn): boolean {
    if (finding.status !== "fail" || finding.suppressed !== undefined || finding.baseline === "existing") {
        return false;
    }
    switch (failOn) {
        case "none":
            return false;
        case "advisory":
            return true;
        case "mandatory":
            return finding.enforcementLevel === "mandatory";
        default:
            return severityAtLeast(finding.severity, failOn);
    }
}

export interface ReportSummary {
    /** `withErrors`: inputs that could not be read, or only in part. */
    readonly inputs: { readonly total: number; readonly complete: number; readonly withErrors: number };
    readonly findings: { readonly total: number } & Readonly<Record<Status, number>>;
    /**
     * Active failures (not waived) by the level they are enforced at: mandatory = hard,
     * advisory = soft. Baseline-existing failures are counted too (they are still failures; see
     * `baseline` for how many are new).
     */
    readonly failures: { readonly mandatory: number; readonly advisory: number };
    /** Active failures (not waived) by severity: what `--fail-on critical|high|medium|low` gates on. */
    readonly severities: Readonly<Record<Severity, number>>;
    /** Findings a waiver suppressed (fail or unknown), by status. Only when waivers were given. */
    readonly suppressed?: { readonly total: number; readonly fail: number; readonly unknown: number };
    /** Active failures split by the baseline (only with `--baseline`): only `new` ones can block. */
    readonly baseline?: { readonly new: number; readonly existing: number };
    /** Waivers needing attention (only when waivers were given). */
    readonly waivers?: { readonly expired: number; readonly stale: number };
    /**
     * The gate: failures that block at `failOn` (see `blocksGate`), and those hard (mandatory) and
     * soft (advisory) apart; the two add up to `blocking`.
     */
    readonly gate: { readonly failOn: FailOn; readonly blocking: number; readonly blockingMandatory: number; readonly blockingAdvisory: number };
}

/** One input's result, as a front end hands it over. */
export interface InputResult {
    readonly file: string;
    readonly kind: ReportInputKind | "unknown";
    readonly findings?: readonly InputFinding[];
    readonly entities?: number;
    readonly gaps?: readonly ReportGap[];
    readonly errors?: readonly InputError[];
    readonly account?: ReportAccount;
}

export interface BuildReportOptions {
    readonly tool: { readonly name: string; readonly version: string };
    readonly generatedAt: Date;
    readonly inputs: readonly InputResult[];
    readonly rules: readonly ReportRule[];
    readonly failOn: FailOn;
    /**
     * Waivers to apply (a waivers file, and those of the policy config). Judged at `generatedAt`.
     * Given (even empty), the report holds `waivers` and `summary.suppressed`.
     */
    readonly waivers?: readonly Waiver[];
    /** The fingerprints of the failures of a previous report (`--baseline`). */
    readonly baseline?: Baseline;
    /** Frameworks to group the report by (`--framework`). */
    readonly frameworks?: readonly FrameworkId[];
}

/** What a baseline report contributes: which failures already existed. */
export interface Baseline {
    /** Fingerprints of the baseline's failures (waived ones included). */
    readonly failures: ReadonlySet<string>;
}

export function buildReport(options: BuildReportOptions): Report {
    const inputs: ReportInput[] = options.inputs.map(input => ({
        file: input.file,
        kind: input.kind,
        ...(input.entities !== undefined ? { entities: input.entities } : {}),
        ...(input.gaps && input.gaps.length > 0 ? { gaps: [...input.gaps].sort(compareGaps) } : {}),
        ...(input.errors && input.errors.length > 0 ? { errors: [...input.errors] } : {}),
        ...(input.account !== undefined
            ? { account: { id: input.account.id, ...(input.account.name !== undefined ? { name: input.account.name } : {}), regions: [...input.account.regions] } }
            : {}),
    }));
    let findings: ReportFinding[] = [];
    for (const input of options.inputs) {
        // What findings are ordered by is looked up once per finding, not once per comparison.
        const own = (input.findings ?? []).map(finding => sortable(toReportFinding(finding, input.file)));
        own.sort(compareSortable);
        // Not `push(...own)`: spreading ~120k+ findings into arguments overflows the call stack.
        for (const entry of own) {
            findings.push(entry.finding);
        }
    }
    let waivers: Report["waivers"];
    if (options.waivers !== undefined) {
        const applied = applyWaivers(findings, options.waivers, options.generatedAt);
        findings = applied.findings;
        waivers = { expired: applied.expired, stale: applied.stale };
    }
    const baseline = options.baseline;
    if (baseline !== undefined) {
        // A baseline from before audits named their account holds the account-less fingerprint.
        const existing = (finding: ReportFinding): boolean => baseline.failures.has(finding.fingerprint) ||
            baseline.failures.has(unqualifiedFingerprint(finding) ?? finding.fingerprint);
        findings = findings.map(finding => finding.status === "fail"
            ? { ...finding, baseline: existing(finding) ? "existing" : "new" }
            : finding);
    }
    const rules = [...options.rules].sort((a, b) => compareStrings(a.id, b.id));
    return {
        reportVersion: 1,
        tool: { name: options.tool.name, version: options.tool.version },
        generatedAt: options.generatedAt.toISOString(),
        inputs,
        rules,
        findings,
        summary: summarise(inputs, findings, options.failOn, { waivers, baseline: baseline !== undefined }),
        ...(waivers !== undefined ? { waivers } : {}),
        ...(options.frameworks !== undefined && options.frameworks.length > 0 ? { frameworks: frameworkView(options.frameworks, rules, findings) } : {}),
    };
}

/** The rules a run evaluates, with their effective levels (disabled rules left out). */
export function reportRules(rules: readonly CatalogueRule[], levels: (rule: CatalogueRule) => EnforcementLevel): ReportRule[] {
    const out: ReportRule[] = [];
    for (const rule of rules) {
        const level = levels(rule);
        if (level !== "disabled") {
            out.push({ id: rule.id, title: rule.title, severity: rule.severity, enforcementLevel: level, controls: rule.controls, remediation: rule.remediation });
        }
    }
    return out;
}

function summarise(
    inputs: readonly ReportInput[],
    findings: readonly ReportFinding[],
    failOn: FailOn,
    gates: { readonly waivers: Report["waivers"]; readonly baseline: boolean },
): ReportSummary {
    const byStatus: Record<Status, number> = { fail: 0, unknown: 0, pass: 0, "not-applicable": 0 };
    const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
    let mandatory = 0;
    let advisory = 0;
    const suppressed = { total: 0, fail: 0, unknown: 0 };
    const split = { new: 0, existing: 0 };
    let blockingMandatory = 0;
    let blockingAdvisory = 0;
    for (const finding of findings) {
        byStatus[finding.status]++;
        if (finding.suppressed !== undefined) {
            suppressed.total++;
            if (finding.status === "fail") {
                suppressed.fail++;
            } else if (finding.status === "unknown") {
                suppressed.unknown++;
            }
        } else if (finding.status === "fail") {
            if (finding.enforcementLevel === "mandatory") {
                mandatory++;
            } else {
                advisory++;
            }
            bySeverity[finding.severity]++;
            if (finding.baseline !== undefined) {
                split[finding.baseline]++;
            }
        }
        if (blocksGate(finding, failOn)) {
            if (finding.enforcementLevel === "mandatory") {
                blockingMandatory++;
            } else {
                blockingAdvisory++;
            }
        }
    }
    const withErrors = inputs.filter(input => input.errors !== undefined).length;
    return {
        inputs: { total: inputs.length, complete: inputs.length - withErrors, withErrors },
        findings: { total: findings.length, ...byStatus },
        failures: { mandatory, advisory },
        severities: bySeverity,
        ...(gates.waivers !== undefined
            ? { suppressed, waivers: { expired: gates.waivers.expired.length, stale: gates.waivers.stale.length } }
            : {}),
        ...(gates.baseline ? { baseline: split } : {}),
        gate: { failOn, blocking: blockingMandatory + blockingAdvisory, blockingMandatory, blockingAdvisory },
    };
}

/** Code-unit order: independent of the machine's locale, unlike `localeCompare`. */
export function compareStrings(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

const STATUS_ORDER: Readonly<Record<Status, number>> = { fail: 0, unknown: 1, pass: 2, "not-applicable": 3 };

/** Where a finding points: URN, Terraform address or ARN (the entity ref as a last resort). */
export function locationOf(finding: InputFinding): string {
    const entity = finding.entity;
    if (!entity) {
        return "";
    }
    const p = entity.provenance;
    const resource = p.urn ?? p.address ?? p.arn ?? entity.ref;
    // An operation defined in an API's OpenAPI body is the API plus the operation (`GET /pets`):
    // that is what a person changes, and each operation is its own place in the reports.
    return p.operation !== undefined ? `${resource} ${p.operation}` : resource;
}

/** By resource (location), then line, rule, status and message: a total order on one input's findings. */
export function compareFindings(a: InputFinding, b: InputFinding): number {
    return compareStrings(locationOf(a), locationOf(b)) ||
        compareStrings(a.entity?.provenance.file ?? "", b.entity?.provenance.file ?? "") ||
        (a.line ?? 0) - (b.line ?? 0) ||
        compareStrings(a.ruleId, b.ruleId) ||
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
        compareStrings(a.field ?? "", b.field ?? "") ||
        compareStrings(a.message, b.message);
}

/** A finding with the fields `compareFindings` orders by, looked up once. */
interface Sortable {
    readonly finding: ReportFinding;
    readonly location: string;
    readonly file: string;
    readonly line: number;
}

function sortable(finding: ReportFinding): Sortable {
    return { finding, location: locationOf(finding), file: finding.entity?.provenance.file ?? "", line: finding.line ?? 0 };
}

/** `compareFindings`, on precomputed keys. */
function compareSortable(x: Sortable, y: Sortable): number {
    if (x.location !== y.location) {
        return x.location < y.location ? -1 : 1;
    }
    const a = x.finding;
    const b = y.finding;
    return compareStrings(x.file, y.file) ||
        x.line - y.line ||
        compareStrings(a.ruleId, b.ruleId) ||
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
        compareStrings(a.field ?? "", b.field ?? "") ||
        compareStrings(a.message, b.message);
}

/**
 * `{ ...finding, input, fingerprint }`, with the keys created in sorted order: the JSON writer then
 * has nothing to reorder. A finding with keys this does not know is copied with the spread (symbol
 * keys, which no format reads, are not looked for).
 */
function toReportFinding(finding: InputFinding, input: string): ReportFinding {
    const fingerprint = findingFingerprint(finding);
    const f = finding as InputFinding & Partial<Pick<ReportFinding, "baseline" | "suppressed">>;
    const out: { -readonly [K in keyof ReportFinding]?: ReportFinding[K] } = {};
    let copied = 0;
    if ("baseline" in f) {
        out.baseline = f.baseline;
        copied++;
    }
    out.enforcementLevel = f.enforcementLevel;
    if ("entity" in f) {
        out.entity = f.entity;
        copied++;
    }
    if ("error" in f) {
        out.error = f.error;
        copied++;
    }
    if ("field" in f) {
        out.field = f.field;
        copied++;
    }
    out.fingerprint = fingerprint;
    out.input = input;
    if ("line" in f) {
        out.line = f.line;
        copied++;
    }
    out.message = f.message;
    if ("metrics" in f) {
        out.metrics = f.metrics;
        copied++;
    }
    out.remediation = f.remediation;
    out.ruleId = f.ruleId;
    out.severity = f.severity;
    out.status = f.status;
    if ("suppressed" in f) {
        out.suppressed = f.suppressed;
        copied++;
    }
    out.title = f.title;
    // The seven keys every finding has, the optional ones copied, and `input`/`fingerprint` if given.
    let own = 0;
    for (const key in f) {
        if (key !== "input" && key !== "fingerprint") {
            own++;
        }
    }
    if (own !== copied + 7) {
        return { ...finding, input, fingerprint };
    }
    return out as ReportFinding;
}

function compareGaps(a: ReportGap, b: ReportGap): number {
    return compareStrings(a.ref ?? "", b.ref ?? "") || compareStrings(a.message, b.message);
}

/** The label a person reads: a failure enforced as advisory is a warning. */
export type OutcomeLabel = "FAIL" | "WARN" | "UNKNOWN" | "PASS" | "N/A";

export function outcomeLabel(finding: Pick<InputFinding, "status" | "enforcementLevel">): OutcomeLabel {
    switch (finding.status) {
        case "fail":
            return finding.enforcementLevel === "mandatory" ? "FAIL" : "WARN";
        case "unknown":
            return "UNKNOWN";
        case "pass":
            return "PASS";
        default:
            return "N/A";
    }
}

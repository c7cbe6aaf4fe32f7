import { Finding, isBlocking } from "../engine/run";
import { CatalogueRule, ControlMappings, EnforcementLevel, Severity, Status } from "../rules/types";

/**
 * What one scan found, independent of how it is shown. Every reporter renders this and only this,
 * so formats cannot disagree. It holds no inventory values: findings carry the entity's ref,
 * kind, name and provenance, never a property value, a fingerprint or a secret.
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
}

/** The kinds of input the scanner reads (`--format-in`). */
export const INPUT_KINDS = ["terraform-plan", "terraform-state", "terraform-hcl", "pulumi-export"] as const;
export type InputKind = (typeof INPUT_KINDS)[number];
/** What a report can be about: the file inputs of `scan`, a live account (`audit`), a deployed stage (`probe`). */
export type ReportInputKind = InputKind | "aws-account" | "api-stage";

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

/** A finding and the input it came from (inputs are evaluated separately). */
export interface ReportFinding extends Finding {
    readonly input: string;
}

export type FailOn = "mandatory" | "advisory" | "none";

export interface ReportSummary {
    /** `withErrors`: inputs that could not be read, or only in part. */
    readonly inputs: { readonly total: number; readonly complete: number; readonly withErrors: number };
    readonly findings: { readonly total: number } & Readonly<Record<Status, number>>;
    /** Failures by the level they are enforced at: mandatory = hard, advisory = soft. */
    readonly failures: { readonly mandatory: number; readonly advisory: number };
    /** The gate: failures that block at `failOn`. */
    readonly gate: { readonly failOn: FailOn; readonly blocking: number };
}

/** One input's result, as a front end hands it over. */
export interface InputResult {
    readonly file: string;
    readonly kind: ReportInputKind | "unknown";
    readonly findings?: readonly Finding[];
    readonly entities?: number;
    readonly gaps?: readonly ReportGap[];
    readonly errors?: readonly InputError[];
}

export interface BuildReportOptions {
    readonly tool: { readonly name: string; readonly version: string };
    readonly generatedAt: Date;
    readonly inputs: readonly InputResult[];
    readonly rules: readonly ReportRule[];
    readonly failOn: FailOn;
}

export function buildReport(options: BuildReportOptions): Report {
    const inputs: ReportInput[] = options.inputs.map(input => ({
        file: input.file,
        kind: input.kind,
        ...(input.entities !== undefined ? { entities: input.entities } : {}),
        ...(input.gaps && input.gaps.length > 0 ? { gaps: [...input.gaps].sort(compareGaps) } : {}),
        ...(input.errors && input.errors.length > 0 ? { errors: [...input.errors] } : {}),
    }));
    const findings: ReportFinding[] = [];
    for (const input of options.inputs) {
        const own = (input.findings ?? []).map(finding => ({ ...finding, input: input.file }));
        own.sort(compareFindings);
        findings.push(...own);
    }
    return {
        reportVersion: 1,
        tool: { name: options.tool.name, version: options.tool.version },
        generatedAt: options.generatedAt.toISOString(),
        inputs,
        rules: [...options.rules].sort((a, b) => compareStrings(a.id, b.id)),
        findings,
        summary: summarise(inputs, findings, options.failOn),
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

function summarise(inputs: readonly ReportInput[], findings: readonly ReportFinding[], failOn: FailOn): ReportSummary {
    const byStatus: Record<Status, number> = { fail: 0, unknown: 0, pass: 0, "not-applicable": 0 };
    let mandatory = 0;
    let advisory = 0;
    let blocking = 0;
    for (const finding of findings) {
        byStatus[finding.status]++;
        if (finding.status === "fail") {
            if (finding.enforcementLevel === "mandatory") {
                mandatory++;
            } else {
                advisory++;
            }
        }
        if (isBlocking(finding, failOn)) {
            blocking++;
        }
    }
    const withErrors = inputs.filter(input => input.errors !== undefined).length;
    return {
        inputs: { total: inputs.length, complete: inputs.length - withErrors, withErrors },
        findings: { total: findings.length, ...byStatus },
        failures: { mandatory, advisory },
        gate: { failOn, blocking },
    };
}

/** Code-unit order: independent of the machine's locale, unlike `localeCompare`. */
export function compareStrings(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

const STATUS_ORDER: Readonly<Record<Status, number>> = { fail: 0, unknown: 1, pass: 2, "not-applicable": 3 };

/** Where a finding points: URN, Terraform address or ARN (the entity ref as a last resort). */
export function locationOf(finding: Finding): string {
    const entity = finding.entity;
    if (!entity) {
        return "";
    }
    const p = entity.provenance;
    return p.urn ?? p.address ?? p.arn ?? entity.ref;
}

/** By resource (location), then line, rule, status and message: a total order on one input's findings. */
export function compareFindings(a: Finding, b: Finding): number {
    return compareStrings(locationOf(a), locationOf(b)) ||
        compareStrings(a.entity?.provenance.file ?? "", b.entity?.provenance.file ?? "") ||
        (a.line ?? 0) - (b.line ?? 0) ||
        compareStrings(a.ruleId, b.ruleId) ||
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
        compareStrings(a.field ?? "", b.field ?? "") ||
        compareStrings(a.message, b.message);
}

function compareGaps(a: ReportGap, b: ReportGap): number {
    return compareStrings(a.ref ?? "", b.ref ?? "") || compareStrings(a.message, b.message);
}

/** The label a person reads: a failure enforced as advisory is a warning. */
export type OutcomeLabel = "FAIL" | "WARN" | "UNKNOWN" | "PASS" | "N/A";

export function outcomeLabel(finding: Pick<Finding, "status" | "enforcementLevel">): OutcomeLabel {
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

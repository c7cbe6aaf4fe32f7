import { Severity } from "apigw-guard/policies/rules/types";
import { compareStrings, locationOf, Report, ReportFinding, ReportInput, ReportRule } from "./model";

/**
 * What the rendered formats (SARIF, JUnit, Markdown, HTML) share: which outcome class a finding
 * falls in, counts per rule, findings per resource, and the API-key ages behind the rotation
 * chart. Derived from the Report alone, so every format counts the same way.
 */

/**
 * The outcome classes a person tells apart. A waived finding is `suppressed` whatever its status,
 * so it is never counted as a failure as well; a failure is `hard` (mandatory) or `soft` (advisory).
 */
export type OutcomeClass = "hard" | "soft" | "unknown" | "suppressed" | "pass" | "not-applicable";

/** Display order: what needs action first. */
export const OUTCOMES: readonly OutcomeClass[] = ["hard", "soft", "unknown", "suppressed", "pass", "not-applicable"];

export const OUTCOME_TITLES: Readonly<Record<OutcomeClass, string>> = {
    hard: "Hard failures (mandatory)",
    soft: "Soft failures (advisory)",
    unknown: "Unknown",
    suppressed: "Suppressed (waived)",
    pass: "Passed",
    "not-applicable": "Not applicable",
};

/** Short column headings. */
export const OUTCOME_LABELS: Readonly<Record<OutcomeClass, string>> = {
    hard: "hard fail",
    soft: "soft fail",
    unknown: "unknown",
    suppressed: "suppressed",
    pass: "pass",
    "not-applicable": "n/a",
};

export function outcomeOf(finding: ReportFinding): OutcomeClass {
    if (finding.suppressed !== undefined) {
        return "suppressed";
    }
    switch (finding.status) {
        case "fail":
            return finding.enforcementLevel === "mandatory" ? "hard" : "soft";
        case "unknown":
            return "unknown";
        case "pass":
            return "pass";
        default:
            return "not-applicable";
    }
}

export type OutcomeClassCounts = Record<OutcomeClass, number>;

export function emptyCounts(): OutcomeClassCounts {
    return { hard: 0, soft: 0, unknown: 0, suppressed: 0, pass: 0, "not-applicable": 0 };
}

export function countOutcomes(findings: readonly ReportFinding[]): OutcomeClassCounts {
    const counts = emptyCounts();
    for (const finding of findings) {
        counts[outcomeOf(finding)]++;
    }
    return counts;
}

export interface RuleTally {
    readonly rule: ReportRule;
    readonly counts: OutcomeClassCounts;
    /** Whether the rule is one the report lists as run (false: only seen in findings, e.g. another pack's policy). */
    readonly listed: boolean;
}

/**
 * Every rule that ran (sorted by id), with counts of its findings. A finding whose rule the report
 * does not list (a policy of another pack, read from an event log) gets a rule made from the
 * finding itself, so no finding goes uncounted.
 */
export function ruleTallies(report: Report): RuleTally[] {
    const tallies = new Map<string, { rule: ReportRule; counts: OutcomeClassCounts; listed: boolean }>();
    for (const rule of report.rules) {
        tallies.set(rule.id, { rule, counts: emptyCounts(), listed: true });
    }
    for (const finding of report.findings) {
        let tally = tallies.get(finding.ruleId);
        if (!tally) {
            tally = { rule: ruleFromFinding(finding), counts: emptyCounts(), listed: false };
            tallies.set(finding.ruleId, tally);
        }
        tally.counts[outcomeOf(finding)]++;
    }
    return [...tallies.values()].sort((a, b) => compareStrings(a.rule.id, b.rule.id));
}

function ruleFromFinding(finding: ReportFinding): ReportRule {
    return {
        id: finding.ruleId,
        title: finding.title,
        severity: finding.severity,
        enforcementLevel: finding.enforcementLevel,
        controls: { awsSecurityHub: [], nist80053: [], pciDssV4: [] },
        remediation: finding.remediation,
    };
}

/** `file:line`, `file`, or undefined when the finding has no source file (live audit). */
export function fileLineOf(finding: ReportFinding): string | undefined {
    const file = finding.entity?.provenance.file;
    if (file === undefined) {
        return undefined;
    }
    const line = lineOf(finding);
    return line !== undefined ? `${file}:${line}` : file;
}

/** The line to change: the deciding field's line, else the resource's. */
export function lineOf(finding: ReportFinding): number | undefined {
    return finding.line ?? finding.entity?.provenance.line;
}

/** The resource a person reads: URN / address / ARN, or a note when the rule itself could not run. */
export function resourceOf(finding: ReportFinding): string {
    return finding.entity ? locationOf(finding) : "(no resource: the rule could not be evaluated)";
}

export interface ResourceGroup {
    readonly resource: string;
    /** The resource's source file and line (the resource's own line, not a field's). */
    readonly where?: string;
    readonly input: string;
    readonly findings: readonly ReportFinding[];
}

/** Findings grouped by resource (and file and input), in report order. */
export function groupByResource(findings: readonly ReportFinding[]): ResourceGroup[] {
    const groups = new Map<string, { resource: string; where?: string; input: string; findings: ReportFinding[] }>();
    for (const finding of findings) {
        const p = finding.entity?.provenance;
        const where = p?.file !== undefined ? (p.line !== undefined ? `${p.file}:${p.line}` : p.file) : undefined;
        const key = [finding.input, resourceOf(finding), where ?? ""].join("\u0000");
        const group = groups.get(key);
        if (group) {
            group.findings.push(finding);
        } else {
            groups.set(key, { resource: resourceOf(finding), ...(where !== undefined ? { where } : {}), input: finding.input, findings: [finding] });
        }
    }
    return [...groups.values()];
}

/** Numeric SARIF `security-severity` (GitHub buckets: ≥9 critical, ≥7 high, ≥4 medium, else low). */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
    critical: "9.5",
    high: "8.0",
    medium: "5.5",
    low: "3.0",
};

export const MAX_AGE_RULE = "apigateway-api-key-max-age";

export interface KeyAge {
    readonly resource: string;
    readonly ageDays: number;
    readonly outcome: OutcomeClass;
}

export interface KeyAges {
    /** One per key (distinct fingerprint: the same key read from two inputs counts once). */
    readonly keys: readonly KeyAge[];
    /** The rotation limit (the most common one when configs differ). */
    readonly maxAgeDays?: number;
    readonly warnAgeDays?: number;
    /** Keys whose age could not be told (unknown findings without metrics). */
    readonly unknownAge: number;
}

/** The ages of API keys, from the metrics of the max-age rule's findings. */
export function keyAges(report: Report): KeyAges {
    const seen = new Set<string>();
    const keys: KeyAge[] = [];
    const maxima = new Map<number, number>();
    const warnings = new Map<number, number>();
    let unknownAge = 0;
    for (const finding of report.findings) {
        if (finding.ruleId !== MAX_AGE_RULE || finding.status === "not-applicable" || seen.has(finding.fingerprint)) {
            continue;
        }
        seen.add(finding.fingerprint);
        const metrics = finding.metrics ?? {};
        const age = metrics.ageDays;
        if (typeof age !== "number" || !Number.isFinite(age)) {
            unknownAge++;
            continue;
        }
        keys.push({ resource: resourceOf(finding), ageDays: age, outcome: outcomeOf(finding) });
        tally(maxima, metrics.maxAgeDays);
        tally(warnings, metrics.warnAgeDays);
    }
    const maxAgeDays = mostCommon(maxima);
    const warnAgeDays = mostCommon(warnings);
    return {
        keys,
        ...(maxAgeDays !== undefined ? { maxAgeDays } : {}),
        ...(warnAgeDays !== undefined ? { warnAgeDays } : {}),
        unknownAge,
    };
}

function tally(counts: Map<number, number>, value: number | undefined): void {
    if (typeof value === "number" && Number.isFinite(value)) {
        counts.set(value, (counts.get(value) ?? 0) + 1);
    }
}

/** The most frequent value; ties go to the smallest, so the choice does not depend on order. */
function mostCommon(counts: ReadonlyMap<number, number>): number | undefined {
    let best: number | undefined;
    let bestCount = 0;
    for (const [value, count] of counts) {
        if (count > bestCount || (count === bestCount && best !== undefined && value < best)) {
            best = value;
            bestCount = count;
        }
    }
    return best;
}

export interface AgeBin {
    /** Inclusive lower bound, in days. */
    readonly from: number;
    /** Exclusive upper bound, in days. */
    readonly to: number;
    readonly count: number;
}

/** Most bins a histogram gets; a wider bin is chosen rather than more of them. */
const MAX_BINS = 16;

/**
 * Histogram bins for key ages: equal widths chosen so the rotation limit falls on a bin edge
 * (a bin is then wholly inside or wholly past the limit), covering 0 to the oldest key or the
 * limit, whichever is larger.
 */
export function ageBins(ages: KeyAges): AgeBin[] {
    if (ages.keys.length === 0) {
        return [];
    }
    const oldest = Math.max(...ages.keys.map(key => key.ageDays));
    const limit = ages.maxAgeDays;
    const top = Math.max(oldest, limit ?? 0) + 1;
    const width = binWidth(top, limit);
    const count = Math.max(1, Math.ceil(top / width));
    const bins: AgeBin[] = [];
    for (let i = 0; i < count; i++) {
        const from = i * width;
        const to = from + width;
        bins.push({ from, to, count: ages.keys.filter(key => key.ageDays >= from && key.ageDays < to).length });
    }
    return bins;
}

function binWidth(top: number, limit: number | undefined): number {
    const candidates: number[] = [];
    if (limit !== undefined && Number.isInteger(limit) && limit > 0) {
        for (let d = 1; d <= limit; d++) {
            if (limit % d === 0) {
                candidates.push(d);
            }
        }
        for (let m = 2; m * limit <= top * 2; m++) {
            candidates.push(m * limit);
        }
    } else {
        candidates.push(1, 2, 5, 7, 10, 15, 30, 60, 90, 180, 365);
    }
    candidates.sort((a, b) => a - b);
    for (const width of candidates) {
        if (Math.ceil(top / width) <= MAX_BINS) {
            return width;
        }
    }
    return Math.ceil(top / MAX_BINS);
}

/** A live audit finding's account and region (`account 123456789012 · eu-west-1`), when it names its account. */
export function accountRegionOf(finding: ReportFinding): string | undefined {
    const p = finding.entity?.provenance;
    if (p?.account === undefined) {
        return undefined;
    }
    return p.region !== undefined ? `account ${p.account} · ${p.region}` : `account ${p.account}`;
}

/** One audited account of the report: its input, its findings by outcome and its notes. */
export interface AccountTally {
    readonly input: ReportInput;
    readonly account: NonNullable<ReportInput["account"]>;
    readonly counts: OutcomeClassCounts;
    readonly notes: number;
}

/** The report's accounts (inputs of a live audit that name one), in input order. */
export function accountTallies(report: Report): AccountTally[] {
    const byInput = new Map<string, OutcomeClassCounts>();
    for (const finding of report.findings) {
        let counts = byInput.get(finding.input);
        if (counts === undefined) {
            counts = emptyCounts();
            byInput.set(finding.input, counts);
        }
        counts[outcomeOf(finding)]++;
    }
    const tallies: AccountTally[] = [];
    for (const input of report.inputs) {
        if (input.account !== undefined) {
            tallies.push({ input, account: input.account, counts: byInput.get(input.file) ?? emptyCounts(), notes: (input.gaps ?? []).length + (input.errors ?? []).length });
        }
    }
    return tallies;
}

import { CatalogueRule, EnforcementLevel, Severity, Status } from "apigw-guard/policies/rules/types";
import { TYPES_BY_KIND } from "apigw-guard/policies/sources/pulumi/adapter";
import type { InputFinding, InputResult, ReportEntity, ReportEntityKind, ReportGap, ReportRule } from "./model";

/**
 * `pulumi preview|up --event-log FILE` writes one JSON `EngineEvent` a line. `pulumi preview --json`
 * drops policy events; the event log keeps them, for any policy pack. This turns the policy events
 * of such a log into the findings of a report:
 *
 * - `policyEvent` (a violation) → a failure of rule `policyName` on `resourceUrn`, at the event's
 *   `enforcementLevel` (`mandatory` and `remediate` hard, `advisory`/`warning` soft) and
 *   `severity` (when the engine sends one; else the catalogue's for this kit's own rules, else
 *   `medium`). Color markup is stripped from the message.
 * - `policyAnalyzeSummaryEvent` / `policyAnalyzeStackSummaryEvent` → a pass for every policy in
 *   `passed` (on the resource, or on the stack), and a failure for a `failed` policy whose
 *   violation event is missing from the log.
 * - `policyRemediationEvent` → a soft failure: the policy had to change the resource (only the
 *   names of the changed properties are reported, never `before`/`after` values).
 * - `policyRemediateSummaryEvent` → a failure for each policy in `failed` (its remediation failed).
 * - Every other event kind is skipped (counted in a note), so logs of newer engines still read.
 */

/** One line of the log, already parsed. */
export interface EventLine {
    /** 1-based. */
    readonly line: number;
    readonly event: unknown;
}

/** A line that is not an engine event; carries the line number, never the line's content. */
export class PulumiEventsError extends Error {
    constructor(readonly line: number, message: string) {
        super(message);
        this.name = "PulumiEventsError";
    }
}

export interface PulumiEventsReport {
    readonly input: InputResult;
    /** One per policy seen: this kit's metadata for its own rules, what the events say for others. */
    readonly rules: ReportRule[];
    /** Policy packs seen, `name@version` (version omitted when the engine sent none), sorted. */
    readonly packs: string[];
}

const POLICY_KINDS = [
    "policyEvent", "policyRemediationEvent", "policyAnalyzeSummaryEvent", "policyRemediateSummaryEvent", "policyAnalyzeStackSummaryEvent",
] as const;
/** Kinds read for context only. */
const CONTEXT_KINDS = ["policyLoadEvent", "summaryEvent", "cancelEvent"] as const;
/** Engine events that carry no policy result, skipped silently; any other kind is noted (a newer engine's policy event?). */
const QUIET_KINDS = new Set([
    "preludeEvent", "resourcePreEvent", "resOutputsEvent", "resOpFailedEvent", "diagnosticEvent", "stdoutEvent", "progressEvent",
    "startDebuggingEvent", "errorEvent",
]);

const DEFAULT_SEVERITY: Severity = "medium";
const SEVERITIES: readonly string[] = ["low", "medium", "high", "critical"];

const KIND_BY_TYPE: ReadonlyMap<string, ReportEntityKind> = (() => {
    const map = new Map<string, ReportEntityKind>();
    for (const [kind, types] of TYPES_BY_KIND) {
        for (const type of types) {
            map.set(type, kind);
        }
    }
    return map;
})();

interface PolicySeen {
    readonly name: string;
    pack: string;
    level?: Exclude<EnforcementLevel, "disabled" | "remediate"> | "remediate";
    severity?: Severity;
}

interface Collected {
    readonly findings: InputFinding[];
    /** `policy\0urn` of every violation, to tell a summary's `failed` that has its event. */
    readonly violated: Set<string>;
    readonly remediated: Set<string>;
    readonly passes: { policy: string; urn: string | undefined }[];
    readonly unexplained: { policy: string; urn: string | undefined; line: number }[];
    readonly policies: Map<string, PolicySeen>;
    readonly packs: Set<string>;
    readonly urns: Set<string>;
    readonly skipped: Map<string, number>;
    readonly notes: ReportGap[];
    sawPolicyLoad: boolean;
    sawSummary: boolean;
    cancelled: boolean;
}

export function reportFromPulumiEvents(file: string, lines: readonly EventLine[], catalogue: readonly CatalogueRule[]): PulumiEventsReport {
    const ours = new Map(catalogue.map(rule => [rule.id, rule]));
    const c: Collected = {
        findings: [], violated: new Set(), remediated: new Set(), passes: [], unexplained: [], policies: new Map(), packs: new Set(), urns: new Set(),
        skipped: new Map(), notes: [], sawPolicyLoad: false, sawSummary: false, cancelled: false,
    };
    for (const { line, event } of lines) {
        if (!isObject(event)) {
            throw new PulumiEventsError(line, "not an engine event (each line must be a JSON object)");
        }
        read(event, line, c, ours);
    }
    // A stack-level pass has no resource: it is reported on the stack, whose URN the others give.
    const stackUrn = stackUrnFrom([...c.urns].sort()[0]);
    for (const pass of c.passes) {
        const urn = pass.urn ?? stackUrn;
        const key = `${pass.policy}\u0000${urn ?? ""}`;
        if (c.violated.has(key) || c.remediated.has(key)) {
            continue;
        }
        c.findings.push(finding(c, ours, pass.policy, urn, "pass", "passed", undefined));
    }
    for (const failed of c.unexplained) {
        const urn = failed.urn ?? stackUrn;
        if (c.violated.has(`${failed.policy}\u0000${urn ?? ""}`) || c.violated.has(`${failed.policy}\u0000`)) {
            continue;
        }
        c.findings.push(finding(c, ours, failed.policy, urn, "fail", "reported as failed in the policy summary, but its violation is not in the log", undefined));
    }
    const gaps = notesOf(c);
    const rules = [...c.policies.values()].map(policy => ruleOf(policy, ours.get(policy.name)));
    // Nothing to judge from is not "nothing failed": a gate on this log fails closed (exit 2).
    const errors = !c.sawPolicyLoad && c.policies.size === 0
        ? [{ message: "no policy events in the log, so there is nothing to report: was the preview run with --policy-pack (or a policy group), and is the log complete?" }]
        : [];
    return {
        input: {
            file,
            kind: "pulumi-events",
            findings: c.findings,
            entities: c.urns.size,
            ...(gaps.length > 0 ? { gaps } : {}),
            ...(errors.length > 0 ? { errors } : {}),
        },
        rules,
        packs: [...c.packs].sort(),
    };
}

function read(event: Record<string, unknown>, line: number, c: Collected, ours: ReadonlyMap<string, CatalogueRule>): void {
    const kind = POLICY_KINDS.find(k => isObject(event[k])) ?? CONTEXT_KINDS.find(k => isObject(event[k]));
    if (kind === undefined) {
        const other = Object.keys(event).find(k => k.endsWith("Event") && /^[A-Za-z]{1,60}$/.test(k)) ?? "unrecognised";
        if (!QUIET_KINDS.has(other)) {
            c.skipped.set(other, (c.skipped.get(other) ?? 0) + 1);
        }
        return;
    }
    const payload = event[kind] as Record<string, unknown>;
    switch (kind) {
        case "policyLoadEvent":
            c.sawPolicyLoad = true;
            return;
        case "summaryEvent":
            c.sawSummary = true;
            return;
        case "cancelEvent":
            c.cancelled = true;
            return;
        case "policyEvent": {
            const policy = requiredString(payload, "policyName", kind, line);
            const pack = packOf(payload, kind, line, c);
            const urn = optionalString(payload, "resourceUrn", kind, line);
            const level = levelOf(payload, kind, line);
            const severity = severityOf(payload, kind, line);
            const seen = policySeen(c, policy, pack);
            seen.level ??= level;
            seen.severity ??= severity;
            const message = plain(requiredString(payload, "message", kind, line, true));
            c.violated.add(`${policy}\u0000${urn ?? ""}`);
            c.findings.push(finding(c, ours, policy, urn, "fail", message || "policy violated", { level, severity }));
            return;
        }
        case "policyRemediationEvent": {
            const policy = requiredString(payload, "policyName", kind, line);
            const pack = packOf(payload, kind, line, c);
            const urn = optionalString(payload, "resourceUrn", kind, line);
            policySeen(c, policy, pack).level ??= "remediate";
            const changed = changedProperties(payload.before, payload.after);
            c.remediated.add(`${policy}\u0000${urn ?? ""}`);
            const what = changed.length > 0 ? `changed ${changed.slice(0, 10).join(", ")}${changed.length > 10 ? ` and ${changed.length - 10} more` : ""}` : "changed the resource";
            c.findings.push(finding(c, ours, policy, urn, "fail", `remediated by the policy (${what}): the program does not comply; fix it so the policy need not`, { level: "advisory" }));
            return;
        }
        case "policyAnalyzeSummaryEvent":
        case "policyAnalyzeStackSummaryEvent":
        case "policyRemediateSummaryEvent": {
            const pack = packOf(payload, kind, line, c);
            const urn = kind === "policyAnalyzeStackSummaryEvent" ? undefined : optionalString(payload, "resourceUrn", kind, line);
            const passed = stringList(payload, "passed", kind, line);
            const failed = stringList(payload, "failed", kind, line);
            for (const policy of [...passed, ...failed]) {
                policySeen(c, policy, pack);
            }
            if (kind === "policyRemediateSummaryEvent") {
                // `passed` there lists every policy the remediation phase ran, validations included:
                // it says nothing about compliance. A failed remediation does.
                for (const policy of failed) {
                    c.findings.push(finding(c, ours, policy, urn, "fail", "its remediation failed", { level: "mandatory" }));
                }
                return;
            }
            for (const policy of passed) {
                c.passes.push({ policy, urn });
            }
            for (const policy of failed) {
                c.unexplained.push({ policy, urn, line });
            }
            return;
        }
    }
}

function finding(
    c: Collected,
    ours: ReadonlyMap<string, CatalogueRule>,
    policy: string,
    urn: string | undefined,
    status: Status,
    message: string,
    given: { level?: EnforcementLevel; severity?: Severity } | undefined,
): InputFinding {
    const rule = ours.get(policy);
    const seen = c.policies.get(policy);
    const level = given?.level ?? seen?.level ?? rule?.enforcementLevel ?? "advisory";
    return {
        ruleId: policy,
        title: rule?.title ?? titleOf(policy, seen?.pack ?? ""),
        severity: given?.severity ?? seen?.severity ?? rule?.severity ?? DEFAULT_SEVERITY,
        status,
        enforcementLevel: level === "mandatory" || level === "remediate" ? "mandatory" : "advisory",
        message,
        remediation: rule?.remediation ?? "",
        ...(urn !== undefined ? { entity: entityOf(urn, c) } : {}),
    };
}

function entityOf(urn: string, c: Collected): ReportEntity {
    c.urns.add(urn);
    const parts = urn.split("::");
    const qualifiedType = parts[2] ?? "";
    const type = qualifiedType.split("$").pop() ?? "";
    const name = parts.length > 3 ? parts.slice(3).join("::") : urn;
    return {
        ref: urn,
        kind: KIND_BY_TYPE.get(type) ?? "resource",
        name,
        provenance: { source: "pulumi", urn, ...(type !== "" ? { resourceType: type } : {}) },
    };
}

/** `urn:pulumi:<stack>::<project>::...` → the root stack resource's URN, as Pulumi names it. */
function stackUrnFrom(urn: string | undefined): string | undefined {
    const match = urn !== undefined ? /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn) : null;
    return match ? `urn:pulumi:${match[1]}::${match[2]}::pulumi:pulumi:Stack::${match[2]}-${match[1]}` : undefined;
}

function policySeen(c: Collected, name: string, pack: string): PolicySeen {
    let seen = c.policies.get(name);
    if (!seen) {
        seen = { name, pack };
        c.policies.set(name, seen);
    }
    return seen;
}

function ruleOf(policy: PolicySeen, rule: CatalogueRule | undefined): ReportRule {
    const level = policy.level === "remediate" ? "remediate" : policy.level ?? (rule?.enforcementLevel === "disabled" ? "advisory" : rule?.enforcementLevel) ?? "advisory";
    return {
        id: policy.name,
        title: rule?.title ?? titleOf(policy.name, policy.pack),
        severity: policy.severity ?? rule?.severity ?? DEFAULT_SEVERITY,
        enforcementLevel: level,
        controls: rule?.controls ?? { awsSecurityHub: [], nist80053: [], pciDssV4: [] },
        remediation: rule?.remediation ?? "",
    };
}

function titleOf(policy: string, pack: string): string {
    return pack !== "" ? `${policy} (policy pack ${pack})` : policy;
}

function notesOf(c: Collected): ReportGap[] {
    const notes: ReportGap[] = [...c.notes];
    if (c.skipped.size > 0) {
        const kinds = [...c.skipped.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([kind, count]) => `${kind} ×${count}`);
        notes.push({ message: `skipped events of kinds this report does not know: ${kinds.join(", ")}` });
    }
    // The engine ends every log with a cancelEvent (it closes the stream); only a missing
    // summaryEvent says the run stopped early.
    if (!c.sawSummary) {
        notes.push({ message: `the log has no summaryEvent${c.cancelled ? "" : " and no closing cancelEvent"}: the run stopped early or the log is cut short, so it may hold only part of the policy results` });
    }
    return notes;
}

/** Pulumi's color markup (`<{%reset%}>`, `<{%fg 1%}>`), which `--event-log` keeps in messages. */
function plain(message: string): string {
    return message.replace(/<\{%[^%]*%\}>/g, "").trim();
}

/** Names of the top-level properties a remediation changed; never their values. */
function changedProperties(before: unknown, after: unknown): string[] {
    const b = isObject(before) ? before : {};
    const a = isObject(after) ? after : {};
    const keys = new Set([...Object.keys(b), ...Object.keys(a)]);
    return [...keys].filter(key => JSON.stringify(b[key]) !== JSON.stringify(a[key])).sort();
}

function packOf(payload: Record<string, unknown>, kind: string, line: number, c: Collected): string {
    const name = optionalString(payload, "policyPackName", kind, line) ?? "";
    const version = optionalString(payload, "policyPackVersion", kind, line) ?? "";
    if (name !== "") {
        c.packs.add(version !== "" ? `${name}@${version}` : name);
    }
    return name;
}

function levelOf(payload: Record<string, unknown>, kind: string, line: number): Exclude<EnforcementLevel, "disabled"> {
    const level = optionalString(payload, "enforcementLevel", kind, line);
    switch (level) {
        case "mandatory":
            return "mandatory";
        case "remediate":
            return "remediate";
        case undefined:
        case "":
        case "advisory":
        case "warning":
            return "advisory";
        default:
            throw new PulumiEventsError(line, `${kind}.enforcementLevel is not one of advisory, warning, mandatory, remediate`);
    }
}

function severityOf(payload: Record<string, unknown>, kind: string, line: number): Severity | undefined {
    const severity = optionalString(payload, "severity", kind, line);
    if (severity === undefined || severity === "") {
        return undefined;
    }
    if (!SEVERITIES.includes(severity)) {
        throw new PulumiEventsError(line, `${kind}.severity is not one of ${SEVERITIES.join(", ")}`);
    }
    return severity as Severity;
}

function requiredString(payload: Record<string, unknown>, field: string, kind: string, line: number, allowEmpty = false): string {
    const value = payload[field];
    if (typeof value !== "string" || (!allowEmpty && value === "")) {
        throw new PulumiEventsError(line, `${kind} has no '${field}' (a ${allowEmpty ? "" : "non-empty "}string)`);
    }
    return value;
}

function optionalString(payload: Record<string, unknown>, field: string, kind: string, line: number): string | undefined {
    const value = payload[field];
    if (value === undefined || value === null) {
        return undefined;
    }
    if (typeof value !== "string") {
        throw new PulumiEventsError(line, `${kind}.${field} is not a string`);
    }
    return value === "" ? undefined : value;
}

function stringList(payload: Record<string, unknown>, field: string, kind: string, line: number): string[] {
    const value = payload[field];
    if (value === undefined || value === null) {
        return [];
    }
    if (!Array.isArray(value) || value.some(item => typeof item !== "string" || item === "")) {
        throw new PulumiEventsError(line, `${kind}.${field} is not a list of policy names`);
    }
    return value as string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

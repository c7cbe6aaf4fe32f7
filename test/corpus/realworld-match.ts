import type { Report, ReportFinding } from "../../report";

/*
 * How the real-world corpus expectations (test/corpus/realworld/*.json, format in the README there)
 * are compared with a scan report. Kept apart from the test so a script can reuse it and so the one
 * place that knows how findings name body operations is easy to find and adapt (`locate`).
 */

export type Verdict = "pass" | "fail" | "unknown" | "not-applicable" | "absent";
export const VERDICTS: readonly Verdict[] = ["pass", "fail", "unknown", "not-applicable", "absent"];

export interface Expectation {
    /** Full Terraform address as Terraform would name the instance, scan-root prefix included. */
    readonly address: string;
    /** For operations defined in an OpenAPI `body`: `METHOD /path` (route key for HTTP APIs). */
    readonly operation?: string;
    readonly rule: string;
    readonly expected: Verdict;
    /** One line: the file:line or documented fact the verdict rests on. */
    readonly why: string;
    /** Set while the scanner disagrees: the cause, read from the code of the miss. */
    readonly knownMiss?: string;
}

export interface ScanRoot {
    /** Relative to the case folder, as in its PROVENANCE.md. */
    readonly root: string;
    readonly addressPrefix: string;
    readonly expectations: readonly Expectation[];
}

export interface CaseExpectations {
    readonly case: string;
    readonly roots: readonly ScanRoot[];
}

/**
 * Where a finding points: its Terraform address and, for an operation read from an OpenAPI body,
 * the operation. How body operations will be represented is not settled yet, so every shape a
 * reader could reasonably produce is accepted here; adapt this one function when it is:
 * - a field (`entity.operation`, `entity.provenance.operation`, or `entity.provenance.pointer`
 *   holding `METHOD /path`);
 * - a suffix on the address or ref: `addr#GET /pets`, `addr GET /pets`, `addr/GET /pets`,
 *   `addr["GET /pets"]` after the API's own address.
 */
export function locate(finding: ReportFinding, operationsOf: ReadonlySet<string>): { address?: string; operation?: string } {
    const entity = finding.entity;
    if (!entity) {
        return {};
    }
    const provenance = entity.provenance as typeof entity.provenance & { readonly operation?: unknown };
    const bag = entity as typeof entity & { readonly operation?: unknown };
    const address = provenance.address ?? entity.ref;
    const field = typeof bag.operation === "string" ? bag.operation
        : typeof provenance.operation === "string" ? provenance.operation
            : undefined;
    if (field !== undefined) {
        return { address, operation: normaliseOperation(field) };
    }
    // An address that is a body API's address followed by an operation.
    for (const base of operationsOf) {
        for (const candidate of [address, entity.ref]) {
            if (candidate.length > base.length && candidate.startsWith(base)) {
                const rest = candidate.slice(base.length).replace(/^(#|\s+|\/|::|\[")/, "").replace(/"\]$/, "");
                const operation = normaliseOperation(rest);
                if (/^[A-Z$]+\s\S/.test(operation) || operation.startsWith("$")) {
                    return { address: base, operation };
                }
            }
        }
    }
    return { address };
}

function normaliseOperation(text: string): string {
    const match = /^\s*([A-Za-z-]+)\s+(\S.*?)\s*$/.exec(text);
    if (!match) {
        return text.trim();
    }
    const method = match[1].toLowerCase() === "x-amazon-apigateway-any-method" ? "ANY" : match[1].toUpperCase();
    return `${method} ${match[2]}`;
}

export interface Outcome {
    readonly expectation: Expectation;
    /** What the scanner said for this address, operation and rule (sorted, distinct); empty = no finding. */
    readonly got: readonly string[];
    readonly agrees: boolean;
}

export function judge(report: Report, root: ScanRoot): Outcome[] {
    const bodyApis = new Set(root.expectations.filter(e => e.operation !== undefined).map(e => e.address));
    const byKey = new Map<string, Set<string>>();
    for (const finding of report.findings) {
        const where = locate(finding, bodyApis);
        if (where.address === undefined) {
            continue;
        }
        const key = keyOf(where.address, where.operation, finding.ruleId);
        const statuses = byKey.get(key) ?? new Set<string>();
        statuses.add(finding.status);
        byKey.set(key, statuses);
    }
    return root.expectations.map(expectation => {
        // `absent` is about the resource and every instance of it (`addr`, `addr[0]`, `addr["k"]`).
        const keys = expectation.expected === "absent"
            ? [...byKey.keys()].filter(key => {
                const [address, operation, rule] = key.split("\u0000");
                return rule === expectation.rule && operation === (expectation.operation ?? "")
                    && (address === expectation.address || address.startsWith(`${expectation.address}[`));
            })
            : [keyOf(expectation.address, expectation.operation, expectation.rule)];
        const got = [...new Set(keys.flatMap(key => [...(byKey.get(key) ?? [])]))].sort();
        const agrees = expectation.expected === "absent" ? got.length === 0 : got.length === 1 && got[0] === expectation.expected;
        return { expectation, got, agrees };
    });
}

export function keyOf(address: string, operation: string | undefined, rule: string): string {
    return `${address}\u0000${operation ?? ""}\u0000${rule}`;
}

export function describeOutcome(outcome: Outcome): string {
    const e = outcome.expectation;
    const got = outcome.got.length === 0 ? "no finding" : outcome.got.join("+");
    return `${e.address}${e.operation !== undefined ? ` [${e.operation}]` : ""} ${e.rule}: expected ${e.expected}, scanner says ${got}`;
}


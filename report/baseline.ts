import { fingerprintOf, identityRef } from "./fingerprint";
import type { Baseline } from "./model";

/** Why a file cannot serve as a baseline; phrased without quoting the file. */
export class BaselineError extends Error {
    /** @param path where in the report the problem is (`["findings", 3, "fingerprint"]`), to find its line. */
    constructor(message: string, readonly path: readonly (string | number)[] = []) {
        super(message);
        this.name = "BaselineError";
    }
}

/**
 * The failures of a previous JSON report of this tool (`--format json`), as a baseline. Findings
 * are matched by fingerprint; a finding of an older report without one gets it computed from its
 * rule id and entity (the same recipe), so a baseline need not be regenerated after an upgrade.
 * Throws `BaselineError` when the value is not such a report.
 */
export function baselineFromReport(value: unknown, toolName: string): Baseline {
    if (!isObject(value)) {
        throw new BaselineError(`not a JSON report of ${toolName} (expected an object with 'reportVersion', 'tool' and 'findings'; write one with --format json)`);
    }
    const tool = value.tool;
    if (!isObject(tool) || tool.name !== toolName) {
        throw new BaselineError(`not a JSON report of ${toolName} (its 'tool.name' is not '${toolName}'; write one with --format json)`, ["tool"]);
    }
    if (value.reportVersion !== 1) {
        throw new BaselineError(`a report of version ${typeof value.reportVersion === "number" ? value.reportVersion : "(none)"}, not 1: this ${toolName} cannot read it`, ["reportVersion"]);
    }
    if (!Array.isArray(value.findings)) {
        throw new BaselineError(`not a JSON report of ${toolName} (it has no 'findings' list)`, ["findings"]);
    }
    const failures = new Set<string>();
    value.findings.forEach((finding: unknown, index: number) => {
        if (!isObject(finding) || typeof finding.ruleId !== "string" || typeof finding.status !== "string") {
            throw new BaselineError(`findings[${index}] is not a finding (no 'ruleId' or 'status')`, ["findings", index]);
        }
        if (finding.status !== "fail") {
            return;
        }
        failures.add(fingerprintFrom(finding, index));
    });
    return { failures };
}

function fingerprintFrom(finding: Record<string, unknown>, index: number): string {
    if (finding.fingerprint !== undefined) {
        if (typeof finding.fingerprint !== "string" || !/^[0-9a-f]{32}$/.test(finding.fingerprint)) {
            throw new BaselineError(`findings[${index}].fingerprint is not a fingerprint of this tool (32 hex digits)`, ["findings", index, "fingerprint"]);
        }
        return finding.fingerprint;
    }
    const entity = finding.entity;
    if (entity === undefined) {
        return fingerprintOf(String(finding.ruleId), "rule", "");
    }
    if (!isObject(entity) || typeof entity.kind !== "string" || typeof entity.ref !== "string") {
        throw new BaselineError(`findings[${index}].entity has no 'kind' and 'ref'`, ["findings", index, "entity"]);
    }
    const provenance = isObject(entity.provenance) ? entity.provenance : undefined;
    return fingerprintOf(String(finding.ruleId), entity.kind, identityRef(entity.ref, provenance));
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

import { applicableWaiver, Waiver, waiverExpired } from "apigw-guard/policies/engine/config";
import type { ReportFinding, WaiverNote } from "./model";

export { Waiver } from "apigw-guard/policies/engine/config";

export interface AppliedWaivers {
    readonly findings: ReportFinding[];
    /** Expired waivers, whether or not they matched anything (sorted by waiver id). */
    readonly expired: WaiverNote[];
    /** Unexpired waivers that suppressed nothing (sorted by waiver id). */
    readonly stale: WaiverNote[];
}

/**
 * Marks the failing and unknown findings that an unexpired waiver matches as `suppressed`. Passes
 * and not-applicable findings are never marked and do not keep a waiver alive: a waiver whose
 * resource now passes is stale, so someone can delete it. The first matching waiver (in the
 * order given) wins. Pure: same findings, waivers and clock, same result.
 */
export function applyWaivers(findings: readonly ReportFinding[], waivers: readonly Waiver[], now: Date): AppliedWaivers {
    const used = new Map<Waiver, number>();
    const out = findings.map(finding => {
        if (finding.status !== "fail" && finding.status !== "unknown") {
            return finding;
        }
        const entity = finding.entity;
        const target = entity ? { ref: entity.ref, urn: entity.provenance.urn, address: entity.provenance.address, arn: entity.provenance.arn } : {};
        const { active, expired } = applicableWaiver(waivers, finding.ruleId, target, now);
        const waiver = active ?? expired;
        if (waiver !== undefined) {
            used.set(waiver, (used.get(waiver) ?? 0) + 1);
        }
        if (active === undefined) {
            return finding;
        }
        const suppressed = { waiver: active.id, reason: active.reason, approver: active.approver, expires: active.expires };
        return { ...finding, suppressed };
    });
    const expired: WaiverNote[] = [];
    const stale: WaiverNote[] = [];
    for (const waiver of waivers) {
        const matched = used.get(waiver) ?? 0;
        if (waiverExpired(waiver, now)) {
            expired.push(noteOf(waiver, matched));
        } else if (matched === 0) {
            stale.push(noteOf(waiver, 0));
        }
    }
    return { findings: out, expired: expired.sort(compareNotes), stale: stale.sort(compareNotes) };
}

function noteOf(waiver: Waiver, matched: number): WaiverNote {
    return {
        waiver: waiver.id,
        rule: waiver.rule,
        resource: waiver.resource,
        reason: waiver.reason,
        approver: waiver.approver,
        expires: waiver.expires,
        matched,
        ...(waiver.file !== undefined ? { file: waiver.file } : {}),
        ...(waiver.line !== undefined ? { line: waiver.line } : {}),
    };
}

function compareNotes(a: WaiverNote, b: WaiverNote): number {
    return (a.file ?? "") < (b.file ?? "") ? -1 : (a.file ?? "") > (b.file ?? "") ? 1
        : (a.line ?? 0) - (b.line ?? 0) || (a.waiver < b.waiver ? -1 : a.waiver > b.waiver ? 1 : 0);
}

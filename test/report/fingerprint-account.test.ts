import assert from "node:assert/strict";
import { Finding } from "apigw-guard/policies/engine/run";
import { baselineFromReport } from "../../report/baseline";
import { findingFingerprint, fingerprintOf } from "../../report/fingerprint";
import { buildReport, InputFinding, ReportEntity } from "../../report/model";

const RULE = "apigateway-stage-access-logging";
const STAGE = "arn:aws:apigateway:us-east-1::/restapis/api111/stages/prod";

function stage(account: string | undefined, source: ReportEntity["provenance"]["source"] = "aws"): ReportEntity {
    return { ref: STAGE, kind: "stage", name: "prod", provenance: { source, arn: STAGE, region: "us-east-1", ...(account !== undefined ? { account } : {}) } };
}

function failing(on: ReportEntity): InputFinding {
    const finding: Omit<Finding, "entity"> = { ruleId: RULE, title: "t", severity: "medium", status: "fail", enforcementLevel: "mandatory", message: "no access log", remediation: "fix" };
    return { ...finding, entity: on };
}

function report(findings: readonly InputFinding[], baseline?: ReadonlySet<string>) {
    return buildReport({
        tool: { name: "apigw-guard", version: "0" }, generatedAt: new Date("2026-06-01T00:00:00Z"), failOn: "mandatory", rules: [],
        inputs: [{ file: "aws", kind: "aws-account", findings }],
        ...(baseline !== undefined ? { baseline: { failures: baseline } } : {}),
    });
}

describe("report: a live audit's fingerprint names its account", () => {
    it("the same ARN in two accounts is two resources; without an account (or outside a live audit) the recipe is unchanged", () => {
        const a = findingFingerprint(failing(stage("111111111111")));
        const b = findingFingerprint(failing(stage("222222222222")));
        assert.notEqual(a, b);
        assert.equal(a, fingerprintOf(RULE, "stage", `111111111111:${STAGE}`));
        assert.equal(findingFingerprint(failing(stage(undefined))), fingerprintOf(RULE, "stage", STAGE));
        // A scan's `--account-id` names an account for Security Hub, not a second resource identity.
        assert.equal(findingFingerprint(failing(stage("111111111111", "terraform"))), fingerprintOf(RULE, "stage", STAGE));
    });

    it("a baseline written by a new report matches only the same account; one written before audits named accounts still matches", () => {
        const previous = report([failing(stage("111111111111"))]);
        const fromReport = baselineFromReport(JSON.parse(JSON.stringify(previous)), "apigw-guard");
        const now = report([failing(stage("111111111111")), failing(stage("222222222222"))], fromReport.failures);
        assert.deepEqual(now.findings.map(f => [f.entity?.provenance.account, f.baseline]), [["111111111111", "existing"], ["222222222222", "new"]]);
        // A report without fingerprints (older) is fingerprinted with the account its provenance names.
        const stripped = JSON.parse(JSON.stringify(previous)) as { findings: Record<string, unknown>[] };
        for (const finding of stripped.findings) {
            delete finding.fingerprint;
        }
        assert.deepEqual([...baselineFromReport(stripped, "apigw-guard").failures], [fingerprintOf(RULE, "stage", `111111111111:${STAGE}`)]);
        // The baseline of a single-account audit from before: no account anywhere.
        const old = report([failing(stage(undefined))]);
        const upgraded = report([failing(stage("111111111111"))], new Set(old.findings.map(f => f.fingerprint)));
        assert.equal(upgraded.findings[0].baseline, "existing");
    });
});

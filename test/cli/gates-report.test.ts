import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { assertNoLeak } from "../../testkit/leaks";
import { REPORT_FORMATS } from "../../report";
import { assertCleanErrors, NOW, runCli, Scratch } from "./helpers";

/** `apigw-guard report --pulumi-events`: a Pulumi engine event log (any policy pack) as a report and a gate. */

const SAMPLE = path.resolve(__dirname, "..", "..", "..", "test", "report", "fixtures", "pulumi-events", "eventstream.ndjson");
const RES_A = "urn:pulumi:test::test::pkgA:m:typA::resA";
const VALUE = `PLANTED${randomBytes(16).toString("hex")}`;
const STACK = "urn:pulumi:prod::shop";

function report(args: readonly string[], input?: string) {
    return runCli(["report", "--now", NOW, ...args], input !== undefined ? { input } : {});
}

interface EventsReport {
    inputs: Array<{ file: string; kind: string; entities?: number; gaps?: Array<{ message: string }> }>;
    rules: Array<{ id: string; title: string; controls: { pciDssV4: string[] } }>;
    findings: Array<{ ruleId: string; status: string; enforcementLevel: string; severity: string; message: string; fingerprint: string; suppressed?: { waiver: string }; baseline?: string; entity?: { ref: string; kind: string } }>;
    frameworks?: { controls: Array<{ id: string; status: string }> };
    summary: { gate: { blocking: number }; failures: { mandatory: number; advisory: number } };
}

function line(event: object): string {
    return JSON.stringify({ sequence: 1, timestamp: 1767225600, ...event });
}

/** A preview of our pack and another, with values planted where the engine puts values. */
function plantedLog(): string {
    const pack = { policyPackName: "corp-baseline", policyPackVersion: "3.1.0", policyPackVersionTag: "3.1.0" };
    return [
        line({ policyLoadEvent: {} }),
        line({ preludeEvent: { config: { "shop:apiKey": VALUE } } }),
        line({ stdoutEvent: { message: `printing ${VALUE}`, color: "raw" } }),
        line({ resourcePreEvent: { metadata: { urn: `${STACK}::aws:apigateway/apiKey:ApiKey::partner`, new: { inputs: { value: VALUE } } } } }),
        line({ policyRemediationEvent: { ...pack, resourceUrn: `${STACK}::aws:apigateway/apiKey:ApiKey::partner`, color: "raw", policyName: "tag-owner", before: { value: VALUE, tags: {} }, after: { value: VALUE, tags: { owner: "team" } } } }),
        line({ policyEvent: { ...pack, resourceUrn: `${STACK}::aws:apigateway/apiKey:ApiKey::partner`, message: "key has no description", color: "raw", policyName: "describe-everything", enforcementLevel: "advisory", severity: "low" } }),
        line({ policyEvent: { resourceUrn: `${STACK}::aws:apigateway/stage:Stage::prod`, message: "stage 'prod' has no access log", color: "raw", policyName: "apigateway-stage-access-logging", policyPackName: "apigw-guard", policyPackVersion: "0.1.0", policyPackVersionTag: "", enforcementLevel: "mandatory", severity: "high" } }),
        line({ policyAnalyzeSummaryEvent: { policyPackName: "apigw-guard", policyPackVersion: "0.1.0", policyPackVersionTag: "", resourceUrn: `${STACK}::aws:apigateway/stage:Stage::prod`, passed: ["apigateway-stage-xray-tracing"], failed: ["apigateway-stage-access-logging"] } }),
        line({ diagnosticEvent: { message: `error: ${VALUE}`, color: "raw", severity: "error" } }),
        line({ summaryEvent: { maybeCorrupt: false, durationSeconds: 2, resourceChanges: {}, PolicyPacks: {} } }),
        line({ cancelEvent: {} }),
        "",
    ].join("\n");
}

describe("cli: apigw-guard report --pulumi-events", function () {
    this.timeout(120_000);
    let scratch: Scratch;

    before(() => {
        scratch = new Scratch();
    });

    after(() => {
        scratch.cleanup();
    });

    it("reports the reference log: one mandatory failure of 'always-fails' on resA, exit 1", () => {
        const run = report(["--pulumi-events", SAMPLE]);
        assert.equal(run.status, 1, run.stderr);
        assert.match(run.stdout, new RegExp(`\\n {2}${RES_A.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n {4}FAIL +always-fails +mandatory · high\\n +a policy failed\\n`));
        assert.match(run.stdout, /1 input · 1 failed \(1 mandatory, 0 advisory\) · 0 unknown · 0 passed · 0 not applicable · 1 blocking at --fail-on mandatory\n$/);
        assert.equal(report(["--pulumi-events", SAMPLE, "--fail-on", "none"]).status, 0);
        assert.equal(report(["--pulumi-events", SAMPLE, "--fail-on", "critical"]).status, 0, "a high failure does not block at critical");
        assert.equal(report(["--pulumi-events", SAMPLE, "--fail-on", "high"]).status, 1);
    });

    it("reads stdin (-), writes --output, and the JSON is the same report model as scan's", () => {
        const out = scratch.path("events-report.json");
        const run = report(["--pulumi-events", "-", "--format", "json", "--output", out], readFileSync(SAMPLE, "utf8"));
        assert.equal(run.status, 1, run.stderr);
        assert.equal(run.stdout, "");
        const json = JSON.parse(readFileSync(out, "utf8")) as EventsReport;
        assert.deepEqual(json.inputs.map(i => [i.file, i.kind, i.entities]), [["<stdin>", "pulumi-events", 1]]);
        assert.deepEqual(json.findings.map(f => [f.ruleId, f.status, f.enforcementLevel, f.severity, f.entity?.ref]), [["always-fails", "fail", "mandatory", "high", RES_A]]);
        assert.match(json.findings[0].fingerprint, /^[0-9a-f]{32}$/);
    });

    it("writes several formats in one run (--format/--output pairs, as scan does)", () => {
        const json = scratch.path("pairs.json");
        const sarif = scratch.path("pairs.sarif");
        const run = report(["--pulumi-events", SAMPLE, "--format", "json", "--output", json, "--format", "sarif", "--output", sarif, "--format", "text"]);
        assert.equal(run.status, 1, run.stderr);
        assert.match(run.stdout, /FAIL +always-fails/);
        assert.equal((JSON.parse(readFileSync(json, "utf8")) as EventsReport).findings.length, 1);
        assert.equal((JSON.parse(readFileSync(sarif, "utf8")) as { version: string }).version, "2.1.0");
        const twice = report(["--pulumi-events", SAMPLE, "--format", "json", "--format", "text"]);
        assert.equal(twice.status, 2);
        assert.match(twice.stderr, /only one --format can go to stdout/);
    });

    it("--waivers work for any pack's policy names (the rule is whatever the pack calls it)", () => {
        const waivers = scratch.file("events-waivers.yaml", `waivers:\n  - rule: always-fails\n    resource: "urn:pulumi:test::test::**::resA"\n    reason: known flake\n    approver: ci\n    expires: 2026-06-30\n`);
        const run = report(["--pulumi-events", SAMPLE, "--waivers", waivers, "--format", "json"]);
        assert.equal(run.status, 0, run.stderr);
        const json = JSON.parse(run.stdout) as EventsReport;
        assert.equal(json.findings[0].suppressed?.waiver, `${waivers}#1`);
    });

    it("--baseline of an earlier events report makes the same violation existing", () => {
        const previous = scratch.path("previous-events.json");
        report(["--pulumi-events", SAMPLE, "--format", "json", "--output", previous]);
        const run = report(["--pulumi-events", SAMPLE, "--baseline", previous, "--format", "json"]);
        assert.equal(run.status, 0, run.stderr);
        assert.equal((JSON.parse(run.stdout) as EventsReport).findings[0].baseline, "existing");
    });

    it("mixes packs: this kit's rules keep their controls (--framework), others are listed with their pack", () => {
        const log = scratch.file("mixed.ndjson", plantedLog());
        const run = report(["--pulumi-events", log, "--format", "json", "--framework", "pci-dss-v4"]);
        assert.equal(run.status, 1, run.stderr);
        const json = JSON.parse(run.stdout) as EventsReport;
        assert.deepEqual(json.findings.map(f => `${f.ruleId} ${f.status} ${f.enforcementLevel}`).sort(), [
            "apigateway-stage-access-logging fail mandatory",
            "apigateway-stage-xray-tracing pass advisory",
            "describe-everything fail advisory",
            "tag-owner fail advisory",
        ]);
        assert.ok(json.rules.find(r => r.id === "apigateway-stage-access-logging")?.controls.pciDssV4.length);
        assert.equal(json.rules.find(r => r.id === "tag-owner")?.title, "tag-owner (policy pack corp-baseline)");
        assert.ok(json.frameworks?.controls.some(c => c.status === "fail"));
        assert.match(json.findings.find(f => f.ruleId === "tag-owner")?.message ?? "", /changed tags/);
        assert.equal(json.inputs[0].gaps, undefined, "known non-policy events are skipped quietly");
    });

    it("a planted value (prelude config, remediation before/after, stdout, diagnostics) never appears, in any format", () => {
        const log = scratch.file("planted.ndjson", plantedLog());
        for (const format of REPORT_FORMATS) {
            const run = report(["--pulumi-events", log, "--format", format, "--show-passes", "--account-id", "123456789012", "--region", "us-east-1", "--asff-include-passed"]);
            assert.ok(run.status === 1, `${format}: ${run.stderr}`);
            for (const text of [run.stdout, run.stderr]) {
                assert.ok(!text.includes(VALUE), `${format} holds the planted value`);
                assert.ok(!text.includes(VALUE.slice(7, 19)), `${format} holds part of the planted value`);
            }
            assertNoLeak(format, { stdout: run.stdout, stderr: run.stderr }, VALUE);
        }
    });

    const bad: Array<[string, string, RegExp]> = [
        ["a line that is not JSON", `${line({ policyLoadEvent: {} })}\n${line({ summaryEvent: {} })}\n{"policyEvent": {"message": "${VALUE}"`, /bad-\d\.ndjson:3: not a JSON engine event: .* \(column \d+\)/],
        ["a JSON array line", `${line({ policyLoadEvent: {} })}\n["${VALUE}"]\n`, /bad-\d\.ndjson:2: not an engine event \(each line must be a JSON object\)/],
        ["a policyEvent with no policy name", `\n\n${JSON.stringify({ policyEvent: { message: VALUE } })}\n`, /bad-\d\.ndjson:3: policyEvent has no 'policyName'/],
        ["an empty log", "\n\n", /bad-\d\.ndjson: the event log is empty/],
    ];
    bad.forEach(([what, content, message], index) => {
        it(`exits 2 on ${what}, with the line number and none of the line`, () => {
            const file = scratch.file(`bad-${index}.ndjson`, content);
            const run = report(["--pulumi-events", file]);
            assert.equal(run.status, 2);
            assert.equal(run.stdout, "");
            const lines = assertCleanErrors(run);
            assert.equal(lines.length, 1, run.stderr);
            assert.match(lines[0], message);
            assert.ok(!run.stderr.includes(VALUE.slice(7, 19)));
        });
    });

    it("exits 2 without --pulumi-events, or when the file does not exist", () => {
        const none = report([]);
        assert.equal(none.status, 2);
        assert.match(none.stderr, /say what to report on: --pulumi-events FILE/);
        const missing = report(["--pulumi-events", scratch.path("missing.ndjson")]);
        assert.equal(missing.status, 2);
        assert.match(missing.stderr, /missing\.ndjson: --pulumi-events: no such file or directory/);
    });
});

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
    applicableWaiver, ConfigError, POLICY_WAIVERS_SCHEMA, policyWaivers, resolveRuleConfig, selectorMatches, Waiver, WAIVER_FIELDS_SCHEMA, waiverExpired,
} from "apigw-guard/policies/engine/config";
import { Finding } from "apigw-guard/policies/engine/run";
import {
    blocksGate, buildReport, BuildReportOptions, createReporter, FailOn, InputFinding, JsonReporter, Report, reportRules, TextReporter,
} from "../../report";
import { baselineFromReport, BaselineError } from "../../report/baseline";
import { findingFingerprint, fingerprintOf } from "../../report/fingerprint";
import { compareControlIds } from "../../report/frameworks";
import { RULES } from "apigw-guard/policies/rules/index";

const NOW = new Date("2026-06-01T12:00:00Z");
const TOOL = { name: "apigw-guard", version: "9.9.9" };
const ROOT = path.resolve(__dirname, "..", "..", "..");

type Entity = NonNullable<Finding["entity"]>;

function entity(ref: string, provenance: Partial<Entity["provenance"]> = {}, kind: Entity["kind"] = "method"): Entity {
    return { ref, kind, name: ref.split(/[.:]/).pop() ?? ref, provenance: { source: "terraform", address: ref, ...provenance } };
}

function finding(ruleId: string, status: Finding["status"], on: Entity | undefined, extra: Partial<Finding> = {}): Finding {
    return {
        ruleId, title: `title of ${ruleId}`, severity: "high", status, enforcementLevel: "mandatory",
        message: `${ruleId} ${status}`, remediation: "fix it", entity: on, ...extra,
    };
}

function waiver(rule: string, resource: string, expires: string, extra: Partial<Waiver> = {}): Waiver {
    return { id: `${rule}@${resource}`, rule, resource, reason: "accepted", approver: "sec", expires, ...extra };
}

function build(findings: readonly InputFinding[], options: Partial<BuildReportOptions> = {}): Report {
    return buildReport({
        tool: TOOL, generatedAt: NOW, failOn: "mandatory",
        inputs: [{ file: "infra", kind: "terraform-hcl", entities: findings.length, findings }],
        rules: reportRules(RULES, rule => rule.enforcementLevel),
        ...options,
    });
}

const KEY_REQUIRED = "apigateway-method-api-key-required";
const WAF = "apigateway-stage-waf";
const MAX_AGE = "apigateway-api-key-max-age";

describe("gates: fingerprints", () => {
    it("are 32 hex digits of rule id, entity kind and logical ref, nothing else", () => {
        const a = finding(KEY_REQUIRED, "fail", entity("aws_api_gateway_method.get", { file: "main.tf", line: 3 }));
        const moved = finding(KEY_REQUIRED, "pass", entity("aws_api_gateway_method.get", { file: "api/methods.tf", line: 90 }), {
            message: "another message", line: 91, field: "apiKeyRequired", severity: "low", enforcementLevel: "advisory",
        });
        assert.match(findingFingerprint(a), /^[0-9a-f]{32}$/);
        assert.equal(findingFingerprint(a), findingFingerprint(moved), "file, line, message, status, level do not count");
        assert.equal(findingFingerprint(a), fingerprintOf(KEY_REQUIRED, "method", "aws_api_gateway_method.get"));
        assert.notEqual(findingFingerprint(a), findingFingerprint(finding(WAF, "fail", entity("aws_api_gateway_method.get"))), "rule counts");
        assert.notEqual(findingFingerprint(a), findingFingerprint(finding(KEY_REQUIRED, "fail", entity("aws_api_gateway_method.get", {}, "stage"))), "kind counts");
        assert.notEqual(findingFingerprint(a), findingFingerprint(finding(KEY_REQUIRED, "fail", entity("aws_api_gateway_method.post"))), "the resource counts");
        assert.equal(findingFingerprint(finding(KEY_REQUIRED, "unknown", undefined)), fingerprintOf(KEY_REQUIRED, "rule", ""));
    });

    it("the pinned recipe (a change here invalidates every stored baseline: bump the prefix on purpose)", () => {
        // sha256("apigw-guard/fingerprint/v1\0apigateway-method-api-key-required\0method\0aws_api_gateway_method.get")[0:32]
        assert.equal(fingerprintOf(KEY_REQUIRED, "method", "aws_api_gateway_method.get"), "489f93000859c384011e2c880ac33cb7");
        // NUL-separated: shifting characters between fields changes the fingerprint.
        assert.notEqual(fingerprintOf("ab", "c", "d"), fingerprintOf("a", "bc", "d"));
    });

    it("every finding of a report carries its fingerprint; order of the input does not change them", () => {
        const findings = [
            finding(KEY_REQUIRED, "fail", entity("aws_api_gateway_method.b")),
            finding(KEY_REQUIRED, "pass", entity("aws_api_gateway_method.a")),
            finding(WAF, "fail", entity("aws_api_gateway_stage.prod", {}, "stage")),
        ];
        const forward = build(findings);
        const backward = build([...findings].reverse());
        assert.deepEqual(forward, backward);
        assert.equal(forward.findings.length, findings.length);
        for (const f of forward.findings) {
            assert.equal(f.fingerprint, findingFingerprint(f));
        }
    });
});

describe("gates: waiver selectors and expiry", () => {
    const cases: Array<[string, string, boolean]> = [
        ["aws_api_gateway_method.get", "aws_api_gateway_method.get", true],
        ["aws_api_gateway_method.get", "aws_api_gateway_method.gets", false],
        ["aws_api_gateway_method.*", "aws_api_gateway_method.get", true],
        ["aws_api_gateway_method.*", "aws_api_gateway_method.get[\"a\"]", true],
        ["aws_api_gateway_method.*", "module.api.aws_api_gateway_method.get", false],
        ["module.*.aws_api_gateway_method.*", "module.api.aws_api_gateway_method.get", true],
        ["**.aws_api_gateway_method.get", "module.a.module.b.aws_api_gateway_method.get", true],
        ["*", "anything::at/all.really", true],
        ["**", "anything::at/all.really", true],
        ["urn:pulumi:*::shop::aws:apigateway/stage:Stage::prod", "urn:pulumi:dev::shop::aws:apigateway/stage:Stage::prod", true],
        ["urn:pulumi:*::prod", "urn:pulumi:dev::shop::aws:apigateway/stage:Stage::prod", false],
        ["urn:pulumi:**::prod", "urn:pulumi:dev::shop::aws:apigateway/stage:Stage::prod", true],
        ["urn:pulumi:**::prod", "urn:pulumi:dev::shop::aws:apigateway/stage:Stage::preprod", false],
        ["arn:aws:apigateway:*::/restapis/*/stages/prod", "arn:aws:apigateway:eu-west-1::/restapis/a1b2/stages/prod", true],
        ["arn:aws:apigateway:*::/restapis/*/stages/prod", "arn:aws:apigateway:eu-west-1::/restapis/a1b2/stages/prod/x", false],
        // Regex characters are literal.
        ["aws_api_gateway_method.get[\"a\"]", "aws_api_gateway_method.get[\"a\"]", true],
        ["aws_api_gateway_method.get[\"a\"]", "aws_api_gateway_method.getX\"a\"]", false],
        ["a.b", "aXb", false],
        ["(x)+", "(x)+", true],
    ];
    for (const [selector, name, expected] of cases) {
        it(`${JSON.stringify(selector)} ${expected ? "matches" : "does not match"} ${JSON.stringify(name)}`, () => {
            assert.equal(selectorMatches(selector, name), expected);
        });
    }

    it("a waiver applies through the whole of its expiry day (UTC) and not a moment after", () => {
        const w = waiver(WAF, "*", "2026-06-01");
        assert.equal(waiverExpired(w, new Date("2026-06-01T00:00:00Z")), false);
        assert.equal(waiverExpired(w, new Date("2026-06-01T23:59:59.999Z")), false);
        assert.equal(waiverExpired(w, new Date("2026-06-02T00:00:00Z")), true);
    });

    it("the first matching unexpired waiver wins; an expired match is named when nothing applies", () => {
        const expired = waiver(WAF, "**", "2026-01-01", { id: "old" });
        const first = waiver(WAF, "aws_api_gateway_stage.*", "2026-12-31", { id: "first" });
        const second = waiver("*", "**", "2026-12-31", { id: "second" });
        const target = { ref: "aws_api_gateway_stage.prod", address: "aws_api_gateway_stage.prod" };
        assert.equal(applicableWaiver([expired, first, second], WAF, target, NOW).active?.id, "first");
        assert.equal(applicableWaiver([expired], WAF, target, NOW).expired?.id, "old");
        assert.deepEqual(applicableWaiver([first], KEY_REQUIRED, target, NOW), {});
    });
});

describe("gates: waivers in a report", () => {
    const method = entity("aws_api_gateway_method.get", { file: "main.tf", line: 3 });
    const stage = entity("aws_api_gateway_stage.prod", { file: "stages.tf", line: 1 }, "stage");
    const key = entity("urn:pulumi:dev::shop::aws:apigateway/apiKey:ApiKey::old", { source: "pulumi", urn: "urn:pulumi:dev::shop::aws:apigateway/apiKey:ApiKey::old", address: undefined }, "api-key");
    const settings = entity("aws_api_gateway_stage.prod#methodSettings/*/*", { address: "aws_api_gateway_stage.prod" }, "method-settings");
    const liveStage = entity("arn:aws:apigateway:us-east-1::/restapis/a1/stages/prod", { source: "aws", arn: "arn:aws:apigateway:us-east-1::/restapis/a1/stages/prod", address: undefined }, "stage");
    const findings = [
        finding(KEY_REQUIRED, "fail", method),
        finding(WAF, "fail", stage, { enforcementLevel: "advisory", severity: "medium" }),
        finding(MAX_AGE, "fail", key, { severity: "critical" }),
        finding("apigateway-stage-execution-logging", "unknown", settings, { enforcementLevel: "advisory" }),
        finding("apigateway-stage-access-logging", "pass", stage),
        finding(WAF, "fail", liveStage, { enforcementLevel: "advisory", severity: "medium" }),
    ];

    it("no waivers given: no waiver fields at all (reports of earlier runs keep their shape)", () => {
        const report = build(findings);
        assert.equal(report.waivers, undefined);
        assert.equal(report.summary.suppressed, undefined);
        assert.ok(report.findings.length > 0 && report.findings.every(f => f.suppressed === undefined && f.baseline === undefined));
    });

    it("a valid waiver suppresses (with reason, approver, expiry and id); the finding stays; it no longer blocks", () => {
        const report = build(findings, { waivers: [waiver(KEY_REQUIRED, "aws_api_gateway_method.get", "2026-12-31", { id: "SEC-1", reason: "public webhook", approver: "jane" })] });
        const waived = report.findings.find(f => f.ruleId === KEY_REQUIRED);
        assert.deepEqual(waived?.suppressed, { waiver: "SEC-1", reason: "public webhook", approver: "jane", expires: "2026-12-31" });
        assert.equal(waived?.status, "fail", "still a failure, shown as waived");
        assert.equal(report.findings.length, findings.length);
        assert.deepEqual(report.summary.suppressed, { total: 1, fail: 1, unknown: 0 });
        assert.deepEqual(report.summary.failures, { mandatory: 1, advisory: 2 });
        assert.equal(report.summary.findings.fail, 4, "statuses are counted as they are");
        assert.equal(report.summary.gate.blocking, 1, "only the key-age failure blocks now");
        assert.deepEqual(report.waivers, { expired: [], stale: [] });
    });

    it("selectors match the URN, Terraform address, ARN or derived ref of the finding", () => {
        const report = build(findings, {
            waivers: [
                waiver(MAX_AGE, "urn:pulumi:*::shop::aws:apigateway/apiKey:ApiKey::*", "2026-12-31"),
                waiver(WAF, "arn:aws:apigateway:*::/restapis/*/stages/prod", "2026-12-31"),
                waiver("apigateway-stage-execution-logging", "aws_api_gateway_stage.prod", "2026-12-31"),
            ],
        });
        const suppressed = report.findings.filter(f => f.suppressed).map(f => `${f.ruleId} ${f.entity?.ref}`).sort();
        assert.deepEqual(suppressed, [
            `${MAX_AGE} ${key.ref}`,
            `apigateway-stage-execution-logging ${settings.ref}`,
            `${WAF} ${liveStage.ref}`,
        ]);
        assert.deepEqual(report.summary.suppressed, { total: 3, fail: 2, unknown: 1 });
    });

    it("rule '*' waives every rule on the resource", () => {
        const report = build(findings, { waivers: [waiver("*", "aws_api_gateway_stage.prod", "2026-12-31")] });
        const suppressed = report.findings.filter(f => f.suppressed).map(f => f.ruleId).sort();
        assert.deepEqual(suppressed, ["apigateway-stage-execution-logging", WAF]);
        assert.equal(report.findings.find(f => f.ruleId === "apigateway-stage-access-logging")?.suppressed, undefined, "a pass is never marked");
    });

    it("an expired waiver stops suppressing and is itself reported, with how many findings it matched", () => {
        const expired = waiver(KEY_REQUIRED, "aws_api_gateway_method.*", "2026-05-31", { id: "OLD-1", file: "waivers.yaml", line: 4 });
        const report = build(findings, { waivers: [expired] });
        assert.equal(report.findings.find(f => f.ruleId === KEY_REQUIRED)?.suppressed, undefined);
        assert.equal(report.summary.gate.blocking, 2);
        assert.deepEqual(report.waivers?.expired, [{
            waiver: "OLD-1", rule: KEY_REQUIRED, resource: "aws_api_gateway_method.*", reason: "accepted", approver: "sec", expires: "2026-05-31", matched: 1, file: "waivers.yaml", line: 4,
        }]);
        assert.deepEqual(report.waivers?.stale, []);
        assert.deepEqual(report.summary.waivers, { expired: 1, stale: 0 });
    });

    it("a waiver that matches nothing, or only passing findings, is stale", () => {
        const report = build(findings, {
            waivers: [
                waiver(KEY_REQUIRED, "aws_api_gateway_method.gone", "2026-12-31", { id: "gone" }),
                waiver("apigateway-stage-access-logging", "aws_api_gateway_stage.prod", "2026-12-31", { id: "fixed" }),
                waiver("apigateway-no-such-rule", "**", "2026-12-31", { id: "typo" }),
            ],
        });
        assert.deepEqual(report.waivers?.stale.map(w => w.waiver), ["fixed", "gone", "typo"]);
        assert.ok(report.findings.length > 0 && report.findings.every(f => f.suppressed === undefined));
    });

    it("the clock is the report's (--now): the same waiver is valid one day and expired the next", () => {
        const w = [waiver(KEY_REQUIRED, "aws_api_gateway_method.get", "2026-06-01")];
        assert.ok(build(findings, { waivers: w, generatedAt: new Date("2026-06-01T23:00:00Z") }).findings.some(f => f.suppressed));
        assert.ok(!build(findings, { waivers: w, generatedAt: new Date("2026-06-02T00:00:00Z") }).findings.some(f => f.suppressed));
    });
});

describe("gates: baselines", () => {
    const get = entity("aws_api_gateway_method.get", { file: "main.tf", line: 3 });
    const post = entity("aws_api_gateway_method.post", { file: "main.tf", line: 9 });
    const before = build([finding(KEY_REQUIRED, "fail", get), finding(KEY_REQUIRED, "pass", post)]);

    it("failures already in the baseline are existing and do not block; new ones do", () => {
        const baseline = baselineFromReport(JSON.parse(new JsonReporter().render(before)), "apigw-guard");
        const after = build([finding(KEY_REQUIRED, "fail", get), finding(KEY_REQUIRED, "fail", post)], { baseline });
        assert.deepEqual(after.findings.map(f => `${f.entity?.ref} ${f.baseline}`), ["aws_api_gateway_method.get existing", "aws_api_gateway_method.post new"]);
        assert.deepEqual(after.summary.baseline, { new: 1, existing: 1 });
        assert.equal(after.summary.gate.blocking, 1);
    });

    it("only failures of the baseline count (a baseline pass that now fails is new); passes get no mark", () => {
        const baseline = baselineFromReport(before, "apigw-guard");
        assert.equal(baseline.failures.size, 1);
        const after = build([finding(KEY_REQUIRED, "pass", get)], { baseline });
        assert.equal(after.findings[0].baseline, undefined);
        assert.deepEqual(after.summary.baseline, { new: 0, existing: 0 });
    });

    it("a finding moved to another file, or listed in another order, is still existing", () => {
        const baseline = baselineFromReport(before, "apigw-guard");
        const moved = entity("aws_api_gateway_method.get", { file: "api/methods.tf", line: 40 });
        const after = build([finding(KEY_REQUIRED, "pass", post), finding(KEY_REQUIRED, "fail", moved, { line: 44 })], { baseline });
        assert.equal(after.findings.find(f => f.status === "fail")?.baseline, "existing");
    });

    it("reads baselines written before fingerprints existed (recomputed from rule and entity)", () => {
        const old = JSON.parse(new JsonReporter().render(before)) as { findings: Array<Record<string, unknown>> };
        for (const f of old.findings) {
            delete f.fingerprint;
        }
        const baseline = baselineFromReport(old, "apigw-guard");
        assert.deepEqual([...baseline.failures], [fingerprintOf(KEY_REQUIRED, "method", "aws_api_gateway_method.get")]);
    });

    const bad: Array<[string, unknown, RegExp]> = [
        ["an array", [], /not a JSON report of apigw-guard/],
        ["another tool's JSON", { tool: { name: "checkov" }, findings: [] }, /'tool\.name' is not 'apigw-guard'/],
        ["a stack export", { version: 3, deployment: { resources: [] } }, /not a JSON report of apigw-guard/],
        ["a newer report version", { reportVersion: 2, tool: { name: "apigw-guard" }, findings: [] }, /version 2/],
        ["no findings", { reportVersion: 1, tool: { name: "apigw-guard" } }, /no 'findings'/],
        ["a finding without a rule", { reportVersion: 1, tool: { name: "apigw-guard" }, findings: [{ status: "fail" }] }, /findings\[0\]/],
        ["a forged fingerprint", { reportVersion: 1, tool: { name: "apigw-guard" }, findings: [{ ruleId: "r", status: "fail", fingerprint: "x" }] }, /findings\[0\]\.fingerprint/],
    ];
    for (const [what, value, message] of bad) {
        it(`refuses ${what} as a baseline, in one line`, () => {
            assert.throws(() => baselineFromReport(value, "apigw-guard"), (error: unknown) => error instanceof BaselineError && message.test(error.message) && !error.message.includes("\n"));
        });
    }
});

describe("gates: --fail-on by level and by severity", () => {
    const table: Array<[FailOn, Array<[Finding["severity"], "mandatory" | "advisory", boolean]>]> = [
        ["mandatory", [["low", "mandatory", true], ["critical", "advisory", false]]],
        ["advisory", [["low", "advisory", true], ["low", "mandatory", true]]],
        ["none", [["critical", "mandatory", false]]],
        ["critical", [["critical", "advisory", true], ["high", "mandatory", false]]],
        ["high", [["critical", "advisory", true], ["high", "advisory", true], ["medium", "mandatory", false]]],
        ["medium", [["medium", "advisory", true], ["low", "mandatory", false]]],
        ["low", [["low", "advisory", true], ["low", "mandatory", true]]],
    ];
    for (const [failOn, rows] of table) {
        for (const [severity, level, blocks] of rows) {
            it(`--fail-on ${failOn}: a ${level} ${severity} failure ${blocks ? "blocks" : "does not block"}`, () => {
                assert.equal(blocksGate({ status: "fail", severity, enforcementLevel: level }, failOn), blocks);
            });
        }
    }

    it("nothing but an active failure ever blocks: not unknowns, passes, waived or existing failures", () => {
        for (const failOn of ["advisory", "low"] as const) {
            assert.equal(blocksGate({ status: "unknown", severity: "critical", enforcementLevel: "mandatory" }, failOn), false);
            assert.equal(blocksGate({ status: "fail", severity: "critical", enforcementLevel: "mandatory", suppressed: { waiver: "w", reason: "r", approver: "a", expires: "2026-12-31" } }, failOn), false);
            assert.equal(blocksGate({ status: "fail", severity: "critical", enforcementLevel: "mandatory", baseline: "existing" }, failOn), false);
            assert.equal(blocksGate({ status: "fail", severity: "critical", enforcementLevel: "mandatory", baseline: "new" }, failOn), true);
        }
    });

    it("the summary keeps hard and soft failures apart, and counts failures by severity", () => {
        const findings = [
            finding(KEY_REQUIRED, "fail", entity("a"), { severity: "critical" }),
            finding(WAF, "fail", entity("b"), { severity: "high", enforcementLevel: "advisory" }),
            finding(WAF, "fail", entity("c"), { severity: "low", enforcementLevel: "advisory" }),
        ];
        const report = build(findings, { failOn: "high" });
        assert.deepEqual(report.summary.severities, { critical: 1, high: 1, medium: 0, low: 1 });
        assert.deepEqual(report.summary.failures, { mandatory: 1, advisory: 2 });
        assert.deepEqual(report.summary.gate, { failOn: "high", blocking: 2, blockingMandatory: 1, blockingAdvisory: 1 });
        const text = new TextReporter().render(report);
        assert.match(text, /3 failed \(1 mandatory, 2 advisory\)/);
        assert.match(text, /failures by severity: 1 critical, 1 high, 1 low/);
        assert.match(text, /2 blocking at --fail-on high \(1 mandatory, 1 advisory\)\n$/);
    });
});

describe("gates: framework view", () => {
    const findings = [
        finding(KEY_REQUIRED, "fail", entity("aws_api_gateway_method.get")),
        finding(KEY_REQUIRED, "pass", entity("aws_api_gateway_method.post")),
        finding("apigateway-stage-access-logging", "pass", entity("aws_api_gateway_stage.prod", {}, "stage")),
        finding("apigateway-stage-execution-logging", "unknown", entity("aws_api_gateway_stage.prod", {}, "stage"), { enforcementLevel: "advisory" }),
        finding(MAX_AGE, "fail", entity("aws_api_gateway_api_key.old", {}, "api-key")),
    ];

    it("groups findings by the controls of the rules that ran, with pass/fail/unknown/waived and a status", () => {
        const report = build(findings, { frameworks: ["nist-800-53"], waivers: [waiver(MAX_AGE, "**", "2026-12-31")] });
        const view = report.frameworks;
        assert.ok(view);
        assert.deepEqual(view.frameworks, ["nist-800-53"]);
        assert.ok(view.controls.length > 0, "the rules that ran map to controls");
        for (const control of view.controls) {
            const rules = RULES.filter(rule => rule.controls.nist80053.includes(control.id)).map(rule => rule.id).sort();
            assert.deepEqual(control.rules, rules, control.id);
            const mine = report.findings.filter(f => rules.includes(f.ruleId));
            assert.equal(control.fail, mine.filter(f => f.status === "fail" && !f.suppressed).length, control.id);
            assert.equal(control.pass, mine.filter(f => f.status === "pass").length, control.id);
            assert.equal(control.unknown, mine.filter(f => f.status === "unknown" && !f.suppressed).length, control.id);
            assert.equal(control.suppressed, mine.filter(f => f.suppressed).length, control.id);
            const expected = control.fail > 0 ? "fail" : control.unknown > 0 ? "unknown" : control.pass + control.suppressed > 0 ? "pass" : "not-applicable";
            assert.equal(control.status, expected, control.id);
        }
        const ids = new Set(RULES.flatMap(rule => rule.controls.nist80053));
        assert.equal(view.controls.length, ids.size, "every mapped control has a row");
        assert.ok(view.controls.some(c => c.status === "fail") && view.controls.some(c => c.status === "not-applicable"));
        assert.deepEqual(view.controls.map(c => c.id), [...view.controls.map(c => c.id)].sort(compareControlIds));
    });

    it("works for each framework, several at once, in the order asked", () => {
        const report = build(findings, { frameworks: ["aws-security-hub", "pci-dss-v4"] });
        assert.deepEqual(report.frameworks?.frameworks, ["aws-security-hub", "pci-dss-v4"]);
        const frameworks = report.frameworks?.controls.map(c => c.framework) ?? [];
        assert.deepEqual(frameworks, [...frameworks].sort((a, b) => (a === b ? 0 : a === "aws-security-hub" ? -1 : 1)));
        assert.ok(frameworks.includes("pci-dss-v4") && frameworks.includes("aws-security-hub"));
        assert.equal(build(findings).frameworks, undefined);
    });

    it("control ids sort as people number them", () => {
        assert.deepEqual(["AC-12", "AC-3", "AU-2", "10.10.1", "10.2.1", "APIGateway.10", "APIGateway.2"].sort(compareControlIds),
            ["10.2.1", "10.10.1", "AC-3", "AC-12", "APIGateway.2", "APIGateway.10", "AU-2"]);
    });

    it("text shows a control table", () => {
        const text = new TextReporter().render(build(findings, { frameworks: ["pci-dss-v4"] }));
        assert.match(text, /\nControls: PCI DSS v4\.0 \(pci-dss-v4\)\n {2}control +status +pass +fail +unknown +waived +rules\n/);
        assert.match(text, /\n {2}7\.2\.1 +FAIL +\d+ +[1-9]\d* +\d+ +\d+ +apigateway-method-api-key-required/);
        assert.match(text, /\d+ controls: \d+ failing, \d+ unknown, \d+ passing, \d+ not applicable\n/);
    });
});

describe("gates: text and JSON show waivers and baselines", () => {
    const get = entity("aws_api_gateway_method.get", { file: "main.tf", line: 3 });
    const post = entity("aws_api_gateway_method.post", { file: "main.tf", line: 9 });
    const findings = [finding(KEY_REQUIRED, "fail", get), finding(KEY_REQUIRED, "fail", post), finding(WAF, "fail", entity("aws_api_gateway_stage.prod", {}, "stage"), { enforcementLevel: "advisory" })];
    const waivers = [
        waiver(KEY_REQUIRED, "aws_api_gateway_method.get", "2026-12-31", { id: "SEC-9", reason: "public webhook", approver: "jane", file: "w.yaml", line: 2 }),
        waiver(WAF, "aws_api_gateway_stage.*", "2026-05-01", { id: "w.yaml#2", file: "w.yaml", line: 8 }),
        waiver(KEY_REQUIRED, "aws_api_gateway_method.gone", "2026-12-31", { id: "w.yaml#3", file: "w.yaml", line: 14 }),
    ];
    const baseline = { failures: new Set([fingerprintOf(KEY_REQUIRED, "method", "aws_api_gateway_method.post")]) };
    const report = build(findings, { waivers, baseline, failOn: "advisory" });

    it("text: waived findings read WAIVED with their reason; expired waivers warn; stale ones are listed", () => {
        const text = new TextReporter().render(report);
        assert.match(text, /\n {4}WAIVED +apigateway-method-api-key-required +mandatory · high · fail · new\n/);
        assert.match(text, /\n {4}FAIL +apigateway-method-api-key-required +mandatory · high · existing\n/);
        assert.match(text, /\n +waived: public webhook \(jane, until 2026-12-31; waiver SEC-9\)\n/);
        assert.match(text, /\n {2}WARNING +waiver w\.yaml#2 \(line 8\) expired on 2026-05-01 \(apigateway-stage-waf · aws_api_gateway_stage\.\*, approved by sec\); 1 finding is reported again\n/);
        assert.match(text, /\n {2}STALE +waiver w\.yaml#3 \(line 14\) matches no failing finding/);
        assert.match(text, /3 failed \(1 mandatory, 1 advisory, 1 waived\) · 1 new, 1 in the baseline · waivers: 1 expired, 1 stale/);
        assert.match(text, /· 1 blocking at --fail-on advisory \(0 mandatory, 1 advisory\)\n$/);
    });

    it("JSON holds suppressed, baseline, fingerprint on findings and the waiver notes", () => {
        const json = JSON.parse(createReporter("json").render(report)) as Report;
        const get = json.findings.find(f => f.entity?.ref === "aws_api_gateway_method.get");
        assert.deepEqual(get?.suppressed, { waiver: "SEC-9", reason: "public webhook", approver: "jane", expires: "2026-12-31" });
        assert.equal(json.findings.find(f => f.entity?.ref === "aws_api_gateway_method.post")?.baseline, "existing");
        assert.ok(json.findings.length > 0 && json.findings.every(f => /^[0-9a-f]{32}$/.test(f.fingerprint)));
        assert.deepEqual(json.waivers?.expired.map(w => w.waiver), ["w.yaml#2"]);
        assert.deepEqual(json.waivers?.stale.map(w => w.waiver), ["w.yaml#3"]);
        assert.deepEqual(json.summary.baseline, { new: 1, existing: 1 });
    });

    it("is deterministic: the same inputs give the same bytes", () => {
        const again = build([...findings].reverse(), { waivers, baseline, failOn: "advisory" });
        assert.equal(new JsonReporter().render(again), new JsonReporter().render(report));
        assert.equal(new TextReporter().render(again), new TextReporter().render(report));
    });
});

describe("gates: waivers in a policy's config (engine config handling)", () => {
    const rule = RULES.find(r => r.id === WAF);
    assert.ok(rule);

    it("accepts a waivers list beside the settings, and keeps it out of the rule's config", () => {
        const raw = { enforcementLevel: "mandatory", waivers: [{ resource: "**", reason: "r", approver: "a", expires: "2026-12-31" }] };
        const config = resolveRuleConfig(rule, raw);
        assert.equal(config.waivers, undefined);
        assert.deepEqual(policyWaivers(WAF, raw), [{ id: `${WAF}.waivers.0`, rule: WAF, resource: "**", reason: "r", approver: "a", expires: "2026-12-31" }]);
        assert.deepEqual(policyWaivers(WAF, { waivers: [{ id: "X", resource: "x", reason: "r", approver: "a", expires: "2026-12-31" }] })[0].id, "X");
    });

    const bad: Array<[string, unknown, string]> = [
        ["not a list", "all", "waivers"],
        ["a missing approver", [{ resource: "x", reason: "r", expires: "2026-12-31" }], "waivers.0.approver"],
        ["a date that is not a date", [{ resource: "x", reason: "r", approver: "a", expires: "31/12/2026" }], "waivers.0.expires"],
        ["a day that does not exist", [{ resource: "x", reason: "r", approver: "a", expires: "2026-02-30" }], "waivers.0.expires"],
        ["an unknown field", [{ resource: "x", reason: "r", approver: "a", expires: "2026-12-31", rule: WAF }], "waivers.0.rule"],
        ["an empty reason", [{ resource: "x", reason: "", approver: "a", expires: "2026-12-31" }], "waivers.0.reason"],
    ];
    for (const [what, waivers, field] of bad) {
        it(`refuses ${what}, naming the field '${field}' and never the value`, () => {
            assert.throws(() => resolveRuleConfig(rule, { waivers }), (error: unknown) => error instanceof ConfigError && error.field === field && !error.message.includes("31/12"));
        });
    }

    it("the waivers file schema (schemas/waivers.schema.json) describes the same fields as the pack's, plus 'rule'", () => {
        const schema = JSON.parse(readFileSync(path.join(ROOT, "schemas", "waivers.schema.json"), "utf8")) as { definitions: { waiver: { properties: Record<string, unknown>; required: string[] } } };
        const { rule: ruleField, ...others } = schema.definitions.waiver.properties;
        assert.ok(ruleField);
        assert.deepEqual(others, JSON.parse(JSON.stringify(WAIVER_FIELDS_SCHEMA)));
        assert.deepEqual(schema.definitions.waiver.required, ["rule", ...POLICY_WAIVERS_SCHEMA.items.required]);
    });
});

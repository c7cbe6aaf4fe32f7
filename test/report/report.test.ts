import assert from "node:assert/strict";
import { Finding } from "apigw-guard/policies/engine/run";
import {
    buildReport, compareFindings, createReporter, InputResult, isReportFormat, JsonReporter, outcomeLabel, Report, REPORT_FORMATS,
    reportRules, sortKeys, TextReporter,
} from "../../report";
import { RULES } from "apigw-guard/policies/rules/index";

const NOW = new Date("2026-06-01T00:00:00Z");
const TOOL = { name: "apigw-guard", version: "9.9.9" };

function finding(ruleId: string, status: Finding["status"], location: string, extra: Partial<Finding> = {}): Finding {
    return {
        ruleId,
        title: `title of ${ruleId}`,
        severity: "high",
        status,
        enforcementLevel: "mandatory",
        message: `${ruleId} ${status} on ${location}`,
        remediation: "fix it",
        entity: { ref: location, kind: "method", name: location.split(".").pop() ?? location, provenance: { source: "terraform", address: location, file: "main.tf", line: 3 } },
        ...extra,
    };
}

const FINDINGS: Finding[] = [
    finding("apigateway-b", "pass", "aws_api_gateway_method.b"),
    finding("apigateway-a", "fail", "aws_api_gateway_method.b", { line: 7, field: "apiKeyRequired" }),
    finding("apigateway-a", "fail", "aws_api_gateway_method.a", { enforcementLevel: "advisory" }),
    finding("apigateway-c", "unknown", "aws_api_gateway_method.a", { enforcementLevel: "advisory" }),
    finding("apigateway-c", "not-applicable", "aws_api_gateway_method.c"),
    { ...finding("apigateway-d", "unknown", ""), entity: undefined, error: true, message: "rule could not be evaluated: TypeError" },
];

function report(inputs: readonly InputResult[], failOn: "mandatory" | "advisory" | "none" = "mandatory"): Report {
    return buildReport({ tool: TOOL, generatedAt: NOW, inputs, rules: reportRules(RULES, rule => rule.enforcementLevel), failOn });
}

const INPUTS: InputResult[] = [
    { file: "infra", kind: "terraform-hcl", entities: 3, findings: FINDINGS, gaps: [{ message: "main.tf:9: module \"x\" is remote; not read" }] },
    { file: "broken.json", kind: "unknown", errors: [{ message: "empty file" }] },
    { file: "partly", kind: "terraform-hcl", entities: 0, findings: [], errors: [{ message: "HCL syntax error", file: "partly/b.tf", line: 2 }] },
];

describe("report model", () => {
    it("sorts findings by location, line, rule, status and message, whatever order they came in", () => {
        const forward = report(INPUTS);
        const backward = report([{ ...INPUTS[0], findings: [...FINDINGS].reverse() }, INPUTS[1], INPUTS[2]]);
        assert.deepEqual(forward, backward);
        assert.deepEqual(forward.findings.map(f => `${f.entity?.ref ?? "-"} ${f.ruleId}`), [
            "- apigateway-d",
            "aws_api_gateway_method.a apigateway-a",
            "aws_api_gateway_method.a apigateway-c",
            "aws_api_gateway_method.b apigateway-b",
            "aws_api_gateway_method.b apigateway-a",
            "aws_api_gateway_method.c apigateway-c",
        ]);
        assert.ok(forward.findings.length > 0 && forward.findings.every(f => f.input === "infra"));
    });

    it("compareFindings is a total order (antisymmetric on the sample)", () => {
        for (const a of FINDINGS) {
            for (const b of FINDINGS) {
                assert.equal(Math.sign(compareFindings(a, b)) + Math.sign(compareFindings(b, a)), 0);
                assert.equal(compareFindings(a, b) === 0, a === b, "distinct findings never compare equal");
            }
        }
    });

    it("summarises statuses, hard and soft failures, the gate, and inputs with errors", () => {
        const { summary } = report(INPUTS);
        assert.deepEqual(summary, {
            inputs: { total: 3, complete: 1, withErrors: 2 },
            findings: { total: 6, fail: 2, unknown: 2, pass: 1, "not-applicable": 1 },
            failures: { mandatory: 1, advisory: 1 },
            severities: { critical: 0, high: 2, medium: 0, low: 0 },
            gate: { failOn: "mandatory", blocking: 1, blockingMandatory: 1, blockingAdvisory: 0 },
        });
        assert.equal(report(INPUTS, "advisory").summary.gate.blocking, 2);
        assert.equal(report(INPUTS, "none").summary.gate.blocking, 0);
    });

    it("keeps inputs in the order given, with entities, sorted gaps and errors", () => {
        const { inputs } = report(INPUTS);
        assert.deepEqual(inputs.map(i => i.file), ["infra", "broken.json", "partly"]);
        assert.equal(inputs[0].errors, undefined);
        assert.deepEqual(inputs[1], { file: "broken.json", kind: "unknown", errors: [{ message: "empty file" }] });
        assert.equal(inputs[0].gaps?.length, 1);
    });

    it("lists the rules that run with their levels, disabled ones left out", () => {
        const rules = reportRules(RULES, rule => (rule.id === "apigateway-stage-waf" ? "disabled" : rule.id === "apigateway-method-authorizer" ? "mandatory" : rule.enforcementLevel));
        assert.equal(rules.length, RULES.length - 1);
        assert.ok(!rules.some(r => r.id === "apigateway-stage-waf"));
        assert.equal(rules.find(r => r.id === "apigateway-method-authorizer")?.enforcementLevel, "mandatory");
    });

    it("labels outcomes for people: an advisory failure is a warning", () => {
        assert.equal(outcomeLabel({ status: "fail", enforcementLevel: "mandatory" }), "FAIL");
        assert.equal(outcomeLabel({ status: "fail", enforcementLevel: "advisory" }), "WARN");
        assert.equal(outcomeLabel({ status: "unknown", enforcementLevel: "advisory" }), "UNKNOWN");
        assert.equal(outcomeLabel({ status: "pass", enforcementLevel: "mandatory" }), "PASS");
        assert.equal(outcomeLabel({ status: "not-applicable", enforcementLevel: "mandatory" }), "N/A");
    });
});

describe("reporters", () => {
    it("are registered by format name", () => {
        assert.deepEqual(REPORT_FORMATS, ["text", "json", "sarif", "junit", "markdown", "html", "asff"]);
        assert.ok(isReportFormat("json") && isReportFormat("sarif") && !isReportFormat("xml") && !isReportFormat("toString"));
        assert.ok(createReporter("text") instanceof TextReporter);
        assert.ok(createReporter("json") instanceof JsonReporter);
    });

    describe("json", () => {
        it("renders the report with keys sorted at every level, one trailing newline", () => {
            const text = new JsonReporter().render(report(INPUTS));
            assert.ok(text.endsWith("}\n"));
            const parsed = JSON.parse(text) as Record<string, unknown>;
            assert.deepEqual(Object.keys(parsed), ["findings", "generatedAt", "inputs", "reportVersion", "rules", "summary", "tool"]);
            assert.deepEqual(parsed, sortKeys(JSON.parse(JSON.stringify(report(INPUTS)))));
            assert.equal(text, new JsonReporter().render(report(INPUTS)), "same report, same bytes");
        });

        it("sortKeys drops undefined and keeps array order", () => {
            assert.deepEqual(JSON.stringify(sortKeys({ b: [3, 1, { z: 1, a: undefined, m: null }], a: "x" })), "{\"a\":\"x\",\"b\":[3,1,{\"m\":null,\"z\":1}]}");
        });
    });

    describe("text", () => {
        const rendered = new TextReporter().render(report(INPUTS));

        it("groups by resource with its location, shows failures, warnings and unknowns, hides passes", () => {
            assert.match(rendered, /^apigw-guard 9\.9\.9 · 2026-06-01T00:00:00\.000Z\n/);
            assert.match(rendered, /\ninfra \(terraform-hcl, 3 entities\)\n/);
            assert.match(rendered, /\n {2}aws_api_gateway_method\.a \(main\.tf:3\)\n {4}WARN {5}apigateway-a {2}advisory · high\n {13}apigateway-a fail on aws_api_gateway_method\.a\n {4}UNKNOWN {2}apigateway-c/);
            assert.match(rendered, /\n {4}FAIL {5}apigateway-a {2}mandatory · high {2}line 7\n/, "the deciding attribute's line when it differs");
            assert.match(rendered, /\n {2}\(no resource: the rule itself could not run\)\n {4}UNKNOWN {2}apigateway-d/);
            assert.ok(!rendered.includes("PASS") && !rendered.includes("N/A"));
            assert.ok(!rendered.includes("aws_api_gateway_method.c"), "a resource with nothing to show is not listed");
            assert.match(rendered, /\n {2}NOTE {5}main\.tf:9: module "x" is remote; not read\n/);
        });

        it("lists input errors, with the file inside the input and the line", () => {
            assert.match(rendered, /\nbroken\.json \(unknown\)\n {2}ERROR {4}broken\.json: empty file\n/);
            assert.match(rendered, /\npartly \(terraform-hcl, 0 entities\)\n {2}ERROR {4}partly\/b\.tf:2: HCL syntax error\n/);
            assert.ok(!/partly[^\n]*\n[^\n]*\n {2}no failures/.test(rendered), "no 'all clear' for an input with errors");
        });

        it("ends with one summary line", () => {
            assert.match(rendered, /\n\n3 inputs \(2 with errors\) · 2 failed \(1 mandatory, 1 advisory\) · 2 unknown · 1 passed · 1 not applicable · 1 blocking at --fail-on mandatory\n$/);
        });

        it("says so when an input is clean", () => {
            const clean = new TextReporter().render(report([{ file: "ok", kind: "terraform-plan", entities: 1, findings: [FINDINGS[0]] }]));
            assert.match(clean, /\nok \(terraform-plan, 1 entity\)\n {2}no failures and nothing unknown \(1 passed\)\n/);
            assert.match(clean, /· 0 blocking at --fail-on mandatory\n$/);
        });

        it("lists passes and not-applicable findings with showPasses", () => {
            const all = new TextReporter({ showPasses: true }).render(report(INPUTS));
            assert.match(all, /PASS {5}apigateway-b/);
            assert.match(all, /N\/A {6}apigateway-c/);
        });

        it("colors only when asked, and then every label", () => {
            assert.ok(!rendered.includes("\u001b["));
            const colored = new TextReporter({ color: true, showPasses: true }).render(report(INPUTS));
            for (const [code, label] of [["31", "FAIL"], ["33", "WARN"], ["35", "UNKNOWN"], ["32", "PASS"], ["2", "N/A"], ["31", "ERROR"]]) {
                assert.ok(colored.includes(`\u001b[${code}m${label}`), label);
            }
            assert.equal(colored.replace(/\u001b\[[0-9;]*m/g, ""), new TextReporter({ showPasses: true }).render(report(INPUTS)), "colors add nothing else");
        });
    });
});

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseLines } from "../../cli/commands/report";
import { assertNoLeak, findLeaks } from "../../testkit/leaks";
import { UsageError } from "../../cli/errors";
import { buildReport, createReporter, Report, TextReporter } from "../../report";
import { PulumiEventsError, reportFromPulumiEvents } from "../../report/pulumi-events";
import { RULES } from "apigw-guard/policies/rules/index";

const SAMPLE = path.resolve(__dirname, "..", "..", "..", "test", "report", "fixtures", "pulumi-events", "eventstream.ndjson");
const NOW = new Date("2026-06-01T00:00:00Z");
/** A value a remediation's before/after carries; random-looking, so no word of a message shares 8 characters with it. */
const PLANTED = "PLANTEDq4Wz8RkT1vYb6NsX3mHc9JpL2dFg";
const STACK = "urn:pulumi:dev::shop";
const BUCKET = `${STACK}::aws:s3/bucketV2:BucketV2::logs`;
const STAGE = `${STACK}::aws:apigateway/stage:Stage::prod`;
const KEY = `${STACK}::aws:apigateway/apiKey:ApiKey::old`;

function ndjson(events: readonly object[]): string {
    return `${events.map(e => JSON.stringify({ sequence: 0, timestamp: 0, ...e })).join("\n")}\n`;
}

function pack(extra: object): object {
    return { policyPackName: "aws-compliance", policyPackVersion: "1.2.0", policyPackVersionTag: "1.2.0", ...extra };
}

function fromText(text: string, file = "events.ndjson"): Report {
    const events = reportFromPulumiEvents(file, parseLines(text, file), RULES);
    return buildReport({ tool: { name: "apigw-guard", version: "0" }, generatedAt: NOW, inputs: [events.input], rules: events.rules, failOn: "mandatory" });
}

/** A preview with mandatory, advisory and remediate policies of two packs, ours and another. */
const HANDWRITTEN = ndjson([
    { policyLoadEvent: {} },
    { preludeEvent: { config: { "aws:region": "us-east-1" } } },
    { resourcePreEvent: { metadata: { urn: BUCKET, op: "create" } } },
    { policyRemediationEvent: pack({ resourceUrn: BUCKET, color: "raw", policyName: "s3-no-public-acl", before: { acl: "public-read", tags: { secret: PLANTED } }, after: { acl: "private", tags: { secret: PLANTED } } }) },
    { policyRemediateSummaryEvent: pack({ resourceUrn: BUCKET, passed: ["s3-no-public-acl", "s3-versioning"] }) },
    { policyEvent: pack({ resourceUrn: BUCKET, message: "<{%fg 1%}>versioning is off<{%reset%}>\n", color: "raw", policyName: "s3-versioning", enforcementLevel: "advisory" }) },
    { policyAnalyzeSummaryEvent: pack({ resourceUrn: BUCKET, passed: ["s3-no-public-acl", "s3-encryption"], failed: ["s3-versioning"] }) },
    { policyEvent: { resourceUrn: STAGE, message: "stage 'prod' has no access logs", color: "raw", policyName: "apigateway-stage-access-logging", policyPackName: "apigw-guard", policyPackVersion: "0.1.0", policyPackVersionTag: "", enforcementLevel: "mandatory", severity: "high" } },
    { policyEvent: { resourceUrn: STAGE, message: "no WAF", color: "raw", policyName: "apigateway-stage-waf", policyPackName: "apigw-guard", policyPackVersion: "0.1.0", policyPackVersionTag: "", enforcementLevel: "warning" } },
    { policyEvent: pack({ resourceUrn: KEY, message: "key too old", color: "raw", policyName: "key-rotation", enforcementLevel: "remediate", severity: "critical" }) },
    { policyAnalyzeSummaryEvent: pack({ resourceUrn: KEY, failed: ["key-rotation", "key-tagging"] }) },
    { policyRemediateSummaryEvent: pack({ resourceUrn: KEY, failed: ["key-autofix"] }) },
    { policyAnalyzeStackSummaryEvent: pack({ passed: ["stack-has-owner-tag"] }) },
    { fancyNewPolicyEvent: { whatever: PLANTED } },
    { summaryEvent: { maybeCorrupt: false, durationSeconds: 3, resourceChanges: {}, PolicyPacks: { "aws-compliance": "1.2.0", "apigw-guard": "0.1.0" }, isPreview: true } },
    { cancelEvent: {} },
]);

describe("pulumi events: the reference engine log (pulumi/pulumi TestSimpleAnalyzeResourceFailure)", () => {
    const report = fromText(readFileSync(SAMPLE, "utf8"), SAMPLE);

    it("turns the policyEvent into one mandatory, high failure of rule 'always-fails' on resA", () => {
        assert.deepEqual(report.findings.map(f => ({ rule: f.ruleId, status: f.status, level: f.enforcementLevel, severity: f.severity, urn: f.entity?.provenance.urn, message: f.message })), [{
            rule: "always-fails", status: "fail", level: "mandatory", severity: "high", urn: "urn:pulumi:test::test::pkgA:m:typA::resA", message: "a policy failed",
        }]);
        assert.equal(report.findings[0].entity?.kind, "resource", "a resource the kit does not model");
        assert.equal(report.summary.gate.blocking, 1);
    });

    it("is the reference sample of ../shared, unchanged (when ../shared is there)", function () {
        const shared = path.resolve(__dirname, "..", "..", "..", "..", "shared", "reference", "pulumi", "eventstream.json");
        if (!existsSync(shared)) {
            this.skip();
        }
        assert.equal(readFileSync(SAMPLE, "utf8"), readFileSync(shared, "utf8"));
    });

    it("lists the policy as a rule, named after its pack; no notes (the log is complete)", () => {
        assert.deepEqual(report.rules.map(r => [r.id, r.title, r.enforcementLevel, r.severity]), [["always-fails", "always-fails (policy pack analyzerA)", "mandatory", "high"]]);
        assert.equal(report.inputs[0].kind, "pulumi-events");
        assert.equal(report.inputs[0].gaps, undefined);
    });
});

describe("pulumi events: a hand-written preview (mandatory, advisory, remediate; two packs)", () => {
    const report = fromText(HANDWRITTEN);
    const of = (rule: string) => report.findings.filter(f => f.ruleId === rule);

    it("a mandatory violation of this kit's own rule keeps the catalogue's title, controls and remediation", () => {
        const [f] = of("apigateway-stage-access-logging");
        assert.equal(f.status, "fail");
        assert.equal(f.enforcementLevel, "mandatory");
        assert.equal(f.entity?.kind, "stage");
        const rule = RULES.find(r => r.id === "apigateway-stage-access-logging");
        assert.equal(f.title, rule?.title);
        assert.deepEqual(report.rules.find(r => r.id === f.ruleId)?.controls, rule?.controls);
    });

    it("advisory (and the older 'warning') violations are soft failures; color markup is stripped", () => {
        const [versioning] = of("s3-versioning");
        assert.deepEqual([versioning.status, versioning.enforcementLevel, versioning.message, versioning.severity], ["fail", "advisory", "versioning is off", "medium"]);
        const [waf] = of("apigateway-stage-waf");
        assert.deepEqual([waf.enforcementLevel, waf.severity], ["advisory", "medium"]);
    });

    it("a remediate-level violation is hard, with the event's severity", () => {
        const rotation = of("key-rotation");
        assert.deepEqual(rotation.map(f => [f.status, f.enforcementLevel, f.severity]), [["fail", "mandatory", "critical"]]);
    });

    it("a remediation names the properties it changed, never their values, and replaces the summary's pass", () => {
        const fixes = of("s3-no-public-acl");
        assert.deepEqual(fixes.map(f => [f.status, f.enforcementLevel]), [["fail", "advisory"]]);
        assert.match(fixes[0].message, /^remediated by the policy \(changed acl\)/);
        for (const format of ["json", "text"] as const) {
            const rendered = createReporter(format).render(report);
            assert.ok(!rendered.includes(PLANTED), `${format} never holds a before/after value`);
            assertNoLeak(format, rendered, PLANTED);
        }
    });

    it("summaries give passes per resource and per stack; a failed policy without its event is still a failure", () => {
        assert.deepEqual(of("s3-encryption").map(f => [f.status, f.entity?.ref]), [["pass", BUCKET]]);
        assert.deepEqual(of("stack-has-owner-tag").map(f => [f.status, f.entity?.ref]), [["pass", `${STACK}::pulumi:pulumi:Stack::shop-dev`]]);
        assert.deepEqual(of("key-tagging").map(f => [f.status, f.message]), [["fail", "reported as failed in the policy summary, but its violation is not in the log"]]);
        assert.equal(of("s3-versioning").length, 1, "a failed policy with its event is not doubled");
        assert.deepEqual(of("key-autofix").map(f => [f.status, f.enforcementLevel, f.message]), [["fail", "mandatory", "its remediation failed"]]);
    });

    it("an event kind it does not know is skipped and noted by name only", () => {
        assert.deepEqual(report.inputs[0].gaps?.map(g => g.message), ["skipped events of kinds this report does not know: fancyNewPolicyEvent ×1"]);
        const rendered = new TextReporter().render(report);
        assert.ok(!rendered.includes(PLANTED));
        assertNoLeak("text", rendered, PLANTED);
    });

    it("counts resources by URN, and gates like any report", () => {
        assert.equal(report.inputs[0].entities, 4);
        // access logging, key rotation and the failed remediation; key-tagging has no event, so
        // its level is unknown: advisory (the catalogue's level when it is one of this kit's rules).
        assert.equal(report.summary.gate.blocking, 3);
        assert.equal(of("key-tagging")[0].enforcementLevel, "advisory");
    });

    it("is deterministic whatever the event order", () => {
        const lines = HANDWRITTEN.trim().split("\n");
        const shuffled = [...lines.slice(0, 1), ...lines.slice(1, -2).reverse(), ...lines.slice(-2)].join("\n");
        assert.equal(createReporter("json").render(fromText(shuffled)), createReporter("json").render(report));
    });
});

describe("pulumi events: robustness", () => {
    it("notes a log without a summary (cut short); a log without any policy event is an input error (nothing to judge is not a pass)", () => {
        const cut = fromText(ndjson([{ policyLoadEvent: {} }, { policyEvent: pack({ resourceUrn: BUCKET, message: "m", color: "raw", policyName: "p", enforcementLevel: "mandatory" }) }]));
        assert.match(cut.inputs[0].gaps?.[0].message ?? "", /no summaryEvent and no closing cancelEvent/);
        assert.equal(cut.inputs[0].errors, undefined);
        const none = fromText(ndjson([{ preludeEvent: { config: {} } }, { summaryEvent: {} }, { cancelEvent: {} }]));
        assert.equal(none.inputs[0].gaps, undefined);
        assert.deepEqual(none.inputs[0].errors?.map(e => e.message), ["no policy events in the log, so there is nothing to report: was the preview run with --policy-pack (or a policy group), and is the log complete?"]);
        assert.equal(none.summary.inputs.withErrors, 1);
        assert.equal(none.findings.length, 0);
    });

    const bad: Array<[string, string, number, RegExp]> = [
        ["a line that is not JSON", `{"policyLoadEvent":{}}\n\n{"policyEvent": {"message": "${PLANTED}"\n`, 3, /^not a JSON engine event: .*\(column \d+\)/],
        ["a JSON line that is not an object", `{"policyLoadEvent":{}}\n["${PLANTED}"]\n`, 2, /^not an engine event/],
        ["a policyEvent without policyName", `{"policyEvent":{"message":"${PLANTED}","enforcementLevel":"mandatory"}}\n`, 1, /^policyEvent has no 'policyName'/],
        ["an unknown enforcement level", `{"policyEvent":{"policyName":"p","message":"m","enforcementLevel":"${PLANTED}"}}\n`, 1, /^policyEvent\.enforcementLevel is not one of/],
        ["an unknown severity", `{"policyEvent":{"policyName":"p","message":"m","severity":"${PLANTED}"}}\n`, 1, /^policyEvent\.severity is not one of/],
        ["a summary whose passed is not a list of names", `{"a":1}\n{"policyAnalyzeSummaryEvent":{"resourceUrn":"u","passed":"${PLANTED}"}}\n`, 2, /^policyAnalyzeSummaryEvent\.passed is not a list/],
    ];
    for (const [what, text, line, message] of bad) {
        it(`stops at ${what}, with its line number and none of its content`, () => {
            assert.throws(() => fromText(text), (error: unknown) => {
                const found = error instanceof UsageError ? { line: error.line, message: error.message } : error instanceof PulumiEventsError ? { line: error.line, message: error.message } : undefined;
                return found !== undefined && found.line === line && message.test(found.message) && !found.message.includes(PLANTED) && findLeaks(found.message, PLANTED).length === 0;
            });
        });
    }

    it("skips blank lines, reads CRLF and a byte-order mark; refuses an empty log", () => {
        const text = `\ufeff${readFileSync(SAMPLE, "utf8").split("\n").join("\r\n\r\n")}`;
        assert.equal(fromText(text).findings.length, 1);
        assert.throws(() => parseLines("\n \n", "e.ndjson"), /the event log is empty/);
    });
});

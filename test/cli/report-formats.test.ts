import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { assertNoExampleLeak } from "../support/planted";
import { describeErrors, validateReport, validateSarif } from "../report/schemas";
import { assertCleanErrors, EXAMPLE_INFRA, runCli, scan, Scratch } from "./helpers";

const HCL = path.join(EXAMPLE_INFRA, "main.tf");
const PLANTED = "PLANTED-apigw-guard-key-";

/** `apigw-guard scan` with several `--format`/`--output` pairs, through the built binary. */
describe("cli: report formats and several outputs in one run", function () {
    this.timeout(60_000);
    let scratch: Scratch;

    beforeEach(() => {
        scratch = new Scratch();
    });

    afterEach(() => {
        scratch.cleanup();
    });

    it("writes each --format to the --output after it, and the one without --output to stdout", () => {
        const sarif = scratch.path("r.sarif");
        const html = scratch.path("r.html");
        const junit = scratch.path("r.xml");
        const run = scan([HCL, "--format", "sarif", "--output", sarif, "--format", "html", "--output", html, "--format", "junit", "--output", junit, "--format", "text"]);
        assert.equal(run.status, 1, run.stderr);
        assert.equal(run.stderr, "");
        assert.match(run.stdout, /^apigw-guard \S+ · 2026-06-01T00:00:00\.000Z\n/, "text on stdout");
        const log = JSON.parse(readFileSync(sarif, "utf8")) as { version: string };
        assert.equal(log.version, "2.1.0");
        assert.deepEqual(validateSarif(log), []);
        assert.match(readFileSync(html, "utf8"), /^<!DOCTYPE html>\n/);
        assert.equal(XMLValidator.validate(readFileSync(junit, "utf8")), true);
    });

    it("each output is byte for byte what a run with that format alone writes to stdout (never colored)", () => {
        const formats = ["json", "sarif", "junit", "markdown", "html", "text"] as const;
        const args = formats.flatMap(format => ["--format", format, "--output", scratch.path(`all.${format}`)]);
        assert.equal(scan([HCL, ...args]).status, 1);
        for (const format of formats) {
            const alone = scan([HCL, "--format", format]);
            assert.equal(alone.status, 1, `${format}: ${alone.stderr}`);
            assert.ok(alone.stdout.length > 1000 && !alone.stdout.includes("\u001b["), `${format} on stdout`);
            const written = readFileSync(scratch.path(`all.${format}`), "utf8");
            assert.equal(written, alone.stdout, `${format}: file and stdout agree`);
            assert.ok(!written.includes(PLANTED), `${format}: no key value`);
            assertNoExampleLeak(format, written);
        }
        const errors = validateReport(JSON.parse(readFileSync(scratch.path("all.json"), "utf8")));
        assert.equal(errors.length, 0, describeErrors(errors));
    });

    it("keeps the single --format/--output pair working in either order", () => {
        const first = scratch.path("a.json");
        const second = scratch.path("b.json");
        assert.equal(scan([HCL, "--format", "json", "--output", first]).status, 1);
        assert.equal(scan([HCL, "--output", second, "--format", "json"]).status, 1);
        assert.equal(readFileSync(first, "utf8"), readFileSync(second, "utf8"));
        assert.deepEqual(validateReport(JSON.parse(readFileSync(first, "utf8"))), []);
        const only = scratch.path("c.txt");
        const run = scan([HCL, "--output", only]);
        assert.equal(run.stdout, "", "text to the file, nothing on stdout");
        assert.match(readFileSync(only, "utf8"), /blocking at --fail-on mandatory\n$/);
    });

    describe("pairs that do not make sense are bad usage (exit 2), before anything is scanned or written", () => {
        const cases: Array<[string, (s: Scratch) => string[], RegExp]> = [
            ["two formats without --output", () => ["--format", "sarif", "--format", "html"], /only one --format can go to stdout, but sarif and html have no --output/],
            ["an --output before any --format, with several", s => ["--output", s.path("x"), "--format", "sarif", "--format", "html", "--output", s.path("y")], /--output '.*x' comes before any --format/],
            ["two --output for one --format", s => ["--format", "sarif", "--output", s.path("x"), "--output", s.path("y"), "--format", "html", "--output", s.path("z")], /the --format sarif before it already goes to '.*x'/],
            ["one file for two formats", s => ["--format", "sarif", "--output", s.path("x"), "--format", "html", "--output", path.join(path.dirname(s.path("x")), ".", "x")], /is given for both --format sarif and --format html/],
            ["an unknown format among several", s => ["--format", "sarif", "--output", s.path("x"), "--format", "pdf"], /argument 'pdf' is invalid\. Allowed choices are text, json, sarif, junit, markdown, html, asff\./],
        ];
        for (const [name, args, message] of cases) {
            it(name, () => {
                const run = scan([HCL, ...args(scratch)]);
                assert.equal(run.status, 2, run.stderr);
                assert.equal(run.stdout, "");
                const lines = assertCleanErrors(run);
                assert.equal(lines.length, 1, run.stderr);
                assert.match(lines[0], message);
                assert.ok(!existsSync(scratch.path("x")) && !existsSync(scratch.path("y")), "nothing written");
            });
        }
    });

    it("JSON and SARIF of runs with waivers, a baseline and frameworks validate against their schemas", () => {
        const waivers = scratch.file("waivers.json", {
            version: 1,
            waivers: [
                { id: "W-1", rule: "apigateway-log-group-retention", resource: "aws_cloudwatch_log_group.dev_access", reason: "dev | <short-lived>", approver: "sec", expires: "2026-12-31" },
                { id: "W-2", rule: "apigateway-stage-waf", resource: "aws_api_gateway_stage.*", reason: "rollout", approver: "sec", expires: "2026-01-01" },
                { id: "W-3", rule: "apigateway-domain-tls12", resource: "aws_api_gateway_domain_name.gone", reason: "legacy", approver: "sec", expires: "2026-12-31" },
            ],
        });
        const baseline = scratch.path("baseline.json");
        assert.equal(scan([path.join(EXAMPLE_INFRA, "plan.json"), "--format", "json", "--output", baseline]).status, 1);
        const json = scratch.path("gated.json");
        const sarif = scratch.path("gated.sarif");
        const markdown = scratch.path("gated.md");
        const run = scan([HCL, "--waivers", waivers, "--baseline", baseline, "--framework", "nist-800-53", "--framework", "pci-dss-v4,aws-security-hub",
            "--format", "json", "--output", json, "--format", "sarif", "--output", sarif, "--format", "markdown", "--output", markdown]);
        assert.ok(run.status === 0 || run.status === 1, run.stderr);
        const report = JSON.parse(readFileSync(json, "utf8")) as { findings: Array<{ suppressed?: unknown; baseline?: string }>; waivers?: unknown; frameworks?: unknown };
        assert.ok(report.findings.some(f => f.suppressed !== undefined) && report.findings.some(f => f.baseline !== undefined), "suppressed and baseline findings");
        assert.ok(report.waivers !== undefined && report.frameworks !== undefined);
        const errors = validateReport(report);
        assert.equal(errors.length, 0, describeErrors(errors));
        assert.deepEqual(validateSarif(JSON.parse(readFileSync(sarif, "utf8"))), []);
        assert.match(readFileSync(markdown, "utf8"), /### Suppressed \(waived\): 1[\s\S]*\*\*Waived\*\* by `W-1` \(approved by sec, expires 2026-12-31\): dev \\\| &lt;short-lived&gt;/);
    });

    it("report --pulumi-events: a policy of another pack gets a SARIF rule and a JUnit suite; the JSON validates", () => {
        const urn = "urn:pulumi:dev::shop::aws:s3/bucket:Bucket::logs";
        const events = [
            { sequence: 1, timestamp: 0, policyEvent: { resourceUrn: urn, message: "bucket <logs> is public | fix it", color: "raw", policyName: "s3-no-public-read", policyPackName: "aws-basics", policyPackVersion: "1.0.0", policyPackVersionTag: "", enforcementLevel: "mandatory", severity: "high" } },
            { sequence: 2, timestamp: 0, policyAnalyzeSummaryEvent: { resourceUrn: urn, policyPackName: "aws-basics", policyPackVersion: "1.0.0", policyPackVersionTag: "", failed: ["s3-no-public-read"], passed: ["s3-versioning"] } },
        ].map(event => JSON.stringify(event)).join("\n");
        const log = scratch.file("events.ndjson", `${events}\n`);
        const outputs = { json: scratch.path("e.json"), sarif: scratch.path("e.sarif"), junit: scratch.path("e.xml") };
        for (const [format, output] of Object.entries(outputs)) {
            const run = runCli(["report", "--now", "2026-06-01T00:00:00Z", "--pulumi-events", log, "--format", format, "--output", output]);
            assert.equal(run.status, 1, `${format}: ${run.stderr}`);
        }
        const errors = validateReport(JSON.parse(readFileSync(outputs.json, "utf8")));
        assert.equal(errors.length, 0, describeErrors(errors));
        const sarif = JSON.parse(readFileSync(outputs.sarif, "utf8")) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; level: string }> }> };
        assert.deepEqual(validateSarif(sarif), []);
        assert.ok(sarif.runs[0].results.some(result => result.level === "error" && sarif.runs[0].tool.driver.rules.some(rule => rule.id === result.ruleId)), "the failure has a rule descriptor");
        const xml = readFileSync(outputs.junit, "utf8");
        assert.equal(XMLValidator.validate(xml), true);
        assert.match(xml, /<failure message="FAIL: [^"]*bucket &lt;logs&gt; is public \| fix it/);
    });

    it("a file that cannot be written is an error (exit 2); the other outputs are still written", () => {
        const good = scratch.path("good.sarif");
        const bad = path.join(scratch.path("no-such-dir"), "r.html");
        const run = scan([HCL, "--format", "html", "--output", bad, "--format", "sarif", "--output", good]);
        assert.equal(run.status, 2);
        const lines = assertCleanErrors(run);
        assert.equal(lines.length, 1);
        assert.match(lines[0], /r\.html: cannot write the report/);
        assert.ok(existsSync(good));
    });
});

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { assertNoExampleLeak } from "../support/planted";
import { assertNoLeak } from "../../testkit/leaks";
import { REPORT_FORMATS } from "../../report";
import { assertCleanErrors, CliRun, EXAMPLE_INFRA, parseReport, runCli, scan, Scratch, STACK_EXPORT } from "./helpers";

/**
 * The gates of issue 5 end to end: waivers (`--waivers`, and in the policy config), baselines,
 * `--fail-on` by severity, `--framework`, and `waivers to-policy-config` / `waivers check`.
 */

interface GateReport {
    findings: Array<{
        ruleId: string; status: string; enforcementLevel: string; severity: string; fingerprint: string;
        suppressed?: { waiver: string; reason: string; approver: string; expires: string };
        baseline?: "new" | "existing";
        entity?: { ref: string; provenance: { urn?: string; address?: string; file?: string; line?: number } };
    }>;
    waivers?: { expired: Array<{ waiver: string; matched: number; line?: number }>; stale: Array<{ waiver: string; line?: number }> };
    frameworks?: { frameworks: string[]; controls: Array<{ id: string; framework: string; status: string; fail: number; pass: number }> };
    summary: {
        failures: { mandatory: number; advisory: number };
        severities: Record<string, number>;
        suppressed?: { total: number; fail: number; unknown: number };
        baseline?: { new: number; existing: number };
        waivers?: { expired: number; stale: number };
        gate: { failOn: string; blocking: number; blockingMandatory: number; blockingAdvisory: number };
    };
}

function report(run: CliRun): GateReport {
    return JSON.parse(run.stdout) as GateReport;
}

const URN = "urn:pulumi:dev::orders";
const POST_ORDERS = `${URN}::aws:apigateway/method:Method::post-orders`;
const CLIENT_OLD = `${URN}::aws:apigateway/apiKey:ApiKey::client-old`;

/** Top-level blocks of a .tf file, each with the comment lines above it (braces in strings ignored). */
function blocksOf(text: string): string[] {
    const blocks: string[] = [];
    let pending: string[] = [];
    let current: string[] | undefined;
    let depth = 0;
    for (const line of text.split("\n")) {
        if (current === undefined) {
            if (/^[a-z]/.test(line)) {
                current = [...pending, line];
                pending = [];
            } else {
                if (line.startsWith("#")) {
                    pending.push(line);
                } else if (line.trim() === "") {
                    pending = pending.length > 0 && blocks.length === 0 ? [...pending, line] : pending;
                }
                continue;
            }
        } else {
            current.push(line);
        }
        depth += braceDelta(line);
        if (depth === 0) {
            blocks.push(current.join("\n"));
            current = undefined;
        }
    }
    return blocks;
}

function braceDelta(line: string): number {
    let delta = 0;
    let inString = false;
    for (let i = 0; i < line.length; i++) {
        const char = line[i];
        if (inString) {
            if (char === "\\") {
                i++;
            } else if (char === "\"") {
                inString = false;
            }
        } else if (char === "\"") {
            inString = true;
        } else if (char === "#") {
            break;
        } else if (char === "{") {
            delta++;
        } else if (char === "}") {
            delta--;
        }
    }
    return delta;
}

describe("cli: gates (waivers, baselines, severity gates, frameworks)", function () {
    this.timeout(120_000);
    let scratch: Scratch;

    before(() => {
        scratch = new Scratch();
    });

    after(() => {
        scratch.cleanup();
    });

    describe("--waivers", () => {
        const waiversYaml = (expires: string, extra = "") => [
            "# waivers for the orders stack",
            "version: 1",
            "waivers:",
            "  - id: SEC-101",
            "    rule: apigateway-method-api-key-required",
            `    resource: "${POST_ORDERS}"`,
            "    reason: partner webhook, signed payloads",
            "    approver: jane.doe@example.com",
            `    expires: ${expires}`,
            "  - rule: apigateway-api-key-max-age",
            "    resource: \"urn:pulumi:*::orders::aws:apigateway/apiKey:ApiKey::client-*\"",
            "    reason: client migrating",
            "    approver: sec",
            `    expires: ${expires}`,
            extra,
        ].join("\n");

        it("a valid waiver suppresses (reported, with its reason) and the finding no longer blocks", () => {
            const file = scratch.file("valid.yaml", waiversYaml("2026-12-31"));
            const text = scan([STACK_EXPORT, "--waivers", file]);
            assert.match(text.stdout, /\n {4}WAIVED +apigateway-method-api-key-required +mandatory · high · fail\n[^\n]*\n +waived: partner webhook, signed payloads \(jane\.doe@example\.com, until 2026-12-31; waiver SEC-101\)\n/);
            assert.match(text.stdout, /8 failed \(2 mandatory, 4 advisory, 2 waived\)/);
            const json = report(scan([STACK_EXPORT, "--waivers", file, "--format", "json"]));
            const waived = json.findings.filter(f => f.suppressed);
            assert.deepEqual(waived.map(f => [f.ruleId, f.entity?.ref, f.suppressed?.waiver]).sort(), [
                ["apigateway-api-key-max-age", CLIENT_OLD, `${file}#2`],
                ["apigateway-method-api-key-required", POST_ORDERS, "SEC-101"],
            ]);
            assert.deepEqual(json.summary.suppressed, { total: 2, fail: 2, unknown: 0 });
            assert.equal(json.summary.gate.blocking, 2);
        });

        it("the same file as JSON works the same", () => {
            const file = scratch.file("valid.json", {
                waivers: [{ rule: "apigateway-method-api-key-required", resource: POST_ORDERS, reason: "r", approver: "a", expires: "2026-12-31" }],
            });
            const json = report(scan([STACK_EXPORT, "--waivers", file, "--format", "json"]));
            assert.deepEqual(json.findings.filter(f => f.suppressed).map(f => f.entity?.ref), [POST_ORDERS]);
        });

        it("mandatory failures all waived: exit 0, and the waived findings are still in the report", () => {
            const file = scratch.file("all.yaml", [
                "waivers:",
                "  - rule: '*'",
                "    resource: \"urn:pulumi:dev::orders::**\"",
                "    reason: accepted for the demo",
                "    approver: sec",
                "    expires: 2026-06-01",
                "",
            ].join("\n"));
            const run = scan([STACK_EXPORT, "--waivers", file, "--format", "json"]);
            assert.equal(run.status, 0, run.stderr);
            const json = report(run);
            assert.equal(json.findings.filter(f => f.status === "fail").length, 8);
            const failures = json.findings.filter(f => f.status === "fail");
            assert.ok(failures.length > 0 && failures.every(f => f.suppressed));
            // The day after its expiry date it no longer applies.
            assert.equal(runCli(["scan", STACK_EXPORT, "--now", "2026-06-02T00:00:00Z", "--waivers", file]).status, 1);
        });

        it("an expired waiver stops suppressing and is reported (a WARNING line in text, waivers.expired in JSON)", () => {
            const file = scratch.file("expired.yaml", waiversYaml("2026-05-31"));
            const run = scan([STACK_EXPORT, "--waivers", file]);
            assert.equal(run.status, 1);
            assert.match(run.stdout, /\n {2}WARNING +waiver SEC-101 \(.*expired\.yaml:4\) expired on 2026-05-31 \(apigateway-method-api-key-required · urn:pulumi:dev::orders::aws:apigateway\/method:Method::post-orders, approved by jane\.doe@example\.com\); 1 finding is reported again\n/);
            assert.ok(!/WAIVED/.test(run.stdout));
            const json = report(scan([STACK_EXPORT, "--waivers", file, "--format", "json"]));
            assert.deepEqual(json.waivers?.expired.map(w => [w.waiver, w.matched, w.line]), [["SEC-101", 1, 4], [`${file}#2`, 1, 10]]);
            assert.equal(json.summary.gate.blocking, 4);
        });

        it("a waiver that matches nothing is reported as stale", () => {
            const file = scratch.file("stale.yaml", waiversYaml("2026-12-31", [
                "  - rule: apigateway-stage-waf",
                "    resource: \"urn:pulumi:dev::orders::aws:apigateway/stage:Stage::staging\"",
                "    reason: gone",
                "    approver: sec",
                "    expires: 2026-12-31",
            ].join("\n")));
            const run = scan([STACK_EXPORT, "--waivers", file]);
            assert.match(run.stdout, /\n {2}STALE +waiver .*stale\.yaml#3 \(line 15\) matches no failing finding \(apigateway-stage-waf · urn:pulumi:dev::orders::aws:apigateway\/stage:Stage::staging\)/);
            const json = report(scan([STACK_EXPORT, "--waivers", file, "--format", "json"]));
            assert.deepEqual(json.waivers?.stale.map(w => w.line), [15]);
            assert.deepEqual(json.summary.waivers, { expired: 0, stale: 1 });
        });

        it("selectors: Terraform addresses and globs over an HCL directory", () => {
            const file = scratch.file("tf.yaml", [
                "waivers:",
                "  - rule: '*'",
                "    resource: aws_api_gateway_stage.*",
                "    reason: stages are rebuilt next sprint",
                "    approver: ops",
                "    expires: 2026-07-01",
                "  - rule: apigateway-api-key-value-secret",
                "    resource: aws_api_gateway_api_key.old_key",
                "    reason: rotating",
                "    approver: sec",
                "    expires: 2026-07-01",
                "",
            ].join("\n"));
            const json = report(scan([EXAMPLE_INFRA + "/main.tf", "--waivers", file, "--format", "json"]));
            const waived = json.findings.filter(f => f.suppressed).map(f => `${f.ruleId} ${f.entity?.ref}`).sort();
            assert.ok(waived.includes("apigateway-api-key-value-secret aws_api_gateway_api_key.old_key"));
            assert.ok(!waived.includes("apigateway-api-key-value-secret aws_api_gateway_api_key.copy_key"), "exact selectors are exact");
            assert.ok(waived.filter(w => w.includes(" aws_api_gateway_stage.")).length >= 5, waived.join("\n"));
            const stageFailures = json.findings.filter(f => f.entity?.ref.startsWith("aws_api_gateway_stage.") && f.status === "fail");
            assert.ok(stageFailures.length > 0 && stageFailures.every(f => f.suppressed));
        });

        const malformed: Array<[string, string, string, RegExp]> = [
            ["a bad date", "bad-date.yaml", "waivers:\n  - rule: apigateway-stage-waf\n    resource: x\n    reason: r\n    approver: a\n    expires: 30/06/2026\n", /bad-date\.yaml:6: field 'waivers\[0\]\.expires' must be a date written YYYY-MM-DD$/],
            ["a day that does not exist", "no-day.yaml", "waivers:\n  - rule: apigateway-stage-waf\n    resource: x\n    reason: r\n    approver: a\n    expires: 2026-02-30\n", /no-day\.yaml:6: field 'waivers\[0\]\.expires' is not a calendar date/],
            ["a missing approver", "no-approver.yaml", "waivers:\n  - rule: apigateway-stage-waf\n    resource: x\n    reason: r\n    expires: 2026-06-30\n", /no-approver\.yaml:2: field 'waivers\[0\]\.approver' is missing/],
            ["an unknown field", "extra.yaml", "waivers:\n  - rule: apigateway-stage-waf\n    resource: x\n    reason: r\n    approver: a\n    expires: 2026-06-30\n    owner: bob\n", /extra\.yaml:7: 'waivers\[0\]' has a field that is not a waiver field \(fields: id, rule, resource, reason, approver, expires\)$/],
            ["an unknown rule", "rule.yaml", "waivers:\n  - rule: apigateway-stage-wafs\n    resource: x\n    reason: r\n    approver: a\n    expires: 2026-06-30\n", /rule\.yaml:2: field 'waivers\[0\]\.rule' names no rule of this tool/],
            ["no waivers list", "empty-map.yaml", "version: 1\n", /empty-map\.yaml:1: field 'waivers' is missing/],
            ["a wrong version", "version.yaml", "version: 2\nwaivers: []\n", /version\.yaml:1: field 'version' must be 1/],
            ["a YAML syntax error", "syntax.yaml", "waivers:\n  - rule: [apigateway-stage-waf\n", /syntax\.yaml:3: not valid YAML: /],
            ["a JSON syntax error", "syntax.json", "{\"waivers\": [\n  {\"rule\": \"*\",,}\n]}\n", /syntax\.json:2: not valid JSON: /],
            ["a number where a string goes (JSON)", "number.json", "{\n  \"waivers\": [\n    {\"rule\": \"*\", \"resource\": \"x\", \"reason\": \"r\", \"approver\": \"a\",\n     \"expires\": 20260630}\n  ]\n}\n", /number\.json:4: field 'waivers\[0\]\.expires' must be string/],
            ["a repeated id", "dup.yaml", "waivers:\n  - {id: A, rule: '*', resource: x, reason: r, approver: a, expires: 2026-06-30}\n  - {id: A, rule: '*', resource: y, reason: r, approver: a, expires: 2026-06-30}\n", /dup\.yaml:3: field 'waivers\[1\]\.id' repeats the id of waivers\[0\]/],
            ["an empty file", "empty.yaml", "", /empty\.yaml: empty waivers file/],
        ];
        for (const [what, name, content, message] of malformed) {
            it(`a malformed waivers file (${what}) → exit 2, naming the file, the line and the field`, () => {
                const file = scratch.file(name, content);
                const run = scan([STACK_EXPORT, "--waivers", file]);
                assert.equal(run.status, 2, run.stdout);
                assert.equal(run.stdout, "", "nothing is scanned");
                const lines = assertCleanErrors(run);
                assert.ok(lines.some(line => message.test(line)), lines.join("\n"));
            });
        }

        it("a waivers file that does not exist → exit 2", () => {
            const run = scan([STACK_EXPORT, "--waivers", scratch.path("nope.yaml")]);
            assert.equal(run.status, 2);
            assert.match(run.stderr, /nope\.yaml: cannot read the waivers file: no such file or directory/);
        });

        it("error messages never quote the file's values", () => {
            const value = `SECRET${randomBytes(8).toString("hex")}`;
            const file = scratch.file("values.yaml", `waivers:\n  - rule: '*'\n    resource: x\n    reason: r\n    approver: a\n    expires: ${value}\n    ${value}: 1\n`);
            const run = scan([STACK_EXPORT, "--waivers", file]);
            assert.equal(run.status, 2);
            assert.ok(!run.stderr.includes(value.slice(6)), run.stderr);
            assertNoLeak("the waivers error", { stdout: run.stdout, stderr: run.stderr }, value);
        });

        it("audit and probe take --waivers too, and refuse a bad file before any request", () => {
            const file = scratch.file("audit-bad.yaml", "waivers:\n  - rule: '*'\n");
            const audit = runCli(["audit", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9", "--waivers", file], { env: { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "x" } });
            assert.equal(audit.status, 2);
            assert.match(audit.stderr, /audit-bad\.yaml:2: field 'waivers\[0\]\.resource' is missing/);
            const routes = scratch.file("routes.json", { routes: [{ path: "/x", methods: ["GET"] }] });
            const probe = runCli(["probe", "--url", "https://abc123.execute-api.us-east-1.amazonaws.com/v1", "--routes", routes, "--waivers", file]);
            assert.equal(probe.status, 2);
            assert.match(probe.stderr, /audit-bad\.yaml:2: field 'waivers\[0\]\.resource' is missing/);
            for (const command of ["audit", "probe", "report"]) {
                const help = runCli([command, "--help"]);
                assert.match(help.stdout, /--waivers <file>/, command);
                assert.match(help.stdout, /--baseline <file>/, command);
                assert.match(help.stdout, /--framework <id>/, command);
            }
        });
    });

    describe("waivers in the policy config, and `waivers to-policy-config`", () => {
        const file = () => scratch.file("pc-waivers.yaml", [
            "waivers:",
            "  - rule: apigateway-method-api-key-required",
            `    resource: "${POST_ORDERS}"`,
            "    reason: partner webhook",
            "    approver: jane",
            "    expires: 2026-12-31",
            "  - rule: '*'",
            `    resource: "${CLIENT_OLD}"`,
            "    reason: retiring",
            "    approver: sec",
            "    expires: 2026-12-31",
            "",
        ].join("\n"));

        it("prints a --policy-pack-config that carries each waiver under its policy ('*' under every policy)", () => {
            const base = scratch.file("base-config.json", { "apigateway-stage-waf": "mandatory", "apigateway-api-key-max-age": { maxAgeDays: 60 } });
            const run = runCli(["waivers", "to-policy-config", file(), "--config", base]);
            assert.equal(run.status, 0, run.stderr);
            const config = JSON.parse(run.stdout) as Record<string, { enforcementLevel?: string; maxAgeDays?: number; waivers?: Array<{ id: string; resource: string }> }>;
            assert.deepEqual(config["apigateway-method-api-key-required"].waivers?.map(w => w.resource), [POST_ORDERS, CLIENT_OLD]);
            assert.equal(config["apigateway-stage-waf"].enforcementLevel, "mandatory", "a level string becomes an object");
            assert.equal(config["apigateway-api-key-max-age"].maxAgeDays, 60, "settings are kept");
            assert.ok(Object.values(config).every(entry => entry.waivers?.some(w => w.resource === CLIENT_OLD)));
        });

        it("scan --config with that policy config waives exactly what scan --waivers waives, without stale copies", () => {
            const generated = scratch.path("generated.json");
            assert.equal(runCli(["waivers", "to-policy-config", file(), "--output", generated]).status, 0);
            const viaConfig = report(scan([STACK_EXPORT, "--config", generated, "--format", "json"]));
            const viaFile = report(scan([STACK_EXPORT, "--waivers", file(), "--format", "json"]));
            const waived = (r: GateReport) => r.findings.filter(f => f.suppressed).map(f => `${f.ruleId} ${f.entity?.ref}`).sort();
            assert.deepEqual(waived(viaConfig), waived(viaFile));
            assert.equal(waived(viaFile).length, 2);
            assert.deepEqual(viaConfig.waivers?.stale, [], "a '*' waiver spread over every policy is one waiver again");
            const both = report(scan([STACK_EXPORT, "--config", generated, "--waivers", file(), "--format", "json"]));
            assert.deepEqual(waived(both), waived(viaFile));
            assert.deepEqual(both.waivers?.stale, [], "the config's copies of the file's waivers are not counted twice");
        });

        it("a bad waiver inside a policy config is a config error (exit 2) naming the policy and field", () => {
            const bad = scratch.file("bad-config.json", { "apigateway-stage-waf": { waivers: [{ resource: "x", reason: "r", approver: "a", expires: "soon" }] } });
            const run = scan([STACK_EXPORT, "--config", bad]);
            assert.equal(run.status, 2);
            assert.match(run.stderr, /invalid config for policy 'apigateway-stage-waf': field 'waivers\.0\.expires' must be a date written YYYY-MM-DD/);
        });

        it("waivers check lists expired waivers (exit 1) and validates the file", () => {
            const ok = runCli(["waivers", "check", file(), "--now", "2026-06-01"]);
            assert.equal(ok.status, 0, ok.stderr);
            assert.match(ok.stdout, /^2 waivers, 0 expired\n$/);
            const late = runCli(["waivers", "check", file(), "--now", "2027-01-01"]);
            assert.equal(late.status, 1);
            assert.match(late.stdout, /EXPIRED .*pc-waivers\.yaml:2 .*apigateway-method-api-key-required/);
            const bad = runCli(["waivers", "check", scratch.file("check-bad.yaml", "waivers: 3\n")]);
            assert.equal(bad.status, 2);
            assert.match(bad.stderr, /check-bad\.yaml:1: field 'waivers' must be array/);
        });
    });

    describe("--baseline", () => {
        let dirs: Record<string, string>;
        let baselineFile: string;

        before(() => {
            const blocks = blocksOf(readFileSync(path.join(EXAMPLE_INFRA, "main.tf"), "utf8"));
            const make = (name: string, files: Record<string, string>) => {
                const dir = scratch.path(name);
                mkdirSync(dir, { recursive: true });
                for (const [file, text] of Object.entries(files)) {
                    writeFileSync(path.join(dir, file), text);
                }
                return dir;
            };
            const isStageOrMethod = (block: string) => /resource "aws_api_gateway_(stage|method)" /.test(block);
            dirs = {
                original: make("original", { "main.tf": blocks.join("\n\n") }),
                reordered: make("reordered", { "main.tf": [blocks[0], ...blocks.slice(1).reverse()].join("\n\n") }),
                moved: make("moved", {
                    "main.tf": blocks.filter(b => !isStageOrMethod(b)).join("\n\n"),
                    "api.tf": `# stages and methods live here now\n\n\n${blocks.filter(isStageOrMethod).join("\n\n")}`,
                }),
                renamedUnrelated: make("renamed-unrelated", { "main.tf": blocks.join("\n\n").split("aws_api_gateway_usage_plan.plan_b").join("aws_api_gateway_usage_plan.partner").replace("\"aws_api_gateway_usage_plan\" \"plan_b\"", "\"aws_api_gateway_usage_plan\" \"partner\"") }),
                renamedItself: make("renamed-itself", { "main.tf": blocks.join("\n\n").replace("\"aws_api_gateway_api_key\" \"orphan_key\"", "\"aws_api_gateway_api_key\" \"spare_key\"") }),
            };
            baselineFile = scratch.path("baseline.json");
            const first = scan([dirs.original, "--format", "json", "--output", baselineFile]);
            assert.equal(first.status, 1, first.stderr);
        });

        it("the example really has failures at every level (so the cases below mean something)", () => {
            const base = JSON.parse(readFileSync(baselineFile, "utf8")) as GateReport;
            assert.ok(base.summary.failures.mandatory > 10 && base.summary.failures.advisory > 2);
        });

        for (const variant of ["original", "reordered", "moved"] as const) {
            it(`${variant}: every failure is existing, nothing blocks (exit 0 even at --fail-on advisory)`, () => {
                const run = scan([dirs[variant], "--baseline", baselineFile, "--fail-on", "advisory", "--format", "json"]);
                assert.equal(run.status, 0, run.stderr);
                const json = report(run);
                const fails = json.findings.filter(f => f.status === "fail");
                assert.ok(fails.length > 15 && fails.every(f => f.baseline === "existing"));
                assert.deepEqual(json.summary.baseline, { new: 0, existing: fails.length });
                if (variant === "moved") {
                    assert.ok(fails.some(f => f.entity?.provenance.file?.endsWith("api.tf")), "findings now point at the other file");
                }
            });
        }

        it("renaming an unrelated resource keeps every fingerprint (the renamed plan had no failure)", () => {
            const base = JSON.parse(readFileSync(baselineFile, "utf8")) as GateReport;
            const run = scan([dirs.renamedUnrelated, "--baseline", baselineFile, "--fail-on", "advisory", "--format", "json"]);
            assert.equal(run.status, 0, run.stderr);
            const fingerprints = (r: GateReport) => r.findings.filter(f => f.status === "fail").map(f => f.fingerprint).sort();
            assert.deepEqual(fingerprints(report(run)), fingerprints(base));
        });

        it("renaming the failing resource itself makes its failure new (to Terraform it is a new resource)", () => {
            const run = scan([dirs.renamedItself, "--baseline", baselineFile, "--format", "json"]);
            assert.equal(run.status, 1);
            const json = report(run);
            assert.deepEqual(json.findings.filter(f => f.baseline === "new").map(f => `${f.ruleId} ${f.entity?.ref}`), ["apigateway-api-key-unused aws_api_gateway_api_key.spare_key"]);
            assert.deepEqual(json.summary.gate, { failOn: "mandatory", blocking: 1, blockingMandatory: 1, blockingAdvisory: 0 });
            const text = scan([dirs.renamedItself, "--baseline", baselineFile]);
            assert.match(text.stdout, / · 1 new, \d+ in the baseline · /);
            assert.match(text.stdout, /FAIL +apigateway-api-key-unused +mandatory · medium · new/);
        });

        it("a baseline that is not a JSON report of this tool → exit 2, one line", () => {
            for (const [file, message] of [
                [STACK_EXPORT, /--baseline: not a JSON report of apigw-guard \(its 'tool\.name' is not 'apigw-guard'/],
                [scratch.file("not-json.txt", "hello"), /--baseline: not a JSON report of apigw-guard \(not valid JSON/],
                [scratch.path("missing.json"), /--baseline: no such file or directory/],
            ] as const) {
                const run = scan([dirs.original, "--baseline", file]);
                assert.equal(run.status, 2);
                assert.equal(assertCleanErrors(run).length, 1, run.stderr);
                assert.match(run.stderr, message);
                assert.equal(run.stdout, "");
            }
        });
    });

    describe("--fail-on by severity", () => {
        const cases: Array<[string, number, number]> = [
            // the stack export: 2 critical (mandatory), 1 high (mandatory), 1 medium (advisory), 4 low/… see severities
            ["critical", 1, 2],
            ["high", 1, 4],
            ["medium", 1, 5],
            ["low", 1, 8],
            ["none", 0, 0],
        ];
        for (const [failOn, status, blocking] of cases) {
            it(`--fail-on ${failOn}: ${blocking} blocking, exit ${status}`, () => {
                const run = scan([STACK_EXPORT, "--fail-on", failOn, "--format", "json"]);
                assert.equal(run.status, status, run.stderr);
                const json = report(run);
                assert.equal(json.summary.gate.blocking, blocking);
                assert.equal(json.summary.gate.blockingMandatory + json.summary.gate.blockingAdvisory, blocking);
            });
        }

        it("soft and hard failures stay apart in text and JSON", () => {
            const run = scan([STACK_EXPORT, "--fail-on", "low"]);
            assert.match(run.stdout, /8 failed \(4 mandatory, 4 advisory\) · failures by severity: 2 critical, 2 high, 1 medium, 3 low · .* · 8 blocking at --fail-on low \(4 mandatory, 4 advisory\)\n$/);
            const json = report(scan([STACK_EXPORT, "--fail-on", "low", "--format", "json"]));
            assert.deepEqual(json.summary.severities, { critical: 2, high: 2, medium: 1, low: 3 });
        });

        it("an unknown --fail-on value → exit 2 listing the choices", () => {
            const run = scan([STACK_EXPORT, "--fail-on", "severe"]);
            assert.equal(run.status, 2);
            assert.match(run.stderr, /Allowed choices are mandatory, advisory, none, critical, high, medium, low/);
        });
    });

    describe("--framework", () => {
        for (const framework of ["nist-800-53", "pci-dss-v4", "aws-security-hub"]) {
            it(`${framework}: a control table in text, Report.frameworks in JSON`, () => {
                const text = scan([STACK_EXPORT, "--framework", framework]);
                assert.match(text.stdout, new RegExp(`\\nControls: [^\\n]* \\(${framework}\\)\\n {2}control +status +pass +fail +unknown +waived +rules\\n`));
                const json = report(scan([STACK_EXPORT, "--framework", framework, "--format", "json"]));
                assert.deepEqual(json.frameworks?.frameworks, [framework]);
                assert.ok((json.frameworks?.controls.length ?? 0) > 0);
                assert.ok(json.frameworks?.controls.some(c => c.status === "fail"));
                assert.ok(json.frameworks?.controls.every(c => c.framework === framework));
            });
        }

        it("several at once (repeated or comma-separated); an unknown one → exit 2", () => {
            const json = report(scan([STACK_EXPORT, "--framework", "pci-dss-v4,nist-800-53", "--framework", "pci-dss-v4", "--format", "json"]));
            assert.deepEqual(json.frameworks?.frameworks, ["pci-dss-v4", "nist-800-53"]);
            const bad = scan([STACK_EXPORT, "--framework", "iso-27001"]);
            assert.equal(bad.status, 2);
            assert.match(bad.stderr, /--framework: 'iso-27001' is not one of nist-800-53, pci-dss-v4, aws-security-hub/);
        });
    });

    describe("a planted key value never appears, whatever the gates and formats", () => {
        const VALUE = `PLANTED${randomBytes(16).toString("hex")}`;
        const EXAMPLE_VALUE = "PLANTED-apigw-guard-key-0123456789";

        it("scan with waivers, a baseline and a framework, in every format", () => {
            // File names without "planted-": the leak search would find that fragment of the fixtures' values.
            const dir = scratch.path("with-value");
            mkdirSync(dir, { recursive: true });
            writeFileSync(path.join(dir, "main.tf"), readFileSync(path.join(EXAMPLE_INFRA, "main.tf"), "utf8").split(EXAMPLE_VALUE).join(VALUE));
            const plan = scratch.file("value-plan.json", readFileSync(path.join(EXAMPLE_INFRA, "plan.json"), "utf8").split(EXAMPLE_VALUE).join(VALUE));
            const waivers = scratch.file("value-waivers.yaml", "waivers:\n  - rule: apigateway-api-key-value-secret\n    resource: '**'\n    reason: r\n    approver: a\n    expires: 2026-12-31\n");
            const baseline = scratch.path("value-baseline.json");
            scan([dir, plan, "--format", "json", "--output", baseline]);
            const all = readFileSync(baseline, "utf8");
            assert.ok(!all.includes(VALUE) && !all.includes(VALUE.slice(7, 19)));
            assertNoLeak("the baseline", all, VALUE);
            assertNoExampleLeak("the baseline", all);
            for (const format of REPORT_FORMATS) {
                // --account-id/--region: ASFF needs them for IaC findings; the other formats ignore them.
                const run = scan([dir, plan, "--waivers", waivers, "--baseline", baseline, "--framework", "pci-dss-v4", "--fail-on", "low", "--format", format, "--account-id", "123456789012", "--region", "us-east-1", "--asff-include-passed"]);
                assert.ok(run.status === 0 || run.status === 1, `${format}: ${run.stderr}`);
                for (const text of [run.stdout, run.stderr]) {
                    assert.ok(!text.includes(VALUE), `${format} holds the planted value`);
                    assert.ok(!text.includes(VALUE.slice(7, 19)), `${format} holds part of the planted value`);
                }
                assertNoLeak(format, { stdout: run.stdout, stderr: run.stderr }, VALUE);
                assertNoExampleLeak(format, { stdout: run.stdout, stderr: run.stderr });
            }
        });
    });

    it("help documents the gates", () => {
        const help = runCli(["scan", "--help"]);
        assert.match(help.stdout, /--fail-on critical\|high\|medium\|low/);
        assert.match(help.stdout, /--waivers FILE/);
        assert.equal(parseReport(scan([STACK_EXPORT, "--format", "json"]).stdout).tool.name, "apigw-guard");
    });
});

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
    ANSI_ESCAPE, assertCleanErrors, cleanStackExport, NOW, parseReport, ROOT, runCli, scan, Scratch, STACK_EXPORT, stackExport,
} from "./helpers";

const EXPORT_ARG = path.relative(ROOT, STACK_EXPORT);
const URN = "urn:pulumi:dev::orders";

describe("cli: apigw-guard scan (Pulumi stack export, end to end)", function () {
    this.timeout(60_000);
    let scratch: Scratch;
    before(() => {
        scratch = new Scratch();
    });
    after(() => scratch.cleanup());

    it("reports a stack export grouped by resource and exits 1 on mandatory failures", () => {
        const run = scan([EXPORT_ARG]);
        assert.equal(run.status, 1, run.stderr);
        assert.equal(run.stderr, "");
        const out = run.stdout;
        assert.match(out, /^apigw-guard \d+\.\d+\.\d+ · 2026-06-01T00:00:00\.000Z$/m);
        assert.match(out, new RegExp(`^test/fixtures/cli/stack-export\\.json \\(pulumi-export, \\d+ entities\\)$`, "m"));
        // The group heading is the URN with the file; the finding lines follow it.
        const heading = `  ${URN}::aws:apigateway/method:Method::post-orders (${EXPORT_ARG})`;
        const at = out.indexOf(heading);
        assert.ok(at >= 0, out);
        assert.match(out.slice(at + heading.length), /^\n {4}FAIL {5}apigateway-method-api-key-required {2}mandatory · high\n {13}POST \/orders can be called without an API key/);
        assert.match(out, /FAIL {5}apigateway-api-key-max-age[^\n]*\n[^\n]*API key 'client-old' is 516 days old/);
        assert.match(out, /WARN {5}apigateway-method-authorizer {2}advisory · low/);
        assert.ok(!out.includes("PASS "), "passes are hidden by default");
        assert.ok(!out.includes("::client-a\n") && !out.includes("ApiKey::client-a ("), "a resource with only passes is not listed");
        assert.ok(!out.includes(ANSI_ESCAPE), "no color into a pipe");
        assert.match(out, /\n1 input · 8 failed \(4 mandatory, 4 advisory\) · 0 unknown · \d+ passed · \d+ not applicable · 4 blocking at --fail-on mandatory\n$/);
    });

    it("skips the stack, the provider and the pending delete of a replaced key", () => {
        const report = parseReport(scan([EXPORT_ARG, "--format", "json"]).stdout);
        const refs = new Set(report.findings.map(f => f.entity?.ref ?? ""));
        assert.ok(![...refs].some(ref => ref.includes("pulumi:pulumi:Stack") || ref.includes("pulumi:providers:")));
        const clientA = report.findings.filter(f => f.entity?.name === "client-a" && f.ruleId === "apigateway-api-key-max-age");
        assert.equal(clientA.length, 1, "one client-a key: the live one");
        assert.match(clientA[0].message, /31 days old/, "the pending delete (created 2020) is not judged");
    });

    it("lists passing and not-applicable findings with --show-passes", () => {
        const run = scan([EXPORT_ARG, "--show-passes"]);
        assert.match(run.stdout, /PASS {5}apigateway-api-key-value-secret[^\n]*\n[^\n]*key 'client-a': its value is held as a secret/);
        assert.match(run.stdout, /N\/A {6}apigateway-stage-cache-encrypted/);
    });

    describe("exit codes and --fail-on", () => {
        let clean: string;
        before(() => {
            clean = scratch.file("clean.json", cleanStackExport());
        });

        it("exits 0 when no failure is mandatory; advisory warnings are still shown", () => {
            const run = scan([clean]);
            assert.equal(run.status, 0, run.stdout + run.stderr);
            assert.match(run.stdout, /WARN/);
            assert.match(run.stdout, /· 0 blocking at --fail-on mandatory\n$/);
        });

        it("--fail-on advisory makes warnings block; --fail-on none never blocks", () => {
            assert.equal(scan([clean, "--fail-on", "advisory"]).status, 1);
            assert.equal(scan([EXPORT_ARG, "--fail-on", "none"]).status, 0);
            assert.equal(scan([EXPORT_ARG, "--fail-on", "mandatory"]).status, 1);
        });

        it("an unreadable input wins over blocking findings: exit 2", () => {
            const run = scan([EXPORT_ARG, scratch.path("missing.json")]);
            assert.equal(run.status, 2);
        });
    });

    describe("--format json", () => {
        it("writes the report as JSON: every finding, sorted, with a summary and no secret material", () => {
            const run = scan([EXPORT_ARG, "--format", "json"]);
            assert.equal(run.status, 1);
            const report = parseReport(run.stdout);
            assert.equal(report.reportVersion, 1);
            assert.equal(report.tool.name, "apigw-guard");
            assert.equal(report.generatedAt, "2026-06-01T00:00:00.000Z");
            assert.deepEqual(report.inputs, [{ file: EXPORT_ARG, kind: "pulumi-export", entities: report.inputs[0].entities }]);
            assert.ok((report.inputs[0].entities ?? 0) > 10);
            const { summary } = report;
            assert.equal(summary.findings.total, report.findings.length);
            assert.equal(summary.findings.fail, report.findings.filter(f => f.status === "fail").length);
            assert.equal(summary.findings.pass, report.findings.filter(f => f.status === "pass").length);
            assert.deepEqual(summary.gate, { failOn: "mandatory", blocking: 4, blockingMandatory: 4, blockingAdvisory: 0 });
            assert.deepEqual(summary.failures, { mandatory: 4, advisory: 4 });
            assert.ok(report.rules.length >= 17 && report.rules.every(r => r.enforcementLevel !== "disabled"));
            const locations = report.findings.map(f => f.entity?.provenance.urn ?? "");
            assert.deepEqual(locations, [...locations].sort(), "findings sorted by location");
            // A finding's `fingerprint` is its rule+resource identity; no other object (a key value's
            // salted fingerprint from the model) may carry one.
            const holders: unknown[] = [];
            const walk = (value: unknown): void => {
                if (Array.isArray(value)) {
                    value.forEach(walk);
                } else if (value !== null && typeof value === "object") {
                    if ("fingerprint" in value) {
                        holders.push(value);
                    }
                    Object.values(value).forEach(walk);
                }
            };
            walk(report);
            assert.equal(holders.length, report.findings.length, "no fingerprints in a report but the findings' identities");
            assert.ok(report.findings.every(f => holders.includes(f)));
            assert.ok(!run.stdout.includes("ciphertext") && !run.stdout.includes("v1:Q0lQ"), "no ciphertext in a report");
        });

        it("is deterministic: the same scan gives the same bytes, keys sorted at every level", () => {
            const a = scan([EXPORT_ARG, "--format", "json"]).stdout;
            const b = scan([EXPORT_ARG, "--format", "json"]).stdout;
            assert.equal(a, b);
            const keysSorted = (value: unknown): boolean => {
                if (Array.isArray(value)) {
                    return value.every(keysSorted);
                }
                if (value !== null && typeof value === "object") {
                    const keys = Object.keys(value);
                    return keys.join("\u0000") === [...keys].sort().join("\u0000") && Object.values(value).every(keysSorted);
                }
                return true;
            };
            assert.ok(keysSorted(JSON.parse(a)));
        });

        it("orders findings the same whatever the order of resources in the export", () => {
            const doc = stackExport();
            doc.deployment.resources.reverse();
            const reversed = scratch.file("reversed.json", doc);
            const strip = (text: string) => parseReport(text).findings.map(f => `${f.entity?.ref} ${f.ruleId} ${f.status} ${f.message}`);
            assert.deepEqual(strip(scan([reversed, "--format", "json"]).stdout), strip(scan([EXPORT_ARG, "--format", "json"]).stdout));
        });

        it("pins the clock with APIGW_GUARD_NOW when --now is not given", () => {
            const run = runCli(["scan", EXPORT_ARG, "--format", "json"], { env: { APIGW_GUARD_NOW: "2025-02-01T00:00:00Z" } });
            const report = parseReport(run.stdout);
            assert.equal(report.generatedAt, "2025-02-01T00:00:00.000Z");
            const age = report.findings.find(f => f.entity?.name === "client-old" && f.ruleId === "apigateway-api-key-max-age");
            assert.equal(age?.status, "pass", "31 days old on 2025-02-01");
        });
    });

    describe("--output", () => {
        it("writes the report to the file and nothing to stdout", () => {
            const target = scratch.path("report.txt");
            const run = scan([EXPORT_ARG, "--output", target]);
            assert.equal(run.status, 1);
            assert.equal(run.stdout, "");
            const written = readFileSync(target, "utf8");
            assert.match(written, /FAIL {5}apigateway-method-api-key-required/);
            assert.ok(!written.includes(ANSI_ESCAPE));
        });

        it("writes JSON to the file with --format json", () => {
            const target = scratch.path("report.json");
            assert.equal(scan([EXPORT_ARG, "--format", "json", "--output", target]).status, 1);
            assert.equal(parseReport(readFileSync(target, "utf8")).summary.gate.blocking, 4);
        });

        it("exits 2 with one line when the report cannot be written", () => {
            const run = scan([EXPORT_ARG, "--output", scratch.path("no/such/dir/report.txt")]);
            assert.equal(run.status, 2);
            const lines = assertCleanErrors(run);
            assert.equal(lines.length, 1);
            assert.match(lines[0], /^apigw-guard: .*no\/such\/dir\/report\.txt: cannot write the report: no such file or directory$/);
        });
    });

    describe("stdin", () => {
        it("reads '-' from stdin and names it <stdin>", () => {
            const text = readFileSync(STACK_EXPORT, "utf8");
            const run = scan(["-", "--format", "json"], { input: text });
            assert.equal(run.status, 1, run.stderr);
            const report = parseReport(run.stdout);
            assert.deepEqual(report.inputs.map(i => [i.file, i.kind]), [["<stdin>", "pulumi-export"]]);
            const fromFile = parseReport(scan([EXPORT_ARG, "--format", "json"]).stdout);
            const statuses = (r: typeof report) => r.findings.map(f => `${f.entity?.ref} ${f.ruleId} ${f.status}`);
            assert.deepEqual(statuses(report), statuses(fromFile));
        });

        it("reports empty stdin as an unreadable input", () => {
            const run = scan(["-"], { input: "" });
            assert.equal(run.status, 2);
            assert.deepEqual(assertCleanErrors(run), ["apigw-guard: <stdin>: empty input"]);
        });

        it("refuses '-' twice as bad usage", () => {
            const run = scan(["-", "-"], { input: "{}" });
            assert.equal(run.status, 2);
            assert.deepEqual(assertCleanErrors(run), ["apigw-guard: '-' (stdin) can be given only once"]);
        });
    });

    describe("several inputs", () => {
        it("evaluates each input on its own and puts all findings in one report", () => {
            const clean = scratch.file("clean-2.json", cleanStackExport());
            const run = scan([EXPORT_ARG, clean, "--format", "json"]);
            const report = parseReport(run.stdout);
            assert.deepEqual(report.inputs.map(i => i.file), [EXPORT_ARG, clean]);
            assert.deepEqual([...new Set(report.findings.map(f => f.input))], [EXPORT_ARG, clean], "grouped by input, in the order given");
            // The same URNs in both inputs do not collide: each input is its own inventory.
            const perInput = (file: string) => report.findings.filter(f => f.input === file && f.ruleId === "apigateway-method-api-key-required" && f.entity?.name === "post-orders");
            assert.equal(perInput(EXPORT_ARG)[0].status, "fail");
            assert.equal(perInput(clean)[0].status, "pass");
            assert.equal(run.status, 1);
        });

        it("scans the same path once when it is given twice", () => {
            const report = parseReport(scan([EXPORT_ARG, EXPORT_ARG, "--format", "json"]).stdout);
            assert.equal(report.inputs.length, 1);
        });
    });

    describe("--format-in", () => {
        it("forces the input kind instead of detecting it", () => {
            const run = scan([EXPORT_ARG, "--format-in", "pulumi-export", "--format", "json"]);
            assert.equal(parseReport(run.stdout).inputs[0].kind, "pulumi-export");
        });

        it("reports a forced kind that does not fit as an unreadable input", () => {
            const run = scan([EXPORT_ARG, "--format-in", "terraform-plan"]);
            assert.equal(run.status, 2);
            assert.deepEqual(assertCleanErrors(run), [`apigw-guard: ${EXPORT_ARG}: not Terraform JSON output (terraform show -json <planfile>): no format_version field`]);
        });

        it("refuses to read a file as HCL unless it is named like Terraform configuration", () => {
            const run = scan([EXPORT_ARG, "--format-in", "terraform-hcl"]);
            assert.equal(run.status, 2);
            assert.deepEqual(assertCleanErrors(run), [`apigw-guard: ${EXPORT_ARG}: not a Terraform configuration file: their names end in .tf or .tf.json`]);
        });

        it("refuses HCL from stdin", () => {
            const run = scan(["-", "--format-in", "terraform-hcl"], { input: "resource \"x\" \"y\" {}" });
            assert.equal(run.status, 2);
            assert.deepEqual(assertCleanErrors(run), ["apigw-guard: <stdin>: Terraform HCL cannot be read from stdin: pass the .tf file or its directory"]);
        });

        it("refuses a directory for a JSON kind", () => {
            const run = scan([scratch.dir, "--format-in", "pulumi-export"]);
            assert.equal(run.status, 2);
            assert.deepEqual(assertCleanErrors(run), [`apigw-guard: ${scratch.dir}: is a directory, not a pulumi-export file`]);
        });
    });

    describe("config (--config, the format of --policy-pack-config)", () => {
        it("applies levels and settings: a disabled policy and a raised age limit change the result", () => {
            const config = scratch.file("config.json", {
                "apigateway-method-api-key-required": "disabled",
                "apigateway-api-key-max-age": { enforcementLevel: "advisory", maxAgeDays: 600, warnAgeDays: 500 },
                "apigateway-api-key-value-secret": { enforcementLevel: "advisory" },
            });
            const run = scan([EXPORT_ARG, "--config", config, "--format", "json"]);
            assert.equal(run.status, 0, run.stderr);
            const report = parseReport(run.stdout);
            assert.ok(!report.findings.some(f => f.ruleId === "apigateway-method-api-key-required"));
            assert.ok(!report.rules.some(r => r.id === "apigateway-method-api-key-required"), "disabled rules are not listed as run");
            const age = report.findings.find(f => f.entity?.name === "client-old" && f.ruleId === "apigateway-api-key-max-age");
            assert.equal(age?.status, "fail", "516 days is past the 500-day warning age");
            assert.equal(age?.enforcementLevel, "advisory");
            assert.equal(report.rules.find(r => r.id === "apigateway-api-key-value-secret")?.enforcementLevel, "advisory");
        });

        it("takes 'all' as the level of every policy not given its own", () => {
            const config = scratch.file("all.json", { all: "advisory", "apigateway-api-key-max-age": { maxAgeDays: 30 } });
            const run = scan([EXPORT_ARG, "--config", config, "--format", "json"]);
            assert.equal(run.status, 0, run.stderr);
            const report = parseReport(run.stdout);
            assert.ok(report.rules.every(r => r.enforcementLevel === "advisory"));
            assert.equal(scan([EXPORT_ARG, "--config", config, "--fail-on", "advisory"]).status, 1);
        });

        const bad: Array<[string, string | object, RegExp]> = [
            ["a setting of the wrong type", { "apigateway-api-key-max-age": { maxAgeDays: "ninety" } }, /: invalid config for policy 'apigateway-api-key-max-age': field 'maxAgeDays' must be integer$/],
            ["an unknown setting", { "apigateway-api-key-max-age": { maxAge: 3 } }, /: invalid config for policy 'apigateway-api-key-max-age': field 'maxAge' is not a setting of this policy$/],
            ["an unknown level", { "apigateway-stage-waf": "strict" }, /: invalid config for policy 'apigateway-stage-waf': field 'enforcementLevel' must be one of/],
            ["an unknown policy", { "apigateway-no-such-policy": "advisory" }, /: unknown policy 'apigateway-no-such-policy'/],
            ["a bad 'all'", { all: 3 }, /: 'all' must be one of "advisory", "mandatory", "remediate", "disabled"$/],
            ["a list", [], /: the config must be a JSON object/],
            ["truncated JSON", "{\n  \"apigateway-stage-waf\": {\n", /config\.json:3: truncated JSON config: unexpected end of input/],
        ];
        for (const [what, content, message] of bad) {
            it(`exits 2 before scanning on ${what}, naming the file, the policy and the field`, () => {
                const config = scratch.file("config.json", content);
                const run = scan([EXPORT_ARG, "--config", config]);
                assert.equal(run.status, 2);
                assert.equal(run.stdout, "", "nothing is scanned with a bad config");
                const lines = assertCleanErrors(run);
                assert.equal(lines.length, 1, run.stderr);
                assert.ok(lines[0].startsWith(`apigw-guard: ${config}`), lines[0]);
                assert.match(lines[0], message);
            });
        }

        it("reports every problem of a config, one line each", () => {
            const config = scratch.file("many.json", { "apigateway-api-key-max-age": { maxAgeDays: -1 }, "apigateway-x": "advisory", "apigateway-stage-waf": "loud" });
            const lines = assertCleanErrors(scan([EXPORT_ARG, "--config", config]));
            assert.equal(lines.length, 3, lines.join("\n"));
        });

        it("refuses a YAML config with a clear line (JSON only for now)", () => {
            const config = scratch.file("config.yaml", "apigateway-stage-waf: advisory\n");
            const run = scan([EXPORT_ARG, "--config", config]);
            assert.equal(run.status, 2);
            assert.match(assertCleanErrors(run)[0], /config\.yaml: YAML config files are not supported yet: write the config as JSON/);
        });

        it("exits 2 on a missing config file", () => {
            const run = scan([EXPORT_ARG, "--config", scratch.path("nope.json")]);
            assert.equal(run.status, 2);
            assert.match(assertCleanErrors(run)[0], /nope\.json: no such file or directory$/);
        });
    });

    describe("usage", () => {
        const usage: Array<[string, string[], RegExp]> = [
            ["an unknown option", ["scan", EXPORT_ARG, "--frmat", "json"], /^apigw-guard: unknown option '--frmat'/],
            ["a format that does not exist", ["scan", EXPORT_ARG, "--format", "xml"], /^apigw-guard: option '--format <format>' argument 'xml' is invalid\. Allowed choices are text, json, sarif, junit, markdown, html, asff\./],
            ["a bad --fail-on", ["scan", EXPORT_ARG, "--fail-on", "severe"], /argument 'severe' is invalid/],
            ["no path", ["scan"], /^apigw-guard: missing required argument 'path'/],
            ["an unknown command", ["check", EXPORT_ARG], /^apigw-guard: unknown command 'check'/],
            ["a bad --now", ["scan", EXPORT_ARG, "--now", "yesterday"], /^apigw-guard: --now: 'yesterday' is not an ISO-8601 date/],
        ];
        for (const [what, args, message] of usage) {
            it(`exits 2 on ${what}, with one line`, () => {
                const run = runCli(args);
                assert.equal(run.status, 2, run.stderr);
                const lines = assertCleanErrors(run);
                assert.equal(lines.length, 1, run.stderr);
                assert.match(lines[0], message);
            });
        }

        it("exits 2 on a bad APIGW_GUARD_NOW", () => {
            const run = runCli(["scan", EXPORT_ARG], { env: { APIGW_GUARD_NOW: "soon" } });
            assert.equal(run.status, 2);
            assert.match(assertCleanErrors(run)[0], /APIGW_GUARD_NOW: 'soon' is not an ISO-8601 date/);
        });

        it("prints help with the exit codes and the clock, and the version, exiting 0", () => {
            const help = runCli(["scan", "--help"]);
            assert.equal(help.status, 0);
            assert.match(help.stdout, /Exit codes:\n {2}0 {2}no blocking finding\n {2}1 {2}blocking findings/);
            assert.match(help.stdout, /--now <iso>/);
            const version = runCli(["--version"]);
            assert.equal(version.status, 0);
            const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
            assert.equal(version.stdout.trim(), manifest.version);
        });

        it("exits 2 without a command, showing help on stderr", () => {
            const run = runCli([]);
            assert.equal(run.status, 2);
            assert.match(run.stderr, /Usage: apigw-guard/);
        });
    });

    it("the installed bin starts with a node shebang", () => {
        const head = readFileSync(path.join(ROOT, "dist", "cli", "main.js"), "utf8").split("\n")[0];
        assert.equal(head, "#!/usr/bin/env node");
        assert.equal(NOW, "2026-06-01T00:00:00Z");
    });
});

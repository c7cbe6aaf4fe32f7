import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { Finding } from "apigw-guard/policies/engine/run";
import {
    buildReport, CONTENT_SECURITY_POLICY, createReporter, InputResult, Report, REPORT_FORMATS, ReportFormat, reportRules, SARIF_FINGERPRINT_KEY,
} from "../../report";
import { assertNoExampleLeak, examplePlantedValues } from "../support/planted";
import { ageBins, keyAges } from "../../report/digest";
import { code, html, md } from "../../report/markdown";
import { fileUri } from "../../report/sarif";
import { RULES } from "apigw-guard/policies/rules/index";
import { ALL_EXAMPLE_INPUTS, EXAMPLE_INFRA, exampleReport, FORMAT_OPTIONS, GOLDEN_NOW, GOLDEN_TOOL, goldenReport, PLANTED, ROOT, seededShuffle } from "./fixture";
import { describeErrors, SARIF_SCHEMA, validateReport, validateSarif } from "./schemas";

function render(format: ReportFormat, report: Report): string {
    return createReporter(format, FORMAT_OPTIONS).render(report);
}

/** Strings that try to break out of every format: markup, Markdown, XML, JSON, mentions, controls. */
const HOSTILE = "</script><script>alert(1)</script> <img src=x onerror=alert(2)> | `tick` ``two`` *bold* _em_ [link](javascript:alert(3)) @octocat ]]> <!-- & \"q\" 'a' \u0001\u0007 \ud800 end";

function hostileReport(): Report {
    const base: Finding = {
        ruleId: "apigateway-method-api-key-required",
        title: "Every API Gateway method requires an API key",
        severity: "high",
        status: "fail",
        enforcementLevel: "mandatory",
        message: `message ${HOSTILE}`,
        remediation: `remediation ${HOSTILE}`,
        entity: {
            ref: `aws_api_gateway_method.m["${HOSTILE}"]`,
            kind: "method",
            name: `name ${HOSTILE}`,
            provenance: { source: "terraform", address: `aws_api_gateway_method.m["${HOSTILE}"]`, file: `dir with space/<main>|.tf`, line: 7 },
        },
        line: 9,
    };
    const inputs: InputResult[] = [{
        file: `input ${HOSTILE}.tf`,
        kind: "terraform-hcl",
        entities: 2,
        findings: [
            base,
            { ...base, status: "unknown", enforcementLevel: "advisory", ruleId: "apigateway-api-key-max-age", title: "max age" },
            { ...base, ruleId: "pack-of-someone-else", title: `foreign ${HOSTILE}`, severity: "low", enforcementLevel: "advisory" },
        ],
        gaps: [{ ref: `gap ${HOSTILE}`, message: `gap message ${HOSTILE}` }],
        errors: [{ message: `error ${HOSTILE}`, file: `sub/${HOSTILE}.tf`, line: 3 }],
    }];
    return buildReport({
        tool: GOLDEN_TOOL,
        generatedAt: GOLDEN_NOW,
        inputs,
        rules: reportRules(RULES, rule => rule.enforcementLevel),
        failOn: "mandatory",
        waivers: [{ id: `W ${HOSTILE}`, rule: "apigateway-api-key-max-age", resource: "**", reason: `reason ${HOSTILE}`, approver: `approver ${HOSTILE}`, expires: "2027-01-01" }],
    });
}

describe("report formats", function () {
    let golden: Report;
    let everyInput: Report;

    before(async () => {
        golden = await goldenReport();
        everyInput = await exampleReport({ inputs: ALL_EXAMPLE_INPUTS });
    });

    describe("determinism", () => {
        for (const format of REPORT_FORMATS) {
            it(`${format}: the same report twice, and the findings and rules in three other orders, give the same bytes`, async () => {
                const first = render(format, golden);
                assert.equal(render(format, golden), first, "rendered twice");
                for (const seed of [1, 7, 2026]) {
                    const shuffled = await goldenReport({ shuffle: seededShuffle(seed) });
                    assert.equal(render(format, shuffled), first, `findings shuffled with seed ${seed}`);
                }
            });
        }

        it("the timestamp is the report's, not the clock's", () => {
            const later = { ...golden, generatedAt: "2031-02-03T04:05:06.000Z" };
            for (const format of REPORT_FORMATS) {
                const text = render(format, later);
                assert.ok(!text.includes("2026-06-01T00:00:00"), `${format} holds no other timestamp`);
                assert.ok(text.includes("2031-02-03T04:05:06"), `${format} shows generatedAt`);
            }
        });
    });

    describe("planted key values", () => {
        for (const format of REPORT_FORMATS) {
            it(`${format}: no key value of the example infrastructure (all four inputs, and the golden report) appears`, () => {
                for (const report of [everyInput, golden]) {
                    const text = render(format, report);
                    assert.ok(!text.includes(PLANTED), `${format} leaks a planted value`);
                    assert.ok(!text.includes(Buffer.from(PLANTED).toString("base64").slice(0, 16)), `${format} leaks a base64 planted value`);
                    assertNoExampleLeak(format, text);
                }
            });
        }

        it("the inputs really do hold planted values (the test above would catch a leak)", () => {
            for (const input of ALL_EXAMPLE_INPUTS) {
                assert.ok(readFileSync(path.join(ROOT, input), "utf8").includes(PLANTED), input);
            }
            assert.ok(examplePlantedValues().length >= 6, "the leak search knows every planted value");
        });
    });

    describe("json", () => {
        it("validates against schemas/report.schema.json: the golden report, every example input, a hostile and an empty report", () => {
            const empty = buildReport({ tool: GOLDEN_TOOL, generatedAt: GOLDEN_NOW, inputs: [], rules: [], failOn: "none" });
            for (const [name, report] of [["golden", golden], ["every input", everyInput], ["hostile", hostileReport()], ["empty", empty]] as const) {
                const errors = validateReport(JSON.parse(render("json", report)));
                assert.equal(errors.length, 0, `${name}:\n${describeErrors(errors)}`);
            }
        });

        it("the schema rejects what is not a report (it is not vacuous)", () => {
            const document = JSON.parse(render("json", golden)) as { findings: Array<Record<string, unknown>>; summary: Record<string, unknown> };
            document.findings[0].status = "failed";
            assert.ok(validateReport(document).length > 0, "a bad status");
            const extra = JSON.parse(render("json", golden)) as Record<string, unknown>;
            extra.unexpected = true;
            assert.ok(validateReport(extra).length > 0, "an unknown top-level key");
        });
    });

    describe("sarif", () => {
        interface SarifLog {
            $schema: string;
            version: string;
            runs: Array<{
                tool: { driver: { name: string; rules: Array<{ id: string; name: string; help: { text: string; markdown: string }; shortDescription: { text: string }; fullDescription: { text: string }; properties: { "security-severity": string; tags: string[] } }> } };
                invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications?: unknown[]; toolConfigurationNotifications?: unknown[] }>;
                results: Array<{
                    ruleId: string;
                    ruleIndex: number;
                    level: string;
                    message: { text: string };
                    locations: Array<{ physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } }; logicalLocations?: Array<{ fullyQualifiedName: string; kind: string }> }>;
                    partialFingerprints: Record<string, string>;
                    suppressions?: Array<{ kind: string; justification: string }>;
                    baselineState?: string;
                }>;
            }>;
        }
        const parse = (report: Report): SarifLog => JSON.parse(render("sarif", report)) as SarifLog;

        it("validates against the SARIF 2.1.0 JSON schema: the golden report, every example input, a hostile report", () => {
            for (const [name, report] of [["golden", golden], ["every input", everyInput], ["hostile", hostileReport()]] as const) {
                const errors = validateSarif(parse(report));
                assert.equal(errors.length, 0, `${name}:\n${describeErrors(errors)}`);
            }
        });

        it("the vendored SARIF schema is the file its README names (sha256)", () => {
            const digest = createHash("sha256").update(readFileSync(SARIF_SCHEMA)).digest("hex");
            assert.ok(readFileSync(path.join(path.dirname(SARIF_SCHEMA), "README.md"), "utf8").includes(digest), `README.md names ${digest}`);
        });

        it("the SARIF schema rejects a broken log (it is not vacuous)", () => {
            const log = parse(golden) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
            log.runs[0].results[0].level = "fatal";
            assert.ok(validateSarif(log).length > 0);
        });

        it("describes every rule that ran with help from its remediation, a numeric security-severity and control tags", () => {
            const run = parse(golden).runs[0];
            assert.deepEqual(run.tool.driver.rules.map(rule => rule.id), golden.rules.map(rule => rule.id));
            assert.equal(golden.rules.length, RULES.length, "every rule ran");
            assert.ok(golden.rules.some(rule => rule.controls.nist80053.length > 0), "some rules have controls to tag");
            for (const descriptor of run.tool.driver.rules) {
                const rule = golden.rules.find(candidate => candidate.id === descriptor.id);
                assert.ok(rule);
                assert.equal(descriptor.help.text, rule.remediation);
                assert.equal(descriptor.shortDescription.text, rule.title);
                assert.equal(descriptor.properties["security-severity"], { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" }[rule.severity]);
                for (const control of rule.controls.nist80053) {
                    assert.ok(descriptor.properties.tags.includes(`external/nist-800-53/${control}`), `${rule.id} tags ${control}`);
                }
            }
        });

        it("has a result per failure and unknown (error / warning / note), none for passes, with the right ruleIndex", () => {
            const run = parse(golden).runs[0];
            const expected = golden.findings.filter(f => f.status === "fail" || f.status === "unknown");
            assert.ok(expected.some(f => f.status === "fail") && expected.some(f => f.status === "unknown"), "the golden report has failures and unknowns");
            assert.equal(run.results.length, expected.length);
            run.results.forEach((result, index) => {
                const finding = expected[index];
                assert.equal(result.ruleId, finding.ruleId);
                assert.equal(run.tool.driver.rules[result.ruleIndex].id, result.ruleId);
                assert.equal(result.level, finding.status === "unknown" ? "note" : finding.enforcementLevel === "mandatory" ? "error" : "warning");
                assert.equal(result.message.text, finding.message);
            });
        });

        it("points at file:line for HCL and at the URN / address as a logical location", () => {
            const results = parse(golden).runs[0].results;
            const hcl = results.find(r => r.ruleId === "apigateway-method-api-key-required" && r.locations[0].physicalLocation?.artifactLocation.uri.endsWith("main.tf"));
            assert.ok(hcl);
            assert.deepEqual(hcl.locations[0].physicalLocation?.region, { startLine: 36 }, "the api_key_required line");
            assert.deepEqual(hcl.locations[0].logicalLocations, [{ fullyQualifiedName: "aws_api_gateway_method.get_orders", name: "get_orders", kind: "resource" }]);
            const pulumi = results.find(r => r.ruleId === "apigateway-method-api-key-required" && r.locations[0].physicalLocation?.artifactLocation.uri.endsWith("stack-export.json"));
            assert.ok(pulumi);
            assert.match(pulumi.locations[0].logicalLocations?.[0].fullyQualifiedName ?? "", /^urn:pulumi:prod::example-infra::aws:apigateway\/method:Method::get-orders$/);
        });

        it("marks waived findings as suppressed (external, with the reason) and carries the baseline state", () => {
            const results = parse(golden).runs[0].results;
            const waived = golden.findings.filter(f => f.suppressed !== undefined);
            const suppressed = results.filter(r => r.suppressions !== undefined);
            assert.equal(suppressed.length, waived.length);
            assert.deepEqual(suppressed[0].suppressions?.map(s => [s.kind, s.justification]), [["external", waived[0].suppressed?.reason]]);
            assert.ok(results.some(r => r.baselineState === "unchanged") && results.some(r => r.baselineState === "new"));
        });

        it("reports unreadable inputs and waivers that need attention as notifications", () => {
            const invocation = parse(golden).runs[0].invocations[0];
            assert.equal(invocation.executionSuccessful, false);
            assert.equal(invocation.toolExecutionNotifications?.length, 1);
            assert.equal(invocation.toolConfigurationNotifications?.length, 2);
        });

        it("partialFingerprints stay the same when findings are reordered, other resources renamed and the file's lines move", async () => {
            const scratch = mkdtempSync(path.join(tmpdir(), "apigw-guard-sarif-"));
            try {
                const original = readFileSync(path.join(ROOT, EXAMPLE_INFRA, "main.tf"), "utf8");
                // Rename one key and push every line down: only the renamed key's results may change.
                const moved = `# moved\n\n\n${original.replace(/orphan_key/g, "spare_key")}`;
                const relocated = path.relative(ROOT, path.join(scratch, "main.tf"));
                writeFileSync(path.join(scratch, "main.tf"), moved);
                const before = parse(await exampleReport({ inputs: [`${EXAMPLE_INFRA}/main.tf`] })).runs[0].results;
                const after = parse(await exampleReport({ inputs: [relocated], shuffle: seededShuffle(3) })).runs[0].results;
                const prints = (results: SarifLog["runs"][number]["results"], skip: string): Map<string, string> => new Map(results
                    .filter(r => !(r.locations[0].logicalLocations?.[0].fullyQualifiedName ?? "").includes(skip))
                    .map(r => [`${r.ruleId} ${r.locations[0].logicalLocations?.[0].fullyQualifiedName}`, r.partialFingerprints[SARIF_FINGERPRINT_KEY]]));
                const kept = prints(before, "orphan_key");
                assert.ok(kept.size > 10);
                assert.deepEqual(prints(after, "spare_key"), kept);
                assert.ok(after.some(r => r.locations[0].physicalLocation?.region?.startLine !== undefined && r.locations[0].physicalLocation.region.startLine > 3), "lines did move");
                for (const value of kept.values()) {
                    assert.match(value, /^[0-9a-f]{32}$/);
                }
            } finally {
                rmSync(scratch, { recursive: true, force: true });
            }
        });

        it("file URIs: relative stay relative with / and percent-escapes; absolute become file://", () => {
            assert.equal(fileUri("infra/main.tf"), "infra/main.tf");
            assert.equal(fileUri("./infra/main.tf"), "infra/main.tf");
            assert.equal(fileUri("dir with space/<x>.tf"), "dir%20with%20space/%3Cx%3E.tf");
            assert.equal(fileUri("infra\\win\\main.tf"), "infra/win/main.tf");
            assert.equal(fileUri("/abs/main.tf"), "file:///abs/main.tf");
            assert.equal(fileUri("C:\\repo\\main.tf"), "file:///C:/repo/main.tf");
            assert.equal(fileUri("c:main.tf"), "c%3Amain.tf", "a colon in a relative path is not a scheme");
        });
    });

    describe("junit", () => {
        const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: name => ["testsuite", "testcase", "property"].includes(name) });
        interface Case { name: string; classname: string; file?: string; line?: string; failure?: { message: string; type: string }; skipped?: { message: string }; error?: { message: string } }
        interface Suite { name: string; tests: string; failures: string; errors: string; skipped: string; testcase?: Case[] }
        const parse = (report: Report): { testsuites: { tests: string; failures: string; errors: string; skipped: string; testsuite: Suite[] } } => {
            const xml = render("junit", report);
            const valid = XMLValidator.validate(xml);
            assert.equal(valid, true, `well-formed XML: ${JSON.stringify(valid)}`);
            return parser.parse(xml) as { testsuites: { tests: string; failures: string; errors: string; skipped: string; testsuite: Suite[] } };
        };

        it("one suite per rule (plus inputs and waivers), one testcase per rule × resource, counts that add up", () => {
            const { testsuites } = parse(golden);
            const suites = testsuites.testsuite;
            assert.equal(suites.length, golden.rules.length + 2);
            assert.deepEqual(suites.slice(0, golden.rules.length).map(s => s.name), golden.rules.map(r => r.id));
            let tests = 0;
            let failures = 0;
            let skipped = 0;
            let errors = 0;
            for (const suite of suites) {
                const cases = suite.testcase ?? [];
                assert.equal(Number(suite.tests), cases.length, suite.name);
                assert.equal(Number(suite.failures), cases.filter(c => c.failure !== undefined).length, suite.name);
                assert.equal(Number(suite.skipped), cases.filter(c => c.skipped !== undefined).length, suite.name);
                tests += cases.length;
                failures += Number(suite.failures);
                skipped += Number(suite.skipped);
                errors += Number(suite.errors);
                const rule = golden.rules.find(r => r.id === suite.name);
                if (rule) {
                    assert.equal(cases.length, golden.findings.filter(f => f.ruleId === rule.id).length, `${rule.id}: one testcase per finding`);
                }
            }
            assert.deepEqual([Number(testsuites.tests), Number(testsuites.failures), Number(testsuites.skipped), Number(testsuites.errors)], [tests, failures, skipped, errors]);
            const active = golden.findings.filter(f => f.status === "fail" && f.suppressed === undefined);
            assert.equal(failures, active.length, "a <failure> per failure that is not waived");
            assert.equal(errors, golden.inputs.filter(i => i.errors !== undefined).length, "an <error> per unreadable input");
        });

        it("failure types tell hard from soft; waived, unknown and not-applicable are skipped with the reason", () => {
            const cases = parse(golden).testsuites.testsuite.flatMap(s => s.testcase ?? []);
            const types = new Set(cases.filter(c => c.failure).map(c => c.failure?.type));
            assert.deepEqual([...types].sort(), ["advisory", "mandatory"]);
            assert.ok(cases.some(c => c.failure?.type === "advisory" && c.failure.message.startsWith("WARN: ")));
            const waived = cases.find(c => c.skipped?.message.startsWith("suppressed by waiver SEC-101"));
            assert.ok(waived, "the waived finding");
            assert.ok(waived.skipped?.message.includes("dev logs are <b>short-lived</b> | see `RUNBOOK-7` & ask @platform-team"), "the reason, round-tripped through XML escaping");
            assert.ok(cases.some(c => c.skipped?.message.startsWith("unknown: ")));
            assert.ok(cases.some(c => c.skipped?.message.startsWith("not applicable: ")));
            const hcl = cases.find(c => c.classname === "apigateway-method-api-key-required" && c.file?.endsWith("main.tf"));
            assert.equal(hcl?.line, "36");
        });

        it("escapes hostile text so the XML stays well-formed and the text round-trips (controls replaced)", () => {
            const { testsuites } = parse(hostileReport());
            const cases = testsuites.testsuite.flatMap(s => s.testcase ?? []);
            const failing = cases.find(c => c.failure !== undefined);
            assert.ok(failing?.failure?.message.includes("</script><script>alert(1)</script>"));
            assert.ok(!failing?.failure?.message.includes("\u0001"));
            assert.ok(testsuites.testsuite.some(s => s.name === "pack-of-someone-else"), "a rule the report does not list still gets a suite");
        });
    });

    describe("markdown", () => {
        it("starts with the verdict and the summary table, then separates hard, soft, unknown and suppressed", () => {
            const text = render("markdown", golden);
            const lines = text.split("\n");
            assert.match(lines[0], /^## apigw-guard report$/);
            assert.match(lines[2], /^❌ \*\*gate fails\*\*: \d+ blocking/);
            assert.match(lines[4], /^\| hard failures \(mandatory\) \| soft failures \(advisory\) \| unknown \| suppressed \(waived\) \|/);
            const order = ["### Hard failures (mandatory)", "### Soft failures (advisory)", "### Unknown", "### Suppressed (waived)"].map(heading => text.indexOf(heading));
            assert.ok(order.every(index => index > 0), "every section is there");
            assert.deepEqual([...order].sort((a, b) => a - b), order, "in that order");
            assert.equal((text.match(/<details/g) ?? []).length, (text.match(/<\/details>/g) ?? []).length, "details blocks balance");
            assert.ok(text.includes("**Waived** by `SEC-101`"));
        });

        it("escapes messages: no raw HTML, no broken table cell, no live mention, no link", () => {
            const text = render("markdown", hostileReport());
            // Inside a code span GitHub shows text literally (no HTML, no mention): look outside them.
            const prose = text.replace(/(?<![`\\])(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "");
            // The only markup is the reporter's own: anything else with a `<` would be injected HTML.
            const ownTags = /<\/?(details|summary|code|sub)>|<details open>/g;
            assert.equal(prose.replace(ownTags, "").indexOf("<"), -1, "no raw HTML outside code spans");
            assert.ok(!/@octocat/.test(prose), "mentions are broken");
            // `<summary>` lines are HTML blocks, where Markdown (links included) is not processed.
            const markdownLines = prose.split("\n").filter(line => !line.startsWith("<details"));
            assert.ok(!markdownLines.some(line => /(?<!\\)\]\(javascript:/.test(line)), "no link (the brackets are escaped)");
            const ruleRow = text.split("\n").find(line => line.startsWith("| `pack-of-someone-else`"));
            assert.ok(ruleRow, "the foreign rule's row");
            assert.equal(ruleRow.split(/(?<!\\)\|/).length - 2, 9, "nine cells: the hostile title's | is escaped");
        });

        it("md/html/code escape for where the text lands", () => {
            assert.equal(md("a|b <c> `d` *e* @f"), "a\\|b &lt;c&gt; \\`d\\` \\*e\\* @&#8203;f");
            assert.equal(html("<a href=\"x\">@me</a>"), "&lt;a href=&quot;x&quot;&gt;@&#8203;me&lt;/a&gt;");
            assert.equal(code("a`b"), "``a`b``");
            assert.equal(code("`x"), "`` `x ``");
            assert.equal(code("a|b"), "`a\\|b`");
        });

        it("stays under GitHub's comment limit, cutting details (with a note) before the summary", async () => {
            const big = await exampleReport({ inputs: [...ALL_EXAMPLE_INPUTS, ...ALL_EXAMPLE_INPUTS.map(input => `./${input}`)] });
            const text = render("markdown", big);
            assert.ok(text.length <= 65_536, `${text.length} characters`);
            assert.ok(text.includes("left out to fit a pull-request comment"));
            assert.ok(text.includes("| hard failures (mandatory) |"));
        });
    });

    describe("html", () => {
        it("is one self-contained file: no external URL, one inline script and style allowed by CSP hashes", () => {
            const text = render("html", golden);
            assert.ok(!/\b(src|href)\s*=\s*["']?(https?:|\/\/)/i.test(text), "nothing loads from elsewhere");
            assert.ok(!/@import|url\(/i.test(text), "no CSS import or url()");
            assert.equal((text.match(/<script\b/g) ?? []).length, 1);
            assert.equal((text.match(/<style\b/g) ?? []).length, 1);
            assert.ok(!/ style=/.test(text) && !/ on[a-z]+=/.test(text), "no inline style or event attributes (CSP would block them)");
            const csp = text.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)?.[1];
            assert.ok(csp);
            assert.equal(csp.replace(/&#39;/g, "'"), CONTENT_SECURITY_POLICY);
            assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/);
            const hash = (body: string): string => `'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`;
            const script = text.match(/<script>([\s\S]*?)<\/script>/)?.[1] ?? "";
            const style = text.match(/<style>([\s\S]*?)<\/style>/)?.[1] ?? "";
            assert.ok(CONTENT_SECURITY_POLICY.includes(`script-src ${hash(script)}`), "the script's hash");
            assert.ok(CONTENT_SECURITY_POLICY.includes(`style-src ${hash(style)}`), "the style's hash");
        });

        it("escapes every string from the report", () => {
            const text = render("html", hostileReport());
            assert.equal((text.match(/<script\b/g) ?? []).length, 1, "no injected script");
            assert.ok(!text.includes("<img"), "no injected element");
            assert.ok(text.includes("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        });

        it("draws a bar per rule and a histogram bin per age band, with the rotation limit", () => {
            const text = render("html", golden);
            const bars = (text.match(/<g class="bar" /g) ?? []).length;
            assert.equal(bars, golden.rules.length);
            const ages = keyAges(golden);
            const bins = ageBins(ages);
            assert.ok(ages.keys.length >= 3, "the example's keys");
            assert.equal(ages.maxAgeDays, 90);
            assert.equal((text.match(/<rect class="hist-bar" /g) ?? []).length, bins.length);
            assert.equal(bins.reduce((sum, bin) => sum + bin.count, 0), ages.keys.length);
            assert.ok(bins.some(bin => bin.from === 90 || bin.to === 90), "the limit falls on a bin edge");
            assert.match(text, /<g class="limit-max">/);
            assert.match(text, /id="frameworks"[\s\S]*AWS Security Hub[\s\S]*APIGateway\.1/);
        });

        it("shows suppressed findings with their waiver, and hard and soft failures apart", () => {
            const text = render("html", golden);
            assert.match(text, /<b>Waived<\/b> by <code>SEC-101<\/code>/);
            assert.match(text, /<table class="findings" data-outcome="hard">/);
            assert.match(text, /<table class="findings" data-outcome="soft">/);
        });
    });

    it("an unknown format name is not registered", () => {
        assert.ok(!REPORT_FORMATS.includes("pdf" as ReportFormat));
    });
});

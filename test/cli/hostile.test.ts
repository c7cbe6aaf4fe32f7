import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CliRun, EXAMPLE_INFRA, NOW, resourceNamed, ROOT, runCli, scan, Scratch, stackExport, STACK_EXPORT } from "./helpers";

/**
 * Input text that would act on a terminal, a log or a pull-request comment (issue: terminal and
 * line injection, ReDoS in waiver globs). Names and values are shown as they are, and inert.
 */
// C0 (but the newline between lines), DEL, C1, bidi controls: none may reach a person raw.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE_NAME = "post-orders\u001b]0;pwned\u0007\u001b[2J\r\n    PASS     forged\u202e";

function exportWithHostileName(scratch: Scratch): string {
    const doc = stackExport();
    const method = resourceNamed(doc, "post-orders");
    const oldUrn = method.urn;
    method.urn = oldUrn.replace(/::post-orders$/, `::${HOSTILE_NAME}`);
    return scratch.file("hostile-export.json", doc);
}

function assertInert(run: CliRun, where: string): void {
    for (const [stream, text] of [["stdout", run.stdout], ["stderr", run.stderr]] as const) {
        const found = RAW_CONTROL.exec(text);
        assert.equal(found, null, `${where}: raw control U+${found?.[0].charCodeAt(0).toString(16).padStart(4, "0")} on ${stream}`);
    }
}

describe("hostile text in inputs: inert in every human-facing writer", function () {
    this.timeout(120_000);
    const scratch = new Scratch();
    after(() => scratch.cleanup());

    it("text report: a resource name with terminal escapes, CR and a newline is shown escaped and forges no PASS line", () => {
        const run = scan([exportWithHostileName(scratch)]);
        assert.equal(run.status, 1, run.stderr);
        assertInert(run, "text");
        assert.ok(run.stdout.includes("post-orders\\x1b]0;pwned\\x07\\x1b[2J\\r\\n    PASS     forged\\u202e"), "the name is shown, escaped");
        assert.ok(!run.stdout.split("\n").some(line => /^\s+PASS\s+forged/.test(line)), "a forged PASS line");
    });

    it("text report with --show-passes and every format to files: no raw control characters on the terminal", () => {
        const run = scan([exportWithHostileName(scratch), "--show-passes", "--format", "json", "--output", scratch.path("r.json"), "--format", "text"]);
        assert.equal(run.status, 1, run.stderr);
        assertInert(run, "text --show-passes");
    });

    it("stderr: an input path with escapes is named escaped", () => {
        const missing = path.join(scratch.dir, "missing\u001b[2J\u0007.json");
        const run = scan([missing, STACK_EXPORT]);
        assert.equal(run.status, 2);
        assertInert(run, "stderr");
        assert.ok(run.stderr.includes("missing\\x1b[2J\\x07.json"), run.stderr);
    });

    it("stderr: a bad option value with escapes is named escaped", () => {
        const run = runCli(["scan", STACK_EXPORT, "--fail-on", "x\u001b[2Jy"]);
        assert.equal(run.status, 2);
        assertInert(run, "usage error");
    });

    it("markdown: bare URLs and @mentions in names and waiver reasons become neither links nor pings", () => {
        const doc = stackExport();
        const method = resourceNamed(doc, "post-orders");
        method.urn = method.urn.replace(/::post-orders$/, "::see https://evil.example/x and www.evil.example @acme/security");
        const waivers = scratch.file("md-waivers.yaml", [
            "waivers:",
            "  - rule: apigateway-stage-waf",
            "    resource: '**'",
            "    reason: approved, see https://evil.example/ask and ping @acme/security",
            "    approver: someone@example.com",
            "    expires: 2099-12-31",
            "",
        ].join("\n"));
        const run = scan([scratch.file("md-export.json", doc), "--format", "markdown", "--waivers", waivers]);
        assert.equal(run.status, 1, run.stderr);
        assertInert(run, "markdown");
        // Outside code spans (where GitHub neither links nor pings), nothing may be a link or mention.
        const prose = run.stdout.replace(/(`+)[\s\S]*?\1/g, "");
        assert.ok(prose.includes("evil"), "the hostile names reach the report");
        assert.doesNotMatch(prose, /https:\/\/evil/);
        assert.doesNotMatch(prose, /www\.evil/);
        assert.doesNotMatch(prose, /@acme/);
        assert.doesNotMatch(prose, /@example\.com/);
    });

    // Forty `*` then `a` was a nested backtracking RegExp: minutes per name, so the scan hung. The
    // runner's 60 s timeout is the hang guard here, not a speed target.
    it("a hostile waiver glob does not hang the scan", () => {
        const waivers = scratch.file("redos-waivers.yaml", [
            "waivers:",
            "  - rule: '*'",
            `    resource: '${"*".repeat(40)}a'`,
            "    reason: r",
            "    approver: a",
            "    expires: 2099-12-31",
            "  - rule: '*'",
            `    resource: '${"*x".repeat(300)}y'`,
            "    reason: r",
            "    approver: a",
            "    expires: 2099-12-31",
            "",
        ].join("\n"));
        const run = scan([STACK_EXPORT, "--waivers", waivers, "--now", NOW]);
        assert.equal(run.status, 1, run.stderr);
    });

    describe("inputs nested deeper than any tool writes: a clear input error, the other inputs still reported", () => {
        const deep = (levels: number) => `${"[".repeat(levels)}true${"]".repeat(levels)}`;
        const planWith = (where: "after_unknown" | "after_sensitive" | "child_modules"): string => {
            const plan = JSON.parse(readFileSync(path.join(EXAMPLE_INFRA, "plan.json"), "utf8")) as { resource_changes: Array<{ change: Record<string, unknown> }>; planned_values: { root_module: Record<string, unknown> } };
            if (where === "child_modules") {
                plan.planned_values.root_module.child_modules = "@@DEEP@@";
            } else {
                plan.resource_changes[0].change[where] = { x: "@@DEEP@@" };
            }
            return JSON.stringify(plan).replace('"@@DEEP@@"', where === "child_modules" ? `[${"{\"child_modules\":[".repeat(20_000)}{}${"]}".repeat(20_000)}]` : deep(100_000));
        };
        for (const where of ["after_unknown", "after_sensitive", "child_modules"] as const) {
            it(`a plan's ${where}`, () => {
                const run = scan([scratch.file(`deep-${where}.json`, planWith(where)), STACK_EXPORT]);
                assert.equal(run.status, 2, run.stderr);
                assert.doesNotMatch(run.stderr, /this is a bug|RangeError/);
                assert.match(run.stderr, /nests more than 1000 levels deep \(at \$\./);
                assert.ok(run.stdout.includes(STACK_EXPORT), "the other input is still reported");
            });
        }

        it("a stack export's property", () => {
            const doc = stackExport();
            resourceNamed(doc, "post-orders").outputs = { deep: "@@DEEP@@" };
            const run = scan([scratch.file("deep-export.json", JSON.stringify(doc).replace('"@@DEEP@@"', deep(100_000)))]);
            assert.equal(run.status, 2, run.stderr);
            assert.doesNotMatch(run.stderr, /this is a bug|RangeError/);
            assert.match(run.stderr, /nests more than 1000 levels deep/);
        });
    });
});

describe("--output never overwrites one of the run's own inputs", function () {
    this.timeout(60_000);
    const scratch = new Scratch();
    after(() => scratch.cleanup());

    it("scan: an output equal to an input, or to the baseline, is refused before anything is read, and the input is intact", () => {
        const input = scratch.file("stack.json", readFileSync(STACK_EXPORT, "utf8"));
        const before = readFileSync(input, "utf8");
        const run = scan([input, "--format", "json", "--output", input]);
        assert.equal(run.status, 2);
        assert.match(run.stderr, /--output '.*stack\.json' is also an input/);
        assert.equal(readFileSync(input, "utf8"), before);
        const baseline = scratch.path("baseline.json");
        assert.equal(scan([input, "--format", "json", "--output", baseline]).status, 1);
        const again = scan([input, "--baseline", baseline, "--format", "sarif", "--output", scratch.path("r.sarif"), "--format", "json", "--output", path.relative(ROOT, baseline)]);
        assert.equal(again.status, 2, again.stderr);
        assert.match(again.stderr, /is also an input/);
    });
});

describe("baseline errors name the file and the line", function () {
    this.timeout(60_000);
    const scratch = new Scratch();
    after(() => scratch.cleanup());

    it("a malformed finding and a JSON syntax error are reported as file:line", () => {
        const plan = path.join(EXAMPLE_INFRA, "plan.json");
        const good = scratch.path("baseline.json");
        assert.equal(scan([plan, "--format", "json", "--output", good]).status, 1);
        const report = JSON.parse(readFileSync(good, "utf8")) as { findings: Array<{ status: string; fingerprint?: string }> };
        const failing = report.findings.findIndex(f => f.status === "fail");
        assert.ok(failing >= 0);
        report.findings[failing].fingerprint = "not-a-fingerprint";
        const text = JSON.stringify(report, null, 2);
        const expectedLine = text.split("\n").findIndex(line => line.includes("not-a-fingerprint")) + 1;
        const bad = scratch.file("bad-baseline.json", text);
        const run = scan([plan, "--baseline", bad]);
        assert.equal(run.status, 2);
        assert.ok(run.stderr.includes(`${bad}:${expectedLine}: --baseline: findings[${failing}].fingerprint is not a fingerprint`), run.stderr);
        const syntax = scratch.file("syntax-baseline.json", "{\n  \"reportVersion\": 1,\n  oops\n}\n");
        const broken = scan([plan, "--baseline", syntax]);
        assert.equal(broken.status, 2);
        assert.ok(broken.stderr.includes(`${syntax}:3: --baseline:`), broken.stderr);
    });
});

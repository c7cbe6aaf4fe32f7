import assert from "node:assert/strict";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, truncateSync } from "node:fs";
import * as path from "node:path";
import { assertNoLeak } from "../../testkit/leaks";
import { assertCleanErrors, EXAMPLE_INFRA, parseReport, ROOT, scan, Scratch, STACK_EXPORT, unprivilegedRunner } from "./helpers";

/**
 * Planted into broken inputs next to the error: no fragment of it may appear in any message. Its
 * tail is random-looking so that no fixed text (an account id in an ARN) shares 8 characters with it.
 */
const PLANTED = "PLANTED-bad-input-Q7mX2vW9kZtB4nCy8EjL";

interface BadInput {
    readonly what: string;
    /** Creates the input; returns the path to scan. */
    readonly make: (scratch: Scratch) => string;
    /** The expected stderr line, after `apigw-guard: `. */
    readonly line: (file: string) => RegExp;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Every kind of unreadable input the CLI must explain in one line (file, line/offset where known). */
const BAD_INPUTS: readonly BadInput[] = [
    {
        what: "an empty file",
        make: s => s.file("empty.json", ""),
        line: f => new RegExp(`^${escape(f)}: empty file$`),
    },
    {
        what: "a file of whitespace",
        make: s => s.file("blank.json", "  \n\n \t\n"),
        line: f => new RegExp(`^${escape(f)}: empty file$`),
    },
    {
        what: "truncated JSON (reports the last line and the offset)",
        make: s => {
            const text = readFileSync(STACK_EXPORT, "utf8");
            const cut = text.slice(0, text.indexOf("\"name\": \"client-old\""));
            return s.file("truncated.json", `${cut}"value": "${PLANTED}`);
        },
        line: f => new RegExp(`^${escape(f)}:\\d+: truncated JSON: unexpected end of input inside a string: the JSON is truncated \\(column \\d+, offset \\d+\\)$`),
    },
    {
        what: "invalid JSON in the middle of a file (reports line and column, not the text)",
        make: s => s.file("invalid.json", `{\n  "version": 3,\n  "deployment": {\n    "resources": [ {"value": "${PLANTED}" "urn": 1} ]\n  }\n}\n`),
        line: f => new RegExp(`^${escape(f)}:4: invalid JSON: expected ',' or '}' after a property value \\(column 71, offset 106\\)$`),
    },
    {
        what: "text that is not JSON at all",
        make: s => s.file("notes.json", `key: ${PLANTED}\n`),
        line: f => new RegExp(`^${escape(f)}:1: not a Terraform plan/state JSON or a Pulumi stack export \\(not JSON: unexpected character where a value was expected\\)$`),
    },
    {
        what: "JSON of another kind (a package.json)",
        make: () => path.join(ROOT, "package.json"),
        line: f => new RegExp(`^${escape(f)}: not a Terraform plan/state JSON or a Pulumi stack export \\(looks like a package\\.json\\)$`),
    },
    {
        what: "a raw terraform.tfstate",
        make: s => s.file("terraform.tfstate", { version: 4, terraform_version: "1.9.0", serial: 3, lineage: "x", outputs: {}, resources: [] }),
        line: f => new RegExp(`^${escape(f)}: not a Terraform plan/state JSON or a Pulumi stack export \\(looks like a raw Terraform state file: convert it with \`terraform show -json\`\\)$`),
    },
    {
        what: "a saved binary plan",
        make: s => s.file("tfplan", `PK\u0003\u0004${PLANTED}`),
        line: f => new RegExp(`^${escape(f)}: not a Terraform plan/state JSON or a Pulumi stack export \\(looks like a saved binary Terraform plan: convert it with \`terraform show -json <planfile>\`\\)$`),
    },
    {
        what: "a binary file that starts like JSON (a NUL inside)",
        make: s => s.file("blob.json", `{"version": 3, "deployment": "${PLANTED}\u0000\u0001"}`),
        line: f => new RegExp(`^${escape(f)}: not a Terraform plan/state JSON or a Pulumi stack export \\(a binary file\\)$`),
    },
    {
        what: "a plan with an unsupported format_version",
        make: s => {
            const plan = JSON.parse(readFileSync(path.join(EXAMPLE_INFRA, "plan.json"), "utf8")) as Record<string, unknown>;
            return s.file("plan-v2.json", { ...plan, format_version: "2.0" });
        },
        line: f => new RegExp(`^${escape(f)}: unsupported Terraform plan format_version 2\\.0: `),
    },
    {
        what: "a state with an unsupported format_version",
        make: s => s.file("state-v9.json", { format_version: "9.1", values: { root_module: {} } }),
        line: f => new RegExp(`^${escape(f)}: unsupported Terraform state format_version 9\\.1: `),
    },
    {
        what: "a Pulumi export of an unsupported deployment version",
        make: s => s.file("stack-v4.json", { version: 4, deployment: { resources: [] } }),
        line: f => new RegExp(`^${escape(f)}: unsupported Pulumi deployment version 4: this tool reads versions 1, 2, 3`),
    },
    {
        what: "a malformed Pulumi export",
        make: s => s.file("stack-bad.json", { version: 3, deployment: { resources: [{ type: "aws:apigateway/apiKey:ApiKey", outputs: { value: PLANTED } }] } }),
        line: f => new RegExp(`^${escape(f)}: deployment\\.resources\\[0\\] has no 'urn'$`),
    },
    {
        what: "an HCL syntax error (reports the .tf file and line)",
        make: s => {
            mkdirSync(s.path("broken-hcl"), { recursive: true });
            s.file("broken-hcl/main.tf", `resource "aws_api_gateway_api_key" "k" {\n  name  = "k"\n  value = "${PLANTED}\n}\n`);
            return s.path("broken-hcl");
        },
        line: f => new RegExp(`^${escape(path.join(f, "main.tf"))}:3: HCL syntax error`),
    },
    {
        what: "a JSON file past the longest string V8 can hold (a sparse 600 MiB file)",
        make: s => {
            const file = s.file("huge.json", `{"version": 3, "deployment": {"resources": [{"value": "${PLANTED}"`);
            truncateSync(file, 600 * 1024 * 1024);
            return file;
        },
        line: f => new RegExp(`^${escape(f)}: too large to read \\(629 MB\\): a JSON input is read whole, and the limit is 512 MiB of text$`),
    },
    {
        what: "a missing path",
        make: s => s.path("does-not-exist.json"),
        line: f => new RegExp(`^${escape(f)}: no such file or directory$`),
    },
    {
        what: "a path through a file",
        make: s => path.join(s.file("plain.txt", "x"), "inside.json"),
        line: f => new RegExp(`^${escape(f)}: a component of the path is not a directory$`),
    },
    {
        what: "a directory with no .tf files",
        make: s => {
            mkdirSync(s.path("no-tf"), { recursive: true });
            s.file("no-tf/README.md", "nothing here");
            return s.path("no-tf");
        },
        line: f => new RegExp(`^${escape(f)}: no Terraform files \\(\\.tf, \\.tf\\.json\\) in this directory$`),
    },
];

describe("cli: unreadable inputs", function () {
    this.timeout(60_000);
    let scratch: Scratch;
    before(() => {
        scratch = new Scratch();
    });
    after(() => scratch.cleanup());

    for (const bad of BAD_INPUTS) {
        it(`exits 2 on ${bad.what}, with one line naming the file and no stack trace`, () => {
            const file = bad.make(scratch);
            const run = scan([file]);
            assert.equal(run.status, 2, run.stdout + run.stderr);
            const lines = assertCleanErrors(run);
            assert.equal(lines.length, 1, run.stderr);
            assert.match(lines[0].replace(/^apigw-guard: /, ""), bad.line(file));
            for (const output of [run.stdout, run.stderr]) {
                assert.ok(!output.includes(PLANTED), "no value from the input in any output");
            }
            assertNoLeak(bad.what, { stdout: run.stdout, stderr: run.stderr }, PLANTED);
            // The report says the same: the input is listed with its error.
            assert.match(run.stdout, /ERROR {4}/);
            assert.match(run.stdout, /1 input \(1 with errors\)/);
        });
    }

    it("exits 2 on a file it may not read (as root, run as nobody: root reads everything)", function () {
        const runner = unprivilegedRunner();
        if ("unavailable" in runner) {
            this.test!.title += ` (skipped: ${runner.unavailable})`;
            this.skip();
        }
        // The scratch directory is the test's own; the other user must be able to enter it.
        chmodSync(scratch.dir, 0o755);
        const readable = scratch.path("readable.json");
        copyFileSync(STACK_EXPORT, readable);
        chmodSync(readable, 0o644);
        const control = scan([readable], runner);
        assert.equal(control.stderr, "", "the same user reads a readable file beside it: only the mode stops it");
        const file = scratch.file("locked.json", "{}");
        chmodSync(file, 0o000);
        const run = scan([file], runner);
        assert.equal(run.status, 2);
        assert.deepEqual(assertCleanErrors(run), [`apigw-guard: ${file}: permission denied`]);
    });

    it("still scans and reports every readable input when others are broken, then exits 2", () => {
        const bad = BAD_INPUTS.map(b => b.make(scratch));
        const good = path.relative(ROOT, STACK_EXPORT);
        const run = scan([bad[0], good, ...bad.slice(1), "--format", "json"]);
        assert.equal(run.status, 2);
        const lines = assertCleanErrors(run);
        assert.equal(lines.length, bad.length, "one line per broken input");
        const report = parseReport(run.stdout);
        assert.deepEqual(report.inputs.map(i => i.file), [bad[0], good, ...bad.slice(1)], "every input listed, in order");
        const goodInput = report.inputs.find(i => i.file === good);
        assert.equal(goodInput?.errors, undefined);
        assert.ok(report.findings.some(f => f.input === good && f.status === "fail"), "the readable input's findings are reported");
        assert.equal(report.summary.inputs.withErrors, bad.length);
        assert.equal(report.summary.inputs.complete, 1);
        for (const input of report.inputs.filter(i => i.file !== good)) {
            assert.equal(input.errors?.length, 1, input.file);
        }
        assert.ok(!run.stdout.includes(PLANTED) && !run.stderr.includes(PLANTED));
        assert.ok(!run.stdout.includes(PLANTED));
        assertNoLeak("broken and readable inputs", { stdout: run.stdout, stderr: run.stderr }, PLANTED);
    });

    it("reports what could be read of a directory with one broken .tf file, with the error, and exits 2", () => {
        mkdirSync(scratch.path("partly"));
        scratch.file("partly/good.tf", readFileSync(path.join(EXAMPLE_INFRA, "main.tf"), "utf8"));
        scratch.file("partly/broken.tf", `resource "aws_api_gateway_api_key" "k" {\n  value = "${PLANTED}\n}\n`);
        const run = scan([scratch.path("partly")]);
        assert.equal(run.status, 2);
        assert.deepEqual(assertCleanErrors(run).map(l => l.replace(/column \d+.*$/, "")), [`apigw-guard: ${scratch.path("partly/broken.tf")}:2: HCL syntax error at `]);
        assert.match(run.stdout, /FAIL {5}apigateway-method-api-key-required/, "findings of the readable file are shown");
        assert.match(run.stdout, /ERROR {4}.*broken\.tf:2: HCL syntax error/);
        assert.ok(!run.stdout.includes(PLANTED) && !run.stderr.includes(PLANTED));
        assertNoLeak("a partly broken directory", { stdout: run.stdout, stderr: run.stderr }, PLANTED);
    });

    it("refuses HCL text on stdin with a hint", () => {
        const run = scan(["-"], { input: "resource \"aws_api_gateway_rest_api\" \"x\" {\n  name = \"x\"\n}\n" });
        assert.equal(run.status, 2);
        assert.match(assertCleanErrors(run)[0], /^apigw-guard: <stdin>:1: not a Terraform plan\/state JSON or a Pulumi stack export \(looks like Terraform HCL: pass a \.tf file or its directory/);
    });

    it("names truncated stdin by position", () => {
        const run = scan(["-"], { input: "{\n  \"version\": 3,\n  \"deployment\": {" });
        assert.equal(run.status, 2);
        assert.deepEqual(assertCleanErrors(run), ["apigw-guard: <stdin>:3: truncated JSON: unexpected end of input inside an object: the JSON is truncated (column 18, offset 35)"]);
    });
});

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { assertCleanErrors, EXAMPLE_INFRA, parseReport, ROOT, scan } from "./helpers";

/** The example infrastructure (test/fixtures/example-infra), as the Terraform front ends read it. */
const DIR = path.relative(ROOT, EXAMPLE_INFRA);
const PLAN = path.join(DIR, "plan.json");
const STATE = path.join(DIR, "state.json");
const MAIN_TF = path.join(DIR, "main.tf");

describe("cli: apigw-guard scan (Terraform plan, state and HCL, end to end)", function () {
    this.timeout(60_000);

    it("detects a plan from its content, reports by address, and exits 1", () => {
        const run = scan([PLAN]);
        assert.equal(run.status, 1, run.stderr);
        assert.deepEqual(assertCleanErrors(run), []);
        assert.match(run.stdout, new RegExp(`^${PLAN.replace(/\./g, "\\.")} \\(terraform-plan, 19 entities\\)$`, "m"));
        assert.match(run.stdout, /^ {2}aws_api_gateway_method\.get_orders \(test\/fixtures\/example-infra\/plan\.json\)\n {4}FAIL {5}apigateway-method-api-key-required/m);
        const report = parseReport(scan([PLAN, "--format", "json"]).stdout);
        assert.equal(report.inputs[0].kind, "terraform-plan");
        assert.ok(report.findings.every(f => f.entity?.provenance.address !== undefined && f.entity.provenance.urn === undefined));
    });

    it("detects state, where key ages come from created_date", () => {
        const run = scan([STATE, "--format", "json"]);
        assert.equal(run.status, 1, run.stderr);
        const report = parseReport(run.stdout);
        assert.equal(report.inputs[0].kind, "terraform-state");
        const age = report.findings.find(f => f.ruleId === "apigateway-api-key-max-age" && f.entity?.name === "old_key");
        assert.equal(age?.status, "fail");
    });

    it("reads a directory of .tf files, pointing at file:line of the resource and of the deciding attribute", () => {
        const run = scan([DIR]);
        assert.equal(run.status, 1, run.stderr);
        const tf = readFileSync(path.join(EXAMPLE_INFRA, "main.tf"), "utf8").split("\n");
        const declared = tf.findIndex(l => l.startsWith("resource \"aws_api_gateway_method\" \"get_orders\"")) + 1;
        const attribute = tf.findIndex(l => /^\s*api_key_required\s*=\s*false/.test(l)) + 1;
        assert.ok(declared > 0 && attribute > declared);
        const heading = `  aws_api_gateway_method.get_orders (${MAIN_TF}:${declared})\n`;
        assert.ok(run.stdout.includes(heading), run.stdout);
        // The resource's findings follow its heading, ordered by line within the file.
        const group = run.stdout.slice(run.stdout.indexOf(heading) + heading.length).split(/\n(?! {4})/)[0];
        assert.match(group, new RegExp(`^ {4}FAIL {5}apigateway-method-api-key-required {2}mandatory · high {2}line ${attribute}$`, "m"));
        const report = parseReport(scan([DIR, "--format", "json"]).stdout);
        assert.equal(report.inputs[0].kind, "terraform-hcl");
        const finding = report.findings.find(f => f.ruleId === "apigateway-method-api-key-required" && f.entity?.name === "get_orders");
        assert.equal(finding?.line, attribute);
        assert.equal(finding?.entity?.provenance.file, MAIN_TF);
    });

    it("reads a single .tf file the same as its directory", () => {
        const statuses = (args: string[]) => parseReport(scan([...args, "--format", "json"]).stdout).findings.map(f => `${f.entity?.ref} ${f.ruleId} ${f.status}`);
        assert.deepEqual(statuses([MAIN_TF]), statuses([DIR]));
    });

    it("reads a plan from stdin", () => {
        const run = scan(["-", "--format", "json"], { input: readFileSync(PLAN, "utf8") });
        assert.equal(run.status, 1, run.stderr);
        const report = parseReport(run.stdout);
        assert.deepEqual(report.inputs.map(i => [i.file, i.kind]), [["<stdin>", "terraform-plan"]]);
        assert.equal(report.findings.length, parseReport(scan([PLAN, "--format", "json"]).stdout).findings.length);
    });

    it("scans plan, state, HCL and a stack export in one run, each on its own", () => {
        const exportFile = path.join(DIR, "stack-export.json");
        const run = scan([PLAN, STATE, DIR, exportFile, "--format", "json"]);
        assert.equal(run.status, 1, run.stderr);
        const report = parseReport(run.stdout);
        assert.deepEqual(report.inputs.map(i => i.kind), ["terraform-plan", "terraform-state", "terraform-hcl", "pulumi-export"]);
        for (const input of report.inputs) {
            assert.equal(input.entities, 19, input.file);
        }
        assert.deepEqual([...new Set(report.findings.map(f => f.input))], [PLAN, STATE, DIR, exportFile]);
    });
});

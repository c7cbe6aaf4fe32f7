import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { assertNoLeak } from "../../testkit/leaks";
import { CliRun, EXAMPLE_INFRA, parseReport, scan, Scratch, STACK_EXPORT } from "./helpers";

/** The key value the example infrastructure writes in plain text (and copies into plan/state/export). */
const EXAMPLE_VALUE = "PLANTED-apigw-guard-key-0123456789";
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";

/**
 * A fresh value per run, so a match cannot come from anything but the input. Every 12-character
 * window of its random part is checked too: a truncated or partly masked echo is still a leak.
 */
const VALUE = `PLANTED${randomBytes(16).toString("hex")}`;
const WINDOWS = Array.from({ length: VALUE.length - 7 - 12 + 1 }, (_, i) => VALUE.slice(7 + i, 7 + i + 12));

function assertNoValue(where: string, text: string): void {
    assert.ok(!text.includes(VALUE), `${where} contains the planted key value`);
    const leaked = WINDOWS.find(window => text.includes(window));
    assert.equal(leaked, undefined, `${where} contains part of the planted key value`);
    assertNoLeak(where, text, VALUE);
}

function assertClean(run: CliRun, label: string): void {
    assertNoValue(`${label}: stdout`, run.stdout);
    assertNoValue(`${label}: stderr`, run.stderr);
}

describe("cli: a planted key value never appears in any output", function () {
    this.timeout(120_000);
    let scratch: Scratch;
    const inputs: Record<string, string> = {};

    before(() => {
        scratch = new Scratch();
        const planted = (name: string) => readFileSync(path.join(EXAMPLE_INFRA, name), "utf8").split(EXAMPLE_VALUE).join(VALUE);
        for (const name of ["plan.json", "state.json"]) {
            inputs[name] = scratch.file(name, planted(name));
        }
        mkdirSync(scratch.path("hcl"));
        inputs["main.tf"] = scratch.file("hcl/main.tf", `${planted("main.tf")}
variable "planted" {
  type    = string
  default = "${VALUE}"
}

resource "aws_api_gateway_api_key" "from_variable" {
  name  = "from-variable"
  value = var.planted
}
`);
        // The stack export: the value in plain outputs, in inputs only (provider-encrypted output),
        // in --show-secrets plaintext envelopes, and copied onto usage-plan attachments.
        const doc = JSON.parse(planted("stack-export.json")) as { deployment: { resources: Array<{ type: string; urn: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }> } };
        for (const resource of doc.deployment.resources) {
            if (resource.type === "aws:apigateway/apiKey:ApiKey" && resource.urn.endsWith("::copy-key")) {
                resource.outputs = { ...resource.outputs, value: { [SIG]: SECRET, ciphertext: Buffer.from(VALUE).toString("base64") } };
            }
            if (resource.type === "aws:apigateway/apiKey:ApiKey" && resource.urn.endsWith("::orphan-key")) {
                resource.inputs = { ...resource.inputs, value: { [SIG]: SECRET, plaintext: JSON.stringify(VALUE) } };
                resource.outputs = { ...resource.outputs, value: { [SIG]: SECRET, plaintext: JSON.stringify(VALUE) } };
            }
            if (resource.type === "aws:apigateway/usagePlanKey:UsagePlanKey") {
                resource.outputs = { ...resource.outputs, value: VALUE };
            }
        }
        inputs["stack-export.json"] = scratch.file("stack-export.json", doc);
        // The CLI's own fixture, its attachments' values replaced by the planted one.
        inputs["cli-stack-export.json"] = scratch.file("cli-stack-export.json", readFileSync(STACK_EXPORT, "utf8").replace(/FIXTUREonlyNOTaREALkey[AB]0123456789/g, VALUE));
    });
    after(() => scratch.cleanup());

    it("the planted value is really in every input, and read (the value rule fails on it)", () => {
        for (const [name, file] of Object.entries(inputs)) {
            assert.ok(readFileSync(file, "utf8").includes(VALUE), `${name} holds the value`);
            const report = parseReport(scan([file, "--format", "json"]).stdout);
            assert.equal(report.inputs[0].errors, undefined, `${name} was read`);
            assert.ok(report.findings.some(f => f.ruleId === "apigateway-api-key-value-secret" && f.status === "fail"), `${name}: the value was judged`);
        }
    });

    for (const name of ["main.tf", "plan.json", "state.json", "stack-export.json", "cli-stack-export.json"]) {
        it(`${name}: text (all findings), JSON, and --output files`, () => {
            const file = inputs[name];
            const text = scan([file, "--show-passes"]);
            assert.equal(text.status, 1);
            assertClean(text, `${name} text`);
            assertClean(scan([file, "--format", "json"]), `${name} json`);
            for (const format of ["text", "json"]) {
                const target = scratch.path(`${name}.${format}.out`);
                const run = scan([file, "--format", format, "--show-passes", "--output", target]);
                assertClean(run, `${name} --output ${format}`);
                assertNoValue(`${name} --output ${format} file`, readFileSync(target, "utf8"));
            }
        });
    }

    it("JSON inputs read from stdin", () => {
        for (const name of ["plan.json", "state.json", "stack-export.json"]) {
            const run = scan(["-", "--format", "json"], { input: readFileSync(inputs[name], "utf8") });
            assert.equal(run.status, 1, run.stderr);
            assertClean(run, `${name} on stdin`);
        }
    });

    it("every input kind in one run, including broken ones holding the value next to the error", () => {
        mkdirSync(scratch.path("broken-hcl"));
        const broken = [
            scratch.file("truncated-plan.json", readFileSync(inputs["plan.json"], "utf8").slice(0, readFileSync(inputs["plan.json"], "utf8").indexOf(VALUE) + 10)),
            scratch.file("broken-state.json", readFileSync(inputs["state.json"], "utf8").replace(`"${VALUE}"`, `"${VALUE}" "${VALUE}"`)),
            scratch.file("broken-export.json", `{"version": 3, "deployment": {"resources": [{"outputs": {"value": "${VALUE}"}}]}}`),
            scratch.file("not-json.json", `value = ${VALUE}\n`),
            scratch.file("broken-hcl/main.tf", `resource "aws_api_gateway_api_key" "k" {\n  value = "${VALUE}\n}\n`),
            scratch.file("bad-version.json", { format_version: "7.0", planned_values: { root_module: { resources: [{ values: { value: VALUE } }] } } }),
        ];
        const all = [...Object.values(inputs), ...broken];
        for (const format of ["text", "json"]) {
            const target = scratch.path(`all.${format}`);
            const run = scan([...all, "--format", format, "--show-passes", "--output", target]);
            assert.equal(run.status, 2);
            assert.equal(run.stderr.split("\n").filter(Boolean).length, broken.length, run.stderr);
            assertClean(run, `all inputs ${format}`);
            assertNoValue(`all inputs ${format} file`, readFileSync(target, "utf8"));
        }
        const debug = scan(broken, { env: { APIGW_GUARD_DEBUG: "1" } });
        assertClean(debug, "broken inputs with APIGW_GUARD_DEBUG");
    });
});

import assert from "node:assert/strict";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { runRules } from "apigw-guard/policies/engine/run";
import { RULES } from "apigw-guard/policies/rules/index";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { assertNoLeak } from "../../../testkit/leaks";
import { HclNotice, inventoryFromHcl, readHcl, recordsFromHcl, recordsFromHclDirectory } from "../../../sources/terraform/hcl";
import { isTfUnknown, TfResourceRecord } from "../../../sources/terraform/types";
import { REPO_ROOT } from "./support";

const BASIC = path.join(REPO_ROOT, "test/fixtures/hcl/basic");
const NOW = new Date("2026-06-01T00:00:00Z");
// Random-looking after the prefix: "key-value" would be a fragment of a rule id the findings carry.
const PLANTED = "PLANTED-hcl-Q7mX2vW9kZtB4nCy8EjLsHuF3d";

function byAddress(records: readonly TfResourceRecord[]): Map<string, TfResourceRecord> {
    return new Map(records.map(record => [record.address, record]));
}

function get(records: readonly TfResourceRecord[], address: string): TfResourceRecord {
    const found = records.find(record => record.address === address);
    assert.ok(found, `no record ${address}; have: ${records.map(r => r.address).join(", ")}`);
    return found;
}

/** A fresh directory of .tf files, removed after the test. */
async function tfDir(files: Record<string, string>): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "apigw-guard-hcl-"));
    for (const [name, text] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await fs.writeFile(path.join(dir, name), text);
    }
    return dir;
}

const dirs: string[] = [];
async function scratch(files: Record<string, string>): Promise<string> {
    const dir = await tfDir(files);
    dirs.push(dir);
    return dir;
}

describe("sources/terraform HCL (static read of .tf files)", function () {
    // The WASM parser takes a moment to start.
    this.timeout(60_000);

    after(async () => {
        await Promise.all(dirs.map(dir => fs.rm(dir, { recursive: true, force: true })));
    });

    describe("the basic fixture (root module, local module, remote module)", () => {
        let records: TfResourceRecord[];
        let errors: SourceError[];

        before(async () => {
            ({ records, errors } = await recordsFromHclDirectory(BASIC));
        });

        it("records every resource instance, with its address, file and declaration line", () => {
            assert.deepEqual([...byAddress(records).keys()].sort(), [
                "aws_api_gateway_method.get[\"health\"]",
                "aws_api_gateway_method.get[\"orders\"]",
                "aws_api_gateway_method_settings.all[0]",
                "aws_api_gateway_resource.items[\"health\"]",
                "aws_api_gateway_resource.items[\"orders\"]",
                "aws_api_gateway_rest_api.api",
                "aws_api_gateway_stage.prod",
                "aws_api_gateway_usage_plan_key.first",
                "module.keys.aws_api_gateway_api_key.client[\"alpha\"]",
                "module.keys.aws_api_gateway_api_key.client[\"beta\"]",
                "module.keys.aws_api_gateway_usage_plan.plan",
                "module.keys.random_password.key[\"alpha\"]",
                "module.keys.random_password.key[\"beta\"]",
            ]);
            const stage = get(records, "aws_api_gateway_stage.prod");
            assert.equal(stage.file, path.join(BASIC, "main.tf"));
            // The block comment above it mentions `resource ... {` and the heredoc in it does too: neither counts.
            assert.equal(stage.line, 32);
            assert.equal(stage.mode, "managed");
            assert.equal(stage.modulePath, "");
            assert.equal(stage.attributeLines?.xray_tracing_enabled, 40);
            assert.equal(stage.attributeLines?.description, 36);
            const settings = get(records, "aws_api_gateway_method_settings.all[0]");
            assert.equal(settings.attributeLines?.settings, 49);
            assert.equal(settings.attributeLines?.["settings.logging_level"], 50);
            const key = get(records, "module.keys.aws_api_gateway_api_key.client[\"alpha\"]");
            assert.equal(key.file, path.join(BASIC, "modules/api/main.tf"));
            assert.equal(key.line, 19);
            assert.equal(key.modulePath, "module.keys");
        });

        it("resolves literals, locals and other resources' literal attributes; references stay recorded", () => {
            const settings = get(records, "aws_api_gateway_method_settings.all[0]");
            assert.equal(settings.values.stage_name, "prod", "aws_api_gateway_stage.prod.stage_name is local.stage_name = \"prod\"");
            assert.deepEqual(settings.references.stage_name, ["aws_api_gateway_stage.prod"]);
            assert.ok(isTfUnknown(settings.values.rest_api_id), "a REST API id is computed by AWS");
            assert.deepEqual(settings.references.rest_api_id, ["aws_api_gateway_rest_api.api"]);
            assert.deepEqual(settings.values.settings, [{ logging_level: "ERROR", metrics_enabled: true }], "blocks stay one-element lists");
            assert.deepEqual(settings.configured, {
                rest_api_id: "expression", stage_name: "expression", method_path: "constant",
                settings: "block", "settings.logging_level": "constant", "settings.metrics_enabled": "constant",
            });
            const method = get(records, "aws_api_gateway_method.get[\"orders\"]");
            assert.deepEqual(method.references.resource_id, ["aws_api_gateway_resource.items[\"orders\"]"], "each.key picks the instance");
        });

        it("resolves variables: tfvars over defaults; without either the value is unknown", () => {
            assert.equal(get(records, "aws_api_gateway_rest_api.api").values.name, "orders-api", "default");
            const stage = get(records, "aws_api_gateway_stage.prod");
            assert.equal(stage.values.xray_tracing_enabled, true, "terraform.tfvars sets tracing = true over the default false");
            assert.ok(isTfUnknown(stage.values.deployment_id), "deployment_id has no default and no tfvars value");
        });

        it("expands count and for_each with count.index, each.key and each.value", () => {
            assert.equal(get(records, "aws_api_gateway_method.get[\"health\"]").values.api_key_required, false);
            assert.equal(get(records, "aws_api_gateway_method.get[\"orders\"]").values.api_key_required, true);
            assert.equal(get(records, "aws_api_gateway_resource.items[\"orders\"]").values.path_part, "orders");
            assert.equal(get(records, "module.keys.aws_api_gateway_api_key.client[\"beta\"]").values.name, "client-beta");
        });

        it("reads local modules with their inputs, and follows module outputs to the resources behind them", () => {
            const plan = get(records, "module.keys.aws_api_gateway_usage_plan.plan");
            const [apiStage] = plan.values.api_stages as Array<{ api_id: unknown; stage: unknown }>;
            assert.equal(apiStage.stage, "prod", "var.stage is the root's aws_api_gateway_stage.prod.stage_name");
            assert.ok(isTfUnknown(apiStage.api_id));
            assert.deepEqual(plan.references["api_stages.api_id"], ["aws_api_gateway_rest_api.api"], "module input references point at the root resource");
            const attachment = get(records, "aws_api_gateway_usage_plan_key.first");
            assert.deepEqual(attachment.references.usage_plan_id, ["module.keys.aws_api_gateway_usage_plan.plan"]);
            assert.deepEqual(attachment.references.key_id, ["module.keys.aws_api_gateway_api_key.client"]);
        });

        it("records a key value generated by random_password as a reference, and key values as sensitive", () => {
            const key = get(records, "module.keys.aws_api_gateway_api_key.client[\"alpha\"]");
            assert.ok(isTfUnknown(key.values.value));
            assert.deepEqual(key.references.value, ["module.keys.random_password.key[\"alpha\"]"]);
            assert.ok(key.sensitivePaths.has("value"));
            assert.ok(get(records, "aws_api_gateway_usage_plan_key.first").sensitivePaths.has("value"));
        });

        it("skips a remote module with a notice, and reads the rest", () => {
            assert.equal(errors.length, 1);
            assert.ok(errors[0] instanceof HclNotice);
            assert.equal(errors[0].file, path.join(BASIC, "main.tf"));
            assert.equal(errors[0].line, 62);
            assert.match(errors[0].message, /remote source/);
        });

        it("builds the Inventory through the shared mapping, linked by references", async () => {
            const { inventory } = await readHcl(BASIC);
            const method = inventory.get("aws_api_gateway_method.get[\"orders\"]");
            assert.ok(method && method.kind === "method");
            assert.deepEqual(method.restApi, { kind: "entity", ref: "aws_api_gateway_rest_api.api" });
            assert.equal(method.path, "/orders");
            const settings = inventory.get("aws_api_gateway_method_settings.all[0]");
            assert.ok(settings && settings.kind === "method-settings");
            assert.deepEqual(settings.stage, { kind: "entity", ref: "aws_api_gateway_stage.prod" });
            const key = inventory.get("module.keys.aws_api_gateway_api_key.client[\"alpha\"]");
            assert.ok(key && key.kind === "api-key");
            assert.equal(key.value.handling, "generated");
            const gaps = (await inventoryFromHcl(BASIC)).gaps;
            assert.ok(gaps.some(gap => /main\.tf:62: module "remote" uses a remote source/.test(gap.message)), "read notes become gaps");
        });

        it("points findings at the line to change, or at the resource block", async () => {
            const { inventory } = await readHcl(BASIC);
            const { findings } = runRules(inventory, RULES, { now: NOW });
            const keyRequired = findings.find(f => f.ruleId === "apigateway-method-api-key-required" && f.entity?.ref === "aws_api_gateway_method.get[\"health\"]");
            assert.equal(keyRequired?.status, "fail");
            assert.equal(keyRequired?.line, 27, "api_key_required = ... line");
            assert.equal(keyRequired?.entity?.provenance.file, path.join(BASIC, "main.tf"));
            const accessLogs = findings.find(f => f.ruleId === "apigateway-stage-access-logging" && f.entity?.ref === "aws_api_gateway_stage.prod");
            assert.equal(accessLogs?.status, "fail");
            assert.equal(accessLogs?.line, 32, "no access_log_settings block: the stage's declaration");
        });
    });

    describe("expressions", () => {
        it("leaves unknown what it cannot evaluate: data sources, functions, unknown counts", async () => {
            const dir = await scratch({
                "main.tf": `
variable "n" {}
data "aws_caller_identity" "me" {}
resource "aws_api_gateway_rest_api" "api" {
  name        = "a-\${data.aws_caller_identity.me.account_id}"
  description = cidrhost("10.0.0.0/8", 1)
  policy      = var.n > 1 ? "a" : "b"
  tags        = { Literal = "yes", FromData = data.aws_caller_identity.me.id }
}
resource "aws_api_gateway_method" "m" {
  count       = var.n
  rest_api_id = aws_api_gateway_rest_api.api.id
  http_method = "GET"
  description = "m-\${count.index}"
}
`,
            });
            const { records, errors } = await recordsFromHcl(dir);
            // Each unknown is named once: the function not implemented, and the count that cannot be evaluated.
            assert.deepEqual(errors.map(e => [e instanceof HclNotice, e.message, e.line]).sort(), [
                [true, "aws_api_gateway_method.m: count = var.n cannot be evaluated without running Terraform; one entity stands for all its instances", 11],
                [true, "function cidrhost() is not evaluated by the HCL reader; values that use it are unknown", undefined],
            ]);
            const api = get(records, "aws_api_gateway_rest_api.api");
            assert.ok(isTfUnknown(api.values.name));
            assert.deepEqual(api.references.name, ["data.aws_caller_identity.me"]);
            assert.ok(isTfUnknown(api.values.description));
            assert.ok(isTfUnknown(api.values.policy));
            const tags = api.values.tags as Record<string, unknown>;
            assert.equal(tags.Literal, "yes");
            assert.ok(isTfUnknown(tags.FromData));
            // Unknown count: one record stands for all instances, with the bare address.
            const method = get(records, "aws_api_gateway_method.m");
            assert.ok(isTfUnknown(method.values.description));
            assert.equal(method.values.http_method, "GET");
            assert.equal(records.filter(r => r.type === "aws_api_gateway_method").length, 1);
        });

        it("evaluates count = 0 to no instance, toset() for_each, jsonencode of known values and dynamic blocks", async () => {
            const dir = await scratch({
                "main.tf": `
locals {
  enabled = false
  levels  = ["ERROR"]
}
resource "aws_api_gateway_method" "off" {
  count       = local.enabled ? 1 : 0
  http_method = "GET"
}
resource "aws_api_gateway_method" "each" {
  for_each    = toset(["GET", "POST"])
  http_method = each.value
}
resource "aws_api_gateway_rest_api" "api" {
  body = jsonencode({ openapi = "3.0.1", "x-amazon-apigateway-api-key-source" = "HEADER" })
}
resource "aws_api_gateway_method_settings" "s" {
  method_path = "*/*"
  dynamic "settings" {
    for_each = local.levels
    content {
      logging_level = settings.value
    }
  }
}
`,
            });
            const { records } = await recordsFromHcl(dir);
            assert.equal(records.filter(r => r.name === "off").length, 0);
            assert.equal(get(records, "aws_api_gateway_method.each[\"POST\"]").values.http_method, "POST");
            assert.equal(get(records, "aws_api_gateway_rest_api.api").values.body, "{\"openapi\":\"3.0.1\",\"x-amazon-apigateway-api-key-source\":\"HEADER\"}");
            const settings = get(records, "aws_api_gateway_method_settings.s");
            assert.deepEqual(settings.values.settings, [{ logging_level: "ERROR" }]);
            assert.equal(settings.attributeLines?.["settings.logging_level"], 22);
            assert.equal(settings.configured?.["settings.logging_level"], "expression");
        });

        it("resolves module outputs and module count instances", async () => {
            const dir = await scratch({
                "main.tf": `
module "api" {
  count  = 2
  source = "./mod"
  name   = "api-\${count.index}"
}
resource "aws_api_gateway_stage" "s" {
  rest_api_id = module.api[1].id
  stage_name  = module.api[1].name
}
`,
                "mod/main.tf": `
variable "name" {}
resource "aws_api_gateway_rest_api" "this" {
  name = var.name
}
output "id" {
  value = aws_api_gateway_rest_api.this.id
}
output "name" {
  value = aws_api_gateway_rest_api.this.name
}
`,
            });
            const { records, errors } = await recordsFromHcl(dir);
            assert.deepEqual(errors, []);
            assert.equal(get(records, "module.api[0].aws_api_gateway_rest_api.this").values.name, "api-0");
            assert.equal(get(records, "module.api[1].aws_api_gateway_rest_api.this").modulePath, "module.api[1]");
            const stage = get(records, "aws_api_gateway_stage.s");
            assert.equal(stage.values.stage_name, "api-1");
            assert.deepEqual(stage.references.rest_api_id, ["module.api[1].aws_api_gateway_rest_api.this"]);
        });

        it("survives cycles (which Terraform rejects) as unknowns", async () => {
            const dir = await scratch({
                "main.tf": `
locals {
  a = local.b
  b = local.a
}
resource "aws_api_gateway_method" "loop" {
  count       = length(aws_api_gateway_method.loop) + aws_api_gateway_method.loop[0].n
  n           = 1
  http_method = local.a
}
`,
            });
            const { records } = await recordsFromHcl(dir);
            const method = get(records, "aws_api_gateway_method.loop");
            assert.ok(isTfUnknown(method.values.http_method));
        });

        it("reads .tf.json files with lines", async () => {
            const dir = await scratch({
                "main.tf.json": JSON.stringify({
                    variable: { level: { default: "INFO" } },
                    resource: { aws_api_gateway_method_settings: { all: { method_path: "*/*", settings: { logging_level: "${var.level}" } } } },
                }, null, 2),
            });
            const { records, errors } = await recordsFromHcl(dir);
            assert.deepEqual(errors, []);
            const settings = get(records, "aws_api_gateway_method_settings.all");
            assert.deepEqual(settings.values.settings, { logging_level: "INFO" });
            assert.equal(settings.line, 9);
            assert.equal(settings.attributeLines?.method_path, 10);
            assert.equal(settings.attributeLines?.["settings.logging_level"], 12);
        });
    });

    describe("errors", () => {
        it("reports a syntax error with file and line, and still reads the other files", async () => {
            const dir = await scratch({
                "a_good.tf": "resource \"aws_api_gateway_rest_api\" \"api\" {\n  name = \"ok\"\n}\n",
                "b_bad.tf": "resource \"aws_api_gateway_method\" \"m\" {\n  http_method = \"GET\"\n  authorization = \n}\n",
            });
            const { records, errors } = await recordsFromHcl(dir);
            assert.equal(errors.length, 1);
            assert.ok(errors[0] instanceof SourceError);
            assert.equal(errors[0].file, path.join(dir, "b_bad.tf"));
            assert.equal(errors[0].line, 3);
            assert.match(errors[0].message, /^HCL syntax error at column \d+: /);
            assert.deepEqual(records.map(r => r.address), ["aws_api_gateway_rest_api.api"]);
        });

        it("reports duplicates and missing local modules without stopping", async () => {
            const dir = await scratch({
                "main.tf": "resource \"aws_api_gateway_rest_api\" \"api\" {}\nresource \"aws_api_gateway_rest_api\" \"api\" {}\nmodule \"gone\" {\n  source = \"./gone\"\n}\n",
            });
            const { records, errors } = await recordsFromHcl(dir);
            assert.equal(records.length, 1);
            assert.deepEqual(errors.map(e => [e.line, e.message.split(" (")[0]]), [
                [2, "duplicate resource \"aws_api_gateway_rest_api\" \"api\""],
                [3, "module \"gone\": source ./gone cannot be read"],
            ]);
        });

        it("reports an unreadable path and an empty directory", async () => {
            const missing = await recordsFromHcl(path.join(os.tmpdir(), "apigw-guard-no-such-dir"));
            assert.equal(missing.errors.length, 1);
            assert.match(missing.errors[0].message, /no such file or directory/);
            const empty = await recordsFromHcl(await scratch({}));
            assert.match(empty.errors[0].message, /no Terraform files/);
        });

        it("never puts a key value into an error, a record's errors, a gap or a finding", async () => {
            const dir = await scratch({
                "keys.tf": `
variable "from_var" {
  default   = "${PLANTED}-var"
  sensitive = true
}
resource "aws_api_gateway_api_key" "literal" {
  name  = "literal"
  value = "${PLANTED}"
}
resource "aws_api_gateway_api_key" "copy" {
  name  = "copy"
  value = var.from_var
}
resource "aws_api_gateway_usage_plan_key" "k" {
  key_id        = aws_api_gateway_api_key.literal.id
  key_type      = "API_KEY"
  usage_plan_id = "p"
  value         = aws_api_gateway_api_key.literal.value
}
`,
                // An invalid escape inside the value: HCL's detail quotes the offending text.
                "broken.tf": `resource "aws_api_gateway_api_key" "bad" {\n  value = "\\q${PLANTED}"\n}\n`,
                // A malformed heredoc and an unterminated string around the value.
                "broken2.tf": `resource "aws_api_gateway_api_key" "worse" {\n  value = "${PLANTED}\n}\n`,
            });
            const { records, errors } = await recordsFromHcl(dir);
            assert.equal(errors.length, 2);
            for (const error of errors) {
                assert.ok(!error.message.includes(PLANTED), `error message leaks the key: ${error.message}`);
                assert.ok(!String(error.stack).includes(PLANTED));
                assertNoLeak("the HCL error", { message: error.message, stack: String(error.stack) }, PLANTED);
            }
            const literal = get(records, "aws_api_gateway_api_key.literal");
            assert.ok(literal.sensitivePaths.has("value"));
            assert.ok(get(records, "aws_api_gateway_api_key.copy").sensitivePaths.has("value"), "read from a sensitive variable");
            const inventory = await inventoryFromHcl(dir);
            const { findings } = runRules(inventory, RULES, { now: NOW });
            const printed = JSON.stringify({ entities: [...inventory.all()], gaps: inventory.gaps, findings });
            assert.ok(!printed.includes(PLANTED), "no entity, gap or finding may carry the key value");
            assertNoLeak("entities, gaps and findings", printed, PLANTED);
            const secret = findings.find(f => f.ruleId === "apigateway-api-key-value-secret" && f.entity?.ref === "aws_api_gateway_api_key.literal");
            assert.equal(secret?.status, "fail", "a literal key value is plain text in code");
            assert.equal(secret?.line, 8, "pointing at the value line");
        });
    });
});

import assert from "node:assert/strict";
import { execFileSync } from "child_process";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { HclNotice, recordsFromHcl } from "../../../../sources/terraform/hcl";
import { isTfUnknown, TfResourceRecord } from "../../../../sources/terraform/types";

/**
 * count, for_each and conditionals as Terraform evaluates them (issue 14, item 2), and the
 * reader's resource bounds (issue 15, items 4, 7, 11, 15), over small configurations on disk.
 */

const dirs: string[] = [];

async function scratch(files: Record<string, string>): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "apigw-guard-eval-"));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await fs.writeFile(path.join(dir, name), text);
    }
    return dir;
}

// Both suites below make scratch directories: they go once every test of this file has run.
after(async () => {
    await Promise.all(dirs.splice(0).map(dir => fs.rm(dir, { recursive: true, force: true })));
});

function addresses(records: readonly TfResourceRecord[]): string[] {
    return records.map(r => r.address).sort();
}

function get(records: readonly TfResourceRecord[], address: string): TfResourceRecord {
    const found = records.find(record => record.address === address);
    assert.ok(found, `no record ${address}; have: ${records.map(r => r.address).join(", ")}`);
    return found;
}

describe("sources/terraform/hcl: count, for_each and conditionals as Terraform evaluates them", function () {
    this.timeout(60_000);

    it("count = 0, an empty for_each, a false condition and a for ... if filter create nothing", async () => {
        const dir = await scratch({
            "main.tf": `
variable "enabled" {
  default = false
}
variable "routes" {
  default = {
    a = { enabled = true }
    b = { enabled = false }
  }
}
resource "aws_api_gateway_method" "zero" {
  count       = 0
  http_method = "GET"
}
resource "aws_api_gateway_method" "off" {
  count       = var.enabled ? 1 : 0
  http_method = "GET"
}
resource "aws_api_gateway_method" "none" {
  for_each    = {}
  http_method = "GET"
}
resource "aws_api_gateway_method" "filtered" {
  for_each    = { for k, v in var.routes : k => v if v.enabled }
  http_method = upper("get")
}
`,
        });
        const { records, errors } = await recordsFromHcl(dir);
        assert.deepEqual(errors, []);
        assert.deepEqual(addresses(records), [`aws_api_gateway_method.filtered["a"]`]);
        assert.equal(get(records, `aws_api_gateway_method.filtered["a"]`).values.http_method, "GET");
    });

    it("the id and ARN of a resource that will be created are unknown but never null; other computed attributes may be", async () => {
        const dir = await scratch({
            "main.tf": `
resource "aws_cloudwatch_log_group" "logs" {
  name = "/aws/apigateway/access"
}
resource "aws_cloudwatch_log_group" "none" {
  count = 0
  name  = "unused"
}
resource "aws_api_gateway_stage" "arn_set" {
  stage_name = "a"
  dynamic "access_log_settings" {
    for_each = aws_cloudwatch_log_group.logs.arn != null ? [true] : []
    content {
      destination_arn = aws_cloudwatch_log_group.logs.arn
      format          = "$context.requestId"
    }
  }
}
resource "aws_api_gateway_stage" "id_null" {
  stage_name = aws_cloudwatch_log_group.logs.id == null ? "none" : "some"
}
resource "aws_api_gateway_stage" "other_attribute" {
  stage_name = aws_cloudwatch_log_group.logs.kms_key_id != null ? "x" : "y"
}
resource "aws_api_gateway_stage" "arn_compared" {
  stage_name = aws_cloudwatch_log_group.logs.arn == "arn:aws:logs:x" ? "x" : "y"
}
resource "aws_api_gateway_stage" "absent_instance" {
  stage_name = try(aws_cloudwatch_log_group.none[0].arn != null ? "x" : "y", "absent")
}
`,
        });
        const { records } = await recordsFromHcl(dir);
        const settings = get(records, "aws_api_gateway_stage.arn_set").values.access_log_settings as unknown[];
        assert.equal(settings.length, 1, "the block exists: the log group's ARN is never null once it is created");
        assert.ok(isTfUnknown((settings[0] as Record<string, unknown>).destination_arn), "the ARN itself stays unknown");
        assert.equal(get(records, "aws_api_gateway_stage.id_null").values.stage_name, "some");
        assert.ok(isTfUnknown(get(records, "aws_api_gateway_stage.other_attribute").values.stage_name), "an optional computed attribute may be null");
        assert.ok(isTfUnknown(get(records, "aws_api_gateway_stage.arn_compared").values.stage_name), "only null comparisons are decided");
        assert.equal(get(records, "aws_api_gateway_stage.absent_instance").values.stage_name, "absent", "an instance count = 0 does not exist: Terraform errors, try() falls back");
    });

    it("a module called with create = false creates none of its resources", async () => {
        const dir = await scratch({
            "main.tf": `
module "on" {
  source = "./mod"
}
module "off" {
  source = "./mod"
  create = false
}
`,
            "mod/main.tf": `
variable "create" {
  type    = bool
  default = true
}
locals {
  create_stage = var.create && true
}
resource "aws_api_gateway_stage" "this" {
  count      = local.create_stage ? 1 : 0
  stage_name = "prod"
}
`,
        });
        const { records } = await recordsFromHcl(dir);
        assert.deepEqual(addresses(records), ["module.on.aws_api_gateway_stage.this[0]"]);
    });

    it("expands for_each over a module input of map(object({... optional(...)})), with attribute defaults", async () => {
        const dir = await scratch({
            "main.tf": `
module "api" {
  source = "./mod"
  methods = {
    get  = { http_method = "GET" }
    post = { http_method = "POST", authorization = "AWS_IAM" }
  }
}
`,
            "mod/main.tf": `
variable "methods" {
  type = map(object({
    http_method   = string
    authorization = optional(string, "NONE")
    api_key       = optional(bool)
  }))
}
resource "aws_api_gateway_method" "this" {
  for_each         = var.methods
  http_method      = each.value.http_method
  authorization    = each.value.authorization
  api_key_required = try(each.value.api_key, "fallback")
}
`,
        });
        const { records, errors } = await recordsFromHcl(dir);
        assert.deepEqual(errors, []);
        assert.deepEqual(addresses(records), [`module.api.aws_api_gateway_method.this["get"]`, `module.api.aws_api_gateway_method.this["post"]`]);
        const get_ = get(records, `module.api.aws_api_gateway_method.this["get"]`);
        assert.equal(get_.values.authorization, "NONE");
        // An optional attribute without a default is null, as Terraform fills it: try() does not fall back.
        assert.equal(get_.values.api_key_required, null);
        assert.equal(get(records, `module.api.aws_api_gateway_method.this["post"]`).values.authorization, "AWS_IAM");
    });

    it("instances come from terraform.tfvars, *.auto.tfvars (later wins) and locals", async () => {
        const dir = await scratch({
            "main.tf": `
variable "stages" {
  type    = list(string)
  default = ["default"]
}
variable "suffix" {
  default = "d"
}
locals {
  names = [for s in var.stages : "\${s}-\${var.suffix}"]
}
resource "aws_api_gateway_stage" "s" {
  for_each   = toset(local.names)
  stage_name = each.key
}
`,
            "terraform.tfvars": `stages = ["dev", "prod"]\nsuffix = "t"\n`,
            "b.auto.tfvars": `suffix = "auto"\n`,
        });
        const { records, errors } = await recordsFromHcl(dir);
        assert.deepEqual(errors, []);
        assert.deepEqual(addresses(records), [`aws_api_gateway_stage.s["dev-auto"]`, `aws_api_gateway_stage.s["prod-auto"]`]);
    });

    it("what cannot be resolved is one entity per address, and a notice names the expression", async () => {
        const dir = await scratch({
            "main.tf": `
variable "ids" {}
resource "aws_api_gateway_stage" "this" {
  count      = length(var.ids)
  stage_name = "prod"
}
resource "aws_wafv2_web_acl_association" "waf" {
  count        = length(var.ids)
  resource_arn = aws_api_gateway_stage.this[0].arn
  web_acl_arn  = "arn:aws:wafv2:us-east-1:111111111111:regional/webacl/x/1"
}
`,
        });
        const { records, errors } = await recordsFromHcl(dir);
        assert.deepEqual(addresses(records), ["aws_api_gateway_stage.this", "aws_wafv2_web_acl_association.waf"]);
        assert.deepEqual(errors.map(e => [e instanceof HclNotice, e.message]).sort(), [
            [true, "aws_api_gateway_stage.this: count = length(var.ids) cannot be evaluated without running Terraform; one entity stands for all its instances"],
            [true, "aws_wafv2_web_acl_association.waf: count = length(var.ids) cannot be evaluated without running Terraform; one entity stands for all its instances"],
        ]);
        // The indexed reference links to the one entity that stands for every instance.
        assert.deepEqual(get(records, "aws_wafv2_web_acl_association.waf").references.resource_arn, ["aws_api_gateway_stage.this"]);
    });

    it("try() falls back over an instance that count = 0 does not create, of a resource or a module", async () => {
        const dir = await scratch({
            "main.tf": `
resource "aws_api_gateway_stage" "none" {
  count      = 0
  stage_name = "never"
}
module "off" {
  source = "./mod"
  count  = 0
}
resource "aws_api_gateway_stage" "s" {
  stage_name  = try(aws_api_gateway_stage.none[0].stage_name, "fallback")
  description = try(module.off[0].name, "no module")
}
`,
            "mod/main.tf": `output "name" {
  value = "m"
}
`,
        });
        const stage = get((await recordsFromHcl(dir)).records, "aws_api_gateway_stage.s");
        assert.equal(stage.values.stage_name, "fallback");
        assert.equal(stage.values.description, "no module");
    });

    it("for-expression variables are in scope inside index keys", async () => {
        const dir = await scratch({
            "main.tf": `
locals {
  levels = { a = "ERROR", b = "INFO" }
  picked = [for k in ["b", "a"] : local.levels[k]]
}
resource "aws_api_gateway_stage" "s" {
  stage_name  = join(",", local.picked)
  description = format("%999999999d", 1)
}
`,
        });
        const stage = get((await recordsFromHcl(dir)).records, "aws_api_gateway_stage.s");
        assert.equal(stage.values.stage_name, "INFO,ERROR");
        // A width this reader will not build is unknown, not a crash.
        assert.ok(isTfUnknown(stage.values.description));
    });

    it("an indexed reference keeps its index when the count is known", async () => {
        const dir = await scratch({
            "main.tf": `
resource "aws_api_gateway_stage" "this" {
  count      = 2
  stage_name = "s\${count.index}"
}
resource "aws_wafv2_web_acl_association" "waf" {
  resource_arn = aws_api_gateway_stage.this[1].arn
  web_acl_arn  = "arn"
}
`,
        });
        const { records } = await recordsFromHcl(dir);
        assert.deepEqual(get(records, "aws_wafv2_web_acl_association.waf").references.resource_arn, ["aws_api_gateway_stage.this[1]"]);
    });

    it("terraform.workspace is `default`, or the workspace asked for; path.module is relative to the root", async () => {
        const dir = await scratch({
            "main.tf": `
module "m" {
  source = "./mod"
}
resource "aws_api_gateway_stage" "s" {
  stage_name  = terraform.workspace
  description = path.module
}
`,
            "mod/main.tf": `
resource "aws_api_gateway_stage" "s" {
  stage_name  = terraform.workspace == "prod" ? "live" : "test"
  description = file("\${path.module}/description.txt")
}
`,
            "mod/description.txt": "from a file",
        });
        const plain = await recordsFromHcl(dir);
        assert.equal(get(plain.records, "aws_api_gateway_stage.s").values.stage_name, "default");
        assert.equal(get(plain.records, "aws_api_gateway_stage.s").values.description, ".");
        assert.equal(get(plain.records, "module.m.aws_api_gateway_stage.s").values.stage_name, "test");
        assert.equal(get(plain.records, "module.m.aws_api_gateway_stage.s").values.description, "from a file");
        const prod = await recordsFromHcl(dir, { workspace: "prod" });
        assert.equal(get(prod.records, "aws_api_gateway_stage.s").values.stage_name, "prod");
        assert.equal(get(prod.records, "module.m.aws_api_gateway_stage.s").values.stage_name, "live");
    });

    it("a value passed through sensitive() is marked sensitive", async () => {
        const dir = await scratch({
            "main.tf": `
resource "aws_api_gateway_stage" "s" {
  stage_name  = sensitive("prod")
  description = "plain"
}
`,
        });
        const stage = get((await recordsFromHcl(dir)).records, "aws_api_gateway_stage.s");
        assert.equal(stage.values.stage_name, "prod");
        assert.deepEqual([...stage.sensitivePaths], ["stage_name"]);
    });

    it("file() reads nothing outside the configuration, and no FIFO", async () => {
        const outside = await scratch({ "secret.txt": "machine secret" });
        const dir = await scratch({
            "main.tf": `
resource "aws_api_gateway_stage" "s" {
  stage_name  = file("${path.join(outside, "secret.txt")}")
  description = file("pipe")
}
`,
        });
        execFileSync("mkfifo", [path.join(dir, "pipe")]);
        const { records, errors } = await recordsFromHcl(dir);
        const stage = get(records, "aws_api_gateway_stage.s");
        assert.ok(isTfUnknown(stage.values.stage_name));
        assert.ok(isTfUnknown(stage.values.description));
        assert.ok(errors.every(e => e instanceof HclNotice && !e.message.includes("machine secret")));
        assert.deepEqual(errors.map(e => e.message.replace(/ in \S+ /, " in <dir> ")).sort(), [
            "a file read by file() or templatefile() in <dir> is not read (not a regular file); values that use it are unknown",
            "a file read by file() or templatefile() in <dir> is not read (outside the configuration); values that use it are unknown",
        ]);
    });
});

describe("sources/terraform/hcl: resource bounds and honest failures (issue 15)", function () {
    this.timeout(60_000);

    it("a module directory linked back to itself is read once and the cycle is refused with a clear error", async () => {
        const dir = await scratch({
            "main.tf": `
module "a" {
  source = "./sub"
}
module "b" {
  source = "./sub"
}
resource "aws_api_gateway_rest_api" "api" {
  name = "x"
}
`,
        });
        await fs.symlink(".", path.join(dir, "sub"));
        const { records, errors } = await recordsFromHcl(dir);
        assert.deepEqual(addresses(records), ["aws_api_gateway_rest_api.api"]);
        assert.ok(errors.length >= 1 && errors.every(e => /cycle|includes itself/.test(e.message) && !(e instanceof HclNotice)), errors.map(e => e.message).join("; "));
    });

    it("nested counts multiplying past the budget end as one unknown that says so, quickly", async () => {
        const dir = await scratch({
            "main.tf": `module "a" {\n  source = "./a"\n  count  = 10000\n}\n`,
            "a/main.tf": `module "b" {\n  source = "../b"\n  count  = 10000\n}\n`,
            "b/main.tf": `resource "aws_api_gateway_rest_api" "r" {\n  count = 10000\n  name  = "x"\n}\n`,
        });
        const started = Date.now();
        const { records, errors } = await recordsFromHcl(dir, { maxInstances: 1000 });
        assert.ok(Date.now() - started < 20_000, "bounded time");
        assert.ok(records.length <= 1000 + 1000, `${records.length} records`);
        const capped = errors.filter(e => /would exceed 1000 resource and module instances/.test(e.message));
        assert.ok(capped.length >= 1);
        assert.ok(capped.every(e => e instanceof HclNotice));
    });

    it("a FIFO named *.tf is skipped with a note, never waited on", async () => {
        const dir = await scratch({ "main.tf": `resource "aws_api_gateway_rest_api" "api" {\n  name = "x"\n}\n` });
        execFileSync("mkfifo", [path.join(dir, "fifo.tf")]);
        const { records, errors } = await recordsFromHcl(dir);
        assert.deepEqual(addresses(records), ["aws_api_gateway_rest_api.api"]);
        assert.deepEqual(errors.map(e => [e instanceof HclNotice, e.message, path.basename(e.file ?? "")]), [[true, "not a regular file; skipped", "fifo.tf"]]);
    });

    it("a tfvars file that cannot be read makes the variables it would set unknown, never their default; the error names file and line", async () => {
        const dir = await scratch({
            "main.tf": `
variable "key_required" {
  default = true
}
variable "other" {
  default = "kept"
}
resource "aws_api_gateway_method" "m" {
  http_method      = "GET"
  api_key_required = var.key_required
  description      = var.other
}
`,
            "terraform.tfvars": `key_required = false\nbroken = [\n`,
        });
        const { records, errors } = await recordsFromHcl(dir);
        const method = get(records, "aws_api_gateway_method.m");
        assert.ok(isTfUnknown(method.values.api_key_required), "not the default's true");
        assert.equal(method.values.description, "kept");
        assert.equal(errors.length, 1);
        assert.equal(path.basename(errors[0].file ?? ""), "terraform.tfvars");
        assert.equal(typeof errors[0].line, "number");
        assert.match(errors[0].message, /the variables it would set are unknown/);
    });

    it("a JSON tfvars that is an array makes every variable it could set unknown", async () => {
        const dir = await scratch({
            "main.tf": `variable "flag" {\n  default = true\n}\nresource "aws_api_gateway_method" "m" {\n  api_key_required = var.flag\n}\n`,
            "x.auto.tfvars.json": `[false]`,
        });
        const { records, errors } = await recordsFromHcl(dir);
        assert.ok(isTfUnknown(get(records, "aws_api_gateway_method.m").values.api_key_required));
        assert.equal(errors.length, 1);
        assert.match(errors[0].message, /not a tfvars file/);
    });

    it("a module source directory without .tf files is said to declare nothing", async () => {
        const dir = await scratch({ "main.tf": `module "empty" {\n  source = "./empty"\n}\n`, "empty/README.md": "nothing here" });
        const { errors } = await recordsFromHcl(dir);
        assert.deepEqual(errors.map(e => [e instanceof HclNotice, e.message, e.line]), [
            [true, `module "empty": its source directory has no Terraform files (.tf, .tf.json), so it declares nothing`, 1],
        ]);
    });

    it("reads a remote module from .terraform/modules/modules.json when terraform init has been run", async () => {
        const dir = await scratch({
            "main.tf": `module "remote" {\n  source  = "terraform-aws-modules/apigateway-v2/aws"\n  name    = "from-root"\n}\n`,
            ".terraform/modules/modules.json": JSON.stringify({ Modules: [{ Key: "", Source: "", Dir: "." }, { Key: "remote", Source: "registry.terraform.io/x/y/aws", Dir: ".terraform/modules/remote" }] }),
            ".terraform/modules/remote/main.tf": `variable "name" {}\nresource "aws_apigatewayv2_api" "this" {\n  name          = var.name\n  protocol_type = "HTTP"\n}\n`,
        });
        const { records, errors } = await recordsFromHcl(dir);
        assert.deepEqual(errors, []);
        assert.equal(get(records, "module.remote.aws_apigatewayv2_api.this").values.name, "from-root");
    });
});

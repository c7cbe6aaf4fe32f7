import assert from "node:assert/strict";
import * as path from "path";
import { isUnknown } from "apigw-guard/policies/model/index";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { assertNoExampleLeak } from "../../support/planted";
import { inventoryFromTerraformRecords } from "../../../sources/terraform/inventory";
import { inventoryFromTerraformPlan, terraformPlanRecords } from "../../../sources/terraform/plan";
import { isTfUnknown } from "../../../sources/terraform/types";
import { entity, everythingPrinted, findings, PLANTED_KEY_VALUE, PLANTED_PREFIX, readJson, statusOf, TERRAFORM_FIXTURES } from "./support";

const CREATE = path.join(TERRAFORM_FIXTURES, "plan-create.json");
const UPDATE = path.join(TERRAFORM_FIXTURES, "plan-update.json");

function clone<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

function expectSourceError(run: () => unknown, pattern: RegExp): SourceError {
    let caught: unknown;
    try {
        run();
    } catch (error) {
        caught = error;
    }
    assert.ok(caught instanceof SourceError, `expected a SourceError, got ${String(caught)}`);
    assert.match(caught.message, pattern);
    assert.ok(!caught.message.includes(PLANTED_PREFIX), "an error never quotes a value");
    assertNoExampleLeak("the error", { message: caught.message, stack: caught.stack ?? "" });
    return caught;
}

describe("sources/terraform plan (terraform show -json tfplan)", () => {
    describe("a first plan: modules, count, for_each, unknowns, sensitive values", () => {
        const inventory = inventoryFromTerraformPlan(readJson(CREATE), { file: "plan-create.json" });
        const list = findings(inventory);

        it("reads resources of the root module and of child modules; random_password is no entity", () => {
            assert.deepEqual(inventory.gaps, []);
            const refs = [...inventory.all()].map(e => e.ref);
            assert.equal(refs.length, 23);
            assert.ok(refs.includes("module.api.aws_api_gateway_rest_api.this"));
            assert.ok(refs.includes('module.api.aws_api_gateway_method.orders["OPTIONS"]'));
            assert.ok(!refs.some(ref => ref.startsWith("random_password")));
            const api = entity(inventory, "module.api.aws_api_gateway_rest_api.this", "rest-api");
            assert.equal(api.provenance.source, "terraform");
            assert.equal(api.provenance.address, "module.api.aws_api_gateway_rest_api.this");
            assert.equal(api.provenance.file, "plan-create.json");
            assert.equal(api.provenance.resourceType, "aws_api_gateway_rest_api");
            assert.equal(api.id, undefined, "the id is known only after apply");
            assert.deepEqual(api.endpointTypes, ["REGIONAL"]);
        });

        it("links new resources through configuration references, within the module", () => {
            const getItem = entity(inventory, "module.api.aws_api_gateway_method.get_item", "method");
            assert.deepEqual(getItem.restApi, { kind: "entity", ref: "module.api.aws_api_gateway_rest_api.this" });
            assert.equal(getItem.path, "/orders/{id}");
            assert.equal(entity(inventory, 'module.api.aws_api_gateway_method.orders["POST"]', "method").path, "/orders");
            assert.deepEqual(entity(inventory, "module.api.aws_api_gateway_method_settings.all", "method-settings").stage,
                { kind: "entity", ref: "module.api.aws_api_gateway_stage.prod" });
        });

        it("follows module inputs (var.x) and outputs (module.m.out) to the resources behind them", () => {
            const stage = entity(inventory, "module.api.aws_api_gateway_stage.prod", "stage");
            const access = stage.accessLogSettings;
            assert.ok(access && !isUnknown(access));
            assert.ok(isUnknown(access.destinationArn));
            assert.deepEqual(access.destination, { kind: "entity", ref: "aws_cloudwatch_log_group.access" }, "var.log_group_arn → root log group");
            const plan = entity(inventory, "aws_api_gateway_usage_plan.standard", "usage-plan");
            assert.ok(Array.isArray(plan.apiStages));
            assert.deepEqual(plan.apiStages[0].restApi, { kind: "entity", ref: "module.api.aws_api_gateway_rest_api.this" });
            assert.deepEqual(plan.apiStages[0].stage, { kind: "entity", ref: "module.api.aws_api_gateway_stage.prod" });
            assert.equal(plan.apiStages[0].stageName, "prod");
        });

        it("links count and for_each instances to the instance with the same key", () => {
            for (const index of [0, 1]) {
                const attach = entity(inventory, `aws_api_gateway_usage_plan_key.client[${index}]`, "usage-plan-key");
                assert.deepEqual(attach.apiKey, { kind: "entity", ref: `aws_api_gateway_api_key.client[${index}]` }, "key_id = aws_api_gateway_api_key.client[count.index].id");
            }
            for (const key of ["acme", "globex"]) {
                const attach = entity(inventory, `aws_api_gateway_usage_plan_key.partner["${key}"]`, "usage-plan-key");
                assert.deepEqual(attach.apiKey, { kind: "entity", ref: `aws_api_gateway_api_key.partner["${key}"]` }, "for_each = aws_api_gateway_api_key.partner, key_id = each.value.id");
                assert.deepEqual(attach.usagePlan, { kind: "entity", ref: "aws_api_gateway_usage_plan.standard" });
            }
        });

        it("turns after_unknown into unknowns, and rules say unknown rather than pass", () => {
            const settings = entity(inventory, "module.api.aws_api_gateway_method_settings.all", "method-settings");
            assert.equal(settings.loggingLevel, "ERROR");
            assert.ok(isUnknown(settings.dataTraceEnabled), "optional+computed and not configured");
            assert.equal(statusOf(list, "apigateway-stage-execution-logging", "module.api.aws_api_gateway_stage.prod"), "unknown");
            assert.equal(statusOf(list, "apigateway-stage-cache-encrypted", "module.api.aws_api_gateway_method_settings.all"), "unknown");
            const legacy = entity(inventory, "aws_api_gateway_api_key.legacy", "api-key");
            assert.ok(isUnknown(legacy.createdDate));
            assert.equal(statusOf(list, "apigateway-api-key-max-age", "aws_api_gateway_api_key.legacy"), "unknown");
            assert.equal(statusOf(list, "apigateway-api-key-max-age", "aws_api_gateway_api_key.client[0]"), "pass", "the rotation tag is known");
            assert.equal(list.filter(f => f.status === "unknown").length, 7);
        });

        it("reads provider defaults as the plan prints them: api_key_required false, key source unset → HEADER", () => {
            const getItem = entity(inventory, "module.api.aws_api_gateway_method.get_item", "method");
            assert.equal(getItem.apiKeyRequired, false);
            assert.equal(statusOf(list, "apigateway-method-api-key-required", "module.api.aws_api_gateway_method.get_item"), "fail");
            assert.equal(statusOf(list, "apigateway-method-api-key-required", 'module.api.aws_api_gateway_method.orders["OPTIONS"]'), "not-applicable");
            assert.equal(entity(inventory, "module.api.aws_api_gateway_rest_api.this", "rest-api").apiKeySource, undefined);
            assert.equal(statusOf(list, "apigateway-rest-api-key-source-header", "module.api.aws_api_gateway_rest_api.this"), "pass");
            assert.equal(entity(inventory, "aws_api_gateway_api_key.legacy", "api-key").enabled, true);
            assert.equal(statusOf(list, "apigateway-stage-waf", "module.api.aws_api_gateway_stage.prod"), "fail", "a new stage has no web ACL");
        });

        it("tells sensitive, generated, absent and plain-text key values apart", () => {
            const handling = (ref: string) => entity(inventory, ref, "api-key").value.handling;
            assert.equal(handling("aws_api_gateway_api_key.imported"), "secret", "sensitive variable");
            assert.equal(handling("aws_api_gateway_api_key.legacy"), "plaintext", "a literal in the configuration");
            assert.equal(handling("aws_api_gateway_api_key.client[1]"), "generated", "random_password.client[count.index].result");
            assert.equal(handling('aws_api_gateway_api_key.partner["acme"]'), "absent", "not configured: AWS generates it");
            assert.equal(statusOf(list, "apigateway-api-key-value-secret", "aws_api_gateway_api_key.legacy"), "fail");
            assert.equal(entity(inventory, "aws_api_gateway_api_key.imported", "api-key").value.origin, "program");
            const imported = list.find(f => f.ruleId === "apigateway-api-key-value-secret" && f.entity?.ref === "aws_api_gateway_api_key.imported");
            assert.deepEqual([imported?.status, imported?.enforcementLevel], ["fail", "advisory"], "supplied by the program, not generated: a warning");
            assert.equal(statusOf(list, "apigateway-api-key-value-secret", "aws_api_gateway_api_key.client[0]"), "pass");
            assert.equal(entity(inventory, "aws_api_gateway_usage_plan_key.client[0]", "usage-plan-key").value?.handling, "secret");
            assert.ok(!everythingPrinted(inventory, list).includes(PLANTED_PREFIX));
            assertNoExampleLeak("the plan's entities, gaps and findings", everythingPrinted(inventory, list));
        });

        it("maps the same inventory whether the plan reader passes its parsed addresses or the mapping parses them", () => {
            for (const fixture of [CREATE, UPDATE]) {
                const viaPlan = inventoryFromTerraformPlan(readJson(fixture), { file: "plan.json" });
                const viaRecords = inventoryFromTerraformRecords(terraformPlanRecords(readJson(fixture), { file: "plan.json" }));
                assert.deepEqual([...viaPlan.all()], [...viaRecords.all()]);
                assert.deepEqual(viaPlan.gaps, viaRecords.gaps);
            }
        });

        it("hands the mapping records with nested unknowns, sensitive paths, references and how attributes are set", () => {
            const records = terraformPlanRecords(readJson(CREATE));
            const stage = records.find(r => r.address === "module.api.aws_api_gateway_stage.prod");
            assert.ok(stage);
            const access = stage.values.access_log_settings;
            assert.ok(Array.isArray(access));
            assert.ok(isTfUnknown((access[0] as Record<string, unknown>).destination_arn));
            assert.equal(stage.modulePath, "module.api");
            assert.deepEqual(stage.actions, ["create"]);
            assert.deepEqual(stage.references.access_log_settings, ["aws_cloudwatch_log_group.access"]);
            assert.equal(stage.configured?.stage_name, "constant");
            assert.equal(stage.configured?.access_log_settings, "block");
            assert.equal(stage.configured?.["access_log_settings.destination_arn"], "expression");
            const imported = records.find(r => r.address === "aws_api_gateway_api_key.imported");
            assert.ok(imported);
            assert.ok(imported.sensitivePaths.has("value"));
            assert.equal(imported.configured?.value, "expression");
        });
    });

    describe("a plan of existing resources: updates, replacements, deletions", () => {
        const inventory = inventoryFromTerraformPlan(readJson(UPDATE), { file: "plan-update.json" });
        const list = findings(inventory);

        it("leaves out deleted resources, deposed objects and data sources", () => {
            const refs = [...inventory.all()].map(e => e.ref).sort();
            assert.ok(!refs.includes("aws_api_gateway_stage.canary"), "actions [delete]");
            assert.ok(!refs.includes("aws_api_gateway_api_key.retired"), "actions [delete]");
            assert.equal(refs.length, 10);
            const records = terraformPlanRecords(readJson(UPDATE));
            assert.equal(records.filter(r => r.address === "aws_api_gateway_deployment.this").length, 1, "the deposed deployment is not read");
            assert.ok(!records.some(r => r.mode === "data" || r.address.startsWith("data.")));
        });

        it("uses known ids and dates of existing resources", () => {
            const key = entity(inventory, "aws_api_gateway_api_key.old", "api-key");
            assert.equal(key.id, "k0ld4p1k3y");
            assert.equal(key.createdDate, "2025-03-01T10:00:00Z");
            assert.equal(statusOf(list, "apigateway-api-key-max-age", "aws_api_gateway_api_key.old"), "fail");
            assert.equal(entity(inventory, "aws_api_gateway_method.health_get", "method").apiKeyRequired, true, "the planned value, not the prior one");
            assert.equal(entity(inventory, "aws_api_gateway_method.health_get", "method").path, "/health");
            assert.equal(entity(inventory, "aws_api_gateway_usage_plan_key.old", "usage-plan-key").value?.handling, "secret");
        });

        it("links a replaced stage (new id unknown) to its web ACL association by reference", () => {
            const dev = entity(inventory, "aws_api_gateway_stage.dev", "stage");
            assert.equal(dev.id, undefined);
            assert.equal(dev.webAclArn, undefined);
            assert.deepEqual(entity(inventory, "aws_wafv2_web_acl_association.dev", "web-acl-association").target, { kind: "entity", ref: "aws_api_gateway_stage.dev" });
            assert.equal(statusOf(list, "apigateway-stage-waf", "aws_api_gateway_stage.dev"), "pass");
            assert.equal(statusOf(list, "apigateway-stage-waf", "aws_api_gateway_stage.prod"), "fail");
        });

        it("never prints a key value", () => {
            assert.ok(!everythingPrinted(inventory, list).includes(PLANTED_PREFIX));
            assertNoExampleLeak("the plan's entities, gaps and findings", everythingPrinted(inventory, list));
        });
    });

    describe("bad input", () => {
        it("rejects what is not a plan, naming what is wrong", () => {
            expectSourceError(() => inventoryFromTerraformPlan([1, 2]), /expected a JSON object.*found an array/);
            expectSourceError(() => inventoryFromTerraformPlan({ name: "apigw-guard", version: "0.1.0", dependencies: {} }), /no format_version/);
            expectSourceError(() => inventoryFromTerraformPlan({ format_version: "1.0", values: { root_module: {} } }), /not a Terraform plan.*looks like Terraform state/);
        });

        it("rejects another major format version, and says so", () => {
            const plan = clone(readJson(CREATE)) as Record<string, unknown>;
            plan.format_version = "2.0";
            const error = expectSourceError(() => inventoryFromTerraformPlan(plan, { file: "tfplan.json" }), /unsupported Terraform plan format_version 2\.0.*1\.x/);
            assert.equal(error.file, "tfplan.json");
            plan.format_version = 2;
            expectSourceError(() => inventoryFromTerraformPlan(plan), /format_version must be a version string/);
        });

        it("accepts the 0.x format of Terraform 0.12 to 1.0", () => {
            const plan = clone(readJson(CREATE)) as Record<string, unknown>;
            plan.format_version = "0.2";
            assert.equal(inventoryFromTerraformPlan(plan).size, 23);
        });

        it("keeps a resource whose address Terraform escaped beyond reading, from the entry's own type, name, index and module", () => {
            const plan = clone(readJson(CREATE)) as { resource_changes: Array<Record<string, unknown>>; planned_values: { root_module: { resources?: Array<Record<string, unknown>>; child_modules?: unknown[] } } };
            const acme = plan.resource_changes.find(change => change.address === 'aws_api_gateway_api_key.partner["acme"]');
            assert.ok(acme);
            // As an astral-plane for_each key can print: the address escapes it, `index` holds it.
            acme.address = 'aws_api_gateway_api_key.partner["\\U0001F600"]';
            acme.index = "\u{1F600}";
            const inPlanned = plan.planned_values.root_module.resources?.find(r => r.address === 'aws_api_gateway_api_key.partner["acme"]');
            assert.ok(inPlanned);
            plan.planned_values.root_module.resources = plan.planned_values.root_module.resources?.filter(r => r !== inPlanned);
            const records = terraformPlanRecords(plan);
            const kept = records.find(r => r.address === 'aws_api_gateway_api_key.partner["\\U0001F600"]');
            assert.ok(kept, "the resource is kept, not dropped silently");
            assert.equal(kept.type, "aws_api_gateway_api_key");
            assert.equal(kept.name, "partner");
            assert.equal(inventoryFromTerraformPlan(plan).size, 23);
        });

        it("reads the module of such an entry from its module_address", () => {
            const plan = clone(readJson(CREATE)) as { resource_changes: Array<Record<string, unknown>> };
            const acme = plan.resource_changes.find(change => change.address === 'aws_api_gateway_api_key.partner["acme"]');
            assert.ok(acme);
            plan.resource_changes.push({ ...clone(acme) as Record<string, unknown>, address: 'module.api.aws_api_gateway_api_key.k["\\U0001F600"]', module_address: "module.api", name: "k", index: "\u{1F600}" });
            const kept = terraformPlanRecords(plan).find(r => r.address === 'module.api.aws_api_gateway_api_key.k["\\U0001F600"]');
            assert.ok(kept, "the resource is kept");
            assert.equal(kept.modulePath, "module.api");
            assert.equal(kept.name, "k");
        });

        it("refuses a plan that names one resource twice (one copy would mask the other)", () => {
            const twice = clone(readJson(CREATE)) as { resource_changes: unknown[] };
            twice.resource_changes.push(clone(twice.resource_changes[0]));
            expectSourceError(() => inventoryFromTerraformPlan(twice), /resource_changes\[26\]\.address: 'aws_api_gateway_api_key\.client\[0\]' appears twice in resource_changes/);
            const planned = clone(readJson(CREATE)) as { planned_values: { root_module: { resources: unknown[] } } };
            planned.planned_values.root_module.resources.push(clone(planned.planned_values.root_module.resources[0]));
            expectSourceError(() => inventoryFromTerraformPlan(planned), /appears twice in planned_values/);
        });

        it("names the field of a malformed plan, never its value", () => {
            const plan = clone(readJson(UPDATE)) as { resource_changes: Array<{ change: Record<string, unknown> }>; planned_values: { root_module: Record<string, unknown> } };
            const keyChange = plan.resource_changes.find(change => JSON.stringify(change).includes(PLANTED_KEY_VALUE));
            assert.ok(keyChange);
            keyChange.change.after = PLANTED_KEY_VALUE;
            expectSourceError(() => inventoryFromTerraformPlan(plan), /resource_changes\[aws_api_gateway_api_key\.old\]\.change\.after must be an object, found a string/);
            const broken = clone(readJson(UPDATE)) as { planned_values: { root_module: Record<string, unknown> } };
            broken.planned_values.root_module.resources = { address: PLANTED_KEY_VALUE };
            expectSourceError(() => inventoryFromTerraformPlan(broken), /planned_values\.root_module\.resources must be an array, found an object/);
        });
    });
});

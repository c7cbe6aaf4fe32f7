import assert from "node:assert/strict";
import * as path from "path";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { assertNoExampleLeak } from "../../support/planted";
import { inventoryFromTerraformState, terraformStateRecords } from "../../../sources/terraform/state";
import { entity, everythingPrinted, findings, PLANTED_PREFIX, readJson, statusOf, TERRAFORM_FIXTURES } from "./support";

const STATE = path.join(TERRAFORM_FIXTURES, "state-modules.json");

describe("sources/terraform state (terraform show -json)", () => {
    const inventory = inventoryFromTerraformState(readJson(STATE), { file: "terraform.tfstate.json" });
    const list = findings(inventory);

    it("reads the root module and for_each module instances, skipping deposed objects and data sources", () => {
        assert.deepEqual(inventory.gaps, []);
        assert.equal(inventory.size, 18);
        const records = terraformStateRecords(readJson(STATE));
        assert.equal(records.filter(r => r.address === 'module.api["eu"].aws_api_gateway_deployment.this').length, 1);
        assert.ok(!records.some(r => r.mode === "data"));
        assert.equal(records.find(r => r.address.startsWith('module.api["us"]'))?.modulePath, 'module.api["us"]');
        assert.ok(records.every(r => r.actions === undefined && r.file === undefined));
    });

    it("links by the known ids, across module instances", () => {
        for (const region of ["eu", "us"]) {
            const method = entity(inventory, `module.api["${region}"].aws_api_gateway_method.get`, "method");
            assert.deepEqual(method.restApi, { kind: "entity", ref: `module.api["${region}"].aws_api_gateway_rest_api.this` });
            assert.equal(method.path, "/orders");
        }
        const plan = entity(inventory, "aws_api_gateway_usage_plan.global", "usage-plan");
        assert.ok(Array.isArray(plan.apiStages));
        assert.deepEqual(plan.apiStages.map(s => s.stage), [
            { kind: "entity", ref: 'module.api["eu"].aws_api_gateway_stage.prod' },
            { kind: "entity", ref: 'module.api["us"].aws_api_gateway_stage.prod' },
        ]);
        assert.deepEqual(entity(inventory, "aws_api_gateway_usage_plan_key.client[1]", "usage-plan-key").apiKey, { kind: "entity", ref: "aws_api_gateway_api_key.client[1]" });
    });

    it("judges key age from created_date, known in state", () => {
        assert.equal(entity(inventory, "aws_api_gateway_api_key.client[1]", "api-key").createdDate, "2025-10-01T00:00:00Z");
        assert.equal(statusOf(list, "apigateway-api-key-max-age", "aws_api_gateway_api_key.client[0]"), "pass");
        assert.equal(statusOf(list, "apigateway-api-key-max-age", "aws_api_gateway_api_key.client[1]"), "fail");
    });

    it("holds sensitive key values and the unmarked usage-plan key copies as secrets", () => {
        const key = entity(inventory, "aws_api_gateway_api_key.client[0]", "api-key");
        const attach = entity(inventory, "aws_api_gateway_usage_plan_key.client[0]", "usage-plan-key");
        assert.equal(key.value.handling, "secret");
        assert.equal(attach.value?.handling, "secret", "not marked sensitive upstream; held as a secret anyway");
        assert.equal(attach.value?.fingerprint, key.value.fingerprint, "the attachment copies its key's value");
        assert.equal(statusOf(list, "apigateway-api-key-value-secret", "aws_api_gateway_api_key.client[0]"), "pass");
        assert.equal(statusOf(list, "apigateway-api-key-value-secret", "aws_api_gateway_usage_plan_key.client[0]"), "not-applicable");
        assert.ok(!everythingPrinted(inventory, list).includes(PLANTED_PREFIX));
        assertNoExampleLeak("the state's entities, gaps and findings", everythingPrinted(inventory, list));
    });

    it("reads Terraform's 0 as 'not set': a quota limit of 0 fails, a retention of 0 never expires", () => {
        assert.equal(statusOf(list, "apigateway-usage-plan-limits", "aws_api_gateway_usage_plan.global"), "fail");
        assert.equal(entity(inventory, "aws_cloudwatch_log_group.orders", "log-group").retentionInDays, undefined);
        assert.equal(statusOf(list, "apigateway-log-group-retention", "aws_cloudwatch_log_group.orders"), "pass");
        assert.equal(statusOf(list, "apigateway-account-cloudwatch-role", "aws_api_gateway_account.this"), "pass");
        assert.equal(list.filter(f => f.status === "unknown").length, 0, "state knows every value");
    });

    it("reads an empty state, and rejects plans and other JSON with a clear error", () => {
        assert.equal(inventoryFromTerraformState({ format_version: "1.0" }).size, 0);
        const fail = (json: unknown, pattern: RegExp) => assert.throws(() => inventoryFromTerraformState(json, { file: "x.json" }),
            (error: unknown) => error instanceof SourceError && pattern.test(error.message) && error.file === "x.json");
        fail("", /expected a JSON object.*found a string/);
        fail({ format_version: "1.2", planned_values: {}, resource_changes: [] }, /this is a Terraform plan, not state/);
        fail({ format_version: "3.1", values: {} }, /unsupported Terraform state format_version 3\.1/);
        fail({ format_version: "1.0", values: { root_module: { resources: [{ address: "aws_x.y", type: "aws_x", name: "y", values: "PLANTED-apigw-guard-key-x" }] } } },
            /values\.root_module\.resources\[0\]\.values must be an object, found a string/);
        fail({ format_version: "1.0", values: { root_module: { child_modules: [{ resources: [{ type: "aws_x" }] }] } } },
            /values\.root_module\.child_modules\[0\]\.resources\[0\]\.address must be a non-empty string/);
    });

    it("refuses a state that holds one resource twice (a passing copy would mask a failing one), but not a deposed object", () => {
        const copy = (deposed?: string) => ({ address: "aws_api_gateway_method.m", mode: "managed", type: "aws_api_gateway_method", name: "m", values: { api_key_required: true }, ...(deposed ? { deposed_key: deposed } : {}) });
        const failing = { ...copy(), values: { api_key_required: false } };
        assert.throws(() => inventoryFromTerraformState({ format_version: "1.0", values: { root_module: { resources: [failing, copy()] } } }, { file: "x.json" }),
            (error: unknown) => error instanceof SourceError && /resources\[1\]\.address: 'aws_api_gateway_method\.m' appears twice/.test(error.message));
        assert.equal(terraformStateRecords({ format_version: "1.0", values: { root_module: { resources: [copy("d1"), failing] } } }).length, 1);
    });
});

import assert from "node:assert/strict";
import { readFileSync } from "fs";
import * as path from "path";
import { Inventory } from "apigw-guard/policies/model/index";
import { Finding } from "apigw-guard/policies/engine/run";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { assertNoExampleLeak } from "../../support/planted";
import { inventoryFromStackExport } from "../../../sources/pulumi/stack-export";
import { readHcl } from "../../../sources/terraform/hcl";
import { inventoryFromTerraformPlan } from "../../../sources/terraform/plan";
import { inventoryFromTerraformState } from "../../../sources/terraform/state";
import { EXAMPLE_INFRA, everythingPrinted, findings, outcomes, PLANTED_KEY_VALUE, PLANTED_PREFIX, readJson, TERRAFORM_FIXTURES } from "./support";

/**
 * The example infrastructure's expected outcomes (test/fixtures/example-infra/README.md), by
 * Terraform address. Every finding of every input kind must be listed here, and nothing else.
 */
const EXPECTED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
    "aws_api_gateway_method.get_orders": { "apigateway-method-api-key-required": "fail", "apigateway-method-authorizer": "fail" },
    "aws_api_gateway_rest_api.bad_api": { "apigateway-rest-api-key-source-header": "fail" },
    "aws_api_gateway_api_key.old_key": {
        "apigateway-api-key-max-age": "fail", "apigateway-api-key-unused": "pass",
        "apigateway-api-key-one-plan-per-stage": "fail", "apigateway-api-key-value-secret": "fail",
    },
    "aws_api_gateway_api_key.copy_key": {
        "apigateway-api-key-max-age": "pass", "apigateway-api-key-unused": "pass",
        "apigateway-api-key-one-plan-per-stage": "pass", "apigateway-api-key-value-secret": "fail",
    },
    "aws_api_gateway_api_key.orphan_key": {
        "apigateway-api-key-max-age": "pass", "apigateway-api-key-unused": "fail",
        "apigateway-api-key-one-plan-per-stage": "not-applicable", "apigateway-api-key-value-secret": "pass",
    },
    "aws_api_gateway_stage.prod": {
        "apigateway-stage-access-logging": "fail", "apigateway-stage-execution-logging": "fail",
        "apigateway-stage-xray-tracing": "fail", "apigateway-stage-waf": "fail",
    },
    "aws_api_gateway_stage.dev": {
        "apigateway-stage-access-logging": "pass", "apigateway-stage-execution-logging": "fail",
        "apigateway-stage-xray-tracing": "pass", "apigateway-stage-waf": "fail",
    },
    "aws_api_gateway_method_settings.dev_all": { "apigateway-stage-cache-encrypted": "fail" },
    "aws_api_gateway_account.account": { "apigateway-account-cloudwatch-role": "fail" },
    "aws_api_gateway_usage_plan.plan_a": { "apigateway-usage-plan-limits": "fail" },
    "aws_api_gateway_usage_plan.plan_b": { "apigateway-usage-plan-limits": "pass" },
    "aws_api_gateway_usage_plan_key.old_in_a": { "apigateway-api-key-value-secret": "not-applicable" },
    "aws_api_gateway_usage_plan_key.old_in_b": { "apigateway-api-key-value-secret": "not-applicable" },
    "aws_api_gateway_usage_plan_key.copy_in_b": { "apigateway-api-key-value-secret": "not-applicable" },
    "aws_api_gateway_domain_name.legacy_domain": { "apigateway-domain-tls12": "fail" },
    "aws_cloudwatch_log_group.dev_access": { "apigateway-log-group-retention": "fail" },
    "aws_apigatewayv2_route.open_route": { "apigateway-v2-route-authorization": "fail" },
};

/** Pulumi logical names are the Terraform names with `-` for `_`: map a URN to its Terraform address. */
const TYPE_BY_PULUMI_TYPE: Readonly<Record<string, string>> = {
    "aws:apigateway/method:Method": "aws_api_gateway_method",
    "aws:apigateway/restApi:RestApi": "aws_api_gateway_rest_api",
    "aws:apigateway/apiKey:ApiKey": "aws_api_gateway_api_key",
    "aws:apigateway/stage:Stage": "aws_api_gateway_stage",
    "aws:apigateway/methodSettings:MethodSettings": "aws_api_gateway_method_settings",
    "aws:apigateway/account:Account": "aws_api_gateway_account",
    "aws:apigateway/usagePlan:UsagePlan": "aws_api_gateway_usage_plan",
    "aws:apigateway/usagePlanKey:UsagePlanKey": "aws_api_gateway_usage_plan_key",
    "aws:apigateway/domainName:DomainName": "aws_api_gateway_domain_name",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:apigatewayv2/api:Api": "aws_apigatewayv2_api",
    "aws:apigatewayv2/route:Route": "aws_apigatewayv2_route",
};

function addressOfUrn(urn: string): string {
    if (!urn.startsWith("urn:pulumi:")) {
        return urn;
    }
    const [, , type, name] = urn.split("::");
    return `${TYPE_BY_PULUMI_TYPE[type] ?? type}.${name.replace(/-/g, "_")}`;
}

function assertExpected(list: readonly Finding[], what: string, refOf?: (ref: string) => string): void {
    const actual = outcomes(list, refOf);
    const expected = new Map(Object.entries(EXPECTED).map(([ref, rules]) => [ref, new Map(Object.entries(rules))]));
    assert.deepEqual(actual, expected, `${what}: findings differ from the README's table`);
    assert.equal(list.length, 33);
}

const file = (name: string) => path.join(EXAMPLE_INFRA, name);

describe("example infrastructure (test/fixtures/example-infra)", () => {
    const plan = inventoryFromTerraformPlan(readJson(file("plan.json")), { file: "plan.json" });
    const state = inventoryFromTerraformState(readJson(file("state.json")), { file: "state.json" });
    const exported = inventoryFromStackExport(readJson(file("stack-export.json")), { file: "stack-export.json" });

    it("the Terraform plan yields the expected outcome for every rule and resource", () => {
        assert.deepEqual(plan.gaps, []);
        assertExpected(findings(plan), "plan");
    });

    it("the Terraform state yields the same outcomes", () => {
        assert.deepEqual(state.gaps, []);
        assertExpected(findings(state), "state");
    });

    it("the HCL configuration yields the same outcomes", async () => {
        const { inventory, errors } = await readHcl(file("main.tf"));
        assert.deepEqual(errors.map(error => error.message), []);
        const list = findings(inventory);
        assertExpected(list, "HCL");
        // Findings point at the line to change: `api_key_required = false` in main.tf.
        const keyRequired = list.find(f => f.ruleId === "apigateway-method-api-key-required");
        assert.equal(keyRequired?.line, 36);
        assert.equal(keyRequired?.entity?.provenance.file, file("main.tf"));
    });

    it("the Pulumi stack export yields the same outcomes", () => {
        assertExpected(findings(exported), "stack export", addressOfUrn);
    });

    it("why a key value fails differs by input, the outcome does not", () => {
        const handling = (inventory: Inventory, ref: string) => inventory.ofKind("api-key").find(key => key.ref === ref || addressOfUrn(key.ref) === ref)?.value.handling;
        assert.equal(handling(plan, "aws_api_gateway_api_key.old_key"), "plaintext", "a literal in the plan's configuration");
        assert.equal(handling(state, "aws_api_gateway_api_key.old_key"), "secret", "sensitive in state: it fails as a shared value");
        assert.equal(handling(exported, "aws_api_gateway_api_key.old_key"), "plaintext");
        assert.equal(handling(state, "aws_api_gateway_api_key.orphan_key"), "secret", "generated by AWS, sensitive in state");
    });

    describe("planted key value", () => {
        it("is in every input kind", () => {
            for (const name of ["main.tf", "plan.json", "state.json", "stack-export.json"]) {
                assert.ok(readFileSync(file(name), "utf8").includes(PLANTED_KEY_VALUE), name);
            }
            for (const name of ["plan-create.json", "plan-update.json", "state-modules.json"]) {
                assert.ok(readFileSync(path.join(TERRAFORM_FIXTURES, name), "utf8").includes(PLANTED_PREFIX), name);
            }
        });

        it("appears in no entity, gap, finding or message of any front end", async () => {
            const hcl = (await readHcl(file("main.tf"))).inventory;
            const terraformFixtures = [
                inventoryFromTerraformPlan(readJson(path.join(TERRAFORM_FIXTURES, "plan-create.json"))),
                inventoryFromTerraformPlan(readJson(path.join(TERRAFORM_FIXTURES, "plan-update.json"))),
                inventoryFromTerraformState(readJson(path.join(TERRAFORM_FIXTURES, "state-modules.json"))),
            ];
            for (const inventory of [plan, state, exported, hcl, ...terraformFixtures]) {
                const printed = everythingPrinted(inventory, findings(inventory));
                assert.ok(!printed.includes(PLANTED_PREFIX));
                assert.ok(!printed.includes("apigw-guard-key-0123456789"));
                assertNoExampleLeak("entities, gaps and findings", printed);
            }
        });

        it("appears in no error about a malformed input that holds it", () => {
            const planJson = readJson(file("plan.json")) as { resource_changes: Array<{ address: string; change: Record<string, unknown> }> };
            planJson.resource_changes.filter(change => change.address.includes("api_key")).forEach(change => {
                change.change.after_unknown = PLANTED_KEY_VALUE;
                change.change.after = [PLANTED_KEY_VALUE];
            });
            const stateJson = readJson(file("state.json")) as { values: { root_module: { resources: Array<Record<string, unknown>> } } };
            stateJson.values.root_module.resources.forEach(resource => {
                if (String(resource.address).includes("api_key")) {
                    resource.address = 42;
                    resource.values = PLANTED_KEY_VALUE;
                }
            });
            for (const run of [() => inventoryFromTerraformPlan(planJson), () => inventoryFromTerraformState(stateJson)]) {
                assert.throws(run, (error: unknown) => {
                    assertNoExampleLeak("the error", { message: String((error as Error).message), stack: String((error as Error).stack) });
                    return error instanceof SourceError && !error.message.includes(PLANTED_PREFIX) && !String(error.stack).includes(PLANTED_PREFIX);
                });
            }
        });
    });
});

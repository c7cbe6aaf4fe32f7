import assert from "node:assert/strict";
import { isUnknown } from "apigw-guard/policies/model/index";
import { assertNoExampleLeak } from "../../support/planted";
import { canonicalTfType, deploymentStageRef, inventoryFromTerraformRecords, TfTypes } from "../../../sources/terraform/inventory";
import { TF_UNKNOWN } from "../../../sources/terraform/types";
import { entity, findings, PLANTED_KEY_VALUE, record, statusOf } from "./support";

const U = TF_UNKNOWN;
const API = "aws_api_gateway_rest_api.api";

/** A static read of a small API: every id unknown, links only through references. */
function staticApi() {
    return [
        record("aws_api_gateway_rest_api", "api", { name: "orders", id: U, root_resource_id: U }),
        record("aws_api_gateway_resource", "orders", { rest_api_id: U, parent_id: U, path_part: "orders" },
            { references: { rest_api_id: [API], parent_id: [API] } }),
        record("aws_api_gateway_resource", "order", { rest_api_id: U, parent_id: U, path_part: "{id}" },
            { references: { rest_api_id: [API], parent_id: ["aws_api_gateway_resource.orders"] } }),
        record("aws_api_gateway_method", "get_order", { rest_api_id: U, resource_id: U, http_method: "get", authorization: "NONE", api_key_required: true },
            { references: { rest_api_id: [API], resource_id: ["aws_api_gateway_resource.order"] } }),
        record("aws_api_gateway_method", "get_root", { rest_api_id: U, resource_id: U, http_method: "GET", authorization: "NONE" },
            { references: { rest_api_id: [API], resource_id: [API] } }),
    ];
}

describe("sources/terraform inventory mapping", () => {
    it("canonicalises record types to the TfTypes constants without changing their value", () => {
        // Built at run time, as JSON.parse hands them over: an equal string that is not the constant.
        const parsed = (JSON.parse('["aws_api_gateway_method", "random_password"]') as string[]);
        assert.equal(canonicalTfType(parsed[0]), TfTypes.method);
        assert.equal(canonicalTfType(parsed[1]), "random_password");
        assert.equal(canonicalTfType(""), "");
    });

    it("links through references while ids are unknown and derives paths from the parent chain", () => {
        const inventory = inventoryFromTerraformRecords(staticApi());
        const getOrder = entity(inventory, "aws_api_gateway_method.get_order", "method");
        assert.deepEqual(getOrder.restApi, { kind: "entity", ref: API });
        assert.equal(getOrder.path, "/orders/{id}");
        assert.equal(getOrder.httpMethod, "GET", "upper-cased");
        const root = entity(inventory, "aws_api_gateway_method.get_root", "method");
        assert.equal(root.path, "/", "resource_id = the API's root_resource_id");
        assert.equal(root.apiKeyRequired, undefined, "not written stays undefined (AWS default false)");
        assert.equal(entity(inventory, "aws_api_gateway_resource.order", "api-resource").path, "/orders/{id}");
    });

    it("links by known id first, and derives the path from ids (state)", () => {
        const inventory = inventoryFromTerraformRecords([
            record("aws_api_gateway_rest_api", "api", { id: "a1", root_resource_id: "root1" }),
            record("aws_api_gateway_resource", "orders", { id: "r1", rest_api_id: "a1", parent_id: "root1", path_part: "orders" }),
            record("aws_api_gateway_method", "get", { rest_api_id: "a1", resource_id: "r1", http_method: "GET", api_key_required: false }),
            record("aws_api_gateway_method", "elsewhere", { rest_api_id: "zz", resource_id: "r9", http_method: "GET" }),
        ]);
        const get = entity(inventory, "aws_api_gateway_method.get", "method");
        assert.deepEqual(get.restApi, { kind: "entity", ref: API });
        assert.equal(get.path, "/orders");
        const elsewhere = entity(inventory, "aws_api_gateway_method.elsewhere", "method");
        assert.deepEqual(elsewhere.restApi, { kind: "external", id: "zz" });
        assert.ok(isUnknown(elsewhere.path));
    });

    it("matches a reference to a count/for_each resource to the instance with the referrer's key", () => {
        const keys = ["a", "b"].map(key => record("aws_api_gateway_api_key", "k", { id: U, name: key }, { address: `aws_api_gateway_api_key.k["${key}"]` }));
        const attach = ["a", "b"].map(key => record("aws_api_gateway_usage_plan_key", "attach", { key_id: U, usage_plan_id: U },
            { address: `aws_api_gateway_usage_plan_key.attach["${key}"]`, references: { key_id: ["aws_api_gateway_api_key.k"] } }));
        const indexed = record("aws_api_gateway_usage_plan_key", "first", { key_id: U }, { references: { key_id: ['aws_api_gateway_api_key.k["b"]'] } });
        const bare = record("aws_api_gateway_usage_plan_key", "any", { key_id: U }, { references: { key_id: ["aws_api_gateway_api_key.k"] } });
        const inventory = inventoryFromTerraformRecords([...keys, ...attach, indexed, bare]);
        assert.deepEqual(entity(inventory, 'aws_api_gateway_usage_plan_key.attach["a"]', "usage-plan-key").apiKey, { kind: "entity", ref: 'aws_api_gateway_api_key.k["a"]' });
        assert.deepEqual(entity(inventory, 'aws_api_gateway_usage_plan_key.attach["b"]', "usage-plan-key").apiKey, { kind: "entity", ref: 'aws_api_gateway_api_key.k["b"]' });
        assert.deepEqual(entity(inventory, "aws_api_gateway_usage_plan_key.first", "usage-plan-key").apiKey, { kind: "entity", ref: 'aws_api_gateway_api_key.k["b"]' });
        const any = entity(inventory, "aws_api_gateway_usage_plan_key.any", "usage-plan-key").apiKey;
        assert.equal(any.kind, "unknown", "two instances and no key to choose by: not a guess");
    });

    it("matches references inside a module instance to the same module instance", () => {
        const records = [0, 1].flatMap(index => {
            const prefix = `module.api[${index}]`;
            return [
                record("aws_api_gateway_rest_api", "api", { id: U }, { address: `${prefix}.${API}`, modulePath: prefix }),
                record("aws_api_gateway_stage", "prod", { rest_api_id: U, stage_name: "prod" },
                    { address: `${prefix}.aws_api_gateway_stage.prod`, modulePath: prefix, references: { rest_api_id: [`module.api.${API}`] } }),
            ];
        });
        const inventory = inventoryFromTerraformRecords(records);
        assert.deepEqual(entity(inventory, "module.api[1].aws_api_gateway_stage.prod", "stage").restApi, { kind: "entity", ref: `module.api[1].${API}` });
        assert.deepEqual(entity(inventory, "module.api[0].aws_api_gateway_stage.prod", "stage").restApi, { kind: "entity", ref: `module.api[0].${API}` });
    });

    it("tells how a key value is held: plain text in code, secret, generated, or absent", () => {
        const key = (name: string, value: unknown, extra: Parameters<typeof record>[3] = {}) =>
            record("aws_api_gateway_api_key", name, { name, value }, { sensitivePaths: new Set(["value"]), ...extra });
        const inventory = inventoryFromTerraformRecords([
            record("random_password", "pw", { result: U }),
            key("literal", PLANTED_KEY_VALUE, { configured: { value: "constant" }, actions: ["create"] }),
            key("hcl_literal", PLANTED_KEY_VALUE, { attributeLines: { value: 3 } }),
            key("from_var", PLANTED_KEY_VALUE, { configured: { value: "expression" }, actions: ["create"] }),
            key("in_state", PLANTED_KEY_VALUE),
            key("generated", U, { references: { value: ["random_password.pw"] }, configured: { value: "expression" }, actions: ["create"] }),
            key("aws_generated", U, { configured: { name: "constant" }, actions: ["create"] }),
            key("unresolved", U, { configured: { value: "expression" } }),
            key("absent", null),
            key("malformed", 42),
        ]);
        const handling = (name: string) => entity(inventory, `aws_api_gateway_api_key.${name}`, "api-key").value;
        assert.equal(handling("literal").handling, "plaintext", "a literal in configuration is plain text in code, sensitive or not");
        assert.equal(handling("hcl_literal").handling, "plaintext", "a static read knows only values written in code");
        assert.deepEqual([handling("from_var").handling, handling("from_var").origin], ["secret", "program"], "supplied, not generated");
        assert.deepEqual([handling("in_state").handling, handling("in_state").origin], ["secret", undefined], "sensitive in state; its origin cannot be told");
        assert.equal(handling("generated").handling, "generated");
        assert.equal(handling("aws_generated").handling, "absent", "not configured: AWS generates it");
        assert.equal(handling("unresolved").handling, "secret", "Terraform marks the value sensitive");
        assert.equal(handling("unresolved").origin, "program");
        assert.equal(handling("generated").origin, undefined);
        assert.equal(handling("absent").handling, "absent");
        assert.ok(isUnknown(handling("malformed").handling));
        assert.equal(handling("literal").fingerprint, handling("in_state").fingerprint, "equal values, equal fingerprints");
        assert.equal(handling("literal").length, PLANTED_KEY_VALUE.length);
        assert.ok(!JSON.stringify([...inventory.all()]).includes(PLANTED_KEY_VALUE));
        assertNoExampleLeak("the model", JSON.stringify({ entities: [...inventory.all()], gaps: inventory.gaps }));
    });

    it("holds a usage-plan key's copy of the key value as a secret, never as plain text", () => {
        const inventory = inventoryFromTerraformRecords([
            record("aws_api_gateway_usage_plan_key", "known", { key_id: "k1", usage_plan_id: "p1", value: PLANTED_KEY_VALUE }),
            record("aws_api_gateway_usage_plan_key", "planned", { key_id: U, usage_plan_id: U, value: U }, { actions: ["create"] }),
            record("aws_api_gateway_usage_plan_key", "config", { key_id: U, usage_plan_id: U }),
        ]);
        const known = entity(inventory, "aws_api_gateway_usage_plan_key.known", "usage-plan-key");
        assert.equal(known.value?.handling, "secret");
        assert.equal(typeof known.value?.fingerprint, "string");
        assert.equal(entity(inventory, "aws_api_gateway_usage_plan_key.planned", "usage-plan-key").value?.handling, "secret");
        assert.equal(entity(inventory, "aws_api_gateway_usage_plan_key.config", "usage-plan-key").value, undefined);
        assert.equal(statusOf(findings(inventory), "apigateway-api-key-value-secret", "aws_api_gateway_usage_plan_key.known"), "not-applicable");
    });

    it("reads Terraform's empty strings and never-expire retention as 'not set', and a zero usage-plan limit as the 0 it is", () => {
        const inventory = inventoryFromTerraformRecords([
            record("aws_api_gateway_usage_plan", "plan", {
                api_stages: [],
                throttle_settings: [{ rate_limit: 0, burst_limit: 20 }],
                quota_settings: [{ limit: 0, offset: 0, period: "month" }],
            }),
            record("aws_api_gateway_usage_plan", "none", { api_stages: [], throttle_settings: [], quota_settings: [] }),
            record("aws_cloudwatch_log_group", "forever", { name: "/x", retention_in_days: 0 }),
            record("aws_api_gateway_account", "account", { cloudwatch_role_arn: "" }),
            record("aws_api_gateway_stage", "prod", { rest_api_id: "a1", stage_name: "prod", web_acl_arn: "", access_log_settings: [] }),
        ]);
        const plan = entity(inventory, "aws_api_gateway_usage_plan.plan", "usage-plan");
        // The provider stores an unset limit as 0 and AWS applies no limit for it: the rule fails
        // it, and says it is 0 (what the plan holds) rather than "not set" (which the user may not
        // have written).
        assert.deepEqual(plan.throttle, { rateLimit: 0, burstLimit: 20 });
        assert.deepEqual(plan.quota, { limit: 0, period: "MONTH", offset: 0 });
        const limits = findings(inventory).find(f => f.ruleId === "apigateway-usage-plan-limits" && f.entity?.ref === plan.ref);
        assert.equal(limits?.status, "fail");
        assert.match(limits.message, /throttle rateLimit is 0: set it above 0/);
        assert.match(limits.message, /quota limit is 0: set it above 0/);
        const none = entity(inventory, "aws_api_gateway_usage_plan.none", "usage-plan");
        assert.equal(none.throttle, undefined);
        assert.equal(none.quota, undefined);
        assert.equal(entity(inventory, "aws_cloudwatch_log_group.forever", "log-group").retentionInDays, undefined, "0 = never expire");
        assert.equal(entity(inventory, "aws_api_gateway_account.account", "account").cloudwatchRoleArn, undefined);
        const stage = entity(inventory, "aws_api_gateway_stage.prod", "stage");
        assert.equal(stage.webAclArn, undefined);
        assert.equal(stage.accessLogSettings, undefined, "an empty block list is no block");
    });

    it("reads a stage's computed web ACL as 'none' only while the stage is being created", () => {
        const inventory = inventoryFromTerraformRecords([
            record("aws_api_gateway_stage", "new", { stage_name: "a", web_acl_arn: U }, { actions: ["create"] }),
            record("aws_api_gateway_stage", "replaced", { stage_name: "b", web_acl_arn: U }, { actions: ["delete", "create"] }),
            record("aws_api_gateway_stage", "updated", { stage_name: "c", web_acl_arn: U }, { actions: ["update"] }),
        ]);
        assert.equal(entity(inventory, "aws_api_gateway_stage.new", "stage").webAclArn, undefined);
        assert.equal(entity(inventory, "aws_api_gateway_stage.replaced", "stage").webAclArn, undefined);
        assert.ok(isUnknown(entity(inventory, "aws_api_gateway_stage.updated", "stage").webAclArn));
    });

    it("takes an unset key source from the OpenAPI body, else AWS's default; unknown only when configured", () => {
        const api = (name: string, values: Record<string, unknown>, configured?: Record<string, "constant" | "expression">) =>
            record("aws_api_gateway_rest_api", name, values, { actions: ["create"], ...(configured ? { configured } : {}) });
        const inventory = inventoryFromTerraformRecords([
            api("default", { api_key_source: U, name: "x" }, { name: "constant" }),
            api("json_body", { api_key_source: U, body: '{"openapi":"3.0.1","x-amazon-apigateway-api-key-source":"AUTHORIZER"}' }, { body: "constant" }),
            api("yaml_body", { api_key_source: U, body: "openapi: 3.0.1\nx-amazon-apigateway-api-key-source: HEADER\n" }, { body: "expression" }),
            api("configured", { api_key_source: U }, { api_key_source: "expression" }),
            api("no_config_info", { api_key_source: U }),
            api("explicit", { api_key_source: "header", body: '{"x-amazon-apigateway-api-key-source":"AUTHORIZER"}' }, { api_key_source: "constant", body: "constant" }),
        ]);
        const source = (name: string) => entity(inventory, `aws_api_gateway_rest_api.${name}`, "rest-api").apiKeySource;
        assert.equal(source("default"), undefined);
        assert.equal(source("json_body"), "AUTHORIZER");
        assert.equal(source("yaml_body"), "HEADER");
        assert.ok(isUnknown(source("configured")));
        assert.ok(isUnknown(source("no_config_info")));
        assert.equal(source("explicit"), "HEADER", "the argument overrides the body");
    });

    it("turns HCL attribute lines into field lines (a nested attribute not written points at its block)", () => {
        const inventory = inventoryFromTerraformRecords([
            record("aws_api_gateway_method", "get", { http_method: "GET", api_key_required: false, authorization: "NONE" },
                { file: "main.tf", line: 10, attributeLines: { http_method: 12, api_key_required: 14, authorization: 13 } }),
            record("aws_api_gateway_method_settings", "all", { stage_name: "prod", method_path: "*/*", settings: [{ logging_level: "INFO" }] },
                { file: "main.tf", line: 20, attributeLines: { stage_name: 21, method_path: 22, settings: 23, "settings.logging_level": 24 } }),
        ]);
        const method = entity(inventory, "aws_api_gateway_method.get", "method");
        assert.deepEqual(method.provenance.fieldLines, { httpMethod: 12, apiKeyRequired: 14, authorizationType: 13 });
        assert.equal(method.provenance.line, 10);
        assert.equal(method.provenance.file, "main.tf");
        const settings = entity(inventory, "aws_api_gateway_method_settings.all", "method-settings");
        assert.equal(settings.provenance.fieldLines?.loggingLevel, 24);
        assert.equal(settings.provenance.fieldLines?.metricsEnabled, 23, "metrics_enabled would go in the settings block");
        assert.equal(settings.provenance.resourceType, "aws_api_gateway_method_settings");
    });

    it("models a deployment's deprecated inline stage unless a stage resource manages it", () => {
        const inventory = inventoryFromTerraformRecords([
            record("aws_api_gateway_rest_api", "api", { id: "a1" }),
            record("aws_api_gateway_deployment", "inline", { rest_api_id: "a1", stage_name: "v1" }),
            record("aws_api_gateway_deployment", "managed", { rest_api_id: "a1", stage_name: "prod" }),
            record("aws_api_gateway_deployment", "plain", { rest_api_id: "a1", stage_name: null }),
            record("aws_api_gateway_stage", "prod", { rest_api_id: "a1", stage_name: "prod" }),
            record("aws_api_gateway_method_settings", "v1_all", { rest_api_id: "a1", stage_name: "v1", method_path: "*/*", settings: [] }),
        ]);
        const stages = inventory.ofKind("stage").map(stage => stage.ref).sort();
        assert.deepEqual(stages, [deploymentStageRef("aws_api_gateway_deployment.inline"), "aws_api_gateway_stage.prod"]);
        const inline = entity(inventory, deploymentStageRef("aws_api_gateway_deployment.inline"), "stage");
        assert.equal(inline.stageName, "v1");
        assert.equal(inline.accessLogSettings, undefined);
        assert.equal(inline.provenance.address, "aws_api_gateway_deployment.inline");
        assert.deepEqual(entity(inventory, "aws_api_gateway_method_settings.v1_all", "method-settings").stage,
            { kind: "entity", ref: deploymentStageRef("aws_api_gateway_deployment.inline") });
        assert.equal(statusOf(findings(inventory), "apigateway-stage-access-logging", deploymentStageRef("aws_api_gateway_deployment.inline")), "fail");
    });

    it("links method settings, usage-plan stages, access-log groups and web ACL associations", () => {
        const stageArn = "arn:aws:apigateway:us-east-1::/restapis/a1/stages/prod";
        const logArn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/prod";
        const inventory = inventoryFromTerraformRecords([
            record("aws_api_gateway_rest_api", "api", { id: "a1" }),
            record("aws_cloudwatch_log_group", "prod", { name: "/aws/apigateway/prod", arn: logArn, retention_in_days: 365 }),
            record("aws_api_gateway_stage", "prod", { rest_api_id: "a1", stage_name: "prod", arn: stageArn,
                access_log_settings: [{ destination_arn: `${logArn}:*`, format: "$context.requestId" }] }),
            record("aws_api_gateway_method_settings", "all", { rest_api_id: "a1", stage_name: "prod", method_path: "*/*" }),
            record("aws_api_gateway_usage_plan", "plan", { api_stages: [{ api_id: "a1", stage: "prod" }, { api_id: "other", stage: "beta" }] }),
            record("aws_wafv2_web_acl_association", "by_arn", { resource_arn: stageArn, web_acl_arn: "arn:aws:wafv2:acl" }),
            record("aws_wafregional_web_acl_association", "by_ref", { resource_arn: U, web_acl_id: "acl-1" },
                { references: { resource_arn: ["aws_api_gateway_stage.prod"] } }),
        ]);
        const stageLink = { kind: "entity", ref: "aws_api_gateway_stage.prod" };
        assert.deepEqual(entity(inventory, "aws_api_gateway_method_settings.all", "method-settings").stage, stageLink);
        const plan = entity(inventory, "aws_api_gateway_usage_plan.plan", "usage-plan");
        assert.ok(Array.isArray(plan.apiStages));
        assert.deepEqual(plan.apiStages[0].stage, stageLink);
        assert.deepEqual(plan.apiStages[1].stage, { kind: "external", id: "other/beta" });
        const access = entity(inventory, "aws_api_gateway_stage.prod", "stage").accessLogSettings;
        assert.ok(access && !isUnknown(access));
        assert.deepEqual(access.destination, { kind: "entity", ref: "aws_cloudwatch_log_group.prod" }, "the ':*' suffix is ignored");
        assert.deepEqual(entity(inventory, "aws_wafv2_web_acl_association.by_arn", "web-acl-association").target, stageLink);
        const regional = entity(inventory, "aws_wafregional_web_acl_association.by_ref", "web-acl-association");
        assert.deepEqual(regional.target, stageLink);
        assert.equal(regional.webAclArn, "acl-1");
    });

    it("maps HTTP API (v2) APIs, routes and stages", () => {
        const inventory = inventoryFromTerraformRecords([
            record("aws_apigatewayv2_api", "ws", { id: U, protocol_type: "WEBSOCKET" }),
            record("aws_apigatewayv2_route", "connect", { api_id: U, route_key: "$connect", authorization_type: "NONE", api_key_required: false },
                { references: { api_id: ["aws_apigatewayv2_api.ws"] } }),
            record("aws_apigatewayv2_stage", "live", {
                api_id: U, name: "live", arn: U,
                access_log_settings: [{ destination_arn: "arn:aws:logs:us-east-1:123456789012:log-group:/ws", format: "$context.requestId" }],
                default_route_settings: [{ logging_level: "error", data_trace_enabled: false }],
            }, { references: { api_id: ["aws_apigatewayv2_api.ws"] } }),
        ]);
        const stage = entity(inventory, "aws_apigatewayv2_stage.live", "stage");
        assert.equal(stage.apiVersion, "v2");
        assert.deepEqual(stage.restApi, { kind: "entity", ref: "aws_apigatewayv2_api.ws" });
        assert.equal(stage.stageName, "live");
        assert.equal(stage.v2LoggingLevel, "ERROR");
        const route = entity(inventory, "aws_apigatewayv2_route.connect", "v2-route");
        assert.deepEqual(route.api, { kind: "entity", ref: "aws_apigatewayv2_api.ws" });
        assert.equal(route.apiKeyRequired, false);
        const list = findings(inventory);
        assert.equal(statusOf(list, "apigateway-v2-route-authorization", "aws_apigatewayv2_route.connect"), "fail");
        assert.equal(statusOf(list, "apigateway-stage-execution-logging", "aws_apigatewayv2_stage.live"), "pass");
        assert.equal(statusOf(list, "apigateway-stage-access-logging", "aws_apigatewayv2_stage.live"), "pass");
    });

    it("reads a WebSocket stage's default_route_settings and route_settings data trace, and judges them", () => {
        const ws = record("aws_apigatewayv2_api", "ws", { id: U, protocol_type: "WEBSOCKET" });
        const refs = { references: { api_id: ["aws_apigatewayv2_api.ws"] } };
        const inventory = inventoryFromTerraformRecords([
            ws,
            record("aws_apigatewayv2_stage", "traced", {
                api_id: U, name: "traced",
                default_route_settings: [{ data_trace_enabled: true, detailed_metrics_enabled: false, logging_level: "INFO", throttling_burst_limit: 500, throttling_rate_limit: 1000 }],
            }, { ...refs, attributeLines: { default_route_settings: 4, "default_route_settings.data_trace_enabled": 5 } }),
            record("aws_apigatewayv2_stage", "route_traced", {
                api_id: U, name: "route_traced",
                default_route_settings: [{ data_trace_enabled: false, detailed_metrics_enabled: false, logging_level: "ERROR" }],
                route_settings: [
                    { route_key: "$connect", data_trace_enabled: false, detailed_metrics_enabled: false, logging_level: "ERROR" },
                    { route_key: "sendmessage", data_trace_enabled: true, detailed_metrics_enabled: false, logging_level: "INFO" },
                ],
            }, refs),
            record("aws_apigatewayv2_stage", "quiet", {
                api_id: U, name: "quiet",
                default_route_settings: [{ data_trace_enabled: false, detailed_metrics_enabled: false, logging_level: "ERROR" }],
            }, refs),
        ]);
        const traced = entity(inventory, "aws_apigatewayv2_stage.traced", "stage");
        assert.equal(traced.v2DataTraceEnabled, true);
        assert.equal(traced.v2RouteSettings, undefined);
        assert.equal(traced.provenance.fieldLines?.v2DataTraceEnabled, 5);
        const routes = entity(inventory, "aws_apigatewayv2_stage.route_traced", "stage").v2RouteSettings;
        assert.deepEqual(routes, [
            { routeKey: "$connect", loggingLevel: "ERROR", dataTraceEnabled: false },
            { routeKey: "sendmessage", loggingLevel: "INFO", dataTraceEnabled: true },
        ]);
        const list = findings(inventory);
        assert.equal(statusOf(list, "apigateway-stage-execution-logging", "aws_apigatewayv2_stage.traced"), "fail");
        assert.equal(statusOf(list, "apigateway-stage-execution-logging", "aws_apigatewayv2_stage.route_traced"), "fail");
        assert.equal(statusOf(list, "apigateway-stage-execution-logging", "aws_apigatewayv2_stage.quiet"), "pass");
    });

    it("takes a v2 stage's unconfigured logging_level (optional+computed, unknown in a create plan) as AWS's default, and keeps a configured one unknown", () => {
        const ws = record("aws_apigatewayv2_api", "ws", { id: U, protocol_type: "WEBSOCKET" }, { actions: ["create"] });
        const planned = (name: string, configured: Record<string, "constant" | "expression" | "block">) => record("aws_apigatewayv2_stage", name, {
            api_id: U, name, arn: U,
            default_route_settings: [{ data_trace_enabled: false, detailed_metrics_enabled: false, logging_level: U }],
        }, { references: { api_id: ["aws_apigatewayv2_api.ws"] }, actions: ["create"], configured });
        const inventory = inventoryFromTerraformRecords([
            ws,
            planned("unset", { api_id: "expression", name: "constant", default_route_settings: "block", "default_route_settings.data_trace_enabled": "constant" }),
            planned("from_var", { api_id: "expression", name: "constant", default_route_settings: "block", "default_route_settings.logging_level": "expression" }),
        ]);
        assert.equal(entity(inventory, "aws_apigatewayv2_stage.unset", "stage").v2LoggingLevel, undefined);
        assert.ok(isUnknown(entity(inventory, "aws_apigatewayv2_stage.from_var", "stage").v2LoggingLevel));
        const list = findings(inventory);
        assert.equal(statusOf(list, "apigateway-stage-execution-logging", "aws_apigatewayv2_stage.unset"), "fail");
        assert.equal(statusOf(list, "apigateway-stage-execution-logging", "aws_apigatewayv2_stage.from_var"), "unknown");
    });

    it("maps an HTTP/WebSocket (v2) custom domain to a domain name judged by its domain_name_configuration security policy", () => {
        const inventory = inventoryFromTerraformRecords([
            record("aws_apigatewayv2_domain_name", "strict", {
                domain_name: "ws.example.com",
                domain_name_configuration: [{ certificate_arn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc", endpoint_type: "REGIONAL", security_policy: "TLS_1_2" }],
            }, { attributeLines: { domain_name: 2, domain_name_configuration: 3, "domain_name_configuration.security_policy": 6 } }),
            record("aws_apigatewayv2_domain_name", "legacy", {
                domain_name: "old.example.com",
                domain_name_configuration: [{ certificate_arn: "arn:aws:acm:eu-west-1:123456789012:certificate/def", endpoint_type: "REGIONAL", security_policy: "tls_1_0" }],
            }),
            record("aws_apigatewayv2_domain_name", "planned", {
                domain_name: "new.example.com",
                domain_name_configuration: [{ certificate_arn: U, endpoint_type: "REGIONAL", security_policy: U }],
            }, { actions: ["create"] }),
        ]);
        const strict = entity(inventory, "aws_apigatewayv2_domain_name.strict", "domain-name");
        assert.equal(strict.domainName, "ws.example.com");
        assert.equal(strict.securityPolicy, "TLS_1_2");
        assert.equal(strict.provenance.fieldLines?.securityPolicy, 6, "a finding points at the security_policy line");
        assert.equal(entity(inventory, "aws_apigatewayv2_domain_name.legacy", "domain-name").securityPolicy, "TLS_1_0");
        const list = findings(inventory);
        assert.equal(statusOf(list, "apigateway-domain-tls12", "aws_apigatewayv2_domain_name.strict"), "pass");
        assert.equal(statusOf(list, "apigateway-domain-tls12", "aws_apigatewayv2_domain_name.legacy"), "fail");
        assert.equal(statusOf(list, "apigateway-domain-tls12", "aws_apigatewayv2_domain_name.planned"), "unknown");
    });

    it("reads a usage plan stage set to a deployment's id (a real module's shape) as naming no stage: the plan fails and its keys are unused", () => {
        const DEPLOYMENT = "aws_api_gateway_deployment.stage_api";
        const inventory = inventoryFromTerraformRecords([
            record("aws_api_gateway_rest_api", "api", { name: "messages", id: U, root_resource_id: U }),
            record("aws_api_gateway_deployment", "stage_api", { rest_api_id: U, id: U }, { references: { rest_api_id: [API] } }),
            record("aws_api_gateway_stage", "examplea", { rest_api_id: U, deployment_id: U, stage_name: "test" },
                { references: { rest_api_id: [API], deployment_id: [DEPLOYMENT] } }),
            record("aws_api_gateway_usage_plan", "api", {
                name: "messages", api_stages: [{ api_id: U, stage: U }],
                throttle_settings: [{ burst_limit: 100, rate_limit: 50 }], quota_settings: [{ limit: 1000, period: "DAY" }],
            }, { references: { api_stages: [API, DEPLOYMENT] } }),
            record("aws_api_gateway_api_key", "apikey", { name: "messages", value: U }),
            record("aws_api_gateway_usage_plan_key", "key", { key_id: U, key_type: "API_KEY", usage_plan_id: U },
                { references: { key_id: ["aws_api_gateway_api_key.apikey"], usage_plan_id: ["aws_api_gateway_usage_plan.api"] } }),
        ]);
        const plan = entity(inventory, "aws_api_gateway_usage_plan.api", "usage-plan");
        assert.ok(Array.isArray(plan.apiStages));
        assert.equal(plan.apiStages[0].stageNameIsIdOf, DEPLOYMENT);
        const list = findings(inventory);
        assert.equal(statusOf(list, "apigateway-usage-plan-limits", "aws_api_gateway_usage_plan.api"), "fail");
        assert.equal(statusOf(list, "apigateway-api-key-unused", "aws_api_gateway_api_key.apikey"), "fail");
    });

    it("does not take a deployment's id for the stage when the plan also refers to a stage, or the deployment has an inline stage", () => {
        const withStageRef = inventoryFromTerraformRecords([
            record("aws_api_gateway_rest_api", "api", { id: U }),
            record("aws_api_gateway_deployment", "d", { rest_api_id: U }, { references: { rest_api_id: [API] } }),
            record("aws_api_gateway_stage", "prod", { rest_api_id: U, stage_name: U }, { references: { rest_api_id: [API] } }),
            record("aws_api_gateway_usage_plan", "plan", { api_stages: [{ api_id: U, stage: U }] },
                { references: { api_stages: [API, "aws_api_gateway_deployment.d", "aws_api_gateway_stage.prod"] } }),
        ]);
        const linked = entity(withStageRef, "aws_api_gateway_usage_plan.plan", "usage-plan").apiStages;
        assert.ok(Array.isArray(linked));
        assert.equal(linked[0].stageNameIsIdOf, undefined);
        assert.deepEqual(linked[0].stage, { kind: "entity", ref: "aws_api_gateway_stage.prod" });
        const inline = inventoryFromTerraformRecords([
            record("aws_api_gateway_rest_api", "api", { id: U }),
            record("aws_api_gateway_deployment", "d", { rest_api_id: U, stage_name: U }, { references: { rest_api_id: [API] } }),
            record("aws_api_gateway_usage_plan", "plan", { api_stages: [{ api_id: U, stage: U }] },
                { references: { api_stages: [API, "aws_api_gateway_deployment.d"] } }),
        ]);
        const inlineStages = entity(inline, "aws_api_gateway_usage_plan.plan", "usage-plan").apiStages;
        assert.ok(Array.isArray(inlineStages));
        assert.equal(inlineStages[0].stageNameIsIdOf, undefined);
    });

    it("counts a plan whose blocks each name one of the stages it refers to as serving a stage, though which is which cannot be told", () => {
        const stage = (name: string) => record("aws_api_gateway_stage", name, { rest_api_id: U, stage_name: U }, { references: { rest_api_id: [API] } });
        const inventory = inventoryFromTerraformRecords([
            record("aws_api_gateway_rest_api", "api", { id: U }),
            stage("stage_1"), stage("stage_2"),
            record("aws_api_gateway_usage_plan", "plan", { api_stages: [{ api_id: U, stage: U }, { api_id: U, stage: U }] },
                { references: { api_stages: [API, "aws_api_gateway_stage.stage_1", "aws_api_gateway_stage.stage_2"] } }),
            record("aws_api_gateway_api_key", "key", { value: U }),
            record("aws_api_gateway_usage_plan_key", "attach", { key_id: U, usage_plan_id: U },
                { references: { key_id: ["aws_api_gateway_api_key.key"], usage_plan_id: ["aws_api_gateway_usage_plan.plan"] } }),
        ]);
        const apiStages = entity(inventory, "aws_api_gateway_usage_plan.plan", "usage-plan").apiStages;
        assert.ok(Array.isArray(apiStages));
        assert.deepEqual(apiStages.map(s => s.stageCandidates), [
            ["aws_api_gateway_stage.stage_1", "aws_api_gateway_stage.stage_2"], ["aws_api_gateway_stage.stage_1", "aws_api_gateway_stage.stage_2"],
        ]);
        assert.equal(statusOf(findings(inventory), "apigateway-api-key-unused", "aws_api_gateway_api_key.key"), "pass");
    });

    it("takes an unresolved stage name from the stage it refers to", () => {
        const inventory = inventoryFromTerraformRecords([
            record("aws_api_gateway_rest_api", "api", { id: U }),
            record("aws_api_gateway_stage", "prod", { rest_api_id: U, stage_name: "prod" }, { references: { rest_api_id: [API] } }),
            record("aws_api_gateway_usage_plan", "plan", { api_stages: [{ api_id: U, stage: U }] },
                { references: { api_stages: [API, "aws_api_gateway_stage.prod"] } }),
        ]);
        const plan = entity(inventory, "aws_api_gateway_usage_plan.plan", "usage-plan");
        assert.ok(Array.isArray(plan.apiStages));
        assert.equal(plan.apiStages[0].stageName, "prod");
        assert.deepEqual(plan.apiStages[0].restApi, { kind: "entity", ref: API });
    });

    it("gives no path for a parent chain that loops", () => {
        const inventory = inventoryFromTerraformRecords([
            record("aws_api_gateway_resource", "a", { id: "ra", parent_id: "rb", path_part: "a" }),
            record("aws_api_gateway_resource", "b", { id: "rb", parent_id: "ra", path_part: "b" }),
        ]);
        assert.ok(isUnknown(entity(inventory, "aws_api_gateway_resource.a", "api-resource").path));
        assert.ok(isUnknown(entity(inventory, "aws_api_gateway_resource.b", "api-resource").path));
    });

    it("skips data sources and other types, reports duplicates as gaps, and never echoes a value in a reason", () => {
        const inventory = inventoryFromTerraformRecords([
            record("aws_region", "current", { name: "us-east-1" }, { mode: "data" }),
            record("aws_s3_bucket", "b", { bucket: "x" }),
            record("aws_api_gateway_domain_name", "d", { domain_name: "api.example.com", security_policy: ["TLS_1_0"] }),
            record("aws_api_gateway_domain_name", "d", { domain_name: "again" }),
        ]);
        assert.equal(inventory.size, 1);
        assert.equal(inventory.gaps.length, 1);
        const policy = entity(inventory, "aws_api_gateway_domain_name.d", "domain-name").securityPolicy;
        assert.ok(isUnknown(policy));
        assert.match(policy.reason ?? "", /security_policy/);
        assert.ok(!(policy.reason ?? "").includes("TLS_1_0"));
    });

    it("derives the path of a deep parent chain whatever the order of the records", () => {
        const records = [record("aws_api_gateway_rest_api", "api", { id: U })];
        let parent = API;
        for (let i = 0; i < 1500; i++) {
            const name = `r${i}`;
            records.push(record("aws_api_gateway_resource", name, { rest_api_id: U, parent_id: U, path_part: `p${i}` },
                { references: { rest_api_id: [API], parent_id: [parent] } }));
            parent = `aws_api_gateway_resource.${name}`;
        }
        records.push(record("aws_api_gateway_method", "deepest", { rest_api_id: U, resource_id: U, http_method: "GET" },
            { references: { rest_api_id: [API], resource_id: [parent] } }));
        // Deepest first, so the whole chain is walked before anything is cached.
        const inventory = inventoryFromTerraformRecords(records.reverse());
        const deepest = entity(inventory, "aws_api_gateway_method.deepest", "method");
        assert.equal(typeof deepest.path === "string" && deepest.path.split("/").length, 1501);
        assert.equal(entity(inventory, "aws_api_gateway_resource.r2", "api-resource").path, "/p0/p1/p2");
    });

    it("stays linear: links are index lookups, so thousands of resources map quickly", () => {
        const records = [record("aws_api_gateway_rest_api", "api", { id: U })];
        for (let i = 0; i < 2500; i++) {
            records.push(
                record("aws_api_gateway_resource", `r${i}`, { rest_api_id: U, parent_id: U, path_part: `p${i}` },
                    { references: { rest_api_id: [API], parent_id: [API] } }),
                record("aws_api_gateway_method", `m${i}`, { rest_api_id: U, resource_id: U, http_method: "GET" },
                    { references: { rest_api_id: [API], resource_id: [`aws_api_gateway_resource.r${i}`] } }),
                record("aws_api_gateway_api_key", `k${i}`, { id: U, value: U }),
                record("aws_api_gateway_usage_plan_key", `a${i}`, { key_id: U, usage_plan_id: U },
                    { references: { key_id: [`aws_api_gateway_api_key.k${i}`] } }),
            );
        }
        const started = Date.now();
        const inventory = inventoryFromTerraformRecords(records);
        const elapsed = Date.now() - started;
        assert.equal(inventory.size, 10001);
        assert.equal(entity(inventory, "aws_api_gateway_method.m2499", "method").path, "/p2499");
        assert.deepEqual(entity(inventory, "aws_api_gateway_usage_plan_key.a7", "usage-plan-key").apiKey, { kind: "entity", ref: "aws_api_gateway_api_key.k7" });
        // Quadratic joins over 10,000 entities would take minutes; this allows for a slow, busy machine.
        assert.ok(elapsed < 10000, `took ${elapsed} ms`);
    });
});

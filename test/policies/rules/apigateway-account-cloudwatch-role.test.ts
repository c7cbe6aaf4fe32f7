import assert from "node:assert/strict";
import rule from "apigw-guard/policies/rules/apigateway-account-cloudwatch-role";
import { Entity, entityLink, Inventory, unknown, unknownLink } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner, outcomeFor } from "./support";

const now = new Date("2026-12-01T00:00:00Z");
const PROD = exampleRef("stage", "prod");
const ACCOUNT = exampleRef("account", "account");

const run = ruleRunner(rule, now);


const api = example.restApi("api");
const prod = example.stage("prod");
const logsErrors = example.methodSettings("prod-all", { loggingLevel: "ERROR" });

describe("apigateway-account-cloudwatch-role", () => {
    it("passes account settings with a CloudWatch role when a stage logs", () => {
        const outcomes = run([api, prod, logsErrors, example.account("account")]);
        assert.equal(outcomes.length, 1);
        const outcome = outcomeFor(outcomes, ACCOUNT);
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /account settings 'account' name a CloudWatch role.*REST API stage 'prod'/);
    });

    it("fails account settings without a role when a stage logs, naming both and the fix", () => {
        const outcome = outcomeFor(run([api, prod, logsErrors, example.account("account", { cloudwatchRoleArn: undefined })]), ACCOUNT);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /API Gateway account settings 'account' have no cloudwatchRoleArn, but execution logging is on for REST API stage 'prod'/);
        assert.match(outcome.message, /Set cloudwatchRoleArn to a role that apigateway\.amazonaws\.com can assume/);
    });

    it("treats an empty role ARN as none", () => {
        assert.equal(outcomeFor(run([api, prod, logsErrors, example.account("account", { cloudwatchRoleArn: "" })]), ACCOUNT).status, "fail");
    });

    it("is unknown on the stage when the account settings are not in the inventory", () => {
        const outcomes = run([api, prod, logsErrors]);
        assert.equal(outcomes.length, 1);
        const outcome = outcomeFor(outcomes, PROD);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /execution logs of REST API stage 'prod'.*account-level CloudWatch role .* is not managed here, so it cannot be verified/);
    });

    it("needs the role for logging on a single method too", () => {
        const outcomes = run([api, prod, example.methodSettings("prod-all", { loggingLevel: "OFF" }),
            example.methodSettings("orders-get", { methodPath: "orders/GET", loggingLevel: "INFO" }),
            example.account("account", { cloudwatchRoleArn: undefined })]);
        assert.equal(outcomeFor(outcomes, ACCOUNT).status, "fail");
    });

    it("is not applicable when no stage turns on execution logging", () => {
        const outcomes = run([api, prod, example.methodSettings("prod-all", { loggingLevel: "OFF" }), example.account("account", { cloudwatchRoleArn: undefined })]);
        assert.equal(outcomes.length, 1);
        assert.equal(outcomes[0].status, "not-applicable");
        assert.match(outcomes[0].message, /no stage in this inventory turns on execution logging/);
        assert.deepEqual(run([api, prod]), []);
    });

    it("is unknown when the role ARN is computed", () => {
        const outcome = outcomeFor(run([api, prod, logsErrors, example.account("account", { cloudwatchRoleArn: unknown("computed: known only after the update") })]), ACCOUNT);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet whether API Gateway account settings 'account' name a CloudWatch role.*: computed: known only after the update$/);
    });

    it("is unknown when the logging level is computed and no role is set", () => {
        const settings = example.methodSettings("prod-all", { loggingLevel: unknown("computed: known only after the update") });
        const withoutRole = outcomeFor(run([api, prod, settings, example.account("account", { cloudwatchRoleArn: undefined })]), ACCOUNT);
        assert.equal(withoutRole.status, "unknown");
        assert.match(withoutRole.message, /logging level of REST API stage 'prod' is not known yet/);
        // With a role the answer does not depend on the level.
        assert.equal(outcomeFor(run([api, prod, settings, example.account("account")]), ACCOUNT).status, "pass");
    });

    it("puts the outcome on the method settings when their stage cannot be identified", () => {
        const settings = example.methodSettings("prod-all", { stage: unknownLink("computed"), stageName: unknown("computed") });
        const outcomes = run([api, prod, settings]);
        const outcome = outcomeFor(outcomes, settings.ref);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /method settings 'prod-all'/);
    });

    it("matches account settings and stages by region", () => {
        const euStage = example.stage("eu", { region: "eu-west-1" });
        const euSettings = example.methodSettings("eu-all", { stage: entityLink(euStage.ref), stageName: "eu" });
        const usAccount = example.account("account", { region: "us-east-1", cloudwatchRoleArn: undefined });
        const outcomes = run([api, euStage, euSettings, usAccount]);
        assert.equal(outcomeFor(outcomes, ACCOUNT).status, "not-applicable");
        const stageOutcome = outcomeFor(outcomes, euStage.ref);
        assert.equal(stageOutcome.status, "unknown");
        assert.match(stageOutcome.message, /account settings in eu-west-1\) is not managed here/);
    });

    it("counts WebSocket stages that log, and ignores HTTP APIs", () => {
        const ws = example.v2Api("ws", { protocolType: "WEBSOCKET" });
        const http = example.v2Api("http", { protocolType: "HTTP" });
        const wsStage = example.stage("ws-prod", { apiVersion: "v2", restApi: entityLink(ws.ref), v2LoggingLevel: "INFO" });
        const httpStage = example.stage("http-prod", { apiVersion: "v2", restApi: entityLink(http.ref), v2LoggingLevel: "INFO" });
        const noRole = example.account("account", { cloudwatchRoleArn: undefined });
        const withWs = outcomeFor(run([ws, wsStage, noRole]), ACCOUNT);
        assert.equal(withWs.status, "fail");
        assert.match(withWs.message, /stage 'ws-prod'/);
        assert.equal(outcomeFor(run([http, httpStage, noRole]), ACCOUNT).status, "not-applicable");
    });

    it("has no settings", () => {
        assert.deepEqual(resolveRuleConfig(rule, {}), {});
        assert.throws(() => resolveRuleConfig(rule, { region: "us-east-1" }), /not a setting of this policy/);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliant = run(rule.examples.compliant.entities);
        assert.ok(compliant.length > 0 && compliant.every(o => o.status === "pass"));
        assert.ok(run(rule.examples.nonCompliant.entities).some(o => o.status === "fail" && o.ref === ACCOUNT));
    });
});

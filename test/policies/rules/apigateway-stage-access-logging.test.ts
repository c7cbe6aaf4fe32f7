import assert from "node:assert/strict";
import rule from "apigw-guard/policies/rules/apigateway-stage-access-logging";
import { entityLink, Inventory, StageEntity, unknown } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner } from "./support";

const now = new Date("2026-12-01T00:00:00Z");
const LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/orders";

const run = ruleRunner(rule, now);

function judge(stage: StageEntity, raw: Record<string, unknown> = {}): Outcome {
    const outcomes = run(new Inventory([stage]), raw);
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0].ref, stage.ref);
    return outcomes[0];
}

describe("apigateway-stage-access-logging", () => {
    it("passes a stage that logs to a log group with the request id", () => {
        const outcome = judge(example.stage("prod", { accessLogSettings: { destinationArn: LOG_GROUP, format: "$context.requestId $context.status" } }));
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /REST API stage 'prod' writes access logs with \$context\.requestId/);
    });

    it("fails a stage with no access log settings, naming the stage and the fix", () => {
        const outcome = judge(example.stage("prod", { accessLogSettings: undefined }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /REST API stage 'prod' has no access logging/);
        assert.match(outcome.message, /set accessLogSettings with the ARN of a CloudWatch Logs log group/);
    });

    it("names both the stage name and the resource name when they differ", () => {
        const outcome = judge(example.stage("prod-stage", { stageName: "prod", accessLogSettings: undefined }));
        assert.match(outcome.message, /REST API stage 'prod' \('prod-stage'\)/);
    });

    it("fails settings without a destination", () => {
        const outcome = judge(example.stage("prod", { accessLogSettings: { destinationArn: undefined, format: "$context.requestId" } }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /no destinationArn/);
    });

    it("fails settings with an empty format", () => {
        const outcome = judge(example.stage("prod", { accessLogSettings: { destinationArn: LOG_GROUP, format: "  " } }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /no format/);
    });

    it("fails a format without $context.requestId", () => {
        const outcome = judge(example.stage("prod", { accessLogSettings: { destinationArn: LOG_GROUP, format: "$context.status $context.extendedRequestId" } }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /format lacks \$context\.requestId \(add it to the format\)/);
    });

    it("requires the configured fields, matching whole variable names", () => {
        const stage = example.stage("prod", { accessLogSettings: { destinationArn: LOG_GROUP, format: "$context.requestId $context.identity.apiKeyId" } });
        assert.equal(judge(stage, { requiredFormatFields: ["requestId", "identity.apiKeyId"] }).status, "pass");
        // `$context.identity.apiKey` (the raw key) must not be satisfied by `$context.identity.apiKeyId`.
        const outcome = judge(stage, { requiredFormatFields: ["requestId", "identity.apiKey", "identity.sourceIp"] });
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /lacks \$context\.identity\.apiKey, \$context\.identity\.sourceIp \(add them/);
    });

    it("accepts any non-empty format when no fields are required", () => {
        const outcome = judge(example.stage("prod", { accessLogSettings: { destinationArn: LOG_GROUP, format: "$context.status" } }), { requiredFormatFields: [] });
        assert.equal(outcome.status, "pass");
    });

    it("is unknown when the destination ARN is computed (a new log group)", () => {
        const outcome = judge(example.stage("prod", {
            accessLogSettings: { destinationArn: unknown("computed: known only after the update"), format: "$context.requestId" },
        }));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet whether REST API stage 'prod' writes access logs: its log destination ARN is not known yet \(computed: known only after the update\)$/);
    });

    it("is unknown when the whole block is computed", () => {
        const outcome = judge(example.stage("prod", { accessLogSettings: unknown("computed: known only after the update") }));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /cannot tell yet.*computed: known only after the update/);
    });

    it("still fails on what is known when another part is unknown", () => {
        const outcome = judge(example.stage("prod", { accessLogSettings: { destinationArn: unknown("computed"), format: "$context.status" } }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /lacks \$context\.requestId/);
    });

    it("judges v2 stages too", () => {
        const outcome = judge(example.stage("$default", { apiVersion: "v2", accessLogSettings: undefined }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /API Gateway v2 stage '\$default' has no access logging/);
    });

    it("rejects a required field that is not a variable name", () => {
        assert.throws(() => resolveRuleConfig(rule, { requiredFormatFields: ["$context.requestId"] }), /requiredFormatFields/);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliant = run(new Inventory(rule.examples.compliant.entities));
        assert.ok(compliant.length > 0 && compliant.every(o => o.status === "pass"));
        assert.ok(run(new Inventory(rule.examples.nonCompliant.entities)).some(o => o.status === "fail"));
    });
});

describe("apigateway-stage-access-logging: destination known by link while its ARN is computed", () => {
    it("passes when the computed ARN comes from a log group in the inventory, and defers when it cannot be seen", () => {
        const computed = unknown("computed: known only after the update");
        const format = "{\"requestId\":\"$context.requestId\"}";
        const linked = example.stage("prod", { accessLogSettings: { destinationArn: computed, format, destination: entityLink(exampleRef("log-group", "access")) } });
        const config = resolveRuleConfig(rule, {});
        const now = { now: new Date("2026-06-01T00:00:00Z") };
        const pass = rule.evaluate(new Inventory([linked, example.logGroup("access")]), config, now);
        assert.equal(pass[0].status, "pass", pass[0].message);
        const unseen = example.stage("prod", { accessLogSettings: { destinationArn: computed, format, destination: { kind: "unknown" } } });
        const deferred = rule.evaluate(new Inventory([unseen]), config, now);
        assert.equal(deferred[0].status, "unknown");
        assert.equal(deferred[0].needsContext, true);
    });
});

describe("apigateway-stage-access-logging: a destination log group looked up in the account", () => {
    const format = "{\"requestId\":\"$context.requestId\"}";
    const stage = example.stage("prod", { accessLogSettings: { destinationArn: LOG_GROUP, format, destination: entityLink(exampleRef("log-group", "access")) } });
    const config = resolveRuleConfig(rule, {});
    const now = { now: new Date("2026-06-01T00:00:00Z") };

    it("fails a stage whose destination log group does not exist: AWS drops the logs", () => {
        const missing = example.logGroup("access", { logGroupName: "/aws/apigateway/orders", exists: false, retentionInDays: undefined });
        const [outcome] = rule.evaluate(new Inventory([stage, missing]), config, now);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /its destination log group '\/aws\/apigateway\/orders' does not exist, so API Gateway drops its access logs/);
    });

    it("is unknown when whether the group exists could not be read, and passes when it exists", () => {
        const unread = example.logGroup("access", { exists: unknown("could not read the log group: access denied (AccessDeniedException)"), retentionInDays: unknown("not read") });
        const [unsure] = rule.evaluate(new Inventory([stage, unread]), config, now);
        assert.equal(unsure.status, "unknown");
        assert.match(unsure.message, /whether its destination log group '\/aws\/apigateway\/api-access' exists is not known \(could not read the log group: access denied/);
        const [found] = rule.evaluate(new Inventory([stage, example.logGroup("access")]), config, now);
        assert.equal(found.status, "pass", found.message);
    });

    it("still reports what is wrong with the format when the group is missing", () => {
        const bad = example.stage("prod", { accessLogSettings: { destinationArn: LOG_GROUP, format: "$context.status", destination: entityLink(exampleRef("log-group", "access")) } });
        const [outcome] = rule.evaluate(new Inventory([bad, example.logGroup("access", { exists: false })]), config, now);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /its destination log group '[^']+' does not exist/);
        assert.match(outcome.message, /its access log format lacks \$context\.requestId/);
    });
});

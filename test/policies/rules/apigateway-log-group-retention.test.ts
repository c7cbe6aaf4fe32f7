import assert from "node:assert/strict";
import { Entity, entityLink, externalLink, Inventory, unknown } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import rule from "apigw-guard/policies/rules/apigateway-log-group-retention";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner, outcomeFor } from "./support";

const run = ruleRunner(rule);


const groupRef = (name: string) => exampleRef("log-group", name);
const ACCESS_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/api-access";

describe("apigateway-log-group-retention", () => {
    it("passes the access-log group of a stage kept for a year", () => {
        const outcome = outcomeFor(run([example.stage("prod"), example.logGroup("access", { retentionInDays: 400 })]), groupRef("access"));
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /log group '\/aws\/apigateway\/api-access' \(used by stage 'prod' \(access logs\)\) keeps events for 400 days/);
    });

    it("fails an access-log group kept too briefly, saying what to set", () => {
        const outcome = outcomeFor(run([example.stage("prod"), example.logGroup("access", { retentionInDays: 30 })]), groupRef("access"));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /log group '\/aws\/apigateway\/api-access' \(used by stage 'prod' \(access logs\)\) keeps events for only 30 days/);
        assert.match(outcome.message, /set retentionInDays \(Terraform: retention_in_days\) to at least 365/);
    });

    it("judges a group a stage links to by reference even while its name and ARN are computed (a plan, a name built from path.cwd)", () => {
        const computed = unknown("computed: known only after apply");
        const stage = example.stage("prod", {
            accessLogSettings: { destinationArn: computed, format: "$context.requestId", destination: entityLink(groupRef("access")) },
        });
        const linked = example.logGroup("access", { logGroupName: computed, arn: computed, retentionInDays: 7 });
        const outcome = outcomeFor(run([stage, linked]), groupRef("access"));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /\(used by stage 'prod' \(access logs\)\) keeps events for only 7 days/);
        // Not linked, nameless, and another stage's destination undecided: still unknown, never pass.
        const other = example.logGroup("other", { logGroupName: computed, arn: computed, retentionInDays: 7 });
        assert.equal(outcomeFor(run([stage, linked, other]), groupRef("other")).status, "unknown");
    });

    it("passes a group that never expires its events, with a cost note", () => {
        for (const retentionInDays of [undefined, 0]) {
            const outcome = outcomeFor(run([example.stage("prod"), example.logGroup("access", { retentionInDays })]), groupRef("access"));
            assert.equal(outcome.status, "pass");
            assert.match(outcome.message, /never expires its events/);
        }
    });

    it("matches destinations with a trailing :* and by name", () => {
        const outcome = outcomeFor(run([
            example.stage("prod", { accessLogSettings: { destinationArn: `${ACCESS_ARN}:*`, format: "$context.requestId" } }),
            example.logGroup("access", { arn: unknown("computed"), retentionInDays: 7 }),
        ]), groupRef("access"));
        assert.equal(outcome.status, "fail");
        const byArnOnly = outcomeFor(run([
            example.stage("prod"),
            example.logGroup("access", { logGroupName: unknown("computed"), arn: `${ACCESS_ARN}:*`, retentionInDays: 7 }),
        ]), groupRef("access"));
        assert.equal(byArnOnly.status, "fail");
    });

    it("judges REST API execution-log groups by their reserved name", () => {
        const outcomes = run([
            example.restApi("api", { id: "abc123" }),
            example.stage("prod"),
            example.logGroup("exec", { logGroupName: "API-Gateway-Execution-Logs_abc123/prod", arn: undefined, retentionInDays: 14 }),
            example.logGroup("exec-other", { logGroupName: "API-Gateway-Execution-Logs_zzz999/beta", arn: undefined, retentionInDays: 14 }),
        ]);
        const exec = outcomeFor(outcomes, groupRef("exec"));
        assert.equal(exec.status, "fail");
        assert.match(exec.message, /used by stage 'prod' \(execution logs\)/);
        const other = outcomeFor(outcomes, groupRef("exec-other"));
        assert.equal(other.status, "fail");
        assert.match(other.message, /used by API Gateway execution logging/);
    });

    it("finds the execution-log group of a stage whose API is named by id", () => {
        const outcome = outcomeFor(run([
            example.stage("prod", { restApi: externalLink("ext42") }),
            example.logGroup("exec", { logGroupName: "API-Gateway-Execution-Logs_ext42/prod", arn: undefined, retentionInDays: 3653 }),
        ]), groupRef("exec"));
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /stage 'prod' \(execution logs\)/);
    });

    it("is not applicable to log groups API Gateway does not write to", () => {
        const outcome = outcomeFor(run([
            example.stage("prod"),
            example.logGroup("lambda", { logGroupName: "/aws/lambda/orders", arn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders", retentionInDays: 1 }),
        ]), groupRef("lambda"));
        assert.equal(outcome.status, "not-applicable");
    });

    it("is unknown when a used group's retention is computed", () => {
        const outcome = outcomeFor(run([example.stage("prod"), example.logGroup("access", { retentionInDays: unknown("computed: known only after the update") })]), groupRef("access"));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet how long log group '\/aws\/apigateway\/api-access'.*known only after the update/);
    });

    it("is unknown for a short-lived group when a stage's destination is computed", () => {
        const entities = [
            example.stage("prod", { accessLogSettings: { destinationArn: unknown("computed: known only after the update"), format: "$context.requestId" } }),
            example.logGroup("access", { retentionInDays: 30 }),
            example.logGroup("kept", { logGroupName: "/kept", arn: undefined, retentionInDays: 365 }),
        ];
        const outcomes = run(entities);
        const access = outcomeFor(outcomes, groupRef("access"));
        assert.equal(access.status, "unknown");
        assert.match(access.message, /^cannot tell yet whether API Gateway writes to log group '\/aws\/apigateway\/api-access': the access-log destination of stage 'prod' is not known yet/);
        // A group that would pass anyway does not need its use settled.
        const kept = outcomeFor(outcomes, groupRef("kept"));
        assert.equal(kept.status, "pass");
        assert.match(kept.message, /if API Gateway writes to it/);
    });

    it("is not applicable to a group the account does not have (the access-logging rule fails its stage)", () => {
        const outcome = outcomeFor(run([example.stage("prod"), example.logGroup("access", { exists: false, retentionInDays: undefined })]), groupRef("access"));
        assert.equal(outcome.status, "not-applicable");
        assert.match(outcome.message, /does not exist/);
    });

    it("is unknown for a group whose lookup failed", () => {
        const why = unknown("could not read the log group: access denied (AccessDeniedException)");
        const outcome = outcomeFor(run([example.stage("prod"), example.logGroup("access", { exists: why, retentionInDays: why })]), groupRef("access"));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /access denied/);
    });

    it("judges WebSocket API execution-log groups, /aws/apigateway/<api id>/<stage>", () => {
        const socket = example.v2Api("socket", { id: "ws1234", protocolType: "WEBSOCKET" });
        const http = example.v2Api("http", { id: "ht5678", protocolType: "HTTP" });
        const outcomes = run([
            socket,
            http,
            example.stage("live", { apiVersion: "v2", restApi: entityLink(socket.ref), accessLogSettings: undefined }),
            example.stage("$default", { apiVersion: "v2", restApi: entityLink(http.ref), accessLogSettings: undefined }),
            example.logGroup("ws-exec", { logGroupName: "/aws/apigateway/ws1234/live", arn: undefined, retentionInDays: 7 }),
            example.logGroup("http-lookalike", { logGroupName: "/aws/apigateway/ht5678/$default", arn: undefined, retentionInDays: 7 }),
        ]);
        const exec = outcomeFor(outcomes, groupRef("ws-exec"));
        assert.equal(exec.status, "fail");
        assert.match(exec.message, /used by stage 'live' \(execution logs\)/);
        // HTTP APIs have no execution logs: a group of that shape is not API Gateway's.
        assert.equal(outcomeFor(outcomes, groupRef("http-lookalike")).status, "not-applicable");
    });

    it("honours minRetentionDays", () => {
        const entities = [example.stage("prod"), example.logGroup("access", { retentionInDays: 90 })];
        assert.equal(outcomeFor(run(entities), groupRef("access")).status, "fail");
        const outcome = outcomeFor(run(entities, { minRetentionDays: 90 }), groupRef("access"));
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /meets the 90-day minimum/);
        assert.throws(() => resolveRuleConfig(rule, { minRetentionDays: 0 }), /minRetentionDays/);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliant = run(rule.examples.compliant.entities);
        assert.ok(compliant.some(o => o.status === "pass"));
        assert.ok(compliant.length > 0 && compliant.every(o => o.status !== "fail"));
        assert.ok(run(rule.examples.nonCompliant.entities).some(o => o.status === "fail"));
    });
});

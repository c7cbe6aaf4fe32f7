import assert from "node:assert/strict";
import rule from "apigw-guard/policies/rules/apigateway-stage-xray-tracing";
import { Inventory, StageEntity, unknown } from "apigw-guard/policies/model/index";
import { example } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner } from "./support";

const now = new Date("2026-12-01T00:00:00Z");

const run = ruleRunner(rule, now);

function judge(stage: StageEntity): Outcome {
    const outcomes = run(new Inventory([stage]));
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0].ref, stage.ref);
    return outcomes[0];
}

describe("apigateway-stage-xray-tracing", () => {
    it("is advisory, low severity and maps Security Hub APIGateway.3", () => {
        assert.equal(rule.enforcementLevel, "advisory");
        assert.equal(rule.severity, "low");
        assert.deepEqual(rule.controls.awsSecurityHub, ["APIGateway.3"]);
    });

    it("passes a stage with X-Ray tracing on", () => {
        const outcome = judge(example.stage("prod", { xrayTracingEnabled: true }));
        assert.equal(outcome.status, "pass");
        assert.equal(outcome.message, "REST API stage 'prod' traces requests with X-Ray");
    });

    it("fails tracing off, naming the stage and the setting", () => {
        const outcome = judge(example.stage("prod", { xrayTracingEnabled: false }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /^REST API stage 'prod' does not trace requests with X-Ray \(xrayTracingEnabled is false\): set xrayTracingEnabled: true\.$/);
    });

    it("fails tracing unset (AWS default is off)", () => {
        const outcome = judge(example.stage("prod", { xrayTracingEnabled: undefined }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /not set, which means false/);
    });

    it("is unknown when the setting is computed", () => {
        const outcome = judge(example.stage("prod", { xrayTracingEnabled: unknown("computed: known only after the update") }));
        assert.equal(outcome.status, "unknown");
        assert.equal(outcome.message, "cannot tell yet whether REST API stage 'prod' traces requests with X-Ray: computed: known only after the update");
    });

    it("is not applicable to v2 stages", () => {
        const outcome = judge(example.stage("$default", { apiVersion: "v2", xrayTracingEnabled: undefined }));
        assert.equal(outcome.status, "not-applicable");
        assert.match(outcome.message, /do not support X-Ray/);
    });

    it("has no settings", () => {
        assert.throws(() => resolveRuleConfig(rule, { samplingRate: 0.5 }), /not a setting of this policy/);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliant = run(new Inventory(rule.examples.compliant.entities));
        assert.ok(compliant.length > 0 && compliant.every(o => o.status === "pass"));
        assert.ok(run(new Inventory(rule.examples.nonCompliant.entities)).some(o => o.status === "fail"));
    });
});

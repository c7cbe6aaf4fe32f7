import assert from "node:assert/strict";
import rule from "apigw-guard/policies/rules/apigateway-usage-plan-limits";
import { entityLink, Inventory, unknown, unknownLink, UsagePlanEntity } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner } from "./support";

const now = new Date("2026-12-01T00:00:00Z");

const run = ruleRunner(rule, now);

function judge(plan: UsagePlanEntity, raw: Record<string, unknown> = {}): Outcome {
    const outcomes = run(new Inventory([plan]), raw);
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0].ref, plan.ref);
    return outcomes[0];
}

describe("apigateway-usage-plan-limits", () => {
    it("passes a plan with throttle and quota", () => {
        const outcome = judge(example.usagePlan("partners", { throttle: { rateLimit: 50, burstLimit: 100 }, quota: { limit: 100000, period: "MONTH" } }));
        assert.equal(outcome.status, "pass");
        assert.equal(outcome.message, "usage plan 'partners' throttles at 50 requests/s (burst 100) and caps each key at 100000 requests per MONTH");
    });

    it("fails a plan that names a stage its API does not have (a deployment id), and says nothing of stages it cannot check", () => {
        const apiRef = example.restApi("api").ref;
        const withStage = (apiStage: Record<string, unknown>) => example.usagePlan("plan", {
            apiStages: [{ restApi: entityLink(apiRef), stageName: unknown("set by an expression that cannot be resolved without running Terraform"), stage: unknownLink(), ...apiStage }],
        });
        const bad = run(new Inventory([example.restApi("api"), example.stage("prod"), withStage({ stageNameIsIdOf: "aws_api_gateway_deployment.stage_api" })]))
            .find(o => o.ref === exampleRef("usage-plan", "plan"));
        assert.equal(bad?.status, "fail");
        assert.match(bad?.message ?? "", /its stage is set to the id of aws_api_gateway_deployment\.stage_api, which is not the name of a stage of REST API 'api': AWS rejects this association at apply/);
        // Alone (as the pack's per-resource check sees it) the API is not in view: the limits alone decide.
        assert.equal(judge(withStage({ stageNameIsIdOf: "aws_api_gateway_deployment.stage_api" })).status, "pass");
        assert.equal(run(new Inventory([example.restApi("api"), example.stage("prod"), withStage({})])).find(o => o.ref === exampleRef("usage-plan", "plan"))?.status, "pass");
    });

    it("fails a plan with neither, naming the plan and both fixes", () => {
        const outcome = judge(example.usagePlan("partners", { throttle: undefined, quota: undefined }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /^usage plan 'partners' does not limit its keys as required: /);
        assert.match(outcome.message, /it has no throttle: set throttleSettings with rateLimit and burstLimit above 0/);
        assert.match(outcome.message, /it has no quota: set quotaSettings with a limit above 0 and a period of DAY, WEEK, MONTH/);
    });

    it("fails a limit that is not a finite number (1e999 in JSON reads as Infinity: no limit at all)", () => {
        for (const throttle of [{ rateLimit: Infinity, burstLimit: 10 }, { rateLimit: 10, burstLimit: Infinity }, { rateLimit: Number.NaN, burstLimit: 10 }]) {
            const outcome = judge(example.usagePlan("partners", { throttle, quota: { limit: 1000, period: "DAY" } }));
            assert.equal(outcome.status, "fail", JSON.stringify(throttle));
            assert.match(outcome.message, /is not a finite number: set it to a number above 0/);
        }
        const quota = judge(example.usagePlan("partners", { throttle: { rateLimit: 10, burstLimit: 10 }, quota: { limit: Infinity, period: "DAY" } }));
        assert.equal(quota.status, "fail");
        assert.match(quota.message, /quota limit is not a finite number/);
    });

    it("fails zero rate, burst or limit (Terraform reports unset limits as 0)", () => {
        const outcome = judge(example.usagePlan("partners", { throttle: { rateLimit: 0, burstLimit: 0 }, quota: { limit: 0, period: "DAY" } }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /throttle rateLimit is 0: set it above 0/);
        assert.match(outcome.message, /throttle burstLimit is 0/);
        assert.match(outcome.message, /quota limit is 0/);
    });

    it("fails a quota without a period, or with a period not allowed", () => {
        assert.match(judge(example.usagePlan("p", { quota: { limit: 10, period: undefined } })).message, /quota has no period/);
        const outcome = judge(example.usagePlan("p", { quota: { limit: 10, period: "MONTH" } }), { allowedQuotaPeriods: ["DAY", "WEEK"] });
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /quota period MONTH is not allowed: use one of DAY, WEEK/);
    });

    it("maxRateLimit caps the rate", () => {
        const plan = example.usagePlan("p", { throttle: { rateLimit: 500, burstLimit: 1000 } });
        assert.equal(judge(plan).status, "pass");
        const outcome = judge(plan, { maxRateLimit: 100 });
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /rateLimit 500 is above the allowed maximum of 100 requests\/s: lower it/);
    });

    it("requireThrottle / requireQuota false accept a plan without them", () => {
        assert.equal(judge(example.usagePlan("p", { throttle: undefined }), { requireThrottle: false }).status, "pass");
        assert.equal(judge(example.usagePlan("p", { quota: undefined }), { requireQuota: false }).status, "pass");
        assert.equal(judge(example.usagePlan("p", { quota: undefined })).status, "fail");
    });

    it("is unknown when a limit is computed", () => {
        const outcome = judge(example.usagePlan("partners", { throttle: { rateLimit: unknown("computed: known only after the update"), burstLimit: 100 } }));
        assert.equal(outcome.status, "unknown");
        assert.equal(outcome.message, "cannot tell yet whether usage plan 'partners' limits its keys: its throttle rateLimit is not known yet (computed: known only after the update)");
    });

    it("is unknown when a whole block is computed", () => {
        const outcome = judge(example.usagePlan("partners", { quota: unknown("computed") }));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /quota settings are not known yet \(computed\)/);
    });

    it("fails on what is known even when something else is unknown", () => {
        const outcome = judge(example.usagePlan("partners", { throttle: unknown("computed"), quota: undefined }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /no quota/);
    });

    it("rejects a quota period AWS does not have", () => {
        assert.throws(() => resolveRuleConfig(rule, { allowedQuotaPeriods: ["YEAR"] }), /allowedQuotaPeriods/);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliant = run(new Inventory(rule.examples.compliant.entities));
        assert.ok(compliant.length > 0 && compliant.every(o => o.status === "pass"));
        assert.ok(run(new Inventory(rule.examples.nonCompliant.entities)).some(o => o.status === "fail"));
    });
});

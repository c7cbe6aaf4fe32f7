import assert from "node:assert/strict";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { entityLink, externalLink, Inventory, unknown, unknownLink } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import rule from "apigw-guard/policies/rules/apigateway-api-key-unused";

const NOW = new Date("2026-06-01T00:00:00Z");
const run = (entities: ConstructorParameters<typeof Inventory>[0], config: Record<string, unknown> = {}) =>
    rule.evaluate(new Inventory(entities), resolveRuleConfig(rule, config), { now: NOW });
const planRef = exampleRef("usage-plan", "plan");

describe("apigateway-api-key-unused", () => {
    it("passes a key attached to a plan that serves a stage", () => {
        const [outcome] = run([example.apiKey("key"), example.usagePlan("plan"), example.usagePlanKey("attach")]);
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /attached to usage plan 'plan', which serves an API stage/);
    });

    it("fails a key in no plan, and a key whose only plan serves no stage", () => {
        const [orphan] = run([example.apiKey("key")]);
        assert.equal(orphan.status, "fail");
        assert.match(orphan.message, /key 'key' is not attached to any usage plan.*Attach it to a usage plan or delete it/);
        const [idle] = run([example.apiKey("key"), example.usagePlan("plan", { apiStages: [] }), example.usagePlanKey("attach")]);
        assert.equal(idle.status, "fail");
        assert.match(idle.message, /only attached to usage plans that serve no API stage/);
    });

    describe("a plan stage its API does not have (AWS rejects the association at apply)", () => {
        const apiRef = exampleRef("rest-api", "api");
        const keyAndPlan = (apiStage: Record<string, unknown>) => [
            example.apiKey("key"),
            example.usagePlan("plan", { apiStages: [{ restApi: entityLink(apiRef), stageName: "prod", stage: unknownLink(), ...apiStage }] }),
            example.usagePlanKey("attach"),
        ];

        it("fails a key whose only plan names the id of a deployment as its stage", () => {
            const [outcome] = run([
                example.restApi("api"), example.stage("prod"),
                ...keyAndPlan({ stageName: unknown("set by an expression that cannot be resolved without running Terraform"), stageNameIsIdOf: "aws_api_gateway_deployment.stage_api" }),
            ]);
            assert.equal(outcome.status, "fail");
            assert.match(outcome.message, /usage plan 'plan' serves no stage: its stage is set to the id of aws_api_gateway_deployment\.stage_api/);
            assert.match(outcome.message, /AWS rejects that association at apply/);
        });

        it("fails a key whose only plan names a stage the API does not have, listing the stages it has", () => {
            const [outcome] = run([example.restApi("api"), example.stage("prod"), ...keyAndPlan({ stageName: "v1" })]);
            assert.equal(outcome.status, "fail");
            assert.match(outcome.message, /names stage 'v1' of REST API 'api', which has no such stage \(its stages are 'prod'\)/);
        });

        it("passes when the stage is found by name though the adapter could not link it", () => {
            const [outcome] = run([example.restApi("api"), example.stage("prod"), ...keyAndPlan({ stageName: "prod" })]);
            assert.equal(outcome.status, "pass");
        });

        it("passes when the entry is one of several stages the plan refers to (stageCandidates)", () => {
            const candidates = [exampleRef("stage", "prod"), exampleRef("stage", "beta")];
            const [outcome] = run([example.restApi("api"), example.stage("prod"), example.stage("beta"),
                ...keyAndPlan({ stageName: unknown("not known"), stageCandidates: candidates })]);
            assert.equal(outcome.status, "pass");
        });

        it("is unknown, never pass, when the API's stages are not all known or the API is not in the inventory", () => {
            const unnamed = run([example.restApi("api"), example.stage("prod", { stageName: unknown("var.stage") }), ...keyAndPlan({ stageName: "v1" })]);
            assert.equal(unnamed[0].status, "unknown");
            assert.match(unnamed[0].message, /not every stage of REST API 'api' is known yet/);
            const unplaced = run([example.restApi("api"), example.stage("prod"), example.stage("other", { restApi: unknownLink() }), ...keyAndPlan({ stageName: "v1" })]);
            assert.equal(unplaced[0].status, "unknown");
            const outside = run([...keyAndPlan({ restApi: externalLink("a1b2c3"), stageName: "v1" })]);
            assert.equal(outside[0].status, "unknown");
            assert.match(outside[0].message, /REST API 'a1b2c3' is not in this inventory/);
            const nameUnknown = run([example.restApi("api"), example.stage("prod"), ...keyAndPlan({ stageName: unknown("computed") })]);
            assert.equal(nameUnknown[0].status, "unknown");
        });

        it("passes when another plan of the key serves a stage", () => {
            const outcome = run([
                example.restApi("api"), example.stage("prod"), ...keyAndPlan({ stageName: "v1" }),
                example.usagePlan("good"), example.usagePlanKey("attach-good", { usagePlan: entityLink(exampleRef("usage-plan", "good")) }),
            ]);
            assert.equal(outcome[0].status, "pass");
        });
    });

    it("disabled keys: deleted after the grace period (configurable)", () => {
        const disabled = example.apiKey("key", { enabled: false, createdDate: "2026-05-10T00:00:00Z" });
        assert.equal(run([disabled])[0].status, "pass", "22 days old, within 30");
        const [strict] = run([disabled], { disabledGraceDays: 7 });
        assert.equal(strict.status, "fail");
        assert.match(strict.message, /disabled and is 22 days old \(grace period 7 days\): delete it/);
        assert.equal(run([example.apiKey("k", { enabled: false, createdDate: undefined })])[0].status, "unknown");
        assert.equal(run([example.apiKey("k", { enabled: false, createdDate: "soon" })])[0].status, "unknown");
    });

    it("live audit: a key with zero requests in the window fails", () => {
        const [outcome] = run([example.apiKey("key", { requestsInWindow: 0 }), example.usagePlan("plan"), example.usagePlanKey("attach")], { unusedDays: 14 });
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /no requests in the last 14 days/);
    });

    it("cannot tell when links or values are not known yet", () => {
        assert.equal(run([example.apiKey("key", { enabled: unknown("computed") })])[0].status, "unknown");
        const unresolvedPlan = run([example.apiKey("key"), example.usagePlanKey("attach", { usagePlan: unknownLink("computed") })]);
        assert.equal(unresolvedPlan[0].status, "unknown");
        const externalPlan = run([example.apiKey("key"), example.usagePlanKey("attach", { usagePlan: externalLink("p-123") })]);
        assert.match(externalPlan[0].message, /usage plan 'p-123', which is not in this inventory/);
        const stagesUnknown = run([example.apiKey("key"), example.usagePlan("plan", { apiStages: unknown("computed") }), example.usagePlanKey("attach")]);
        assert.equal(stagesUnknown[0].status, "unknown");
        const someoneUnresolved = run([example.apiKey("key"), example.usagePlanKey("other", { apiKey: unknownLink(), usagePlan: entityLink(planRef) }), example.usagePlan("plan")]);
        assert.equal(someoneUnresolved[0].status, "unknown");
        assert.match(someoneUnresolved[0].message, /1 usage-plan attachment\(s\) name a key that cannot be identified yet/);
    });
});

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

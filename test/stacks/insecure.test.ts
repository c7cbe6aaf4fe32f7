import assert from "node:assert/strict";
import { one, ofType, T } from "../components/helpers";
import { runStack } from "./support";

describe("stacks/insecure (what the pack catches)", () => {
    async function resources() {
        return (await runStack("dev", { config: { "apigw-guard-examples:example": "insecure" } })).resources;
    }

    it("reads keys from an authorizer and leaves a method open", async () => {
        const r = await resources();
        assert.equal(one(r, T.restApi, "legacy-api").props.apiKeySource, "AUTHORIZER");
        assert.equal(one(r, T.method, "legacy-get-orders").props.apiKeyRequired, false);
        assert.equal(one(r, T.method, "legacy-post-orders").props.apiKeyRequired, true);
    });

    it("has a key written in the code, last rotated in 2023, and a key in no usage plan", async () => {
        const r = await resources();
        const partner = one(r, T.apiKey, "legacy-partner");
        assert.equal((partner.props.tags as Record<string, string>)["apigw-guard:rotated-at"], "2023-01-15T00:00:00Z");
        assert.equal(typeof partner.props.value, "string");
        assert.deepEqual(partner.propertyDependencies.value, [], "the value is a literal, not generated");
        const forgotten = one(r, T.apiKey, "forgotten-key");
        assert.equal(ofType(r, T.usagePlanKey).filter(a => (a.propertyDependencies.keyId ?? []).includes(forgotten.urn)).length, 0);
    });

    it("has a plan without limits and a stage without access logs, method settings or tracing", async () => {
        const r = await resources();
        const plan = one(r, T.usagePlan, "legacy-unlimited");
        assert.equal(plan.props.throttleSettings, undefined);
        assert.equal(plan.props.quotaSettings, undefined);
        const stage = one(r, T.stage, "legacy");
        assert.equal(stage.props.accessLogSettings, undefined);
        assert.notEqual(stage.props.xrayTracingEnabled, true);
        assert.equal(ofType(r, T.methodSettings).length, 0);
    });
});

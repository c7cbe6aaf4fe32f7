import assert from "node:assert/strict";
import { Entity, Inventory, unknown } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import rule from "apigw-guard/policies/rules/apigateway-stage-cache-encrypted";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner } from "./support";

const run = ruleRunner(rule);

function only(entities: readonly Entity[]): Outcome {
    const outcomes = run(entities);
    assert.equal(outcomes.length, 1);
    return outcomes[0];
}

describe("apigateway-stage-cache-encrypted", () => {
    it("passes caching with an encrypted cache", () => {
        const outcome = only([example.methodSettings("all", { cachingEnabled: true, cacheDataEncrypted: true })]);
        assert.equal(outcome.status, "pass");
        assert.equal(outcome.ref, exampleRef("method-settings", "all"));
        assert.match(outcome.message, /method settings 'all' \(stage 'prod', \*\/\*\) caches responses and encrypts the cache/);
    });

    it("fails caching with encryption off, naming the settings and the field to set", () => {
        const outcome = only([example.methodSettings("orders", { methodPath: "orders/GET", cachingEnabled: true, cacheDataEncrypted: false })]);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /method settings 'orders' \(stage 'prod', orders\/GET\)/);
        assert.match(outcome.message, /cacheDataEncrypted is false/);
        assert.match(outcome.message, /Set cacheDataEncrypted: true \(Terraform: cache_data_encrypted = true\)/);
    });

    it("fails caching with encryption unset (AWS defaults to unencrypted)", () => {
        const outcome = only([example.methodSettings("all", { cachingEnabled: true, cacheDataEncrypted: undefined })]);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /not set, which means false/);
    });

    it("is not applicable when caching is off or unset", () => {
        assert.equal(only([example.methodSettings("off", { cachingEnabled: false })]).status, "not-applicable");
        assert.equal(only([example.methodSettings("unset", { cachingEnabled: undefined })]).status, "not-applicable");
    });

    it("is unknown when encryption is computed and caching is on", () => {
        const outcome = only([example.methodSettings("all", { cachingEnabled: true, cacheDataEncrypted: unknown("computed: known only after the update") })]);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet whether the response cache of method settings 'all'.*known only after the update/);
    });

    it("is unknown when caching is computed and encryption is not on", () => {
        const outcome = only([example.methodSettings("all", { cachingEnabled: unknown("computed: known only after the update"), cacheDataEncrypted: undefined })]);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet whether method settings 'all'.* caches responses/);
    });

    it("passes when encryption is on even if caching is computed", () => {
        assert.equal(only([example.methodSettings("all", { cachingEnabled: unknown("computed"), cacheDataEncrypted: true })]).status, "pass");
    });

    it("has no settings: an empty config resolves, any setting is refused", () => {
        assert.deepEqual(resolveRuleConfig(rule, {}), {});
        assert.throws(() => resolveRuleConfig(rule, { allowUnencrypted: true }), /allowUnencrypted/);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliantOutcomes = run(rule.examples.compliant.entities);
        assert.ok(compliantOutcomes.length > 0 && compliantOutcomes.every(o => o.status === "pass"));
        assert.ok(run(rule.examples.nonCompliant.entities).some(o => o.status === "fail"));
    });
});

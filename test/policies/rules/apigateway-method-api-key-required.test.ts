import assert from "node:assert/strict";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { Inventory, unknown } from "apigw-guard/policies/model/index";
import { example } from "apigw-guard/policies/model/examples";
import rule from "apigw-guard/policies/rules/apigateway-method-api-key-required";

const now = { now: new Date("2026-06-01T00:00:00Z") };
const run = (entities: ConstructorParameters<typeof Inventory>[0], config: Record<string, unknown> = {}) =>
    rule.evaluate(new Inventory(entities), resolveRuleConfig(rule, config), now);

describe("apigateway-method-api-key-required", () => {
    it("passes a method that requires a key", () => {
        const [outcome] = run([example.method("get", { apiKeyRequired: true })]);
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /GET \/orders requires an API key/);
    });

    it("fails false and unset alike (unset means false in AWS), naming the method and the fix", () => {
        const [off, unset] = run([example.method("off", { apiKeyRequired: false }), example.method("unset", { apiKeyRequired: undefined, httpMethod: "POST" })]);
        assert.equal(off.status, "fail");
        assert.match(off.message, /GET \/orders can be called without an API key \(apiKeyRequired is false\)\. Set apiKeyRequired: true/);
        assert.equal(unset.status, "fail");
        assert.match(unset.message, /POST \/orders .*not set, which means false/);
    });

    it("exempts CORS preflight by default and other methods only when configured", () => {
        const entities = [example.method("preflight", { httpMethod: "OPTIONS", apiKeyRequired: false }), example.method("head", { httpMethod: "HEAD", apiKeyRequired: false })];
        assert.deepEqual(run(entities).map(o => o.status), ["not-applicable", "fail"]);
        assert.deepEqual(run(entities, { exemptMethods: ["options", "head"] }).map(o => o.status), ["not-applicable", "not-applicable"]);
        assert.deepEqual(run(entities, { exemptMethods: [] }).map(o => o.status), ["fail", "fail"]);
    });

    it("exempts configured paths, with * for one segment and ** for many", () => {
        const entities = [
            example.method("health", { path: "/health", apiKeyRequired: false }),
            example.method("status", { path: "/v1/status", apiKeyRequired: false }),
            example.method("deep", { path: "/public/a/b", apiKeyRequired: false }),
            example.method("orders", { path: "/orders", apiKeyRequired: false }),
        ];
        const outcomes = run(entities, { exemptPaths: ["/health/", "/*/status", "/public/**"] });
        assert.deepEqual(outcomes.map(o => o.status), ["not-applicable", "not-applicable", "not-applicable", "fail"]);
    });

    it("says 'cannot tell yet' for a computed apiKeyRequired, never pass or fail", () => {
        const [outcome] = run([example.method("m", { apiKeyRequired: unknown("computed: known only after the update") })]);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /cannot tell yet whether GET \/orders requires an API key: computed/);
    });

    it("defers to the whole stack when the path needed for an exemption is not known here", () => {
        const method = example.method("m", { path: unknown("the method's resource could not be identified"), apiKeyRequired: false });
        const [withExemptions] = run([method], { exemptPaths: ["/health"] });
        assert.equal(withExemptions.status, "unknown");
        assert.equal(withExemptions.needsContext, true);
        const [without] = run([method]);
        assert.equal(without.status, "fail", "no exemption configured: the path does not matter");
        assert.match(without.message, /GET method 'm' can be called without an API key/);
    });
});

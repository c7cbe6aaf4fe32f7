import assert from "node:assert/strict";
import rule from "apigw-guard/policies/rules/apigateway-rest-api-key-source-header";
import { Inventory, unknown } from "apigw-guard/policies/model/index";
import { example } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner } from "./support";

const now = new Date("2026-12-01T00:00:00Z");

const run = ruleRunner(rule, now);

function only(inventory: Inventory, raw: Record<string, unknown> = {}): Outcome {
    const outcomes = run(inventory, raw);
    assert.equal(outcomes.length, 1);
    return outcomes[0];
}

describe("apigateway-rest-api-key-source-header", () => {
    it("passes a REST API that reads keys from the header", () => {
        const outcome = only(new Inventory([example.restApi("orders-api", { apiKeySource: "HEADER" })]));
        assert.equal(outcome.status, "pass");
        assert.equal(outcome.ref, "example:rest-api:orders-api");
        assert.match(outcome.message, /'orders-api'.*X-API-Key/);
    });

    it("passes an unset key source and says AWS defaults to HEADER", () => {
        const outcome = only(new Inventory([example.restApi("orders-api", { apiKeySource: undefined })]));
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /defaults to HEADER/);
    });

    it("fails AUTHORIZER by default, naming the API and the fix", () => {
        const outcome = only(new Inventory([example.restApi("orders-api", { apiKeySource: "AUTHORIZER" })]));
        assert.equal(outcome.status, "fail");
        assert.equal(outcome.advisoryOnly, undefined);
        assert.match(outcome.message, /REST API 'orders-api'/);
        assert.match(outcome.message, /apiKeySource AUTHORIZER/);
        assert.match(outcome.message, /Set apiKeySource to HEADER/);
        assert.match(outcome.message, /allowAuthorizer: true/);
    });

    it("passes AUTHORIZER when allowAuthorizer is true", () => {
        const outcome = only(new Inventory([example.restApi("orders-api", { apiKeySource: "AUTHORIZER" })]), { allowAuthorizer: true });
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /allowed by allowAuthorizer/);
    });

    it("reads the source case-insensitively", () => {
        assert.equal(only(new Inventory([example.restApi("a", { apiKeySource: "header" })])).status, "pass");
        assert.equal(only(new Inventory([example.restApi("a", { apiKeySource: "authorizer" })])).status, "fail");
    });

    it("fails a value AWS does not recognise", () => {
        const outcome = only(new Inventory([example.restApi("orders-api", { apiKeySource: "QUERYSTRING" })]));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /'QUERYSTRING'.*only HEADER or AUTHORIZER/);
    });

    it("is unknown, with the reason, when the key source is computed", () => {
        const outcome = only(new Inventory([example.restApi("orders-api", { apiKeySource: unknown("computed: known only after the update") })]));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet where REST API 'orders-api' reads API keys from: computed: known only after the update$/);
    });

    it("judges every REST API, one outcome each", () => {
        const outcomes = run(new Inventory([
            example.restApi("a", { apiKeySource: "HEADER" }),
            example.restApi("b", { apiKeySource: "AUTHORIZER" }),
        ]));
        assert.deepEqual(outcomes.map(o => [o.ref, o.status]), [["example:rest-api:a", "pass"], ["example:rest-api:b", "fail"]]);
    });

    it("rejects a config setting of the wrong type", () => {
        assert.throws(() => resolveRuleConfig(rule, { allowAuthorizer: "yes" }), /allowAuthorizer/);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliantOutcomes = run(new Inventory(rule.examples.compliant.entities));
        assert.ok(compliantOutcomes.length > 0 && compliantOutcomes.every(o => o.status !== "fail"));
        assert.ok(run(new Inventory(rule.examples.nonCompliant.entities)).some(o => o.status === "fail"));
    });
});

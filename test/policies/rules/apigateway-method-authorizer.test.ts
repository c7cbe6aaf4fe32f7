import assert from "node:assert/strict";
import rule from "apigw-guard/policies/rules/apigateway-method-authorizer";
import { Inventory, MethodEntity, unknown } from "apigw-guard/policies/model/index";
import { example } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner } from "./support";

const now = new Date("2026-12-01T00:00:00Z");

const run = ruleRunner(rule, now);

function judge(method: MethodEntity, raw: Record<string, unknown> = {}): Outcome {
    const outcomes = run(new Inventory([method]), raw);
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0].ref, method.ref);
    return outcomes[0];
}

describe("apigateway-method-authorizer", () => {
    it("is advisory and low severity", () => {
        assert.equal(rule.enforcementLevel, "advisory");
        assert.equal(rule.severity, "low");
    });

    for (const type of ["AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"]) {
        it(`passes a method authorized with ${type}`, () => {
            const outcome = judge(example.method("get-orders", { authorizationType: type }));
            assert.equal(outcome.status, "pass");
            assert.equal(outcome.message, `GET /orders ('get-orders') authenticates callers with ${type}`);
        });
    }

    it("fails NONE and explains that a key is not a user identity", () => {
        const outcome = judge(example.method("get-orders", { authorizationType: "NONE", apiKeyRequired: true }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /^GET \/orders \('get-orders'\) has authorization NONE/);
        assert.match(outcome.message, /an API key identifies a client application, not a user/);
        assert.match(outcome.message, /Add AWS_IAM, a Cognito user pool \(COGNITO_USER_POOLS\) or a Lambda authorizer \(CUSTOM\)/);
    });

    it("fails an unset authorization type", () => {
        const outcome = judge(example.method("get-orders", { authorizationType: undefined }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /has authorization not set \(NONE\)/);
    });

    it("fails a value that is not an authorizer type", () => {
        const outcome = judge(example.method("get-orders", { authorizationType: "API_KEY" }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /'API_KEY', which is not an authorizer type/);
    });

    it("is not applicable to CORS preflight", () => {
        const outcome = judge(example.method("options-orders", { httpMethod: "OPTIONS", authorizationType: "NONE" }));
        assert.equal(outcome.status, "not-applicable");
        assert.match(outcome.message, /OPTIONS is in exemptMethods/);
    });

    it("exemptPaths makes a public path not applicable", () => {
        const health = example.method("get-health", { path: "/health", authorizationType: "NONE" });
        assert.equal(judge(health).status, "fail");
        const outcome = judge(health, { exemptPaths: ["/health"] });
        assert.equal(outcome.status, "not-applicable");
        assert.match(outcome.message, /GET \/health \('get-health'\) is exempt \(path listed in exemptPaths\)/);
    });

    it("exemptMethods replaces the default list", () => {
        const preflight = example.method("options-orders", { httpMethod: "OPTIONS", authorizationType: "NONE" });
        assert.equal(judge(preflight, { exemptMethods: ["HEAD"] }).status, "fail");
        assert.equal(judge(example.method("head-orders", { httpMethod: "HEAD", authorizationType: "NONE" }), { exemptMethods: ["head"] }).status, "not-applicable");
    });

    it("is unknown when the authorization type is computed", () => {
        const outcome = judge(example.method("get-orders", { authorizationType: unknown("computed: known only after the update") }));
        assert.equal(outcome.status, "unknown");
        assert.equal(outcome.message, "cannot tell yet whether GET /orders ('get-orders') authenticates callers: computed: known only after the update");
    });

    it("is unknown, not failed, when an exemption may apply but the path is not known", () => {
        const outcome = judge(example.method("get-x", { path: unknown("computed"), authorizationType: "NONE" }), { exemptPaths: ["/health"] });
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /is exempt: computed/);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliant = run(new Inventory(rule.examples.compliant.entities));
        assert.ok(compliant.length > 0 && compliant.every(o => o.status === "pass"));
        assert.ok(run(new Inventory(rule.examples.nonCompliant.entities)).some(o => o.status === "fail"));
    });
});

import assert from "node:assert/strict";
import { ConfigError, resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { isBlocking, runRules } from "apigw-guard/policies/engine/run";
import { Inventory } from "apigw-guard/policies/model/index";
import { example } from "apigw-guard/policies/model/examples";
import methodApiKeyRequired from "apigw-guard/policies/rules/apigateway-method-api-key-required";
import { CatalogueRule, defineRule } from "apigw-guard/policies/rules/types";

const throwing: CatalogueRule = defineRule<Record<string, never>>({
    ...methodApiKeyRequired,
    id: "apigateway-test-throwing",
    configSchema: { type: "object", properties: {} },
    evaluate() {
        throw new TypeError("cannot read properties of undefined (reading 'x')");
    },
});

describe("engine/runRules", () => {
    const inventory = new Inventory([example.method("open", { apiKeyRequired: false }), example.method("keyed")]);

    it("a rule that throws yields one unknown error finding; the other rules still run", () => {
        const { findings } = runRules(inventory, [throwing, methodApiKeyRequired]);
        const broken = findings.filter(f => f.ruleId === "apigateway-test-throwing");
        assert.equal(broken.length, 1);
        assert.equal(broken[0].status, "unknown");
        assert.equal(broken[0].error, true);
        assert.match(broken[0].message, /could not be evaluated: cannot read properties/);
        const statuses = findings.filter(f => f.ruleId === methodApiKeyRequired.id).map(f => f.status).sort();
        assert.deepEqual(statuses, ["fail", "pass"]);
    });

    it("a bad config for one rule is reported, that rule is skipped, the others run", () => {
        const { findings, configErrors } = runRules(inventory, [methodApiKeyRequired, throwing], {
            config: { "apigateway-method-api-key-required": { exemptPaths: "/health" } },
        });
        assert.equal(configErrors.length, 1);
        assert.match(configErrors[0].message, /apigateway-method-api-key-required.*exemptPaths.*must be array/);
        assert.ok(findings.length > 0 && findings.every(f => f.ruleId === "apigateway-test-throwing"));
    });

    it("honours enforcementLevel overrides, including disabled", () => {
        const advisory = runRules(inventory, [methodApiKeyRequired], { config: { [methodApiKeyRequired.id]: { enforcementLevel: "advisory" } } });
        const fail = advisory.findings.find(f => f.status === "fail");
        assert.equal(fail?.enforcementLevel, "advisory");
        assert.equal(isBlocking(fail!, "mandatory"), false);
        assert.equal(isBlocking(fail!, "advisory"), true);
        const disabled = runRules(inventory, [methodApiKeyRequired], { config: { [methodApiKeyRequired.id]: { enforcementLevel: "disabled" } } });
        assert.equal(disabled.findings.length, 0);
        const bogus = runRules(inventory, [methodApiKeyRequired], { config: { [methodApiKeyRequired.id]: { enforcementLevel: "strict" } } });
        assert.match(bogus.configErrors[0].message, /enforcementLevel/);
    });

    it("a mandatory failure blocks; unknown and pass never do", () => {
        const { findings } = runRules(inventory, [methodApiKeyRequired]);
        assert.equal(findings.filter(f => isBlocking(f)).length, 1);
        assert.equal(findings.filter(f => isBlocking(f, "none")).length, 0);
    });
});

describe("engine/config", () => {
    it("applies defaults without mutating the input", () => {
        const raw = { exemptPaths: ["/health"] };
        const config = resolveRuleConfig(methodApiKeyRequired, raw);
        assert.deepEqual(config, { exemptPaths: ["/health"], exemptMethods: ["OPTIONS"] });
        assert.deepEqual(raw, { exemptPaths: ["/health"] });
    });

    it("names the field and the policy on a type error", () => {
        assert.throws(() => resolveRuleConfig(methodApiKeyRequired, { exemptMethods: [1] }), (e: unknown) =>
            e instanceof ConfigError && e.policy === methodApiKeyRequired.id && e.field === "exemptMethods.0");
        assert.throws(() => resolveRuleConfig(methodApiKeyRequired, "yes"), /must be an object/);
    });
});

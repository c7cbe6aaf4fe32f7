import assert from "node:assert/strict";
import Ajv from "ajv";
import { ConfigError, emptyConfig, resolveRuleConfig } from "apigw-guard/policies/engine/config";
import methodApiKeyRequired from "apigw-guard/policies/rules/apigateway-method-api-key-required";
import { RULES } from "apigw-guard/policies/rules/index";
import { CatalogueRule, defineRule } from "apigw-guard/policies/rules/types";

/** What ajv, with the options the engine uses, makes of an empty config: the reference. */
function ajvDefaults(rule: CatalogueRule): Record<string, unknown> {
    const validate = new Ajv({ allErrors: false, useDefaults: true, strict: false })
        .compile({ ...rule.configSchema, additionalProperties: rule.configSchema.additionalProperties ?? false });
    const config: Record<string, unknown> = {};
    assert.equal(validate(config), true, `${rule.id}: {} must be a valid config`);
    return config;
}

function ruleWithSchema(id: string, configSchema: CatalogueRule["configSchema"]): CatalogueRule {
    return defineRule<Record<string, unknown>>({ ...methodApiKeyRequired, id, configSchema } as never);
}

describe("engine/config: an empty config without ajv", () => {
    for (const rule of RULES) {
        it(`${rule.id}: the defaults equal ajv's, key order included`, () => {
            const shortcut = emptyConfig(rule);
            assert.ok(shortcut, "every catalogue schema is plain enough for the shortcut");
            assert.equal(JSON.stringify(shortcut), JSON.stringify(ajvDefaults(rule)));
            assert.equal(JSON.stringify(resolveRuleConfig(rule, {})), JSON.stringify(ajvDefaults(rule)));
        });
    }

    it("a config that is exactly the defaults (as `pulumi preview` sends it), in any key order, is taken as is; any other value is still validated", () => {
        const rule = RULES.find(r => Object.keys(emptyConfig(r) ?? {}).length >= 2);
        assert.ok(rule, "a rule with at least two settings");
        const defaults = emptyConfig(rule)!;
        const reversed = Object.fromEntries(Object.entries(defaults).reverse());
        assert.deepEqual(resolveRuleConfig(rule, { ...reversed, enforcementLevel: "mandatory" }), defaults);
        const [first] = Object.keys(defaults);
        assert.throws(() => resolveRuleConfig(rule, { ...defaults, [first]: { not: "a valid value" } }), (error: unknown) => error instanceof ConfigError && error.message.includes(`field '${first}'`));
    });

    it("each call gets its own copy of an array default", () => {
        const rule = ruleWithSchema("apigateway-test-array", { type: "object", properties: { paths: { type: "array", items: { type: "string" }, default: ["/health"] } } });
        const first = resolveRuleConfig(rule, {});
        (first.paths as string[]).push("/mutated");
        assert.deepEqual(resolveRuleConfig(rule, {}).paths, ["/health"]);
    });

    it("leaves nested defaults and required settings to ajv", () => {
        const nested = ruleWithSchema("apigateway-test-nested", {
            type: "object",
            properties: { limits: { type: "object", default: {}, properties: { rate: { type: "number", default: 10 } } } },
        });
        assert.equal(emptyConfig(nested), undefined);
        assert.deepEqual(resolveRuleConfig(nested, {}), ajvDefaults(nested));
        assert.deepEqual(resolveRuleConfig(nested, {}), { limits: { rate: 10 } });

        const required = ruleWithSchema("apigateway-test-required", { type: "object", properties: { team: { type: "string" } }, required: ["team"] });
        assert.equal(emptyConfig(required), undefined);
        assert.throws(() => resolveRuleConfig(required, {}), (error: unknown) => error instanceof ConfigError && /field 'team'/.test(error.message));
    });

    it("still validates waivers in an otherwise empty config", () => {
        assert.throws(
            () => resolveRuleConfig(methodApiKeyRequired, { waivers: [{ resource: "*", reason: "r", approver: "a", expires: "soon" }] }),
            (error: unknown) => error instanceof ConfigError && /waivers\.0\.expires/.test(error.message),
        );
    });
});

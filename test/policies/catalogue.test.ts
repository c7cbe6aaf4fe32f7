import assert from "node:assert/strict";
import { readFileSync } from "fs";
import * as path from "path";
import { defaultConfig, resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { runRules } from "apigw-guard/policies/engine/run";
import { Inventory } from "apigw-guard/policies/model/index";
import { RULES } from "apigw-guard/policies/rules/index";
import { renderRuleReference } from "../../scripts/gen-rule-docs";

const EXPECTED_IDS = [
    "apigateway-method-api-key-required",
    "apigateway-rest-api-key-source-header",
    "apigateway-api-key-max-age",
    "apigateway-api-key-unused",
    "apigateway-stage-access-logging",
    "apigateway-stage-execution-logging",
    "apigateway-account-cloudwatch-role",
    "apigateway-usage-plan-limits",
    "apigateway-api-key-one-plan-per-stage",
    "apigateway-api-key-value-secret",
    "apigateway-method-authorizer",
    "apigateway-stage-xray-tracing",
    "apigateway-stage-cache-encrypted",
    "apigateway-stage-waf",
    "apigateway-domain-tls12",
    "apigateway-log-group-retention",
    "apigateway-v2-route-authorization",
    "apigateway-unmanaged-resource",
];

const NOW = new Date("2026-06-01T00:00:00Z");

describe("rule catalogue", () => {
    it("holds exactly the rules of the design, each once", () => {
        assert.deepEqual([...RULES.map(r => r.id)].sort(), [...EXPECTED_IDS].sort());
    });

    for (const rule of RULES) {
        describe(rule.id, () => {
            it("has complete metadata", () => {
                assert.match(rule.id, /^apigateway-[a-z0-9]+(-[a-z0-9]+)*$/);
                assert.ok(rule.title.length > 10, "title");
                assert.ok(rule.description.length > 30, "description");
                assert.ok(rule.remediation.length > 20, "remediation");
                assert.ok(["low", "medium", "high", "critical"].includes(rule.severity));
                assert.ok(["advisory", "mandatory"].includes(rule.enforcementLevel));
                assert.ok(rule.controls.nist80053.length > 0, "at least one NIST 800-53 control");
                assert.ok(rule.appliesTo.length > 0);
                // the file is named after the rule id (one rule per file)
                const file = path.join(__dirname, "..", "..", "..", "policies", "rules", `${rule.id}.ts`);
                assert.ok(readFileSync(file, "utf8").includes(`"${rule.id}"`), `${file} declares the rule`);
            });

            it("declares a default for every setting, and the schema accepts its defaults", () => {
                for (const [name, schema] of Object.entries(rule.configSchema.properties)) {
                    assert.ok("default" in schema, `${name} has a default`);
                    assert.ok(typeof schema.description === "string" && schema.description.length > 5, `${name} is described`);
                }
                const defaults = defaultConfig(rule);
                assert.deepEqual(Object.keys(defaults).sort(), Object.keys(rule.configSchema.properties).sort());
            });

            it("rejects an unknown setting with an error naming the policy and the field", () => {
                assert.throws(() => resolveRuleConfig(rule, { noSuchSetting: 1 }),
                    (e: Error) => e.message.includes(rule.id) && e.message.includes("noSuchSetting"));
            });

            it("passes its compliant example and fails its non-compliant example", () => {
                const good = runRules(new Inventory(rule.examples.compliant.entities), [rule], { now: NOW });
                assert.equal(good.configErrors.length, 0);
                const goodFails = good.findings.filter(f => f.status === "fail");
                assert.deepEqual(goodFails.map(f => f.message), [], "compliant example yields no failure");
                assert.ok(good.findings.some(f => f.status === "pass"), "compliant example yields a pass");
                const bad = runRules(new Inventory(rule.examples.nonCompliant.entities), [rule], { now: NOW });
                assert.ok(bad.findings.some(f => f.status === "fail"), "non-compliant example yields a failure");
            });
        });
    }

    it("docs/rules.md is generated from the current metadata (run `npm run docs`)", () => {
        const committed = readFileSync(path.join(__dirname, "..", "..", "..", "docs", "rules.md"), "utf8");
        assert.equal(committed, renderRuleReference());
    });
});

import assert from "node:assert/strict";
import { Entity, Inventory, unknown } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import rule, { minimumTlsOf } from "apigw-guard/policies/rules/apigateway-domain-tls12";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner } from "./support";

const run = ruleRunner(rule);

function judge(fields: Parameters<typeof example.domainName>[1], raw: Record<string, unknown> = {}): Outcome {
    const outcomes = run([example.domainName("api", fields)], raw);
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0].ref, exampleRef("domain-name", "api"));
    return outcomes[0];
}

describe("apigateway-domain-tls12", () => {
    it("passes TLS_1_2", () => {
        const outcome = judge({ securityPolicy: "TLS_1_2" });
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /custom domain 'api.example.com' uses security policy 'TLS_1_2'/);
    });

    for (const policy of ["SecurityPolicy_TLS13_1_2_2021_06", "SecurityPolicy_TLS13_1_3_2025_09", "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09",
        "SecurityPolicy_TLS12_2018_EDGE", "SecurityPolicy_TLS12_PFS_2025_EDGE", "tls_1_2"]) {
        it(`passes the TLS 1.2+ policy ${policy}`, () => {
            assert.equal(judge({ securityPolicy: policy }).status, "pass");
        });
    }

    it("fails TLS_1_0, naming the domain and the policy to set", () => {
        const outcome = judge({ securityPolicy: "TLS_1_0" });
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /custom domain 'api.example.com' uses security policy 'TLS_1_0', which accepts TLS 1.0/);
        assert.match(outcome.message, /Set securityPolicy to "TLS_1_2"/);
    });

    it("reads the minimum TLS version from policy names", () => {
        assert.equal(minimumTlsOf("TLS_1_0"), 10);
        assert.equal(minimumTlsOf("TLS_1_2"), 12);
        assert.equal(minimumTlsOf("SecurityPolicy_TLS13_1_2_2021_06"), 12);
        assert.equal(minimumTlsOf("SecurityPolicy_TLS13_1_3_FIPS_2025_09"), 13);
        assert.equal(minimumTlsOf("SecurityPolicy_TLS13_1_0_2099_01"), 10);
        assert.equal(minimumTlsOf("SecurityPolicy_TLS12_2018_EDGE"), 12);
        assert.equal(minimumTlsOf("SomethingElse"), undefined);
    });

    it("is unknown for a policy name it does not recognise", () => {
        const outcome = judge({ securityPolicy: "SecurityPolicy_Custom" });
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell which TLS versions custom domain 'api.example.com' accepts: security policy 'SecurityPolicy_Custom'/);
    });

    it("is unknown when the policy is computed", () => {
        const outcome = judge({ securityPolicy: unknown("computed: known only after the update") });
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet which TLS versions custom domain 'api.example.com' accepts: computed: known only after the update/);
    });

    it("is unknown, by default, when the policy is not set (AWS chose it at creation)", () => {
        const outcome = judge({ securityPolicy: undefined });
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet whether custom domain 'api.example.com'/);
        assert.match(outcome.message, /securityPolicy is not set/);
        assert.match(outcome.message, /Set securityPolicy: "TLS_1_2" explicitly/);
    });

    it("fails an unset policy when requireExplicitPolicy is on", () => {
        const outcome = judge({ securityPolicy: undefined }, { requireExplicitPolicy: true });
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /custom domain 'api.example.com' does not set a security policy/);
    });

    it("with minimumTlsVersion 1.3, fails TLS_1_2 and passes a TLS 1.3-only policy", () => {
        const outcome = judge({ securityPolicy: "TLS_1_2" }, { minimumTlsVersion: "1.3" });
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /accepts TLS 1.2/);
        assert.match(outcome.message, /SecurityPolicy_TLS13_1_3_\*/);
        assert.equal(judge({ securityPolicy: "SecurityPolicy_TLS13_1_3_2025_09" }, { minimumTlsVersion: "1.3" }).status, "pass");
        assert.throws(() => resolveRuleConfig(rule, { minimumTlsVersion: "1.1" }), /minimumTlsVersion.*must be one of/);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliantOutcomes = run(rule.examples.compliant.entities);
        assert.ok(compliantOutcomes.length > 0 && compliantOutcomes.every(o => o.status === "pass"));
        assert.ok(run(rule.examples.nonCompliant.entities).some(o => o.status === "fail"));
    });
});

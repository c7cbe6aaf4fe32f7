import assert from "node:assert/strict";
import { Entity, entityLink, externalLink, Inventory, unknown, unknownLink } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import rule from "apigw-guard/policies/rules/apigateway-stage-waf";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner, outcomeFor } from "./support";

const run = ruleRunner(rule);


const prodRef = exampleRef("stage", "prod");
const STAGE_ARN = "arn:aws:apigateway:us-east-1::/restapis/abc123/stages/prod";

describe("apigateway-stage-waf", () => {
    it("passes a stage with a web ACL ARN of its own", () => {
        const outcome = outcomeFor(run([example.restApi("api"), example.stage("prod", { webAclArn: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/api/1" })]), prodRef);
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /stage 'prod' of API 'api' is protected/);
    });

    it("passes a stage that a web ACL association targets", () => {
        const outcome = outcomeFor(run([example.stage("prod"), example.webAclAssociation("waf")]), prodRef);
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /association 'waf'/);
    });

    it("passes a stage matched by the association's resource ARN", () => {
        const outcome = outcomeFor(run([
            example.stage("prod", { arn: STAGE_ARN }),
            example.webAclAssociation("waf", { target: unknownLink(), resourceArn: STAGE_ARN }),
        ]), prodRef);
        assert.equal(outcome.status, "pass");
    });

    it("matches the association's ARN from the API id and stage name when the stage ARN is computed", () => {
        const outcome = outcomeFor(run([
            example.restApi("api", { id: "abc123" }),
            example.stage("prod", { arn: unknown("computed") }),
            example.webAclAssociation("waf", { target: externalLink("something-else"), resourceArn: STAGE_ARN }),
        ]), prodRef);
        assert.equal(outcome.status, "pass");
    });

    it("fails a REST API stage without a web ACL, saying what to add", () => {
        const outcomes = run([
            example.restApi("api"),
            example.stage("prod"),
            example.stage("beta"),
            example.webAclAssociation("waf-beta", { target: entityLink(exampleRef("stage", "beta")), resourceArn: "arn:aws:apigateway:us-east-1::/restapis/abc123/stages/beta" }),
        ]);
        const outcome = outcomeFor(outcomes, prodRef);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /stage 'prod' of API 'api' is not protected by AWS WAF/);
        assert.match(outcome.message, /WebAclAssociation|web_acl_association/);
        assert.equal(outcomeFor(outcomes, exampleRef("stage", "beta")).status, "pass");
    });

    it("is not applicable to v2 (HTTP/WebSocket) stages", () => {
        const outcome = outcomeFor(run([example.stage("prod", { apiVersion: "v2" })]), prodRef);
        assert.equal(outcome.status, "not-applicable");
        assert.match(outcome.message, /AWS WAF cannot protect/);
    });

    it("is unknown when the stage's web ACL is computed and nothing is associated", () => {
        const outcome = outcomeFor(run([example.stage("prod", { webAclArn: unknown("computed: known only after the update") })]), prodRef);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet whether stage 'prod'.*known only after the update/);
    });

    it("is unknown when an association's resource cannot be identified yet", () => {
        const outcome = outcomeFor(run([
            example.stage("prod"),
            example.webAclAssociation("waf", { target: unknownLink("computed"), resourceArn: unknown("computed") }),
        ]), prodRef);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /association 'waf' names a resource that cannot be identified yet/);
    });

    it("exempts endpoint types named in config", () => {
        const entities = [example.restApi("api", { endpointTypes: ["PRIVATE"] }), example.stage("prod")];
        assert.equal(outcomeFor(run(entities), prodRef).status, "fail");
        const outcome = outcomeFor(run(entities, { exemptEndpointTypes: ["PRIVATE"] }), prodRef);
        assert.equal(outcome.status, "not-applicable");
        assert.match(outcome.message, /PRIVATE/);
        // An API without endpoint configuration is edge-optimized.
        assert.equal(outcomeFor(run([example.restApi("api", { endpointTypes: undefined }), example.stage("prod")], { exemptEndpointTypes: ["EDGE"] }), prodRef).status, "not-applicable");
        assert.throws(() => resolveRuleConfig(rule, { exemptEndpointTypes: ["INTERNAL"] }), /exemptEndpointTypes/);
    });

    it("is unknown when an exemption depends on a computed endpoint type", () => {
        const outcome = outcomeFor(run([example.restApi("api", { endpointTypes: unknown("computed") }), example.stage("prod")], { exemptEndpointTypes: ["PRIVATE"] }), prodRef);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /endpoint type/);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliant = run(rule.examples.compliant.entities);
        assert.ok(compliant.some(o => o.status === "pass"));
        assert.ok(compliant.length > 0 && compliant.every(o => o.status !== "fail"));
        assert.ok(run(rule.examples.nonCompliant.entities).some(o => o.status === "fail"));
    });
});

import assert from "node:assert/strict";
import { Entity, entityLink, externalLink, Inventory, unknown, unknownLink } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import rule from "apigw-guard/policies/rules/apigateway-api-key-one-plan-per-stage";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner, outcomeFor } from "./support";

const run = ruleRunner(rule);


const keyRef = exampleRef("api-key", "key");
const planLink = (name: string) => entityLink(exampleRef("usage-plan", name));
const keyLink = (name: string) => entityLink(exampleRef("api-key", name));

describe("apigateway-api-key-one-plan-per-stage", () => {
    it("passes a key attached to one plan", () => {
        const outcome = outcomeFor(run([example.apiKey("key"), example.usagePlan("plan"), example.usagePlanKey("attach")]), keyRef);
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /key 'key'/);
    });

    it("passes a key in two plans that serve different stages", () => {
        const outcome = outcomeFor(run([
            example.apiKey("key"),
            example.usagePlan("plan"),
            example.usagePlan("beta-plan", { apiStages: [{ restApi: entityLink(exampleRef("rest-api", "api")), stageName: "beta", stage: entityLink(exampleRef("stage", "beta")) }] }),
            example.usagePlanKey("attach"),
            example.usagePlanKey("attach-beta", { usagePlan: planLink("beta-plan") }),
        ]), keyRef);
        assert.equal(outcome.status, "pass");
    });

    it("fails a key in two plans serving the same stage, naming the key, both plans and the stage", () => {
        const outcome = outcomeFor(run([
            example.restApi("api"),
            example.apiKey("key"), example.usagePlan("plan"), example.usagePlan("premium"),
            example.usagePlanKey("attach"),
            example.usagePlanKey("attach-premium", { usagePlan: planLink("premium") }),
        ]), keyRef);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /key 'key'/);
        assert.match(outcome.message, /'plan' and 'premium' both serve stage 'prod' of REST API 'api'/);
        assert.match(outcome.message, /Keep the key in only one of these plans/);
    });

    it("treats an API named by id and the same API linked as an entity as one stage", () => {
        const outcome = outcomeFor(run([
            example.restApi("api", { id: "abc123" }),
            example.apiKey("key"), example.usagePlan("plan"),
            example.usagePlan("by-id", { apiStages: [{ restApi: externalLink("abc123"), stageName: "prod", stage: unknownLink() }] }),
            example.usagePlanKey("attach"),
            example.usagePlanKey("attach-by-id", { usagePlan: planLink("by-id") }),
        ]), keyRef);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /'plan' and 'by-id' both serve stage 'prod'/);
    });

    it("does not confuse the same stage name on different APIs", () => {
        const outcome = outcomeFor(run([
            example.apiKey("key"), example.usagePlan("plan"),
            example.usagePlan("other-api", { apiStages: [{ restApi: entityLink(exampleRef("rest-api", "other")), stageName: "prod", stage: unknownLink() }] }),
            example.usagePlanKey("attach"),
            example.usagePlanKey("attach-other", { usagePlan: planLink("other-api") }),
        ]), keyRef);
        assert.equal(outcome.status, "pass");
    });

    it("is not applicable to a key without attachments", () => {
        const outcome = outcomeFor(run([example.apiKey("key"), example.usagePlan("plan")]), keyRef);
        assert.equal(outcome.status, "not-applicable");
    });

    it("is unknown when a plan's API stages are computed", () => {
        const outcome = outcomeFor(run([
            example.apiKey("key"), example.usagePlan("plan"),
            example.usagePlan("premium", { apiStages: unknown("computed: known only after the update") }),
            example.usagePlanKey("attach"),
            example.usagePlanKey("attach-premium", { usagePlan: planLink("premium") }),
        ]), keyRef);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet/);
        assert.match(outcome.message, /usage plan 'premium'.*known only after the update/);
    });

    it("is unknown when a stage name is computed", () => {
        const outcome = outcomeFor(run([
            example.apiKey("key"), example.usagePlan("plan"),
            example.usagePlan("premium", { apiStages: [{ restApi: entityLink(exampleRef("rest-api", "api")), stageName: unknown("computed: known only after the update"), stage: unknownLink() }] }),
            example.usagePlanKey("attach"),
            example.usagePlanKey("attach-premium", { usagePlan: planLink("premium") }),
        ]), keyRef);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /stage name in usage plan 'premium'/);
    });

    it("passes a key in exactly one plan whose stage names are not known yet (one plan cannot conflict with itself)", () => {
        const computed = { restApi: entityLink(exampleRef("rest-api", "api")), stageName: unknown("set by an expression that cannot be resolved without running Terraform"), stage: unknownLink() };
        const outcome = outcomeFor(run([
            example.apiKey("key"),
            example.usagePlan("plan", { apiStages: [computed, computed] }),
            example.usagePlanKey("attach"),
            example.usagePlanKey("attach-again", {}),
        ]), keyRef);
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /key 'key' is in one usage plan \('plan'\)/);
    });

    it("is still unknown for a key in one plan with unknown stages when an attachment of an unknown key names another plan", () => {
        const outcome = outcomeFor(run([
            example.apiKey("key"),
            example.usagePlan("plan", { apiStages: unknown("computed: known only after the update") }),
            example.usagePlan("premium"),
            example.usagePlanKey("attach"),
            example.usagePlanKey("attach-unknown-key", { usagePlan: planLink("premium"), apiKey: unknownLink("computed") }),
        ]), keyRef);
        assert.equal(outcome.status, "unknown");
    });

    it("is unknown when an attachment's plan link is unknown", () => {
        const outcome = outcomeFor(run([
            example.apiKey("key"), example.usagePlan("plan"),
            example.usagePlanKey("attach"),
            example.usagePlanKey("attach-mystery", { usagePlan: unknownLink("computed: known only after the update") }),
        ]), keyRef);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /attachment 'attach-mystery' cannot be identified yet/);
    });

    it("still fails on a proven conflict when another attachment is unknown", () => {
        const outcome = outcomeFor(run([
            example.apiKey("key"), example.usagePlan("plan"), example.usagePlan("premium"),
            example.usagePlanKey("attach"),
            example.usagePlanKey("attach-premium", { usagePlan: planLink("premium") }),
            example.usagePlanKey("attach-mystery", { usagePlan: unknownLink() }),
        ]), keyRef);
        assert.equal(outcome.status, "fail");
    });

    it("is unknown when an attachment whose key is not known yet may put a plan on the same stage", () => {
        const outcome = outcomeFor(run([
            example.apiKey("key"), example.usagePlan("plan"), example.usagePlan("premium"),
            example.usagePlanKey("attach"),
            example.usagePlanKey("attach-unknown-key", { usagePlan: planLink("premium"), apiKey: unknownLink("computed") }),
        ]), keyRef);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /name a key that cannot be identified yet/);
    });

    it("an attachment whose key is not known yet, to the key's own plan, cannot conflict", () => {
        const outcome = outcomeFor(run([
            example.apiKey("key"), example.usagePlan("plan"),
            example.usagePlanKey("attach"),
            example.usagePlanKey("attach-unknown-key", { usagePlan: planLink("plan"), apiKey: unknownLink("computed") }),
        ]), keyRef);
        assert.equal(outcome.status, "pass");
    });

    it("accepts an empty config and rejects settings it does not have", () => {
        assert.deepEqual(resolveRuleConfig(rule, {}), {});
        assert.throws(() => resolveRuleConfig(rule, { maxPlans: 2 }), /field 'maxPlans' is not a setting of this policy/);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliant = run(rule.examples.compliant.entities);
        assert.ok(compliant.length > 0);
        assert.ok(compliant.length > 0 && compliant.every(o => o.status !== "fail"), JSON.stringify(compliant));
        assert.ok(run(rule.examples.nonCompliant.entities).some(o => o.status === "fail"));
    });

    it("handles 5,000 keys over 50 plans with the right verdicts", () => {
        const entities: Entity[] = [example.restApi("api")];
        for (let p = 0; p < 50; p++) {
            // Plans p and p+25 serve the same stage, so a key in both conflicts.
            entities.push(example.usagePlan(`plan-${p}`, {
                apiStages: [{ restApi: entityLink(exampleRef("rest-api", "api")), stageName: `stage-${p % 25}`, stage: unknownLink() }],
            }));
        }
        for (let k = 0; k < 5000; k++) {
            entities.push(example.apiKey(`key-${k}`));
            const first = k % 50;
            const second = k % 10 === 0 ? (first + 25) % 50 : (first + 1) % 50;
            entities.push(example.usagePlanKey(`attach-${k}-a`, { apiKey: keyLink(`key-${k}`), usagePlan: planLink(`plan-${first}`) }));
            entities.push(example.usagePlanKey(`attach-${k}-b`, { apiKey: keyLink(`key-${k}`), usagePlan: planLink(`plan-${second}`) }));
        }
        const outcomes = run(entities);
        assert.equal(outcomes.length, 5000);
        const failed = outcomes.filter(o => o.status === "fail");
        assert.equal(failed.length, 500);
        assert.ok(failed.length > 0 && failed.every(o => /both serve stage 'stage-\d+'/.test(o.message)));
        assert.equal(outcomes.filter(o => o.status === "pass").length, 4500);
        assert.equal(outcomeFor(outcomes, exampleRef("api-key", "key-10")).status, "fail");
        assert.equal(outcomeFor(outcomes, exampleRef("api-key", "key-11")).status, "pass");
    });
});

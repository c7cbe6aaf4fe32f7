import assert from "node:assert/strict";
import rule from "apigw-guard/policies/rules/apigateway-unmanaged-resource";
import { runRules } from "apigw-guard/policies/engine/run";
import { Entity, Inventory, Management } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner } from "./support";

const run = ruleRunner(rule);

function judge(entity: Entity): Outcome {
    const outcomes = run(new Inventory([entity]));
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0].ref, entity.ref);
    return outcomes[0];
}

const MANAGED: Management = { state: "managed", match: "id", input: "state.json", location: "aws_api_gateway_api_key.partner" };

describe("apigateway-unmanaged-resource", () => {
    it("is advisory by default and judges keys, usage plans, REST and HTTP APIs and stages", () => {
        assert.equal(rule.enforcementLevel, "advisory");
        assert.deepEqual([...rule.appliesTo].sort(), ["api-key", "rest-api", "stage", "usage-plan", "v2-api"]);
    });

    it("says nothing without management data (every scan, the pack), and judges only what was compared", () => {
        const entities = [example.apiKey("k"), example.usagePlan("p"), example.restApi("api"), example.v2Api("http"), example.stage("prod"), example.method("get")];
        assert.deepEqual(run(new Inventory(entities)), []);
        const compared = run(new Inventory([...entities, example.apiKey("console", { management: { state: "unmanaged", inputsCompared: 1 } })]));
        assert.deepEqual(compared.map(outcome => [outcome.ref, outcome.status]), [[exampleRef("api-key", "console"), "fail"]]);
    });

    it("passes a managed resource, naming the input, the address and the match method", () => {
        const outcome = judge(example.apiKey("partner", { management: MANAGED }));
        assert.equal(outcome.status, "pass");
        assert.equal(outcome.message, "API key 'partner' is managed by state.json: aws_api_gateway_api_key.partner (matched by id)");
        assert.match(judge(example.usagePlan("gold", { management: { ...MANAGED, match: "arn" } })).message, /^usage plan 'gold' is managed by state\.json: .* \(matched by ARN\)$/);
        assert.match(judge(example.restApi("orders", { management: { ...MANAGED, match: "name" } })).message, /^REST API 'orders' .* \(matched by name\)$/);
    });

    it("says a stage matched through its API: the API's method, then the stage name", () => {
        const outcome = judge(example.stage("prod", { management: { state: "managed", match: "name", input: "infra", location: "aws_api_gateway_stage.prod (infra/main.tf:12)" } }));
        assert.equal(outcome.message, "stage 'prod' is managed by infra: aws_api_gateway_stage.prod (infra/main.tf:12) (matched by its API's name and its stage name)");
    });

    it("fails an unmanaged resource: no input has it, how many were compared, import it or delete it", () => {
        const outcome = judge(example.v2Api("http", { management: { state: "unmanaged", inputsCompared: 3 } }));
        assert.equal(outcome.status, "fail");
        assert.equal(outcome.message, "HTTP API 'http' is managed by no input: none of the 3 input(s) compared has it by id, ARN or name. Import it into code (terraform import / pulumi import), or delete it if nothing uses it");
        assert.deepEqual(outcome.metrics, { inputsCompared: 3 });
    });

    it("is unknown, with the reason, when it cannot be told", () => {
        const outcome = judge(example.apiKey("partner", { management: { state: "unknown", reason: "2 resources in code are named 'partner'", inputsCompared: 2 } }));
        assert.equal(outcome.status, "unknown");
        assert.equal(outcome.message, "cannot tell whether API key 'partner' is managed by code: 2 resources in code are named 'partner'");
    });

    it("can be made mandatory through the usual config", () => {
        const inventory = new Inventory([example.apiKey("k", { management: { state: "unmanaged", inputsCompared: 1 } })]);
        const advisory = runRules(inventory, [rule]).findings[0];
        assert.equal(advisory.enforcementLevel, "advisory");
        const mandatory = runRules(inventory, [rule], { config: { [rule.id]: { enforcementLevel: "mandatory" } } }).findings[0];
        assert.equal(mandatory.status, "fail");
        assert.equal(mandatory.enforcementLevel, "mandatory");
    });
});

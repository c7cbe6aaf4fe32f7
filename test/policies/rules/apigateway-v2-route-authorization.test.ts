import assert from "node:assert/strict";
import { Entity, entityLink, externalLink, Inventory, unknown, unknownLink } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import rule from "apigw-guard/policies/rules/apigateway-v2-route-authorization";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner, outcomeFor } from "./support";

const run = ruleRunner(rule);


const routeRef = (name: string) => exampleRef("v2-route", name);
const wsApi = () => example.v2Api("ws", { protocolType: "WEBSOCKET" });
const wsLink = entityLink(exampleRef("v2-api", "ws"));

describe("apigateway-v2-route-authorization", () => {
    for (const authorizationType of ["JWT", "CUSTOM", "AWS_IAM"]) {
        it(`passes an HTTP API route with ${authorizationType}`, () => {
            const outcome = outcomeFor(run([example.v2Api("http"), example.v2Route("r", { authorizationType })]), routeRef("r"));
            assert.equal(outcome.status, "pass");
            assert.match(outcome.message, new RegExp(`route 'GET /orders' of HTTP API 'http' requires ${authorizationType}`));
        });
    }

    it("fails an HTTP API route without authorization and says why keys are not an option", () => {
        for (const authorizationType of ["NONE", undefined]) {
            const outcome = outcomeFor(run([example.v2Api("http"), example.v2Route("r", { authorizationType })]), routeRef("r"));
            assert.equal(outcome.status, "fail");
            assert.match(outcome.message, /route 'GET \/orders' of HTTP API 'http' can be called without authorization/);
            assert.match(outcome.message, /HTTP APIs have no API keys or usage plans/);
            assert.match(outcome.message, /JWT.*CUSTOM.*AWS_IAM/);
            assert.match(outcome.message, /REST API/);
        }
    });

    it("treats a route whose API cannot be resolved as an HTTP API route", () => {
        for (const api of [unknownLink("computed"), externalLink("a1b2c3")]) {
            const outcome = outcomeFor(run([example.v2Route("r", { api, authorizationType: "NONE" })]), routeRef("r"));
            assert.equal(outcome.status, "fail");
            assert.match(outcome.message, /no API keys or usage plans/);
        }
    });

    it("is unknown when the authorization type is computed", () => {
        const outcome = outcomeFor(run([example.v2Api("http"), example.v2Route("r", { authorizationType: unknown("computed: known only after the update") })]), routeRef("r"));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet whether route 'GET \/orders' of HTTP API 'http' requires authorization: computed: known only after the update/);
    });

    it("is unknown when the API's protocol is computed and the route is open", () => {
        const outcome = outcomeFor(run([example.v2Api("http", { protocolType: unknown("computed") }), example.v2Route("r", { authorizationType: "NONE" })]), routeRef("r"));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /protocol of API 'http'/);
    });

    describe("WebSocket APIs", () => {
        it("judges only $connect: other routes are not applicable", () => {
            const outcome = outcomeFor(run([wsApi(), example.v2Route("msg", { api: wsLink, routeKey: "sendMessage", authorizationType: "NONE" })]), routeRef("msg"));
            assert.equal(outcome.status, "not-applicable");
            assert.match(outcome.message, /\$connect/);
        });

        it("passes $connect with a Lambda authorizer or with an API key", () => {
            const outcomes = run([
                wsApi(),
                example.v2Route("connect-custom", { api: wsLink, routeKey: "$connect", authorizationType: "CUSTOM" }),
                example.v2Route("connect-key", { api: wsLink, routeKey: "$connect", authorizationType: "NONE", apiKeyRequired: true }),
            ]);
            assert.equal(outcomeFor(outcomes, routeRef("connect-custom")).status, "pass");
            const keyed = outcomeFor(outcomes, routeRef("connect-key"));
            assert.equal(keyed.status, "pass");
            assert.match(keyed.message, /requires an API key/);
        });

        it("fails an open $connect", () => {
            const outcome = outcomeFor(run([wsApi(), example.v2Route("connect", { api: wsLink, routeKey: "$connect", authorizationType: "NONE", apiKeyRequired: false })]), routeRef("connect"));
            assert.equal(outcome.status, "fail");
            assert.match(outcome.message, /the \$connect route of WebSocket API 'ws' lets anyone open a connection/);
            assert.match(outcome.message, /apiKeyRequired: true/);
        });

        it("is unknown when $connect's settings are computed", () => {
            const outcome = outcomeFor(run([wsApi(), example.v2Route("connect", { api: wsLink, routeKey: "$connect", authorizationType: "NONE", apiKeyRequired: unknown("computed: known only after the update") })]), routeRef("connect"));
            assert.equal(outcome.status, "unknown");
            assert.match(outcome.message, /^cannot tell yet whether the \$connect route/);
        });
    });

    it("exempts route keys listed in config", () => {
        const entities = [example.v2Api("http"), example.v2Route("health", { routeKey: "GET /health", authorizationType: "NONE" })];
        assert.equal(outcomeFor(run(entities), routeRef("health")).status, "fail");
        const outcome = outcomeFor(run(entities, { exemptRouteKeys: ["GET /health"] }), routeRef("health"));
        assert.equal(outcome.status, "not-applicable");
        assert.match(outcome.message, /exemptRouteKeys/);
        assert.throws(() => resolveRuleConfig(rule, { exemptRouteKeys: [""] }), /exemptRouteKeys/);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliantOutcomes = run(rule.examples.compliant.entities);
        assert.ok(compliantOutcomes.length > 0 && compliantOutcomes.every(o => o.status === "pass"));
        assert.ok(run(rule.examples.nonCompliant.entities).some(o => o.status === "fail"));
    });
});

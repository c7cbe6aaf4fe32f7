import assert from "node:assert/strict";
import rule from "apigw-guard/policies/rules/apigateway-stage-execution-logging";
import { Entity, entityLink, externalLink, Inventory, unknown, unknownLink } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner } from "./support";

const now = new Date("2026-12-01T00:00:00Z");
const PROD = exampleRef("stage", "prod");

const run = ruleRunner(rule, now);

/** The outcome for the stage `prod`. */
function prodOutcome(entities: readonly Entity[], raw: Record<string, unknown> = {}): Outcome {
    const outcome = run(entities, raw).find(o => o.ref === PROD);
    assert.ok(outcome, "no outcome for the prod stage");
    return outcome;
}

const api = example.restApi("api", { id: "abc123" });
const prod = example.stage("prod");

describe("apigateway-stage-execution-logging", () => {
    it("passes a stage whose */* settings log errors with metrics on and data trace off", () => {
        const outcome = prodOutcome([api, prod, example.methodSettings("prod-all")]);
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /REST API stage 'prod' logs execution at ERROR for \*\/\* with metrics on and data trace off/);
    });

    it("fails a stage without */* method settings, naming the stage and the fix", () => {
        const outcome = prodOutcome([api, prod]);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /REST API stage 'prod'.*no method settings for \*\/\*/);
        assert.match(outcome.message, /methodPath "\*\/\*", loggingLevel ERROR or INFO and metricsEnabled true/);
    });

    it("fails logging level OFF or unset", () => {
        const off = prodOutcome([api, prod, example.methodSettings("prod-all", { loggingLevel: "OFF" })]);
        assert.equal(off.status, "fail");
        assert.match(off.message, /method settings 'prod-all' \(\*\/\*\) set loggingLevel to OFF: set it to ERROR or INFO/);
        const unset = prodOutcome([api, prod, example.methodSettings("prod-all", { loggingLevel: undefined })]);
        assert.equal(unset.status, "fail");
        assert.match(unset.message, /not at all \(so it is OFF\)/);
    });

    it("fails metrics off unless requireMetrics is false", () => {
        const entities = [api, prod, example.methodSettings("prod-all", { metricsEnabled: false })];
        const outcome = prodOutcome(entities);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /metricsEnabled false: set it to true/);
        assert.equal(prodOutcome(entities, { requireMetrics: false }).status, "pass");
    });

    it("fails data trace unless allowDataTrace is true", () => {
        const entities = [api, prod, example.methodSettings("prod-all", { dataTraceEnabled: true })];
        const outcome = prodOutcome(entities);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /'prod-all' \(\*\/\*\) turn on dataTraceEnabled, which logs full requests and responses.*turn it off/);
        assert.equal(prodOutcome(entities, { allowDataTrace: true }).status, "pass");
    });

    it("fails data trace turned on for a single method too", () => {
        const outcome = prodOutcome([api, prod, example.methodSettings("prod-all"),
            example.methodSettings("orders-get", { methodPath: "orders/GET", dataTraceEnabled: true })]);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /method settings 'orders-get' \(orders\/GET\) turn on dataTraceEnabled/);
    });

    it("allowedLevels: [\"INFO\"] turns ERROR into a failure", () => {
        const entities = [api, prod, example.methodSettings("prod-all", { loggingLevel: "ERROR" })];
        assert.equal(prodOutcome(entities).status, "pass");
        const outcome = prodOutcome(entities, { allowedLevels: ["INFO"] });
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /set loggingLevel to ERROR: set it to INFO/);
    });

    it("rejects OFF as an allowed level", () => {
        assert.throws(() => resolveRuleConfig(rule, { allowedLevels: ["OFF"] }), /allowedLevels/);
    });

    it("is unknown when the logging level is computed", () => {
        const outcome = prodOutcome([api, prod, example.methodSettings("prod-all", { loggingLevel: unknown("computed: known only after the update") })]);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet whether REST API stage 'prod' logs execution: the loggingLevel of method settings 'prod-all' \(\*\/\*\) is not known yet \(computed: known only after the update\)$/);
    });

    it("still fails on a known problem when another setting is unknown", () => {
        const outcome = prodOutcome([api, prod, example.methodSettings("prod-all", { loggingLevel: unknown("computed"), dataTraceEnabled: true })]);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /dataTraceEnabled/);
    });

    it("finds settings by REST API and stage name when the stage link is unknown", () => {
        const settings = example.methodSettings("prod-all", { stage: unknownLink("the stage could not be identified") });
        assert.equal(prodOutcome([api, prod, settings]).status, "pass");
    });

    it("finds settings that name the REST API by id", () => {
        const settings = example.methodSettings("prod-all", { restApi: externalLink("abc123"), stage: externalLink("abc123/prod") });
        assert.equal(prodOutcome([api, prod, settings]).status, "pass");
    });

    it("is unknown, not failed, when settings whose stage is not known yet may be this stage's", () => {
        const settings = example.methodSettings("prod-all", { stage: unknownLink("computed"), stageName: unknown("computed") });
        const outcome = prodOutcome([api, prod, settings]);
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /method settings 'prod-all' may be its \*\/\* settings/);
    });

    it("does not count another stage's settings", () => {
        const dev = example.stage("dev");
        const devSettings = example.methodSettings("dev-all", { stage: entityLink(dev.ref), stageName: "dev" });
        const outcomes = run([api, prod, dev, devSettings]);
        assert.deepEqual(outcomes.map(o => [o.ref, o.status]), [[PROD, "fail"], [dev.ref, "pass"]]);
    });

    it("does not count settings of a same-named stage on another REST API", () => {
        const other = example.restApi("other", { id: "zzz999" });
        const settings = example.methodSettings("other-prod-all", { restApi: entityLink(other.ref), stage: unknownLink("computed") });
        assert.equal(prodOutcome([api, other, prod, settings]).status, "fail");
    });

    describe("v2 stages", () => {
        const httpApi = example.v2Api("http", { protocolType: "HTTP" });
        const wsApi = example.v2Api("ws", { protocolType: "WEBSOCKET" });

        it("are not applicable for HTTP APIs (no execution logs)", () => {
            const stage = example.stage("prod", { apiVersion: "v2", restApi: entityLink(httpApi.ref) });
            const outcome = prodOutcome([httpApi, stage]);
            assert.equal(outcome.status, "not-applicable");
            assert.match(outcome.message, /HTTP APIs have no execution logs; access logging covers them/);
        });

        it("pass for a WebSocket stage logging at ERROR", () => {
            const stage = example.stage("prod", { apiVersion: "v2", restApi: entityLink(wsApi.ref), v2LoggingLevel: "ERROR" });
            assert.equal(prodOutcome([wsApi, stage]).status, "pass");
        });

        it("fail for a WebSocket stage without a logging level", () => {
            const stage = example.stage("prod", { apiVersion: "v2", restApi: entityLink(wsApi.ref), v2LoggingLevel: undefined });
            const outcome = prodOutcome([wsApi, stage]);
            assert.equal(outcome.status, "fail");
            assert.match(outcome.message, /WebSocket API 'ws'.*set defaultRouteSettings\.loggingLevel to ERROR or INFO/);
        });

        it("are unknown when a WebSocket stage's level is computed", () => {
            const stage = example.stage("prod", { apiVersion: "v2", restApi: entityLink(wsApi.ref), v2LoggingLevel: unknown("computed") });
            assert.equal(prodOutcome([wsApi, stage]).status, "unknown");
        });

        it("fail for a WebSocket stage whose default route settings turn on data trace, even at level ERROR", () => {
            const stage = example.stage("prod", { apiVersion: "v2", restApi: entityLink(wsApi.ref), v2LoggingLevel: "ERROR", v2DataTraceEnabled: true });
            const outcome = prodOutcome([wsApi, stage]);
            assert.equal(outcome.status, "fail");
            assert.match(outcome.message, /defaultRouteSettings\.dataTraceEnabled is on, which logs full messages/);
        });

        it("fail for a WebSocket stage with data trace on one route, naming the route", () => {
            const stage = example.stage("prod", {
                apiVersion: "v2", restApi: entityLink(wsApi.ref), v2LoggingLevel: "INFO", v2DataTraceEnabled: false,
                v2RouteSettings: [
                    { routeKey: "$connect", loggingLevel: "ERROR", dataTraceEnabled: false },
                    { routeKey: "sendmessage", loggingLevel: "INFO", dataTraceEnabled: true },
                ],
            });
            const outcome = prodOutcome([wsApi, stage]);
            assert.equal(outcome.status, "fail");
            assert.match(outcome.message, /route settings of route 'sendmessage' turn on dataTraceEnabled/);
            assert.doesNotMatch(outcome.message, /\$connect/);
        });

        it("accept data trace on a WebSocket stage with allowDataTrace", () => {
            const stage = example.stage("prod", { apiVersion: "v2", restApi: entityLink(wsApi.ref), v2LoggingLevel: "ERROR", v2DataTraceEnabled: true });
            const outcome = run([wsApi, stage], { allowDataTrace: true }).find(o => o.ref === stage.ref);
            assert.equal(outcome?.status, "pass");
        });

        it("are unknown when a WebSocket stage's data trace or route settings are computed, and fail when another setting already fails", () => {
            const traceUnknown = example.stage("prod", { apiVersion: "v2", restApi: entityLink(wsApi.ref), v2LoggingLevel: "ERROR", v2DataTraceEnabled: unknown("computed") });
            const outcome = prodOutcome([wsApi, traceUnknown]);
            assert.equal(outcome.status, "unknown");
            assert.match(outcome.message, /data trace is not known yet/);
            const routesUnknown = example.stage("prod", { apiVersion: "v2", restApi: entityLink(wsApi.ref), v2LoggingLevel: "ERROR", v2RouteSettings: unknown("computed") });
            assert.equal(prodOutcome([wsApi, routesUnknown]).status, "unknown");
            const offAndUnknown = example.stage("prod", { apiVersion: "v2", restApi: entityLink(wsApi.ref), v2LoggingLevel: "OFF", v2DataTraceEnabled: unknown("computed") });
            assert.equal(prodOutcome([wsApi, offAndUnknown]).status, "fail");
        });

        it("stay not applicable for an HTTP API stage even with route settings (HTTP APIs have no execution logs)", () => {
            const stage = example.stage("prod", { apiVersion: "v2", restApi: entityLink(httpApi.ref), v2RouteSettings: [{ routeKey: "GET /", loggingLevel: undefined, dataTraceEnabled: undefined }] });
            assert.equal(prodOutcome([httpApi, stage]).status, "not-applicable");
        });

        it("are not applicable when the API is not in the inventory and no level is set", () => {
            const stage = example.stage("prod", { apiVersion: "v2", restApi: externalLink("a1b2c3"), v2LoggingLevel: undefined });
            const outcome = prodOutcome([stage]);
            assert.equal(outcome.status, "not-applicable");
            assert.match(outcome.message, /If its API .* is a WebSocket API, set defaultRouteSettings\.loggingLevel/);
        });
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliant = run(rule.examples.compliant.entities);
        assert.ok(compliant.length > 0 && compliant.every(o => o.status === "pass"));
        const nonCompliant = run(rule.examples.nonCompliant.entities);
        assert.ok(nonCompliant.some(o => o.status === "fail" && /dataTraceEnabled/.test(o.message) && /metricsEnabled/.test(o.message)));
    });
});

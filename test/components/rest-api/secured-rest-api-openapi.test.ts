import assert from "node:assert/strict";
import { readFileSync } from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ApiGatewayAccountLogging, GuardedUsagePlan, RotatingApiKey, SecuredRestApi } from "../../../components";
import { isUnknown } from "apigw-guard/policies/model/index";
import { readOpenApiBody } from "apigw-guard/policies/sources/openapi/index";
import { toEngineResource } from "../../../testkit/record";
import { PackProcess, PolicyPackConfig, runLikeEngine } from "../../../testkit/engine";
import { ofType, record, recordFailure, T } from "../helpers";

const FIXTURES = path.resolve(__dirname, "../../../../test/policies/sources/openapi/fixtures");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), "utf8");

/** (method path) → [apiKeyRequired, authorizationType] as the pack's reader sees the body. */
function judged(body: unknown): Record<string, [unknown, unknown]> {
    const read = readOpenApiBody(body);
    assert.equal(read.state, "read");
    return Object.fromEntries((read.state === "read" ? read.document.operations : []).map(op => [
        `${String(op.method)} ${op.path}`,
        [isUnknown(op.apiKeyRequired) ? "?" : op.apiKeyRequired, isUnknown(op.authorizationType) ? "?" : op.authorizationType],
    ]));
}

describe("SecuredRestApi from an OpenAPI document", () => {
    it("adds the key to every operation not public, keeps preflight and public paths open, keeps the document's authorizers", async () => {
        let api: SecuredRestApi | undefined;
        const resources = await record(() => {
            api = new SecuredRestApi("pets", { openApi: { document: fixture("petstore.yaml"), publicPaths: ["/"] } });
        });
        const [restApi] = ofType(resources, T.restApi);
        assert.equal(restApi.props.apiKeySource, "HEADER");
        assert.deepEqual(judged(restApi.props.body), {
            "GET /": [false, "NONE"],
            "GET /pets": [true, "NONE"],
            "POST /pets": [true, "NONE"],
            "OPTIONS /pets": [false, "NONE"],
            "GET /pets/{petId}": [true, "NONE"],
        });
        // No Method resources: the body defines them.
        assert.equal(ofType(resources, T.method).length, 0);
        assert.deepEqual(api?.keyedRoutes, [{ method: "GET", path: "/pets" }, { method: "POST", path: "/pets" }, { method: "GET", path: "/pets/{petId}" }]);
        assert.deepEqual(api?.publicPaths, ["/"]);

        const cognito = await record(() => {
            new SecuredRestApi("orders", { openApi: { document: parseYaml(fixture("cognito-orders.yaml")) as Record<string, unknown>, publicPaths: ["/health"] } });
        });
        assert.deepEqual(judged(ofType(cognito, T.restApi)[0].props.body), {
            "GET /orders": [true, "COGNITO_USER_POOLS"],
            "DELETE /orders/{orderId}": [true, "NONE"],
            "GET /health": [false, "NONE"],
        });
    });

    it("does not change the caller's document", async () => {
        const document = JSON.parse(fixture("serverless-raw.json")) as Record<string, unknown>;
        const before = JSON.stringify(document);
        await record(() => {
            new SecuredRestApi("raw", { openApi: { document } });
        });
        assert.equal(JSON.stringify(document), before);
    });

    it("refuses a document it cannot secure, and routes with openApi, with a clear error", async () => {
        for (const [args, pattern] of [
            [{ openApi: { document: "[1, 2]" } }, /openApi\.document.*must be an object/],
            [{ openApi: { document: "{\"openapi\": \"4.0\", \"paths\": {}}" } }, /Swagger 2\.0 or OpenAPI 3/],
            [{ openApi: { document: fixture("serverless-raw.json"), publicPaths: ["/nope"] } }, /publicPaths.*not a path/],
            [{ openApi: { document: fixture("serverless-raw.json") }, routes: [] }, /cannot both be given/],
            [{ openApi: { document: fixture("serverless-raw.json") }, cors: { allowOrigin: "*" } }, /cors.*cannot be combined/],
        ] as const) {
            const { error } = await recordFailure(() => new SecuredRestApi("bad", args as never));
            assert.match(error.message, pattern);
        }
    });

    it("redeploys when the document changes, and only then", async () => {
        const hashOf = async (document: string) => {
            const resources = await record(() => {
                new SecuredRestApi("api", { openApi: { document } });
            });
            return (ofType(resources, T.deployment)[0].props.triggers as Record<string, unknown>).redeployment;
        };
        const raw = fixture("serverless-raw.json");
        assert.equal(await hashOf(raw), await hashOf(raw));
        assert.notEqual(await hashOf(raw), await hashOf(raw.replace("mylambda-4e1c2a7", "otherlambda-1a2b3c")));
    });

    describe("passes every mandatory policy of the real pack", function () {
        this.timeout(300_000);
        let pack: PackProcess;
        before(async () => { pack = await PackProcess.start(); });
        after(async () => { await pack?.close(); });

        for (const [name, document, publicPaths] of [
            ["aws-apigateway-restapi.json", fixture("aws-apigateway-restapi.json"), ["/health"]],
            ["serverless-raw.json", fixture("serverless-raw.json"), []],
            ["petstore.yaml", fixture("petstore.yaml"), ["/"]],
            ["cognito-orders.yaml", fixture("cognito-orders.yaml"), ["/health"]],
        ] as const) {
            for (const preview of [true, false]) {
                it(`${name} (${preview ? "preview" : "update"})`, async () => {
                    let packConfig: PolicyPackConfig = {};
                    const resources = await record(() => {
                        const accountLogging = new ApiGatewayAccountLogging("account");
                        const api = new SecuredRestApi("api", { openApi: { document, publicPaths }, accountLogging });
                        packConfig = api.packConfig as PolicyPackConfig;
                        const apiKeys = [new RotatingApiKey("client", { rotationDays: 30 })];
                        new GuardedUsagePlan("plan", { throttle: { rateLimit: 10, burstLimit: 20 }, quota: { limit: 1000, period: "DAY" }, apiStages: [{ api }], apiKeys });
                    }, preview);
                    const result = await runLikeEngine(resources.filter(r => r.custom).map(toEngineResource), { pack, config: packConfig });
                    const mandatory = result.diagnostics.filter(d => d.enforcementLevel === "mandatory");
                    assert.deepEqual(mandatory.map(d => `${d.policyName} ${d.urn}: ${d.message}`), []);
                    // The body was judged: its operations reached the key rule (a public path is exempt, not silent).
                    const unsecured = await runLikeEngine([{ type: T.restApi, name: "plain", props: { name: "plain", body: document } }], { pack });
                    assert.ok(unsecured.diagnostics.some(d => d.policyName === "apigateway-method-api-key-required" && d.enforcementLevel === "mandatory"), "the same document unsecured fails");
                });
            }
        }
    });
});

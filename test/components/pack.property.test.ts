import assert from "node:assert/strict";
import fc from "fast-check";
import { ApiGatewayAccountLogging, GuardedUsagePlan, RotatingApiKey, SecuredRestApi } from "../../components";
import { toEngineResource } from "../../testkit/record";
import { PackProcess, PolicyPackConfig, runLikeEngine } from "../../testkit/engine";
import { record } from "./helpers";
import { routeSpecs } from "./route-arbitraries";

const SEGMENTS = ["orders", "items", "users", "v1", "{id}", "{proxy+}"];

const spec = fc.record({
    routes: routeSpecs(SEGMENTS, { maxDepth: 3, maxRoutes: 6 }),
    cors: fc.boolean(),
    loggingLevel: fc.constantFrom("ERROR" as const, "INFO" as const),
    keys: fc.integer({ min: 1, max: 3 }),
});

/**
 * The promise of the components: whatever routes a user asks for, the resources they create pass
 * every mandatory policy of the real pack, judged as `pulumi preview` would (engine protocol).
 */
describe("components × the real pack (property)", function () {
    this.timeout(300_000);
    let pack: PackProcess;
    before(async () => { pack = await PackProcess.start(); });
    after(async () => { await pack?.close(); });

    for (const preview of [true, false]) {
        it(`random route specs yield zero mandatory violations (${preview ? "preview" : "update"})`, async () => {
            await fc.assert(fc.asyncProperty(spec, async ({ routes, cors, loggingLevel, keys }) => {
                let packConfig: PolicyPackConfig = {};
                const resources = await record(() => {
                    const accountLogging = new ApiGatewayAccountLogging("account");
                    const api = new SecuredRestApi("api", {
                        routes,
                        ...(cors ? { cors: { allowOrigin: "https://app.example.com" } } : {}),
                        logging: { level: loggingLevel },
                        accountLogging,
                    });
                    packConfig = api.packConfig as PolicyPackConfig;
                    const apiKeys = Array.from({ length: keys }, (_, i) => new RotatingApiKey(`client-${i}`, { rotationDays: 30 }));
                    new GuardedUsagePlan("plan", { throttle: { rateLimit: 10, burstLimit: 20 }, quota: { limit: 1000, period: "DAY" }, apiStages: [{ api }], apiKeys });
                }, preview);
                const result = await runLikeEngine(resources.filter(r => r.custom).map(toEngineResource), { pack, config: packConfig });
                const mandatory = result.diagnostics.filter(d => d.enforcementLevel === "mandatory");
                assert.deepEqual(mandatory.map(d => `${d.policyName} ${d.urn}: ${d.message}`), []);
            }), { numRuns: 12, seed: 20261127 });
        });
    }
});

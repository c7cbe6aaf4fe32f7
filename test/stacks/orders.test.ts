import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { RecordedResource } from "../../testkit/record";
import { assertNeverPlaintext, byUrn, dependencyOf, one, ofType, T } from "../components/helpers";
import { repoRoot, runStack } from "./support";

const DAY = 24 * 60 * 60 * 1000;

function methodLabel(resources: readonly RecordedResource[], method: RecordedResource): string {
    const target = byUrn(resources, (method.propertyDependencies.resourceId ?? [])[0]);
    const resourcePath = target.type === T.restApi ? "/" : String(target.outputs.path);
    return `${String(method.props.httpMethod)} ${resourcePath}`;
}

describe("stacks/orders (secure example)", () => {
    it("requires an API key on every method except CORS preflight and the public /health", async () => {
        const { resources } = await runStack("dev");
        const methods = ofType(resources, T.method);
        assert.equal(methods.length, 9);
        for (const method of methods) {
            const label = methodLabel(resources, method);
            const open = label.startsWith("OPTIONS ") || label === "GET /health";
            assert.equal(method.props.apiKeyRequired, !open, label);
            assert.equal(method.props.authorization, open ? "NONE" : "CUSTOM", label);
        }
        assert.equal(one(resources, T.restApi, "orders-api").props.apiKeySource, "HEADER");
    });

    it("ships pack config that exempts exactly the API's public paths", async () => {
        const { exports } = await runStack("dev");
        const file = JSON.parse(fs.readFileSync(path.join(repoRoot(), "stacks/orders/policy-config.json"), "utf8")) as unknown;
        assert.deepEqual(file, {
            "apigateway-method-api-key-required": { exemptPaths: ["/health"] },
            "apigateway-method-authorizer": { exemptPaths: ["/health"] },
        });
        assert.deepEqual(exports.packConfig, file);
        assert.deepEqual(exports.publicPaths, ["/health"]);
        const probe = exports.probe as { invokeUrl: string; keyedRoutes: unknown[]; publicRoutes: unknown[] };
        assert.deepEqual(probe.publicRoutes, [{ method: "GET", path: "/health" }]);
        assert.equal(probe.keyedRoutes.length, 4);
        assert.match(probe.invokeUrl, /^https:\/\/[0-9a-f]+\.execute-api\.us-east-1\.amazonaws\.com\/dev$/);
    });

    it("backs /orders with Lambda and proxies /{proxy+} to the legacy backend over HTTPS", async () => {
        const { resources } = await runStack("dev");
        for (const name of ["orders-api-GET/orders", "orders-api-POST/orders", "orders-api-GET/orders/{id}"]) {
            const integration = one(resources, T.integration, name);
            assert.equal(integration.props.type, "AWS_PROXY");
            assert.equal(dependencyOf(resources, integration, "uri", T.lambda).name, "orders");
        }
        const proxy = one(resources, T.integration, "orders-api-ANY/{proxy+}");
        assert.equal(proxy.props.type, "HTTP_PROXY");
        assert.equal(proxy.props.uri, "https://legacy.dev.example.com/{proxy}");
        assert.equal(one(resources, T.authorizer, "orders-api-authorizer").props.type, "TOKEN");
    });

    it("logs, traces and throttles the stage, with the account's CloudWatch role in place", async () => {
        const { resources } = await runStack("dev");
        const stage = one(resources, T.stage, "orders-api");
        assert.equal(stage.props.stageName, "dev");
        assert.equal(stage.props.xrayTracingEnabled, true);
        assert.ok((stage.props.accessLogSettings as { format: string }).format.includes("$context.identity.apiKeyId"));
        const settings = one(resources, T.methodSettings, "orders-api-all-methods").props.settings as Record<string, unknown>;
        assert.equal(settings.loggingLevel, "ERROR");
        assert.equal(settings.dataTraceEnabled, false);
        assert.equal(settings.throttlingRateLimit, 50);
        assert.equal(one(resources, T.account, "apigw-account").options.retainOnDelete, true);
        assert.equal(ofType(resources, T.wafAssociation).length, 0);
    });

    it("attaches every key (both rotation slots) to a throttled, quota'd plan serving the stage", async () => {
        const { resources } = await runStack("dev");
        const keys = ofType(resources, T.apiKey);
        assert.deepEqual(keys.map(k => k.name).sort(), [
            "internal-dashboard-a", "internal-dashboard-b", "partner-acme-a", "partner-acme-b", "partner-globex-a", "partner-globex-b",
        ]);
        const stage = one(resources, T.stage, "orders-api");
        for (const key of keys) {
            const attachments = ofType(resources, T.usagePlanKey).filter(a => (a.propertyDependencies.keyId ?? []).includes(key.urn));
            assert.equal(attachments.length, 1, key.name);
            const plan = dependencyOf(resources, attachments[0], "usagePlanId", T.usagePlan);
            assert.ok((plan.propertyDependencies.apiStages ?? []).includes(stage.urn));
            assert.ok(plan.props.throttleSettings);
            assert.ok(plan.props.quotaSettings);
            assert.equal(dependencyOf(resources, key, "value", T.password).type, T.password);
        }
        const partners = one(resources, T.usagePlan, "partners");
        assert.deepEqual((partners.props.apiStages as { throttles: unknown }[])[0].throttles, [{ path: "/orders/POST", rateLimit: 4, burstLimit: 10 }]);
    });

    it("never puts a key value in plain text in the state, the outputs or the log", async () => {
        const recording = await runStack("dev");
        const values = ofType(recording.resources, T.password).map(p => String(p.outputs.result));
        assert.equal(values.length, 6);
        for (const value of values) {
            assertNeverPlaintext(recording, value);
        }
        const keyIds = recording.exports.keyIds as Record<string, string>;
        assert.deepEqual(Object.keys(keyIds).sort(), ["internal-dashboard", "partner-acme", "partner-globex"]);
    });

    it("prod logs at INFO, rotates keys faster, has stricter quotas and a WAF", async () => {
        const dev = (await runStack("dev")).resources;
        const prod = (await runStack("prod")).resources;
        const level = (resources: readonly RecordedResource[]) => (one(resources, T.methodSettings, "orders-api-all-methods").props.settings as Record<string, unknown>).loggingLevel;
        assert.equal(level(dev), "ERROR");
        assert.equal(level(prod), "INFO");
        const lifetime = (resources: readonly RecordedResource[]) => {
            const tags = one(resources, T.apiKey, "partner-acme-a").props.tags as Record<string, string>;
            return (Date.parse(tags["apigw-guard:rotates-at"]) - Date.parse(tags["apigw-guard:rotated-at"])) / DAY;
        };
        assert.equal(lifetime(dev), 30);
        assert.equal(lifetime(prod), 14);
        const quota = (resources: readonly RecordedResource[]) => (one(resources, T.usagePlan, "partners").props.quotaSettings as { limit: number }).limit;
        assert.ok(quota(prod) < quota(dev));
        const rate = (resources: readonly RecordedResource[]) => (one(resources, T.usagePlan, "partners").props.throttleSettings as { rateLimit: number }).rateLimit;
        assert.ok(rate(prod) < rate(dev));
        assert.equal(one(prod, T.stage, "orders-api").props.stageName, "prod");
        assert.equal(ofType(prod, T.wafAssociation).length, 1);
        assert.equal(one(prod, T.logGroup, "orders-api-access-logs").props.retentionInDays, 731);
    });

    it("previews without errors, with the key requirement and rotation tags known", async () => {
        const { resources } = await runStack("prod", { preview: true });
        const methods = ofType(resources, T.method);
        assert.equal(methods.length, 9, "prod serves the same routes as dev");
        for (const method of methods) {
            assert.equal(typeof method.props.apiKeyRequired, "boolean");
        }
        const keys = ofType(resources, T.apiKey);
        assert.deepEqual(keys.map(k => k.name).sort(), [
            "internal-dashboard-a", "internal-dashboard-b", "partner-acme-a", "partner-acme-b", "partner-globex-a", "partner-globex-b",
        ]);
        for (const key of keys) {
            assert.match((key.props.tags as Record<string, string>)["apigw-guard:rotated-at"], /^\d{4}-\d{2}-\d{2}T/);
            assert.equal(key.id, undefined);
        }
    });
});

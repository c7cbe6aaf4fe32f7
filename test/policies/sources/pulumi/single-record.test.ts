import assert from "node:assert/strict";
import { Inventory } from "apigw-guard/policies/model/index";
import { inventoryFromPulumi, SENTINEL_LENGTH } from "apigw-guard/policies/sources/pulumi/adapter";
import { PulumiResourceRecord, PulumiTypes as T, UNKNOWN_SENTINELS } from "apigw-guard/policies/sources/pulumi/types";

/**
 * The pack builds a one-resource Inventory per Analyze call, on a path that compares with the
 * record instead of building maps. It must give exactly what the general path gives.
 */
const U = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const urn = (type: string, name: string) => `urn:pulumi:dev::demo::${type}::${name}`;

function rec(type: string, name: string, props: Record<string, unknown>, extra: Partial<PulumiResourceRecord> = {}): PulumiResourceRecord {
    return { type, name, urn: urn(type, name), props, secretProps: new Set(), ...extra };
}

/** A throwing property: the adapter must report a gap, not crash. */
function throwing(props: Record<string, unknown>, prop: string): Record<string, unknown> {
    return Object.defineProperty({ ...props }, prop, { enumerable: true, get: () => { throw new TypeError("boom"); } });
}

function fixtures(): PulumiResourceRecord[] {
    const arn = "arn:aws:apigateway:eu-west-1::/restapis/a1/stages/prod";
    return [
        rec(T.restApi, "api", { id: "a1", rootResourceId: "r0", apiKeySource: "header", endpointConfiguration: { types: ["REGIONAL"] } }),
        rec(T.restApi, "api-body", { body: JSON.stringify({ "x-amazon-apigateway-api-key-source": "AUTHORIZER" }) }, { id: "a2", file: "Pulumi.yaml" }),
        rec(T.restApi, "api-unknown", { body: U, endpointConfiguration: { types: [U] } }),
        // Its own root: a method on it would resolve to "/", a resource under it to its path.
        rec(T.resource, "res", { restApi: "a1", parentId: "r0", pathPart: "orders", id: "r1" }),
        rec(T.resource, "self-parent", { restApi: "a1", parentId: "r9", pathPart: "loop", id: "r9" }),
        rec(T.resource, "res-preview", { restApi: U, parentId: U, pathPart: "x" }, { propertyDependencies: { restApi: [urn(T.restApi, "api")], parentId: [urn(T.restApi, "api")] } }),
        rec(T.resource, "res-path", { path: "/a/b", restApi: 7 }),
        rec(T.method, "get", { restApi: "a1", resourceId: "r1", httpMethod: "get", authorization: "none", apiKeyRequired: "true" }),
        rec(T.method, "preview", { restApi: U, resourceId: U, httpMethod: U, authorization: U, apiKeyRequired: U }),
        rec(T.method, "bare", {}),
        rec(T.stage, "prod", { restApi: "a1", stageName: "prod", arn, accessLogSettings: { destinationArn: arn, format: "$context.requestId" }, xrayTracingEnabled: true }),
        rec(T.stage, "prod-unknown-logs", { restApi: U, stageName: "prod", accessLogSettings: U, webAclArn: U }),
        rec(T.v2Stage, "v2", { apiId: "h1", name: "$default", defaultRouteSettings: { loggingLevel: "info" }, accessLogSettings: { format: "x" } }),
        rec(T.methodSettings, "all", { restApi: "a1", stageName: "prod", methodPath: "*/*", settings: { loggingLevel: "error", metricsEnabled: true, cacheDataEncrypted: "false" } }),
        rec(T.methodSettings, "preview", { restApi: U, stageName: U, methodPath: "*/*", settings: U }, { propertyDependencies: { stageName: [urn(T.stage, "prod")] } }),
        rec(T.apiKey, "plain", { value: "a-key-value-that-is-long-enough", enabled: true, tags: { "apigw-guard:rotated-at": "2026-01-01T00:00:00Z", n: 3 } }),
        rec(T.apiKey, "secret", { value: "another-key-value-long-enough-1" }, { secretProps: new Set(["value"]) }),
        rec(T.apiKey, "unobserved", { value: "another-key-value-long-enough-2" }, { secretProps: undefined }),
        rec(T.apiKey, "computed", { value: U, tags: U }, { secretProps: new Set(["value"]) }),
        rec(T.apiKey, "generated", { value: U }, { propertyDependencies: { value: [urn("random:index/randomPassword:RandomPassword", "pw")] } }),
        rec(T.apiKey, "absent", { enabled: false }),
        rec(T.apiKey, "malformed", { value: 42 }),
        rec(T.usagePlan, "plan", {
            throttleSettings: { rateLimit: 10, burstLimit: "20" }, quotaSettings: { limit: 100, period: "day" },
            apiStages: [{ apiId: "a1", stage: "prod" }, { apiId: U, stage: "dev" }],
        }),
        rec(T.usagePlan, "plan-unknown", { apiStages: U, throttleSettings: U }),
        rec(T.usagePlanKey, "attach", { usagePlanId: "p1", keyId: "k1", value: "copied-key-value-long-enough-3" }),
        rec(T.usagePlanKey, "attach-preview", { usagePlanId: U, keyId: U }, { propertyDependencies: { keyId: [urn(T.apiKey, "plain")] } }),
        rec(T.account, "account", { cloudwatchRoleArn: "arn:aws:iam::1:role/x" }),
        rec(T.domainName, "domain", { domainName: "api.example.com", securityPolicy: "tls_1_2" }),
        rec(T.logGroup, "logs", { name: "/aws/api", arn: "arn:aws:logs:eu-west-1:1:log-group:/aws/api:*", retentionInDays: "30" }),
        rec(T.wafv2Association, "waf", { resourceArn: arn, webAclArn: "arn:acl" }),
        rec(T.wafRegionalAssociation, "waf-regional", { resourceArn: U, webAclId: "acl" }),
        rec(T.v2Api, "http", { id: "h1", protocolType: "http" }),
        rec(T.v2Route, "route", { apiId: "h1", routeKey: "GET /", authorizationType: "none", apiKeyRequired: false }),
        rec("aws:s3/bucket:Bucket", "irrelevant", { id: "b1" }),
        rec(T.method, "broken", throwing({ restApi: "a1" }, "httpMethod")),
        rec(T.stage, "broken-stage", throwing({ stageName: "prod" }, "restApi")),
    ];
}

/** Everything a rule can ask of an inventory about its entities, as plain data. */
function observe(inventory: Inventory) {
    const entities = [...inventory.all()];
    return {
        entities,
        gaps: inventory.gaps,
        size: inventory.size,
        byKind: entities.map(e => inventory.ofKind(e.kind).map(x => x.ref)),
        byId: entities.map(e => (typeof e.id === "string" ? inventory.byId(e.kind, e.id)?.ref : undefined)),
        get: entities.map(e => inventory.get(e.ref)?.ref),
    };
}

describe("sources/pulumi one-record inventories", () => {
    it("build the same entities and gaps as the general path, for every kind", () => {
        // A second record of a type the adapter ignores sends the build down the general path.
        const filler = rec("aws:s3/bucket:Bucket", "filler-zz", {});
        for (const record of fixtures()) {
            const alone = inventoryFromPulumi([record]);
            const general = inventoryFromPulumi([record, filler]);
            assert.deepEqual(observe(alone), observe(general), record.urn);
        }
    });

    it("cover the kinds the adapter reads, gaps and secret handling among them", () => {
        const inventories = fixtures().map(record => inventoryFromPulumi([record]));
        const kinds = new Set(inventories.flatMap(inventory => [...inventory.all()].map(e => e.kind)));
        assert.equal(kinds.size, 14);
        assert.equal(inventories.filter(inventory => inventory.gaps.length > 0).length, 2);
        const handlings = inventories.flatMap(inventory => inventory.ofKind("api-key").map(key => JSON.stringify(key.value.handling)));
        assert.deepEqual(new Set(handlings).size, 6);
        for (const inventory of inventories) {
            // Only fingerprints: no key value is held by the model.
            assert.ok(!JSON.stringify([...inventory.all()]).includes("long-enough"));
        }
    });

    it("recognise sentinels by their length first: every sentinel has that length", () => {
        for (const sentinel of UNKNOWN_SENTINELS) {
            assert.equal(sentinel.length, SENTINEL_LENGTH);
        }
    });

    it("fail alike on a record whose id, ARN or root resource id cannot be read", () => {
        const filler = rec("aws:s3/bucket:Bucket", "filler-zz", {});
        for (const prop of ["id", "arn", "rootResourceId"]) {
            const bad = rec(T.restApi, `bad-${prop}`, throwing({}, prop));
            assert.throws(() => inventoryFromPulumi([bad]), TypeError, prop);
            assert.throws(() => inventoryFromPulumi([bad, filler]), TypeError, prop);
        }
    });

    it("resolve a record's links to itself as the general path does", () => {
        const [self] = [...inventoryFromPulumi([rec(T.resource, "loop", { restApi: "a1", parentId: "r9", pathPart: "p", id: "r9" })]).all()];
        assert.equal(self.kind, "api-resource");
        assert.ok(self.kind === "api-resource" && typeof self.path === "object");
        const [api] = [...inventoryFromPulumi([rec(T.restApi, "api", { id: "a1", rootResourceId: "r0" })]).all()];
        assert.equal(api.id, "a1");
    });
});

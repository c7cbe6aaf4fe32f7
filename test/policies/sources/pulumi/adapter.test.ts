import assert from "node:assert/strict";
import { isUnknown, MethodEntity, StageEntity } from "apigw-guard/policies/model/index";
import { inventoryFromPulumi } from "apigw-guard/policies/sources/pulumi/adapter";
import { PulumiResourceRecord, unwrapSecrets } from "apigw-guard/policies/sources/pulumi/types";
import { assertNoLeak } from "../../../../testkit/leaks";

const U = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const urn = (type: string, name: string) => `urn:pulumi:dev::demo::${type}::${name}`;
const T = {
    api: "aws:apigateway/restApi:RestApi",
    res: "aws:apigateway/resource:Resource",
    method: "aws:apigateway/method:Method",
    stage: "aws:apigateway/stage:Stage",
    settings: "aws:apigateway/methodSettings:MethodSettings",
    key: "aws:apigateway/apiKey:ApiKey",
    plan: "aws:apigateway/usagePlan:UsagePlan",
    planKey: "aws:apigateway/usagePlanKey:UsagePlanKey",
    random: "random:index/randomPassword:RandomPassword",
};

function rec(type: string, name: string, props: Record<string, unknown>, extra: Partial<PulumiResourceRecord> = {}): PulumiResourceRecord {
    return { type, name, urn: urn(type, name), props, secretProps: new Set(), ...extra };
}

/** A preview of a new API: every id is unknown, links exist only as property dependencies. */
function previewStack(): PulumiResourceRecord[] {
    const api = rec(T.api, "api", { name: "orders", apiKeySource: "HEADER", rootResourceId: U });
    const orders = rec(T.res, "orders", { restApi: U, parentId: U, pathPart: "orders" },
        { propertyDependencies: { restApi: [api.urn], parentId: [api.urn] } });
    const byId = rec(T.res, "order", { restApi: U, parentId: U, pathPart: "{id}" },
        { propertyDependencies: { restApi: [api.urn], parentId: [orders.urn] } });
    const get = rec(T.method, "get-order", { restApi: U, resourceId: U, httpMethod: "get", authorization: "NONE", apiKeyRequired: true },
        { propertyDependencies: { restApi: [api.urn], resourceId: [byId.urn] } });
    const rootGet = rec(T.method, "get-root", { restApi: U, resourceId: U, httpMethod: "GET", authorization: "NONE" },
        { propertyDependencies: { restApi: [api.urn], resourceId: [api.urn] } });
    const stage = rec(T.stage, "prod", { restApi: U, deployment: U, stageName: "prod" }, { propertyDependencies: { restApi: [api.urn] } });
    const settings = rec(T.settings, "all", { restApi: U, stageName: U, methodPath: "*/*", settings: { loggingLevel: "ERROR", metricsEnabled: true } },
        { propertyDependencies: { restApi: [api.urn], stageName: [stage.urn] } });
    const password = rec(T.random, "pw", { length: 40 });
    const key = rec(T.key, "key", { name: "client", value: U, enabled: true, tags: { "apigw-guard:rotated-at": U } },
        { propertyDependencies: { value: [password.urn] } });
    const plan = rec(T.plan, "plan", { apiStages: [{ apiId: U, stage: U }], throttleSettings: { rateLimit: 10, burstLimit: 20 } },
        { propertyDependencies: { apiStages: [api.urn, stage.urn] } });
    const attach = rec(T.planKey, "attach", { keyId: U, keyType: "API_KEY", usagePlanId: U },
        { propertyDependencies: { keyId: [key.urn], usagePlanId: [plan.urn] } });
    const unrelated = rec("aws:s3/bucket:Bucket", "bucket", { bucket: "x" });
    return [api, orders, byId, get, rootGet, stage, settings, password, key, plan, attach, unrelated];
}

describe("sources/pulumi adapter", () => {
    it("links a preview's resources through property dependencies when ids are unknown", () => {
        const inventory = inventoryFromPulumi(previewStack());
        assert.equal(inventory.size, 10, "bucket and random password are not entities");
        const attach = inventory.ofKind("usage-plan-key")[0];
        assert.deepEqual(attach.apiKey, { kind: "entity", ref: urn(T.key, "key") });
        assert.deepEqual(attach.usagePlan, { kind: "entity", ref: urn(T.plan, "plan") });
        const settings = inventory.ofKind("method-settings")[0];
        assert.deepEqual(settings.stage, { kind: "entity", ref: urn(T.stage, "prod") });
        assert.ok(isUnknown(settings.stageName), "the stage name itself is computed");
        assert.equal(inventory.referencing(urn(T.key, "key"), "usage-plan-key", "apiKey").length, 1);
    });

    it("links a stage's access-log destination to its log group, even while the ARN is computed", () => {
        const logGroup = rec("aws:cloudwatch/logGroup:LogGroup", "access", { name: "/aws/apigateway/x", retentionInDays: 30 });
        const stage = rec(T.stage, "prod", { stageName: "prod", accessLogSettings: { destinationArn: U, format: "{}" } },
            { propertyDependencies: { accessLogSettings: [logGroup.urn] } });
        const settings = inventoryFromPulumi([logGroup, stage]).ofKind("stage")[0].accessLogSettings;
        assert.ok(settings && !isUnknown(settings));
        assert.deepEqual(settings.destination, { kind: "entity", ref: logGroup.urn });
        const alone = inventoryFromPulumi([stage]).ofKind("stage")[0].accessLogSettings;
        assert.ok(alone && !isUnknown(alone) && alone.destination?.kind === "unknown", "one resource alone cannot see the log group");
    });

    it("derives method paths from the resource chain, '/' for the root", () => {
        const inventory = inventoryFromPulumi(previewStack());
        const methods = new Map(inventory.ofKind("method").map((m: MethodEntity) => [m.name, m]));
        assert.equal(methods.get("get-order")?.path, "/orders/{id}");
        assert.equal(methods.get("get-order")?.httpMethod, "GET", "upper-cased");
        assert.equal(methods.get("get-root")?.path, "/");
        assert.equal(methods.get("get-root")?.apiKeyRequired, undefined, "unset stays undefined (AWS default false)");
    });

    it("marks a key generated from a random resource, unknown tags stay unknown per tag", () => {
        const key = inventoryFromPulumi(previewStack()).ofKind("api-key")[0];
        assert.equal(key.value.handling, "generated");
        assert.ok(key.tags && !isUnknown(key.tags) && isUnknown(key.tags["apigw-guard:rotated-at"]));
        assert.ok(isUnknown(key.createdDate) === false && key.createdDate === undefined);
    });

    it("classifies key values: plaintext, secret, absent, unobservable — and fingerprints equal values alike", () => {
        const planted = "PLANTED-key-value-0123456789abcdef";
        const inventory = inventoryFromPulumi([
            rec(T.key, "plain", { value: planted }),
            rec(T.key, "secret", { value: planted }, { secretProps: new Set(["value"]) }),
            rec(T.key, "absent", {}),
            { type: T.key, name: "blind", urn: urn(T.key, "blind"), props: { value: "another-value-of-enough-length" } },
        ]);
        const keys = new Map(inventory.ofKind("api-key").map(k => [k.name, k]));
        assert.equal(keys.get("plain")?.value.handling, "plaintext");
        assert.equal(keys.get("secret")?.value.handling, "secret");
        assert.equal(keys.get("absent")?.value.handling, "absent");
        assert.ok(isUnknown(keys.get("blind")?.value.handling));
        assert.equal(keys.get("plain")?.value.fingerprint, keys.get("secret")?.value.fingerprint);
        assert.notEqual(keys.get("plain")?.value.fingerprint, keys.get("blind")?.value.fingerprint);
        assert.equal(keys.get("plain")?.value.length, planted.length);
        assert.ok(!JSON.stringify([...inventory.all()]).includes(planted), "the model never holds the value");
        assertNoLeak("the model", JSON.stringify({ entities: [...inventory.all()], gaps: inventory.gaps }), [planted, "another-value-of-enough-length"]);
    });

    it("links by id when ids are known (state / up), and keeps unknown ids as external", () => {
        const inventory = inventoryFromPulumi([
            rec(T.api, "api", { rootResourceId: "root1", apiKeySource: "HEADER" }, { id: "a1" }),
            rec(T.method, "m", { restApi: "a1", resourceId: "root1", httpMethod: "GET" }),
            rec(T.stage, "prod", { restApi: "a1", stageName: "prod" }, { id: "ags-a1-prod" }),
            rec(T.settings, "s", { restApi: "a1", stageName: "prod", methodPath: "*/*", settings: {} }),
            rec(T.planKey, "pk", { keyId: "k-elsewhere", usagePlanId: "p-elsewhere" }),
        ]);
        const method = inventory.ofKind("method")[0];
        assert.deepEqual(method.restApi, { kind: "entity", ref: urn(T.api, "api") });
        assert.equal(method.path, "/");
        assert.deepEqual(inventory.ofKind("method-settings")[0].stage, { kind: "entity", ref: urn(T.stage, "prod") });
        assert.deepEqual(inventory.ofKind("usage-plan-key")[0].apiKey, { kind: "external", id: "k-elsewhere" });
    });

    it("reads the key source from an OpenAPI body when apiKeySource is unset", () => {
        const body = JSON.stringify({ openapi: "3.0.1", "x-amazon-apigateway-api-key-source": "AUTHORIZER" });
        const api = inventoryFromPulumi([rec(T.api, "api", { body })]).ofKind("rest-api")[0];
        assert.equal(api.apiKeySource, "AUTHORIZER");
        const computed = inventoryFromPulumi([rec(T.api, "api", { body: U })]).ofKind("rest-api")[0];
        assert.ok(isUnknown(computed.apiKeySource));
    });

    it("reads a plan stage that depends only on a Deployment (stage: deployment.id) as that deployment's id, naming no stage", () => {
        const deploymentType = "aws:apigateway/deployment:Deployment";
        const api = rec(T.api, "api", { name: "orders" });
        const deployment = rec(deploymentType, "deployment", { restApi: U }, { propertyDependencies: { restApi: [api.urn] } });
        const stage = rec(T.stage, "prod", { restApi: U, deployment: U, stageName: "prod" }, { propertyDependencies: { restApi: [api.urn], deployment: [deployment.urn] } });
        const byId = rec(T.plan, "by-id", { apiStages: [{ apiId: U, stage: U }] }, { propertyDependencies: { apiStages: [api.urn, deployment.urn] } });
        const byStage = rec(T.plan, "by-stage", { apiStages: [{ apiId: U, stage: U }] }, { propertyDependencies: { apiStages: [api.urn, stage.urn] } });
        const inventory = inventoryFromPulumi([api, deployment, stage, byId, byStage]);
        const stagesOf = (urnOf: string) => {
            const plan = inventory.get(urnOf);
            assert.ok(plan?.kind === "usage-plan" && Array.isArray(plan.apiStages));
            return plan.apiStages;
        };
        assert.equal(stagesOf(byId.urn)[0].stageNameIsIdOf, deployment.urn);
        assert.equal(stagesOf(byStage.urn)[0].stageNameIsIdOf, undefined);
        assert.deepEqual(stagesOf(byStage.urn)[0].stage, { kind: "entity", ref: stage.urn });
    });

    it("reads a v2 stage's defaultRouteSettings data trace and its routeSettings", () => {
        const stageType = "aws:apigatewayv2/stage:Stage";
        const inventory = inventoryFromPulumi([
            rec(stageType, "live", {
                apiId: "ws1234", name: "live",
                defaultRouteSettings: { dataTraceEnabled: true, loggingLevel: "info", throttlingBurstLimit: 500 },
                routeSettings: [{ routeKey: "sendmessage", dataTraceEnabled: U, loggingLevel: "ERROR" }],
            }),
            rec(stageType, "computed", { apiId: "ws1234", name: "computed", routeSettings: U }),
        ]);
        const stage = inventory.get(urn(stageType, "live")) as StageEntity;
        assert.equal(stage.v2LoggingLevel, "INFO");
        assert.equal(stage.v2DataTraceEnabled, true);
        assert.ok(Array.isArray(stage.v2RouteSettings));
        assert.equal(stage.v2RouteSettings[0].routeKey, "sendmessage");
        assert.equal(stage.v2RouteSettings[0].loggingLevel, "ERROR");
        assert.ok(isUnknown(stage.v2RouteSettings[0].dataTraceEnabled));
        const computed = inventory.get(urn(stageType, "computed")) as StageEntity;
        assert.ok(isUnknown(computed.v2RouteSettings));
        assert.equal(computed.v2DataTraceEnabled, undefined);
    });

    it("reads an HTTP/WebSocket (v2) domain name's security policy from its domainNameConfiguration", () => {
        const config = (securityPolicy: unknown) => ({ certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc", endpointType: "REGIONAL", securityPolicy });
        const inventory = inventoryFromPulumi([
            rec("aws:apigatewayv2/domainName:DomainName", "ws", { domainName: "ws.example.com", domainNameConfiguration: config("TLS_1_2") }),
            rec("aws:apigatewayv2/domainName:DomainName", "old", { domainName: "old.example.com", domainNameConfiguration: config("tls_1_0") }),
            rec("aws:apigatewayv2/domainName:DomainName", "preview", { domainName: "new.example.com", domainNameConfiguration: config(U) }),
        ]);
        const policyOf = (name: string) => {
            const found = inventory.get(urn("aws:apigatewayv2/domainName:DomainName", name));
            assert.equal(found?.kind, "domain-name");
            return found.kind === "domain-name" ? found.securityPolicy : undefined;
        };
        assert.equal(policyOf("ws"), "TLS_1_2");
        assert.equal(policyOf("old"), "TLS_1_0");
        assert.ok(isUnknown(policyOf("preview")));
    });

    it("turns malformed properties into unknowns that name the field, never the value", () => {
        const inventory = inventoryFromPulumi([
            rec(T.method, "m", { httpMethod: "GET", apiKeyRequired: { nested: "SECRET-LOOKING" } }),
            rec(T.stage, "s", { stageName: "prod", accessLogSettings: "oops-SECRET" }),
        ]);
        const method = inventory.ofKind("method")[0];
        assert.ok(isUnknown(method.apiKeyRequired));
        assert.match(String(method.apiKeyRequired.reason), /malformed property 'apiKeyRequired': expected boolean, found object/);
        const stage = inventory.ofKind("stage")[0] as StageEntity;
        assert.ok(isUnknown(stage.accessLogSettings));
        assert.ok(!JSON.stringify([...inventory.all()]).includes("SECRET"));
    });

    it("unwraps secret envelopes from stack exports and says which were secret", () => {
        const sig = "4dabf18193072939515e22adb298388d";
        const out = unwrapSecrets({ a: { [sig]: "1b47061264138c4ac30d75fd1eb44270", value: "s" }, b: [1, { c: 2 }] });
        assert.deepEqual(out, { value: { a: "s", b: [1, { c: 2 }] }, secret: true });
        assert.equal(unwrapSecrets({ b: [1] }).secret, false);
    });
});

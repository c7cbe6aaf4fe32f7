import { EngineResource, makeUrn, secret, unknowns } from "../../../testkit/engine";

/**
 * Engine-shaped resources for pack tests: what a Pulumi program's registrations look like on the
 * wire (inputs, property dependencies, secrets and unknowns encoded by the harness).
 */
export const T = {
    api: "aws:apigateway/restApi:RestApi",
    resource: "aws:apigateway/resource:Resource",
    method: "aws:apigateway/method:Method",
    stage: "aws:apigateway/stage:Stage",
    settings: "aws:apigateway/methodSettings:MethodSettings",
    key: "aws:apigateway/apiKey:ApiKey",
    plan: "aws:apigateway/usagePlan:UsagePlan",
    planKey: "aws:apigateway/usagePlanKey:UsagePlanKey",
    account: "aws:apigateway/account:Account",
    domain: "aws:apigateway/domainName:DomainName",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    v2Api: "aws:apigatewayv2/api:Api",
    v2Route: "aws:apigatewayv2/route:Route",
    random: "random:index/randomPassword:RandomPassword",
    waf: "aws:wafv2/webAclAssociation:WebAclAssociation",
} as const;

/** The pinned clock the pack tests run with (APIGW_GUARD_NOW). */
export const NOW = "2026-06-01T00:00:00Z";
/** Random-looking, so that no fixed text (an account id in an ARN) shares 8 characters with it. */
export const PLANTED_KEY_VALUE = "PLANTEDkeyVALUEq7Rm2xVw9KzTb4NcY8eL";

export function urnOf(type: string, name: string): string {
    return makeUrn(type, name);
}

function r(type: string, name: string, props: Record<string, unknown>, propertyDependencies: Record<string, string[]> = {}): EngineResource {
    const deps = [...new Set(Object.values(propertyDependencies).flat())];
    return { type, name, props, propertyDependencies, dependencies: deps };
}

const ACCESS_FORMAT = JSON.stringify({ requestId: "$context.requestId", apiKeyId: "$context.identity.apiKeyId", ip: "$context.identity.sourceIp", status: "$context.status", path: "$context.path" });

/** Every rule violated at least once, all values known (as in `pulumi up` or a re-preview). */
export function insecureResources(): EngineResource[] {
    const api = urnOf(T.api, "bad-api");
    const orders = urnOf(T.resource, "orders");
    const prod = urnOf(T.stage, "prod");
    const dev = urnOf(T.stage, "dev");
    const logGroup = urnOf(T.logGroup, "dev-access");
    const oldKey = urnOf(T.key, "old-key");
    const planA = urnOf(T.plan, "plan-a");
    const planB = urnOf(T.plan, "plan-b");
    const v2 = urnOf(T.v2Api, "http");
    const logArn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/dev-access";
    return [
        r(T.api, "bad-api", { name: "bad", apiKeySource: "AUTHORIZER" }),
        r(T.resource, "orders", { restApi: "a1", parentId: "root", pathPart: "orders" }, { restApi: [api], parentId: [api] }),
        r(T.method, "get-orders", { restApi: "a1", resourceId: "r1", httpMethod: "GET", authorization: "NONE", apiKeyRequired: false }, { restApi: [api], resourceId: [orders] }),
        r(T.stage, "prod", { restApi: "a1", deployment: "d1", stageName: "prod", xrayTracingEnabled: false }, { restApi: [api] }),
        r(T.logGroup, "dev-access", { name: "/aws/apigateway/dev-access", arn: logArn, retentionInDays: 7 }),
        r(T.stage, "dev", { restApi: "a1", deployment: "d1", stageName: "dev", xrayTracingEnabled: true, accessLogSettings: { destinationArn: logArn, format: ACCESS_FORMAT } }, { restApi: [api], accessLogSettings: [logGroup] }),
        r(T.settings, "dev-all", { restApi: "a1", stageName: "dev", methodPath: "*/*", settings: { loggingLevel: "INFO", metricsEnabled: true, dataTraceEnabled: true, cachingEnabled: true, cacheDataEncrypted: false } }, { restApi: [api], stageName: [dev] }),
        r(T.account, "account", {}),
        r(T.key, "old-key", { name: "old", enabled: true, value: PLANTED_KEY_VALUE, createdDate: "2025-01-01T00:00:00Z" }),
        r(T.key, "copy-key", { name: "copy", enabled: true, value: secret(PLANTED_KEY_VALUE), createdDate: "2026-05-20T00:00:00Z" }),
        r(T.key, "orphan-key", { name: "orphan", enabled: true, createdDate: "2026-05-20T00:00:00Z" }),
        r(T.plan, "plan-a", { name: "a", apiStages: [{ apiId: "a1", stage: "prod" }] }, { apiStages: [api, prod] }),
        r(T.plan, "plan-b", { name: "b", apiStages: [{ apiId: "a1", stage: "prod" }], throttleSettings: { rateLimit: 10, burstLimit: 20 }, quotaSettings: { limit: 1000, period: "MONTH" } }, { apiStages: [api, prod] }),
        r(T.planKey, "old-in-a", { keyId: "k1", keyType: "API_KEY", usagePlanId: "p1" }, { keyId: [oldKey], usagePlanId: [planA] }),
        r(T.planKey, "old-in-b", { keyId: "k1", keyType: "API_KEY", usagePlanId: "p2" }, { keyId: [oldKey], usagePlanId: [planB] }),
        r(T.planKey, "copy-in-b", { keyId: "k2", keyType: "API_KEY", usagePlanId: "p2" }, { keyId: [urnOf(T.key, "copy-key")], usagePlanId: [planB] }),
        r(T.domain, "legacy-domain", { domainName: "api.example.com", securityPolicy: "TLS_1_0" }),
        r(T.v2Api, "http", { name: "http", protocolType: "HTTP" }),
        r(T.v2Route, "open-route", { apiId: "h1", routeKey: "GET /orders", authorizationType: "NONE" }, { apiId: [v2] }),
    ];
}

/**
 * A secure program's first preview: every resource is new, ids and generated values are unknown,
 * links exist only as property dependencies. Zero mandatory violations are expected.
 */
export function securePreviewResources(): EngineResource[] {
    const api = urnOf(T.api, "orders-api");
    const orders = urnOf(T.resource, "orders");
    const health = urnOf(T.resource, "health");
    const prod = urnOf(T.stage, "prod");
    const logGroup = urnOf(T.logGroup, "prod-access");
    const password = urnOf(T.random, "client-a-value");
    const key = urnOf(T.key, "client-a");
    const plan = urnOf(T.plan, "standard");
    const u = unknowns.string;
    return [
        r(T.api, "orders-api", { name: "orders", apiKeySource: "HEADER", endpointConfiguration: { types: ["REGIONAL"] } }),
        r(T.resource, "orders", { restApi: u, parentId: u, pathPart: "orders" }, { restApi: [api], parentId: [api] }),
        r(T.resource, "health", { restApi: u, parentId: u, pathPart: "health" }, { restApi: [api], parentId: [api] }),
        r(T.method, "get-orders", { restApi: u, resourceId: u, httpMethod: "GET", authorization: "AWS_IAM", apiKeyRequired: true }, { restApi: [api], resourceId: [orders] }),
        r(T.method, "options-orders", { restApi: u, resourceId: u, httpMethod: "OPTIONS", authorization: "NONE", apiKeyRequired: false }, { restApi: [api], resourceId: [orders] }),
        r(T.method, "get-health", { restApi: u, resourceId: u, httpMethod: "GET", authorization: "NONE", apiKeyRequired: false }, { restApi: [api], resourceId: [health] }),
        r(T.logGroup, "prod-access", { name: "/aws/apigateway/orders-prod", retentionInDays: 365 }),
        r(T.stage, "prod", {
            restApi: u, deployment: u, stageName: "prod", xrayTracingEnabled: true,
            accessLogSettings: { destinationArn: u, format: ACCESS_FORMAT },
        }, { restApi: [api], accessLogSettings: [logGroup] }),
        r(T.settings, "prod-all", { restApi: u, stageName: u, methodPath: "*/*", settings: { loggingLevel: "ERROR", metricsEnabled: true, dataTraceEnabled: false } }, { restApi: [api], stageName: [prod] }),
        r(T.account, "account", { cloudwatchRoleArn: u }),
        r(T.random, "client-a-value", { length: 40, special: false }),
        r(T.key, "client-a", { name: "client-a", enabled: true, value: unknowns.string, tags: { "apigw-guard:rotated-at": "2026-05-25T00:00:00Z" } }, { value: [password] }),
        r(T.plan, "standard", { name: "standard", apiStages: [{ apiId: u, stage: u }], throttleSettings: { rateLimit: 50, burstLimit: 100 }, quotaSettings: { limit: 100000, period: "MONTH" } }, { apiStages: [api, prod] }),
        r(T.planKey, "client-a-standard", { keyId: u, keyType: "API_KEY", usagePlanId: u }, { keyId: [key], usagePlanId: [plan] }),
        r(T.waf, "prod-waf", { resourceArn: u, webAclArn: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/api/1" }, { resourceArn: [prod] }),
    ];
}

/** The pack config the secure program needs: its health check is public on purpose. */
export const SECURE_CONFIG = {
    "apigateway-method-api-key-required": { exemptPaths: ["/health"] },
    "apigateway-method-authorizer": { exemptPaths: ["/health"] },
};

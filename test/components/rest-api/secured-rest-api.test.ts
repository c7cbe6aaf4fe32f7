import assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { ApiGatewayAccountLogging, RouteSpec, SecuredRestApi, SecuredRestApiArgs } from "../../../components";
import { assertArgumentError, dependencyOf, FAKE_LAMBDA, one, ofType, record, resourceKeys, run, T, UNKNOWN } from "../helpers";

const ROUTES: RouteSpec[] = [
    { path: "/orders", method: "GET", integration: { type: "lambda", function: FAKE_LAMBDA } },
    { path: "/orders", method: "POST", integration: { type: "lambda", function: FAKE_LAMBDA } },
    { path: "/orders/{id}", method: "GET", integration: { type: "lambda", function: FAKE_LAMBDA } },
    { path: "/orders/{id}/items", method: "get", integration: { type: "lambda", function: FAKE_LAMBDA } },
    { path: "/{proxy+}", method: "ANY", integration: { type: "http-proxy", uri: "https://backend.example.com/{proxy}" } },
    { path: "/health", method: "GET", public: true, integration: { type: "mock", statusCode: 200, responseBody: "{\"ok\":true}" } },
];

function api(args: Partial<SecuredRestApiArgs> = {}, name = "orders-api"): () => SecuredRestApi {
    return () => new SecuredRestApi(name, { routes: ROUTES, ...args });
}

describe("SecuredRestApi", () => {
    describe("REST API and resource tree", () => {
        it("reads keys from the X-API-Key header on a regional endpoint", async () => {
            const resources = await record(api());
            const restApi = one(resources, T.restApi, "orders-api");
            assert.equal(restApi.props.apiKeySource, "HEADER");
            assert.deepEqual(restApi.props.endpointConfiguration, { types: "REGIONAL" });
            assert.equal(restApi.parent, one(resources, "apigw-guard:index:SecuredRestApi", "orders-api").urn);
        });

        it("creates one resource per path segment, shared prefixes once", async () => {
            const resources = await record(api());
            const paths = ofType(resources, T.resource).map(r => r.name).sort();
            assert.deepEqual(paths, [
                "orders-api/health", "orders-api/orders", "orders-api/orders/{id}", "orders-api/orders/{id}/items", "orders-api/{proxy+}",
            ]);
            const items = one(resources, T.resource, "orders-api/orders/{id}/items");
            assert.equal(items.props.pathPart, "items");
            assert.equal(dependencyOf(resources, items, "parentId", T.resource).name, "orders-api/orders/{id}");
            const orders = one(resources, T.resource, "orders-api/orders");
            assert.equal(dependencyOf(resources, orders, "parentId", T.restApi).name, "orders-api");
            // The mock provider derives full paths the way API Gateway does.
            assert.equal(items.outputs.path, "/orders/{id}/items");
        });

        it("puts methods on the root resource for the path /", async () => {
            const resources = await record(api({ routes: [{ path: "/", method: "GET", integration: { type: "mock" } }] }));
            const method = one(resources, T.method, "orders-api-GET/");
            assert.equal(dependencyOf(resources, method, "resourceId", T.restApi).name, "orders-api");
            assert.equal(ofType(resources, T.resource).length, 0);
        });
    });

    describe("methods", () => {
        it("requires an API key on every method except public routes and CORS preflight", async () => {
            const resources = await record(api({ cors: { allowOrigin: "https://app.example.com" } }));
            const methods = ofType(resources, T.method);
            assert.ok(methods.some(m => m.props.httpMethod === "OPTIONS") && methods.some(m => m.props.httpMethod !== "OPTIONS"), "precondition: preflight and keyed methods were built");
            for (const method of methods) {
                const expected = !(method.props.httpMethod === "OPTIONS" || method.name === "orders-api-GET/health");
                assert.equal(method.props.apiKeyRequired, expected, method.name);
            }
            const health = one(resources, T.method, "orders-api-GET/health");
            assert.equal(health.props.authorization, "NONE");
        });

        it("declares path parameters on the method", async () => {
            const resources = await record(api());
            assert.deepEqual(one(resources, T.method, "orders-api-GET/orders/{id}").props.requestParameters, { "method.request.path.id": true });
            assert.deepEqual(one(resources, T.method, "orders-api-ANY/{proxy+}").props.requestParameters, { "method.request.path.proxy": true });
            assert.equal(one(resources, T.method, "orders-api-GET/orders").props.requestParameters, undefined);
        });

        it("generates an open OPTIONS preflight with a MOCK integration and CORS headers on each routed path", async () => {
            const resources = await record(api({ cors: { allowOrigin: "https://app.example.com", maxAgeSeconds: 300 } }));
            const preflights = ofType(resources, T.method).filter(m => m.props.httpMethod === "OPTIONS");
            assert.deepEqual(preflights.map(m => m.name).sort(), [
                "orders-api-OPTIONS/health", "orders-api-OPTIONS/orders", "orders-api-OPTIONS/orders/{id}", "orders-api-OPTIONS/orders/{id}/items", "orders-api-OPTIONS/{proxy+}",
            ]);
            const preflight = one(resources, T.method, "orders-api-OPTIONS/orders");
            assert.equal(preflight.props.authorization, "NONE");
            assert.equal(preflight.props.apiKeyRequired, false);
            assert.equal(one(resources, T.integration, "orders-api-OPTIONS/orders").props.type, "MOCK");
            const response = one(resources, T.integrationResponse, "orders-api-OPTIONS/orders-200");
            assert.deepEqual(response.props.responseParameters, {
                "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
                "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Api-Key,Authorization'",
                "method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS,POST'",
                "method.response.header.Access-Control-Max-Age": "'300'",
            });
            const proxy = one(resources, T.integrationResponse, "orders-api-OPTIONS/{proxy+}-200");
            assert.equal((proxy.props.responseParameters as Record<string, string>)["method.response.header.Access-Control-Allow-Methods"], "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'");
        });

        it("creates no OPTIONS methods without cors", async () => {
            const resources = await record(api());
            assert.equal(ofType(resources, T.method).filter(m => m.props.httpMethod === "OPTIONS").length, 0);
        });
    });

    describe("integrations", () => {
        it("proxies Lambda routes with AWS_PROXY (POST) and lets API Gateway invoke only that route", async () => {
            const resources = await record(api());
            const integration = one(resources, T.integration, "orders-api-GET/orders/{id}");
            assert.equal(integration.props.type, "AWS_PROXY");
            assert.equal(integration.props.integrationHttpMethod, "POST");
            assert.equal(integration.props.uri, FAKE_LAMBDA.invokeArn);
            const permission = one(resources, T.permission, "orders-api-invoke-GET/orders/{id}");
            assert.equal(permission.props.principal, "apigateway.amazonaws.com");
            assert.equal(permission.props.function, FAKE_LAMBDA.arn);
            assert.match(String(permission.props.sourceArn), /^arn:aws:execute-api:us-east-1:123456789012:[0-9a-f]+\/\*\/GET\/orders\/\*$/);
        });

        it("proxies HTTP routes with HTTP_PROXY and maps the greedy parameter into the URI", async () => {
            const resources = await record(api());
            const integration = one(resources, T.integration, "orders-api-ANY/{proxy+}");
            assert.equal(integration.props.type, "HTTP_PROXY");
            assert.equal(integration.props.integrationHttpMethod, "ANY");
            assert.equal(integration.props.uri, "https://backend.example.com/{proxy}");
            assert.deepEqual(integration.props.requestParameters, { "integration.request.path.proxy": "method.request.path.proxy" });
        });

        it("answers mock routes from API Gateway with the configured status and body", async () => {
            const resources = await record(api());
            const integration = one(resources, T.integration, "orders-api-GET/health");
            assert.equal(integration.props.type, "MOCK");
            assert.deepEqual(integration.props.requestTemplates, { "application/json": "{\"statusCode\": 200}" });
            assert.equal(one(resources, T.methodResponse, "orders-api-GET/health-200").props.statusCode, "200");
            assert.deepEqual(one(resources, T.integrationResponse, "orders-api-GET/health-200").props.responseTemplates, { "application/json": "{\"ok\":true}" });
        });

        it("accepts an aws.lambda.Function as the target", async () => {
            const resources = await record(() => {
                const fn = new aws.lambda.Function("fn", {
                    runtime: "nodejs20.x",
                    handler: "index.handler",
                    role: "arn:aws:iam::123456789012:role/fn",
                    code: new (require("@pulumi/pulumi").asset.AssetArchive)({}),
                });
                new SecuredRestApi("fn-api", { routes: [{ path: "/x", method: "GET", integration: { type: "lambda", function: fn } }] });
            });
            const integration = one(resources, T.integration, "fn-api-GET/x");
            assert.equal(dependencyOf(resources, integration, "uri", T.lambda).name, "fn");
            assert.match(String(integration.props.uri), /functions\/arn:aws:lambda:.*:function:fn.*\/invocations$/);
        });
    });

    describe("authorizers", () => {
        it("uses AWS_IAM on keyed routes for an IAM authorizer, and NONE on public routes", async () => {
            const resources = await record(api({ authorizer: { type: "iam" } }));
            assert.equal(one(resources, T.method, "orders-api-GET/orders").props.authorization, "AWS_IAM");
            assert.equal(one(resources, T.method, "orders-api-GET/health").props.authorization, "NONE");
            assert.equal(ofType(resources, T.authorizer).length, 0);
        });

        it("creates a Cognito authorizer and passes its scopes", async () => {
            const pool = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc";
            const resources = await record(api({ authorizer: { type: "cognito", userPoolArns: [pool], scopes: ["orders/read"] } }));
            const authorizer = one(resources, T.authorizer, "orders-api-authorizer");
            assert.equal(authorizer.props.type, "COGNITO_USER_POOLS");
            assert.deepEqual(authorizer.props.providerArns, [pool]);
            const method = one(resources, T.method, "orders-api-GET/orders");
            assert.equal(method.props.authorization, "COGNITO_USER_POOLS");
            assert.deepEqual(method.props.authorizationScopes, ["orders/read"]);
            assert.equal(dependencyOf(resources, method, "authorizerId", T.authorizer).name, "orders-api-authorizer");
            assert.equal(one(resources, T.method, "orders-api-GET/health").props.authorizerId, undefined);
        });

        it("creates a Lambda TOKEN authorizer with permission to invoke it", async () => {
            const resources = await record(api({ authorizer: { type: "lambda", function: FAKE_LAMBDA } }));
            const authorizer = one(resources, T.authorizer, "orders-api-authorizer");
            assert.equal(authorizer.props.type, "TOKEN");
            assert.equal(authorizer.props.authorizerUri, FAKE_LAMBDA.invokeArn);
            assert.equal(authorizer.props.identitySource, "method.request.header.Authorization");
            assert.equal(one(resources, T.method, "orders-api-POST/orders").props.authorization, "CUSTOM");
            const permission = one(resources, T.permission, "orders-api-authorizer-invoke");
            assert.match(String(permission.props.sourceArn), /\/authorizers\/[0-9a-f]+$/);
        });
    });

    describe("stage, logging and method settings", () => {
        it("logs access in JSON to a log group with retention, and traces with X-Ray", async () => {
            const resources = await record(api());
            const stage = one(resources, T.stage, "orders-api");
            assert.equal(stage.props.stageName, "v1");
            assert.equal(stage.props.xrayTracingEnabled, true);
            assert.equal(stage.props.cacheClusterEnabled, false);
            const accessLogs = stage.props.accessLogSettings as { destinationArn: string; format: string };
            const group = dependencyOf(resources, stage, "accessLogSettings", T.logGroup);
            assert.equal(group.name, "orders-api-access-logs");
            assert.equal(group.props.retentionInDays, 365);
            assert.equal(accessLogs.destinationArn, group.outputs.arn);
            const format = JSON.parse(accessLogs.format) as Record<string, string>;
            assert.equal(format.requestId, "$context.requestId");
            assert.equal(format.apiKeyId, "$context.identity.apiKeyId");
            assert.equal(format.ip, "$context.identity.sourceIp");
            assert.equal(format.status, "$context.status");
            assert.equal(format.path, "$context.path");
        });

        it("creates the execution log group itself, with retention, before execution logging starts", async () => {
            const resources = await record(api({ logging: { retentionInDays: 731 } }));
            const group = one(resources, T.logGroup, "orders-api-execution-logs");
            const restApi = one(resources, T.restApi, "orders-api");
            assert.equal(group.props.name, `API-Gateway-Execution-Logs_${restApi.id}/v1`);
            assert.equal(group.props.retentionInDays, 731);
            assert.ok(one(resources, T.methodSettings, "orders-api-all-methods").dependencies.includes(group.urn));
        });

        it("turns on execution logging (ERROR), metrics and throttling for */* with data trace off", async () => {
            const resources = await record(api());
            const settings = one(resources, T.methodSettings, "orders-api-all-methods");
            assert.equal(settings.props.methodPath, "*/*");
            assert.equal(dependencyOf(resources, settings, "stageName", T.stage).name, "orders-api");
            assert.deepEqual(settings.props.settings, {
                loggingLevel: "ERROR",
                metricsEnabled: true,
                dataTraceEnabled: false,
                throttlingRateLimit: 100,
                throttlingBurstLimit: 200,
                cachingEnabled: false,
                cacheDataEncrypted: true,
            });
        });

        it("selects INFO logging and custom throttles", async () => {
            const resources = await record(api({ logging: { level: "INFO" }, throttle: { rateLimit: 25, burstLimit: 50 }, stageName: "prod" }));
            const settings = one(resources, T.methodSettings, "orders-api-all-methods").props.settings as Record<string, unknown>;
            assert.equal(settings.loggingLevel, "INFO");
            assert.equal(settings.throttlingRateLimit, 25);
            assert.equal(settings.throttlingBurstLimit, 50);
            assert.equal(one(resources, T.stage, "orders-api").props.stageName, "prod");
        });

        it("encrypts the cache when caching is on", async () => {
            const resources = await record(api({ caching: { enabled: true, clusterSize: "1.6", ttlInSeconds: 60 } }));
            const stage = one(resources, T.stage, "orders-api");
            assert.equal(stage.props.cacheClusterEnabled, true);
            assert.equal(stage.props.cacheClusterSize, "1.6");
            const settings = one(resources, T.methodSettings, "orders-api-all-methods").props.settings as Record<string, unknown>;
            assert.equal(settings.cachingEnabled, true);
            assert.equal(settings.cacheDataEncrypted, true);
            assert.equal(settings.cacheTtlInSeconds, 60);
            assert.equal(settings.requireAuthorizationForCacheControl, true);
        });

        it("waits for the account's CloudWatch role before configuring logging", async () => {
            const resources = await record(() => {
                const accountLogging = new ApiGatewayAccountLogging("account");
                new SecuredRestApi("orders-api", { routes: ROUTES, accountLogging });
            });
            const account = one(resources, T.account, "account");
            assert.ok(one(resources, T.stage, "orders-api").dependencies.includes(account.urn));
            assert.ok(one(resources, T.methodSettings, "orders-api-all-methods").dependencies.includes(account.urn));
        });

        it("associates a WAF web ACL with the stage", async () => {
            const acl = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/orders/abc";
            const resources = await record(api({ webAclArn: acl }));
            const association = one(resources, T.wafAssociation, "orders-api-waf");
            assert.equal(association.props.webAclArn, acl);
            assert.equal(dependencyOf(resources, association, "resourceArn", T.stage).name, "orders-api");
        });
    });

    describe("deployment", () => {
        async function trigger(args: Partial<SecuredRestApiArgs>): Promise<string> {
            const resources = await record(api(args));
            const deployment = one(resources, T.deployment, "orders-api");
            return (deployment.props.triggers as { redeployment: string }).redeployment;
        }

        it("waits for every method and integration, and the stage points at it", async () => {
            const resources = await record(api({ cors: { allowOrigin: "https://app.example.com" } }));
            const deployment = one(resources, T.deployment, "orders-api");
            const awaited = [...ofType(resources, T.method), ...ofType(resources, T.integration), ...ofType(resources, T.integrationResponse)];
            for (const type of [T.method, T.integration, T.integrationResponse]) {
                assert.ok(awaited.some(r => r.type === type), `precondition: the API has a ${type}`);
            }
            for (const r of awaited) {
                assert.ok(deployment.dependencies.includes(r.urn), `deployment should wait for ${r.name}`);
            }
            const stage = one(resources, T.stage, "orders-api");
            assert.equal(dependencyOf(resources, stage, "deployment", T.deployment).name, "orders-api");
            assert.equal(stage.props.deployment, deployment.id);
            // Create-before-delete: the new deployment exists before the old one goes.
            assert.equal(deployment.options.deleteBeforeReplace, undefined);
        });

        it("redeploys when the spec changes, and only then", async () => {
            const base = await trigger({});
            assert.match(base, /^[0-9a-f]{64}$/);
            assert.equal(await trigger({}), base, "same spec, same trigger");
            assert.equal(await trigger({ routes: [...ROUTES].reverse() }), base, "route order does not matter");
            const added = await trigger({ routes: [...ROUTES, { path: "/orders/{id}", method: "DELETE", integration: { type: "lambda", function: FAKE_LAMBDA } }] });
            const retargeted = await trigger({ routes: ROUTES.map(r => (r.path === "/{proxy+}" ? { ...r, integration: { type: "http-proxy" as const, uri: "https://other.example.com/{proxy}" } } : r)) });
            const madePublic = await trigger({ routes: ROUTES.map(r => (r.path === "/orders" && r.method === "GET" ? { ...r, public: true } : r)) });
            const withAuthorizer = await trigger({ authorizer: { type: "iam" } });
            const withCors = await trigger({ cors: { allowOrigin: "https://app.example.com" } });
            const all = [base, added, retargeted, madePublic, withAuthorizer, withCors];
            assert.equal(new Set(all).size, all.length, "every change gives a new trigger");
        });

        it("has an unknown trigger in a preview when an integration target is not created yet", async () => {
            const resources = await record(() => {
                const fn = new aws.lambda.Function("fn", { runtime: "nodejs20.x", handler: "index.handler", role: "arn:aws:iam::123456789012:role/fn", code: new (require("@pulumi/pulumi").asset.AssetArchive)({}) });
                new SecuredRestApi("orders-api", { routes: [{ path: "/x", method: "GET", integration: { type: "lambda", function: fn } }] });
            }, true);
            assert.deepEqual(one(resources, T.deployment, "orders-api").props.triggers, { redeployment: UNKNOWN });
        });
    });

    describe("names and outputs", () => {
        it("names every resource after its route, so reordering routes changes nothing", async () => {
            const forward = await record(api({ cors: { allowOrigin: "https://app.example.com" } }));
            const reversed = await record(api({ routes: [...ROUTES].reverse(), cors: { allowOrigin: "https://app.example.com" } }));
            assert.deepEqual(resourceKeys(reversed), resourceKeys(forward));
        });

        it("removing a route removes only that route's resources", async () => {
            const full = resourceKeys(await record(api()));
            const without = resourceKeys(await record(api({ routes: ROUTES.filter(r => !(r.path === "/orders" && r.method === "POST")) })));
            assert.deepEqual(full.filter(k => !without.includes(k)).sort(), [
                `${T.integration}::orders-api-POST/orders`,
                `${T.method}::orders-api-POST/orders`,
                `${T.permission}::orders-api-invoke-POST/orders`,
            ].sort());
            assert.deepEqual(without.filter(k => !full.includes(k)), []);
        });

        it("exposes the invoke URL, ids, keyed and public routes, and the pack config for its public paths", async () => {
            let component: SecuredRestApi | undefined;
            const recording = await run(() => {
                component = api()();
                return { invokeUrl: component.invokeUrl, restApiId: component.restApiId, stageName: component.stageName, probe: component.probe };
            });
            const restApi = one(recording.resources, T.restApi, "orders-api");
            const invokeUrl = `https://${restApi.id}.execute-api.us-east-1.amazonaws.com/v1`;
            assert.deepEqual({ ...recording.exports, probe: undefined }, { invokeUrl, restApiId: restApi.id, stageName: "v1", probe: undefined });
            const probe = recording.exports.probe as { invokeUrl: string; keyedRoutes: unknown[]; publicRoutes: unknown[] };
            assert.equal(probe.invokeUrl, invokeUrl);
            assert.deepEqual(probe.publicRoutes, [{ method: "GET", path: "/health" }]);
            assert.equal(probe.keyedRoutes.length, 5);
            assert.ok(component);
            assert.deepEqual(component.publicPaths, ["/health"]);
            assert.deepEqual(component.publicRoutes, [{ method: "GET", path: "/health" }]);
            assert.deepEqual(component.keyedRoutes, [
                { method: "GET", path: "/orders" },
                { method: "POST", path: "/orders" },
                { method: "GET", path: "/orders/{id}" },
                { method: "GET", path: "/orders/{id}/items" },
                { method: "ANY", path: "/{proxy+}" },
            ]);
            assert.deepEqual(component.packConfig, {
                "apigateway-method-api-key-required": { exemptPaths: ["/health"] },
                "apigateway-method-authorizer": { exemptPaths: ["/health"] },
            });
        });
    });

    describe("invalid arguments", () => {
        const lambda = { type: "lambda" as const, function: FAKE_LAMBDA };
        const cases: { title: string; args: Partial<SecuredRestApiArgs>; argument: string; pattern?: RegExp }[] = [
            { title: "no routes", args: { routes: [] }, argument: "routes", pattern: /at least 1/ },
            { title: "a path without a leading slash", args: { routes: [ROUTES[0], { path: "orders", method: "GET", integration: lambda }] }, argument: "routes[1].path", pattern: /start with '\/'/ },
            { title: "a trailing slash", args: { routes: [{ path: "/orders/", method: "GET", integration: lambda }] }, argument: "routes[0].path" },
            { title: "an empty segment", args: { routes: [{ path: "/a//b", method: "GET", integration: lambda }] }, argument: "routes[0].path" },
            { title: "an invalid segment", args: { routes: [{ path: "/orders/<id>", method: "GET", integration: lambda }] }, argument: "routes[0].path", pattern: /invalid segment/ },
            { title: "a greedy parameter before the end", args: { routes: [{ path: "/{proxy+}/x", method: "GET", integration: lambda }] }, argument: "routes[0].path", pattern: /must come last/ },
            { title: "an unknown method", args: { routes: [{ path: "/x", method: "FETCH" as "GET", integration: lambda }] }, argument: "routes[0].method" },
            { title: "a repeated route", args: { routes: [ROUTES[0], ROUTES[1], { ...ROUTES[0] }] }, argument: "routes[2]", pattern: /already defined by routes\[0\]/ },
            { title: "two variable siblings", args: { routes: [{ path: "/o/{id}", method: "GET", integration: lambda }, { path: "/o/{key}", method: "GET", integration: lambda }] }, argument: "routes[1].path", pattern: /one variable segment per parent/ },
            { title: "an OPTIONS route with cors", args: { routes: [{ path: "/x", method: "OPTIONS", integration: { type: "mock" } }], cors: { allowOrigin: "https://a.example.com" } }, argument: "routes[0].method" },
            { title: "a plain-HTTP proxy", args: { routes: [{ path: "/x", method: "GET", integration: { type: "http-proxy", uri: "http://backend.example.com" } }] }, argument: "routes[0].integration.uri", pattern: /https/ },
            { title: "a URI parameter the path lacks", args: { routes: [{ path: "/x", method: "GET", integration: { type: "http-proxy", uri: "https://b.example.com/{id}" } }] }, argument: "routes[0].integration.uri" },
            { title: "an unknown integration type", args: { routes: [{ path: "/x", method: "GET", integration: { type: "vpc-link" } as never }] }, argument: "routes[0].integration.type" },
            { title: "a lambda without ARNs", args: { routes: [{ path: "/x", method: "GET", integration: { type: "lambda", function: {} as never } }] }, argument: "routes[0].integration.function" },
            { title: "a bad mock status", args: { routes: [{ path: "/x", method: "GET", integration: { type: "mock", statusCode: 700 } }] }, argument: "routes[0].integration.statusCode" },
            { title: "a public flag that is not boolean", args: { routes: [{ path: "/x", method: "GET", public: "yes" as never, integration: lambda }] }, argument: "routes[0].public" },
            { title: "a bad stage name", args: { stageName: "prod stage" }, argument: "stageName" },
            { title: "an unsupported retention", args: { logging: { retentionInDays: 17 } }, argument: "logging.retentionInDays" },
            { title: "an unknown logging level", args: { logging: { level: "DEBUG" as "INFO" } }, argument: "logging.level" },
            { title: "a zero burst", args: { throttle: { rateLimit: 10, burstLimit: 0 } }, argument: "throttle.burstLimit" },
            { title: "a negative rate", args: { throttle: { rateLimit: -1, burstLimit: 10 } }, argument: "throttle.rateLimit" },
            { title: "a bad cache size", args: { caching: { enabled: true, clusterSize: "2" as "1.6" } }, argument: "caching.clusterSize" },
            { title: "a list of origins", args: { cors: { allowOrigin: "https://a.example.com,https://b.example.com" } }, argument: "cors.allowOrigin" },
            { title: "credentials with a wildcard origin", args: { cors: { allowOrigin: "*", allowCredentials: true } }, argument: "cors.allowCredentials" },
            { title: "an unknown authorizer", args: { authorizer: { type: "saml" } as never }, argument: "authorizer.type" },
            { title: "a Cognito authorizer without pools", args: { authorizer: { type: "cognito", userPoolArns: [] } }, argument: "authorizer.userPoolArns" },
            { title: "an unknown endpoint type", args: { endpointType: "GLOBAL" as "EDGE" }, argument: "endpointType" },
        ];
        for (const c of cases) {
            it(`refuses ${c.title}, naming '${c.argument}', and creates nothing`, async () => {
                const error = await assertArgumentError(api(c.args), c.argument, c.pattern);
                assert.match(error.message, /^SecuredRestApi 'orders-api': /);
            });
        }
    });
});

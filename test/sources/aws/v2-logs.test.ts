import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Finding, runRules } from "apigw-guard/policies/engine/run";
import { Inventory, isUnknown, LogGroupEntity, StageEntity, V2ApiEntity, V2RouteEntity } from "apigw-guard/policies/model/index";
import { RULES } from "apigw-guard/policies/rules/index";
import { buildReport, createReporter, reportRules } from "../../../report";
import { auditAccount, AuditOptions, AuditStats } from "../../../sources/aws/audit";
import { FakeApiGateway, FakeRegion } from "../../../testkit/fake-apigateway";
import { FakeApiGatewayV2, FakeV2Faults, FakeV2Region } from "../../../testkit/fake-apigatewayv2";
import { DEFAULT_FAKE_ACCOUNT, FakeAws } from "../../../testkit/fake-aws";
import { FakeLogGroup, FakeLogs, FakeLogsFaults } from "../../../testkit/fake-logs";
import { assertNoLeak } from "../../../testkit/leaks";
import { CREDENTIALS, FAST_RETRY, NOW, REGION } from "./support";

const ACCOUNT = DEFAULT_FAKE_ACCOUNT;
const APIGW = `arn:aws:apigateway:${REGION}::`;
const logArn = (name: string, account = ACCOUNT) => `arn:aws:logs:${REGION}:${account}:log-group:${name}`;
const FORMAT = "{\"requestId\":\"$context.requestId\",\"status\":\"$context.status\"}";

/** One REST API whose prod stage logs execution and access (the v1 half of the account). */
function restRegion(): FakeRegion {
    return {
        restApis: [{
            id: "rest1",
            name: "orders-rest",
            apiKeySource: "HEADER",
            resources: [{ id: "root", path: "/", methods: [{ httpMethod: "GET", apiKeyRequired: true, authorizationType: "AWS_IAM" }] }],
            stages: [{
                stageName: "prod",
                accessLogSettings: { destinationArn: logArn("/aws/apigateway/rest-access"), format: FORMAT },
                methodSettings: { "*/*": { loggingLevel: "ERROR", metricsEnabled: true, dataTraceEnabled: false } },
            }],
        }],
        apiKeys: [],
        usagePlans: [],
        account: { cloudwatchRoleArn: "arn:aws:iam::111111111111:role/apigw-cloudwatch" },
        domainNames: [{ domainName: "api.example.com", securityPolicy: "TLS_1_0" }],
    };
}

/** An HTTP API and a WebSocket API; the same custom domain the v1 listing shows. */
function v2Region(): FakeV2Region {
    return {
        apis: [
            {
                apiId: "http1",
                name: "orders-http",
                protocolType: "HTTP",
                routes: [
                    { routeId: "r-open", routeKey: "GET /orders", authorizationType: "NONE" },
                    { routeId: "r-jwt", routeKey: "POST /orders", authorizationType: "JWT", authorizerId: "auth1" },
                ],
                stages: [
                    { stageName: "$default", autoDeploy: true, accessLogSettings: { destinationArn: logArn("/aws/apigateway/http-access"), format: FORMAT } },
                    { stageName: "beta", accessLogSettings: { destinationArn: logArn("/aws/apigateway/missing"), format: FORMAT } },
                ],
                authorizers: [{ authorizerId: "auth1", name: "cognito", authorizerType: "JWT", jwtConfiguration: { audience: ["app"], issuer: "https://cognito-idp.us-east-1.amazonaws.com/pool" } }],
            },
            {
                apiId: "ws1",
                name: "chat",
                protocolType: "WEBSOCKET",
                routes: [
                    { routeId: "w-connect", routeKey: "$connect", authorizationType: "AWS_IAM" },
                    { routeId: "w-send", routeKey: "sendMessage", authorizationType: "NONE" },
                ],
                stages: [{
                    stageName: "prod",
                    // A Firehose destination is no log group: it is not looked up.
                    accessLogSettings: { destinationArn: "arn:aws:firehose:us-east-1:111111111111:deliverystream/amazon-apigateway-chat", format: FORMAT },
                    defaultRouteSettings: { loggingLevel: "INFO", dataTraceEnabled: true },
                }],
            },
        ],
        domainNames: [{ domainName: "api.example.com", securityPolicy: "TLS_1_0" }],
    };
}

function logGroups(): FakeLogGroup[] {
    return [
        { logGroupName: "/aws/apigateway/rest-access", retentionInDays: 30 },
        { logGroupName: "/aws/apigateway/http-access" },
        // Longer names the prefix of a group looked up also matches.
        { logGroupName: "/aws/apigateway/http-access-old", retentionInDays: 1 },
        { logGroupName: "/aws/apigateway/missing-not-this-one", retentionInDays: 1 },
        { logGroupName: "API-Gateway-Execution-Logs_rest1/prod", retentionInDays: 14 },
        { logGroupName: "/aws/apigateway/ws1/prod", retentionInDays: 7 },
    ];
}

/** The groups the audit must look up: destinations and execution-log groups, each once. */
const LOOKED_UP = [
    "/aws/apigateway/rest-access", "API-Gateway-Execution-Logs_rest1/prod", "/aws/apigateway/http-access",
    "/aws/apigateway/missing", "/aws/apigateway/ws1/prod",
].sort();

interface World {
    readonly aws: FakeAws;
    readonly v1: FakeApiGateway;
    readonly v2: FakeApiGatewayV2;
    readonly logs: FakeLogs;
}

interface WorldOptions {
    readonly rest?: FakeRegion;
    readonly v2?: FakeV2Region;
    readonly groups?: FakeLogGroup[];
    readonly v2Faults?: FakeV2Faults;
    readonly logsFaults?: FakeLogsFaults;
}

async function startWorld(options: WorldOptions = {}): Promise<World> {
    const v1 = new FakeApiGateway({ [REGION]: options.rest ?? restRegion() });
    const v2 = new FakeApiGatewayV2({ [ACCOUNT]: { [REGION]: options.v2 ?? v2Region() } }, options.v2Faults ?? {});
    const logs = new FakeLogs({ [ACCOUNT]: { [REGION]: options.groups ?? logGroups() } }, options.logsFaults ?? {});
    const aws = new FakeAws({ services: { apigateway: v1.serve.bind(v1), apigatewayv2: v2.serve.bind(v2), logs: logs.serve.bind(logs) }, mounted: [v1] });
    await aws.start();
    return { aws, v1, v2, logs };
}

async function audit(world: World, overrides: Partial<AuditOptions> = {}): Promise<{ inventory: Inventory; stats: AuditStats }> {
    const stats: AuditStats = { regions: 0, throttled: 0, retried: 0, exhausted: 0 };
    const inventory = await auditAccount({
        regions: [REGION], endpointUrl: world.aws.url, credentials: CREDENTIALS, unusedDays: 30, now: NOW,
        retry: FAST_RETRY, requestTimeoutMs: 5_000, connectionTimeoutMs: 2_000, stats, ...overrides,
    });
    return { inventory, stats };
}

function findings(inventory: Inventory): readonly Finding[] {
    return runRules(inventory, RULES, { now: NOW }).findings;
}

function status(inventory: Inventory, ruleId: string, ref: string): string | undefined {
    return findings(inventory).find(f => f.ruleId === ruleId && f.entity?.ref === ref)?.status;
}

function finding(inventory: Inventory, ruleId: string, ref: string): Finding {
    const found = findings(inventory).find(f => f.ruleId === ruleId && f.entity?.ref === ref);
    assert.ok(found, `no ${ruleId} finding for ${ref}`);
    return found;
}

function entity<T>(inventory: Inventory, ref: string): T {
    const found = inventory.get(ref);
    assert.ok(found, `no entity ${ref}`);
    return found as T;
}

function destinationOf(stage: StageEntity): unknown {
    const settings = stage.accessLogSettings;
    return settings === undefined || isUnknown(settings) ? settings : settings.destination;
}

/** Entities as plain data, order-independent. */
function snapshot(inventory: Inventory): string[] {
    return [...inventory.all()].map(e => JSON.stringify(e)).sort();
}

/** Every request the audit sent is a read, and none asks for key values. */
function assertOnlyReads(world: World): void {
    assert.deepEqual(world.v1.violations, [], "a request asked API Gateway for key values");
    for (const request of world.v2.requests) {
        assert.equal(request.method, "GET");
        assert.match(request.path, /^\/v2\/apis(\/[^/]+\/(routes|stages))?$/, `unexpected v2 request ${request.path}`);
        assert.ok(!Object.keys(request.query).some(name => /value/i.test(name)), "a v2 request asked for values");
    }
    for (const request of world.logs.requests) {
        assert.equal(request.operation, "DescribeLogGroups");
    }
    assert.deepEqual(world.aws.unrouted, []);
}

describe("aws audit: HTTP and WebSocket APIs (API Gateway v2) and CloudWatch Logs", function () {
    this.timeout(30_000);
    let world: World | undefined;
    afterEach(async () => {
        if (world) {
            assertOnlyReads(world);
            await world.aws.stop();
            world = undefined;
        }
    });

    it("builds v2 APIs, routes and stages that the same rules judge as IaC's", async () => {
        world = await startWorld();
        const { inventory } = await audit(world);
        assert.deepEqual(inventory.gaps, []);

        const http = entity<V2ApiEntity>(inventory, `${APIGW}/apis/http1`);
        assert.deepEqual([http.kind, http.id, http.name, http.protocolType], ["v2-api", "http1", "orders-http", "HTTP"]);
        assert.deepEqual(http.provenance, { source: "aws", arn: `${APIGW}/apis/http1`, resourceType: "AWS::ApiGatewayV2::Api", region: REGION });
        const open = entity<V2RouteEntity>(inventory, `${APIGW}/apis/http1/routes/r-open`);
        assert.deepEqual([open.routeKey, open.authorizationType, open.api], ["GET /orders", "NONE", { kind: "entity", ref: http.ref }]);

        assert.equal(status(inventory, "apigateway-v2-route-authorization", `${APIGW}/apis/http1/routes/r-open`), "fail");
        assert.match(finding(inventory, "apigateway-v2-route-authorization", `${APIGW}/apis/http1/routes/r-open`).message, /HTTP API 'orders-http' can be called without authorization/);
        assert.equal(status(inventory, "apigateway-v2-route-authorization", `${APIGW}/apis/http1/routes/r-jwt`), "pass");
        assert.equal(status(inventory, "apigateway-v2-route-authorization", `${APIGW}/apis/ws1/routes/w-connect`), "pass");
        assert.equal(status(inventory, "apigateway-v2-route-authorization", `${APIGW}/apis/ws1/routes/w-send`), "not-applicable");

        const socketStage = entity<StageEntity>(inventory, `${APIGW}/apis/ws1/stages/prod`);
        assert.deepEqual([socketStage.apiVersion, socketStage.v2LoggingLevel, socketStage.v2DataTraceEnabled, socketStage.v2RouteSettings], ["v2", "INFO", true, undefined]);
        const trace = finding(inventory, "apigateway-stage-execution-logging", socketStage.ref);
        assert.equal(trace.status, "fail");
        assert.match(trace.message, /defaultRouteSettings\.dataTraceEnabled is on/);
        assert.equal(status(inventory, "apigateway-stage-execution-logging", `${APIGW}/apis/http1/stages/$default`), "not-applicable");
        // The Firehose destination is judged on its settings, as before.
        assert.equal(status(inventory, "apigateway-stage-access-logging", socketStage.ref), "pass");
        assert.deepEqual(destinationOf(socketStage),
            { kind: "external", id: "arn:aws:firehose:us-east-1:111111111111:deliverystream/amazon-apigateway-chat" });
    });

    it("lists custom domains once (the v1 listing holds the domains of both APIs): TLS_1_0 fails", async () => {
        world = await startWorld();
        const { inventory } = await audit(world);
        const domains = inventory.ofKind("domain-name");
        assert.equal(domains.length, 1);
        assert.equal(domains[0].domainName, "api.example.com");
        assert.equal(status(inventory, "apigateway-domain-tls12", domains[0].ref), "fail");
        assert.equal(world.v2.count(/^\/v2\/domainnames$/), 0, "the v2 listing of the same domains is not read");
        assert.equal(world.v1.count(/^\/domainnames$/), 1);
    });

    it("looks up each log group stages write to once, and judges existence and retention", async () => {
        world = await startWorld();
        const { inventory } = await audit(world);
        assert.deepEqual(world.logs.prefixes().sort(), LOOKED_UP);
        assert.ok(world.logs.requests.every(r => r.body.limit === 50 && r.body.nextToken === undefined));

        // The HTTP API's beta stage logs to a group the account does not have.
        const beta = finding(inventory, "apigateway-stage-access-logging", `${APIGW}/apis/http1/stages/beta`);
        assert.equal(beta.status, "fail");
        assert.match(beta.message, /its destination log group '\/aws\/apigateway\/missing' does not exist, so API Gateway drops its access logs/);
        const missing = entity<LogGroupEntity>(inventory, logArn("/aws/apigateway/missing"));
        assert.deepEqual([missing.exists, missing.retentionInDays], [false, undefined]);
        assert.equal(status(inventory, "apigateway-log-group-retention", missing.ref), "not-applicable");

        const httpStage = entity<StageEntity>(inventory, `${APIGW}/apis/http1/stages/$default`);
        assert.deepEqual(destinationOf(httpStage), { kind: "entity", ref: logArn("/aws/apigateway/http-access") });
        assert.equal(status(inventory, "apigateway-stage-access-logging", httpStage.ref), "pass");
        assert.equal(status(inventory, "apigateway-stage-access-logging", `${APIGW}/restapis/rest1/stages/prod`), "pass");

        const retention = (name: string) => finding(inventory, "apigateway-log-group-retention", logArn(name));
        assert.equal(retention("/aws/apigateway/http-access").status, "pass", "no retention: never expires");
        assert.equal(retention("/aws/apigateway/rest-access").status, "fail");
        assert.match(retention("/aws/apigateway/rest-access").message, /keeps events for only 30 days/);
        assert.equal(retention("API-Gateway-Execution-Logs_rest1/prod").status, "fail");
        assert.match(retention("API-Gateway-Execution-Logs_rest1/prod").message, /used by stage 'prod' \(execution logs\)/);
        assert.equal(retention("/aws/apigateway/ws1/prod").status, "fail");
        assert.match(retention("/aws/apigateway/ws1/prod").message, /used by stage 'prod' \(execution logs\)/);
        // Groups that merely share a prefix are not taken for the one looked up.
        assert.deepEqual(inventory.ofKind("log-group").map(g => g.logGroupName).sort(), [...LOOKED_UP].sort());
    });

    it("leaves out an execution-log group that does not exist yet (API Gateway creates it with the first event)", async () => {
        world = await startWorld({ groups: logGroups().filter(g => !g.logGroupName.startsWith("API-Gateway-Execution-Logs_")) });
        const { inventory } = await audit(world);
        assert.ok(world.logs.prefixes().includes("API-Gateway-Execution-Logs_rest1/prod"));
        assert.equal(inventory.get(logArn("API-Gateway-Execution-Logs_rest1/prod")), undefined);
        assert.deepEqual(inventory.gaps, []);
    });

    it("follows nextToken: requests equal pages, and the inventory is the same", async () => {
        const calmWorld = await startWorld();
        const calm = snapshot((await audit(calmWorld)).inventory);
        assertOnlyReads(calmWorld);
        await calmWorld.aws.stop();

        world = await startWorld({ v2Faults: { maxPageSize: 1 }, logsFaults: { maxPageSize: 1 } });
        const { inventory } = await audit(world);
        assert.deepEqual(snapshot(inventory), calm);
        const apis = v2Region().apis;
        assert.equal(world.v2.count(/^\/v2\/apis$/), apis.length, "one API per page");
        for (const api of apis) {
            assert.equal(world.v2.count(new RegExp(`^/v2/apis/${api.apiId}/routes$`)), api.routes.length);
            assert.equal(world.v2.count(new RegExp(`^/v2/apis/${api.apiId}/stages$`)), api.stages.length);
        }
        assert.equal(world.v2.requests.length, apis.length + apis.reduce((n, api) => n + api.routes.length + api.stages.length, 0));
        // A group, if it exists, sorts first among those its name prefixes: one page each.
        assert.equal(world.logs.requests.length, LOOKED_UP.length);
        // Pages asked for the size the audit uses.
        assert.ok(world.v2.requests.every(r => r.query.maxResults === "500"));
    });

    it("stops a v2 listing at the page bound and says so", async () => {
        world = await startWorld({ v2Faults: { endlessTokens: true, maxPageSize: 1 } });
        const { inventory } = await audit(world, { maxPages: 3 });
        assert.equal(world.v2.count(/^\/v2\/apis$/), 3);
        assert.ok(inventory.gaps.some(g => /^the listing of the HTTP and WebSocket APIs in us-east-1 was cut short \(stopped after 3 pages\)/.test(g.message)), JSON.stringify(inventory.gaps));
        assert.equal(status(inventory, "apigateway-v2-route-authorization", `${APIGW}/apis#cut-short/routes`), "unknown");
    });

    it("waits out throttling on both services and then reads everything", async () => {
        const calmWorld = await startWorld();
        const calm = snapshot((await audit(calmWorld)).inventory);
        await calmWorld.aws.stop();

        world = await startWorld({ v2Faults: { throttleFirst: 2 }, logsFaults: { throttleFirst: 2 } });
        const { inventory, stats } = await audit(world);
        assert.deepEqual(inventory.gaps, []);
        assert.deepEqual(snapshot(inventory), calm);
        assert.equal(stats.throttled, 4);
        assert.equal(world.v2.requests.filter(r => r.status === 429).length, 2);
        assert.equal(world.logs.requests.filter(r => r.status === 400).length, 2);
    });

    it("a denied v2 listing is a gap: the rules say unknown for what it may hold, and the REST APIs are still judged", async () => {
        world = await startWorld({ v2Faults: { deny: [/^\/v2\/apis$/] } });
        const { inventory } = await audit(world);
        assert.ok(inventory.gaps.some(g => g.message === "could not list the HTTP and WebSocket APIs in us-east-1: access denied (AccessDeniedException)"), JSON.stringify(inventory.gaps));
        assert.equal(status(inventory, "apigateway-v2-route-authorization", `${APIGW}/apis#unreadable/routes`), "unknown");
        assert.equal(status(inventory, "apigateway-stage-access-logging", `${APIGW}/apis#unreadable/stages`), "unknown");
        assert.equal(status(inventory, "apigateway-stage-execution-logging", `${APIGW}/apis#unreadable/stages`), "unknown");
        assert.equal(inventory.ofKind("v2-route").filter(r => !r.ref.includes("#")).length, 0);
        assert.equal(status(inventory, "apigateway-stage-access-logging", `${APIGW}/restapis/rest1/stages/prod`), "pass");
    });

    it("denied routes of one API: its routes are unknown, its stages and the other API are judged", async () => {
        world = await startWorld({ v2Faults: { deny: [/^\/v2\/apis\/http1\/routes$/] } });
        const { inventory } = await audit(world);
        assert.ok(inventory.gaps.some(g => /^could not read the routes of HTTP API 'orders-http' \(http1\): access denied/.test(g.message)));
        assert.equal(status(inventory, "apigateway-v2-route-authorization", `${APIGW}/apis/http1/routes#unreadable`), "unknown");
        assert.equal(inventory.get(`${APIGW}/apis/http1/routes/r-open`), undefined);
        assert.equal(status(inventory, "apigateway-stage-access-logging", `${APIGW}/apis/http1/stages/beta`), "fail");
        assert.equal(status(inventory, "apigateway-v2-route-authorization", `${APIGW}/apis/ws1/routes/w-connect`), "pass");
    });

    it("a denied Logs read is a gap: access logging to a CloudWatch group and retention say unknown, never pass", async () => {
        world = await startWorld({ logsFaults: { denyOperations: ["DescribeLogGroups"] } });
        const { inventory, stats } = await audit(world);
        assert.equal(stats.failures?.denied, LOOKED_UP.length);
        for (const name of LOOKED_UP) {
            // Without the account id, an execution-log group no stage names by ARN has a ref with `*` for it.
            const group = inventory.ofKind("log-group").find(g => g.logGroupName === name);
            assert.ok(group, name);
            assert.ok(inventory.gaps.some(g => g.ref === group.ref && g.message.startsWith(`could not look up log group '${name}' (`) && g.message.endsWith(") in CloudWatch Logs: access denied (AccessDeniedException)")), name);
            assert.equal(status(inventory, "apigateway-log-group-retention", group.ref), "unknown", name);
        }
        for (const stage of [`${APIGW}/restapis/rest1/stages/prod`, `${APIGW}/apis/http1/stages/$default`, `${APIGW}/apis/http1/stages/beta`]) {
            const outcome = finding(inventory, "apigateway-stage-access-logging", stage);
            assert.equal(outcome.status, "unknown", stage);
            assert.match(outcome.message, /exists is not known \(could not look up log group/);
        }
        // A Firehose destination needs no Logs read.
        assert.equal(status(inventory, "apigateway-stage-access-logging", `${APIGW}/apis/ws1/stages/prod`), "pass");
        assert.ok(isUnknown(entity<LogGroupEntity>(inventory, logArn("/aws/apigateway/http-access")).exists));
        assert.equal(inventory.get(logArn("/aws/apigateway/http-access"))?.provenance.arn, logArn("/aws/apigateway/http-access"));
    });

    it("a failed lookup of one group leaves only that group unknown", async () => {
        world = await startWorld({ logsFaults: { failPrefixes: [/^\/aws\/apigateway\/http-access$/] } });
        const { inventory } = await audit(world, { retry: { ...FAST_RETRY, maxServerErrorAttempts: 2 } });
        assert.equal(status(inventory, "apigateway-stage-access-logging", `${APIGW}/apis/http1/stages/$default`), "unknown");
        assert.equal(status(inventory, "apigateway-stage-access-logging", `${APIGW}/restapis/rest1/stages/prod`), "pass");
        assert.equal(inventory.gaps.length, 1);
        assert.match(inventory.gaps[0].message, /server error \(ServiceUnavailableException, HTTP 500\) after retries/);
    });

    it("reads each account's own data; a destination in another account is not looked up", async () => {
        const other = "222222222222";
        const v1 = new FakeApiGateway({ [REGION]: restRegion() });
        const v2 = new FakeApiGatewayV2({ [ACCOUNT]: { [REGION]: { apis: [] } }, [other]: { [REGION]: v2Region() } });
        const logs = new FakeLogs({ [ACCOUNT]: { [REGION]: [] }, [other]: { [REGION]: logGroups() } });
        const aws = new FakeAws({ services: { apigateway: v1.serve.bind(v1), apigatewayv2: v2.serve.bind(v2), logs: logs.serve.bind(logs) }, mounted: [v1] });
        world = { aws, v1, v2, logs };
        await aws.start();
        aws.credentialsFor("ASIAFAKEOTHERACCOUNT", other);
        const { inventory } = await audit(world, { account: other, credentials: { accessKeyId: "ASIAFAKEOTHERACCOUNT", secretAccessKey: "s", sessionToken: "t" } });
        assert.ok(v2.requests.every(r => r.account === other) && logs.requests.every(r => r.account === other));
        assert.equal(inventory.ofKind("v2-api").length, 2);
        // Every destination in the fixtures names account 111111111111: not this one, so not looked up.
        assert.deepEqual(logs.prefixes().sort(), ["/aws/apigateway/ws1/prod", "API-Gateway-Execution-Logs_rest1/prod"]);
        assert.equal(status(inventory, "apigateway-stage-access-logging", `${APIGW}/apis/http1/stages/beta`), "pass");
        assert.equal(entity<V2ApiEntity>(inventory, `${APIGW}/apis/http1`).provenance.account, other);
        assert.ok(inventory.ofKind("log-group").every(g => g.provenance.account === other && g.ref.includes(`:${other}:`)));
    });

    it("planted values in names, descriptions, tags, stage variables and certificate names never matter or leak", async () => {
        const planted = `PLANTED${randomBytes(16).toString("hex")}`;
        const plantedV2 = (): FakeV2Region => {
            const base = v2Region();
            return {
                apis: base.apis.map(api => ({
                    ...api,
                    description: planted,
                    tags: { owner: planted },
                    stages: api.stages.map(stage => ({ ...stage, description: planted, stageVariables: { token: planted }, tags: { secret: planted } })),
                    authorizers: (api.authorizers ?? []).map(authorizer => ({ ...authorizer, jwtConfiguration: { audience: [planted], issuer: "https://issuer.example.com" } })),
                })),
                domainNames: (base.domainNames ?? []).map(domain => ({ ...domain, certificateName: planted, tags: { secret: planted } })),
            };
        };
        const plantedGroups = logGroups().map(group => ({ ...group, kmsKeyId: `arn:aws:kms:us-east-1:111111111111:key/${planted}` }));
        const calmWorld = await startWorld();
        const calm = findings((await audit(calmWorld)).inventory).map(f => `${f.ruleId} ${f.entity?.ref ?? ""} ${f.status}`).sort();
        await calmWorld.aws.stop();

        world = await startWorld({ v2: plantedV2(), groups: plantedGroups });
        const { inventory } = await audit(world);
        assert.ok(world.v2.sentBodies.some(body => body.includes(planted)), "precondition: the v2 fake sent the planted value");
        assert.ok(world.logs.sentBodies.some(body => body.includes(planted)), "precondition: the Logs fake sent the planted value");
        const found = findings(inventory);
        assert.deepEqual(found.map(f => `${f.ruleId} ${f.entity?.ref ?? ""} ${f.status}`).sort(), calm, "the planted values changed a verdict");
        const report = buildReport({
            tool: { name: "apigw-guard", version: "0.0.0" }, generatedAt: NOW, failOn: "mandatory",
            inputs: [{ file: "aws:us-east-1", kind: "aws-account", findings: found, entities: inventory.size, gaps: inventory.gaps }],
            rules: reportRules(RULES, () => "mandatory"),
        });
        const outputs = [
            JSON.stringify([...inventory.all()]),
            JSON.stringify(inventory.gaps),
            JSON.stringify(found),
            createReporter("json").render(report),
            createReporter("text", { showPasses: true }).render(report),
            createReporter("sarif").render(report),
        ];
        assertNoLeak("the audit's outputs", outputs, [planted]);

        // A name is shown (it names the thing to fix) but decides nothing.
        const renamed = plantedV2();
        const namedWorld = await startWorld({ v2: { ...renamed, apis: renamed.apis.map(api => ({ ...api, name: `${api.name}-${planted}` })) } });
        try {
            const named = findings((await audit(namedWorld)).inventory).map(f => `${f.ruleId} ${f.entity?.ref ?? ""} ${f.status}`).sort();
            assert.deepEqual(named, calm);
        } finally {
            await namedWorld.aws.stop();
        }
    });
});

import assert from "node:assert/strict";
import { Inventory } from "apigw-guard/policies/model/index";
import { auditAccount, AuditOptions, AuditStats } from "../../../sources/aws/audit";
import { FakeApiGateway, FakeCompanions, FakeFaults, FakeRegion } from "../../../testkit/fake-apigateway";
import { FakeApiGatewayV2 } from "../../../testkit/fake-apigatewayv2";
import { DEFAULT_FAKE_ACCOUNT } from "../../../testkit/fake-aws";
import { FakeLogGroup, FakeLogs } from "../../../testkit/fake-logs";

export const NOW = new Date("2026-06-01T00:00:00Z");
export const REGION = "us-east-1";
export const CREDENTIALS = { accessKeyId: "AKIDFAKEAUDITOR00001", secretAccessKey: "fake-secret-access-key-for-tests" };
/** Retries fast enough for tests, still exponential with jitter and bounded. */
export const FAST_RETRY = { throttleBaseDelayMs: 5, baseDelayMs: 5, maxDelayMs: 50, budgetMs: 5_000, maxAttempts: 8, maxNetworkAttempts: 2 };

export interface AuditRun {
    readonly inventory: Inventory;
    readonly stats: AuditStats;
    readonly progress: Array<{ done: number; total: number; label: string }>;
}

/** Runs the real audit (real SDK client) against a started fake. */
export async function auditFake(fake: FakeApiGateway, overrides: Partial<AuditOptions> = {}): Promise<AuditRun> {
    const stats: AuditStats = { regions: 0, throttled: 0, retried: 0, exhausted: 0 };
    const progress: AuditRun["progress"] = [];
    const inventory = await auditAccount({
        regions: [REGION],
        endpointUrl: fake.url,
        credentials: CREDENTIALS,
        unusedDays: 30,
        now: NOW,
        retry: FAST_RETRY,
        requestTimeoutMs: 5_000,
        connectionTimeoutMs: 2_000,
        stats,
        onProgress: (done, total, label) => progress.push({ done, total, label }),
        ...overrides,
    });
    return { inventory, stats, progress };
}

/**
 * A started fake; `stop` it in `after`/`finally`. Every test asserts no key value was requested.
 * The same endpoint answers for API Gateway v2 (no HTTP or WebSocket APIs unless given) and
 * CloudWatch Logs (by default, the log groups the stages name as access-log destinations exist
 * and keep their events for 400 days, as after a deployment that created them).
 */
export async function startFake(regions: Readonly<Record<string, FakeRegion>>, faults: FakeFaults = {}, companions?: FakeCompanions): Promise<FakeApiGateway> {
    const fake = new FakeApiGateway(regions, faults, companions ?? defaultCompanions(regions));
    await fake.start();
    return fake;
}

export function defaultCompanions(regions: Readonly<Record<string, FakeRegion>>): FakeCompanions {
    const v2 = new FakeApiGatewayV2({});
    const logs = new FakeLogs({ [DEFAULT_FAKE_ACCOUNT]: destinationGroups(regions) });
    return { apigatewayv2: v2.serve.bind(v2), logs: logs.serve.bind(logs) };
}

/** The log groups the stages of each region name as access-log destinations, kept 400 days. */
export function destinationGroups(regions: Readonly<Record<string, FakeRegion>>): Record<string, FakeLogGroup[]> {
    const byRegion: Record<string, FakeLogGroup[]> = {};
    for (const [region, data] of Object.entries(regions)) {
        const names = new Set<string>();
        for (const api of data.restApis) {
            for (const stage of api.stages) {
                const name = /:log-group:([^:]+)(?::\*)?$/.exec(stage.accessLogSettings?.destinationArn ?? "")?.[1];
                if (name !== undefined) {
                    names.add(name);
                }
            }
        }
        byRegion[region] = [...names].map(logGroupName => ({ logGroupName, retentionInDays: 400 }));
    }
    return byRegion;
}

export function assertNoKeyValueRequested(fake: FakeApiGateway): void {
    assert.deepEqual(fake.violations, [], "a request asked API Gateway for key values");
}

/** A small account: one API with a key-protected and an open method, one stage, keys, plans. */
export function smallAccount(): FakeRegion {
    return {
        restApis: [{
            id: "api111",
            name: "orders",
            apiKeySource: "HEADER",
            endpointTypes: ["REGIONAL"],
            resources: [
                { id: "root1", path: "/" },
                { id: "res1", parentId: "root1", pathPart: "orders", path: "/orders", methods: [
                    { httpMethod: "GET", apiKeyRequired: true, authorizationType: "AWS_IAM" },
                    { httpMethod: "POST", apiKeyRequired: false, authorizationType: "NONE" },
                ] },
            ],
            stages: [{
                stageName: "prod",
                accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/orders", format: "{\"requestId\":\"$context.requestId\",\"apiKeyId\":\"$context.identity.apiKeyId\"}" },
                methodSettings: { "*/*": { loggingLevel: "ERROR", metricsEnabled: true, dataTraceEnabled: false }, "orders/GET": { cachingEnabled: true, cacheDataEncrypted: false } },
                tracingEnabled: true,
                webAclArn: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/api/1",
            }],
        }],
        apiKeys: [
            { id: "keyused", name: "used", enabled: true, createdDate: "2026-04-15T00:00:00Z", value: "VALUEusedKEY000000000000001" },
            { id: "keyidle", name: "idle", enabled: true, createdDate: "2026-04-15T00:00:00Z", value: "VALUEidleKEY000000000000002" },
            { id: "keynew", name: "new", enabled: true, createdDate: "2026-05-25T00:00:00Z", value: "VALUEnewKEY0000000000000003" },
            { id: "keyloose", name: "loose", enabled: true, createdDate: "2026-04-15T00:00:00Z", value: "VALUElooseKEY00000000000004" },
        ],
        usagePlans: [{
            id: "plan1",
            name: "standard",
            apiStages: [{ apiId: "api111", stage: "prod" }],
            throttle: { rateLimit: 50, burstLimit: 100 },
            quota: { limit: 100000, period: "MONTH" },
            keyIds: ["keyused", "keyidle", "keynew"],
            usage: { keyused: [[12, 99988], [0, 99988], [3, 99985]] },
        }],
        account: { cloudwatchRoleArn: "arn:aws:iam::123456789012:role/apigw-cloudwatch" },
        domainNames: [{ domainName: "api.example.com", securityPolicy: "TLS_1_2" }],
    };
}

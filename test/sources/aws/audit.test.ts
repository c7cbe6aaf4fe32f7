import assert from "node:assert/strict";
import { createServer } from "node:net";
import { APIGatewayClient, GetApiKeysCommand } from "@aws-sdk/client-api-gateway";
import { runRules } from "apigw-guard/policies/engine/run";
import { ApiKeyEntity, Inventory, isUnknown, MethodEntity, MethodSettingsEntity, StageEntity } from "apigw-guard/policies/model/index";
import { assertNoLeak } from "../../../testkit/leaks";
import { buildReport, createReporter, reportRules } from "../../../report";
import { RULES } from "apigw-guard/policies/rules/index";
import { auditAccount, AuditError, AuditOptions } from "../../../sources/aws/audit";
import { createApiGatewayClient } from "../../../sources/aws/client";
import { FakeApiGateway, FakeApiKey, FakeRegion, FakeUsagePlan } from "../../../testkit/fake-apigateway";
import { assertNoKeyValueRequested, auditFake, CREDENTIALS, FAST_RETRY, NOW, REGION, smallAccount, startFake } from "./support";

const ARN = `arn:aws:apigateway:${REGION}::`;

function entity<T>(inventory: Inventory, ref: string): T {
    const found = inventory.get(ref);
    assert.ok(found, `no entity ${ref}`);
    return found as T;
}

function findingsOf(inventory: Inventory) {
    return runRules(inventory, RULES, { now: NOW }).findings;
}

function statusOf(inventory: Inventory, ruleId: string, ref: string): string | undefined {
    return findingsOf(inventory).find(f => f.ruleId === ruleId && f.entity?.ref === ref)?.status;
}

/** Entities as plain data, order-independent: for comparing two audits of the same account. */
function snapshot(inventory: Inventory): string[] {
    return [...inventory.all()].map(e => JSON.stringify(e)).sort();
}

describe("aws audit: reading an account through the real SDK", function () {
    this.timeout(30_000);
    let fake: FakeApiGateway;
    afterEach(async () => {
        if (fake) {
            assertNoKeyValueRequested(fake);
            await fake.stop();
        }
    });

    it("builds the Inventory: APIs, methods, stages with their method settings, keys, plans, account, domains", async () => {
        fake = await startFake({ [REGION]: smallAccount() });
        const { inventory, progress } = await auditFake(fake);
        assert.deepEqual(inventory.gaps, []);
        const api = entity<{ apiKeySource: string; endpointTypes: string[]; provenance: { source: string; arn: string } }>(inventory, `${ARN}/restapis/api111`);
        assert.equal(api.apiKeySource, "HEADER");
        assert.deepEqual(api.endpointTypes, ["REGIONAL"]);
        assert.deepEqual(api.provenance, { source: "aws", arn: `${ARN}/restapis/api111`, resourceType: "AWS::ApiGateway::RestApi", region: REGION });

        const post = entity<MethodEntity>(inventory, `${ARN}/restapis/api111/resources/res1/methods/POST`);
        assert.equal(post.path, "/orders");
        assert.equal(post.apiKeyRequired, false);
        assert.equal(post.authorizationType, "NONE");

        const stage = entity<StageEntity>(inventory, `${ARN}/restapis/api111/stages/prod`);
        assert.equal(stage.stageName, "prod");
        assert.equal(stage.xrayTracingEnabled, true);
        assert.equal(stage.webAclArn, "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/api/1");
        assert.ok(!isUnknown(stage.accessLogSettings) && stage.accessLogSettings?.destinationArn?.toString().includes("log-group"));
        const stageWide = entity<MethodSettingsEntity>(inventory, `${ARN}/restapis/api111/stages/prod#methodSettings/*/*`);
        assert.deepEqual([stageWide.methodPath, stageWide.loggingLevel, stageWide.metricsEnabled, stageWide.dataTraceEnabled], ["*/*", "ERROR", true, false]);
        assert.deepEqual(stageWide.stage, { kind: "entity", ref: stage.ref });
        const perMethod = entity<MethodSettingsEntity>(inventory, `${ARN}/restapis/api111/stages/prod#methodSettings/orders/GET`);
        assert.equal(perMethod.cachingEnabled, true);
        assert.equal(perMethod.cacheDataEncrypted, false);

        const plan = inventory.ofKind("usage-plan")[0];
        assert.deepEqual(plan.throttle, { rateLimit: 50, burstLimit: 100 });
        assert.deepEqual(plan.apiStages, [{ restApi: { kind: "entity", ref: `${ARN}/restapis/api111` }, stageName: "prod", stage: { kind: "entity", ref: stage.ref } }]);
        assert.equal(inventory.ofKind("usage-plan-key").length, 3);
        assert.equal(inventory.ofKind("account")[0].cloudwatchRoleArn, "arn:aws:iam::123456789012:role/apigw-cloudwatch");
        assert.equal(inventory.ofKind("domain-name")[0].securityPolicy, "TLS_1_2");
        assert.ok(inventory.ofKind("api-key").length >= 3, "the account's keys were read");
        for (const key of inventory.ofKind("api-key")) {
            assert.deepEqual(key.value, { handling: "secret" }, "AWS holds every value; none is read");
            assert.equal(key.region, REGION);
        }

        // Progress: monotonic, ends complete, labels name what was read.
        assert.ok(progress.length >= 9);
        const last = progress[progress.length - 1];
        assert.equal(last.done, last.total);
        assert.ok(progress.every((p, i) => p.done === i + 1 && p.done <= p.total));
        assert.ok(progress.some(p => p.label === "stages of REST API 'orders'"));
    });

    it("measures each key's requests over the window with GetUsage and flags keys with none", async () => {
        fake = await startFake({ [REGION]: smallAccount() });
        const { inventory } = await auditFake(fake);
        const requests = (id: string) => entity<ApiKeyEntity>(inventory, `${ARN}/apikeys/${id}`).requestsInWindow;
        assert.equal(requests("keyused"), 15, "daily used counts are summed");
        assert.equal(requests("keyidle"), 0, "a plan key GetUsage does not list made no requests");
        assert.equal(requests("keynew"), undefined, "a key younger than the window is not judged by usage");
        assert.equal(requests("keyloose"), undefined, "usage is only metered through plans");

        const usageCalls = fake.requests.filter(r => r.path === "/usageplans/plan1/usage");
        assert.equal(usageCalls.length, 1);
        assert.deepEqual([usageCalls[0].query.startDate, usageCalls[0].query.endDate], ["2026-05-02", "2026-06-01"]);

        const unused = (id: string) => statusOf(inventory, "apigateway-api-key-unused", `${ARN}/apikeys/${id}`);
        assert.equal(unused("keyused"), "pass");
        assert.equal(unused("keyidle"), "fail");
        assert.equal(unused("keynew"), "pass");
        assert.equal(unused("keyloose"), "fail");
        const message = findingsOf(inventory).find(f => f.entity?.ref === `${ARN}/apikeys/keyidle` && f.ruleId === "apigateway-api-key-unused")?.message;
        assert.match(message ?? "", /made no requests in the last 30 days/);
    });

    it("uses the window it is given: --unused-days 7 asks GetUsage for 7 days", async () => {
        fake = await startFake({ [REGION]: smallAccount() });
        await auditFake(fake, { unusedDays: 7 });
        const call = fake.requests.find(r => r.path === "/usageplans/plan1/usage");
        assert.deepEqual([call?.query.startDate, call?.query.endDate], ["2026-05-25", "2026-06-01"]);
    });

    it("follows position through every listing: one item per page gives the same inventory", async () => {
        fake = await startFake({ [REGION]: smallAccount() });
        const whole = snapshot((await auditFake(fake)).inventory);
        const before = fake.requests.length;
        fake.faults = { maxPageSize: 1 };
        const paged = snapshot((await auditFake(fake)).inventory);
        assert.deepEqual(paged, whole);
        const pagedRequests = fake.requests.slice(before);
        assert.equal(pagedRequests.filter(r => r.path === "/apikeys").length, 4 + 0, "4 keys, one per page");
        assert.equal(pagedRequests.filter(r => r.path === "/usageplans/plan1/keys").length, 3);
        assert.ok(pagedRequests.filter(r => r.path === "/apikeys").slice(1).every(r => r.query.position !== undefined));
    });

    it("reads methods one by one only when the listing does not embed them", async () => {
        fake = await startFake({ [REGION]: smallAccount() });
        const embedded = snapshot((await auditFake(fake)).inventory);
        assert.equal(fake.count(/\/methods\//), 0, "embed=methods: no GetMethod calls");
        fake.faults = { ignoreEmbed: true };
        const fetched = snapshot((await auditFake(fake)).inventory);
        assert.deepEqual(fetched, embedded);
        assert.equal(fake.count(/\/methods\//), 2);
    });

    it("audits several regions in one run, each with its own account settings", async () => {
        const other: FakeRegion = { restApis: [], apiKeys: [], usagePlans: [], account: {}, domainNames: [] };
        fake = await startFake({ [REGION]: smallAccount(), "eu-west-1": other });
        const { inventory, stats } = await auditFake(fake, { regions: [REGION, "eu-west-1"] });
        assert.equal(stats.regions, 2);
        const accounts = inventory.ofKind("account").map(a => [a.ref, a.region]);
        assert.deepEqual(accounts.sort(), [["arn:aws:apigateway:eu-west-1::/account", "eu-west-1"], [`${ARN}/account`, REGION]]);
        assert.deepEqual([...new Set(fake.requests.map(r => r.region))].sort(), ["eu-west-1", REGION]);
    });

    describe("10,000 API keys", () => {
        function bigAccount(keys: number, plans: number): FakeRegion {
            const apiKeys: FakeApiKey[] = [];
            for (let i = 0; i < keys; i++) {
                apiKeys.push({ id: `k${String(i).padStart(5, "0")}`, name: `client-${i}`, enabled: true, createdDate: "2026-01-01T00:00:00Z", value: `VALUE-${i}-0000000000000000000` });
            }
            const usagePlans: FakeUsagePlan[] = [];
            const perPlan = Math.ceil(keys / plans);
            for (let p = 0; p < plans; p++) {
                const keyIds = apiKeys.slice(p * perPlan, (p + 1) * perPlan).map(k => k.id);
                // Every other key has traffic; the rest are idle.
                const usage = Object.fromEntries(keyIds.filter((_, i) => i % 2 === 0).map(id => [id, [[3, 97]]]));
                usagePlans.push({ id: `plan${p}`, name: `plan-${p}`, apiStages: [{ apiId: "api111", stage: "prod" }], throttle: { rateLimit: 10, burstLimit: 20 }, quota: { limit: 1000, period: "DAY" }, keyIds, usage });
            }
            return { ...smallAccount(), apiKeys, usagePlans };
        }

        it("completes with requests linear in pages, none per key", async function () {
            this.timeout(120_000);
            const keys = 10_000;
            const plans = 20;
            fake = await startFake({ [REGION]: bigAccount(keys, plans) });
            const started = Date.now();
            const { inventory } = await auditFake(fake);
            const elapsed = Date.now() - started;
            assert.equal(inventory.ofKind("api-key").length, keys);
            assert.equal(inventory.ofKind("usage-plan-key").length, keys);
            const idle = inventory.ofKind("api-key").filter(k => k.requestsInWindow === 0).length;
            assert.equal(idle, keys / 2);
            const pages = (n: number) => Math.ceil(n / 500);
            const perPlanKeys = keys / plans;
            const expected = {
                "/apikeys": pages(keys),
                "/usageplans": pages(plans),
                "plan keys": plans * pages(perPlanKeys),
                // GetUsage pages over the keys with usage.
                "usage": plans * Math.max(1, pages(perPlanKeys / 2)),
            };
            const got = {
                "/apikeys": fake.count(/^\/apikeys$/),
                "/usageplans": fake.count(/^\/usageplans$/),
                "plan keys": fake.count(/^\/usageplans\/[^/]+\/keys$/),
                "usage": fake.count(/^\/usageplans\/[^/]+\/usage$/),
            };
            assert.deepEqual(got, expected);
            assert.equal(fake.count(/^\/apikeys\/./), 0, "no per-key GetApiKey");
            assert.ok(fake.requests.every(r => r.query.keyId === undefined), "no per-key GetUsage");
            // 5 listings + 2 per API (resources, stages) + the key and plan pages.
            const total = 5 + 2 + (got["/apikeys"] - 1) + (got["/usageplans"] - 1) + got["plan keys"] + got.usage;
            assert.equal(fake.requests.length, total);
            console.log(`      10,000 keys in ${plans} plans: ${fake.requests.length} requests, ${elapsed} ms`);
        });

        it("stays linear when the server serves small pages (100 keys per page)", async function () {
            this.timeout(120_000);
            fake = await startFake({ [REGION]: bigAccount(10_000, 20) }, { maxPageSize: 100 });
            const { inventory } = await auditFake(fake);
            assert.equal(inventory.ofKind("api-key").length, 10_000);
            assert.equal(fake.count(/^\/apikeys$/), 100);
            assert.equal(fake.count(/^\/usageplans\/[^/]+\/keys$/), 20 * 5);
            assert.equal(fake.count(/^\/usageplans\/[^/]+\/usage$/), 20 * 3);
            console.log(`      10,000 keys at 100 per page: ${fake.requests.length} requests`);
        });
    });

    describe("throttling", () => {
        it("retries TooManyRequestsException (HTTP 429) with backoff and still completes", async () => {
            fake = await startFake({ [REGION]: smallAccount() });
            const calm = snapshot((await auditFake(fake)).inventory);
            fake.faults = { throttleEvery: 2, maxPageSize: 1 };
            const { inventory, stats } = await auditFake(fake);
            assert.deepEqual(snapshot(inventory), calm);
            assert.deepEqual(inventory.gaps, []);
            assert.ok(stats.throttled > 5, `throttled ${stats.throttled} times`);
            assert.equal(stats.throttled, fake.requests.filter(r => r.status === 429).length);
            assert.equal(stats.exhausted, 0);
        });

        it("honours Retry-After within the delay cap", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, { throttleFirst: 3, retryAfterSeconds: 0 });
            const { inventory, stats } = await auditFake(fake);
            assert.deepEqual(inventory.gaps, []);
            assert.equal(stats.throttled, 3);
        });

        it("gives up on a call throttled past its budget, reports it, and audits the rest", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, { throttlePaths: [/^\/usageplans\/plan1\/usage$/] });
            const started = Date.now();
            const { inventory, stats } = await auditFake(fake);
            assert.ok(Date.now() - started < 10_000);
            assert.equal(fake.count(/\/usage$/), FAST_RETRY.maxAttempts, "bounded attempts");
            assert.equal(stats.exhausted, 1);
            assert.deepEqual(inventory.gaps.map(g => g.message), [
                "could not read the usage of usage plan 'standard' (plan1): throttled (TooManyRequestsException) after the retry budget was spent",
            ]);
            const idle = entity<ApiKeyEntity>(inventory, `${ARN}/apikeys/keyidle`).requestsInWindow;
            assert.ok(isUnknown(idle), "usage that could not be read is unknown, not zero");
            assert.equal(statusOf(inventory, "apigateway-api-key-unused", `${ARN}/apikeys/keyidle`), "pass", "falls back to the attachment check");
        });
    });

    describe("access denied", () => {
        it("reports a denied REST API as a gap and audits everything else", async () => {
            const account = smallAccount();
            const second = { ...account.restApis[0], id: "api222", name: "billing" };
            fake = await startFake({ [REGION]: { ...account, restApis: [account.restApis[0], second] } }, { deny: [/^\/restapis\/api222\//] });
            const { inventory } = await auditFake(fake);
            assert.deepEqual(inventory.gaps.map(g => [g.ref, g.message]), [
                [`${ARN}/restapis/api222`, "could not read the resources and methods of REST API 'billing' (api222): access denied (AccessDeniedException)"],
                [`${ARN}/restapis/api222`, "could not read the stages of REST API 'billing' (api222): access denied (AccessDeniedException)"],
            ]);
            assert.ok(inventory.get(`${ARN}/restapis/api222`), "the API itself was listed");
            assert.ok(inventory.get(`${ARN}/restapis/api111/stages/prod`), "the other API was read in full");
            assert.equal(inventory.ofKind("api-key").length, 4);
        });

        it("keeps a key whose plan's keys are denied from looking unattached: unknown, not fail", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, { deny: [/^\/usageplans\/plan1\/keys$/] });
            const { inventory } = await auditFake(fake);
            assert.deepEqual(inventory.gaps.map(g => g.message), ["could not read the keys of usage plan 'standard' (plan1): access denied (AccessDeniedException)"]);
            for (const id of ["keyused", "keyidle", "keyloose"]) {
                assert.equal(statusOf(inventory, "apigateway-api-key-unused", `${ARN}/apikeys/${id}`), "unknown", id);
                assert.equal(entity<ApiKeyEntity>(inventory, `${ARN}/apikeys/${id}`).requestsInWindow, undefined, `${id}: membership unknown, usage not measured`);
            }
        });

        it("reports each denied listing and still returns what could be read", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, { deny: [/^\/restapis$/, /^\/usageplans$/, /^\/account$/, /^\/domainnames$/] });
            const { inventory } = await auditFake(fake);
            assert.deepEqual(inventory.gaps.map(g => g.message).sort(), [
                `could not list the REST APIs in ${REGION}: access denied (AccessDeniedException)`,
                `could not list the custom domain names in ${REGION}: access denied (AccessDeniedException)`,
                `could not list the usage plans in ${REGION}: access denied (AccessDeniedException)`,
                `could not read the API Gateway account settings in ${REGION}: access denied (AccessDeniedException)`,
            ]);
            assert.equal(inventory.ofKind("api-key").length, 4);
            assert.equal(statusOf(inventory, "apigateway-api-key-unused", `${ARN}/apikeys/keyloose`), "unknown");
        });
    });

    describe("slow responses and broken endpoints", () => {
        it("waits for a slow endpoint within the request timeout", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, { latencyMs: 150 });
            const { inventory } = await auditFake(fake);
            assert.deepEqual(inventory.gaps, []);
        });

        it("reports a call that never answers in time as a gap, after bounded retries", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, { slow: [{ path: /^\/domainnames$/, ms: 2_000 }] });
            const { inventory } = await auditFake(fake, { requestTimeoutMs: 200 });
            assert.deepEqual(inventory.gaps.map(g => g.message), [`could not list the custom domain names in ${REGION}: no complete answer within the request timeout, after retries`]);
            assert.equal(fake.count(/^\/domainnames$/), FAST_RETRY.maxNetworkAttempts);
        });

        it("stops with one AuditError when the endpoint refuses connections", async () => {
            const port = await closedPort();
            await assert.rejects(
                auditAccount({ regions: [REGION], endpointUrl: `http://127.0.0.1:${port}`, credentials: CREDENTIALS, unusedDays: 30, now: NOW, retry: FAST_RETRY }),
                (error: unknown) => error instanceof AuditError && error.reason === "network" &&
                    error.message === `cannot reach API Gateway at http://127.0.0.1:${port}: connection refused`,
            );
        });

        it("stops with one AuditError when AWS rejects the credentials", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, { rejectAccessKeyIds: [CREDENTIALS.accessKeyId] });
            await assert.rejects(auditFake(fake), (error: unknown) => error instanceof AuditError && error.reason === "credentials" &&
                /AWS rejected the credentials \(UnrecognizedClientException, HTTP 403\) in region us-east-1/.test(error.message));
            assert.equal(fake.requests.length, 1, "no point going on");
        });

        it("stops a listing whose position never ends at the page bound and reports it", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, { endlessPositions: true, maxPageSize: 500 });
            const { inventory } = await auditFake(fake, { maxPages: 5 });
            assert.ok(inventory.gaps.some(g => /^the listing of the API keys in us-east-1 was cut short \(stopped after 5 pages\); the rest was not audited$/.test(g.message)));
            assert.ok(fake.count(/^\/apikeys$/) <= 5);
        });
    });

    describe("key values", () => {
        it("refuses options that would read key values", async () => {
            const options = { regions: [REGION], unusedDays: 30, now: NOW, includeValues: true } as unknown as AuditOptions;
            await assert.rejects(auditAccount(options), (error: unknown) => error instanceof AuditError && error.reason === "refused");
        });

        it("never lets a request for key values leave the client", async () => {
            fake = await startFake({ [REGION]: smallAccount() });
            const client: APIGatewayClient = createApiGatewayClient({ region: REGION, endpointUrl: fake.url, credentials: CREDENTIALS, counters: { throttled: 0, retried: 0, exhausted: 0 } });
            try {
                await assert.rejects(client.send(new GetApiKeysCommand({ includeValues: true })), (error: unknown) => error instanceof AuditError && error.reason === "refused");
                const page = await client.send(new GetApiKeysCommand({ includeValues: false }));
                assert.ok((page.items ?? []).every(key => key.value === undefined));
            } finally {
                client.destroy();
            }
            assert.equal(fake.count(/^\/apikeys$/), 1, "only the includeValues=false request reached the server");
        });

        it("never outputs a key value, though AWS sends them with usage-plan keys", async () => {
            const account = smallAccount();
            const planted = account.apiKeys.map(key => key.value);
            fake = await startFake({ [REGION]: account });
            const { inventory } = await auditFake(fake);
            // The fake, like AWS, did put the values of attached keys on the wire...
            assert.ok(fake.sentBodies.some(body => body.includes(planted[0])), "precondition: the values were sent");
            // ...and none of them made it into anything the audit produces.
            const findings = findingsOf(inventory);
            const report = buildReport({
                tool: { name: "apigw-guard", version: "0.0.0" }, generatedAt: NOW, failOn: "mandatory",
                inputs: [{ file: "aws:us-east-1", kind: "aws-account", findings, entities: inventory.size, gaps: inventory.gaps }],
                rules: reportRules(RULES, () => "mandatory"),
            });
            const outputs = [
                JSON.stringify([...inventory.all()]),
                JSON.stringify(inventory.gaps),
                JSON.stringify(findings),
                createReporter("json").render(report),
                createReporter("text", { showPasses: true }).render(report),
            ];
            assert.equal(planted.length, 4);
            for (const value of planted) {
                for (const output of outputs) {
                    assert.ok(!output.includes(value), "a planted key value leaked");
                }
            }
            assertNoLeak("the audit's outputs", outputs, planted);
        });
    });
});

/** A port on 127.0.0.1 nothing listens on. */
async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>(resolve => server.close(() => resolve()));
    return port;
}

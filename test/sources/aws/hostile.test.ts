import assert from "node:assert/strict";
import { runRules } from "apigw-guard/policies/engine/run";
import { Inventory } from "apigw-guard/policies/model/index";
import { RULES } from "apigw-guard/policies/rules/index";
import { DEFAULT_MAX_PAGES } from "../../../sources/aws/audit";
import { FakeApiGateway, HostileAnswer } from "../../../testkit/fake-apigateway";
import { assertNoKeyValueRequested, auditFake, FAST_RETRY, NOW, REGION, smallAccount, startFake } from "./support";

/**
 * The audit against an endpoint that does not behave like API Gateway (issue 15: items 5, 8, 14
 * and the all-500 case). Each case runs the real SDK client against the local fake, with short
 * deadlines passed as options: no test waits for a real 30-second timeout.
 */

const ARN = `arn:aws:apigateway:${REGION}::`;

function findings(inventory: Inventory) {
    return runRules(inventory, RULES, { now: NOW }).findings;
}

/** Each finding on `ref`, as `rule: status`. */
function verdicts(inventory: Inventory, ref: string): Record<string, string> {
    return Object.fromEntries(findings(inventory).filter(f => f.entity?.ref === ref).map(f => [f.ruleId, f.status]));
}

function hostile(path: RegExp, answer: HostileAnswer) {
    return { hostile: [{ path, answer }] };
}

const body = (text: string): HostileAnswer => ({ kind: "body", body: text });

describe("aws audit: a hostile or broken endpoint", function () {
    this.timeout(30_000);
    let fake: FakeApiGateway | undefined;
    afterEach(async () => {
        if (fake) {
            assertNoKeyValueRequested(fake);
            await fake.stop();
            fake = undefined;
        }
    });

    // These end in about a second each once bounded; unbounded, they ran for minutes or forever.
    // The suite's timeout is the hang guard: no test here asserts a duration (speed targets live
    // in the benchmarks); they assert what ended them (attempt counts, the gap that says why).
    describe("bounds: every request, listing and run ends", () => {
        it("ends a body sent a byte at a time at the request timeout, which counts the whole response", async () => {
            // ~100 bytes at one per 100 ms: ten seconds per attempt if only idle time counted.
            fake = await startFake({ [REGION]: smallAccount() }, hostile(/^\/domainnames$/, { kind: "trickle", intervalMs: 100 }));
            const { inventory } = await auditFake(fake, { requestTimeoutMs: 400 });
            assert.deepEqual(inventory.gaps.map(g => g.message), [
                `could not list the custom domain names in ${REGION}: no complete answer within the request timeout, after retries`,
            ]);
            assert.equal(fake.count(/^\/domainnames$/), FAST_RETRY.maxNetworkAttempts, "a timed-out attempt is retried, boundedly");
            assert.deepEqual(verdicts(inventory, `${ARN}/domainnames#unreadable`), { "apigateway-domain-tls12": "unknown" });
        });

        it("ends an endpoint that accepts and never answers at the audit's time limit, with nothing read", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, hostile(/./, { kind: "silent" }));
            const { inventory, stats } = await auditFake(fake, { requestTimeoutMs: 60_000, timeoutMs: 1_000 });
            assert.equal(stats.timedOut, true);
            assert.equal(stats.entitiesRead, 0);
            assert.equal(inventory.gaps[0].message,
                "the audit's time limit (1 s) ran out: what was not read by then is listed as not read, and the rules that needed it report unknown");
            assert.ok(inventory.gaps.some(g => g.message === `could not list the REST APIs in ${REGION}: not read: the audit's time limit (--timeout) ran out`));
            assert.equal(fake.requests.length, 1, "the first listing was abandoned at the limit; no call was sent after it");
        });

        it("cuts a listing that never ends after maxPages, names it and the page count, and judges its keys unknown", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, hostile(/^\/apikeys$/, { kind: "endless", perPage: 50 }));
            const { inventory } = await auditFake(fake, { maxPages: 10 });
            assert.equal(fake.count(/^\/apikeys$/), 10);
            assert.deepEqual(inventory.gaps.map(g => g.message), [
                `the listing of the API keys in ${REGION} was cut short (stopped after 10 pages); the rest was not audited`,
            ]);
            assert.equal(inventory.ofKind("api-key").length, 10 * 50 + 1, "the keys read, and one that stands for the rest");
            const rest = verdicts(inventory, `${ARN}/apikeys#cut-short`);
            assert.equal(rest["apigateway-api-key-max-age"], "unknown");
            assert.equal(rest["apigateway-api-key-unused"], "unknown");
        });

        it(`stops an endless listing at ${DEFAULT_MAX_PAGES} pages by default`, async function () {
            this.timeout(60_000);
            fake = await startFake({ [REGION]: smallAccount() }, hostile(/^\/domainnames$/, { kind: "endless", perPage: 1 }));
            const { inventory } = await auditFake(fake);
            assert.equal(DEFAULT_MAX_PAGES, 1_000);
            assert.equal(fake.count(/^\/domainnames$/), 1_000);
            assert.ok(inventory.gaps.some(g => g.message === `the listing of the custom domain names in ${REGION} was cut short (stopped after 1000 pages); the rest was not audited`));
        });

        it("keeps only what the Inventory needs: pages already read hold no filler", async function () {
            this.timeout(60_000);
            // 60 pages × 50 domain names × 2 fields of 20 kB: 120 MB of filler the SDK keeps in each
            // item. What the Inventory holds is checked by walking it (a heap measurement would be
            // a memory target, which belongs in the benchmarks): no string of the filler's size.
            fake = await startFake({ [REGION]: smallAccount() }, { forgetBodies: true, ...hostile(/^\/domainnames$/, { kind: "endless", perPage: 50, padBytes: 20_000 }) });
            const { inventory } = await auditFake(fake, { maxPages: 60 });
            const domains = inventory.ofKind("domain-name");
            assert.equal(domains.length, 60 * 50 + 1);
            assert.ok(longestString(domains) < 1_000, `an entity holds a string of ${longestString(domains)} characters`);
        });

        it("refuses a response larger than the size cap without reading the rest", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, hostile(/^\/apikeys$/, { kind: "endless", perPage: 40, padBytes: 1_000 }));
            const { inventory } = await auditFake(fake, { maxResponseBytes: 16 * 1024 });
            assert.deepEqual(inventory.gaps.map(g => g.message), [`could not list the API keys in ${REGION}: the response was larger than 16 KiB and was not read`]);
        });
    });

    describe("null and malformed items", () => {
        const cases: Array<{ path: RegExp; gap: string; scope: string; unknownRules: string[] }> = [
            {
                path: /^\/restapis$/,
                gap: `1 malformed item(s) in the REST APIs in ${REGION} were not audited (item 1: it is null, not an object)`,
                scope: `${ARN}/restapis#malformed`,
                unknownRules: ["apigateway-rest-api-key-source-header"],
            },
            {
                path: /^\/usageplans$/,
                gap: `1 malformed item(s) in the usage plans in ${REGION} were not audited (item 1: it is null, not an object)`,
                scope: `${ARN}/usageplans#malformed`,
                unknownRules: ["apigateway-usage-plan-limits"],
            },
            {
                path: /^\/domainnames$/,
                gap: `1 malformed item(s) in the custom domain names in ${REGION} were not audited (item 1: it is null, not an object)`,
                scope: `${ARN}/domainnames#malformed`,
                unknownRules: ["apigateway-domain-tls12"],
            },
            {
                path: /^\/apikeys$/,
                gap: `1 malformed item(s) in the API keys in ${REGION} were not audited (item 1: it is null, not an object)`,
                scope: `${ARN}/apikeys#malformed`,
                unknownRules: ["apigateway-api-key-max-age", "apigateway-api-key-unused", "apigateway-api-key-value-secret"],
            },
            {
                path: /^\/restapis\/api111\/resources$/,
                gap: "1 malformed item(s) in the resources and methods of REST API 'orders' (api111) were not audited (item 1: it is null, not an object)",
                scope: `${ARN}/restapis/api111/resources#malformed`,
                unknownRules: ["apigateway-method-api-key-required", "apigateway-method-authorizer"],
            },
            {
                path: /^\/restapis\/api111\/stages$/,
                gap: "1 malformed item(s) in the stages of REST API 'orders' (api111) were not audited (item 1: it is null, not an object)",
                scope: `${ARN}/restapis/api111/stages#malformed`,
                unknownRules: ["apigateway-stage-access-logging", "apigateway-stage-execution-logging", "apigateway-stage-xray-tracing", "apigateway-stage-waf"],
            },
            {
                path: /^\/usageplans\/plan1\/keys$/,
                gap: "1 malformed item(s) in the keys of usage plan 'standard' (plan1) were not audited (item 1: it is null, not an object)",
                scope: `${ARN}/usageplans/plan1/keys#malformed`,
                unknownRules: [],
            },
        ];
        for (const { path, gap, scope, unknownRules } of cases) {
            it(`reports a null item of ${path.source} as a gap, and the rules over it as unknown`, async () => {
                fake = await startFake({ [REGION]: smallAccount() }, hostile(path, body(`{"item":[null]}`)));
                const { inventory } = await auditFake(fake);
                assert.deepEqual(inventory.gaps.map(g => g.message), [gap]);
                assert.ok(inventory.get(scope), `a placeholder stands for the malformed item: ${scope}`);
                const got = verdicts(inventory, scope);
                for (const rule of unknownRules) {
                    assert.equal(got[rule], "unknown", rule);
                }
                assert.ok(!Object.values(got).includes("fail") && !Object.values(got).includes("pass"), JSON.stringify(got));
            });
        }

        it("keeps a plan's other keys from looking unattached when one of its key items is malformed", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, hostile(/^\/usageplans\/plan1\/keys$/, body(`{"item":[{"id":7,"value":"x"}]}`)));
            const { inventory } = await auditFake(fake);
            assert.deepEqual(inventory.gaps.map(g => g.message), ["1 malformed item(s) in the keys of usage plan 'standard' (plan1) were not audited (item 1: its id is a number, not a string)"]);
            assert.equal(verdicts(inventory, `${ARN}/apikeys/keyloose`)["apigateway-api-key-unused"], "unknown", "keyloose may be the key that was not readable");
        });

        it("reads a stage whose fields have the wrong types: those fields are unknown, the rest is judged", async () => {
            const stage = { stageName: "prod", accessLogSettings: 5, tracingEnabled: "yes", methodSettings: { "*/*": null }, webAclArn: "arn:aws:wafv2:us-east-1:1:regional/webacl/a/1" };
            fake = await startFake({ [REGION]: smallAccount() }, hostile(/^\/restapis\/api111\/stages$/, body(JSON.stringify({ item: [stage] }))));
            const { inventory } = await auditFake(fake);
            assert.deepEqual(inventory.gaps, []);
            const got = verdicts(inventory, `${ARN}/restapis/api111/stages/prod`);
            assert.equal(got["apigateway-stage-access-logging"], "unknown");
            assert.equal(got["apigateway-stage-xray-tracing"], "unknown");
            assert.equal(got["apigateway-stage-execution-logging"], "unknown");
            assert.equal(got["apigateway-stage-waf"], "pass");
            const message = findings(inventory).find(f => f.ruleId === "apigateway-stage-xray-tracing" && f.entity?.ref === `${ARN}/restapis/api111/stages/prod`)?.message;
            assert.match(message ?? "", /the response gave a string for tracingEnabled, not true or false/);
        });

        it("judges a method whose apiKeyRequired is not a boolean as unknown, and reads a null method as a gap", async () => {
            const resource = { id: "res1", path: "/orders", resourceMethods: { GET: null, POST: { httpMethod: "POST", apiKeyRequired: "no", authorizationType: "NONE" } } };
            fake = await startFake({ [REGION]: smallAccount() }, hostile(/^\/restapis\/api111\/resources$/, body(JSON.stringify({ item: [resource] }))));
            const { inventory } = await auditFake(fake);
            assert.deepEqual(inventory.gaps.map(g => g.message), ["could not read method orders GET /orders: malformed response: it is null, not an object"]);
            assert.equal(verdicts(inventory, `${ARN}/restapis/api111/resources/res1/methods/POST`)["apigateway-method-api-key-required"], "unknown");
            assert.equal(verdicts(inventory, `${ARN}/restapis/api111/resources/res1/methods/GET`)["apigateway-method-api-key-required"], "unknown");
        });
    });

    describe("reads that fail: the rules that needed them report unknown for that scope", () => {
        it("a denied REST API listing: method, API and stage rules are unknown for the region's APIs", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, { deny: [/^\/restapis$/] });
            const { inventory } = await auditFake(fake);
            assert.deepEqual(inventory.gaps.map(g => g.message), [`could not list the REST APIs in ${REGION}: access denied (AccessDeniedException)`]);
            assert.equal(verdicts(inventory, `${ARN}/restapis#unreadable/methods`)["apigateway-method-api-key-required"], "unknown");
            assert.equal(verdicts(inventory, `${ARN}/restapis#unreadable`)["apigateway-rest-api-key-source-header"], "unknown");
            assert.equal(verdicts(inventory, `${ARN}/restapis#unreadable/stages`)["apigateway-stage-access-logging"], "unknown");
            const unknowns = findings(inventory).filter(f => f.status === "unknown").length;
            assert.ok(unknowns >= 8, `${unknowns} unknown`);
        });

        it("usage plans that are not JSON: usage-plan rules and every key's unused check are unknown", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, hostile(/^\/usageplans$/, body("{not json")));
            const { inventory } = await auditFake(fake);
            assert.deepEqual(inventory.gaps.map(g => g.message), [`could not list the usage plans in ${REGION}: malformed response (SyntaxError)`]);
            assert.equal(verdicts(inventory, `${ARN}/usageplans#unreadable`)["apigateway-usage-plan-limits"], "unknown");
            for (const id of ["keyidle", "keyloose", "keyused"]) {
                assert.equal(verdicts(inventory, `${ARN}/apikeys/${id}`)["apigateway-api-key-unused"], "unknown", id);
            }
        });

        it("a key listing whose item list is not a list: one gap, and the key rules are unknown for the region's keys", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, hostile(/^\/apikeys$/, body(`{"item":"not a list"}`)));
            const { inventory } = await auditFake(fake);
            assert.equal(inventory.gaps.length, 1);
            assert.match(inventory.gaps[0].message, new RegExp(`^could not list the API keys in ${REGION}: malformed response`));
            assert.equal(verdicts(inventory, `${ARN}/apikeys#unreadable`)["apigateway-api-key-max-age"], "unknown");
        });

        it("a key whose id is not a string is a malformed item, not a key with a numeric ARN", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, hostile(/^\/apikeys$/, body(`{"item":[{"id":5,"name":"five","enabled":true}]}`)));
            const { inventory } = await auditFake(fake);
            assert.deepEqual(inventory.gaps.map(g => g.message), [`1 malformed item(s) in the API keys in ${REGION} were not audited (item 1: its id is a number, not a string)`]);
            assert.equal(inventory.get(`${ARN}/apikeys/5`), undefined);
        });

        it("ends an all-500 account quickly, calling the errors server errors", async () => {
            fake = await startFake({ [REGION]: smallAccount() }, hostile(/./, { kind: "server-error" }));
            // The default retry policy, as a user runs it.
            const { inventory, stats } = await auditFake(fake, { retry: {} });
            assert.equal(fake.requests.length, 5 * 3, "five listings, three attempts each");
            assert.deepEqual(stats.failures, { server: 5 });
            assert.equal(stats.entitiesRead, 0);
            assert.ok(inventory.gaps.every(g => /: server error \(InternalFailure, HTTP 500\) after retries$/.test(g.message)), JSON.stringify(inventory.gaps));
        });
    });
});

/** The longest string anywhere in a value (objects and arrays walked, each once). */
function longestString(value: unknown, seen: Set<object> = new Set()): number {
    if (typeof value === "string") {
        return value.length;
    }
    if (typeof value !== "object" || value === null || seen.has(value)) {
        return 0;
    }
    seen.add(value);
    let longest = 0;
    for (const item of Object.values(value as Record<string, unknown>)) {
        longest = Math.max(longest, longestString(item, seen));
    }
    return longest;
}

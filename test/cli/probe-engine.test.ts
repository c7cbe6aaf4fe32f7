import assert from "node:assert/strict";
import { Finding } from "apigw-guard/policies/engine/run";
import { assertNoLeak } from "../../testkit/leaks";
import { probe, ProbeOptions, SentRequest } from "../../cli/probe/engine";
import { ProbeRoute } from "../../cli/probe/routes";
import { BACKEND, CORS_PREFLIGHT, KEY_ENFORCED, PUBLIC_OPEN } from "../../cli/probe/rules";
import { closedPort, FakeStage } from "../../testkit/fake-stage";

/** Planted: a test fails if this value shows up anywhere the probe writes. */
// Random-looking after the prefix: "probe-key" would be a fragment of rule ids the findings carry.
const VALID_KEY = "PLANTED-Zq4Wm8RkT1vYb6NsX3mHc9JpL2dFg";
/** How long the fake stage's /slow takes: far beyond any timeout the tests use. */
const SLOW_MS = 20_000;

function summary(findings: readonly Finding[]): string[] {
    return findings.map(f => `${f.ruleId} ${f.status} ${f.entity?.name ?? ""}`);
}

function only(findings: readonly Finding[], ruleId: string, name: string): Finding[] {
    return findings.filter(f => f.ruleId === ruleId && f.entity?.name === name);
}

describe("probe engine against a fake API Gateway stage", function () {
    this.timeout(30_000);
    let stage: FakeStage;
    let url: string;
    const sent: SentRequest[] = [];

    beforeEach(async () => {
        stage = new FakeStage({ validKey: VALID_KEY, slowMs: SLOW_MS });
        url = await stage.start();
        sent.length = 0;
    });

    afterEach(async () => {
        await stage.close();
    });

    function run(routes: readonly ProbeRoute[], extra: Partial<ProbeOptions> = {}): Promise<Finding[]> {
        return probe({ url, routes, key: VALID_KEY, ratePerSecond: 100, timeoutMs: 2000, onRequest: r => sent.push(r), ...extra });
    }

    it("passes keyed routes that refuse no key and a wrong key and accept the valid one", async () => {
        const findings = await run([{ path: "/orders", methods: ["GET"], keyRequired: true }]);
        assert.deepEqual(summary(findings), [
            `${KEY_ENFORCED.id} pass GET /orders`,
            `${KEY_ENFORCED.id} pass GET /orders`,
            `${KEY_ENFORCED.id} pass GET /orders`,
            `${BACKEND.id} pass GET /orders`,
            `${CORS_PREFLIGHT.id} not-applicable OPTIONS /orders`,
        ]);
        assert.deepEqual(stage.requestsTo("/orders").map(r => `${r.method} ${r.key}`), ["GET none", "GET wrong", "GET valid"]);
        const [noKey, wrongKey, validKey] = findings;
        assert.match(noKey.message, /^GET \/v1\/orders without a key: refused with 403 \{"message":"Forbidden"\}$/);
        assert.match(wrongKey.message, /with a wrong key: refused with 403/);
        assert.match(validKey.message, /with the valid key: accepted: answered 200/);
        for (const f of findings) {
            assert.equal(f.entity?.kind, "method");
            assert.equal(f.entity?.provenance.source, "aws");
            assert.ok(f.entity?.ref.startsWith("GET http://127.0.0.1:") || f.entity?.ref.startsWith("OPTIONS http://127.0.0.1:"), f.entity?.ref);
        }
    });

    it("reports a route that accepts calls without a key as a mandatory failure", async () => {
        const findings = await run([{ path: "/open-orders", methods: ["GET"], keyRequired: true }]);
        const failures = findings.filter(f => f.status === "fail");
        assert.equal(failures.length, 2, "no key and wrong key both got through");
        for (const f of failures) {
            assert.equal(f.ruleId, KEY_ENFORCED.id);
            assert.equal(f.enforcementLevel, "mandatory");
            assert.match(f.message, /answered 200 instead of 403/);
        }
    });

    it("reports a failing backend (502) as a backend finding, not a key failure", async () => {
        const findings = await run([{ path: "/broken", methods: ["GET"], keyRequired: true }]);
        assert.deepEqual(findings.filter(f => f.status === "fail").map(f => `${f.ruleId} ${f.enforcementLevel}`), [`${BACKEND.id} advisory`]);
        const broken = only(findings, KEY_ENFORCED.id, "GET /broken");
        assert.equal(broken.length > 0 && broken.every(f => f.status === "pass"), true);
        assert.match(only(findings, BACKEND.id, "GET /broken")[0].message, /answered 502/);
    });

    it("expects public routes open and CORS preflights answered without a key", async () => {
        const findings = await run([
            { path: "/health", methods: ["GET"], keyRequired: false },
            { path: "/orders", methods: ["GET"], keyRequired: true },
        ], { corsEnabled: true });
        assert.deepEqual(only(findings, PUBLIC_OPEN.id, "GET /health").map(f => f.status), ["pass"]);
        assert.deepEqual(findings.filter(f => f.ruleId === CORS_PREFLIGHT.id).map(f => `${f.status} ${f.entity?.name}`), ["pass OPTIONS /health", "pass OPTIONS /orders"]);
        const preflights = stage.requests.filter(r => r.method === "OPTIONS");
        assert.equal(preflights.length, 2);
        assert.ok(preflights.length > 0 && preflights.every(r => r.key === "none"), "a preflight never carries a key");
    });

    it("reports a public route that refuses calls", async () => {
        const findings = await run([{ path: "/orders", methods: ["GET"], keyRequired: false }]);
        const [open] = only(findings, PUBLIC_OPEN.id, "GET /orders");
        assert.equal(open.status, "fail");
        assert.match(open.message, /refused with 403/);
    });

    it("does not follow redirects: a 302 without a key is the answer", async () => {
        const findings = await run([{ path: "/moved", methods: ["GET"], keyRequired: true }]);
        assert.equal(stage.requestsTo("/health").length, 0, "the redirect target was requested");
        const failures = findings.filter(f => f.status === "fail");
        assert.equal(failures.length, 2);
        assert.match(failures[0].message, /answered 302 \(redirect not followed\)/);
    });

    it("sends only GET, HEAD and OPTIONS by default; other methods need --methods", async () => {
        const routes: ProbeRoute[] = [{ path: "/orders", methods: ["GET", "POST", "DELETE"], keyRequired: true }, { path: "/health", methods: ["ANY"], keyRequired: false }];
        const findings = await run(routes, { corsEnabled: true });
        const methodsSent = new Set(stage.requests.map(r => r.method));
        assert.deepEqual([...methodsSent].sort(), ["GET", "HEAD", "OPTIONS"]);
        assert.deepEqual(findings.filter(f => f.status === "not-applicable").map(f => f.entity?.name).sort(), ["DELETE /orders", "POST /orders"]);
        assert.match(findings.find(f => f.entity?.name === "POST /orders")?.message ?? "", /not sent; .*allow POST with --methods/);

        stage.requests.length = 0;
        await run(routes, { methods: ["GET", "POST"] });
        assert.deepEqual(stage.requestsTo("/orders").map(r => `${r.method} ${r.key}`), ["GET none", "GET wrong", "GET valid", "POST none", "POST wrong", "POST valid"]);
        assert.ok(!stage.requests.some(r => r.method === "DELETE"));
    });

    it("fills path parameters from the routes, else skips the route with a note", async () => {
        const findings = await run([
            { path: "/orders/{id}", methods: ["GET"], keyRequired: true, params: { id: "o 1" } },
            { path: "/{proxy+}", methods: ["ANY"], keyRequired: true },
        ], { corsEnabled: true });
        assert.deepEqual(stage.requests.map(r => `${r.method} ${r.path}`).slice(0, 3), ["GET /v1/orders/o%201", "GET /v1/orders/o%201", "GET /v1/orders/o%201"]);
        const skipped = findings.filter(f => f.entity?.name.endsWith("/{proxy+}"));
        assert.deepEqual(skipped.map(f => `${f.ruleId} ${f.status} ${f.entity?.name}`), [
            `${KEY_ENFORCED.id} not-applicable GET /{proxy+}`,
            `${KEY_ENFORCED.id} not-applicable HEAD /{proxy+}`,
            `${CORS_PREFLIGHT.id} not-applicable OPTIONS /{proxy+}`,
        ]);
        assert.match(skipped[0].message, /no value for the path parameter \{proxy\}.*--param proxy=VALUE/);
        assert.ok(!stage.requests.some(r => r.path.includes("{")), "a template was sent");

        stage.requests.length = 0;
        await run([{ path: "/{proxy+}", methods: ["GET"], keyRequired: true }], { params: { proxy: "orders/42" } });
        assert.deepEqual(stage.requests.map(r => r.path), ["/v1/orders/42", "/v1/orders/42", "/v1/orders/42"]);
    });

    it("probes a route and method once, however often the routes list it", async () => {
        await run([
            { path: "/orders", methods: ["GET", "ANY"], keyRequired: true },
            { path: "/orders", methods: ["GET"], keyRequired: true },
        ], { corsEnabled: false, methods: ["GET"] });
        assert.deepEqual(stage.requests.map(r => `${r.method} ${r.key}`), ["GET none", "GET wrong", "GET valid"]);
    });

    it("without a key, reports the valid-key check as not applicable", async () => {
        const findings = await probe({ url, routes: [{ path: "/orders", methods: ["GET"], keyRequired: true }], ratePerSecond: 100, timeoutMs: 2000, corsEnabled: false });
        assert.deepEqual(summary(findings), [
            `${KEY_ENFORCED.id} pass GET /orders`,
            `${KEY_ENFORCED.id} pass GET /orders`,
            `${KEY_ENFORCED.id} not-applicable GET /orders`,
        ]);
        assert.match(findings[2].message, /no key was given/);
        assert.ok(!stage.requests.some(r => r.key === "valid"));
    });

    it("turns a timeout into an unknown finding with the reason", async () => {
        const started = Date.now();
        const findings = await run([{ path: "/slow", methods: ["GET"], keyRequired: true }], { timeoutMs: 200, corsEnabled: false });
        const slow = findings.filter(f => f.status === "unknown");
        assert.equal(slow.length, 1, "only the valid-key call reaches the slow backend");
        assert.equal(slow[0].ruleId, KEY_ENFORCED.id);
        assert.equal(slow[0].enforcementLevel, "advisory");
        assert.match(slow[0].message, /with the valid key: timed out after 200 ms$/);
        assert.ok(Date.now() - started < SLOW_MS / 2, "the probe waited for the slow answer");
    });

    it("turns a refused connection into unknown findings and stops sending", async () => {
        const port = await closedPort();
        const findings = await probe({
            url: `http://127.0.0.1:${port}/v1`,
            routes: [{ path: "/orders", methods: ["GET"], keyRequired: true }, { path: "/health", methods: ["GET"], keyRequired: false }],
            key: VALID_KEY,
            ratePerSecond: 100,
            timeoutMs: 2000,
            corsEnabled: false,
            onRequest: r => sent.push(r),
        });
        assert.equal(sent.length, 1, "requests kept going to a host that refuses connections");
        assert.ok(findings.length > 0 && findings.every(f => f.status === "unknown"));
        assert.equal(findings.length, 4);
        assert.match(findings[0].message, new RegExp(`without a key: connection refused by 127\\.0\\.0\\.1:${port}$`));
        assert.match(findings[1].message, /not sent, an earlier request failed: connection refused/);
    });

    it("proves a keyed route behind an authorizer only with the authorizer's token", async () => {
        const routes: ProbeRoute[] = [{ path: "/authorized", methods: ["GET"], keyRequired: true }];
        const without = await run(routes, { corsEnabled: false });
        assert.ok(without.every(f => f.status === "unknown"), summary(without).join("\n"));
        assert.match(without[0].message, /--authorization-env/);
        const withToken = await run(routes, { corsEnabled: false, authorization: "Bearer good-token" });
        assert.deepEqual(withToken.map(f => f.status), ["pass", "pass", "pass", "pass"]);
    });

    it("keeps to the rate: no more than the rate's requests start in any second", async () => {
        const rate = 10;
        const starts: number[] = [];
        const routes: ProbeRoute[] = [
            { path: "/orders", methods: ["GET", "HEAD"], keyRequired: true },
            { path: "/health", methods: ["GET", "HEAD"], keyRequired: false },
            { path: "/broken", methods: ["GET"], keyRequired: true },
        ];
        await probe({ url, routes, key: VALID_KEY, ratePerSecond: rate, timeoutMs: 2000, corsEnabled: true, onRequest: () => starts.push(Date.now()) });
        // /orders: 2 methods × 3 checks; /health: 2; /broken: 3; a preflight per path: 3.
        assert.equal(starts.length, 14);
        assert.equal(stage.requests.length, 14);
        // Lower bounds only (a slow machine only spreads requests further): at most `rate` starts
        // in any one-second window, one more allowed for timer rounding.
        for (let i = 0; i < starts.length; i++) {
            const inWindow = starts.filter(t => t >= starts[i] && t < starts[i] + 1000).length;
            assert.ok(inWindow <= rate + 1, `${inWindow} requests started within one second at ${rate}/s`);
        }
        assert.ok(starts[starts.length - 1] - starts[0] >= (starts.length - 1) * (1000 / rate) - starts.length * 2, "requests were not spaced");
    });

    it("never puts the key in a finding, even when the backend echoes it back", async () => {
        const findings = await run([
            { path: "/echo", methods: ["GET"], keyRequired: true },
            { path: "/orders", methods: ["GET"], keyRequired: true },
        ], { corsEnabled: true });
        assert.ok(stage.requests.some(r => r.key === "valid"), "the valid key was never sent");
        assert.ok(!JSON.stringify(findings).includes(VALID_KEY));
        assert.ok(!JSON.stringify(sent).includes(VALID_KEY), "onRequest saw the key");
        assertNoLeak("the probe", { findings: JSON.stringify(findings), requests: JSON.stringify(sent) }, VALID_KEY);
    });

    it("refuses bad input before sending anything", async () => {
        await assert.rejects(run([{ path: "/orders", methods: ["GET"], keyRequired: true }], { url: "ftp://127.0.0.1/v1" }), /https:\/\/ or http:\/\//);
        await assert.rejects(run([{ path: "/orders", methods: ["GET"], keyRequired: true }], { methods: ["GET", "BREW"] }), /'BREW' is not a method/);
        assert.equal(stage.requests.length, 0);
    });
});

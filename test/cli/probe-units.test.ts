import assert from "node:assert/strict";
import { assertNoLeak } from "../../testkit/leaks";
import { describeAnswer, judgeAnswer, isMissingKeyAnswer } from "../../cli/probe/answers";
import { fillPath, parseInvokeUrl } from "../../cli/probe/engine";
import { ProbeAnswer } from "../../cli/probe/http";
import { Clock, parseRate, RateLimiter } from "../../cli/probe/rate-limit";
import { REDACTED, redactSecrets } from "../../cli/probe/redact";
import { parseRoutesFile, parseStackOutputs, pathParameters, ProbeInputError } from "../../cli/probe/routes";
import { BACKEND, CORS_PREFLIGHT, KEY_ENFORCED, PROBE_RULES, PUBLIC_OPEN } from "../../cli/probe/rules";
import { RULES } from "apigw-guard/policies/rules/index";

function answer(status: number, body: unknown = "", headers: Record<string, string> = {}): ProbeAnswer {
    return { status, headers, body: typeof body === "string" ? body : JSON.stringify(body) };
}

const FORBIDDEN = answer(403, { message: "Forbidden" }, { "x-amzn-errortype": "ForbiddenException" });
const MISSING_ROUTE = answer(403, { message: "Missing Authentication Token" }, { "x-amzn-errortype": "MissingAuthenticationTokenException" });

function verdicts(kind: Parameters<typeof judgeAnswer>[0], a: ProbeAnswer): string[] {
    return judgeAnswer(kind, "GET /v1/orders", a).map(v => `${v.rule.id} ${v.status}`);
}

describe("probe rules", () => {
    it("have their own ids, outside the static catalogue", () => {
        const catalogue = new Set(RULES.map(rule => rule.id));
        for (const rule of PROBE_RULES) {
            assert.match(rule.id, /^apigateway-probe-[a-z-]+$/);
            assert.ok(!catalogue.has(rule.id), `${rule.id} is also a catalogue rule`);
            assert.ok(rule.title.length > 0 && rule.remediation.length > 0 && rule.description.length > 0);
        }
        assert.equal(KEY_ENFORCED.enforcementLevel, "mandatory");
        assert.equal(BACKEND.enforcementLevel, "advisory");
    });
});

describe("probe answers", () => {
    it("recognises API Gateway's missing-key answer, with or without the error-type header", () => {
        assert.ok(isMissingKeyAnswer(FORBIDDEN));
        assert.ok(isMissingKeyAnswer(answer(403, "{ \"message\" : \"Forbidden\" }")));
        assert.ok(!isMissingKeyAnswer(answer(403, "<html>403 Forbidden</html>")), "a WAF's HTML page is not the key check");
        assert.ok(!isMissingKeyAnswer(answer(403, { message: "Forbidden" }, { "x-amzn-errortype": "AccessDeniedException" })));
        assert.ok(!isMissingKeyAnswer(MISSING_ROUTE));
        assert.equal(describeAnswer(FORBIDDEN), "403 {\"message\":\"Forbidden\"}");
    });

    it("without a key or with a wrong key: 403 Forbidden passes, an answer past the key check fails", () => {
        for (const kind of ["no-key", "wrong-key"] as const) {
            assert.deepEqual(verdicts(kind, FORBIDDEN), [`${KEY_ENFORCED.id} pass`]);
            for (const status of [200, 204, 302, 404, 405, 502, 504]) {
                assert.deepEqual(verdicts(kind, answer(status)), [`${KEY_ENFORCED.id} fail`], `${kind} ${status}`);
            }
        }
    });

    it("does not count refusals by something other than the key check as proof, nor as failure", () => {
        const notProven = [
            MISSING_ROUTE,
            answer(403, { Message: "User is not authorized to access this resource with an explicit deny" }),
            answer(403, "<html>WAF</html>"),
            answer(401, { message: "Unauthorized" }),
            answer(429, { message: "Too Many Requests" }),
            answer(500, { message: null }, { "x-amzn-errortype": "AuthorizerConfigurationException" }),
        ];
        for (const a of notProven) {
            assert.deepEqual(verdicts("no-key", a), [`${KEY_ENFORCED.id} unknown`], describeAnswer(a));
            assert.deepEqual(verdicts("valid-key", a), [`${KEY_ENFORCED.id} unknown`], describeAnswer(a));
        }
        const missing = judgeAnswer("no-key", "GET /v1/orders", MISSING_ROUTE)[0];
        assert.match(missing.message, /Missing Authentication Token/);
        assert.match(missing.message, /stage/);
    });

    it("with the valid key: 403 Forbidden fails; a 5xx is the backend's failure, not the key's", () => {
        assert.deepEqual(verdicts("valid-key", FORBIDDEN), [`${KEY_ENFORCED.id} fail`]);
        assert.deepEqual(verdicts("valid-key", answer(200)), [`${KEY_ENFORCED.id} pass`, `${BACKEND.id} pass`]);
        assert.deepEqual(verdicts("valid-key", answer(404)), [`${KEY_ENFORCED.id} pass`, `${BACKEND.id} pass`]);
        assert.deepEqual(verdicts("valid-key", answer(502, { message: "Internal server error" })), [`${KEY_ENFORCED.id} pass`, `${BACKEND.id} fail`]);
        assert.deepEqual(verdicts("valid-key", answer(504, { message: "Endpoint request timed out" })), [`${KEY_ENFORCED.id} pass`, `${BACKEND.id} fail`]);
    });

    it("public routes must be open; preflights must not be refused", () => {
        assert.deepEqual(verdicts("public", answer(200)), [`${PUBLIC_OPEN.id} pass`, `${BACKEND.id} pass`]);
        assert.deepEqual(verdicts("public", FORBIDDEN), [`${PUBLIC_OPEN.id} fail`]);
        assert.deepEqual(verdicts("public", answer(401)), [`${PUBLIC_OPEN.id} fail`]);
        assert.deepEqual(verdicts("public", answer(503)), [`${PUBLIC_OPEN.id} pass`, `${BACKEND.id} fail`]);
        assert.deepEqual(verdicts("preflight", answer(200, "", { "access-control-allow-origin": "*" })), [`${CORS_PREFLIGHT.id} pass`]);
        assert.deepEqual(verdicts("preflight", FORBIDDEN), [`${CORS_PREFLIGHT.id} fail`]);
        assert.deepEqual(verdicts("preflight", answer(500)), [`${CORS_PREFLIGHT.id} fail`]);
        assert.deepEqual(verdicts("preflight", answer(429)), [`${CORS_PREFLIGHT.id} unknown`]);
    });

    it("never quotes a body that is not one of API Gateway's own messages", () => {
        const echoed = answer(200, { message: "x-api-key was s3cr3t-value" });
        assert.equal(describeAnswer(echoed), "200");
        const all = ["no-key", "wrong-key", "valid-key", "public", "preflight"] as const;
        for (const kind of all) {
            const verdicts = judgeAnswer(kind, "GET /v1/orders", echoed);
            assert.ok(verdicts.length > 0, `${kind}: judged`);
            for (const v of verdicts) {
                assert.ok(!v.message.includes("s3cr3t"), v.message);
                assertNoLeak(kind, v.message, "s3cr3t-value");
            }
        }
        assert.equal(describeAnswer(answer(302, "", { location: "https://elsewhere.example/?k=s3cr3t" })), "302 (redirect not followed)");
    });
});

describe("probe routes", () => {
    it("reads the documented routes file; routes are keyed unless public", () => {
        const file = parseRoutesFile({
            routes: [
                { path: "/orders/{id}", methods: ["GET"], keyRequired: true, params: { id: "123" } },
                { path: "/health", methods: ["get"], public: true },
                { path: "/orders", methods: ["GET", "POST"] },
            ],
            cors: true,
        });
        assert.equal(file.cors, true);
        assert.deepEqual(file.routes, [
            { path: "/orders/{id}", methods: ["GET"], keyRequired: true, params: { id: "123" } },
            { path: "/health", methods: ["GET"], keyRequired: false },
            { path: "/orders", methods: ["GET", "POST"], keyRequired: true },
        ]);
    });

    it("refuses malformed routes files with a message naming the field", () => {
        const bad: [unknown, RegExp][] = [
            [[], /JSON object/],
            [{ routes: [] }, /"routes" must be a non-empty list/],
            [{ routes: [{ path: "/a", methods: ["GET"] }], extra: 1 }, /unknown field 'extra'/],
            [{ routes: [{ path: "a", methods: ["GET"] }] }, /routes\[0\]\.path: a path must start with '\/'/],
            [{ routes: [{ path: "/{proxy+}/x", methods: ["GET"] }] }, /greedy/],
            [{ routes: [{ path: "/a//b", methods: ["GET"] }] }, /segment 2 is empty/],
            [{ routes: [{ path: "/a", methods: [] }] }, /routes\[0\]\.methods must be a non-empty list/],
            [{ routes: [{ path: "/a", methods: ["FETCH"] }] }, /routes\[0\]\.methods\[0\] must be one of/],
            [{ routes: [{ path: "/a", methods: ["GET"], public: true, keyRequired: true }] }, /contradict/],
            [{ routes: [{ path: "/a", methods: ["GET"], params: { id: "1" } }] }, /has no parameter \{id\}/],
            [{ routes: [{ path: "/a/{id}", methods: ["GET"], params: { id: "../admin" } }] }, /'\.\.'/],
            [{ routes: [{ path: "/a", methods: ["GET"] }, { path: "/a", methods: ["GET"], public: true }] }, /both keyed and public/],
            [{ routes: [{ path: "/a", methods: ["GET"] }], cors: "yes" }, /"cors" must be true or false/],
        ];
        for (const [json, message] of bad) {
            assert.throws(() => parseRoutesFile(json), (error: unknown) => error instanceof ProbeInputError && message.test(error.message), JSON.stringify(json));
        }
    });

    it("parses path parameters, greedy ones last", () => {
        assert.deepEqual(pathParameters("/orders/{id}/items/{proxy+}", "p"), [{ name: "id", greedy: false }, { name: "proxy", greedy: true }]);
        assert.deepEqual(pathParameters("/", "p"), []);
    });

    it("reads SecuredRestApi's stack outputs, top-level or under one output", () => {
        const api = {
            invokeUrl: "https://abc.execute-api.eu-west-1.amazonaws.com/v1",
            keyedRoutes: [{ method: "GET", path: "/orders" }, { method: "POST", path: "/orders" }, { method: "ANY", path: "/{proxy+}" }],
            publicRoutes: [{ method: "GET", path: "/health" }],
            publicPaths: ["/health"],
        };
        const top = parseStackOutputs({ ...api, keyIds: { a: "id" }, nextKeyRotation: "2026-01-01" });
        assert.equal(top.url, api.invokeUrl);
        assert.equal(top.source, ".");
        assert.deepEqual(top.routes, [
            { path: "/orders", methods: ["GET", "POST"], keyRequired: true },
            { path: "/{proxy+}", methods: ["ANY"], keyRequired: true },
            { path: "/health", methods: ["GET"], keyRequired: false },
        ]);
        const nested = parseStackOutputs({ ordersApi: api, other: 1 });
        assert.equal(nested.source, "ordersApi");
        assert.equal(nested.routes.length, 3);
        assert.throws(() => parseStackOutputs({ a: api, b: api }), /several outputs hold routes \(a, b\)/);
        assert.equal(parseStackOutputs({ a: api, b: api }, "b").source, "b");
        assert.throws(() => parseStackOutputs({ invokeUrl: "x" }), /no keyedRoutes or publicRoutes output/);
        assert.throws(() => parseStackOutputs({ keyedRoutes: "[secret]" }), /secret output/);
        assert.throws(() => parseStackOutputs({ keyedRoutes: [], publicRoutes: [] }), /nothing to probe/);
        assert.throws(() => parseStackOutputs({ keyedRoutes: [{ method: "GET" }] }), /keyedRoutes\[0\] must be an object/);
    });
});

describe("probe URLs", () => {
    it("accepts http(s) invoke URLs and refuses anything else", () => {
        assert.equal(parseInvokeUrl("https://abc.execute-api.eu-west-1.amazonaws.com/v1").pathname, "/v1");
        for (const [text, message] of [
            ["not a url", /not a valid absolute URL/],
            ["ftp://example.com/v1", /https:\/\/ or http:\/\//],
            ["https://user:pw@example.com/v1", /credentials/],
            ["https://example.com/v1?x=1", /query string/],
            ["/v1", /not a valid absolute URL/],
        ] as const) {
            assert.throws(() => parseInvokeUrl(text), (error: unknown) => error instanceof ProbeInputError && message.test(error.message), text);
        }
    });

    it("fills path parameters, percent-encoded; a greedy value keeps its slashes", () => {
        assert.equal(fillPath("/orders/{id}", { id: "a b/c" }), "/orders/a%20b%2Fc");
        assert.equal(fillPath("/{proxy+}", { proxy: "legacy/status x" }), "/legacy/status%20x");
        assert.equal(fillPath("/", {}), "/");
    });
});

describe("probe rate limiter", () => {
    class FakeClock implements Clock {
        time = 1_000_000;
        readonly sleeps: number[] = [];
        now(): number {
            return this.time;
        }
        async sleep(ms: number): Promise<void> {
            this.sleeps.push(ms);
            this.time += ms;
        }
    }

    it("spaces starts 1/rate apart, with no burst", async () => {
        const clock = new FakeClock();
        const limiter = new RateLimiter(4, clock);
        const starts: number[] = [];
        for (let i = 0; i < 9; i++) {
            await limiter.acquire();
            starts.push(clock.now());
        }
        assert.deepEqual(starts.map(t => t - starts[0]), [0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000]);
    });

    it("does not wait when the caller is already slower than the rate", async () => {
        const clock = new FakeClock();
        const limiter = new RateLimiter(2, clock);
        await limiter.acquire();
        clock.time += 5000;
        await limiter.acquire();
        assert.deepEqual(clock.sleeps, []);
    });

    it("parses rates", () => {
        assert.equal(parseRate("5/s"), 5);
        assert.equal(parseRate("5"), 5);
        assert.equal(parseRate("120/min"), 2);
        assert.equal(parseRate("0.5/s"), 0.5);
        for (const bad of ["", "0", "-1/s", "5/h", "fast", "5/s/s"]) {
            assert.equal(parseRate(bad), undefined, bad);
        }
        assert.throws(() => new RateLimiter(0));
    });
});

describe("probe redaction", () => {
    it("replaces every secret, as given and percent-encoded", () => {
        const key = "k3y/with+chars";
        assert.equal(redactSecrets(`a ${key} b ${encodeURIComponent(key)}`, [key, undefined, ""]), `a ${REDACTED} b ${REDACTED}`);
    });
});

import assert from "node:assert/strict";
import { RULES } from "apigw-guard/policies/rules/index";
import { TYPES_YIELDING_KIND } from "apigw-guard/policies/sources/pulumi/adapter";
import { assertNoLeak } from "../../../testkit/leaks";
import { Diagnostic, EngineResource, PackProcess, reveal, runLikeEngine, RunResult, secret, unknowns } from "../../../testkit/engine";
import { insecureResources, NOW, PLANTED_KEY_VALUE, SECURE_CONFIG, securePreviewResources, T, urnOf } from "./fixtures";

/** The diagnostics of one policy, mandatory or advisory. */
function of(result: RunResult, policy: string): Diagnostic[] {
    return result.diagnostics.filter(d => d.policyName === policy);
}

/** Every rule fails on the insecure fixture at this URN (a violation, not a "cannot tell yet" note). */
const EXPECTED_VIOLATIONS: Record<string, { urn: string; level: "mandatory" | "advisory"; text: RegExp }> = {
    "apigateway-method-api-key-required": { urn: urnOf(T.method, "get-orders"), level: "mandatory", text: /GET (\/orders|method 'get-orders') can be called without an API key/ },
    "apigateway-rest-api-key-source-header": { urn: urnOf(T.api, "bad-api"), level: "mandatory", text: /AUTHORIZER/ },
    "apigateway-api-key-max-age": { urn: urnOf(T.key, "old-key"), level: "mandatory", text: /old-key|old/ },
    "apigateway-api-key-unused": { urn: urnOf(T.key, "orphan-key"), level: "mandatory", text: /not attached to any usage plan/ },
    "apigateway-stage-access-logging": { urn: urnOf(T.stage, "prod"), level: "mandatory", text: /access log/i },
    "apigateway-stage-execution-logging": { urn: urnOf(T.stage, "prod"), level: "mandatory", text: /method settings|\*\/\*/ },
    "apigateway-account-cloudwatch-role": { urn: urnOf(T.account, "account"), level: "mandatory", text: /CloudWatch role|cloudwatchRoleArn/i },
    "apigateway-usage-plan-limits": { urn: urnOf(T.plan, "plan-a"), level: "mandatory", text: /throttl/i },
    "apigateway-api-key-one-plan-per-stage": { urn: urnOf(T.key, "old-key"), level: "mandatory", text: /plan-a|plan-b|\ba\b/ },
    "apigateway-api-key-value-secret": { urn: urnOf(T.key, "old-key"), level: "mandatory", text: /plain text/i },
    "apigateway-method-authorizer": { urn: urnOf(T.method, "get-orders"), level: "advisory", text: /user/i },
    "apigateway-stage-xray-tracing": { urn: urnOf(T.stage, "prod"), level: "advisory", text: /X-Ray/i },
    "apigateway-stage-cache-encrypted": { urn: urnOf(T.settings, "dev-all"), level: "mandatory", text: /encrypt/i },
    "apigateway-stage-waf": { urn: urnOf(T.stage, "prod"), level: "advisory", text: /WAF|web ACL/i },
    "apigateway-domain-tls12": { urn: urnOf(T.domain, "legacy-domain"), level: "mandatory", text: /TLS/ },
    "apigateway-log-group-retention": { urn: urnOf(T.logGroup, "dev-access"), level: "advisory", text: /retention|7 days/i },
    "apigateway-v2-route-authorization": { urn: urnOf(T.v2Route, "open-route"), level: "mandatory", text: /API keys/ },
};

describe("CrossGuard pack, driven as the Pulumi engine drives it", function () {
    this.timeout(120_000);
    let pack: PackProcess;

    before(async () => {
        pack = await PackProcess.start({ env: { APIGW_GUARD_NOW: NOW } });
    });

    after(async () => {
        await pack?.close();
    });

    it("serves GetAnalyzerInfo: the pack name and every rule as a policy with its level, severity and config schema", async () => {
        const info = await pack.getAnalyzerInfo();
        assert.equal(info.name, "apigw-guard");
        assert.equal(info.supportsConfig, true);
        assert.deepEqual(info.policies.map(p => p.name), RULES.map(r => r.id));
        for (const rule of RULES) {
            const policy = info.policies.find(p => p.name === rule.id)!;
            assert.equal(policy.enforcementLevel, rule.enforcementLevel, rule.id);
            assert.equal(policy.severity, rule.severity, rule.id);
            assert.equal(policy.policyType, rule.scope, rule.id);
            assert.deepEqual(Object.keys(policy.configSchema?.properties ?? {}).sort(), [...Object.keys(rule.configSchema.properties), "waivers"].sort(), rule.id);
        }
        assert.equal(pack.stdout(), "", "nothing but the port on stdout");
    });

    describe("an insecure program (all values known)", () => {
        let result: RunResult;
        before(async () => {
            result = await runLikeEngine(insecureResources(), { pack });
        });

        for (const [policy, expected] of Object.entries(EXPECTED_VIOLATIONS)) {
            it(`${policy}: reports a ${expected.level} violation on the offending resource`, () => {
                const hits = of(result, policy).filter(d => d.urn === expected.urn && d.enforcementLevel === expected.level && !d.message.startsWith("cannot tell yet"));
                assert.ok(hits.length > 0, `no ${expected.level} ${policy} violation on ${expected.urn}; got:\n${of(result, policy).map(d => `${d.enforcementLevel} ${d.urn} ${d.message}`).join("\n")}`);
                assert.ok(hits.some(d => expected.text.test(d.message)), `message of ${policy}: ${hits.map(d => d.message).join(" | ")}`);
            });
        }

        it("tells the engine which resource policies of one type do not apply to a resource, and decides the rest", () => {
            // Rules read from several types (stage rules: REST and HTTP API stages; method and route
            // rules: the Method/Route resources and the APIs whose body defines them) pass over the
            // others silently; only a rule of one type can tell the engine it does not apply.
            const twoTypes = new Set(RULES.filter(rule => new Set(rule.appliesTo.flatMap(kind => TYPES_YIELDING_KIND.get(kind) ?? [])).size > 1).map(rule => rule.id));
            assert.ok(twoTypes.has("apigateway-stage-access-logging") && twoTypes.has("apigateway-method-api-key-required"));
            const resourceRules = RULES.filter(rule => rule.scope === "resource");
            for (const [urn, kind, ownRule] of [
                [urnOf(T.stage, "prod"), "stage", "apigateway-stage-access-logging"],
                [urnOf(T.method, "get-orders"), "method", "apigateway-method-api-key-required"],
            ] as const) {
                const skipped = result.notApplicable.filter(n => n.phase === "analyze" && n.urn === urn).map(n => n.policyName);
                const others = resourceRules.filter(rule => !rule.appliesTo.includes(kind) && !twoTypes.has(rule.id)).map(rule => rule.id);
                assert.ok(others.length >= 4, `only ${others.length} one-type rules of other kinds: the check would say little`);
                assert.deepEqual([...skipped].sort(), [...others].sort(), `${kind}: every one-type resource rule of another type, and only those`);
                assert.ok(of(result, ownRule).some(d => d.urn === urn), `the ${kind}'s own rules still ran`);
            }
        });

        it("a contextual rule's stack pass reports nothing when the stack has none of its types", async () => {
            // Routes come from Route resources and from HTTP APIs (body, quick create): two types, so
            // the engine cannot skip the pass for us; the pass itself must find nothing to say.
            const withoutRoutes = insecureResources().filter(r => !r.type.startsWith("aws:apigatewayv2/"));
            const run = await runLikeEngine(withoutRoutes, { pack });
            assert.deepEqual(of(run, "apigateway-v2-route-authorization"), []);
            const stackPassed = result.notApplicable.filter(n => n.phase === "analyzeStack").map(n => n.policyName);
            assert.deepEqual(stackPassed, [], "with routes in the stack, every stack pass runs");
        });

        it("fails the run (mandatory violations)", () => {
            assert.equal(result.failed, true);
        });

        it("flags both keys that share one value, and never prints the value", () => {
            const dup = of(result, "apigateway-api-key-value-secret").filter(d => /share|same value/i.test(d.message));
            assert.deepEqual([...new Set(dup.map(d => d.urn))].sort(), [urnOf(T.key, "copy-key"), urnOf(T.key, "old-key")].sort());
        });

        it("never lets the planted key value reach a diagnostic, stdout or stderr", () => {
            const everything = JSON.stringify(result.diagnostics) + result.stdout + result.stderr + pack.stdout() + pack.stderr();
            assert.ok(!everything.includes(PLANTED_KEY_VALUE));
            assert.ok(!everything.includes(PLANTED_KEY_VALUE.slice(0, 16)), "not even a prefix");
            assertNoLeak("the insecure program's run", {
                diagnostics: JSON.stringify(result.diagnostics),
                remediations: JSON.stringify(result.remediations.map(({ properties: _inputs, ...rest }) => rest)),
                notApplicable: JSON.stringify(result.notApplicable),
                stdout: pack.stdout(),
                stderr: pack.stderr(),
            }, PLANTED_KEY_VALUE);
        });
    });

    describe("a secure program's first preview (ids and generated values unknown)", () => {
        let result: RunResult;
        before(async () => {
            result = await runLikeEngine(securePreviewResources(), { pack, config: SECURE_CONFIG });
        });

        it("has zero mandatory violations", () => {
            const mandatory = result.diagnostics.filter(d => d.enforcementLevel === "mandatory");
            assert.deepEqual(mandatory.map(d => `${d.policyName}: ${d.message}`), []);
            assert.equal(result.failed, false);
        });

        it("says honestly what it cannot tell yet, as advisory notes", () => {
            const notes = result.diagnostics.filter(d => d.message.startsWith("cannot tell yet"));
            assert.ok(notes.length > 0);
            assert.ok(notes.every(d => d.enforcementLevel === "advisory"));
            // the account's role ARN is computed: the account rule cannot confirm it yet
            assert.ok(notes.some(d => d.policyName === "apigateway-account-cloudwatch-role"), notes.map(d => d.policyName).join(","));
        });

        it("links resources through property dependencies: the key counts as used and generated", () => {
            assert.deepEqual(of(result, "apigateway-api-key-unused"), []);
            assert.deepEqual(of(result, "apigateway-api-key-value-secret"), []);
            assert.deepEqual(of(result, "apigateway-stage-execution-logging"), []);
            assert.deepEqual(of(result, "apigateway-stage-waf"), []);
        });

        it("exempts the configured public path, and CORS OPTIONS by default", () => {
            assert.deepEqual(of(result, "apigateway-method-api-key-required"), []);
        });

        it("decides over the whole stack what one resource alone cannot: an open method on a non-exempt path fails", async () => {
            const api = urnOf(T.api, "orders-api");
            const orders = urnOf(T.resource, "orders");
            const open: EngineResource = {
                type: T.method, name: "post-orders",
                props: { restApi: unknowns.string, resourceId: unknowns.string, httpMethod: "POST", authorization: "AWS_IAM", apiKeyRequired: false },
                propertyDependencies: { restApi: [api], resourceId: [orders] }, dependencies: [api, orders],
            };
            const withOpen = await runLikeEngine([...securePreviewResources(), open], { pack, config: SECURE_CONFIG });
            const diags = of(withOpen, "apigateway-method-api-key-required");
            assert.equal(diags.length, 1, JSON.stringify(diags));
            assert.equal(diags[0].phase, "analyzeStack");
            assert.equal(diags[0].enforcementLevel, "mandatory");
            assert.equal(diags[0].urn, urnOf(T.method, "post-orders"));
            assert.match(diags[0].message, /POST \/orders can be called without an API key/);
        });
    });

    describe("unknown values at preview", () => {
        it("a method whose apiKeyRequired is computed gets a 'cannot tell yet' note, not a mandatory violation", async () => {
            const api = urnOf(T.api, "api");
            const result = await runLikeEngine([
                { type: T.api, name: "api", props: { apiKeySource: "HEADER" } },
                { type: T.method, name: "m", props: { restApi: unknowns.string, resourceId: unknowns.string, httpMethod: "GET", apiKeyRequired: unknowns.boolean, authorization: "AWS_IAM" }, propertyDependencies: { restApi: [api], resourceId: [api] } },
            ], { pack });
            const diags = of(result, "apigateway-method-api-key-required");
            assert.equal(diags.length, 1);
            assert.equal(diags[0].enforcementLevel, "advisory");
            assert.match(diags[0].message, /^cannot tell yet whether GET (\/|method 'm') requires an API key: computed/);
            assert.equal(result.failed, false);
        });
    });

    describe("HTTP/WebSocket (v2) custom domains", () => {
        it("routes apigatewayv2 DomainName to apigateway-domain-tls12: TLS_1_0 in domainNameConfiguration fails, TLS_1_2 passes", async () => {
            const v2Domain = "aws:apigatewayv2/domainName:DomainName";
            const config = (securityPolicy: string) => ({ certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc", endpointType: "REGIONAL", securityPolicy });
            const result = await runLikeEngine([
                { type: v2Domain, name: "old-ws", props: { domainName: "old.example.com", domainNameConfiguration: config("TLS_1_0") } },
                { type: v2Domain, name: "ws", props: { domainName: "ws.example.com", domainNameConfiguration: config("TLS_1_2") } },
            ], { pack });
            const diags = of(result, "apigateway-domain-tls12");
            assert.deepEqual(diags.map(d => [d.urn, d.enforcementLevel]), [[urnOf(v2Domain, "old-ws"), "mandatory"]]);
            assert.match(diags[0].message, /custom domain 'old.example.com' uses security policy 'TLS_1_0'/);
            assert.equal(result.failed, true);
        });
    });

    describe("WebSocket stages", () => {
        it("a WebSocket stage with data trace on in defaultRouteSettings is a mandatory execution-logging violation", async () => {
            const v2Stage = "aws:apigatewayv2/stage:Stage";
            const api = urnOf(T.v2Api, "chat");
            const result = await runLikeEngine([
                { type: T.v2Api, name: "chat", props: { name: "chat", protocolType: "WEBSOCKET", routeSelectionExpression: "$request.body.action" } },
                {
                    type: v2Stage, name: "live",
                    props: { apiId: unknowns.string, name: "live", defaultRouteSettings: { dataTraceEnabled: true, loggingLevel: "INFO", throttlingBurstLimit: 100, throttlingRateLimit: 50 } },
                    propertyDependencies: { apiId: [api] }, dependencies: [api],
                },
            ], { pack });
            const diags = of(result, "apigateway-stage-execution-logging");
            assert.deepEqual(diags.map(d => [d.urn, d.enforcementLevel]), [[urnOf(v2Stage, "live"), "mandatory"]]);
            assert.match(diags[0].message, /WebSocket API 'chat'.*defaultRouteSettings\.dataTraceEnabled is on/);
        });
    });

    describe("config", () => {
        const key = (createdDate: string): EngineResource[] => [
            { type: T.key, name: "k", props: { name: "k", enabled: true, createdDate } },
        ];

        it("a 45-day-old key passes by default and fails with maxAgeDays: 30 (clock pinned)", async () => {
            const created = new Date(Date.parse(NOW) - 45 * 86_400_000).toISOString();
            const byDefault = await runLikeEngine(key(created), { pack });
            assert.deepEqual(of(byDefault, "apigateway-api-key-max-age").filter(d => d.enforcementLevel === "mandatory"), []);
            const strict = await runLikeEngine(key(created), { pack, config: { "apigateway-api-key-max-age": { maxAgeDays: 30, warnAgeDays: 20 } } });
            const fails = of(strict, "apigateway-api-key-max-age").filter(d => d.enforcementLevel === "mandatory");
            assert.equal(fails.length, 1);
            assert.match(fails[0].message, /45 days/);
        });

        it("a key in the warning band is an advisory violation", async () => {
            const created = new Date(Date.parse(NOW) - 70 * 86_400_000).toISOString();
            const result = await runLikeEngine(key(created), { pack });
            const diags = of(result, "apigateway-api-key-max-age");
            assert.equal(diags.length, 1);
            assert.equal(diags[0].enforcementLevel, "advisory");
        });

        it("a misspelt setting (which the CLI's schema check lets through) is a clear error naming the policy and field", async () => {
            await assert.rejects(
                runLikeEngine(key("2026-05-01T00:00:00Z"), { pack, config: { "apigateway-api-key-max-age": { maxAgeDay: 30 } } }),
                (error: Error) => /invalid config for policy 'apigateway-api-key-max-age': field 'maxAgeDay' is not a setting of this policy/.test(error.message),
            );
        });

        it("an enforcement-level override applies (mandatory → disabled, advisory → mandatory)", async () => {
            const result = await runLikeEngine(insecureResources(), {
                pack,
                config: { "apigateway-method-api-key-required": "disabled", "apigateway-stage-xray-tracing": "mandatory" },
            });
            assert.deepEqual(of(result, "apigateway-method-api-key-required"), []);
            assert.ok(of(result, "apigateway-stage-xray-tracing").some(d => d.enforcementLevel === "mandatory"));
        });
    });

    describe("secret-ness of key values seen through the engine's wire format", () => {
        it("a value typed in plain text fails; a Pulumi secret supplied by the program warns; a generated one passes", async () => {
            const resources: EngineResource[] = [
                { type: T.key, name: "plain", props: { name: "plain", value: "plaintextvalue-000000000000000000001" } },
                { type: T.key, name: "secret", props: { name: "secret", value: secret("secretvalue-00000000000000000000000002") } },
                { type: T.random, name: "pw", props: { length: 40 } },
                { type: T.key, name: "generated", props: { name: "generated", value: secret("generatedvalue-000000000000000000003") }, propertyDependencies: { value: [urnOf(T.random, "pw")] } },
            ];
            const result = await runLikeEngine(resources, { pack });
            const diags = of(result, "apigateway-api-key-value-secret");
            assert.deepEqual(diags.map(d => [d.urn, d.enforcementLevel]), [
                [urnOf(T.key, "plain"), "mandatory"],
                [urnOf(T.key, "secret"), "advisory"],
            ]);
            assert.match(diags[1].message, /supplied by the program rather than generated/);
            const strict = await runLikeEngine(resources, { pack, config: { "apigateway-api-key-value-secret": { requireGenerated: true } } });
            assert.deepEqual(of(strict, "apigateway-api-key-value-secret").map(d => d.enforcementLevel), ["mandatory", "mandatory"]);
        });
    });

    describe("remediation", () => {
        it("sets apiKeyRequired and apiKeySource when the policies are at 'remediate', and Analyze then passes", async () => {
            const result = await runLikeEngine([
                { type: T.api, name: "api", props: { apiKeySource: "AUTHORIZER" } },
                { type: T.method, name: "m", props: { restApi: "a", resourceId: "r", httpMethod: "GET", apiKeyRequired: false, authorization: "AWS_IAM" } },
                { type: T.method, name: "preflight", props: { restApi: "a", resourceId: "r", httpMethod: "OPTIONS", apiKeyRequired: false, authorization: "NONE" } },
            ], { pack, config: { "apigateway-method-api-key-required": "remediate", "apigateway-rest-api-key-source-header": "remediate" } });
            assert.equal(reveal(result.remediated.get(urnOf(T.method, "m"))?.apiKeyRequired), true);
            assert.equal(reveal(result.remediated.get(urnOf(T.api, "api"))?.apiKeySource), "HEADER");
            assert.equal(result.remediated.has(urnOf(T.method, "preflight")), false, "CORS preflight is left alone");
            assert.deepEqual(of(result, "apigateway-method-api-key-required"), []);
            assert.deepEqual(of(result, "apigateway-rest-api-key-source-header"), []);
        });
    });

    describe("malformed properties", () => {
        it("do not take the pack down: the rule gives a clear note and every other rule still runs", async () => {
            const result = await runLikeEngine([
                { type: T.method, name: "weird", props: { httpMethod: "GET", apiKeyRequired: { yes: true }, authorization: 42 } },
                { type: T.stage, name: "weird-stage", props: { restApi: "a", stageName: "prod", accessLogSettings: "everything", xrayTracingEnabled: "sometimes" } },
                ...insecureResources(),
            ], { pack });
            const weird = result.diagnostics.filter(d => d.urn === urnOf(T.method, "weird") && d.policyName === "apigateway-method-api-key-required");
            assert.equal(weird.length, 1);
            assert.equal(weird[0].enforcementLevel, "advisory");
            assert.match(weird[0].message, /malformed property 'apiKeyRequired': expected boolean, found object/);
            const stageNotes = result.diagnostics.filter(d => d.urn === urnOf(T.stage, "weird-stage") && d.policyName === "apigateway-stage-access-logging");
            assert.match(stageNotes[0]?.message ?? "", /malformed property 'accessLogSettings'/);
            for (const policy of Object.keys(EXPECTED_VIOLATIONS)) {
                assert.ok(of(result, policy).length > 0, `${policy} still reported`);
            }
            assert.ok(pack.running, "the pack is still serving");
        });
    });
});

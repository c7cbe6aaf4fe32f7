import assert from "node:assert/strict";
import { PackProcess, runLikeEngine } from "../../../testkit/engine";
import { insecureResources, NOW } from "./fixtures";

/** The Pulumi CLI prints policy messages to a terminal: control characters from inputs must not act there. */
describe("pack: control characters in resource values reach CrossGuard messages inert", function () {
    this.timeout(120_000);
    let pack: PackProcess;
    before(async () => {
        pack = await PackProcess.start({ env: { APIGW_GUARD_NOW: NOW } });
    });
    after(async () => {
        await pack?.close();
    });

    it("a domain name and a route key with terminal escapes are quoted escaped", async () => {
        const resources = insecureResources().map(resource => {
            if (resource.type === "aws:apigateway/domainName:DomainName") {
                return { ...resource, props: { ...resource.props, domainName: "api\u001b[2J.example.com" } };
            }
            if (resource.type === "aws:apigatewayv2/route:Route") {
                return { ...resource, props: { ...resource.props, routeKey: "GET /orders\u001b]0;pwned\u0007\r\nPASS" } };
            }
            return resource;
        });
        const result = await runLikeEngine(resources, { pack });
        const messages = result.diagnostics.map(d => d.message);
        assert.ok(messages.length > 0);
        for (const message of messages) {
            assert.doesNotMatch(message, /[\u0000-\u001f\u007f-\u009f]/, message);
        }
        assert.ok(messages.some(m => m.includes("api\\x1b[2J.example.com")), messages.join("\n"));
        assert.ok(messages.some(m => m.includes("GET /orders\\x1b]0;pwned\\x07\\r\\nPASS")), messages.join("\n"));
    });
});

describe("pack: values the engine protocol does not define get a clear note, not a stack trace", function () {
    this.timeout(120_000);
    let pack: PackProcess;
    before(async () => {
        pack = await PackProcess.start({ env: { APIGW_GUARD_NOW: NOW } });
        await pack.configureStack();
        await pack.getAnalyzerInfo();
    });
    after(async () => {
        await pack?.close();
    });

    const SIG = "4dabf18193072939515e22adb298388d";
    const cases: Array<[string, unknown]> = [
        ["a secret envelope without a value", { [SIG]: "1b47061264138c4ac30d75fd1eb44270" }],
        ["an unrecognised signature", { [SIG]: "deadbeef", value: "x" }],
        ["an asset without a source", { [SIG]: "c44067f5952c0a294b673a41bacd8c17" }],
        ["a malformed value nested in a list", [{ ok: 1 }, { [SIG]: "0123" }]],
    ];
    for (const [what, value] of cases) {
        it(`${what}: an advisory note naming the property, and the other properties still judged`, async () => {
            const urn = "urn:pulumi:dev::proj::aws:apigateway/method:Method::m";
            const result = await pack.analyze({ urn, type: "aws:apigateway/method:Method", name: "m", props: { restApi: "a", resourceId: "r", httpMethod: "GET", authorization: value, apiKeyRequired: false } });
            const messages = result.diagnostics.map(d => `${d.policyName}: ${d.message}`);
            assert.ok(messages.every(m => !/\n\s+at /.test(m) && !m.includes("deserialize")), messages.join("\n"));
            assert.ok(messages.some(m => m.startsWith("apigateway-method-api-key-required: cannot evaluate:") && m.includes("'authorization'")), messages.join("\n"));
            const keyRequired = result.diagnostics.find(d => d.policyName === "apigateway-method-api-key-required" && d.enforcementLevel === "mandatory");
            assert.ok(keyRequired !== undefined, "apiKeyRequired: false is still judged");
        });
    }
});

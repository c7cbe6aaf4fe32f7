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

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { Inventory } from "apigw-guard/policies/model/index";
import { runRules } from "apigw-guard/policies/engine/run";
import { RULES } from "apigw-guard/policies/rules/index";
import { inventoryFromPulumi } from "apigw-guard/policies/sources/pulumi/adapter";
import { makeUrn, PackProcess, runLikeEngine, unknowns } from "../../../../testkit/engine";
import { inventoryFromHcl } from "../../../../sources/terraform/hcl";
import { inventoryFromTerraformPlan } from "../../../../sources/terraform/plan";

const NOW = new Date("2026-06-01T00:00:00Z");
const V2_API = "aws:apigatewayv2/api:Api";
const ROUTE = "apigateway-v2-route-authorization";
const LOGS = "apigateway-stage-access-logging";
const SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** rule → status, over the entities quick create adds. */
function quickCreateVerdicts(inventory: Inventory): Record<string, string> {
    const { findings } = runRules(inventory, RULES, { now: NOW });
    const out: Record<string, string> = {};
    for (const finding of findings) {
        if (finding.entity?.ref.includes("#quick-create-") && (finding.ruleId === ROUTE || finding.ruleId === LOGS)) {
            out[`${finding.entity.kind} ${finding.ruleId}`] = finding.status;
        }
    }
    return out;
}

const OPEN = { [`v2-route ${ROUTE}`]: "fail", [`stage ${LOGS}`]: "fail" };

describe("HTTP API quick create", () => {
    it("Pulumi at preview (pulumi/examples aws-ts-apigatewayv2-http-api-quickcreate): the route key is known, the target is not", () => {
        const inventory = inventoryFromPulumi([{
            type: V2_API, urn: makeUrn(V2_API, "httpApiGateway"), name: "httpApiGateway",
            props: { name: "httpApiGateway-1f2e3d4", protocolType: "HTTP", routeKey: "GET /", target: SENTINEL }, secretProps: new Set(),
        }]);
        assert.deepEqual(quickCreateVerdicts(inventory), OPEN);
        const route = inventory.ofKind("v2-route")[0];
        assert.equal(route.routeKey, "GET /");
        const stage = inventory.ofKind("stage")[0];
        assert.equal(stage.stageName, "$default");
        assert.equal(stage.apiVersion, "v2");
    });

    it("without a route key the implicit route is $default; without a target there is no quick create", () => {
        const withTarget = inventoryFromPulumi([{ type: V2_API, urn: makeUrn(V2_API, "a"), name: "a", props: { protocolType: "HTTP", target: "arn:aws:lambda:us-east-1:123456789012:function:f" }, secretProps: new Set() }]);
        assert.equal(withTarget.ofKind("v2-route")[0]?.routeKey, "$default");
        const withoutTarget = inventoryFromPulumi([{ type: V2_API, urn: makeUrn(V2_API, "b"), name: "b", props: { protocolType: "HTTP" }, secretProps: new Set() }]);
        assert.equal(withoutTarget.size, 1);
    });

    it("Terraform plan: a target known only after apply is still set", () => {
        const values = { name: "quick", protocol_type: "HTTP", route_key: "GET /", target: null };
        const inventory = inventoryFromTerraformPlan({
            format_version: "1.2",
            resource_changes: [{
                address: "aws_apigatewayv2_api.quick", mode: "managed", type: "aws_apigatewayv2_api", name: "quick",
                change: { actions: ["create"], before: null, after: values, after_unknown: { id: true, target: true }, after_sensitive: {} },
            }],
        });
        assert.deepEqual(quickCreateVerdicts(inventory), OPEN);
    });

    describe("Terraform HCL", () => {
        let work: string;
        before(() => {
            work = mkdtempSync(path.join(os.tmpdir(), "apigw-guard-quick-"));
        });
        after(() => {
            rmSync(work, { recursive: true, force: true });
        });

        const read = (name: string, text: string) => {
            const dir = path.join(work, name);
            mkdirSync(dir);
            writeFileSync(path.join(dir, "main.tf"), text);
            return inventoryFromHcl(dir);
        };

        it("a target from another resource: the route and the stage are judged", async () => {
            const inventory = await read("ref", `resource "aws_lambda_function" "f" {\n  function_name = "f"\n}\n\nresource "aws_apigatewayv2_api" "quick" {\n  name          = "quick"\n  protocol_type = "HTTP"\n  route_key     = "ANY /{proxy+}"\n  target        = aws_lambda_function.f.arn\n}\n`);
            // Read statically, an unresolved reference might still be null: whether quick create happens is unknown.
            const verdicts = quickCreateVerdicts(inventory);
            assert.deepEqual(verdicts, { [`v2-route ${ROUTE}`]: "unknown", [`stage ${LOGS}`]: "unknown" });
        });

        it("a literal target: the route and the stage fail", async () => {
            const inventory = await read("literal", `resource "aws_apigatewayv2_api" "quick" {\n  name          = "quick"\n  protocol_type = "HTTP"\n  target        = "https://backend.example.com"\n}\n`);
            assert.deepEqual(quickCreateVerdicts(inventory), OPEN);
            assert.equal(inventory.ofKind("v2-route")[0]?.routeKey, "$default");
        });

        it("a variable target defaulting to null: no quick create", async () => {
            const inventory = await read("null", `variable "target" {\n  type    = string\n  default = null\n}\n\nresource "aws_apigatewayv2_api" "quick" {\n  name          = "quick"\n  protocol_type = "HTTP"\n  target        = var.target\n}\n`);
            assert.deepEqual(quickCreateVerdicts(inventory), {});
        });
    });

    it("a WebSocket API has no quick create", () => {
        const inventory = inventoryFromPulumi([{ type: V2_API, urn: makeUrn(V2_API, "ws"), name: "ws", props: { protocolType: "WEBSOCKET", target: "x" }, secretProps: new Set() }]);
        assert.equal(inventory.size, 1);
    });

    it("the pack fails the preview on the API itself, before it is created", async function () {
        this.timeout(120_000);
        const pack = await PackProcess.start({ env: { APIGW_GUARD_NOW: NOW.toISOString() } });
        try {
            const urn = makeUrn(V2_API, "httpApiGateway");
            const run = await runLikeEngine([{ type: V2_API, name: "httpApiGateway", props: { protocolType: "HTTP", routeKey: "GET /", target: unknowns.string } }], { pack });
            const route = run.diagnostics.filter(d => d.phase === "analyze" && d.urn === urn && d.policyName === ROUTE);
            assert.equal(route.length, 1);
            assert.equal(route[0].enforcementLevel, "mandatory");
            assert.match(route[0].message, /^route 'GET \/' .*without authorization/);
            const logs = run.diagnostics.filter(d => d.urn === urn && d.policyName === LOGS);
            assert.equal(logs.length, 1, run.diagnostics.map(d => `${d.policyName} ${d.message}`).join("\n"));
            assert.equal(logs[0].enforcementLevel, RULES.find(rule => rule.id === LOGS)?.enforcementLevel);
            assert.match(logs[0].message, /\$default/);
            assert.equal(run.failed, true);
        } finally {
            await pack.close();
        }
    });
});

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { Inventory } from "apigw-guard/policies/model/index";
import { runRules } from "apigw-guard/policies/engine/run";
import { RULES } from "apigw-guard/policies/rules/index";
import { inventoryFromPulumi } from "apigw-guard/policies/sources/pulumi/adapter";
import { makeUrn, PackProcess, runLikeEngine, unknowns } from "../../../../testkit/engine";
import { inventoryFromStackExport } from "../../../../sources/pulumi/stack-export";
import { inventoryFromHcl } from "../../../../sources/terraform/hcl";
import { inventoryFromTerraformPlan } from "../../../../sources/terraform/plan";
import { inventoryFromTerraformState } from "../../../../sources/terraform/state";
import { fixture, PLANTED_BODY_KEY } from "./support";

const NOW = new Date("2026-06-01T00:00:00Z");
const OPERATION_RULES = new Set(["apigateway-method-api-key-required", "apigateway-method-authorizer", "apigateway-v2-route-authorization"]);
const KEY = "apigateway-method-api-key-required";
const AUTH = "apigateway-method-authorizer";
const ROUTE = "apigateway-v2-route-authorization";

interface Case {
    readonly fixture: string;
    readonly http: boolean;
    /**
     * `operation rule` → status, worked out by hand from the document: a key is required only
     * where an `x-api-key` header scheme is named; an authorizer only where IAM, Cognito or a
     * Lambda/JWT authorizer is; OPTIONS is exempt as CORS preflight.
     */
    readonly expected: Readonly<Record<string, string>>;
}

const CASES: readonly Case[] = [
    {
        fixture: "aws-apigateway-restapi.json", http: false, expected: {
            [`GET /orders ${KEY}`]: "pass", [`GET /orders ${AUTH}`]: "fail",
            [`POST /orders ${KEY}`]: "pass", [`POST /orders ${AUTH}`]: "pass",
            [`ANY /admin/{proxy+} ${KEY}`]: "fail", [`ANY /admin/{proxy+} ${AUTH}`]: "pass",
            [`GET /health ${KEY}`]: "fail", [`GET /health ${AUTH}`]: "fail",
        },
    },
    {
        // pulumi/examples aws-ts-serverless-raw: today's "all good" was false assurance.
        fixture: "serverless-raw.json", http: false, expected: { [`ANY /{proxy+} ${KEY}`]: "fail", [`ANY /{proxy+} ${AUTH}`]: "fail" },
    },
    {
        fixture: "petstore.yaml", http: false, expected: {
            [`GET / ${KEY}`]: "fail", [`GET / ${AUTH}`]: "fail",
            [`GET /pets ${KEY}`]: "fail", [`GET /pets ${AUTH}`]: "fail",
            [`POST /pets ${KEY}`]: "fail", [`POST /pets ${AUTH}`]: "fail",
            [`OPTIONS /pets ${KEY}`]: "not-applicable", [`OPTIONS /pets ${AUTH}`]: "not-applicable",
            [`GET /pets/{petId} ${KEY}`]: "fail", [`GET /pets/{petId} ${AUTH}`]: "fail",
        },
    },
    {
        fixture: "cognito-orders.yaml", http: false, expected: {
            [`GET /orders ${KEY}`]: "pass", [`GET /orders ${AUTH}`]: "pass",
            [`DELETE /orders/{orderId} ${KEY}`]: "pass", [`DELETE /orders/{orderId} ${AUTH}`]: "fail",
            [`GET /health ${KEY}`]: "fail", [`GET /health ${AUTH}`]: "fail",
        },
    },
    {
        fixture: "http-api.json", http: true, expected: {
            [`GET /items ${ROUTE}`]: "pass", [`POST /admin/reindex ${ROUTE}`]: "pass", [`$default ${ROUTE}`]: "fail",
        },
    },
];

const PULUMI = { rest: "aws:apigateway/restApi:RestApi", http: "aws:apigatewayv2/api:Api" };
const TF = { rest: "aws_api_gateway_rest_api", http: "aws_apigatewayv2_api" };

/** The body as a JSON object (the YAML fixtures parsed), for the front ends that build it from code. */
function documentOf(c: Case): unknown {
    return parseYaml(fixture(c.fixture)) as unknown;
}

function pulumiProps(c: Case): Record<string, unknown> {
    // A Pulumi program passes the body as text: JSON.stringify of an object, or a file read as is.
    return c.http ? { name: "api", protocolType: "HTTP", body: fixture(c.fixture) } : { name: "api", body: fixture(c.fixture) };
}

function tfValues(c: Case): Record<string, unknown> {
    return c.http ? { name: "api", protocol_type: "HTTP", body: fixture(c.fixture) } : { name: "api", body: fixture(c.fixture) };
}

/** (operation, rule) → status over the entities read from a body. */
function verdicts(inventory: Inventory): Record<string, string> {
    const { findings } = runRules(inventory, RULES, { now: NOW });
    const out: Record<string, string> = {};
    for (const finding of findings) {
        const operation = finding.entity?.provenance.operation;
        if (operation !== undefined && OPERATION_RULES.has(finding.ruleId)) {
            out[`${operation} ${finding.ruleId}`] = finding.status;
        }
    }
    return out;
}

const viaAdapter = (c: Case) => inventoryFromPulumi([{
    type: c.http ? PULUMI.http : PULUMI.rest, urn: makeUrn(c.http ? PULUMI.http : PULUMI.rest, "api"), name: "api", props: pulumiProps(c), secretProps: new Set(),
}]);

const viaStackExport = (c: Case) => {
    const type = c.http ? PULUMI.http : PULUMI.rest;
    return inventoryFromStackExport({
        version: 3,
        deployment: {
            manifest: { time: "2026-01-01T00:00:00Z", magic: "", version: "v3" },
            resources: [{ urn: makeUrn(type, "api"), custom: true, type, id: "a1b2c3d4e5", inputs: pulumiProps(c), outputs: { ...pulumiProps(c), id: "a1b2c3d4e5" } }],
        },
    });
};

const viaPlan = (c: Case) => {
    const type = c.http ? TF.http : TF.rest;
    const address = `${type}.api`;
    return inventoryFromTerraformPlan({
        format_version: "1.2",
        terraform_version: "1.9.5",
        planned_values: { root_module: { resources: [{ address, mode: "managed", type, name: "api", provider_name: "registry.terraform.io/hashicorp/aws", schema_version: 0, values: tfValues(c), sensitive_values: {} }] } },
        resource_changes: [{
            address, mode: "managed", type, name: "api", provider_name: "registry.terraform.io/hashicorp/aws",
            change: { actions: ["create"], before: null, after: tfValues(c), after_unknown: { id: true, arn: true, root_resource_id: true, execution_arn: true }, before_sensitive: false, after_sensitive: {} },
        }],
        configuration: { root_module: { resources: [{ address, mode: "managed", type, name: "api", provider_config_key: "aws", expressions: { body: { references: [] } }, schema_version: 0 }] } },
    });
};

const viaState = (c: Case) => {
    const type = c.http ? TF.http : TF.rest;
    return inventoryFromTerraformState({
        format_version: "1.0",
        terraform_version: "1.9.5",
        values: { root_module: { resources: [{ address: `${type}.api`, mode: "managed", type, name: "api", provider_name: "registry.terraform.io/hashicorp/aws", schema_version: 0, values: { ...tfValues(c), id: "a1b2c3d4e5" }, sensitive_values: {} }] } },
    });
};

describe("body-defined APIs give the same verdicts through every front end", () => {
    let work: string;
    before(() => {
        work = mkdtempSync(path.join(os.tmpdir(), "apigw-guard-openapi-"));
    });
    after(() => {
        rmSync(work, { recursive: true, force: true });
    });

    /** Terraform HCL: `body = jsonencode({...})`, the shape most modules write. */
    const viaHcl = async (c: Case, index: number) => {
        const dir = path.join(work, `hcl-${index}`);
        const type = c.http ? TF.http : TF.rest;
        const protocol = c.http ? `  protocol_type = "HTTP"\n` : "";
        // HCL object constructors accept JSON's `"key": value` form.
        mkdirSync(dir);
        writeFileSync(path.join(dir, "main.tf"), `resource "${type}" "api" {\n  name = "api"\n${protocol}  body = jsonencode(${JSON.stringify(documentOf(c), null, 2)})\n}\n`);
        return inventoryFromHcl(dir);
    };

    CASES.forEach((c, index) => {
        describe(c.fixture, () => {
            it("the Pulumi adapter (pack and mocks)", () => {
                assert.deepEqual(verdicts(viaAdapter(c)), c.expected);
            });
            it("a Pulumi stack export", () => {
                assert.deepEqual(verdicts(viaStackExport(c)), c.expected);
            });
            it("a Terraform plan", () => {
                assert.deepEqual(verdicts(viaPlan(c)), c.expected);
            });
            it("Terraform state", () => {
                assert.deepEqual(verdicts(viaState(c)), c.expected);
            });
            it("Terraform HCL with jsonencode", async () => {
                const inventory = await viaHcl(c, index);
                assert.deepEqual(verdicts(inventory), c.expected);
                // A finding on a body operation points at the `body =` line of the .tf.
                const op = [...inventory.all()].find(e => e.provenance.operation !== undefined);
                assert.equal(op?.provenance.line, c.http ? 4 : 3);
            });
        });
    });

    describe("the pack, driven as the engine drives it: body operations fail in the API's own Analyze call", function () {
        this.timeout(120_000);
        let pack: PackProcess;
        before(async () => {
            pack = await PackProcess.start({ env: { APIGW_GUARD_NOW: NOW.toISOString() } });
        });
        after(async () => {
            await pack?.close();
        });

        CASES.forEach(c => {
            it(c.fixture, async () => {
                const type = c.http ? PULUMI.http : PULUMI.rest;
                const urn = makeUrn(type, "api");
                const run = await runLikeEngine([{ type, name: "api", props: pulumiProps(c) }], { pack });
                const failing = Object.entries(c.expected).filter(([, status]) => status === "fail");
                for (const [key] of failing) {
                    const [operation, rule] = [key.slice(0, key.lastIndexOf(" ")), key.slice(key.lastIndexOf(" ") + 1)];
                    const label = operation === "$default" ? "route '$default'" : operation;
                    const hits = run.diagnostics.filter(d => d.phase === "analyze" && d.urn === urn && d.policyName === rule && d.message.startsWith(`${label} `));
                    assert.equal(hits.length, 1, `${rule} on ${operation}: ${run.diagnostics.map(d => `${d.phase} ${d.policyName} ${d.message}`).join("\n")}`);
                    assert.equal(hits[0].enforcementLevel, RULES.find(r => r.id === rule)?.enforcementLevel);
                    // The fix is in the body: the message says what to add there, and where.
                    assert.match(hits[0].message, /security requirement/);
                    assert.match(hits[0].message, /\/paths\//);
                    if (rule === KEY) {
                        assert.match(hits[0].message, /apiKey scheme in header x-api-key/);
                    }
                }
                // Nothing else from these rules: passes and exemptions are silent, nothing is unknown.
                const operationDiagnostics = run.diagnostics.filter(d => OPERATION_RULES.has(d.policyName));
                assert.equal(operationDiagnostics.length, failing.length, operationDiagnostics.map(d => `${d.phase} ${d.policyName} ${d.message}`).join("\n"));
                assert.equal(run.failed, failing.some(([key]) => !key.endsWith(AUTH)));
            });
        });

        it("a body computed at preview is a 'cannot tell yet' note on the API, never a pass or a mandatory violation", async () => {
            const urn = makeUrn(PULUMI.rest, "api");
            const run = await runLikeEngine([{ type: PULUMI.rest, name: "api", props: { name: "api", body: unknowns.string } }], { pack });
            for (const rule of [KEY, AUTH]) {
                const notes = run.diagnostics.filter(d => d.policyName === rule && d.urn === urn);
                assert.equal(notes.length, 1, `${rule}: ${run.diagnostics.map(d => d.message).join("\n")}`);
                assert.equal(notes[0].enforcementLevel, "advisory");
                assert.match(notes[0].message, /^cannot tell yet .*the OpenAPI body is computed/);
            }
            assert.equal(run.failed, false);
        });

        it("an alias bomb in one API's body is a note on that API; the other API is still judged", async () => {
            let bomb = "swagger: '2.0'\npaths: {}\na: &a [x, x, x, x, x, x, x, x, x, x]\n";
            let previous = "a";
            for (const name of ["b", "c", "d", "e", "f", "g", "h", "i"]) {
                bomb += `${name}: &${name} [${Array(10).fill(`*${previous}`).join(", ")}]\n`;
                previous = name;
            }
            const run = await runLikeEngine([
                { type: PULUMI.rest, name: "bomb", props: { name: "bomb", body: bomb } },
                { type: PULUMI.rest, name: "raw", props: { name: "raw", body: fixture("serverless-raw.json") } },
            ], { pack });
            const onBomb = run.diagnostics.filter(d => d.urn === makeUrn(PULUMI.rest, "bomb") && d.policyName === KEY);
            assert.equal(onBomb.length, 1);
            assert.equal(onBomb[0].enforcementLevel, "advisory");
            assert.match(onBomb[0].message, /YAML aliases/);
            const onRaw = run.diagnostics.filter(d => d.urn === makeUrn(PULUMI.rest, "raw") && d.policyName === KEY);
            assert.equal(onRaw.length, 1);
            assert.equal(onRaw[0].enforcementLevel, "mandatory");
            assert.equal(run.failed, true);
        });

        it("a key value planted in a body (example, default) reaches no diagnostic, stdout or stderr", async () => {
            const doc = JSON.parse(fixture("serverless-raw.json")) as { paths: Record<string, Record<string, Record<string, unknown>>> };
            doc.paths["/{proxy+}"]["x-amazon-apigateway-any-method"].parameters = [
                { name: "x-api-key", in: "header", required: false, type: "string", default: PLANTED_BODY_KEY, "x-example": PLANTED_BODY_KEY },
            ];
            const run = await runLikeEngine([{ type: PULUMI.rest, name: "api", props: { name: "api", body: JSON.stringify(doc) } }], { pack });
            assert.ok(run.diagnostics.some(d => d.policyName === KEY), "the body was judged");
            assert.ok(!JSON.stringify(run.diagnostics).includes(PLANTED_BODY_KEY));
            assert.ok(!run.stdout.includes(PLANTED_BODY_KEY) && !run.stderr.includes(PLANTED_BODY_KEY));
        });
    });
});

describe("bodies beside other settings", () => {
    const keySourceBody = (quote: string) => `openapi: 3.0.1\ninfo: {title: t, version: "1"}\nx-amazon-apigateway-api-key-source: ${quote}AUTHORIZER${quote}\npaths: {}\n`;

    it("reads x-amazon-apigateway-api-key-source the same in Pulumi and Terraform, whatever the quoting", () => {
        for (const quote of ["", "'", "\""]) {
            const body = keySourceBody(quote);
            const pulumi = inventoryFromPulumi([{ type: PULUMI.rest, urn: makeUrn(PULUMI.rest, "api"), name: "api", props: { body }, secretProps: new Set() }]);
            const terraform = inventoryFromTerraformState({
                format_version: "1.0",
                values: { root_module: { resources: [{ address: "aws_api_gateway_rest_api.api", mode: "managed", type: TF.rest, name: "api", values: { body, id: "a1" }, sensitive_values: {} }] } },
            });
            assert.equal(pulumi.ofKind("rest-api")[0].apiKeySource, "AUTHORIZER", `quote ${quote}`);
            assert.equal(terraform.ofKind("rest-api")[0].apiKeySource, "AUTHORIZER", `quote ${quote}`);
        }
        // The resource's own setting wins over the body's, as in AWS.
        const explicit = inventoryFromPulumi([{ type: PULUMI.rest, urn: makeUrn(PULUMI.rest, "api"), name: "api", props: { apiKeySource: "HEADER", body: keySourceBody("'") }, secretProps: new Set() }]);
        assert.equal(explicit.ofKind("rest-api")[0].apiKeySource, "HEADER");
    });

    it("a plan whose body is known only after apply: cannot tell yet, for that API", () => {
        const inventory = inventoryFromTerraformPlan({
            format_version: "1.2",
            resource_changes: [{
                address: "aws_api_gateway_rest_api.api", mode: "managed", type: TF.rest, name: "api",
                change: { actions: ["create"], before: null, after: { name: "api" }, after_unknown: { id: true, body: true }, after_sensitive: {} },
            }],
        });
        const { findings } = runRules(inventory, RULES, { now: NOW });
        const onBody = findings.filter(f => f.entity?.kind === "method");
        assert.deepEqual(onBody.map(f => `${f.ruleId} ${f.status}`).sort(), [`${KEY} unknown`, `${AUTH} unknown`]);
        assert.ok(onBody.every(f => /OpenAPI body is known only after apply/.test(f.message)), onBody.map(f => f.message).join("\n"));
    });

    it("a body and separate Method resources on the same API are both judged", () => {
        const inventory = inventoryFromTerraformState({
            format_version: "1.0",
            values: {
                root_module: {
                    resources: [
                        { address: "aws_api_gateway_rest_api.api", mode: "managed", type: TF.rest, name: "api", values: { id: "a1", root_resource_id: "r0", body: fixture("serverless-raw.json") }, sensitive_values: {} },
                        { address: "aws_api_gateway_method.health", mode: "managed", type: "aws_api_gateway_method", name: "health", values: { id: "m1", rest_api_id: "a1", resource_id: "r0", http_method: "GET", api_key_required: true, authorization: "AWS_IAM" }, sensitive_values: {} },
                    ],
                },
            },
        });
        assert.deepEqual(verdicts(inventory), { [`ANY /{proxy+} ${KEY}`]: "fail", [`ANY /{proxy+} ${AUTH}`]: "fail" });
        const { findings } = runRules(inventory, RULES, { now: NOW });
        const method = findings.filter(f => f.entity?.ref === "aws_api_gateway_method.health").map(f => `${f.ruleId} ${f.status}`).sort();
        assert.deepEqual(method, [`${KEY} pass`, `${AUTH} pass`]);
    });
});

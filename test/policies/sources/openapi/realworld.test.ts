import assert from "node:assert/strict";
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { isUnknown } from "apigw-guard/policies/model/index";
import { runRules } from "apigw-guard/policies/engine/run";
import { RULES } from "apigw-guard/policies/rules/index";
import { readOpenApiBody } from "apigw-guard/policies/sources/openapi/index";
import { inventoryFromHcl } from "../../../../sources/terraform/hcl";

/** The public corpus lives beside the repository (../shared/corpus/realworld); it is not copied in. */
const CORPUS = path.resolve(__dirname, "../../../../../../shared/corpus/realworld");
const NOW = new Date("2026-06-01T00:00:00Z");
const KEY = "apigateway-method-api-key-required";
const AUTH = "apigateway-method-authorizer";

/**
 * Every body-defined operation in the corpus's scan roots, with the verdict reviewed by hand.
 * Key: `<scan root> | <entity ref> | <rule>`.
 */
const EXPECTED: Readonly<Record<string, { status: string; why: string }>> = {
    // cloudquery: `body = jsonencode({...})` with GET /path1 and no `security` anywhere: open.
    [`03-cloudquery-integration-infra | aws_api_gateway_rest_api.rest_api_example_1#/paths/~1path1/get | ${KEY}`]: { status: "fail", why: "no security requirement, so API Gateway sets apiKeyRequired false" },
    [`03-cloudquery-integration-infra | aws_api_gateway_rest_api.rest_api_example_1#/paths/~1path1/get | ${AUTH}`]: { status: "fail", why: "no authorizer scheme" },
    // cloudposse: `body = jsonencode(var.openapi_config)`, the example passes the same open GET /path1.
    [`04-cloudposse-api-gateway-module/examples/complete | module.api_gateway.aws_api_gateway_rest_api.this#/paths/~1path1/get | ${KEY}`]: { status: "fail", why: "the example's openapi_config has no security" },
    [`04-cloudposse-api-gateway-module/examples/complete | module.api_gateway.aws_api_gateway_rest_api.this#/paths/~1path1/get | ${AUTH}`]: { status: "fail", why: "no authorizer scheme" },
    // hashicorp's OpenAPI example: the path is `(var.rest_api_path)`, default "/path1"; no security.
    [`06-hashicorp-rest-api-openapi-example | aws_api_gateway_rest_api.example#/paths/~1path1/get | ${KEY}`]: { status: "fail", why: "no security requirement" },
    [`06-hashicorp-rest-api-openapi-example | aws_api_gateway_rest_api.example#/paths/~1path1/get | ${AUTH}`]: { status: "fail", why: "no authorizer scheme" },
    // adamwshero: `openapi_definition = templatefile(".../openapi.yaml", {...})`. The HCL reader
    // renders both examples' templatefile() (its variables are ARNs): the operations
    // are those of openapi.yaml, as read by hand below (GET /path: key, no authorizer; POST /path2: Lambda authorizer, no key).
    [`13-adamwshero-api-gateway-module/examples/nodomainmode | module.rest-api.aws_api_gateway_rest_api.this#/paths/~1path/get | ${KEY}`]: { status: "pass", why: "openapi.yaml: GET /path names the api_key scheme (x-api-key header)" },
    [`13-adamwshero-api-gateway-module/examples/nodomainmode | module.rest-api.aws_api_gateway_rest_api.this#/paths/~1path/get | ${AUTH}`]: { status: "fail", why: "openapi.yaml: GET /path has no authorizer (authorization NONE)" },
    [`13-adamwshero-api-gateway-module/examples/nodomainmode | module.rest-api.aws_api_gateway_rest_api.this#/paths/~1path2/post | ${KEY}`]: { status: "fail", why: "openapi.yaml: POST /path2 names only the Lambda authorizer, no API key scheme" },
    [`13-adamwshero-api-gateway-module/examples/nodomainmode | module.rest-api.aws_api_gateway_rest_api.this#/paths/~1path2/post | ${AUTH}`]: { status: "pass", why: "openapi.yaml: POST /path2 uses a Lambda (custom) authorizer" },
    [`13-adamwshero-api-gateway-module/examples/terraform | module.rest-api.aws_api_gateway_rest_api.this#/paths/~1path/get | ${KEY}`]: { status: "pass", why: "openapi.yaml: GET /path names the api_key scheme (x-api-key header)" },
    [`13-adamwshero-api-gateway-module/examples/terraform | module.rest-api.aws_api_gateway_rest_api.this#/paths/~1path/get | ${AUTH}`]: { status: "fail", why: "openapi.yaml: GET /path has no authorizer (authorization NONE)" },
    [`13-adamwshero-api-gateway-module/examples/terraform | module.rest-api.aws_api_gateway_rest_api.this#/paths/~1path2/post | ${KEY}`]: { status: "fail", why: "openapi.yaml: POST /path2 names only the Lambda authorizer, no API key scheme" },
    [`13-adamwshero-api-gateway-module/examples/terraform | module.rest-api.aws_api_gateway_rest_api.this#/paths/~1path2/post | ${AUTH}`]: { status: "pass", why: "openapi.yaml: POST /path2 uses a Lambda (custom) authorizer" },
};

/** Every scan root of the corpus (PROVENANCE.md): the roots not in EXPECTED define no operation in a body (none, or null there). */
const ROOTS = [
    "01-jameswoolfenden-apigateway-module/example/examplea",
    "02-wellcome-identity-rest-api/infra/scoped",
    "03-cloudquery-integration-infra",
    "04-cloudposse-api-gateway-module/examples/complete",
    "05-clouddrove-api-gateway-module/examples/complete/rest-api-gateway",
    "06-hashicorp-rest-api-openapi-example",
    "07-hashicorp-websocket-chat-app",
    "08-tfam-apigateway-v2-module/examples/websocket",
    "09-trivy-aws0004-iam-without-key",
    "10-trivy-aws0004-option-verb",
    "11-trivy-aws0002-cache-unencrypted",
    "12-trivy-aws0001-stage-log-format-json",
    "13-adamwshero-api-gateway-module/examples/terraform",
    "13-adamwshero-api-gateway-module/examples/nodomainmode",
];

describe("body-defined operations in the real-world corpus", function () {
    this.timeout(60_000);
    before(function () {
        if (!existsSync(CORPUS)) {
            this.skip();
        }
    });

    it("reports every one, with the verdict reviewed by hand", async () => {
        const seen: Record<string, string> = {};
        for (const root of ROOTS) {
            const inventory = await inventoryFromHcl(path.join(CORPUS, root));
            const { findings } = runRules(inventory, RULES, { now: NOW });
            for (const finding of findings) {
                const entity = finding.entity;
                // Body operations carry a JSON pointer; quick-create entities would carry `#quick-create-`.
                if (entity && (entity.provenance.pointer !== undefined || entity.ref.includes("#quick-create-"))) {
                    seen[`${root} | ${entity.ref} | ${finding.ruleId}`] = finding.status;
                }
            }
        }
        assert.deepEqual(seen, Object.fromEntries(Object.entries(EXPECTED).map(([key, { status }]) => [key, status])));
    });

    it("adamwshero's openapi.yaml, rendered as templatefile would: the key only on GET /path, the Lambda authorizer only on POST /path2", () => {
        for (const example of ["terraform", "nodomainmode"]) {
            const template = readFileSync(path.join(CORPUS, "13-adamwshero-api-gateway-module/examples", example, "openapi.yaml"), "utf8");
            // The template's variables are integration and authorizer ARNs: none decides security.
            const rendered = template.replace(/\$\{[a-z_]+\}/g, "arn:aws:lambda:us-east-1:123456789012:function:rendered");
            const body = readOpenApiBody(rendered);
            assert.equal(body.state, "read");
            const ops = body.state === "read" ? body.document.operations : [];
            const table = Object.fromEntries(ops.map(op => [`${String(op.method)} ${op.path}`, [isUnknown(op.apiKeyRequired) ? "?" : op.apiKeyRequired, isUnknown(op.authorizationType) ? "?" : op.authorizationType]]));
            assert.deepEqual(table, { "GET /path": [true, "NONE"], "POST /path2": [false, "CUSTOM"] });
        }
    });
});

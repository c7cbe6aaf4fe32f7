import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { inventoryFromHcl } from "../../../sources/terraform/hcl";
import { FUNCTIONS } from "../../../sources/terraform/hcl/functions";
import { isPartialJson, isTfUnknown, TF_UNKNOWN } from "../../../sources/terraform/types";
import { findings } from "./support";

/**
 * issue 13, point 2: a `jsonencode({...})` body whose structure is known but whose integration
 * ARNs are not (a Lambda's `invoke_arn`, known only after apply) is still read structurally:
 * security does not depend on the ARNs.
 */
const FUNCTION = `
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  role          = "arn:aws:iam::123456789012:role/orders"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "orders.zip"
}
`;

function api(security: string): string {
    return `
resource "aws_api_gateway_rest_api" "orders" {
  name = "orders"
  body = jsonencode({
    swagger = "2.0"
    info    = { title = "orders", version = "1.0" }
    securityDefinitions = { api_key = { type = "apiKey", name = "x-api-key", in = "header" } }
    paths = {
      "/{proxy+}" = {
        x-amazon-apigateway-any-method = {
          ${security}
          x-amazon-apigateway-integration = {
            type       = "aws_proxy"
            httpMethod = "POST"
            uri        = aws_lambda_function.orders.invoke_arn
          }
        }
      }
    }
  })
}
`;
}

describe("HCL: a jsonencode body with unknown leaves is read structurally", () => {
    const dirs: string[] = [];
    after(() => dirs.forEach(dir => rmSync(dir, { recursive: true, force: true })));

    async function keyRequired(security: string, variables = ""): Promise<string | undefined> {
        const dir = mkdtempSync(path.join(tmpdir(), "apigw-guard-partial-json-"));
        dirs.push(dir);
        writeFileSync(path.join(dir, "main.tf"), FUNCTION + api(security) + variables);
        const list = findings(await inventoryFromHcl(dir));
        const operation = list.filter(f => f.ruleId === "apigateway-method-api-key-required" && f.entity?.provenance.operation === "ANY /{proxy+}");
        assert.equal(operation.length, 1, JSON.stringify(list.filter(f => f.ruleId === "apigateway-method-api-key-required").map(f => [f.entity?.ref, f.status, f.message])));
        return operation[0].status;
    }

    it("jsonencode of a value with an unknown leaf is unknown as text, and keeps its structure", () => {
        const encoded = FUNCTIONS.jsonencode.call([{ a: 1, b: TF_UNKNOWN }], { readFile: () => ({ kind: "missing" }), renderTemplate: () => TF_UNKNOWN });
        assert.ok(isTfUnknown(encoded), "reads as unknown everywhere else");
        assert.ok(isPartialJson(encoded) && (encoded.partialJson as { a: number }).a === 1);
        assert.equal(FUNCTIONS.jsonencode.call([{ b: 2, a: [1] }], { readFile: () => ({ kind: "missing" }), renderTemplate: () => TF_UNKNOWN }), '{"a":[1],"b":2}');
    });

    it("an operation with no security fails although its integration URI is unknown", async () => {
        assert.equal(await keyRequired(""), "fail");
    });

    it("an operation that names the API key scheme passes although its integration URI is unknown", async () => {
        assert.equal(await keyRequired("security = [{ api_key = [] }]"), "pass");
    });

    it("an operation whose security depends on an unknown value is unknown, never pass", async () => {
        assert.equal(await keyRequired("security = var.security", `
variable "security" {}
`), "unknown");
    });
});

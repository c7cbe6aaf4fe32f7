import assert from "node:assert/strict";
import { locationOf } from "../../report";

describe("report: where a finding points", () => {
    const finding = (provenance: Record<string, string>) => ({ entity: { ref: "r", kind: "method", name: "n", provenance: { source: "terraform", ...provenance } } }) as unknown as Parameters<typeof locationOf>[0];

    it("is the resource (URN, address or ARN), and for an operation of an OpenAPI body the API plus the operation", () => {
        assert.equal(locationOf(finding({ address: "aws_api_gateway_method.get" })), "aws_api_gateway_method.get");
        assert.equal(locationOf(finding({ address: "aws_api_gateway_rest_api.orders", operation: "GET /pets", pointer: "/paths/~1pets/get" })), "aws_api_gateway_rest_api.orders GET /pets");
        assert.equal(locationOf(finding({ urn: "urn:pulumi:dev::p::aws:apigateway/restApi:RestApi::api", address: "x", operation: "ANY /{proxy+}" })), "urn:pulumi:dev::p::aws:apigateway/restApi:RestApi::api ANY /{proxy+}");
    });
});

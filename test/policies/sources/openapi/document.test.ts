import assert from "node:assert/strict";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { isUnknown } from "apigw-guard/policies/model/index";
import { MAX_BODY_CHARS, OpenApiBody, OpenApiOperation, readOpenApiBody } from "apigw-guard/policies/sources/openapi/index";
import { fixture, PLANTED_BODY_KEY } from "./support";

/** (method path) → [apiKeyRequired, authorizationType], unknowns as "?". */
function table(body: OpenApiBody): Record<string, [boolean | "?", string]> {
    assert.equal(body.state, "read", body.state === "read" || body.state === "absent" ? body.state : `${body.state}: ${body.reason}`);
    const out: Record<string, [boolean | "?", string]> = {};
    for (const op of body.document.operations) {
        out[`${isUnknown(op.method) ? "?" : op.method} ${op.path}`] = [
            isUnknown(op.apiKeyRequired) ? "?" : op.apiKeyRequired,
            isUnknown(op.authorizationType) ? "?" : op.authorizationType,
        ];
    }
    return out;
}

function operations(body: OpenApiBody): readonly OpenApiOperation[] {
    assert.equal(body.state, "read");
    return body.state === "read" ? body.document.operations : [];
}

function reasonOf(body: OpenApiBody): string {
    assert.ok(body.state === "unreadable" || body.state === "unknown", `expected a reason, got ${body.state}`);
    return body.state === "unreadable" || body.state === "unknown" ? body.reason : "";
}

describe("OpenAPI reader", () => {
    describe("the Swagger 2.0 that @pulumi/aws-apigateway's RestAPI generates", () => {
        const body = readOpenApiBody(fixture("aws-apigateway-restapi.json"));

        it("yields one operation per path and method, ANY for x-amazon-apigateway-any-method", () => {
            assert.deepEqual(table(body), {
                // `security: [{api_key: []}]`: the key is required; no authorizer.
                "GET /orders": [true, "NONE"],
                // The library pushes the authorizer and the key as two entries: API Gateway applies both.
                "POST /orders": [true, "CUSTOM"],
                // iamAuthEnabled: `x-amazon-apigateway-auth` sets AWS_IAM on the method; no key.
                "ANY /admin/{proxy+}": [false, "AWS_IAM"],
                // No security at all.
                "GET /health": [false, "NONE"],
            });
        });

        it("points at each operation with a JSON pointer and reads the key source", () => {
            const ops = operations(body);
            assert.deepEqual(ops.map(op => op.pointer), [
                "/paths/~1orders/get", "/paths/~1orders/post", "/paths/~1admin~1{proxy+}/x-amazon-apigateway-any-method", "/paths/~1health/get",
            ]);
            assert.equal(body.state === "read" && body.document.format, "swagger-2.0");
            assert.equal(body.state === "read" && body.document.apiKeySource, "HEADER");
        });

        it("reads the same as YAML", () => {
            const asYaml = stringifyYaml(JSON.parse(fixture("aws-apigateway-restapi.json")));
            assert.deepEqual(table(readOpenApiBody(asYaml)), table(body));
        });
    });

    it("pulumi/examples aws-ts-serverless-raw: ANY /{proxy+} with no security needs no key and has no authorizer", () => {
        const body = readOpenApiBody(fixture("serverless-raw.json"));
        assert.deepEqual(table(body), { "ANY /{proxy+}": [false, "NONE"] });
        assert.equal(body.state === "read" && body.document.apiKeySource, undefined);
    });

    it("AWS's PetStore (OpenAPI 3.0 YAML): open methods, and the CORS preflight kept as an OPTIONS operation", () => {
        const body = readOpenApiBody(fixture("petstore.yaml"));
        assert.deepEqual(table(body), {
            "GET /": [false, "NONE"],
            "GET /pets": [false, "NONE"],
            "POST /pets": [false, "NONE"],
            "OPTIONS /pets": [false, "NONE"],
            "GET /pets/{petId}": [false, "NONE"],
        });
        assert.equal(body.state === "read" && body.document.format, "openapi-3.0");
        // The same document as JSON reads the same.
        assert.deepEqual(table(readOpenApiBody(JSON.stringify(parseYaml(fixture("petstore.yaml"))))), table(body));
    });

    it("OpenAPI 3 with a Cognito authorizer: root security applies, an operation's own list replaces it, `security: []` opens it", () => {
        const body = readOpenApiBody(fixture("cognito-orders.yaml"));
        assert.deepEqual(table(body), {
            "GET /orders": [true, "COGNITO_USER_POOLS"],
            "DELETE /orders/{orderId}": [true, "NONE"],
            "GET /health": [false, "NONE"],
        });
        // Written `'HEADER'` (single-quoted YAML): the bare value, as in every front end.
        assert.equal(body.state === "read" && body.document.apiKeySource, "HEADER");
    });

    it("an HTTP API body: JWT and IAM routes, the $default route open, and no API keys (HTTP APIs have none)", () => {
        const body = readOpenApiBody(fixture("http-api.json"), { flavour: "http" });
        assert.deepEqual(table(body), {
            "GET /items": [false, "JWT"],
            "POST /admin/reindex": [false, "AWS_IAM"],
            "ANY $default": [false, "NONE"],
        });
    });

    it("reads OpenAPI 3.1, a Lambda REQUEST authorizer and a $ref to a scheme", () => {
        const body = readOpenApiBody(JSON.stringify({
            openapi: "3.1.0",
            info: { title: "t", version: "1" },
            paths: { "/a": { get: { security: [{ lambda: [] }] } }, "/b": { get: { security: [{ key: [] }] } } },
            components: {
                securitySchemes: {
                    lambda: { type: "apiKey", name: "Unused", in: "header", "x-amazon-apigateway-authtype": "custom", "x-amazon-apigateway-authorizer": { type: "request", identitySource: "method.request.header.Auth" } },
                    key: { $ref: "#/components/securitySchemes/realKey" },
                    realKey: { type: "apiKey", name: "X-API-Key", in: "header" },
                },
            },
        }));
        assert.equal(body.state === "read" && body.document.format, "openapi-3.1");
        assert.deepEqual(table(body), { "GET /a": [false, "CUSTOM"], "GET /b": [true, "NONE"] });
    });

    it("an apiKey scheme in another header or in the query is not an API Gateway key requirement", () => {
        const body = readOpenApiBody(JSON.stringify({
            swagger: "2.0",
            paths: { "/q": { get: { security: [{ q: [] }] } }, "/h": { get: { security: [{ h: [] }] } } },
            securityDefinitions: { q: { type: "apiKey", name: "x-api-key", in: "query" }, h: { type: "apiKey", name: "X-Token", in: "header" } },
        }));
        assert.deepEqual(table(body), { "GET /q": [false, "NONE"], "GET /h": [false, "NONE"] });
    });

    describe("what cannot be decided stays unknown", () => {
        it("a requirement naming an undefined scheme", () => {
            const body = readOpenApiBody(JSON.stringify({ swagger: "2.0", paths: { "/a": { get: { security: [{ missing: [] }] } } } }));
            const [op] = operations(body);
            assert.ok(isUnknown(op.apiKeyRequired) && /'missing' is not defined/.test(op.apiKeyRequired.reason ?? ""));
            assert.ok(isUnknown(op.authorizationType));
        });

        it("two different authorizers on one operation (a method has one)", () => {
            const body = readOpenApiBody(JSON.stringify({
                swagger: "2.0",
                paths: { "/a": { get: { security: [{ iam: [] }, { pool: [] }, { key: [] }] } } },
                securityDefinitions: {
                    iam: { type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "awsSigv4" },
                    pool: { type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "cognito_user_pools", "x-amazon-apigateway-authorizer": { type: "cognito_user_pools", providerARNs: [] } },
                    key: { type: "apiKey", name: "x-api-key", in: "header" },
                },
            }));
            assert.deepEqual(table(body), { "GET /a": [true, "?"] });
        });

        it("an unknown marker inside a parsed body makes only what it decides unknown", () => {
            const marker = { marker: true };
            const body = readOpenApiBody({
                openapi: "3.0.0",
                paths: {
                    "/known": { get: { security: [{ key: [] }], "x-amazon-apigateway-integration": { uri: marker } } },
                    "/templated": { get: { security: marker } },
                },
                components: { securitySchemes: { key: { type: "apiKey", name: "x-api-key", in: "header" } } },
            }, { isRawUnknown: value => value === marker, unknownReason: "set by a template variable" });
            assert.deepEqual(table(body), { "GET /known": [true, "NONE"], "GET /templated": ["?", "?"] });
            const templated = operations(body)[1];
            assert.ok(isUnknown(templated.apiKeyRequired) && templated.apiKeyRequired.reason === "set by a template variable");
        });

        it("a body that is the unknown marker itself is 'cannot tell yet'", () => {
            const sentinel = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
            const body = readOpenApiBody(sentinel, { isRawUnknown: value => value === sentinel, unknownReason: "computed" });
            assert.deepEqual(body, { state: "unknown", reason: "computed" });
        });

        it("no body at all is absent", () => {
            assert.equal(readOpenApiBody(undefined).state, "absent");
            assert.equal(readOpenApiBody("").state, "absent");
        });
    });

    describe("bad input is a clear 'unreadable', in bounded time, never an exception", () => {
        it("invalid JSON and YAML name the problem and the line, not the text", () => {
            const reason = reasonOf(readOpenApiBody(`{"swagger": "2.0", "paths": {"/a": {"get": "${PLANTED_BODY_KEY}"`));
            assert.match(reason, /not valid JSON or YAML/);
            assert.ok(!reason.includes(PLANTED_BODY_KEY));
            const yamlReason = reasonOf(readOpenApiBody(`swagger: "2.0"\npaths:\n  /a: {get: ${PLANTED_BODY_KEY}\n  bad: [\n`));
            assert.match(yamlReason, /not valid JSON or YAML \([A-Z_]+ at line \d+\)/);
            assert.ok(!yamlReason.includes(PLANTED_BODY_KEY));
        });

        it("a 20 MB body is not parsed", () => {
            const big = `{"swagger":"2.0","paths":{},"x-pad":"${"a".repeat(20 * 1024 * 1024)}"}`;
            const started = Date.now();
            const reason = reasonOf(readOpenApiBody(big));
            assert.match(reason, new RegExp(`more than the ${MAX_BODY_CHARS}`));
            assert.ok(Date.now() - started < 1000, "rejected by its size, without parsing");
        });

        it("a YAML alias bomb stops at the alias limit", () => {
            let bomb = "swagger: '2.0'\na: &a [x, x, x, x, x, x, x, x, x, x]\n";
            let previous = "a";
            for (const name of ["b", "c", "d", "e", "f", "g", "h", "i"]) {
                bomb += `${name}: &${name} [${Array(10).fill(`*${previous}`).join(", ")}]\n`;
                previous = name;
            }
            const started = Date.now();
            assert.match(reasonOf(readOpenApiBody(bomb)), /expands YAML aliases more than \d+ times/);
            assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
        });

        it("a body that is not an object, or not OpenAPI", () => {
            assert.match(reasonOf(readOpenApiBody("[1, 2]")), /not an object \(found list\)/);
            assert.match(reasonOf(readOpenApiBody("42")), /not an object \(found number\)/);
            assert.match(reasonOf(readOpenApiBody("just text")), /not an object \(found string\)/);
            assert.match(reasonOf(readOpenApiBody(JSON.stringify({ openapi: "4.0", paths: {} }))), /neither/);
            assert.match(reasonOf(readOpenApiBody(JSON.stringify({ swagger: "2.0", paths: [] }))), /'paths' .* not an object/);
        });

        it("deep nesting does not throw", () => {
            const deep = `{"swagger":"2.0","paths":{},"x":${"[".repeat(100000)}${"]".repeat(100000)}}`;
            const body = readOpenApiBody(deep);
            assert.ok(body.state === "read" || body.state === "unreadable");
        });
    });

    it("a key value planted as an example or default never reaches a reason", () => {
        const doc = {
            openapi: "3.0.0",
            paths: {
                "/a": {
                    get: {
                        parameters: [{ name: "x-api-key", in: "header", example: PLANTED_BODY_KEY, schema: { type: "string", default: PLANTED_BODY_KEY } }],
                        security: [{ nope: [] }],
                    },
                },
            },
            "x-amazon-apigateway-api-key-source": { example: PLANTED_BODY_KEY },
        };
        const body = readOpenApiBody(JSON.stringify(doc));
        assert.ok(!JSON.stringify(body).includes(PLANTED_BODY_KEY));
    });
});

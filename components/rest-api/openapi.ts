import { parseOpenApiText } from "apigw-guard/policies/sources/openapi/index";
import { ArgumentChecker, describe } from "../errors";
import { HttpMethod } from "./routes";

/** The scheme SecuredRestApi adds: API Gateway reads keys from this header (key source HEADER). */
export const API_KEY_SCHEME_NAME = "apigw-guard-api-key";
const API_KEY_SCHEME = Object.freeze({ type: "apiKey", name: "x-api-key", in: "header" });

const OPERATION_KEYS: Readonly<Record<string, HttpMethod>> = {
    get: "GET", put: "PUT", post: "POST", delete: "DELETE", options: "OPTIONS", head: "HEAD", patch: "PATCH",
    "x-amazon-apigateway-any-method": "ANY",
};

export interface SecuredOperation {
    readonly method: HttpMethod;
    readonly path: string;
    readonly public: boolean;
}

export interface SecuredDocument {
    /** The secured document as JSON text, the RestApi's `body`. */
    readonly body: string;
    readonly operations: readonly SecuredOperation[];
}

/**
 * Secure an existing OpenAPI document the way SecuredRestApi secures its routes: every operation
 * except CORS preflight (OPTIONS) and those on `publicPaths` requires an API key in the
 * `X-API-Key` header, in addition to whatever the document already requires (API Gateway applies
 * every scheme an operation's `security` names); preflight and public operations get
 * `security: []`, so a root-level requirement cannot close them; the key source is HEADER.
 * The caller's document is not modified.
 */
export function secureOpenApiDocument(check: ArgumentChecker, argument: string, document: unknown, publicPaths: readonly string[]): SecuredDocument {
    let parsed: unknown = document;
    if (typeof document === "string") {
        const result = parseOpenApiText(document);
        if ("reason" in result) {
            check.fail(argument, result.reason);
        }
        parsed = result.value;
    }
    // A deep copy through JSON: the document is plain data, and the caller's stays as it was.
    const root = check.object(argument, JSON.parse(JSON.stringify(parsed ?? null)) as unknown);
    const swagger = root.swagger === "2.0";
    if (!swagger && !(typeof root.openapi === "string" && /^3\.[01](\.|$)/.test(root.openapi))) {
        check.fail(argument, "must be a Swagger 2.0 or OpenAPI 3.0/3.1 document");
    }
    const paths = check.object(`${argument}.paths`, root.paths);
    const open = new Set(publicPaths);
    for (const path of open) {
        if (!(path in paths)) {
            check.fail("openApi.publicPaths", `lists ${describe(path)}, which is not a path of the document`);
        }
    }
    if (swagger) {
        const definitions = root.securityDefinitions === undefined ? {} : check.object(`${argument}.securityDefinitions`, root.securityDefinitions);
        root.securityDefinitions = { ...definitions, [API_KEY_SCHEME_NAME]: { ...API_KEY_SCHEME } };
    } else {
        const components = root.components === undefined ? {} : check.object(`${argument}.components`, root.components);
        const schemes = components.securitySchemes === undefined ? {} : check.object(`${argument}.components.securitySchemes`, components.securitySchemes);
        root.components = { ...components, securitySchemes: { ...schemes, [API_KEY_SCHEME_NAME]: { ...API_KEY_SCHEME } } };
    }
    root["x-amazon-apigateway-api-key-source"] = "HEADER";
    const rootSecurity = Array.isArray(root.security) ? root.security : [];
    const operations: SecuredOperation[] = [];
    for (const [path, rawItem] of Object.entries(paths)) {
        if (path.startsWith("x-")) {
            continue;
        }
        const item = check.object(`${argument}.paths[${JSON.stringify(path)}]`, rawItem);
        if (item.$ref !== undefined) {
            check.fail(`${argument}.paths[${JSON.stringify(path)}]`, "is a $ref, which API Gateway does not import");
        }
        for (const [key, rawOperation] of Object.entries(item)) {
            const method = OPERATION_KEYS[key.toLowerCase()];
            if (method === undefined) {
                continue;
            }
            const operation = check.object(`${argument}.paths[${JSON.stringify(path)}].${key}`, rawOperation);
            const isPublic = method === "OPTIONS" || open.has(path);
            if (isPublic) {
                operation.security = [];
            } else {
                const own = operation.security === undefined ? rootSecurity : operation.security;
                if (!Array.isArray(own)) {
                    check.fail(`${argument}.paths[${JSON.stringify(path)}].${key}.security`, `must be a list (got ${describe(own)})`);
                }
                operation.security = [...own, { [API_KEY_SCHEME_NAME]: [] }];
            }
            // Preflight is not a route of the API (as with `cors` on routes): it is left out of the summaries.
            if (method !== "OPTIONS") {
                operations.push({ method, path, public: isPublic });
            }
        }
    }
    if (operations.length === 0) {
        check.fail(`${argument}.paths`, "must define at least one operation");
    }
    operations.sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path < b.path ? -1 : 1));
    return { body: JSON.stringify(root), operations };
}

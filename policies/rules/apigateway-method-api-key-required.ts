import { isUnknown, MethodEntity } from "../model";
import { example } from "../model/examples";
import { defineRule, Outcome } from "./types";
import { describeUnknown, matchesAnyPath } from "./util";

export interface MethodApiKeyRequiredConfig {
    /** Paths whose methods may be called without a key (globs: `*` one segment, `**` any). */
    exemptPaths: string[];
    /** HTTP methods that never need a key. CORS preflight (`OPTIONS`) cannot send one. */
    exemptMethods: string[];
}

export default defineRule<MethodApiKeyRequiredConfig>({
    id: "apigateway-method-api-key-required",
    title: "Every API Gateway method requires an API key",
    description: "Every REST API method except CORS preflight (OPTIONS) sets apiKeyRequired = true, so calls without a valid X-API-Key are refused with 403 before they reach the backend.",
    severity: "high",
    enforcementLevel: "mandatory",
    scope: "resource",
    contextual: true,
    appliesTo: ["method"],
    controls: { awsSecurityHub: [], nist80053: ["AC-3", "IA-2", "SC-5"], pciDssV4: ["7.2.1", "8.2.1"] },
    remediation: "Set apiKeyRequired: true on the method (Terraform: api_key_required = true), or list its path in this policy's exemptPaths if it is deliberately public (e.g. /health).",
    configSchema: {
        type: "object",
        properties: {
            exemptPaths: { type: "array", items: { type: "string", minLength: 1 }, default: [], description: "Paths exempt from the key requirement, e.g. [\"/health\"]; `*` matches one segment, `**` any number." },
            exemptMethods: { type: "array", items: { type: "string", minLength: 1 }, default: ["OPTIONS"], description: "HTTP methods exempt from the key requirement." },
        },
    },
    examples: {
        compliant: { description: "GET /orders requires a key.", entities: [example.method("get-orders", { apiKeyRequired: true })] },
        nonCompliant: { description: "GET /orders can be called without a key.", entities: [example.method("get-orders", { apiKeyRequired: false })] },
    },
    evaluate(inventory, config) {
        const exemptMethods = new Set(config.exemptMethods.map(m => m.toUpperCase()));
        return inventory.ofKind("method").map((method): Outcome => judge(method, exemptMethods, config.exemptPaths));
    },
});

function judge(method: MethodEntity, exemptMethods: ReadonlySet<string>, exemptPaths: readonly string[]): Outcome {
    const { ref, httpMethod, path, apiKeyRequired } = method;
    // A resource policy sees the method alone, without its resource chain: name it instead.
    const label = `${typeof httpMethod === "string" ? httpMethod : "?"} ${typeof path === "string" ? path : `method '${method.name}'`}`;
    if (typeof httpMethod === "string" && exemptMethods.has(httpMethod)) {
        return { ref, status: "not-applicable", message: `${label} is exempt (${httpMethod} is in exemptMethods; CORS preflight cannot send a key)` };
    }
    if (typeof path === "string" && matchesAnyPath(path, exemptPaths)) {
        return { ref, status: "not-applicable", message: `${label} is exempt (path listed in exemptPaths)` };
    }
    if (apiKeyRequired === true) {
        return { ref, status: "pass", message: `${label} requires an API key` };
    }
    if (isUnknown(apiKeyRequired)) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} requires an API key: ${describeUnknown(apiKeyRequired)}` };
    }
    if (isUnknown(httpMethod) || (isUnknown(path) && exemptPaths.length > 0)) {
        const missing = isUnknown(httpMethod) ? httpMethod : isUnknown(path) ? path : undefined;
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} is exempt: ${missing ? describeUnknown(missing) : "unknown"}`, needsContext: true };
    }
    return {
        ref,
        status: "fail",
        field: "apiKeyRequired",
        message: method.provenance.pointer !== undefined
            // Defined in the API's OpenAPI body: the fix is in the body, not on a Method resource.
            ? `${label} can be called without an API key: its OpenAPI definition (${method.provenance.pointer}) names no API key scheme. Add a security requirement naming an apiKey scheme in header x-api-key (to the operation, or to the document's root security), or exempt the path in config if it is public on purpose.`
            : `${label} can be called without an API key (apiKeyRequired is ${apiKeyRequired === undefined ? "not set, which means false" : "false"}). Set apiKeyRequired: true, or exempt the path in config if it is public on purpose.`,
    };
}

import { isUnknown, MethodEntity } from "../model";
import { example } from "../model/examples";
import { defineRule, Outcome } from "./types";
import { describeUnknown, matchesAnyPath } from "./util";

export interface MethodAuthorizerConfig {
    /** Paths whose methods are public on purpose (globs: `*` one segment, `**` any). */
    exemptPaths: string[];
    /** HTTP methods that never carry credentials. CORS preflight (`OPTIONS`) cannot. */
    exemptMethods: string[];
}

const AUTHORIZING_TYPES = new Set(["AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"]);

export default defineRule<MethodAuthorizerConfig>({
    id: "apigateway-method-authorizer",
    title: "Methods authenticate callers, not only their API key",
    description: "Advisory: an API key identifies a client application for throttling and quotas, not a user. Keys are shared by every user of a client, travel in a header on every request and are not meant for authorization (AWS says so). Every REST API method except CORS preflight should also use IAM, a Cognito user pool or a Lambda authorizer.",
    severity: "low",
    enforcementLevel: "advisory",
    scope: "resource",
    contextual: true,
    appliesTo: ["method"],
    controls: { awsSecurityHub: [], nist80053: ["IA-2", "AC-3"], pciDssV4: ["8.2.1", "8.3.1"] },
    remediation: "Set authorization on the method to AWS_IAM, COGNITO_USER_POOLS (with authorizerId) or CUSTOM (a Lambda authorizer) (Terraform: authorization / authorizer_id), or list its path in this policy's exemptPaths if it is public on purpose.",
    configSchema: {
        type: "object",
        properties: {
            exemptPaths: { type: "array", items: { type: "string", minLength: 1 }, default: [], description: "Paths that are public on purpose, e.g. [\"/health\"]; `*` matches one segment, `**` any number." },
            exemptMethods: { type: "array", items: { type: "string", minLength: 1 }, default: ["OPTIONS"], description: "HTTP methods exempt from the authorizer requirement." },
        },
    },
    examples: {
        compliant: { description: "GET /orders requires a key and IAM authorization.", entities: [example.method("get-orders", { authorizationType: "AWS_IAM" })] },
        nonCompliant: { description: "GET /orders is protected by an API key alone.", entities: [example.method("get-orders", { authorizationType: "NONE" })] },
    },
    evaluate(inventory, config) {
        const exemptMethods = new Set(config.exemptMethods.map(m => m.toUpperCase()));
        return inventory.ofKind("method").map(method => judge(method, exemptMethods, config.exemptPaths));
    },
});

function judge(method: MethodEntity, exemptMethods: ReadonlySet<string>, exemptPaths: readonly string[]): Outcome {
    const { ref, httpMethod, path, authorizationType } = method;
    const label = typeof path === "string"
        ? `${typeof httpMethod === "string" ? httpMethod : "?"} ${path} ('${method.name}')`
        : `${typeof httpMethod === "string" ? httpMethod : "?"} method '${method.name}'`;
    if (typeof httpMethod === "string" && exemptMethods.has(httpMethod.toUpperCase())) {
        return { ref, status: "not-applicable", message: `${label} is exempt (${httpMethod} is in exemptMethods; CORS preflight carries no credentials)` };
    }
    if (typeof path === "string" && matchesAnyPath(path, exemptPaths)) {
        return { ref, status: "not-applicable", message: `${label} is exempt (path listed in exemptPaths)` };
    }
    if (isUnknown(authorizationType)) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} authenticates callers: ${describeUnknown(authorizationType)}` };
    }
    const type = authorizationType?.toUpperCase();
    if (type !== undefined && AUTHORIZING_TYPES.has(type)) {
        return { ref, status: "pass", message: `${label} authenticates callers with ${type}` };
    }
    if (isUnknown(httpMethod) || (isUnknown(path) && exemptPaths.length > 0)) {
        const missing = isUnknown(httpMethod) ? httpMethod : isUnknown(path) ? path : undefined;
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} is exempt: ${missing ? describeUnknown(missing) : "unknown"}`, needsContext: true };
    }
    const setting = type === undefined ? "not set (NONE)" : type === "NONE" ? "NONE" : `'${authorizationType}', which is not an authorizer type`;
    return {
        ref,
        status: "fail",
        field: "authorizationType",
        message: `${label} has authorization ${setting}: an API key identifies a client application, not a user, and is shared, sent on every request and not meant for authorization. ${method.provenance.pointer !== undefined
            ? `Its OpenAPI definition (${method.provenance.pointer}) names no authorizer: add a security requirement naming a scheme with x-amazon-apigateway-authtype awsSigv4 or an x-amazon-apigateway-authorizer (cognito_user_pools, token or request)`
            : "Add AWS_IAM, a Cognito user pool (COGNITO_USER_POOLS) or a Lambda authorizer (CUSTOM)"}, or exempt the path in config if it is public on purpose.`,
    };
}

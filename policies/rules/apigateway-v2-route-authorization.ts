import { Inventory, isUnknown, V2RouteEntity } from "../model";
import { example } from "../model/examples";
import { defineRule, Outcome } from "./types";
import { describeUnknown } from "./util";

export interface V2RouteAuthorizationConfig {
    /** Route keys (exactly as written, e.g. `GET /health`) that may be called without authorization. */
    exemptRouteKeys: string[];
}

/** The only WebSocket route API Gateway authorizes: authorization happens once, on the connection. */
const WEBSOCKET_CONNECT = "$connect";

export default defineRule<V2RouteAuthorizationConfig>({
    id: "apigateway-v2-route-authorization",
    title: "HTTP and WebSocket API routes require authorization",
    description: "HTTP APIs (API Gateway v2) have no API keys or usage plans, so a team that follows the \"create an HTTP API\" path cannot require keys at all: every route must name an authorization type other than NONE (AWS_IAM, CUSTOM for a Lambda authorizer, or JWT). WebSocket APIs authorize once, on the $connect route, where an API key (apiKeyRequired) is also accepted; their other routes are not judged.",
    severity: "high",
    enforcementLevel: "mandatory",
    scope: "resource",
    contextual: true,
    appliesTo: ["v2-route"],
    controls: { awsSecurityHub: ["APIGateway.8"], nist80053: ["AC-3", "IA-2"], pciDssV4: ["7.2.1", "8.2.1"] },
    remediation: "Set authorizationType on the route (Terraform: authorization_type) to JWT with a JWT authorizer (e.g. Amazon Cognito), CUSTOM with a Lambda authorizer, or AWS_IAM. If clients must identify with API keys and usage plans, build a REST API (API Gateway v1) instead: HTTP APIs do not support them.",
    configSchema: {
        type: "object",
        properties: {
            exemptRouteKeys: {
                type: "array", items: { type: "string", minLength: 1 }, default: [],
                description: "Route keys that may be called without authorization, exactly as written, e.g. [\"GET /health\", \"OPTIONS /{proxy+}\"].",
            },
        },
    },
    examples: {
        compliant: {
            description: "The HTTP API route uses a JWT authorizer.",
            entities: [example.v2Api("http"), example.v2Route("get-orders", { authorizationType: "JWT" })],
        },
        nonCompliant: {
            description: "The HTTP API route can be called by anyone.",
            entities: [example.v2Api("http"), example.v2Route("get-orders", { authorizationType: "NONE" })],
        },
    },
    evaluate(inventory, config) {
        const exempt = new Set(config.exemptRouteKeys);
        return inventory.ofKind("v2-route").map(route => judge(inventory, route, exempt));
    },
});

function judge(inventory: Inventory, route: V2RouteEntity, exempt: ReadonlySet<string>): Outcome {
    const { ref, routeKey, authorizationType } = route;
    const label = `route '${typeof routeKey === "string" ? routeKey : route.name}'`;
    if (typeof routeKey === "string" && exempt.has(routeKey)) {
        return { ref, status: "not-applicable", message: `${label} is exempt (listed in exemptRouteKeys)` };
    }
    const authorized = typeof authorizationType === "string" && authorizationType.toUpperCase() !== "NONE";
    const api = inventory.resolve(route.api, "v2-api");
    // A route whose API is not in the inventory is judged as an HTTP API route: the stricter reading.
    const protocol = api ? api.protocolType : "HTTP";
    if (isUnknown(protocol)) {
        if (authorized) {
            return { ref, status: "pass", message: `${label} requires ${authorizationType} authorization` };
        }
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} needs authorization: the protocol of API '${api?.name ?? "?"}' is not known yet (${describeUnknown(protocol)})` };
    }
    const apiLabel = api ? `${protocol === "WEBSOCKET" ? "WebSocket" : "HTTP"} API '${api.name}'` : "its HTTP API";
    if (protocol.toUpperCase() === "WEBSOCKET") {
        if (isUnknown(routeKey)) {
            if (authorized || route.apiKeyRequired === true) {
                return { ref, status: "pass", message: `${label} of ${apiLabel} requires authorization` };
            }
            return { ref, status: "unknown", message: `cannot tell yet whether ${label} of ${apiLabel} is the $connect route: ${describeUnknown(routeKey)}` };
        }
        if (routeKey !== WEBSOCKET_CONNECT) {
            return { ref, status: "not-applicable", message: `${label} of ${apiLabel} is authorized by the $connect route (WebSocket APIs authorize only when the connection opens)` };
        }
        if (authorized) {
            return { ref, status: "pass", message: `the $connect route of ${apiLabel} requires ${authorizationType} authorization` };
        }
        if (route.apiKeyRequired === true) {
            return { ref, status: "pass", message: `the $connect route of ${apiLabel} requires an API key` };
        }
        if (isUnknown(authorizationType) || isUnknown(route.apiKeyRequired)) {
            const missing = isUnknown(authorizationType) ? authorizationType : route.apiKeyRequired;
            return { ref, status: "unknown", message: `cannot tell yet whether the $connect route of ${apiLabel} requires authorization: ${isUnknown(missing) ? describeUnknown(missing) : "not known"}` };
        }
        return {
            ref,
            status: "fail",
            field: "authorizationType",
            message: `the $connect route of ${apiLabel} lets anyone open a connection (authorizationType is ${authorizationType ?? "not set"}, no API key required). Set authorizationType to AWS_IAM or CUSTOM (a Lambda authorizer), or apiKeyRequired: true`,
        };
    }
    if (authorized) {
        return { ref, status: "pass", message: `${label} of ${apiLabel} requires ${authorizationType} authorization` };
    }
    if (isUnknown(authorizationType)) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} of ${apiLabel} requires authorization: ${describeUnknown(authorizationType)}` };
    }
    return {
        ref,
        status: "fail",
        field: "authorizationType",
        // Judged as HTTP because the API was not found: with the whole stack it may be a WebSocket API.
        ...(api ? {} : { needsContext: true }),
        message: `${label} of ${apiLabel} can be called without authorization (${fixFor(route, authorizationType)}). HTTP APIs have no API keys or usage plans, so a key cannot protect this route: ${route.provenance.pointer !== undefined
            ? `add a security requirement to its OpenAPI definition (${route.provenance.pointer}) naming a scheme with an x-amazon-apigateway-authorizer (jwt or request) or x-amazon-apigateway-authtype awsSigv4, or list the route in exemptRouteKeys if it is public on purpose`
            : "set authorizationType to JWT (a JWT authorizer, e.g. Cognito), CUSTOM (a Lambda authorizer) or AWS_IAM, or build a REST API if clients must use API keys"}`,
    };
}

/** What the route's setting is, in the words of where it comes from. */
function fixFor(route: V2RouteEntity, authorizationType: string | undefined): string {
    if (route.provenance.pointer !== undefined) {
        return "its OpenAPI definition names no authorizer";
    }
    return `authorizationType is ${authorizationType ?? "not set, which means NONE"}`;
}

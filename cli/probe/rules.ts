import { ControlMappings, Severity } from "apigw-guard/policies/rules/types";

/**
 * The probe's rules. They judge a running stage's answers, not configuration, so they are not
 * part of the static catalogue (`policies/rules/`): the CrossGuard pack and `scan` never see them.
 * Their findings use the catalogue's Finding model, so the same reporters and exit codes apply.
 */
export interface ProbeRule {
    /** Stable id, kebab-case, prefixed `apigateway-probe-`. */
    readonly id: string;
    readonly title: string;
    readonly description: string;
    readonly severity: Severity;
    /** The level a failure is enforced at (an unknown outcome is always advisory). */
    readonly enforcementLevel: "mandatory" | "advisory";
    readonly remediation: string;
    /** Control mappings, as the catalogue's rules carry them (reports group by them). */
    readonly controls: ControlMappings;
}

export const KEY_ENFORCED: ProbeRule = {
    controls: { awsSecurityHub: [], nist80053: ["AC-3", "CA-2", "CA-7"], pciDssV4: ["11.3.1"] },
    id: "apigateway-probe-key-enforced",
    title: "A deployed keyed route refuses calls without a valid API key and accepts the valid one",
    description: "Called without an X-API-Key header, and with a wrong key, the stage answers 403 with API Gateway's missing-key body {\"message\":\"Forbidden\"}; called with the valid key it does not answer 403.",
    severity: "high",
    enforcementLevel: "mandatory",
    remediation: "Set apiKeyRequired: true on the method (Terraform: api_key_required = true) and redeploy the stage: a method change is not live until a new deployment reaches the stage. If the valid key is refused, attach it to a usage plan that serves this API stage, enable it, and keep the REST API's apiKeySource HEADER.",
};

export const PUBLIC_OPEN: ProbeRule = {
    controls: { awsSecurityHub: [], nist80053: ["CA-7"], pciDssV4: [] },
    id: "apigateway-probe-public-open",
    title: "A deployed public route answers without an API key",
    description: "A route declared public (e.g. /health) is callable without a key: the stage does not answer 401 or 403.",
    severity: "medium",
    enforcementLevel: "advisory",
    remediation: "Set apiKeyRequired: false and authorization NONE on the public method (SecuredRestApi: `public: true` on the route) and redeploy the stage; list the path in apigateway-method-api-key-required.exemptPaths. If the route should require a key, declare it keyed in the probe's routes instead.",
};

export const CORS_PREFLIGHT: ProbeRule = {
    controls: { awsSecurityHub: [], nist80053: ["CA-7"], pciDssV4: [] },
    id: "apigateway-probe-cors-preflight",
    title: "A deployed CORS preflight (OPTIONS) answers without an API key",
    description: "Browsers send the CORS preflight without credentials or custom headers, so it cannot carry X-API-Key: where CORS is enabled, OPTIONS without a key must not be refused.",
    severity: "medium",
    enforcementLevel: "advisory",
    remediation: "Give the path an OPTIONS method with apiKeyRequired: false and a MOCK integration that returns the Access-Control-Allow-* headers (SecuredRestApi does this when `cors` is set), then redeploy the stage.",
};

export const BACKEND: ProbeRule = {
    controls: { awsSecurityHub: [], nist80053: ["SI-4"], pciDssV4: [] },
    id: "apigateway-probe-backend",
    title: "A deployed route's backend answers without a server error",
    description: "A request that passed the key check (or a public route's request) gets an answer below 500: the integration behind the route works.",
    severity: "medium",
    enforcementLevel: "advisory",
    remediation: "Look at the stage's execution and access logs (integrationStatus, errorMessage) and the backend's own logs: a 502 usually means a Lambda proxy answer in the wrong shape or a failing function, a 504 an integration timeout.",
};

export const PROBE_RULES: readonly ProbeRule[] = [KEY_ENFORCED, PUBLIC_OPEN, CORS_PREFLIGHT, BACKEND];

import { isUnknown, RestApiEntity } from "../model";
import { example } from "../model/examples";
import { defineRule, Outcome } from "./types";
import { describeUnknown } from "./util";

export interface RestApiKeySourceHeaderConfig {
    /** Accept `AUTHORIZER` (the key comes from a Lambda authorizer's `usageIdentifierKey`). */
    allowAuthorizer: boolean;
}

export default defineRule<RestApiKeySourceHeaderConfig>({
    id: "apigateway-rest-api-key-source-header",
    title: "REST APIs read API keys from the X-API-Key header",
    description: "Every REST API takes its API keys from the X-API-Key request header (apiKeySource HEADER, the AWS default). With AUTHORIZER the key is whatever a Lambda authorizer returns as usageIdentifierKey, so throttling and quotas depend on authorizer code rather than on what the client sent; that is allowed only when configured.",
    severity: "medium",
    enforcementLevel: "mandatory",
    scope: "resource",
    appliesTo: ["rest-api"],
    controls: { awsSecurityHub: [], nist80053: ["AC-3"], pciDssV4: [] },
    remediation: "Set apiKeySource: \"HEADER\" on the REST API (Terraform: api_key_source = \"HEADER\"), or remove the setting and the x-amazon-apigateway-api-key-source extension from its OpenAPI body; if a Lambda authorizer is meant to supply the key, set allowAuthorizer: true in this policy's config.",
    configSchema: {
        type: "object",
        properties: {
            allowAuthorizer: { type: "boolean", default: false, description: "Accept apiKeySource AUTHORIZER (a Lambda authorizer returns the key as usageIdentifierKey)." },
        },
    },
    examples: {
        compliant: { description: "The REST API reads keys from the X-API-Key header.", entities: [example.restApi("api", { apiKeySource: "HEADER" })] },
        nonCompliant: { description: "The REST API takes keys from a Lambda authorizer.", entities: [example.restApi("api", { apiKeySource: "AUTHORIZER" })] },
    },
    evaluate(inventory, config) {
        return inventory.ofKind("rest-api").map(api => judge(api, config));
    },
});

function judge(api: RestApiEntity, config: RestApiKeySourceHeaderConfig): Outcome {
    const { ref, apiKeySource } = api;
    const label = `REST API '${api.name}'`;
    if (isUnknown(apiKeySource)) {
        return { ref, status: "unknown", message: `cannot tell yet where ${label} reads API keys from: ${describeUnknown(apiKeySource)}` };
    }
    if (apiKeySource === undefined) {
        return { ref, status: "pass", message: `${label} does not set apiKeySource; AWS defaults to HEADER, so keys are read from the X-API-Key header` };
    }
    const source = apiKeySource.toUpperCase();
    if (source === "HEADER") {
        return { ref, status: "pass", message: `${label} reads API keys from the X-API-Key header (apiKeySource HEADER)` };
    }
    if (source === "AUTHORIZER") {
        return config.allowAuthorizer
            ? { ref, status: "pass", message: `${label} takes API keys from a Lambda authorizer's usageIdentifierKey (apiKeySource AUTHORIZER, allowed by allowAuthorizer)` }
            : {
                ref,
                status: "fail",
                field: "apiKeySource",
                message: `${label} takes API keys from a Lambda authorizer (apiKeySource AUTHORIZER): which key is throttled and counted depends on the authorizer's code, not on the X-API-Key the client sent. Set apiKeySource to HEADER, or set allowAuthorizer: true in this policy's config if that is intended.`,
            };
    }
    return {
        ref,
        status: "fail",
        field: "apiKeySource",
        message: `${label} sets apiKeySource to '${apiKeySource}', which AWS does not recognise (only HEADER or AUTHORIZER). Set apiKeySource to HEADER.`,
    };
}

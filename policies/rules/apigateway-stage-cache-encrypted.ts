import { isUnknown, MethodSettingsEntity } from "../model";
import { example } from "../model/examples";
import { defineRule, Outcome } from "./types";
import { describeUnknown } from "./util";

/** No settings: an unencrypted response cache is never wanted. */
export type StageCacheEncryptedConfig = Record<string, never>;

export default defineRule<StageCacheEncryptedConfig>({
    id: "apigateway-stage-cache-encrypted",
    title: "API Gateway response caches are encrypted at rest",
    description: "Where method settings turn response caching on, they also turn cache encryption on (cacheDataEncrypted / cache_data_encrypted = true). Cached responses can hold the same data as the backend's answers; API Gateway leaves them unencrypted unless told otherwise.",
    severity: "medium",
    enforcementLevel: "mandatory",
    scope: "resource",
    appliesTo: ["method-settings"],
    controls: { awsSecurityHub: ["APIGateway.5"], nist80053: ["SC-28"], pciDssV4: ["3.5.1"] },
    remediation: "Set cacheDataEncrypted: true in the method settings that enable caching (Terraform: settings { cache_data_encrypted = true }), or turn caching off for those methods.",
    configSchema: { type: "object", properties: {} },
    examples: {
        compliant: {
            description: "Caching is on for all methods of the prod stage, and the cache is encrypted.",
            entities: [example.methodSettings("all", { cachingEnabled: true, cacheDataEncrypted: true })],
        },
        nonCompliant: {
            description: "Caching is on, but cache encryption is not set (API Gateway's default is unencrypted).",
            entities: [example.methodSettings("all", { cachingEnabled: true, cacheDataEncrypted: undefined })],
        },
    },
    evaluate(inventory) {
        return inventory.ofKind("method-settings").map(judge);
    },
});

function judge(settings: MethodSettingsEntity): Outcome {
    const { ref, cachingEnabled, cacheDataEncrypted } = settings;
    const label = describeSettings(settings);
    // An encrypted cache is compliant whether or not caching turns out to be on.
    if (cacheDataEncrypted === true) {
        return cachingEnabled === true
            ? { ref, status: "pass", message: `${label} caches responses and encrypts the cache` }
            : { ref, status: "pass", message: `${label} sets cache encryption on` };
    }
    if (isUnknown(cachingEnabled)) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} caches responses: ${describeUnknown(cachingEnabled)}` };
    }
    if (cachingEnabled !== true) {
        return { ref, status: "not-applicable", message: `${label} does not enable response caching` };
    }
    if (isUnknown(cacheDataEncrypted)) {
        return { ref, status: "unknown", message: `cannot tell yet whether the response cache of ${label} is encrypted: ${describeUnknown(cacheDataEncrypted)}` };
    }
    return {
        ref,
        status: "fail",
        field: "cacheDataEncrypted",
        message: `${label} caches responses without encrypting the cache (cacheDataEncrypted is ${cacheDataEncrypted === undefined ? "not set, which means false" : "false"}). Set cacheDataEncrypted: true (Terraform: cache_data_encrypted = true), or turn caching off`,
    };
}

function describeSettings(settings: MethodSettingsEntity): string {
    const stage = typeof settings.stageName === "string" ? `stage '${settings.stageName}'` : "stage ?";
    const path = typeof settings.methodPath === "string" ? settings.methodPath : "?";
    return `method settings '${settings.name}' (${stage}, ${path})`;
}

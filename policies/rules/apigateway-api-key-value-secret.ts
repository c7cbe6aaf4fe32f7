import { ApiKeyEntity, isUnknown, UsagePlanKeyEntity } from "../model";
import { example } from "../model/examples";
import { defineRule, Outcome } from "./types";
import { describeUnknown } from "./util";

export interface ApiKeyValueSecretConfig {
    /** Shortest acceptable key value where the length is known. */
    minLength: number;
    /** Fail (not just warn) when a secret value is supplied by the program instead of generated. */
    requireGenerated: boolean;
}

/** How many other key names a duplicate-value message lists before summarising. */
const MAX_NAMED_DUPLICATES = 5;

export default defineRule<ApiKeyValueSecretConfig>({
    id: "apigateway-api-key-value-secret",
    title: "API key values are never plain text and never shared",
    description: "An API key value given in code, config or state outputs is never plain text: let API Gateway generate it, derive it from a generator resource, or pass it as a secret. No two keys share a value (a shared value makes the keys indistinguishable: usage plans, throttling and revocation can no longer tell the clients apart). Imported values meet a minimum length. Usage-plan attachments that copy the key value into state in plain text are reported too.",
    severity: "critical",
    enforcementLevel: "mandatory",
    scope: "stack",
    appliesTo: ["api-key", "usage-plan-key"],
    controls: { awsSecurityHub: [], nist80053: ["IA-5", "IA-5(1)", "SC-28"], pciDssV4: ["8.3.2", "8.6.2"] },
    remediation: "Omit the key value so API Gateway generates one, or generate it in the program (random.RandomPassword / random_password) or pass it as a secret (pulumi.secret, config --secret, a sensitive Terraform variable). Give every key its own value. Keep Terraform state, which copies key values onto usage-plan attachments, in an encrypted, access-controlled backend.",
    configSchema: {
        type: "object",
        properties: {
            minLength: {
                type: "integer", minimum: 20, maximum: 128, default: 20,
                description: "Minimum length of a key value where the length is known. API Gateway rejects imported values shorter than 20 characters and longer than 128.",
            },
            requireGenerated: {
                type: "boolean", default: false,
                description: "Pulumi marks every key value secret, so a literal in the code looks like a secret config value. By default a program-supplied value is a warning; true makes it a failure (values must be generated).",
            },
        },
    },
    examples: {
        compliant: {
            description: "The key value is generated (or left to API Gateway).",
            entities: [example.apiKey("key", { value: { handling: "generated" } }), example.apiKey("other", { value: { handling: "absent" } })],
        },
        nonCompliant: {
            description: "The key value is written in the program in plain text.",
            entities: [example.apiKey("key", { value: { handling: "plaintext", length: 24 } })],
        },
    },
    evaluate(inventory, config) {
        const keys = inventory.ofKind("api-key");
        // Attachments carry a copy of their key's value, so only keys take part in duplicate detection.
        const keysByFingerprint = new Map<string, ApiKeyEntity[]>();
        for (const key of keys) {
            const fingerprint = key.value.fingerprint;
            if (fingerprint !== undefined) {
                const group = keysByFingerprint.get(fingerprint);
                if (group) {
                    group.push(key);
                } else {
                    keysByFingerprint.set(fingerprint, [key]);
                }
            }
        }
        const outcomes: Outcome[] = keys.map(key => judgeKey(key, keysByFingerprint, config));
        for (const attachment of inventory.ofKind("usage-plan-key")) {
            outcomes.push(judgeAttachment(attachment));
        }
        return outcomes;
    },
});

function judgeKey(key: ApiKeyEntity, keysByFingerprint: ReadonlyMap<string, readonly ApiKeyEntity[]>, config: ApiKeyValueSecretConfig): Outcome {
    const { ref, value } = key;
    const problems: string[] = [];
    if (value.handling === "plaintext") {
        problems.push("its value is written in plain text in code, config or state: omit the value so API Gateway generates one, generate it (random.RandomPassword / random_password), or pass it as a secret");
    }
    if (value.handling !== "absent" && typeof value.length === "number" && value.length < config.minLength) {
        problems.push(`its value is shorter than ${config.minLength} characters: use a longer, randomly generated value (API Gateway rejects imported values under 20 characters)`);
    }
    const group = value.fingerprint !== undefined ? keysByFingerprint.get(value.fingerprint) : undefined;
    if (group && group.length > 1) {
        const others = group.filter(other => other.ref !== ref).map(other => `'${other.name}'`);
        const named = others.length > MAX_NAMED_DUPLICATES
            ? `${others.slice(0, MAX_NAMED_DUPLICATES).join(", ")} and ${others.length - MAX_NAMED_DUPLICATES} more`
            : others.join(", ");
        problems.push(`it has the same value as key(s) ${named}: API Gateway cannot tell their clients apart, so limits, usage and revocation apply to all of them. Give each key its own generated value`);
    }
    if (problems.length > 0) {
        return { ref, status: "fail", field: "value", message: `key '${key.name}': ${problems.join("; ")}` };
    }
    if (isUnknown(value.handling)) {
        return { ref, status: "unknown", message: `cannot tell yet how the value of key '${key.name}' is handled: ${describeUnknown(value.handling)}` };
    }
    if (value.handling === "secret" && value.origin === "program") {
        return {
            ref, status: "fail", field: "value", advisoryOnly: !config.requireGenerated,
            message: `key '${key.name}': its value is supplied by the program rather than generated. It is stored as a secret, but if it is typed into the code it is plain text in your repository: generate it (random.RandomPassword; the apigw-guard RotatingApiKey does) or read it from a secret config value`,
        };
    }
    const how = value.handling === "absent" ? "is generated by API Gateway" : value.handling === "generated" ? "is generated in the program" : "is held as a secret";
    // A value held only as ciphertext cannot be compared: say so rather than claim it is unique.
    const sharing = value.fingerprint !== undefined || value.handling === "absent" || value.handling === "generated"
        ? "and not shared with another key"
        : "(whether another key shares it cannot be seen: it is encrypted)";
    return { ref, status: "pass", message: `key '${key.name}': its value ${how} ${sharing}` };
}

function judgeAttachment(attachment: UsagePlanKeyEntity): Outcome {
    const { ref, value } = attachment;
    if (value === undefined) {
        return { ref, status: "not-applicable", message: `usage-plan attachment '${attachment.name}' does not carry the key value` };
    }
    if (value.handling === "plaintext") {
        return {
            ref,
            status: "fail",
            message: `usage-plan attachment '${attachment.name}' exposes the API key value in plain text (Terraform stores aws_api_gateway_usage_plan_key.value in state unmarked): keep the state in an encrypted, access-controlled backend and restrict who can read it, or attach keys with a tool that does not copy the value`,
        };
    }
    if (isUnknown(value.handling)) {
        return { ref, status: "unknown", message: `cannot tell yet whether usage-plan attachment '${attachment.name}' exposes the key value: ${describeUnknown(value.handling)}` };
    }
    return { ref, status: "not-applicable", message: `usage-plan attachment '${attachment.name}' holds the key value only as a ${value.handling === "secret" ? "secret" : "non-plain-text value"}` };
}

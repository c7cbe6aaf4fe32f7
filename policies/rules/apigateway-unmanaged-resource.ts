import { Entity, MANAGEABLE_KINDS, Management } from "../model";
import { example } from "../model/examples";
import { defineRule, Outcome } from "./types";

/** No settings: the rule judges what `audit --managed-by` found; its level is set the usual way. */
export type UnmanagedResourceConfig = Record<string, never>;

export default defineRule<UnmanagedResourceConfig>({
    id: "apigateway-unmanaged-resource",
    title: "Live API keys, usage plans, APIs and stages are managed by code",
    description: "In a live audit with --managed-by, every API key, usage plan, REST/HTTP API and stage of the account must be managed by one of the given inputs (Terraform plans, state or configuration, Pulumi stack exports), matched by id or ARN where the input knows them, by name otherwise. A resource created in the console escapes review, rotation and the other rules' checks in CI. Without --managed-by (every scan, the policy pack) the resources are the code and the rule reports nothing.",
    severity: "medium",
    enforcementLevel: "advisory",
    scope: "resource",
    appliesTo: MANAGEABLE_KINDS,
    controls: { awsSecurityHub: [], nist80053: ["CM-8", "CM-2", "CM-3"], pciDssV4: ["12.5.1", "6.5.1"] },
    remediation: "Bring the resource under code: import it (`terraform import` / an `import` block, `pulumi import`) into the configuration that should own it, then let reviews and the pipeline change it. If nothing uses it, delete it. If the code that manages it exists, pass it to --managed-by too.",
    configSchema: { type: "object", properties: {} },
    examples: {
        compliant: {
            description: "The key is managed by the Terraform state it was compared with, matched by its id.",
            entities: [example.apiKey("key", { management: { state: "managed", match: "id", input: "state.json", location: "aws_api_gateway_api_key.key" } })],
        },
        nonCompliant: {
            description: "The key was created in the console: no input manages it.",
            entities: [example.apiKey("key", { management: { state: "unmanaged", inputsCompared: 2 } })],
        },
    },
    evaluate(inventory) {
        const outcomes: Outcome[] = [];
        for (const kind of MANAGEABLE_KINDS) {
            for (const entity of inventory.ofKind(kind)) {
                // Nothing was compared (every scan, the pack): nothing to say, rather than a
                // not-applicable line per key, plan, API and stage in every report.
                if (entity.management !== undefined) {
                    outcomes.push(judge(entity, entity.management));
                }
            }
        }
        return outcomes;
    },
});

function judge(entity: Entity, management: Management): Outcome {
    const { ref } = entity;
    const label = labelOf(entity);
    switch (management.state) {
        case "managed":
            return { ref, status: "pass", message: `${label} is managed by ${management.input}: ${management.location} (matched by ${describeMatch(entity, management.match)})` };
        case "unmanaged":
            return {
                ref,
                status: "fail",
                message: `${label} is managed by no input: none of the ${management.inputsCompared} input(s) compared has it by id, ARN or name. Import it into code (terraform import / pulumi import), or delete it if nothing uses it`,
                metrics: { inputsCompared: management.inputsCompared },
            };
        case "unknown":
            return { ref, status: "unknown", message: `cannot tell whether ${label} is managed by code: ${management.reason}` };
    }
}

function describeMatch(entity: Entity, match: Extract<Management, { state: "managed" }>["match"]): string {
    const how = match === "arn" ? "ARN" : match;
    if (entity.kind === "stage" && match !== "arn") {
        return `its API's ${how} and its stage name`;
    }
    return how;
}

function labelOf(entity: Entity): string {
    switch (entity.kind) {
        case "api-key":
            return `API key '${entity.name}'`;
        case "usage-plan":
            return `usage plan '${entity.name}'`;
        case "rest-api":
            return `REST API '${entity.name}'`;
        case "v2-api":
            return `${typeof entity.protocolType === "string" && entity.protocolType === "WEBSOCKET" ? "WebSocket" : "HTTP"} API '${entity.name}'`;
        case "stage":
            // The stage name, as the other stage rules write it (a live stage's name is `api/stage`; its ARN names the API).
            return `stage '${typeof entity.stageName === "string" ? entity.stageName : entity.name}'`;
        default:
            return `'${entity.name}'`;
    }
}

import { ApiKeyEntity, Inventory, isUnknown } from "../model";
import { example, exampleRef } from "../model/examples";
import { entityLink } from "../model";
import { defineRule, Outcome } from "./types";
import { ageInDays, describeUnknown, PlanStageCheck } from "./util";

export interface ApiKeyUnusedConfig {
    /** Disabled keys older than this many days should be deleted. */
    disabledGraceDays: number;
    /** Live audit: a key with no requests in this many days is unused. */
    unusedDays: number;
}

export default defineRule<ApiKeyUnusedConfig>({
    id: "apigateway-api-key-unused",
    title: "API keys are in use, or deleted",
    description: "Every enabled API key belongs to at least one usage plan that serves at least one API stage (a stage its API has: a plan naming a stage the API does not have, such as a deployment id, serves none); disabled keys are deleted after a grace period; in a live audit, keys with no requests in the usage window are reported.",
    severity: "medium",
    enforcementLevel: "mandatory",
    scope: "stack",
    appliesTo: ["api-key"],
    controls: { awsSecurityHub: [], nist80053: ["AC-2", "AC-2(3)", "CM-7"], pciDssV4: ["8.2.6", "8.3.9"] },
    remediation: "Attach the key to a usage plan that serves an API stage (aws.apigateway.UsagePlanKey / aws_api_gateway_usage_plan_key), or delete the key if no client uses it.",
    configSchema: {
        type: "object",
        properties: {
            disabledGraceDays: { type: "integer", minimum: 0, default: 30, description: "Days a disabled key may remain before it should be deleted." },
            unusedDays: { type: "integer", minimum: 1, maximum: 90, default: 30, description: "Live audit: the usage window; a key with zero requests in it is unused." },
        },
    },
    examples: {
        compliant: {
            description: "The key is attached to a plan that serves the prod stage.",
            entities: [example.apiKey("key"), example.usagePlan("plan"), example.usagePlanKey("attach")],
        },
        nonCompliant: {
            description: "The key is not attached to any usage plan.",
            entities: [example.apiKey("key"), example.usagePlan("plan"),
                example.usagePlanKey("attach-other", { apiKey: entityLink(exampleRef("api-key", "other")) })],
        },
    },
    evaluate(inventory, config, context) {
        const unresolvedAttachments = inventory.ofKind("usage-plan-key").filter(k => k.apiKey.kind === "unknown");
        const stageCheck = new PlanStageCheck(inventory);
        return inventory.ofKind("api-key").map(key => judge(inventory, key, config, context.now, unresolvedAttachments.length, stageCheck));
    },
});

function judge(inventory: Inventory, key: ApiKeyEntity, config: ApiKeyUnusedConfig, now: Date, unresolved: number, stageCheck: PlanStageCheck): Outcome {
    const { ref } = key;
    if (key.enabled === false) {
        if (typeof key.createdDate !== "string") {
            return { ref, status: "unknown", message: `key '${key.name}' is disabled; its age is not known, so cannot tell whether it is past the ${config.disabledGraceDays}-day grace period` };
        }
        const age = ageInDays(key.createdDate, now);
        if (age === undefined) {
            return { ref, status: "unknown", message: `key '${key.name}' is disabled and its creation date does not parse` };
        }
        return age > config.disabledGraceDays
            ? { ref, status: "fail", message: `key '${key.name}' has been disabled and is ${age} days old (grace period ${config.disabledGraceDays} days): delete it` }
            : { ref, status: "pass", message: `key '${key.name}' is disabled and within the ${config.disabledGraceDays}-day grace period` };
    }
    if (isUnknown(key.enabled)) {
        return { ref, status: "unknown", message: `cannot tell yet whether key '${key.name}' is enabled: ${describeUnknown(key.enabled)}` };
    }
    if (key.requestsInWindow === 0) {
        return { ref, status: "fail", message: `key '${key.name}' made no requests in the last ${config.unusedDays} days: delete it or disable it` };
    }
    const attachments = inventory.referencing(ref, "usage-plan-key", "apiKey");
    let servingPlan: string | undefined;
    let undecided: string | undefined;
    let missingStages: string | undefined;
    for (const attachment of attachments) {
        const plan = inventory.resolve(attachment.usagePlan, "usage-plan");
        if (!plan) {
            undecided ??= attachment.usagePlan.kind === "external"
                ? `it is attached to usage plan '${attachment.usagePlan.id}', which is not in this inventory`
                : `the usage plan of attachment '${attachment.name}' cannot be identified yet`;
            continue;
        }
        if (isUnknown(plan.apiStages)) {
            undecided ??= `the API stages of usage plan '${plan.name}' are not known yet`;
            continue;
        }
        // A stage the plan names that its API does not have serves nothing: AWS rejects that association.
        const statuses = plan.apiStages.map(apiStage => stageCheck.status(apiStage));
        if (statuses.some(found => found.status === "exists")) {
            servingPlan = plan.name;
            break;
        }
        const open = statuses.find(found => found.status === "unknown");
        if (open && open.status === "unknown") {
            undecided ??= `whether usage plan '${plan.name}' serves a stage cannot be told: ${open.why}`;
        } else if (statuses.length > 0) {
            missingStages ??= `usage plan '${plan.name}' serves no stage: ${statuses.flatMap(found => found.status === "missing" ? [found.why] : []).join("; ")}`;
        }
    }
    if (servingPlan !== undefined) {
        return { ref, status: "pass", message: `key '${key.name}' is attached to usage plan '${servingPlan}', which serves an API stage` };
    }
    if (undecided !== undefined) {
        return { ref, status: "unknown", message: `cannot tell whether key '${key.name}' is in use: ${undecided}` };
    }
    if (unresolved > 0) {
        return { ref, status: "unknown", message: `cannot tell whether key '${key.name}' is in use: ${unresolved} usage-plan attachment(s) name a key that cannot be identified yet` };
    }
    return {
        ref,
        status: "fail",
        message: attachments.length === 0
            ? `key '${key.name}' is not attached to any usage plan: no throttling or quota applies to it. Attach it to a usage plan or delete it`
            : `key '${key.name}' is only attached to usage plans that serve no API stage${missingStages !== undefined ? ` (${missingStages}; AWS rejects that association at apply)` : ""}: it cannot be used. Add the stage to the plan or delete the key`,
    };
}

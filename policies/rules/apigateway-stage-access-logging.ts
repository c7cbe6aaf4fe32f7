import { Inventory, isUnknown, StageEntity } from "../model";
import { example } from "../model/examples";
import { defineRule, Outcome } from "./types";
import { describeUnknown } from "./util";

export interface StageAccessLoggingConfig {
    /** `$context` variables the access log format must contain, without the `$context.` prefix. */
    requiredFormatFields: string[];
}

export default defineRule<StageAccessLoggingConfig>({
    id: "apigateway-stage-access-logging",
    title: "API Gateway stages write access logs",
    description: "Every stage (REST API, HTTP API and WebSocket API) writes access logs: access log settings with a destination ARN (a CloudWatch Logs log group or a Firehose stream) and a non-empty format that contains the required $context variables (by default $context.requestId, which ties a log line to a request). Where the log group was looked up (live audit) and does not exist, the stage fails: API Gateway drops the logs.",
    severity: "high",
    enforcementLevel: "mandatory",
    scope: "resource",
    contextual: true,
    appliesTo: ["stage"],
    // Security Hub checks access logging only for v2 stages (APIGateway.9); REST stages have no such control.
    controls: { awsSecurityHub: ["APIGateway.9"], nist80053: ["AU-2", "AU-3", "AU-12"], pciDssV4: ["10.2.1"] },
    remediation: "Set accessLogSettings on the stage (Terraform: access_log_settings { destination_arn, format }) with the ARN of a CloudWatch Logs log group and a format that includes $context.requestId (for example a JSON line with requestId, ip, caller, apiKeyId, status).",
    configSchema: {
        type: "object",
        properties: {
            requiredFormatFields: {
                type: "array",
                items: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9_.-]*$" },
                default: ["requestId"],
                description: "$context variables (without the `$context.` prefix, e.g. \"requestId\", \"identity.apiKeyId\") that must appear in the access log format.",
            },
        },
    },
    examples: {
        compliant: { description: "The prod stage logs JSON lines with the request id to a log group.", entities: [example.stage("prod")] },
        nonCompliant: { description: "The prod stage has no access log settings.", entities: [example.stage("prod", { accessLogSettings: undefined })] },
    },
    evaluate(inventory, config) {
        return inventory.ofKind("stage").map(stage => judge(inventory, stage, config.requiredFormatFields));
    },
});

export function stageLabel(stage: StageEntity): string {
    const stageName = typeof stage.stageName === "string" ? stage.stageName : stage.name;
    const kind = stage.apiVersion === "v1" ? "REST API stage" : "API Gateway v2 stage";
    return stageName === stage.name ? `${kind} '${stageName}'` : `${kind} '${stageName}' ('${stage.name}')`;
}

function judge(inventory: Inventory, stage: StageEntity, requiredFields: readonly string[]): Outcome {
    const { ref, accessLogSettings } = stage;
    const label = stageLabel(stage);
    if (isUnknown(accessLogSettings)) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} writes access logs: ${describeUnknown(accessLogSettings)}` };
    }
    if (accessLogSettings === undefined) {
        return {
            ref,
            status: "fail",
            field: "accessLogSettings",
            message: `${label} has no access logging: set accessLogSettings with the ARN of a CloudWatch Logs log group and a format that includes ${requiredFields.map(variable).join(", ") || "$context.requestId"}.`,
        };
    }
    const problems: string[] = [];
    const unknowns: string[] = [];
    const { destinationArn, format } = accessLogSettings;
    const destinationGroup = accessLogSettings.destination ? inventory.resolve(accessLogSettings.destination, "log-group") : undefined;
    if (isUnknown(destinationArn)) {
        // A computed ARN is fine when it comes from a log group of the same program.
        if (destinationGroup === undefined) {
            unknowns.push(`its log destination ARN is not known yet (${describeUnknown(destinationArn)})`);
        }
    } else if (destinationArn === undefined || destinationArn.trim() === "") {
        problems.push("its access log settings have no destinationArn (set it to the ARN of a CloudWatch Logs log group)");
    }
    if (destinationGroup !== undefined) {
        const groupLabel = `its destination log group '${typeof destinationGroup.logGroupName === "string" ? destinationGroup.logGroupName : destinationGroup.name}'`;
        if (destinationGroup.exists === false) {
            // API Gateway does not create an access-log group: events for a missing one are dropped.
            problems.push(`${groupLabel} does not exist, so API Gateway drops its access logs (create the log group, or point destinationArn at one that exists)`);
        } else if (isUnknown(destinationGroup.exists)) {
            unknowns.push(`whether ${groupLabel} exists is not known (${describeUnknown(destinationGroup.exists)})`);
        }
    }
    if (isUnknown(format)) {
        unknowns.push(`its access log format is not known yet (${describeUnknown(format)})`);
    } else if (format === undefined || format.trim() === "") {
        problems.push("its access log settings have no format (set one, e.g. a JSON line with $context.requestId)");
    } else {
        const missing = requiredFields.filter(field => !formatHas(format, field));
        if (missing.length > 0) {
            problems.push(`its access log format lacks ${missing.map(variable).join(", ")} (add ${missing.length === 1 ? "it" : "them"} to the format)`);
        }
    }
    if (problems.length > 0) {
        return { ref, status: "fail", field: "accessLogSettings", message: `${label} does not write usable access logs: ${problems.join("; ")}.` };
    }
    if (unknowns.length > 0) {
        // In a one-resource view the log group a computed ARN comes from cannot be seen; the
        // whole stack may show it.
        const unresolved = isUnknown(destinationArn) && accessLogSettings.destination?.kind !== "entity";
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} writes access logs: ${unknowns.join("; ")}`, ...(unresolved ? { needsContext: true } : {}) };
    }
    return { ref, status: "pass", message: `${label} writes access logs with ${requiredFields.length > 0 ? requiredFields.map(variable).join(", ") : "a format"}` };
}

function variable(field: string): string {
    return `$context.${field}`;
}

/** Whole-variable match: `$context.identity.apiKey` must not be satisfied by `$context.identity.apiKeyId`. */
function formatHas(format: string, field: string): boolean {
    const escaped = variable(field).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`${escaped}(?![A-Za-z0-9_])`).test(format);
}

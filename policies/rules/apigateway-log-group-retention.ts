import { Inventory, isUnknown, Link, LogGroupEntity } from "../model";
import { example } from "../model/examples";
import { defineRule, Outcome } from "./types";
import { describeUnknown } from "./util";

export interface LogGroupRetentionConfig {
    /** Fewest days API Gateway logs must be kept. */
    minRetentionDays: number;
}

/** API Gateway writes REST API execution logs to a group it names itself: `API-Gateway-Execution-Logs_<api id>/<stage>`. */
const EXECUTION_LOG_GROUP = /^API-Gateway-Execution-Logs_[^/]+\/.+$/;

export default defineRule<LogGroupRetentionConfig>({
    id: "apigateway-log-group-retention",
    title: "API Gateway log groups keep logs long enough",
    description: "CloudWatch log groups that API Gateway writes to (a stage's access-log destination, a REST API execution-log group API-Gateway-Execution-Logs_<api id>/<stage>, or a WebSocket API execution-log group /aws/apigateway/<api id>/<stage>) keep their events for at least minRetentionDays. A group without a retention setting never expires its events: that meets the minimum (at a storage cost).",
    severity: "low",
    enforcementLevel: "advisory",
    scope: "stack",
    appliesTo: ["log-group"],
    controls: { awsSecurityHub: [], nist80053: ["AU-11"], pciDssV4: ["10.5.1"] },
    remediation: "Set retentionInDays on the log group (Terraform: retention_in_days) to at least the required number of days, e.g. 365 for PCI DSS 10.5.1. For execution-log groups, which API Gateway creates itself, declare the group in your program with the same name so its retention is managed.",
    configSchema: {
        type: "object",
        properties: {
            minRetentionDays: {
                type: "integer", minimum: 1, default: 365,
                description: "Fewest days API Gateway log groups must keep events (PCI DSS 10.5.1 asks for 12 months of audit log history).",
            },
        },
    },
    examples: {
        compliant: {
            description: "The access-log group of the prod stage keeps events for a year.",
            entities: [example.stage("prod"), example.logGroup("access", { retentionInDays: 365 })],
        },
        nonCompliant: {
            description: "The access-log group of the prod stage keeps events for two weeks.",
            entities: [example.stage("prod"), example.logGroup("access", { retentionInDays: 14 })],
        },
    },
    evaluate(inventory, config) {
        const destinations = stageDestinations(inventory);
        return inventory.ofKind("log-group").map(group => judge(group, destinations, config));
    },
});

interface StageDestinations {
    /** Log group names stages write to, with the stage that does (for messages). */
    readonly stageByGroupName: ReadonlyMap<string, string>;
    /** The same, by the log-group entity a stage's destination links to (its name may not be known yet). */
    readonly stageByGroupRef: ReadonlyMap<string, string>;
    /** A stage whose destination is not known yet (it might be any group), for messages. */
    readonly undecidedStage?: string;
}

/** `arn:aws:logs:<region>:<account>:log-group:<name>[:*]` → `<name>`. */
function logGroupNameFromArn(arn: string): string | undefined {
    const match = /:log-group:(.+?)(?::\*)?$/.exec(arn);
    return match ? match[1] : undefined;
}

function stageDestinations(inventory: Inventory): StageDestinations {
    const stageByGroupName = new Map<string, string>();
    const stageByGroupRef = new Map<string, string>();
    let undecidedStage: string | undefined;
    for (const stage of inventory.ofKind("stage")) {
        const stageLabel = `stage '${typeof stage.stageName === "string" ? stage.stageName : stage.name}'`;
        const settings = stage.accessLogSettings;
        const linkedGroup = settings !== undefined && !isUnknown(settings) && settings.destination
            ? inventory.resolve(settings.destination, "log-group") : undefined;
        if (linkedGroup !== undefined) {
            // Linked by reference: judged by the link, and by name too when the name is known.
            if (!stageByGroupRef.has(linkedGroup.ref)) {
                stageByGroupRef.set(linkedGroup.ref, `${stageLabel} (access logs)`);
            }
            if (typeof linkedGroup.logGroupName === "string" && !stageByGroupName.has(linkedGroup.logGroupName)) {
                stageByGroupName.set(linkedGroup.logGroupName, `${stageLabel} (access logs)`);
            }
        } else if (isUnknown(settings) || (settings !== undefined && isUnknown(settings.destinationArn))) {
            undecidedStage ??= stage.name;
        } else if (settings !== undefined && typeof settings.destinationArn === "string") {
            const name = logGroupNameFromArn(settings.destinationArn);
            if (name !== undefined && !stageByGroupName.has(name)) {
                stageByGroupName.set(name, `${stageLabel} (access logs)`);
            }
        }
        if (stage.apiVersion === "v2" && typeof stage.stageName === "string") {
            // WebSocket APIs write execution logs to a group API Gateway names after the API and stage.
            const api = inventory.resolve(stage.restApi, "v2-api");
            if (api !== undefined && typeof api.id === "string" && typeof api.protocolType === "string" && api.protocolType.toUpperCase() === "WEBSOCKET") {
                const name = `/aws/apigateway/${api.id}/${stage.stageName}`;
                if (!stageByGroupName.has(name)) {
                    stageByGroupName.set(name, `${stageLabel} (execution logs)`);
                }
            }
        }
        if (stage.apiVersion === "v1" && typeof stage.stageName === "string") {
            const apiId = restApiIdOf(inventory, stage.restApi);
            if (apiId !== undefined) {
                const name = `API-Gateway-Execution-Logs_${apiId}/${stage.stageName}`;
                if (!stageByGroupName.has(name)) {
                    stageByGroupName.set(name, `${stageLabel} (execution logs)`);
                }
            }
        }
    }
    return { stageByGroupName, stageByGroupRef, undecidedStage };
}

function restApiIdOf(inventory: Inventory, link: Link): string | undefined {
    if (link.kind === "external") {
        return link.id;
    }
    const api = inventory.resolve(link, "rest-api");
    return api && typeof api.id === "string" ? api.id : undefined;
}

function judge(group: LogGroupEntity, destinations: StageDestinations, config: LogGroupRetentionConfig): Outcome {
    const { ref, retentionInDays } = group;
    const name = typeof group.logGroupName === "string"
        ? group.logGroupName
        : typeof group.arn === "string" ? logGroupNameFromArn(group.arn) : undefined;
    const label = `log group '${name ?? group.name}'`;
    if (group.exists === false) {
        return { ref, status: "not-applicable", message: `${label} does not exist, so it keeps nothing (apigateway-stage-access-logging fails a stage that logs to it)` };
    }
    const writer = destinations.stageByGroupRef.get(ref) ?? (name === undefined
        ? undefined
        : destinations.stageByGroupName.get(name) ?? (EXECUTION_LOG_GROUP.test(name) ? "API Gateway execution logging" : undefined));
    // A group that would pass anyway does not need its use settled: it passes "if API Gateway writes to it".
    const meetsMinimum = !isUnknown(retentionInDays) &&
        (retentionInDays === undefined || retentionInDays === 0 || retentionInDays >= config.minRetentionDays);
    if (writer === undefined) {
        const undecided = name === undefined
            ? `its name is not known yet`
            : destinations.undecidedStage !== undefined
                ? `the access-log destination of stage '${destinations.undecidedStage}' is not known yet`
                : undefined;
        if (undecided === undefined) {
            return { ref, status: "not-applicable", message: `${label} is not written to by API Gateway` };
        }
        if (meetsMinimum && !isUnknown(retentionInDays)) {
            return { ref, status: "pass", message: `${label} ${retentionText(retentionInDays)}, which meets the ${config.minRetentionDays}-day minimum if API Gateway writes to it` };
        }
        return { ref, status: "unknown", message: `cannot tell yet whether API Gateway writes to ${label}: ${undecided}` };
    }
    if (isUnknown(retentionInDays)) {
        return { ref, status: "unknown", message: `cannot tell yet how long ${label} (used by ${writer}) keeps events: ${describeUnknown(retentionInDays)}` };
    }
    if (meetsMinimum) {
        return { ref, status: "pass", message: `${label} (used by ${writer}) ${retentionText(retentionInDays)}, which meets the ${config.minRetentionDays}-day minimum` };
    }
    return {
        ref,
        status: "fail",
        field: "retentionInDays",
        message: `${label} (used by ${writer}) keeps events for only ${retentionInDays} days: set retentionInDays (Terraform: retention_in_days) to at least ${config.minRetentionDays}`,
    };
}

function retentionText(retentionInDays: number | undefined): string {
    // CloudWatch treats an unset retention (Terraform's 0) as "never expire": compliant, but storage grows without bound.
    return retentionInDays === undefined || retentionInDays === 0
        ? "never expires its events (compliant; consider a finite retention to bound storage cost)"
        : `keeps events for ${retentionInDays} days`;
}

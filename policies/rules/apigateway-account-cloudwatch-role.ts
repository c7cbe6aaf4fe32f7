import { AccountEntity, Inventory, isUnknown, MethodSettingsEntity, StageEntity } from "../model";
import { example } from "../model/examples";
import { stageLabel } from "./apigateway-stage-access-logging";
import { StageMethodSettings } from "./apigateway-stage-execution-logging";
import { defineRule, Outcome } from "./types";
import { describeUnknown } from "./util";

// No settings: the rule follows from what the stages do.
export type AccountCloudwatchRoleConfig = Record<string, never>;

const LOGGING_LEVELS = new Set(["ERROR", "INFO"]);

export default defineRule<AccountCloudwatchRoleConfig>({
    id: "apigateway-account-cloudwatch-role",
    title: "API Gateway can write execution logs (account CloudWatch role)",
    description: "Where a stage turns on execution logging, the API Gateway account settings of that region name a CloudWatch Logs role (cloudwatchRoleArn). Without it API Gateway cannot write execution logs: AWS rejects the stage's logging settings, or (if the role is removed later) the logs silently stop.",
    severity: "medium",
    enforcementLevel: "mandatory",
    scope: "stack",
    // Outcomes go on the account settings; on the logging stage (or its method settings, when the
    // stage cannot be identified) when the account settings are not in the inventory.
    appliesTo: ["account", "stage", "method-settings"],
    controls: { awsSecurityHub: [], nist80053: ["AU-12"], pciDssV4: ["10.2.1"] },
    remediation: "Manage the region's API Gateway account settings (aws.apigateway.Account / aws_api_gateway_account) with cloudwatchRoleArn set to a role that apigateway.amazonaws.com can assume and that has the AmazonAPIGatewayPushToCloudWatchLogs managed policy.",
    configSchema: { type: "object", properties: {} },
    examples: {
        compliant: {
            description: "The prod stage logs errors and the account settings name a CloudWatch role.",
            entities: [example.stage("prod"), example.methodSettings("prod-all"), example.account("account")],
        },
        nonCompliant: {
            description: "The prod stage logs errors but the account settings have no CloudWatch role.",
            entities: [example.stage("prod"), example.methodSettings("prod-all"), example.account("account", { cloudwatchRoleArn: undefined })],
        },
    },
    evaluate(inventory) {
        const sources = loggingSources(inventory);
        const accounts = inventory.ofKind("account");
        const outcomes = accounts.map(account => judgeAccount(account, [...sources.values()].filter(source => sameRegion(account.region, source.region))));
        for (const source of sources.values()) {
            if (!accounts.some(account => sameRegion(account.region, source.region))) {
                outcomes.push(unverifiable(source));
            }
        }
        return outcomes;
    },
});

/** Something that turns on execution logging (or may: its level is not known yet). */
interface LoggingSource {
    /** The stage, or the method settings when their stage cannot be identified. */
    readonly entity: StageEntity | MethodSettingsEntity;
    readonly label: string;
    readonly region?: string;
    /** `false`: the logging level is not known yet, so logging may be on. */
    definite: boolean;
}

function loggingSources(inventory: Inventory): Map<string, LoggingSource> {
    const sources = new Map<string, LoggingSource>();
    const add = (entity: StageEntity | MethodSettingsEntity, label: string, region: string | undefined, definite: boolean) => {
        const existing = sources.get(entity.ref);
        if (existing) {
            existing.definite ||= definite;
        } else {
            sources.set(entity.ref, { entity, label, region, definite });
        }
    };
    // Any method path counts, not only */*: AWS needs the role for logging on a single method too.
    const settingsIndex = new StageMethodSettings(inventory);
    for (const settings of inventory.ofKind("method-settings")) {
        const level = settings.loggingLevel;
        const definite = typeof level === "string" && LOGGING_LEVELS.has(level.toUpperCase());
        if (!definite && !isUnknown(level)) {
            continue;
        }
        const stage = settingsIndex.stageOf(settings);
        if (stage) {
            add(stage, stageLabel(stage), stage.region ?? settings.region, definite);
        } else {
            add(settings, `method settings '${settings.name}'`, settings.region, definite);
        }
    }
    for (const stage of inventory.ofKind("stage")) {
        if (stage.apiVersion !== "v2") {
            continue;
        }
        // Only WebSocket APIs have execution logs among v2 APIs.
        const protocol = inventory.resolve(stage.restApi, "v2-api")?.protocolType;
        if (typeof protocol === "string" && protocol.toUpperCase() === "HTTP") {
            continue;
        }
        const level = stage.v2LoggingLevel;
        const definite = typeof level === "string" && LOGGING_LEVELS.has(level.toUpperCase());
        if (definite || isUnknown(level)) {
            add(stage, stageLabel(stage), stage.region, definite);
        }
    }
    return sources;
}

/** An entity without a region may be in any region. */
function sameRegion(a: string | undefined, b: string | undefined): boolean {
    return a === undefined || b === undefined || a === b;
}

function names(sources: readonly LoggingSource[]): string {
    const shown = sources.slice(0, 5).map(source => source.label).join(", ");
    return sources.length > 5 ? `${shown} and ${sources.length - 5} more` : shown;
}

function judgeAccount(account: AccountEntity, sources: readonly LoggingSource[]): Outcome {
    const { ref, cloudwatchRoleArn } = account;
    const label = `API Gateway account settings '${account.name}'${account.region ? ` (${account.region})` : ""}`;
    if (sources.length === 0) {
        return { ref, status: "not-applicable", message: `${label}: no stage in this inventory${account.region ? " in this region" : ""} turns on execution logging, so no CloudWatch role is needed for it` };
    }
    const logging = sources.filter(source => source.definite);
    if (typeof cloudwatchRoleArn === "string" && cloudwatchRoleArn.trim() !== "") {
        return { ref, status: "pass", message: `${label} name a CloudWatch role, so API Gateway can write the execution logs of ${names(sources)}` };
    }
    if (isUnknown(cloudwatchRoleArn)) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} name a CloudWatch role for the execution logs of ${names(sources)}: ${describeUnknown(cloudwatchRoleArn)}` };
    }
    if (logging.length === 0) {
        return {
            ref,
            status: "unknown",
            message: `cannot tell yet whether ${label} need a CloudWatch role: the logging level of ${names(sources)} is not known yet, and no cloudwatchRoleArn is set`,
        };
    }
    return {
        ref,
        status: "fail",
        field: "cloudwatchRoleArn",
        message: `${label} have no cloudwatchRoleArn, but execution logging is on for ${names(logging)}: API Gateway cannot write those logs. Set cloudwatchRoleArn to a role that apigateway.amazonaws.com can assume, with the AmazonAPIGatewayPushToCloudWatchLogs policy.`,
    };
}

function unverifiable(source: LoggingSource): Outcome {
    const where = source.region ? ` in ${source.region}` : "";
    const what = source.definite ? "turns on execution logging" : "may turn on execution logging (its logging level is not known yet)";
    return {
        ref: source.entity.ref,
        status: "unknown",
        message: `cannot tell whether API Gateway can write the execution logs of ${source.label}: it ${what}, but the account-level CloudWatch role (API Gateway account settings${where}) is not managed here, so it cannot be verified. Manage the account settings with cloudwatchRoleArn in this stack, or check them in the AWS console.`,
    };
}

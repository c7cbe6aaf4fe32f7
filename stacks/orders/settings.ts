import * as pulumi from "@pulumi/pulumi";

export const PROJECT = "apigw-guard-examples";

export interface PlanLimits {
    readonly rateLimit: number;
    readonly burstLimit: number;
    readonly quotaLimit: number;
    readonly quotaPeriod: "DAY" | "WEEK" | "MONTH";
}

/** Everything the orders example reads from stack config (Pulumi.dev.yaml / Pulumi.prod.yaml). */
export interface OrdersSettings {
    readonly stageName: string;
    readonly loggingLevel: "ERROR" | "INFO";
    readonly logRetentionDays: number;
    readonly keyRotationDays: number;
    readonly stageThrottle: { readonly rateLimit: number; readonly burstLimit: number };
    readonly partnerPlan: PlanLimits;
    readonly internalPlan: PlanLimits;
    readonly allowOrigin: string;
    readonly legacyBackendUrl: string;
    /** Create the region's API Gateway account logging role here (once per account and region). */
    readonly manageAccountLogging: boolean;
    /** Put an AWS WAF web ACL (AWS managed common rules) in front of the stage. */
    readonly wafEnabled: boolean;
}

const DEFAULT_PARTNER_PLAN: PlanLimits = { rateLimit: 50, burstLimit: 100, quotaLimit: 100000, quotaPeriod: "DAY" };
const DEFAULT_INTERNAL_PLAN: PlanLimits = { rateLimit: 20, burstLimit: 40, quotaLimit: 20000, quotaPeriod: "DAY" };

export function readOrdersSettings(config = new pulumi.Config(PROJECT)): OrdersSettings {
    const level = config.get("loggingLevel") ?? "ERROR";
    if (level !== "ERROR" && level !== "INFO") {
        throw new Error(`config '${PROJECT}:loggingLevel' must be ERROR or INFO (got '${level}')`);
    }
    return {
        stageName: config.get("stageName") ?? pulumi.getStack(),
        loggingLevel: level,
        logRetentionDays: config.getNumber("logRetentionDays") ?? 365,
        keyRotationDays: config.getNumber("keyRotationDays") ?? 30,
        stageThrottle: config.getObject<OrdersSettings["stageThrottle"]>("stageThrottle") ?? { rateLimit: 100, burstLimit: 200 },
        partnerPlan: config.getObject<PlanLimits>("partnerPlan") ?? DEFAULT_PARTNER_PLAN,
        internalPlan: config.getObject<PlanLimits>("internalPlan") ?? DEFAULT_INTERNAL_PLAN,
        allowOrigin: config.get("allowOrigin") ?? "https://app.example.com",
        legacyBackendUrl: config.get("legacyBackendUrl") ?? "https://legacy.example.com",
        manageAccountLogging: config.getBoolean("manageAccountLogging") ?? true,
        wafEnabled: config.getBoolean("wafEnabled") ?? false,
    };
}

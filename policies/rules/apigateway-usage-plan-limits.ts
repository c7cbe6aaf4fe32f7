import { isUnknown, Maybe, UsagePlanEntity } from "../model";
import { example } from "../model/examples";
import { defineRule, Outcome } from "./types";
import { describeUnknown, PlanStageCheck } from "./util";

export type QuotaPeriod = "DAY" | "WEEK" | "MONTH";

export interface UsagePlanLimitsConfig {
    /** Every plan must throttle (steady rate + burst). */
    requireThrottle: boolean;
    /** Every plan must have a quota (limit per period). */
    requireQuota: boolean;
    /** Highest accepted steady-state rate (requests per second); 0 = no cap. */
    maxRateLimit: number;
    /** Quota periods accepted. */
    allowedQuotaPeriods: QuotaPeriod[];
}

export default defineRule<UsagePlanLimitsConfig>({
    id: "apigateway-usage-plan-limits",
    title: "Usage plans throttle and cap each API key",
    description: "Every usage plan sets a throttle (rateLimit > 0 and burstLimit > 0) and a quota (limit > 0 per DAY, WEEK or MONTH), so one API key cannot exhaust the backend or run up its cost. A plan without them lets every key attached to it call at the account-level limit. A plan that names a stage its API does not have (such as a deployment id) fails too: AWS rejects the association at apply.",
    severity: "medium",
    enforcementLevel: "mandatory",
    scope: "resource",
    appliesTo: ["usage-plan"],
    controls: { awsSecurityHub: [], nist80053: ["SC-5"], pciDssV4: [] },
    remediation: "Set throttleSettings { rateLimit, burstLimit } and quotaSettings { limit, period: \"DAY\" | \"WEEK\" | \"MONTH\" } on the usage plan (Terraform: throttle_settings and quota_settings blocks), sized for the clients the plan serves.",
    configSchema: {
        type: "object",
        properties: {
            requireThrottle: { type: "boolean", default: true, description: "Require throttleSettings with rateLimit > 0 and burstLimit > 0." },
            requireQuota: { type: "boolean", default: true, description: "Require quotaSettings with limit > 0 and an allowed period." },
            maxRateLimit: { type: "number", minimum: 0, default: 0, description: "Highest accepted throttle rateLimit (requests per second); 0 means no cap." },
            allowedQuotaPeriods: {
                type: "array",
                items: { type: "string", enum: ["DAY", "WEEK", "MONTH"] },
                minItems: 1,
                uniqueItems: true,
                default: ["DAY", "WEEK", "MONTH"],
                description: "Quota periods accepted.",
            },
        },
    },
    examples: {
        compliant: {
            description: "The plan allows 50 requests/s (bursts of 100) and 100,000 requests a month per key.",
            entities: [example.usagePlan("plan", { throttle: { rateLimit: 50, burstLimit: 100 }, quota: { limit: 100000, period: "MONTH" } })],
        },
        nonCompliant: {
            description: "The plan sets neither throttle nor quota.",
            entities: [example.usagePlan("plan", { throttle: undefined, quota: undefined })],
        },
    },
    evaluate(inventory, config) {
        const stageCheck = new PlanStageCheck(inventory);
        return inventory.ofKind("usage-plan").map(plan => judge(plan, config, stageCheck));
    },
});

interface Findings {
    readonly problems: string[];
    readonly unknowns: string[];
}

function judge(plan: UsagePlanEntity, config: UsagePlanLimitsConfig, stageCheck: PlanStageCheck): Outcome {
    const { ref } = plan;
    const label = `usage plan '${plan.name}'`;
    const findings: Findings = { problems: [], unknowns: [] };
    checkThrottle(plan, config, findings);
    checkQuota(plan, config, findings);
    checkStages(plan, stageCheck, findings);
    if (findings.problems.length > 0) {
        return { ref, status: "fail", message: `${label} does not limit its keys as required: ${findings.problems.join("; ")}.` };
    }
    if (findings.unknowns.length > 0) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} limits its keys: ${findings.unknowns.join("; ")}` };
    }
    const parts: string[] = [];
    if (plan.throttle !== undefined && !isUnknown(plan.throttle) && typeof plan.throttle.rateLimit === "number") {
        parts.push(`throttles at ${String(plan.throttle.rateLimit)} requests/s (burst ${String(plan.throttle.burstLimit)})`);
    }
    if (plan.quota !== undefined && !isUnknown(plan.quota) && typeof plan.quota.limit === "number") {
        parts.push(`caps each key at ${String(plan.quota.limit)} requests per ${String(plan.quota.period)}`);
    }
    return { ref, status: "pass", message: `${label} ${parts.length > 0 ? parts.join(" and ") : "needs no limits under this configuration"}` };
}

/**
 * The limits apply per API stage, and AWS rejects a plan that names a stage its API does not have,
 * so such a plan limits nothing. Only a provably missing stage is reported here: whether a stage
 * exists can only be told with the API and all its stages in view, which a per-resource check (the
 * CrossGuard pack) never has; apigateway-api-key-unused reports the keys of such a plan.
 */
function checkStages(plan: UsagePlanEntity, stageCheck: PlanStageCheck, { problems }: Findings): void {
    if (isUnknown(plan.apiStages)) {
        return;
    }
    for (const apiStage of plan.apiStages) {
        const found = stageCheck.status(apiStage);
        if (found.status === "missing") {
            problems.push(`${found.why}: AWS rejects this association at apply, so the plan limits nothing there. Name the stage by its stage name (Terraform: stage = aws_api_gateway_stage.<name>.stage_name)`);
        }
    }
}

function checkThrottle(plan: UsagePlanEntity, config: UsagePlanLimitsConfig, { problems, unknowns }: Findings): void {
    const { throttle } = plan;
    if (isUnknown(throttle)) {
        if (config.requireThrottle || config.maxRateLimit > 0) {
            unknowns.push(`its throttle settings are not known yet (${describeUnknown(throttle)})`);
        }
        return;
    }
    if (throttle === undefined) {
        if (config.requireThrottle) {
            problems.push("it has no throttle: set throttleSettings with rateLimit and burstLimit above 0");
        }
        return;
    }
    const { rateLimit, burstLimit } = throttle;
    if (config.requireThrottle) {
        positive(rateLimit, "throttle rateLimit", problems, unknowns);
        positive(burstLimit, "throttle burstLimit", problems, unknowns);
    }
    if (config.maxRateLimit > 0 && typeof rateLimit === "number" && rateLimit > config.maxRateLimit) {
        problems.push(`its throttle rateLimit ${rateLimit} is above the allowed maximum of ${config.maxRateLimit} requests/s: lower it`);
    } else if (config.maxRateLimit > 0 && isUnknown(rateLimit) && !config.requireThrottle) {
        unknowns.push(`its throttle rateLimit is not known yet (${describeUnknown(rateLimit)})`);
    }
}

function checkQuota(plan: UsagePlanEntity, config: UsagePlanLimitsConfig, { problems, unknowns }: Findings): void {
    if (!config.requireQuota) {
        return;
    }
    const { quota } = plan;
    if (isUnknown(quota)) {
        unknowns.push(`its quota settings are not known yet (${describeUnknown(quota)})`);
        return;
    }
    if (quota === undefined) {
        problems.push(`it has no quota: set quotaSettings with a limit above 0 and a period of ${config.allowedQuotaPeriods.join(", ")}`);
        return;
    }
    positive(quota.limit, "quota limit", problems, unknowns);
    const { period } = quota;
    if (isUnknown(period)) {
        unknowns.push(`its quota period is not known yet (${describeUnknown(period)})`);
    } else if (period === undefined) {
        problems.push(`its quota has no period: set it to one of ${config.allowedQuotaPeriods.join(", ")}`);
    } else if (!config.allowedQuotaPeriods.some(allowed => allowed === period.toUpperCase())) {
        problems.push(`its quota period ${period} is not allowed: use one of ${config.allowedQuotaPeriods.join(", ")}`);
    }
}

/**
 * A limit is set when it is a finite number above 0. Zero is what Terraform reports for a limit
 * that was never set, and what AWS does with it is no limit, so 0 fails (and is called 0, which it
 * is in the input). A number too large for a double (`1e999` in JSON) reads as Infinity: no limit.
 */
function positive(value: Maybe<number | undefined>, what: string, problems: string[], unknowns: string[]): void {
    if (isUnknown(value)) {
        unknowns.push(`its ${what} is not known yet (${describeUnknown(value)})`);
    } else if (value === undefined) {
        problems.push(`its ${what} is not set: set it above 0`);
    } else if (!Number.isFinite(value)) {
        problems.push(`its ${what} is not a finite number: set it to a number above 0`);
    } else if (!(value > 0)) {
        problems.push(`its ${what} is ${value}: set it above 0`);
    }
}

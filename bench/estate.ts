/**
 * The abstract API Gateway estate the benchmarks and scale tests run on: REST APIs with a tree of
 * resources and their methods, stages with access logs, stage-wide method settings, usage plans,
 * API keys and their usage-plan attachments, log groups and the account. It is built once from a
 * seed and then written out in each format (engine resources, Terraform plan JSON, Pulumi stack
 * export) by `generate.ts`, so every format describes the same estate and the same planted
 * violations.
 */
import { deriveSeed, Prng } from "./prng";

export interface EstateOptions {
    readonly seed: number;
    /** Exactly this many API Gateway / CloudWatch resources (the account included). */
    readonly resources: number;
    /**
     * Fraction of REST API units that are new in the plan/preview (ids and ARNs unknown, links
     * only through configuration references / property dependencies). Default 0.02: a CI plan
     * of a large estate adds a few APIs and leaves the rest in place. Stack exports are deployed
     * state, so there every unit is known whatever this says.
     */
    readonly createFraction?: number;
}

/** The clock the estate's dates are relative to (pass the same to `scan --now`). */
export const ESTATE_NOW = "2026-06-01T00:00:00Z";
export const REGION = "us-east-1";
export const ACCOUNT_ID = "123456789012";
export const DEFAULT_CREATE_FRACTION = 0.02;
export const ACCESS_LOG_FORMAT = JSON.stringify({
    requestId: "$context.requestId", ip: "$context.identity.sourceIp", apiKeyId: "$context.identity.apiKeyId",
    method: "$context.httpMethod", path: "$context.resourcePath", status: "$context.status",
});

export interface GenResource {
    /** Path without the leading slash, unique in its API (`orders/{id}`); the Terraform for_each key. */
    readonly key: string;
    readonly id: string;
    /** Index of the parent in `resources`, or -1 for the API's root resource. */
    readonly parent: number;
    readonly pathPart: string;
    readonly path: string;
    /** 1 for children of the root, up to 3. */
    readonly level: number;
}

export interface GenMethod {
    /** Index into `resources`, or -1 for the root resource `/`. */
    readonly resource: number;
    readonly httpMethod: string;
    readonly apiKeyRequired: boolean;
    readonly authorization: "NONE" | "AWS_IAM";
    /** `orders/{id}/GET`, `/GET` for the root: the Terraform for_each key. */
    readonly key: string;
}

export interface GenMethodSettings {
    readonly loggingLevel: "ERROR" | "INFO";
    readonly metricsEnabled: boolean;
    readonly dataTraceEnabled: boolean;
}

export interface GenStage {
    readonly name: string;
    readonly deploymentId: string;
    /** Index into the unit's `logGroups` when the stage writes access logs. */
    readonly logGroup?: number;
    readonly xrayTracingEnabled: boolean;
    /** The stage-wide (`*\/*`) method settings, when the stage has them. */
    readonly settings?: GenMethodSettings;
}

export interface GenLogGroup {
    /** for_each key / logical-name suffix. */
    readonly key: string;
    readonly name: string;
    readonly retentionInDays?: number;
}

export interface GenPlan {
    readonly name: string;
    readonly id: string;
    readonly stages: readonly string[];
    readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
    readonly quota?: { readonly limit: number; readonly period: "DAY" | "WEEK" | "MONTH" };
}

export interface GenKey {
    /** for_each key, e.g. `c007`. */
    readonly name: string;
    readonly id: string;
    readonly enabled: boolean;
    readonly createdDate: string;
    /** The key value (synthetic): in state and exports it is a secret, as in a real estate. */
    readonly value: string;
    /** Indexes into the unit's `plans`. */
    readonly plans: readonly number[];
}

export interface GenApi {
    readonly index: number;
    readonly name: string;
    readonly id: string;
    readonly rootResourceId: string;
    /** New in the plan/preview: its ids are unknown. */
    readonly created: boolean;
    readonly apiKeySource?: "HEADER" | "AUTHORIZER";
    readonly endpointType: "REGIONAL" | "EDGE";
    readonly createdDate: string;
    readonly resources: GenResource[];
    readonly methods: GenMethod[];
    readonly stages: GenStage[];
    readonly logGroups: GenLogGroup[];
    readonly plans: GenPlan[];
    readonly keys: GenKey[];
}

/** Failures each of these rules must report on the estate when every value is known. */
export type ExpectedFailures = Readonly<Record<string, number>>;

export interface Estate {
    readonly seed: number;
    readonly resourceCount: number;
    readonly createFraction: number;
    readonly apis: readonly GenApi[];
    /** Log groups outside any API unit (they fill the estate to exactly `resources`). */
    readonly extraLogGroups: readonly GenLogGroup[];
    readonly account: { readonly cloudwatchRoleArn: string };
    /** Resources by kind (Pulumi/Terraform resources, one entity each). */
    readonly counts: Readonly<Record<string, number>>;
    /** Planted failures per rule, counted over the whole estate (valid when every value is known). */
    readonly expectedFailures: ExpectedFailures;
    /**
     * The same, counted over the units that are not new. Rules whose verdict a new unit cannot
     * decide (its links are unknown until apply) are judged only there in a plan.
     */
    readonly expectedFailuresExisting: ExpectedFailures;
}

const PATH_WORDS = [
    "orders", "items", "users", "accounts", "payments", "invoices", "products", "carts", "search", "reports",
    "events", "health", "status", "profile", "settings", "tokens", "webhooks", "files", "shipments", "reviews",
];
const VERBS = ["GET", "POST", "PUT", "DELETE", "PATCH"];
const STAGE_NAMES = ["prod", "staging", "dev"];
const DAY_MS = 24 * 60 * 60 * 1000;
/** A unit smaller than this is not worth building: the remainder becomes extra log groups. */
const MIN_UNIT = 12;

function base36(n: number, width: number): string {
    return n.toString(36).padStart(width, "0");
}

/** The resources one API unit adds to the estate. */
export function unitSize(api: GenApi): number {
    const settings = api.stages.filter(s => s.settings !== undefined).length;
    const attachments = api.keys.reduce((sum, key) => sum + key.plans.length, 0);
    return 1 + api.resources.length + api.methods.length + api.stages.length + settings + api.logGroups.length +
        api.plans.length + api.keys.length + attachments;
}

function buildApi(seed: number, index: number, createFraction: number): GenApi {
    const prng = new Prng(deriveSeed(seed, index));
    const tag = base36(index, 4);
    const name = `svc-${String(index).padStart(5, "0")}`;
    const now = Date.parse(ESTATE_NOW);
    const created = prng.chance(createFraction);
    const sourceRoll = prng.next();
    const apiKeySource = sourceRoll < 0.9 ? "HEADER" : sourceRoll < 0.97 ? undefined : "AUTHORIZER";

    // Resources: a shallow tree (real APIs rarely nest deeper than three levels).
    const resources: GenResource[] = [];
    const childrenOf = new Map<number, Set<string>>();
    const resourceCount = prng.int(2, 10);
    for (let r = 0; r < resourceCount; r++) {
        const candidates = resources.map((res, i) => ({ res, i })).filter(({ res }) => res.level < 3);
        const parent = r < 1 || candidates.length === 0 || prng.chance(0.35) ? -1 : prng.pick(candidates).i;
        const siblings = childrenOf.get(parent) ?? new Set<string>();
        childrenOf.set(parent, siblings);
        let pathPart = parent >= 0 && !siblings.has("{id}") && prng.chance(0.5) ? "{id}" : prng.pick(PATH_WORDS);
        for (let n = 2; siblings.has(pathPart); n++) {
            pathPart = `${prng.pick(PATH_WORDS)}${n}`;
        }
        siblings.add(pathPart);
        const parentPath = parent >= 0 ? resources[parent].path : "";
        const path = `${parentPath}/${pathPart}`;
        resources.push({ key: path.slice(1), id: `${tag}${base36(r, 2)}${prng.chars(4)}`, parent, pathPart, path, level: parent >= 0 ? resources[parent].level + 1 : 1 });
    }

    const methods: GenMethod[] = [];
    const addMethods = (resource: number, count: number, options: boolean) => {
        const verbs = [...VERBS];
        for (let v = 0; v < count; v++) {
            const verb = verbs.splice(Math.floor(prng.next() * verbs.length), 1)[0];
            const key = `${resource >= 0 ? resources[resource].key : ""}/${verb}`;
            methods.push({ resource, httpMethod: verb, apiKeyRequired: prng.chance(0.94), authorization: prng.chance(0.3) ? "AWS_IAM" : "NONE", key });
        }
        if (options) {
            const key = `${resource >= 0 ? resources[resource].key : ""}/OPTIONS`;
            methods.push({ resource, httpMethod: "OPTIONS", apiKeyRequired: false, authorization: "NONE", key });
        }
    };
    if (prng.chance(0.2)) {
        addMethods(-1, 1, false);
    }
    for (let r = 0; r < resources.length; r++) {
        addMethods(r, prng.int(1, 3), prng.chance(0.35));
    }

    const stageRoll = prng.next();
    const stageCount = stageRoll < 0.4 ? 1 : stageRoll < 0.75 ? 2 : 3;
    const stages: GenStage[] = [];
    const logGroups: GenLogGroup[] = [];
    for (const stageName of STAGE_NAMES.slice(0, stageCount)) {
        let logGroup: number | undefined;
        if (prng.chance(0.9)) {
            const retentionRoll = prng.next();
            logGroups.push({
                key: stageName,
                name: `/aws/apigateway/${name}/${stageName}`,
                ...(retentionRoll < 0.9 ? { retentionInDays: prng.pick([30, 90, 365]) } : {}),
            });
            logGroup = logGroups.length - 1;
        }
        const settings: GenMethodSettings | undefined = prng.chance(0.85)
            ? { loggingLevel: prng.chance(0.7) ? "ERROR" : "INFO", metricsEnabled: true, dataTraceEnabled: prng.chance(0.05) }
            : undefined;
        stages.push({
            name: stageName,
            deploymentId: `${tag}${prng.chars(6)}`,
            ...(logGroup !== undefined ? { logGroup } : {}),
            xrayTracingEnabled: prng.chance(0.7),
            ...(settings ? { settings } : {}),
        });
    }

    // "standard" serves every stage, "premium" the first (prod): a key in both is in two plans on one stage.
    const plans: GenPlan[] = [];
    const planCount = prng.chance(0.5) ? 2 : 1;
    for (let p = 0; p < planCount; p++) {
        const rate = prng.pick([10, 50, 100, 500]);
        plans.push({
            name: p === 0 ? "standard" : "premium",
            id: `${tag}p${p}${prng.chars(3)}`,
            stages: p === 0 ? stages.map(s => s.name) : [stages[0].name],
            ...(prng.chance(0.93) ? { throttle: { rateLimit: rate, burstLimit: rate * 2 } } : {}),
            ...(prng.chance(0.93) ? { quota: { limit: prng.pick([1000, 10000, 100000]), period: prng.pick(["DAY", "WEEK", "MONTH"] as const) } } : {}),
        });
    }

    const keys: GenKey[] = [];
    const keyCount = prng.int(1, 6) + (prng.chance(0.3) ? prng.int(5, 30) : 0);
    for (let k = 0; k < keyCount; k++) {
        const roll = prng.next();
        const keyPlans = roll < 0.03 ? [] : planCount === 2 && roll < 0.06 ? [0, 1] : [planCount === 2 && prng.chance(0.4) ? 1 : 0];
        keys.push({
            name: `c${String(k).padStart(3, "0")}`,
            id: `${tag}k${base36(k, 2)}${prng.chars(4)}`,
            enabled: prng.chance(0.95),
            createdDate: new Date(now - prng.int(0, 400) * DAY_MS - prng.int(0, 86_399) * 1000).toISOString().replace(/\.000Z$/, "Z"),
            value: prng.chars(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            plans: keyPlans,
        });
    }

    return {
        index,
        name,
        id: `${tag}${prng.chars(6)}`,
        rootResourceId: `${tag}${prng.chars(6)}`,
        created,
        ...(apiKeySource ? { apiKeySource } : {}),
        endpointType: prng.chance(0.7) ? "REGIONAL" : "EDGE",
        createdDate: new Date(now - prng.int(30, 1500) * DAY_MS).toISOString().replace(/\.000Z$/, "Z"),
        resources,
        methods,
        stages,
        logGroups,
        plans,
        keys,
    };
}

/** Shrinks a unit to at most `budget` resources (keys first, then methods, then resources). */
function shrink(api: GenApi, budget: number): void {
    while (unitSize(api) > budget && api.keys.length > 0) {
        api.keys.pop();
    }
    while (unitSize(api) > budget && api.methods.length > 1) {
        api.methods.pop();
    }
    while (unitSize(api) > budget && api.resources.length > 1) {
        const removed = api.resources.length - 1;
        api.resources.pop();
        for (let m = api.methods.length - 1; m >= 0; m--) {
            if (api.methods[m].resource === removed) {
                api.methods.splice(m, 1);
            }
        }
    }
}

export function buildEstate(options: EstateOptions): Estate {
    const target = Math.floor(options.resources);
    if (!(target >= 1)) {
        throw new Error("an estate needs at least one resource (the account)");
    }
    const createFraction = options.createFraction ?? DEFAULT_CREATE_FRACTION;
    const apis: GenApi[] = [];
    let total = 1; // the account
    for (let index = 0; target - total >= MIN_UNIT; index++) {
        const api = buildApi(options.seed, index, createFraction);
        if (unitSize(api) > target - total) {
            shrink(api, target - total);
            if (unitSize(api) > target - total) {
                break;
            }
        }
        total += unitSize(api);
        apis.push(api);
    }
    const extraLogGroups: GenLogGroup[] = [];
    for (let i = 0; total < target; i++, total++) {
        extraLogGroups.push({ key: `extra-${String(i).padStart(3, "0")}`, name: `/aws/lambda/extra-${String(i).padStart(3, "0")}`, retentionInDays: 14 });
    }

    const counts: Record<string, number> = {
        "rest-api": 0, "api-resource": 0, method: 0, stage: 0, "method-settings": 0, "log-group": extraLogGroups.length,
        "usage-plan": 0, "api-key": 0, "usage-plan-key": 0, account: 1,
    };
    for (const api of apis) {
        counts["rest-api"]++;
        counts["api-resource"] += api.resources.length;
        counts.method += api.methods.length;
        counts.stage += api.stages.length;
        counts["method-settings"] += api.stages.filter(s => s.settings).length;
        counts["log-group"] += api.logGroups.length;
        counts["usage-plan"] += api.plans.length;
        counts["api-key"] += api.keys.length;
        counts["usage-plan-key"] += api.keys.reduce((sum, key) => sum + key.plans.length, 0);
    }
    const resourceCount = Object.values(counts).reduce((a, b) => a + b, 0);
    if (resourceCount !== target) {
        throw new Error(`internal: built ${resourceCount} resources for a target of ${target}`);
    }
    return {
        seed: options.seed,
        resourceCount,
        createFraction,
        apis,
        extraLogGroups,
        account: { cloudwatchRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/apigw-cloudwatch` },
        counts,
        expectedFailures: plantedFailures(apis),
        expectedFailuresExisting: plantedFailures(apis.filter(api => !api.created)),
    };
}

/**
 * The violations the generator plants, per rule, derived from the model alone (never by running
 * the rules), so a scan that reports other numbers is wrong, not the expectation.
 */
function plantedFailures(apis: readonly GenApi[]): ExpectedFailures {
    let keyless = 0;
    let authorizerSource = 0;
    let noAccessLogs = 0;
    let executionLogging = 0;
    let planLimits = 0;
    let keysInTwoPlans = 0;
    for (const api of apis) {
        keyless += api.methods.filter(m => m.httpMethod !== "OPTIONS" && !m.apiKeyRequired).length;
        authorizerSource += api.apiKeySource === "AUTHORIZER" ? 1 : 0;
        noAccessLogs += api.stages.filter(s => s.logGroup === undefined).length;
        executionLogging += api.stages.filter(s => s.settings === undefined || s.settings.dataTraceEnabled).length;
        planLimits += api.plans.filter(p => p.throttle === undefined || p.quota === undefined).length;
        keysInTwoPlans += api.keys.filter(k => k.plans.length === 2).length;
    }
    return {
        "apigateway-method-api-key-required": keyless,
        "apigateway-rest-api-key-source-header": authorizerSource,
        "apigateway-stage-access-logging": noAccessLogs,
        "apigateway-stage-execution-logging": executionLogging,
        "apigateway-usage-plan-limits": planLimits,
        "apigateway-api-key-one-plan-per-stage": keysInTwoPlans,
    };
}

export function stageArn(api: GenApi, stage: string): string {
    return `arn:aws:apigateway:${REGION}::/restapis/${api.id}/stages/${stage}`;
}

export function logGroupArn(group: GenLogGroup): string {
    return `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${group.name}`;
}

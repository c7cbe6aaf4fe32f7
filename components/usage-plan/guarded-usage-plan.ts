import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ApiKeySource } from "../api-keys/key-source";
import { ArgumentChecker, describe } from "../errors";
import { HTTP_METHODS } from "../rest-api/routes";
import { SecuredRestApi, ThrottleSpec, validateThrottle } from "../rest-api/secured-rest-api";
import { withManagedBy } from "../tags";

export const USAGE_PLAN_TYPE = "apigw-guard:index:UsagePlan";

export const QUOTA_PERIODS = ["DAY", "WEEK", "MONTH"] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];

export interface QuotaSpec {
    /** Requests allowed per period. */
    readonly limit: number;
    readonly period: QuotaPeriod;
    /** Requests subtracted from the limit in the first period. Default 0. */
    readonly offset?: number;
}

/** Per-method throttles, keyed `"GET /orders"`. */
export type MethodThrottles = Readonly<Record<string, ThrottleSpec>>;

/** A stage of a SecuredRestApi (checked: per-method throttles must name its routes). */
export interface ComponentStageRef {
    readonly api: SecuredRestApi;
    readonly methodThrottles?: MethodThrottles;
}

/** A stage of a REST API managed elsewhere. */
export interface ExternalStageRef {
    readonly restApiId: pulumi.Input<string>;
    readonly stageName: pulumi.Input<string>;
    readonly methodThrottles?: MethodThrottles;
}

export type UsagePlanStageRef = ComponentStageRef | ExternalStageRef;

export interface GuardedUsagePlanArgs {
    /** Required: every key in the plan is throttled. */
    readonly throttle: ThrottleSpec;
    /** Required: every key in the plan has a quota. */
    readonly quota: QuotaSpec;
    /** At least one stage: a plan that serves no stage makes its keys useless. */
    readonly apiStages: readonly UsagePlanStageRef[];
    readonly apiKeys?: readonly ApiKeySource[];
    readonly description?: pulumi.Input<string>;
    /** Name of the plan in AWS. Default: the component name. */
    readonly planName?: pulumi.Input<string>;
    readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A stage as construction-time checks see it. */
export interface StageIdentity {
    /** Equal for the same API stage. */
    readonly key: string;
    /** For messages. */
    readonly label: string;
}

interface Attachment {
    readonly plan: GuardedUsagePlan;
    readonly stages: readonly StageIdentity[];
}

/**
 * Which plans each key source is attached to. AWS lets a key be in only one usage plan per API
 * stage and only says so half-way through an apply; keeping this per key object lets the second
 * attachment fail at construction instead. A WeakMap: nothing outlives the program run.
 */
const attachmentsByKey = new WeakMap<ApiKeySource, Attachment[]>();
/** Identities for Outputs and component objects, which have no value to compare at construction. */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

function objectId(value: object): number {
    let id = objectIds.get(value);
    if (id === undefined) {
        id = nextObjectId++;
        objectIds.set(value, id);
    }
    return id;
}

/**
 * A usage plan whose throttle and quota are required, serving one or more API stages, with key
 * attachments named after the key (not its list position) and a construction-time refusal of a
 * key in two plans that serve the same stage.
 */
export class GuardedUsagePlan extends pulumi.ComponentResource {
    readonly usagePlan: aws.apigateway.UsagePlan;
    readonly usagePlanId: pulumi.Output<string>;
    readonly planLabel: string;
    /** The API stages this plan serves, as identities comparable at construction. */
    readonly servedStages: readonly StageIdentity[];
    private readonly attachments = new Map<string, aws.apigateway.UsagePlanKey[]>();

    constructor(name: string, args: GuardedUsagePlanArgs, opts?: pulumi.ComponentResourceOptions) {
        const check = new ArgumentChecker("UsagePlan", name);
        const settings = validate(check, args);
        // Refuse bad attachments before anything is registered.
        const keys = args.apiKeys ?? [];
        checkKeyList(check, "apiKeys", keys);
        keys.forEach((key, i) => checkAttachable(check, `apiKeys[${i}]`, key, name, settings.stages, undefined));
        super(USAGE_PLAN_TYPE, name, {}, opts);
        this.planLabel = name;
        this.servedStages = settings.stages;

        this.usagePlan = new aws.apigateway.UsagePlan(name, {
            name: args.planName ?? name,
            description: args.description,
            throttleSettings: { rateLimit: settings.throttle.rateLimit, burstLimit: settings.throttle.burstLimit },
            quotaSettings: { limit: settings.quota.limit, period: settings.quota.period, offset: settings.quota.offset },
            apiStages: settings.apiStages,
            tags: withManagedBy(args.tags, USAGE_PLAN_TYPE),
        }, { parent: this });
        this.usagePlanId = this.usagePlan.id;
        for (const key of keys) {
            this.attach(key);
        }
        this.registerOutputs({ usagePlanId: this.usagePlanId });
    }

    /**
     * Attach the keys of `source` to this plan (both slots of a RotatingApiKey). Throws, creating
     * nothing, if the key is already in this plan or in another plan serving one of its stages.
     */
    attachKey(source: ApiKeySource): void {
        this.checkKeyAttachable(source, "key");
        this.attach(source);
    }

    /** The check attachKey makes, without attaching: lets a caller validate a whole batch first. */
    checkKeyAttachable(source: ApiKeySource, argument: string): void {
        const check = new ArgumentChecker("UsagePlan", this.planLabel);
        if (this.attachments.has(source.keyName)) {
            check.fail(argument, `attaches API key '${source.keyName}' twice to this plan`);
        }
        checkAttachable(check, argument, source, this.planLabel, this.servedStages, this);
    }

    /** Names of the attached keys. */
    get attachedKeyNames(): readonly string[] {
        return [...this.attachments.keys()].sort();
    }

    private attach(source: ApiKeySource): void {
        const resources = source.attachableKeys.map(({ suffix, apiKey }) =>
            new aws.apigateway.UsagePlanKey(`${this.planLabel}/${source.keyName}${suffix ? `/${suffix}` : ""}`, {
                keyId: apiKey.id,
                keyType: "API_KEY",
                usagePlanId: this.usagePlan.id,
            }, {
                parent: this,
                // The provider copies the key's value onto the attachment without marking it
                // secret, which would put it in plain text in the state.
                additionalSecretOutputs: ["value"],
            }));
        this.attachments.set(source.keyName, resources);
        const record = attachmentsByKey.get(source) ?? [];
        record.push({ plan: this, stages: this.servedStages });
        attachmentsByKey.set(source, record);
    }
}

function checkKeyList(check: ArgumentChecker, argument: string, keys: unknown): void {
    const list = check.array(argument, keys);
    const seen = new Map<string, number>();
    list.forEach((raw, i) => {
        const key = check.object(`${argument}[${i}]`, raw) as unknown as ApiKeySource;
        if (typeof key.keyName !== "string" || !Array.isArray(key.attachableKeys)) {
            check.fail(`${argument}[${i}]`, "must be a RotatingApiKey or an imported key (an ApiKeySource)");
        }
        const earlier = seen.get(key.keyName);
        if (earlier !== undefined) {
            check.fail(`${argument}[${i}]`, `attaches API key '${key.keyName}' again (already ${argument}[${earlier}])`);
        }
        seen.set(key.keyName, i);
    });
}

function checkAttachable(
    check: ArgumentChecker,
    argument: string,
    source: ApiKeySource,
    planName: string,
    stages: readonly StageIdentity[],
    self: GuardedUsagePlan | undefined,
): void {
    for (const existing of attachmentsByKey.get(source) ?? []) {
        if (existing.plan === self) {
            continue;
        }
        const shared = stages.find(s => existing.stages.some(o => o.key === s.key));
        if (shared) {
            check.fail(argument, `attaches API key '${source.keyName}' to usage plans '${existing.plan.planLabel}' and '${planName}', which both serve ${shared.label}. AWS allows a key in only one usage plan per API stage (it would fail at apply time): use one plan, or a separate key per plan`);
        }
    }
}

interface Settings {
    readonly throttle: ThrottleSpec;
    readonly quota: Required<QuotaSpec>;
    readonly stages: readonly StageIdentity[];
    readonly apiStages: aws.types.input.apigateway.UsagePlanApiStage[];
}

function validate(check: ArgumentChecker, args: GuardedUsagePlanArgs): Settings {
    check.object("args", args);
    if (args.throttle === undefined) {
        check.fail("throttle", "is required: set rateLimit and burstLimit");
    }
    const throttle = validateThrottle(check, "throttle", args.throttle);
    if (args.quota === undefined) {
        check.fail("quota", "is required: set limit and period (DAY, WEEK or MONTH)");
    }
    const quotaArg = check.object("quota", args.quota);
    const limit = check.integer("quota.limit", quotaArg.limit, 1, Number.MAX_SAFE_INTEGER);
    const period = check.oneOf("quota.period", quotaArg.period, QUOTA_PERIODS);
    const offset = quotaArg.offset === undefined ? 0 : check.integer("quota.offset", quotaArg.offset, 0, limit - 1);
    const stageList = check.array("apiStages", args.apiStages, 1);
    const stages: StageIdentity[] = [];
    const apiStages: aws.types.input.apigateway.UsagePlanApiStage[] = [];
    stageList.forEach((raw, i) => {
        const arg = `apiStages[${i}]`;
        const ref = check.object(arg, raw);
        let identity: StageIdentity;
        let apiId: pulumi.Input<string>;
        let stage: pulumi.Input<string>;
        let routeKeys: ReadonlySet<string> | undefined;
        if (ref.api instanceof SecuredRestApi) {
            const api = ref.api;
            identity = { key: `component:${objectId(api)}:${api.configuredStageName}`, label: `stage '${api.configuredStageName}' of SecuredRestApi '${api.componentName}'` };
            apiId = api.restApiId;
            // The stage's output (not the plain name) makes the plan depend on the Stage resource:
            // AWS refuses a plan for a stage that does not exist yet.
            stage = api.stageName;
            routeKeys = new Set(api.routes.map(r => `${r.method} ${r.path}`));
        } else if (ref.api !== undefined) {
            return check.fail(`${arg}.api`, "must be a SecuredRestApi (for another REST API pass restApiId and stageName)");
        } else {
            if (ref.restApiId === undefined || ref.restApiId === "") {
                check.fail(`${arg}.restApiId`, "must be set (or pass api: a SecuredRestApi)");
            }
            if (ref.stageName === undefined || ref.stageName === "") {
                check.fail(`${arg}.stageName`, "must be set");
            }
            apiId = ref.restApiId as pulumi.Input<string>;
            stage = ref.stageName as pulumi.Input<string>;
            const apiKey = typeof apiId === "string" ? `id:${apiId}` : `object:${objectId(apiId as object)}`;
            const stageKey = typeof stage === "string" ? stage : `object:${objectId(stage as object)}`;
            identity = {
                key: `external:${apiKey}:${stageKey}`,
                label: `stage ${typeof stage === "string" ? `'${stage}'` : "(computed)"} of REST API ${typeof apiId === "string" ? `'${apiId}'` : "(computed)"}`,
            };
        }
        const duplicate = stages.findIndex(s => s.key === identity.key);
        if (duplicate >= 0) {
            check.fail(arg, `repeats ${identity.label}, already apiStages[${duplicate}]`);
        }
        stages.push(identity);
        const throttles = validateMethodThrottles(check, `${arg}.methodThrottles`, ref.methodThrottles, routeKeys);
        apiStages.push({ apiId, stage, ...(throttles.length > 0 ? { throttles } : {}) });
    });
    return { throttle, quota: { limit, period, offset }, stages, apiStages };
}

function validateMethodThrottles(
    check: ArgumentChecker,
    argument: string,
    raw: unknown,
    routeKeys: ReadonlySet<string> | undefined,
): aws.types.input.apigateway.UsagePlanApiStageThrottle[] {
    if (raw === undefined) {
        return [];
    }
    const throttles = check.object(argument, raw);
    return Object.keys(throttles).sort().map(routeKey => {
        const match = /^([A-Za-z]+) (\/\S*)$/.exec(routeKey);
        const method = match?.[1].toUpperCase();
        if (!match || !(HTTP_METHODS as readonly string[]).includes(method ?? "")) {
            return check.fail(`${argument}`, `has the key ${describe(routeKey)}; use "METHOD /path", e.g. "GET /orders"`);
        }
        const path = match[2];
        if (routeKeys && !routeKeys.has(`${method} ${path}`)) {
            check.fail(`${argument}["${routeKey}"]`, "names a route the API does not have");
        }
        const limits = validateThrottle(check, `${argument}["${routeKey}"]`, throttles[routeKey]);
        // AWS names a method in a plan as `<resource path>/<METHOD>`.
        return { path: `${path}/${method}`, rateLimit: limits.rateLimit, burstLimit: limits.burstLimit };
    });
}

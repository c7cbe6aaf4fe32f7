import { ApiKeyEntity, entityLink, Inventory, isUnknown, Link, UsagePlanEntity, UsagePlanKeyEntity } from "../model";
import { example, exampleRef } from "../model/examples";
import { defineRule, Outcome } from "./types";
import { describeUnknown } from "./util";

/** This rule has no settings: AWS enforces the constraint, so there is nothing to tune. */
export type ApiKeyOnePlanPerStageConfig = Record<string, never>;

/** One API stage a usage plan serves, identified the way AWS identifies it: API + stage name. */
interface ServedStage {
    /** Identity of the stage: the API's id when known (so entity and external links meet), else its ref. */
    readonly key: string;
    /** For messages: `stage 'prod' of REST API 'orders'`. */
    readonly label: string;
}

/** What a usage plan serves, or why that cannot be told yet. */
type PlanStages =
    | { readonly known: true; readonly stages: readonly ServedStage[] }
    | { readonly known: false; readonly why: string };

export default defineRule<ApiKeyOnePlanPerStageConfig>({
    id: "apigateway-api-key-one-plan-per-stage",
    title: "An API key is in at most one usage plan per API stage",
    description: "No API key is attached to two usage plans that serve the same API stage. API Gateway rejects the second attachment at apply time (a key can be associated with only one usage plan per stage), so a plan that looks fine in preview fails half-way through the deployment; this rule catches it at preview.",
    severity: "high",
    enforcementLevel: "mandatory",
    scope: "stack",
    appliesTo: ["api-key"],
    // Configuration correctness only: the deployment fails, no access is granted or denied by it.
    controls: { awsSecurityHub: [], nist80053: ["CM-6"], pciDssV4: [] },
    remediation: "Attach the key to only one of the usage plans that serve the stage (remove the other aws.apigateway.UsagePlanKey / aws_api_gateway_usage_plan_key), or remove the stage from one of the plans. Use a separate key per plan if a client needs different limits on different stages.",
    configSchema: { type: "object", properties: {} },
    examples: {
        compliant: {
            description: "The key is attached to one plan serving the prod stage.",
            entities: [example.restApi("api"), example.apiKey("key"), example.usagePlan("plan"), example.usagePlanKey("attach")],
        },
        nonCompliant: {
            description: "The key is attached to two plans that both serve the prod stage.",
            entities: [
                example.restApi("api"), example.apiKey("key"), example.usagePlan("plan"), example.usagePlan("premium"),
                example.usagePlanKey("attach"),
                example.usagePlanKey("attach-premium", { usagePlan: entityLink(exampleRef("usage-plan", "premium")) }),
            ],
        },
    },
    evaluate(inventory) {
        // Computed once per plan, so the per-key work is proportional to the key's own attachments.
        const stagesByPlanRef = new Map<string, PlanStages>();
        for (const plan of inventory.ofKind("usage-plan")) {
            stagesByPlanRef.set(plan.ref, servedStages(inventory, plan));
        }
        const unresolved = unresolvedAttachmentStages(inventory, stagesByPlanRef);
        return inventory.ofKind("api-key").map(key => judge(inventory, key, stagesByPlanRef, unresolved));
    },
});

/** Stages served by plans of attachments whose key cannot be identified yet (any of them might be this key's). */
interface UnresolvedStages {
    readonly count: number;
    /** Stage key → refs of the plans (of unresolved attachments) that serve it. */
    readonly plansByStageKey: ReadonlyMap<string, ReadonlySet<string>>;
    /** Some unresolved attachment's plan or stages cannot be told: it might overlap any stage. */
    readonly anyStage: boolean;
    /** Refs of the plans of unresolved attachments, and whether some plan could not be identified. */
    readonly planRefs: ReadonlySet<string>;
    readonly anyPlan: boolean;
}

function unresolvedAttachmentStages(inventory: Inventory, stagesByPlanRef: ReadonlyMap<string, PlanStages>): UnresolvedStages {
    const plansByStageKey = new Map<string, Set<string>>();
    const planRefs = new Set<string>();
    let count = 0;
    let anyStage = false;
    let anyPlan = false;
    for (const attachment of inventory.ofKind("usage-plan-key")) {
        if (attachment.apiKey.kind !== "unknown") {
            continue;
        }
        count++;
        const plan = inventory.resolve(attachment.usagePlan, "usage-plan");
        if (plan) {
            planRefs.add(plan.ref);
        } else {
            anyPlan = true;
        }
        const stages = plan ? stagesByPlanRef.get(plan.ref) : undefined;
        if (!plan || !stages || !stages.known) {
            anyStage = true;
            continue;
        }
        for (const stage of stages.stages) {
            const plans = plansByStageKey.get(stage.key);
            if (plans) {
                plans.add(plan.ref);
            } else {
                plansByStageKey.set(stage.key, new Set([plan.ref]));
            }
        }
    }
    return { count, plansByStageKey, anyStage, planRefs, anyPlan };
}

function servedStages(inventory: Inventory, plan: UsagePlanEntity): PlanStages {
    if (isUnknown(plan.apiStages)) {
        return { known: false, why: `the API stages of usage plan '${plan.name}' are not known yet (${describeUnknown(plan.apiStages)})` };
    }
    const stages: ServedStage[] = [];
    for (const apiStage of plan.apiStages) {
        if (isUnknown(apiStage.stageName)) {
            return { known: false, why: `a stage name in usage plan '${plan.name}' is not known yet (${describeUnknown(apiStage.stageName)})` };
        }
        const api = apiIdentity(inventory, apiStage.restApi);
        if (!api) {
            return { known: false, why: `an API of usage plan '${plan.name}' cannot be identified yet` };
        }
        stages.push({ key: `${api.key}\u0000${apiStage.stageName}`, label: `stage '${apiStage.stageName}' of REST API '${api.label}'` });
    }
    return { known: true, stages };
}

function apiIdentity(inventory: Inventory, link: Link): { key: string; label: string } | undefined {
    if (link.kind === "external") {
        const api = inventory.byId("rest-api", link.id);
        return { key: `id:${link.id}`, label: api ? api.name : link.id };
    }
    if (link.kind === "entity") {
        const api = inventory.resolve(link, "rest-api");
        // Prefer the cloud id so a plan that names the API by id and one that links the entity agree.
        if (api && typeof api.id === "string") {
            return { key: `id:${api.id}`, label: api.name };
        }
        return { key: `ref:${link.ref}`, label: api ? api.name : link.ref };
    }
    return undefined;
}

/** The one usage plan every attachment of a key names, or undefined (several, or one not identified). */
function onlyPlanOf(inventory: Inventory, attachments: readonly UsagePlanKeyEntity[]): UsagePlanEntity | undefined {
    let only: UsagePlanEntity | undefined;
    for (const attachment of attachments) {
        const plan = inventory.resolve(attachment.usagePlan, "usage-plan");
        if (!plan || (only !== undefined && plan !== only)) {
            return undefined;
        }
        only = plan;
    }
    return only;
}

function judge(inventory: Inventory, key: ApiKeyEntity, stagesByPlanRef: ReadonlyMap<string, PlanStages>, unresolved: UnresolvedStages): Outcome {
    const { ref } = key;
    const attachments = inventory.referencing(ref, "usage-plan-key", "apiKey");
    if (attachments.length === 0) {
        return { ref, status: "not-applicable", message: `key '${key.name}' is not attached to any usage plan` };
    }
    // Two plans are needed for a conflict: a key whose every attachment names the same plan, with no
    // other plan among the unresolved attachments, is decided without knowing which stages the plan serves.
    const onlyPlan = onlyPlanOf(inventory, attachments);
    if (onlyPlan !== undefined && !unresolved.anyPlan && (unresolved.planRefs.size === 0 || (unresolved.planRefs.size === 1 && unresolved.planRefs.has(onlyPlan.ref)))) {
        return { ref, status: "pass", message: `key '${key.name}' is in one usage plan ('${onlyPlan.name}'), so it cannot be in two plans on one stage` };
    }
    const planByStageKey = new Map<string, { planName: string; planRef: string; label: string }>();
    const seenPlans = new Set<string>();
    const conflicts: string[] = [];
    let undecided: string | undefined;
    for (const attachment of attachments) {
        if (attachment.usagePlan.kind === "unknown") {
            undecided ??= `the usage plan of attachment '${attachment.name}' cannot be identified yet${attachment.usagePlan.reason ? ` (${attachment.usagePlan.reason})` : ""}`;
            continue;
        }
        const plan = inventory.resolve(attachment.usagePlan, "usage-plan");
        if (!plan) {
            undecided ??= attachment.usagePlan.kind === "external"
                ? `attachment '${attachment.name}' names usage plan '${attachment.usagePlan.id}', which is not in this inventory`
                : `attachment '${attachment.name}' names a usage plan that is not in this inventory`;
            continue;
        }
        if (seenPlans.has(plan.ref)) {
            continue;
        }
        seenPlans.add(plan.ref);
        const stages = stagesByPlanRef.get(plan.ref) ?? servedStages(inventory, plan);
        if (!stages.known) {
            undecided ??= stages.why;
            continue;
        }
        for (const stage of stages.stages) {
            const first = planByStageKey.get(stage.key);
            if (!first) {
                planByStageKey.set(stage.key, { planName: plan.name, planRef: plan.ref, label: stage.label });
            } else if (first.planRef !== plan.ref) {
                conflicts.push(`usage plans '${first.planName}' and '${plan.name}' both serve ${stage.label}`);
            }
        }
    }
    if (conflicts.length > 0) {
        return {
            ref,
            status: "fail",
            message: `key '${key.name}' is attached to two usage plans on the same stage: ${conflicts.join("; ")}. API Gateway rejects this at apply time. Keep the key in only one of these plans, or remove the stage from one of them`,
        };
    }
    if (undecided !== undefined) {
        return { ref, status: "unknown", message: `cannot tell yet whether key '${key.name}' is in two usage plans on one stage: ${undecided}` };
    }
    // An unresolved attachment to the plan this key already uses on a stage cannot conflict; one to another plan on that stage can.
    const mayConflict = unresolved.count > 0 && (unresolved.anyStage ||
        [...planByStageKey].some(([stageKey, { planRef }]) => [...unresolved.plansByStageKey.get(stageKey) ?? []].some(other => other !== planRef)));
    if (mayConflict) {
        return {
            ref,
            status: "unknown",
            message: `cannot tell yet whether key '${key.name}' is in two usage plans on one stage: ${unresolved.count} usage-plan attachment(s) name a key that cannot be identified yet, and their plans may serve the same stages`,
        };
    }
    return {
        ref,
        status: "pass",
        message: `key '${key.name}' is in at most one usage plan per API stage (${seenPlans.size} plan(s), ${planByStageKey.size} stage(s))`,
    };
}

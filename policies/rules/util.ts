import { Inventory, isUnknown, Unknown, UsagePlanApiStage } from "../model";

export function describeUnknown(value: Unknown): string {
    return value.reason ?? "the value is not known yet";
}

/**
 * Glob match for API paths: `*` matches one path segment (or part of one), `**` any number of
 * segments. `/orders/{id}` style parameters are matched literally.
 */
export function matchesPath(path: string, pattern: string): boolean {
    const normalise = (p: string) => (p.length > 1 ? p.replace(/\/+$/, "") : p);
    const source = normalise(pattern)
        .split("**")
        .map(part => part.split("*").map(escapeRegExp).join("[^/]*"))
        .join(".*");
    return new RegExp(`^${source}$`).test(normalise(path));
}

export function matchesAnyPath(path: string, patterns: readonly string[]): boolean {
    return patterns.some(pattern => matchesPath(path, pattern));
}

function escapeRegExp(text: string): string {
    return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days between an ISO date and now; undefined when the date does not parse. */
export function ageInDays(isoDate: string, now: Date): number | undefined {
    const time = Date.parse(isoDate);
    return Number.isNaN(time) ? undefined : Math.floor((now.getTime() - time) / DAY_MS);
}

/** Whether an API stage a usage plan names exists: AWS rejects a plan naming a stage its API does not have. */
export type PlanStageStatus =
    | { readonly status: "exists" }
    | { readonly status: "missing" | "unknown"; readonly why: string };

/**
 * Checks usage-plan API stages against the REST API stages in the inventory. A stage that is not
 * linked is looked up by name among its API's stages; it is missing only when that API is in the
 * inventory and every stage that could be on it has a known name. Built once per evaluation.
 */
export class PlanStageCheck {
    /** REST API ref → names of its stages, and whether one of them has a name not known yet. */
    private readonly byApi = new Map<string, { names: Set<string>; unknownName: boolean }>();
    /** Some REST API stage cannot be placed on an API: it may be on any of them. */
    private readonly unplacedStage: boolean;

    constructor(private readonly inventory: Inventory) {
        let unplaced = false;
        for (const stage of inventory.ofKind("stage")) {
            if (stage.apiVersion !== "v1") {
                continue;
            }
            if (stage.restApi.kind === "unknown") {
                unplaced = true;
                continue;
            }
            const api = inventory.resolve(stage.restApi, "rest-api");
            if (!api) {
                continue;
            }
            let entry = this.byApi.get(api.ref);
            if (!entry) {
                entry = { names: new Set(), unknownName: false };
                this.byApi.set(api.ref, entry);
            }
            if (typeof stage.stageName === "string") {
                entry.names.add(stage.stageName);
            } else {
                entry.unknownName = true;
            }
        }
        this.unplacedStage = unplaced;
    }

    status(apiStage: UsagePlanApiStage): PlanStageStatus {
        // An adapter links a stage entity only when it found that stage.
        if (apiStage.stage.kind === "entity" || (apiStage.stageCandidates !== undefined && apiStage.stageCandidates.length > 0)) {
            return { status: "exists" };
        }
        const api = this.inventory.resolve(apiStage.restApi, "rest-api");
        if (!api) {
            return {
                status: "unknown",
                why: apiStage.restApi.kind === "external"
                    ? `REST API '${apiStage.restApi.id}' is not in this inventory, so whether it has the stage cannot be checked`
                    : `the REST API of an API stage cannot be identified yet`,
            };
        }
        const stages = this.byApi.get(api.ref) ?? { names: new Set<string>(), unknownName: false };
        const name = apiStage.stageName;
        if (typeof name === "string" && stages.names.has(name)) {
            return { status: "exists" };
        }
        if (typeof name !== "string" && apiStage.stageNameIsIdOf !== undefined) {
            // An id AWS generates when the resource is created cannot be a stage name written in configuration.
            return { status: "missing", why: `its stage is set to the id of ${apiStage.stageNameIsIdOf}, which is not the name of a stage of REST API '${api.name}'` };
        }
        if (stages.unknownName || this.unplacedStage) {
            return { status: "unknown", why: `not every stage of REST API '${api.name}' is known yet (a stage's name or API is not known), so whether it has the stage cannot be told` };
        }
        const have = stages.names.size === 0 ? "it has no stages" : `its stages are ${[...stages.names].sort().map(n => `'${n}'`).join(", ")}`;
        if (typeof name === "string") {
            return { status: "missing", why: `it names stage '${name}' of REST API '${api.name}', which has no such stage (${have})` };
        }
        return { status: "unknown", why: `a stage name is not known yet (${isUnknown(name) ? describeUnknown(name) : "not set"})` };
    }
}

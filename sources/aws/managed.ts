import { Entity, EntityOfKind, Inventory, MANAGEABLE_KINDS, ManageableKind, Management, StageEntity } from "apigw-guard/policies/model/index";

/**
 * `audit --managed-by`: which live resources no code manages. The live Inventory is compared with
 * the Inventories of the given IaC inputs (plans, state, stack exports, HCL), and every live API
 * key, usage plan, REST/HTTP API and stage gets its `management`, which
 * `apigateway-unmanaged-resource` judges.
 *
 * How a live resource is found in code, most certain first:
 * - by id: the cloud id the input knows (Terraform state/plan `id`, a stack export's `id`), of
 *   the same kind, unless the input's ARN for it names another resource (another region);
 * - by ARN: the input's ARN (Terraform `arn`, a stage's `arn`) is the live resource's;
 * - by name: the input's AWS name (`name`; a stage: its API matched as above, then its stage
 *   name). Only code resources whose id and ARN are not known are candidates (a known id names
 *   one resource, and it is not this one), and a code resource already matched by id through
 *   another input (the same address or URN, e.g. an HCL directory and its state) is not one again.
 *   A name match must be one to one: two code resources or two live resources of one name,
 *   without ids, cannot be told apart.
 *
 * What cannot be decided is unknown, never unmanaged: a code resource whose name is not known yet
 * (computed in a plan) may be any live one of its kind; an input that could not be read, or only
 * in part, may hold the resource.
 */

/** One `--managed-by` input. */
export interface ManagedInput {
    /** How the input is named in findings: its file or directory, as given. */
    readonly label: string;
    /** What could be read; absent when nothing could. */
    readonly inventory?: Inventory;
    /** Why the input is not the whole picture (it failed, or parts of it were not read); absent when it is. */
    readonly incomplete?: string;
}

type TopKind = Exclude<ManageableKind, "stage">;
const TOP_KINDS: readonly TopKind[] = ["rest-api", "v2-api", "api-key", "usage-plan"];

/** A resource of one input, as a candidate for a live one. */
interface Candidate {
    readonly input: ManagedInput;
    readonly inventory: Inventory;
    readonly entity: Entity;
    readonly id?: string;
    readonly arn?: string;
    /** The AWS name; undefined when not known (unknown, or not set). */
    readonly name?: string;
    /** Address or URN, with file:line when the file is not the input itself. */
    readonly location: string;
}

/** How a live resource was resolved, with the code resources it matched (a stage needs its API's). */
interface Resolution {
    readonly management: Management;
    readonly matched: readonly Candidate[];
}

/**
 * The live Inventory with `management` set on every API key, usage plan, REST/HTTP API and stage;
 * everything else unchanged (same refs, gaps). Secret texts of the inputs join the live ones, so
 * anything of theirs that reaches a message is redacted like the live inventory's own.
 */
export function markManagement(live: Inventory, inputs: readonly ManagedInput[]): Inventory {
    return managementMarker(inputs)(live);
}

/**
 * `markManagement` for many live inventories against the same inputs (one per account of an
 * organization audit): the inputs are indexed once.
 */
export function managementMarker(inputs: readonly ManagedInput[]): (live: Inventory) => Inventory {
    const code = new CodeIndex(inputs);
    return live => {
        const resolved = new Matcher(live, code).resolveAll();
        const entities: Entity[] = [];
        for (const entity of live.all()) {
            const resolution = resolved.get(entity.ref);
            entities.push(resolution ? ({ ...entity, management: resolution.management } as Entity) : entity);
        }
        const secretTexts = new Set(live.secretTexts);
        for (const text of code.secretTexts) {
            secretTexts.add(text);
        }
        return new Inventory(entities, live.gaps, secretTexts);
    };
}

/** The inputs' resources by id, ARN and name: built once, read for every live inventory. */
class CodeIndex {
    readonly byId = new Map<string, Candidate[]>();
    readonly byArn = new Map<string, Candidate[]>();
    /** kind → AWS name → candidates whose id and ARN are not known. */
    readonly byName = new Map<string, Map<string, Candidate[]>>();
    /** kind → candidates whose id, ARN and name are all not known: they may be any live one. */
    readonly nameless = new Map<string, Candidate[]>();
    readonly stages: Candidate[] = [];
    readonly incomplete: string | undefined;
    readonly secretTexts = new Set<string>();

    constructor(readonly inputs: readonly ManagedInput[]) {
        const partial = inputs.filter(input => input.incomplete !== undefined);
        this.incomplete = partial.length === 0
            ? undefined
            : `${partial.length === 1 ? "an input was" : `${partial.length} inputs were`} not read completely (${partial.map(input => `${input.label}: ${input.incomplete}`).join("; ")}), and it may hold the resource`;
        for (const input of inputs) {
            const inventory = input.inventory;
            if (!inventory) {
                continue;
            }
            for (const text of inventory.secretTexts) {
                this.secretTexts.add(text);
            }
            for (const kind of MANAGEABLE_KINDS) {
                for (const entity of inventory.ofKind(kind)) {
                    this.add(candidateOf(input, inventory, entity));
                }
            }
        }
    }

    private add(candidate: Candidate): void {
        const { entity } = candidate;
        if (entity.kind === "stage") {
            this.stages.push(candidate);
        }
        if (candidate.id !== undefined) {
            push(this.byId, `${entity.kind}\u0000${candidate.id}`, candidate);
        }
        if (candidate.arn !== undefined) {
            push(this.byArn, candidate.arn, candidate);
        }
        if (entity.kind === "stage" || candidate.id !== undefined || candidate.arn !== undefined) {
            return;
        }
        if (candidate.name !== undefined) {
            let names = this.byName.get(entity.kind);
            if (!names) {
                names = new Map();
                this.byName.set(entity.kind, names);
            }
            push(names, candidate.name, candidate);
        } else {
            push(this.nameless, entity.kind, candidate);
        }
    }
}

/** One live inventory resolved against the inputs' index. */
class Matcher {
    private readonly resolved = new Map<string, Resolution>();

    constructor(private readonly live: Inventory, private readonly code: CodeIndex) {}

    resolveAll(): ReadonlyMap<string, Resolution> {
        const unresolved: Array<EntityOfKind<TopKind>> = [];
        for (const kind of TOP_KINDS) {
            for (const entity of this.live.ofKind(kind)) {
                const exact = this.exactMatch(entity);
                if (exact) {
                    this.resolved.set(entity.ref, exact);
                } else {
                    unresolved.push(entity);
                }
            }
        }
        // Code resources matched by id or ARN: the same address/URN in another input is the same resource.
        const claimed = new Set<string>();
        for (const resolution of this.resolved.values()) {
            for (const candidate of resolution.matched) {
                claimed.add(`${candidate.entity.kind}\u0000${candidate.entity.ref}`);
            }
        }
        const liveByName = new Map<string, number>();
        for (const entity of unresolved) {
            const name = liveName(entity);
            if (name !== undefined) {
                liveByName.set(`${entity.kind}\u0000${name}`, (liveByName.get(`${entity.kind}\u0000${name}`) ?? 0) + 1);
            }
        }
        for (const entity of unresolved) {
            this.resolved.set(entity.ref, this.byNameOf(entity, claimed, liveByName));
        }
        for (const stage of this.live.ofKind("stage")) {
            this.resolved.set(stage.ref, { management: this.stageManagement(stage), matched: [] });
        }
        return this.resolved;
    }

    private get compared(): number {
        return this.code.inputs.length;
    }

    private managed(candidate: Candidate, match: "id" | "arn" | "name", matched: readonly Candidate[]): Resolution {
        return { management: { state: "managed", match, input: candidate.input.label, location: candidate.location }, matched };
    }

    private undecided(reason: string): Resolution {
        return { management: { state: "unknown", reason, inputsCompared: this.compared }, matched: [] };
    }

    /** Neither id, ARN nor name matched: unmanaged, unless a nameless candidate or a partial input may be it. */
    private noMatch(kind: ManageableKind, mayBe: readonly Candidate[] = this.code.nameless.get(kind) ?? []): Resolution {
        if (mayBe.length > 0) {
            return this.undecided(`no input manages it by id, ARN or name, but ${describeSome(mayBe)} ${mayBe.length === 1 ? "has" : "have"} a name not known yet (computed until applied) and may be it`);
        }
        if (this.code.incomplete !== undefined) {
            return this.undecided(`no input manages it by id, ARN or name, but ${this.code.incomplete}`);
        }
        return { management: { state: "unmanaged", inputsCompared: this.compared }, matched: [] };
    }

    private exactMatch(entity: EntityOfKind<TopKind>): Resolution | undefined {
        const arn = liveArn(entity);
        if (typeof entity.id === "string") {
            // An input's ARN for the id names the resource's region: another region's is another resource.
            const byId = (this.code.byId.get(`${entity.kind}\u0000${entity.id}`) ?? []).filter(c => c.arn === undefined || arn === undefined || c.arn === arn);
            if (byId.length > 0) {
                return this.managed(byId[0], "id", byId);
            }
        }
        const byArn = arn === undefined ? [] : (this.code.byArn.get(arn) ?? []).filter(c => c.entity.kind === entity.kind);
        return byArn.length > 0 ? this.managed(byArn[0], "arn", byArn) : undefined;
    }

    private byNameOf(entity: EntityOfKind<TopKind>, claimed: ReadonlySet<string>, liveByName: ReadonlyMap<string, number>): Resolution {
        if (typeof entity.id !== "string") {
            // What could not be read stands in for it (a placeholder): there is nothing to match.
            return this.undecided("the resource could not be read from the account, so it cannot be compared with code");
        }
        const name = liveName(entity);
        const unclaimed = (list: readonly Candidate[]) => distinct(list.filter(c => !claimed.has(`${c.entity.kind}\u0000${c.entity.ref}`)));
        const nameless = unclaimed(this.code.nameless.get(entity.kind) ?? []);
        if (name === undefined) {
            return this.noMatch(entity.kind, nameless);
        }
        const candidates = unclaimed(this.code.byName.get(entity.kind)?.get(name) ?? []);
        const twins = liveByName.get(`${entity.kind}\u0000${name}`) ?? 1;
        if (candidates.length === 1 && twins === 1) {
            return this.managed(candidates[0], "name", candidates);
        }
        if (candidates.length > 1) {
            return this.undecided(`${candidates.length} resources in code are named '${name}' (${candidates.map(c => `${c.input.label}: ${c.location}`).join("; ")}) and their ids are not known: which one manages it cannot be told`);
        }
        if (candidates.length === 1) {
            return this.undecided(`${twins} live resources of this kind are named '${name}' and one resource in code is (${candidates[0].input.label}: ${candidates[0].location}), whose id is not known: which of them it manages cannot be told`);
        }
        return this.noMatch(entity.kind, nameless);
    }

    private stageManagement(stage: StageEntity): Management {
        const stageName = stage.stageName;
        if (typeof stageName !== "string") {
            return this.undecided("the stage could not be read from the account, so it cannot be compared with code").management;
        }
        const arn = liveArn(stage);
        const byArn = arn === undefined ? [] : (this.code.byArn.get(arn) ?? []).filter(c => c.entity.kind === "stage");
        if (byArn.length > 0) {
            return this.managed(byArn[0], "arn", byArn).management;
        }
        const apiKind = stage.apiVersion === "v1" ? "rest-api" : "v2-api";
        const api = this.live.resolve(stage.restApi, apiKind);
        const apiResolution = api ? this.resolved.get(api.ref) : undefined;
        if (!api || !apiResolution) {
            return this.undecided("the API of the stage is not known, so the stage cannot be compared with code").management;
        }
        const apiState = apiResolution.management;
        const apiIds = new Set<string>(typeof api.id === "string" ? [api.id] : []);
        const mayBe: Candidate[] = [];
        for (const candidate of this.code.stages) {
            const entity = candidate.entity as StageEntity;
            if (entity.apiVersion !== stage.apiVersion) {
                continue;
            }
            const on = this.onApi(candidate, entity, apiResolution.matched, apiIds);
            if (on === "no") {
                continue;
            }
            const name = entity.stageName;
            if (on !== "maybe" && name === stageName) {
                const match = on === "external-id" ? "id" : apiState.state === "managed" ? apiState.match : "id";
                return this.managed(candidate, match, [candidate]).management;
            }
            if (typeof name !== "string" || name === stageName) {
                mayBe.push(candidate);
            }
        }
        if (apiState.state === "unknown" && mayBe.length === 0) {
            return this.undecided(`whether its API is managed cannot be told: ${apiState.reason}`).management;
        }
        return this.noMatch("stage", mayBe).management;
    }

    /** Whether a code stage is on the live stage's API: its API matched it, names its id, or cannot be told. */
    private onApi(candidate: Candidate, entity: StageEntity, apiMatches: readonly Candidate[], apiIds: ReadonlySet<string>): "matched" | "external-id" | "maybe" | "no" {
        const link = entity.restApi;
        if (link.kind === "unknown") {
            return "maybe";
        }
        if (link.kind === "external") {
            return apiIds.has(link.id) ? "external-id" : "no";
        }
        const codeApi = candidate.inventory.get(link.ref);
        if (!codeApi) {
            return "maybe";
        }
        if (apiMatches.some(match => match.entity === codeApi)) {
            return "matched";
        }
        // A code API with no known id or ARN whose name is not known may be the live one.
        const known = typeof codeApi.id === "string" || codeApi.provenance.arn !== undefined;
        const named = "awsName" in codeApi && typeof codeApi.awsName === "string";
        return !known && !named ? "maybe" : "no";
    }
}

function candidateOf(input: ManagedInput, inventory: Inventory, entity: Entity): Candidate {
    const id = typeof entity.id === "string" && entity.id !== "" ? entity.id : undefined;
    const arn = entity.kind === "stage" && typeof entity.arn === "string" ? entity.arn : entity.provenance.arn;
    const awsName = "awsName" in entity ? entity.awsName : undefined;
    const name = typeof awsName === "string" ? awsName : undefined;
    return {
        input,
        inventory,
        entity,
        ...(id !== undefined ? { id } : {}),
        ...(arn !== undefined && arn !== "" ? { arn } : {}),
        ...(name !== undefined ? { name } : {}),
        location: locationIn(input, entity),
    };
}

/** The address or URN, with the file (and line) when it is not the input itself (an HCL root's file). */
function locationIn(input: ManagedInput, entity: Entity): string {
    const p = entity.provenance;
    const where = p.urn ?? p.address ?? entity.ref;
    if (p.file === undefined || p.file === input.label) {
        return where;
    }
    return `${where} (${p.file}${p.line !== undefined ? `:${p.line}` : ""})`;
}

/** A live resource's ARN: its ref, which the audit makes its ARN. */
function liveArn(entity: Entity): string | undefined {
    const arn = entity.provenance.arn ?? entity.ref;
    return arn.startsWith("arn:") ? arn : undefined;
}

/** A live resource's AWS name: the audit names a resource without one by its id. */
function liveName(entity: Entity): string | undefined {
    return entity.name !== "" && entity.name !== entity.id ? entity.name : undefined;
}

/** Candidates, one per code resource (an HCL root and its plan name the same address). */
function distinct(candidates: readonly Candidate[]): Candidate[] {
    const seen = new Set<string>();
    return candidates.filter(candidate => {
        const key = candidate.entity.provenance.urn ?? candidate.entity.provenance.address ?? `${candidate.input.label}\u0000${candidate.entity.ref}`;
        if (seen.has(key)) {
            return false;
        }
        seen.add(key);
        return true;
    });
}

function describeSome(candidates: readonly Candidate[]): string {
    const shown = candidates.slice(0, 3).map(c => `${c.input.label}: ${c.location}`).join("; ");
    return candidates.length > 3 ? `${candidates.length} resources in code (${shown}; …)` : candidates.length === 1 ? shown : `${candidates.length} resources in code (${shown})`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
    const list = map.get(key);
    if (list) {
        list.push(value);
    } else {
        map.set(key, [value]);
    }
}

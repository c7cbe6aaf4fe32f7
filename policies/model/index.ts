import { Entity, EntityKind, EntityOfKind, EntityRef, InventoryGap, Link } from "./inventory";

export * from "./inventory";
export * from "./values";

const NO_SECRET_TEXTS: ReadonlySet<string> = new Set<string>();

/**
 * An indexed, read-only collection of entities. Every lookup a rule needs is a map access, so
 * stack-wide rules stay linear in the number of resources (no nested scans over keys × plans).
 *
 * The indexes are built on first use: the pack builds a one-resource Inventory for every Analyze
 * call and most rules read only one or two of them. Only the ref index is built up front (for
 * more than one entity), because a duplicate ref must fail at construction.
 */
export class Inventory {
    private readonly entities: readonly Entity[];
    private readonly byRef: Map<EntityRef, Entity> | undefined;
    private byKind: Map<EntityKind, Entity[]> | undefined;
    private byKindAndId: Map<string, Entity> | undefined;
    private referrers: Map<string, Entity[]> | undefined;

    /**
     * @param secretTexts every string that arrived marked secret (a Pulumi secret, a Terraform
     * sensitive value) other than key values, which the model holds only as fingerprints. Rules
     * may judge them, but no output may print them: findings and messages are redacted with them
     * (engine/redact.ts).
     */
    constructor(entities: Iterable<Entity>, readonly gaps: readonly InventoryGap[] = [], readonly secretTexts: ReadonlySet<string> = NO_SECRET_TEXTS) {
        // A copy: the caller's array may change later, the Inventory must not.
        this.entities = Array.isArray(entities) ? (entities as readonly Entity[]).slice() : [...entities];
        if (this.entities.length > 1) {
            const byRef = new Map<EntityRef, Entity>();
            for (const entity of this.entities) {
                if (byRef.has(entity.ref)) {
                    throw new Error(`duplicate entity ref ${entity.ref}`);
                }
                byRef.set(entity.ref, entity);
            }
            this.byRef = byRef;
        }
    }

    get size(): number {
        return this.entities.length;
    }

    /** The same entities and secret texts with more gaps (before the others when `first`). */
    withGaps(extra: readonly InventoryGap[], first = false): Inventory {
        return extra.length === 0 ? this : new Inventory(this.entities, first ? [...extra, ...this.gaps] : [...this.gaps, ...extra], this.secretTexts);
    }

    all(): IterableIterator<Entity> {
        return this.entities.values();
    }

    get(ref: EntityRef): Entity | undefined {
        if (this.byRef) {
            return this.byRef.get(ref);
        }
        const only = this.entities[0];
        return only !== undefined && only.ref === ref ? only : undefined;
    }

    ofKind<K extends EntityKind>(kind: K): readonly EntityOfKind<K>[] {
        return (this.kindIndex().get(kind) ?? []) as EntityOfKind<K>[];
    }

    byId<K extends EntityKind>(kind: K, id: string): EntityOfKind<K> | undefined {
        return this.idIndex().get(`${kind}\u0000${id}`) as EntityOfKind<K> | undefined;
    }

    /** The entity a link points at, if it is of the expected kind and in the inventory. */
    resolve<K extends EntityKind>(link: Link, kind: K): EntityOfKind<K> | undefined {
        if (link.kind === "entity") {
            const target = this.get(link.ref);
            return target && target.kind === kind ? (target as EntityOfKind<K>) : undefined;
        }
        if (link.kind === "external") {
            return this.byId(kind, link.id);
        }
        return undefined;
    }

    /** Entities of `kind` whose link field `field` points at `ref`. */
    referencing<K extends EntityKind>(ref: EntityRef, kind: K, field: string): readonly EntityOfKind<K>[] {
        return (this.referrerIndex().get(`${ref}\u0000${kind}\u0000${field}`) ?? []) as EntityOfKind<K>[];
    }

    private kindIndex(): Map<EntityKind, Entity[]> {
        if (!this.byKind) {
            const byKind = new Map<EntityKind, Entity[]>();
            for (const entity of this.entities) {
                const list = byKind.get(entity.kind);
                if (list) {
                    list.push(entity);
                } else {
                    byKind.set(entity.kind, [entity]);
                }
            }
            this.byKind = byKind;
        }
        return this.byKind;
    }

    private idIndex(): Map<string, Entity> {
        if (!this.byKindAndId) {
            const byKindAndId = new Map<string, Entity>();
            for (const entity of this.entities) {
                if (typeof entity.id === "string") {
                    byKindAndId.set(`${entity.kind}\u0000${entity.id}`, entity);
                }
            }
            this.byKindAndId = byKindAndId;
        }
        return this.byKindAndId;
    }

    private referrerIndex(): Map<string, Entity[]> {
        if (!this.referrers) {
            const referrers = new Map<string, Entity[]>();
            for (const entity of this.entities) {
                for (const [field, link] of linksOf(entity)) {
                    if (link.kind === "entity") {
                        const key = `${link.ref}\u0000${entity.kind}\u0000${field}`;
                        const list = referrers.get(key);
                        if (list) {
                            list.push(entity);
                        } else {
                            referrers.set(key, [entity]);
                        }
                    }
                }
            }
            this.referrers = referrers;
        }
        return this.referrers;
    }
}

/** The link-valued fields of an entity, by field name (nested usage-plan stages included). */
export function linksOf(entity: Entity): Array<[string, Link]> {
    const links: Array<[string, Link]> = [];
    const bag = entity as unknown as Record<string, unknown>;
    // Keys, not entries: no [key, value] pair is allocated for the many fields that are no link.
    for (const field of Object.keys(bag)) {
        const value = bag[field];
        if (isLink(value)) {
            links.push([field, value]);
        }
    }
    if (entity.kind === "usage-plan" && Array.isArray(entity.apiStages)) {
        for (const apiStage of entity.apiStages) {
            links.push(["apiStages.stage", apiStage.stage]);
            links.push(["apiStages.restApi", apiStage.restApi]);
        }
    }
    return links;
}

function isLink(value: unknown): value is Link {
    if (typeof value !== "object" || value === null) {
        return false;
    }
    const kind = (value as { kind?: unknown }).kind;
    return (kind === "entity" && "ref" in value) || (kind === "external" && "id" in value) ||
        (kind === "unknown" && Object.keys(value).every(k => k === "kind" || k === "reason"));
}

export function entityLink(ref: EntityRef): Link {
    return { kind: "entity", ref };
}

export function externalLink(id: string): Link {
    return { kind: "external", id };
}

export function unknownLink(reason?: string): Link {
    return reason === undefined ? { kind: "unknown" } : { kind: "unknown", reason };
}

/** Where a finding should point a person: URN, address, ARN, with file:line when known. */
export function describeLocation(entity: Pick<Entity, "provenance" | "ref">): string {
    const p = entity.provenance;
    const api = p.urn ?? p.address ?? p.arn ?? entity.ref;
    const main = p.operation !== undefined ? `${api} ${p.operation}` : api;
    if (p.file) {
        return `${main} (${p.file}${p.line ? `:${p.line}` : ""})`;
    }
    return p.pointer !== undefined ? `${main} (body#${p.pointer})` : main;
}

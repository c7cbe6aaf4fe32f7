import { Entity, EntityKind, EntityOfKind, EntityRef, InventoryGap, Link } from "./inventory";

export * from "./inventory";
export * from "./values";

/**
 * An indexed, read-only collection of entities. Every lookup a rule needs is a map access, so
 * stack-wide rules stay linear in the number of resources (no nested scans over keys × plans).
 */
export class Inventory {
    private readonly byRef = new Map<EntityRef, Entity>();
    private readonly byKind = new Map<EntityKind, Entity[]>();
    private readonly byKindAndId = new Map<string, Entity>();
    private readonly referrers = new Map<string, Entity[]>();

    constructor(entities: Iterable<Entity>, readonly gaps: readonly InventoryGap[] = []) {
        for (const entity of entities) {
            if (this.byRef.has(entity.ref)) {
                throw new Error(`duplicate entity ref ${entity.ref}`);
            }
            this.byRef.set(entity.ref, entity);
            let list = this.byKind.get(entity.kind);
            if (!list) {
                list = [];
                this.byKind.set(entity.kind, list);
            }
            list.push(entity);
            if (typeof entity.id === "string") {
                this.byKindAndId.set(`${entity.kind}\u0000${entity.id}`, entity);
            }
        }
        for (const entity of this.byRef.values()) {
            for (const [field, link] of linksOf(entity)) {
                if (link.kind === "entity") {
                    const key = `${link.ref}\u0000${entity.kind}\u0000${field}`;
                    let list = this.referrers.get(key);
                    if (!list) {
                        list = [];
                        this.referrers.set(key, list);
                    }
                    list.push(entity);
                }
            }
        }
    }

    get size(): number {
        return this.byRef.size;
    }

    all(): IterableIterator<Entity> {
        return this.byRef.values();
    }

    get(ref: EntityRef): Entity | undefined {
        return this.byRef.get(ref);
    }

    ofKind<K extends EntityKind>(kind: K): readonly EntityOfKind<K>[] {
        return (this.byKind.get(kind) ?? []) as EntityOfKind<K>[];
    }

    byId<K extends EntityKind>(kind: K, id: string): EntityOfKind<K> | undefined {
        return this.byKindAndId.get(`${kind}\u0000${id}`) as EntityOfKind<K> | undefined;
    }

    /** The entity a link points at, if it is of the expected kind and in the inventory. */
    resolve<K extends EntityKind>(link: Link, kind: K): EntityOfKind<K> | undefined {
        if (link.kind === "entity") {
            const target = this.byRef.get(link.ref);
            return target && target.kind === kind ? (target as EntityOfKind<K>) : undefined;
        }
        if (link.kind === "external") {
            return this.byId(kind, link.id);
        }
        return undefined;
    }

    /** Entities of `kind` whose link field `field` points at `ref`. */
    referencing<K extends EntityKind>(ref: EntityRef, kind: K, field: string): readonly EntityOfKind<K>[] {
        return (this.referrers.get(`${ref}\u0000${kind}\u0000${field}`) ?? []) as EntityOfKind<K>[];
    }
}

/** The link-valued fields of an entity, by field name (nested usage-plan stages included). */
export function linksOf(entity: Entity): Array<[string, Link]> {
    const links: Array<[string, Link]> = [];
    for (const [field, value] of Object.entries(entity)) {
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
    const main = p.urn ?? p.address ?? p.arn ?? entity.ref;
    return p.file ? `${main} (${p.file}${p.line ? `:${p.line}` : ""})` : main;
}

import { Entity, EntityRef, Link, MethodEntity, Provenance, V2RouteEntity } from "../../model";
import { Maybe, unknown, Unknown } from "../../model/values";
import { ApiFlavour, OpenApiBody } from "./document";

/** The API a body belongs to, as the front end read it. */
export interface BodyOwner {
    readonly ref: EntityRef;
    readonly name: string;
    readonly provenance: Provenance;
    /** The link body entities hold to the API (`restApi` of a method, `api` of a route). */
    readonly link: Link;
    readonly flavour: ApiFlavour;
    /** The line of the `body` attribute (HCL), where a finding on a body operation should point. */
    readonly bodyLine?: number;
}

/** The ref of the entity read from the body definition at `pointer` (`#` keeps it apart from any address or URN). */
export function bodyRef(owner: EntityRef, pointer: string): EntityRef {
    return `${owner}#${pointer}`;
}

/**
 * The entities a body defines: a method (REST) or a route (HTTP API) per operation, judged by
 * the same rules as Method and Route resources. A body that is not known, or cannot be read,
 * stands as one entity whose settings are unknown, so the rules say "cannot tell" for that API
 * instead of finding nothing (which would read as "all good").
 */
export function bodyEntities(owner: BodyOwner, body: OpenApiBody): Entity[] {
    if (body.state === "absent") {
        return [];
    }
    if (body.state !== "read") {
        const reason = unknown(body.state === "unknown" ? body.reason : `${body.reason}; its operations cannot be judged`);
        const pointer = "";
        return [owner.flavour === "rest"
            ? method(owner, pointer, `${owner.name} (OpenAPI body)`, { path: reason, httpMethod: reason, apiKeyRequired: reason, authorizationType: reason })
            : route(owner, pointer, `${owner.name} (OpenAPI body)`, { routeKey: reason, authorizationType: reason })];
    }
    const entities: Entity[] = [];
    for (const operation of body.document.operations) {
        const label = `${typeof operation.method === "string" ? operation.method : "?"} ${operation.path}`;
        const name = `${owner.name} ${label}`;
        if (owner.flavour === "rest") {
            entities.push(method(owner, operation.pointer, name, {
                path: operation.path,
                httpMethod: operation.method,
                apiKeyRequired: operation.apiKeyRequired,
                authorizationType: operation.authorizationType,
            }, label));
        } else {
            // An HTTP API's `$default` path holds its catch-all route, keyed `$default` alone.
            const routeKey = typeof operation.method !== "string" ? operation.method
                : operation.path === "$default" || operation.path === "/$default" ? "$default" : `${operation.method} ${operation.path}`;
            const key = typeof routeKey === "string" ? routeKey : label;
            entities.push(route(owner, operation.pointer, `${owner.name} ${key}`, { routeKey, authorizationType: operation.authorizationType }, key));
        }
    }
    return entities;
}

function provenance(owner: BodyOwner, pointer: string, operation: string | undefined): Provenance {
    const out: { -readonly [K in keyof Provenance]: Provenance[K] } = { ...owner.provenance, pointer };
    // The API's own field lines name its attributes, not this operation's.
    delete out.fieldLines;
    if (operation !== undefined) {
        out.operation = operation;
    }
    if (owner.bodyLine !== undefined) {
        out.line = owner.bodyLine;
    }
    return out;
}

function method(owner: BodyOwner, pointer: string, name: string, fields: Pick<MethodEntity, "path" | "httpMethod" | "apiKeyRequired" | "authorizationType">, operation?: string): MethodEntity {
    return { ref: bodyRef(owner.ref, pointer), name, provenance: provenance(owner, pointer, operation), kind: "method", restApi: owner.link, ...fields };
}

function route(owner: BodyOwner, pointer: string, name: string, fields: Pick<V2RouteEntity, "routeKey" | "authorizationType">, operation?: string): V2RouteEntity {
    return { ref: bodyRef(owner.ref, pointer), name, provenance: provenance(owner, pointer, operation), kind: "v2-route", api: owner.link, ...fields };
}

/**
 * HTTP API quick create: an API with a `target` makes AWS create a route (the given route key, or
 * `$default`) with no authorization, and a `$default` stage that deploys automatically and has no
 * access logs. Neither is a resource of the program, so they are modelled from the API itself.
 * The route key is known at preview even when the target's ARN is not.
 */
export function quickCreateEntities(owner: BodyOwner, routeKey: Maybe<string | undefined>, uncertain?: Unknown): Entity[] {
    const base = { ...owner.provenance };
    delete (base as { fieldLines?: unknown }).fieldLines;
    const key = routeKey === undefined ? "$default" : routeKey;
    const route: V2RouteEntity = {
        ref: `${owner.ref}#quick-create-route`,
        // The name says where the route comes from: the API's `target`, not a Route resource.
        name: `${owner.name} (quick create route)`,
        provenance: typeof key === "string" ? { ...base, operation: key } : base,
        kind: "v2-route",
        api: owner.link,
        routeKey: key,
        // `uncertain`: whether `target` is set at all is not known (an unresolved expression may be null).
        authorizationType: uncertain ?? "NONE",
    };
    return [route, {
        ref: `${owner.ref}#quick-create-stage`,
        name: `${owner.name} (quick create $default stage)`,
        provenance: base,
        kind: "stage",
        apiVersion: "v2",
        restApi: owner.link,
        stageName: "$default",
        accessLogSettings: uncertain,
        v2LoggingLevel: undefined,
    }];
}

/**
 * The key source an API's body sets with `x-amazon-apigateway-api-key-source`: undefined without a
 * body, unknown when the body cannot be read. Every front end reads it through here.
 */
export function apiKeySourceOf(body: OpenApiBody): Maybe<string | undefined> {
    switch (body.state) {
        case "absent":
            return undefined;
        case "read":
            return body.document.apiKeySource;
        default:
            return unknown(body.reason);
    }
}

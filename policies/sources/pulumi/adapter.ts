import {
    AccessLogSettings, Entity, EntityKind, entityLink, externalLink, Inventory, InventoryGap, Link, Maybe,
    Provenance, QuotaSettings, SecretValue, ThrottleSettings, unknownLink, UsagePlanApiStage, V2RouteSettings,
} from "../../model";
// Straight from the module: a re-export compiles to a getter, called on every use.
import { isUnknown, unknown } from "../../model/values";
import { apiKeySourceOf, bodyEntities, OpenApiBody, quickCreateEntities, readOpenApiBody } from "../openapi";
import { Bag, Reader } from "../read";
import { fingerprint } from "../secrets";
import { GENERATOR_TYPES, PulumiResourceRecord, PulumiTypes as T, typeFromUrn, UNKNOWN_SENTINELS } from "./types";

/** Not read as an entity; only recognised where a usage plan names a deployment's id as its stage. */
const DEPLOYMENT_TYPE = "aws:apigateway/deployment:Deployment";

/** The length of every unknown sentinel (they are UUIDs; a test holds `UNKNOWN_SENTINELS` to it). */
export const SENTINEL_LENGTH = 36;

const read = new Reader(isSentinel, "computed: known only after the update");

const KIND_BY_TYPE: Readonly<Record<string, EntityKind>> = {
    [T.restApi]: "rest-api",
    [T.resource]: "api-resource",
    [T.method]: "method",
    [T.stage]: "stage",
    [T.v2Stage]: "stage",
    [T.methodSettings]: "method-settings",
    [T.apiKey]: "api-key",
    [T.usagePlan]: "usage-plan",
    [T.usagePlanKey]: "usage-plan-key",
    [T.account]: "account",
    [T.domainName]: "domain-name",
    [T.v2DomainName]: "domain-name",
    [T.logGroup]: "log-group",
    [T.wafv2Association]: "web-acl-association",
    [T.wafRegionalAssociation]: "web-acl-association",
    [T.v2Api]: "v2-api",
    [T.v2Route]: "v2-route",
};

/** The Pulumi types that become entities of each kind (used to skip irrelevant resources fast). */
export const TYPES_BY_KIND: ReadonlyMap<EntityKind, readonly string[]> = (() => {
    const map = new Map<EntityKind, string[]>();
    for (const [type, kind] of Object.entries(KIND_BY_TYPE)) {
        map.set(kind, [...(map.get(kind) ?? []), type]);
    }
    return map;
})();

const RELEVANT_TYPES: ReadonlySet<string> = new Set(Object.keys(KIND_BY_TYPE));

/**
 * Types that yield entities of other kinds besides their own: an API's OpenAPI `body` defines
 * methods (REST) or routes (HTTP), and an HTTP API's quick create adds a route and a stage.
 */
const EXTRA_KINDS: Readonly<Record<string, readonly EntityKind[]>> = {
    [T.restApi]: ["method"],
    [T.v2Api]: ["v2-route", "stage"],
};

/**
 * The Pulumi types whose records may yield entities of each kind: `TYPES_BY_KIND` plus the APIs
 * whose body or quick create defines methods, routes and stages. The pack runs a rule on these
 * types, so a body's operations are judged in the API's own Analyze call.
 */
export const TYPES_YIELDING_KIND: ReadonlyMap<EntityKind, readonly string[]> = (() => {
    const map = new Map<EntityKind, string[]>();
    for (const [kind, types] of TYPES_BY_KIND) {
        map.set(kind, [...types]);
    }
    for (const [type, kinds] of Object.entries(EXTRA_KINDS)) {
        for (const kind of kinds) {
            map.set(kind, [...(map.get(kind) ?? []), type]);
        }
    }
    return map;
})();

/** True for resource types the Pulumi adapter turns into entities. */
export function isRelevantType(type: string): boolean {
    // The set answers the usual case without `in` (which looks the type up as a property name,
    // afresh for every request's new string); `in` still decides the rest, as it always did.
    return RELEVANT_TYPES.has(type) || type in KIND_BY_TYPE;
}

/**
 * Build the Inventory from Pulumi resources (CrossGuard `AnalyzeStack`/`Analyze`, a stack export,
 * or resources recorded under mocks). Links between resources are made by id when the id is
 * known, and otherwise through `propertyDependencies` (in a preview, new resources have no ids).
 */
export function inventoryFromPulumi(records: readonly PulumiResourceRecord[]): Inventory {
    return new PulumiInventoryBuilder(records).build();
}

/** The lookups links are resolved with, over the records of one build. */
interface RecordIndex {
    record(urn: string): PulumiResourceRecord | undefined;
    /** The urn of the record of `type` whose cloud id is `id`. */
    urnOfId(type: string, id: string): string | undefined;
    urnOfArn(arn: string): string | undefined;
    /** Whether `id` is the root resource id of a REST API. */
    isRestApiRoot(id: string): boolean;
}

/** The cloud id of a record, where known. */
function idOf(record: PulumiResourceRecord): string | undefined {
    return record.id ?? stringProp(record.props.id);
}

/** Maps over many records (a stack); a later record with the same key wins. */
class RecordMaps implements RecordIndex {
    private readonly byUrn = new Map<string, PulumiResourceRecord>();
    /** type → id → urn, for records whose cloud id is known. */
    private readonly urnByTypeAndId = new Map<string, Map<string, string>>();
    /** rest API root resource id → rest API urn. */
    private readonly restApiByRootId = new Map<string, string>();
    private readonly urnByArn = new Map<string, string>();

    constructor(records: readonly PulumiResourceRecord[]) {
        for (const record of records) {
            this.byUrn.set(record.urn, record);
            const id = idOf(record);
            if (id) {
                let urnById = this.urnByTypeAndId.get(record.type);
                if (!urnById) {
                    urnById = new Map();
                    this.urnByTypeAndId.set(record.type, urnById);
                }
                urnById.set(id, record.urn);
            }
            const arn = stringProp(record.props.arn);
            if (arn) {
                this.urnByArn.set(arn, record.urn);
            }
            if (record.type === T.restApi) {
                const rootId = stringProp(record.props.rootResourceId);
                if (rootId) {
                    this.restApiByRootId.set(rootId, record.urn);
                }
            }
        }
    }

    record(urn: string): PulumiResourceRecord | undefined {
        return this.byUrn.get(urn);
    }

    urnOfId(type: string, id: string): string | undefined {
        return this.urnByTypeAndId.get(type)?.get(id);
    }

    urnOfArn(arn: string): string | undefined {
        return this.urnByArn.get(arn);
    }

    isRestApiRoot(id: string): boolean {
        return this.restApiByRootId.has(id);
    }
}

/**
 * The same lookups over a single record, answered by comparing with it: the pack builds a
 * one-resource Inventory on every Analyze call, where building maps cost more than the entity.
 */
class OneRecord implements RecordIndex {
    // Read up front, as the maps read them, so a record that cannot be read fails the same way.
    private readonly id: string | undefined;
    private readonly arn: string | undefined;
    private readonly rootId: string | undefined;

    constructor(private readonly only: PulumiResourceRecord) {
        this.id = idOf(only);
        this.arn = stringProp(only.props.arn);
        this.rootId = only.type === T.restApi ? stringProp(only.props.rootResourceId) : undefined;
    }

    record(urn: string): PulumiResourceRecord | undefined {
        return this.only.urn === urn ? this.only : undefined;
    }

    urnOfId(type: string, id: string): string | undefined {
        return this.id && this.only.type === type && this.id === id ? this.only.urn : undefined;
    }

    urnOfArn(arn: string): string | undefined {
        return this.arn && this.arn === arn ? this.only.urn : undefined;
    }

    isRestApiRoot(id: string): boolean {
        return this.rootId !== undefined && this.rootId === id;
    }
}

class PulumiInventoryBuilder {
    private readonly index: RecordIndex;
    private resourcePathCache: Map<string, Maybe<string>> | undefined;
    private stageIndex: Map<string, string> | undefined;
    private readonly gaps: InventoryGap[] = [];
    private readonly bodies = new Map<PulumiResourceRecord, OpenApiBody>();

    constructor(private readonly records: readonly PulumiResourceRecord[]) {
        this.index = records.length === 1 ? new OneRecord(records[0]) : new RecordMaps(records);
    }

    build(): Inventory {
        const entities: Entity[] = [];
        for (const record of this.records) {
            if (!isRelevantType(record.type)) {
                continue;
            }
            if (record.malformedProps !== undefined && record.malformedProps.size > 0) {
                const names = [...record.malformedProps].map(name => `'${name}'`).join(", ");
                this.gaps.push({
                    ref: record.urn,
                    message: `${record.type} '${record.name}': ${names} held a value the Pulumi engine protocol does not define (a secret without a value, an asset without a source, or an unknown signature); rules that read ${record.malformedProps.size === 1 ? "it" : "them"} cannot tell`,
                    provenance: this.provenance(record),
                });
            }
            try {
                entities.push(this.toEntity(record));
                if (record.type === T.restApi || record.type === T.v2Api) {
                    entities.push(...this.definedByApi(record));
                }
            } catch (error) {
                // Never echo property values: they may hold a key value.
                this.gaps.push({
                    ref: record.urn,
                    message: `could not read ${record.type} '${record.name}': ${error instanceof Error ? error.name : "error"}`,
                    provenance: this.provenance(record),
                });
            }
        }
        return new Inventory(entities, this.gaps, secretTextsOf(this.records));
    }

    private provenance(record: PulumiResourceRecord): Provenance {
        return record.file
            ? { source: "pulumi", urn: record.urn, resourceType: record.type, file: record.file }
            : { source: "pulumi", urn: record.urn, resourceType: record.type };
    }

    /**
     * The entity: the common fields (ref, name, provenance, id when known), then the kind's own.
     * Built from two fixed-shape literals rather than by object spread: spreading a base that
     * varies by kind and id makes V8 clone each entity the slow, generic way (microseconds each).
     */
    private entity(record: PulumiResourceRecord, fields: EntityFields): Entity {
        const id = record.id ?? stringProp(record.props.id);
        const provenance = this.provenance(record);
        const base = id
            ? { ref: record.urn, name: record.name, provenance, id }
            : { ref: record.urn, name: record.name, provenance };
        return Object.assign(base, fields) as Entity;
    }

    /**
     * Resolve the resource that property `prop` of `record` refers to. A dependency of the right
     * type wins (works in preview); otherwise a known id is looked up, or kept as external.
     */
    private link(record: PulumiResourceRecord, prop: string, value: Maybe<string | undefined>, targetTypes: readonly string[]): Link {
        if (typeof value === "string") {
            for (const type of targetTypes) {
                const urn = this.index.urnOfId(type, value);
                if (urn) {
                    return entityLink(urn);
                }
            }
        }
        const deps = record.propertyDependencies?.[prop] ?? [];
        const candidates = deps.length === 0 ? deps : deps.filter(urn => {
            const target = this.index.record(urn);
            return target !== undefined && targetTypes.includes(target.type);
        });
        if (candidates.length === 1) {
            return entityLink(candidates[0]);
        }
        if (typeof value === "string") {
            return externalLink(value);
        }
        if (candidates.length > 1) {
            return unknownLink(`'${prop}' depends on several candidate resources`);
        }
        return unknownLink(isUnknown(value) ? `'${prop}' is computed` : `'${prop}' is not set`);
    }

    private toEntity(record: PulumiResourceRecord): Entity {
        const p = record.props;
        switch (record.type) {
            case T.restApi:
                return this.entity(record, {
                    kind: "rest-api",
                    awsName: read.string(p, "name"),
                    apiKeySource: this.apiKeySource(record),
                    endpointTypes: read.stringList(p, "endpointConfiguration.types"),
                });
            case T.resource:
                return this.entity(record, {
                    kind: "api-resource",
                    restApi: this.link(record, "restApi", read.string(p, "restApi"), [T.restApi]),
                    path: this.resourcePath(record.urn),
                });
            case T.method:
                return this.entity(record, {
                    kind: "method",
                    restApi: this.link(record, "restApi", read.string(p, "restApi"), [T.restApi]),
                    path: this.methodPath(record),
                    httpMethod: required(upper(read.string(p, "httpMethod"))),
                    apiKeyRequired: read.boolean(p, "apiKeyRequired"),
                    authorizationType: upper(read.string(p, "authorization")),
                });
            case T.stage:
                return this.entity(record, {
                    kind: "stage",
                    apiVersion: "v1",
                    restApi: this.link(record, "restApi", read.string(p, "restApi"), [T.restApi]),
                    stageName: required(read.string(p, "stageName")),
                    accessLogSettings: this.accessLogs(record),
                    xrayTracingEnabled: read.boolean(p, "xrayTracingEnabled"),
                    cacheClusterEnabled: read.boolean(p, "cacheClusterEnabled"),
                    webAclArn: read.string(p, "webAclArn"),
                    arn: read.string(p, "arn"),
                });
            case T.v2Stage:
                return this.entity(record, {
                    kind: "stage",
                    apiVersion: "v2",
                    restApi: this.link(record, "apiId", read.string(p, "apiId"), [T.v2Api]),
                    stageName: required(read.string(p, "name")),
                    accessLogSettings: this.accessLogs(record),
                    arn: read.string(p, "arn"),
                    v2LoggingLevel: upper(read.string(p, "defaultRouteSettings.loggingLevel")),
                    v2DataTraceEnabled: read.boolean(p, "defaultRouteSettings.dataTraceEnabled"),
                    v2RouteSettings: routeSettings(p),
                });
            case T.methodSettings: {
                const stageName = required(read.string(p, "stageName"));
                return this.entity(record, {
                    kind: "method-settings",
                    restApi: this.link(record, "restApi", read.string(p, "restApi"), [T.restApi]),
                    stage: this.stageLink(record, "stageName", stageName),
                    stageName,
                    methodPath: required(read.string(p, "methodPath")),
                    loggingLevel: upper(read.string(p, "settings.loggingLevel")),
                    metricsEnabled: read.boolean(p, "settings.metricsEnabled"),
                    dataTraceEnabled: read.boolean(p, "settings.dataTraceEnabled"),
                    cachingEnabled: read.boolean(p, "settings.cachingEnabled"),
                    cacheDataEncrypted: read.boolean(p, "settings.cacheDataEncrypted"),
                });
            }
            case T.apiKey:
                return this.entity(record, {
                    kind: "api-key",
                    awsName: read.string(p, "name"),
                    enabled: read.boolean(p, "enabled"),
                    createdDate: read.string(p, "createdDate"),
                    tags: read.stringMap(p, "tags"),
                    value: this.secretValue(record, "value"),
                });
            case T.usagePlan:
                return this.entity(record, {
                    kind: "usage-plan",
                    awsName: read.string(p, "name"),
                    throttle: throttle(p, "throttleSettings"),
                    quota: quota(p, "quotaSettings"),
                    apiStages: this.apiStages(record),
                });
            case T.usagePlanKey: {
                const usagePlan = this.link(record, "usagePlanId", read.string(p, "usagePlanId"), [T.usagePlan]);
                const apiKey = this.link(record, "keyId", read.string(p, "keyId"), [T.apiKey]);
                return this.entity(record, p.value !== undefined
                    ? { kind: "usage-plan-key", usagePlan, apiKey, value: this.secretValue(record, "value") }
                    : { kind: "usage-plan-key", usagePlan, apiKey });
            }
            case T.account:
                return this.entity(record, {
                    kind: "account",
                    cloudwatchRoleArn: read.string(p, "cloudwatchRoleArn"),
                });
            case T.domainName:
                return this.entity(record, {
                    kind: "domain-name",
                    domainName: required(read.string(p, "domainName")),
                    securityPolicy: upper(read.string(p, "securityPolicy")),
                });
            case T.v2DomainName:
                // An HTTP/WebSocket domain holds its policy in its one domainNameConfiguration.
                return this.entity(record, {
                    kind: "domain-name",
                    domainName: required(read.string(p, "domainName")),
                    securityPolicy: upper(read.string(p, "domainNameConfiguration.securityPolicy")),
                });
            case T.logGroup:
                return this.entity(record, {
                    kind: "log-group",
                    logGroupName: required(read.string(p, "name")),
                    arn: read.string(p, "arn"),
                    retentionInDays: read.number(p, "retentionInDays"),
                });
            case T.wafv2Association:
            case T.wafRegionalAssociation: {
                const arnProp = record.type === T.wafv2Association ? "webAclArn" : "webAclId";
                const resourceArn = required(read.string(p, "resourceArn"));
                return this.entity(record, {
                    kind: "web-acl-association",
                    target: this.arnLink(record, "resourceArn", resourceArn, [T.stage]),
                    resourceArn,
                    webAclArn: required(read.string(p, arnProp)),
                });
            }
            case T.v2Api:
                return this.entity(record, {
                    kind: "v2-api",
                    awsName: read.string(p, "name"),
                    protocolType: required(upper(read.string(p, "protocolType"))),
                });
            case T.v2Route:
                return this.entity(record, {
                    kind: "v2-route",
                    api: this.link(record, "apiId", read.string(p, "apiId"), [T.v2Api]),
                    routeKey: required(read.string(p, "routeKey")),
                    authorizationType: upper(read.string(p, "authorizationType")),
                    apiKeyRequired: read.boolean(p, "apiKeyRequired"),
                });
            default:
                throw new Error(`unsupported type ${record.type}`);
        }
    }

    private apiKeySource(record: PulumiResourceRecord): Maybe<string | undefined> {
        const explicit = upper(read.string(record.props, "apiKeySource"));
        if (explicit !== undefined) {
            return explicit;
        }
        // An OpenAPI body may set the source through its vendor extension.
        return apiKeySourceOf(this.body(record));
    }

    /** The API's OpenAPI body, read once per record (the key source and the operations both need it). */
    private body(record: PulumiResourceRecord): OpenApiBody {
        let body = this.bodies.get(record);
        if (body === undefined) {
            const raw = record.props.body;
            body = readOpenApiBody(raw, {
                isRawUnknown: value => isSentinel(value) || isUnknown(value),
                unknownReason: isUnknown(raw) ? `the OpenAPI body is ${raw.reason}` : "the OpenAPI body is computed: known only after the update",
                flavour: record.type === T.v2Api ? "http" : "rest",
            });
            this.bodies.set(record, body);
        }
        return body;
    }

    /** The methods or routes an API's body defines, and an HTTP API's quick-create route and stage. */
    private definedByApi(record: PulumiResourceRecord): Entity[] {
        const http = record.type === T.v2Api;
        const protocol = http ? upper(read.string(record.props, "protocolType")) : undefined;
        // A body and quick create are for HTTP APIs only; AWS rejects both on a WebSocket API.
        if (protocol === "WEBSOCKET") {
            return [];
        }
        const owner = { ref: record.urn, name: record.name, provenance: this.provenance(record), link: entityLink(record.urn), flavour: http ? "http" as const : "rest" as const };
        const entities = bodyEntities(owner, this.body(record));
        if (http && record.props.target !== undefined && record.props.target !== null) {
            entities.push(...quickCreateEntities(owner, read.string(record.props, "routeKey")));
        }
        return entities;
    }

    private accessLogs(record: PulumiResourceRecord): Maybe<AccessLogSettings | undefined> {
        const block = read.object(record.props, "accessLogSettings");
        if (block === undefined || isUnknown(block)) {
            return block;
        }
        const destinationArn = read.string(block, "destinationArn");
        return {
            destinationArn,
            format: read.string(block, "format"),
            destination: this.arnLink(record, "accessLogSettings", destinationArn === undefined ? unknown("not set") : destinationArn, [T.logGroup]),
        };
    }

    private secretValue(record: PulumiResourceRecord, prop: string): SecretValue {
        const raw = record.props[prop];
        const deps = record.propertyDependencies?.[prop] ?? [];
        const generated = deps.some(urn => GENERATOR_TYPES.has(this.index.record(urn)?.type ?? ""));
        const isSecret = record.secretProps === undefined ? undefined : record.secretProps.has(prop);
        if (raw === undefined || raw === null) {
            return { handling: "absent" };
        }
        if (isSentinel(raw) || isUnknown(raw)) {
            const why = isUnknown(raw) ? `the key value is ${raw.reason}` : "the key value is computed: known only after the update";
            if (!generated && isSecret && record.programInputs?.has(prop)) {
                // Unreadable (encrypted in a stack export), but the program gave it: not generated.
                return { handling: "secret", origin: "program" };
            }
            return { handling: generated ? "generated" : isSecret ? "secret" : unknown(why) };
        }
        if (typeof raw !== "string") {
            return { handling: unknown(`malformed property '${prop}': expected string`) };
        }
        const print = fingerprint(raw);
        const length = raw.length;
        if (generated) {
            return { handling: "generated", fingerprint: print, length };
        }
        if (isSecret === undefined) {
            return { handling: unknown("whether the key value is a secret could not be observed"), fingerprint: print, length };
        }
        return isSecret
            ? { handling: "secret", origin: "program", fingerprint: print, length }
            : { handling: "plaintext", fingerprint: print, length };
    }

    private apiStages(record: PulumiResourceRecord): Maybe<readonly UsagePlanApiStage[]> {
        const list = read.array(record.props, "apiStages");
        if (isUnknown(list)) {
            return list;
        }
        const stages: UsagePlanApiStage[] = [];
        for (const item of list ?? []) {
            const apiId = read.string(item, "apiId");
            const stageName = required(read.string(item, "stage"));
            const restApi = this.link(record, "apiStages", apiId, [T.restApi]);
            stages.push({ restApi, stageName, stage: this.stageOf(restApi, stageName, record, "apiStages") });
        }
        const unresolved = stages.filter(apiStage => isUnknown(apiStage.stageName) && apiStage.stage.kind === "unknown");
        const idOf = unresolved.length === 1 ? this.stageNamedByDeploymentId(record) : undefined;
        return idOf === undefined ? stages : stages.map(apiStage => unresolved.includes(apiStage) ? { ...apiStage, stageNameIsIdOf: idOf } : apiStage);
    }

    /**
     * `stage: deployment.id` in a preview: a Deployment has no output that names a stage (its
     * deprecated inline stage aside), so an apiStages entry whose unresolved stage depends on one
     * Deployment and on no Stage names that deployment's id. Dependencies are kept per property
     * (`apiStages` as a whole), so this is told only when one entry's stage is unresolved.
     */
    private stageNamedByDeploymentId(record: PulumiResourceRecord): string | undefined {
        const dependencies = record.propertyDependencies?.apiStages ?? [];
        const typeOf = (urn: string) => this.index.record(urn)?.type ?? typeFromUrn(urn);
        if (dependencies.some(urn => typeOf(urn) === T.stage)) {
            return undefined;
        }
        const deployments = dependencies.filter(urn => typeOf(urn) === DEPLOYMENT_TYPE);
        if (deployments.length !== 1) {
            return undefined;
        }
        // A deployment given a stageName creates that stage: its outputs may then name it.
        const deployment = this.index.record(deployments[0]);
        return deployment !== undefined && deployment.props.stageName !== undefined && deployment.props.stageName !== "" ? undefined : deployments[0];
    }

    /**
     * A stage is named by API + stage name, not by id. Resolve it by finding the stage record with
     * that name on that API; in a preview a `propertyDependencies` entry pointing at a Stage is used.
     */
    private stageLink(record: PulumiResourceRecord, prop: string, stageName: Maybe<string>): Link {
        const restApi = this.link(record, "restApi", read.string(record.props, "restApi"), [T.restApi]);
        return this.stageOf(restApi, stageName, record, prop);
    }

    private stageOf(restApi: Link, stageName: Maybe<string>, record: PulumiResourceRecord, prop: string): Link {
        if (restApi.kind === "entity" && typeof stageName === "string") {
            const match = this.stagesByApiAndName().get(`${restApi.ref}\u0000${stageName}`);
            if (match) {
                return entityLink(match);
            }
        }
        const stageDeps = (record.propertyDependencies?.[prop] ?? []).filter(urn => this.index.record(urn)?.type === T.stage);
        if (stageDeps.length === 1) {
            return entityLink(stageDeps[0]);
        }
        if (restApi.kind === "external" && typeof stageName === "string") {
            return externalLink(`${restApi.id}/${stageName}`);
        }
        return unknownLink("the stage could not be identified");
    }

    /** REST API urn + stage name → stage urn, built once (keeps method-settings joins linear). */
    private stagesByApiAndName(): Map<string, string> {
        if (!this.stageIndex) {
            this.stageIndex = new Map();
            for (const record of this.records) {
                const stageName = record.type === T.stage ? read.string(record.props, "stageName") : undefined;
                if (typeof stageName === "string") {
                    const api = this.link(record, "restApi", read.string(record.props, "restApi"), [T.restApi]);
                    if (api.kind === "entity") {
                        this.stageIndex.set(`${api.ref}\u0000${stageName}`, record.urn);
                    }
                }
            }
        }
        return this.stageIndex;
    }

    private arnLink(record: PulumiResourceRecord, prop: string, arn: Maybe<string>, types: readonly string[]): Link {
        const deps = (record.propertyDependencies?.[prop] ?? []).filter(urn => types.includes(this.index.record(urn)?.type ?? ""));
        if (typeof arn === "string") {
            const match = this.index.urnOfArn(arn) ?? this.index.urnOfArn(arn.replace(/:\*$/, ""));
            if (match && types.includes(this.index.record(match)?.type ?? "")) {
                return entityLink(match);
            }
        }
        if (deps.length === 1) {
            return entityLink(deps[0]);
        }
        return typeof arn === "string" ? externalLink(arn) : unknownLink("the associated resource could not be identified");
    }

    private methodPath(record: PulumiResourceRecord): Maybe<string> {
        const resourceId = read.string(record.props, "resourceId");
        const target = this.link(record, "resourceId", resourceId, [T.resource, T.restApi]);
        if (target.kind === "entity") {
            const targetRecord = this.index.record(target.ref);
            if (targetRecord?.type === T.restApi) {
                return "/";
            }
            return this.resourcePath(target.ref);
        }
        if (typeof resourceId === "string" && this.index.isRestApiRoot(resourceId)) {
            return "/";
        }
        return unknown("the method's resource could not be identified");
    }

    private resourcePath(urn: string, depth = 0): Maybe<string> {
        const cached = this.resourcePathCache?.get(urn);
        if (cached !== undefined) {
            return cached;
        }
        const record = this.index.record(urn);
        let path: Maybe<string>;
        if (!record || depth > 64) {
            path = unknown("the resource path could not be derived");
        } else if (record.type === T.restApi) {
            path = "/";
        } else {
            const known = read.string(record.props, "path");
            if (typeof known === "string") {
                path = known;
            } else {
                const part = read.string(record.props, "pathPart");
                const parentId = read.string(record.props, "parentId");
                const parent = this.link(record, "parentId", parentId, [T.resource, T.restApi]);
                let parentPath: Maybe<string>;
                if (parent.kind === "entity") {
                    parentPath = this.resourcePath(parent.ref, depth + 1);
                } else if (typeof parentId === "string" && this.index.isRestApiRoot(parentId)) {
                    parentPath = "/";
                } else {
                    parentPath = unknown("the parent resource could not be identified");
                }
                if (typeof part !== "string") {
                    path = unknown("the path part is computed");
                } else if (isUnknown(parentPath)) {
                    path = parentPath;
                } else {
                    path = parentPath === "/" ? `/${part}` : `${parentPath}/${part}`;
                }
            }
        }
        (this.resourcePathCache ??= new Map()).set(urn, path);
        return path;
    }
}

/**
 * Whether a value is one of the preview's unknown sentinels. They are all UUIDs (36 characters):
 * testing the length first spares hashing every other string read (an OpenAPI body, say).
 */
function isSentinel(value: unknown): boolean {
    return typeof value === "string" && value.length === SENTINEL_LENGTH && UNKNOWN_SENTINELS.has(value);
}

/** An entity's own fields: everything but the common ones `entity()` fills in. */
type EntityFields = Entity extends infer E ? (E extends Entity ? Omit<E, "ref" | "name" | "provenance" | "id" | "region"> : never) : never;

function stringProp(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" && !isSentinel(value) ? value : undefined;
}

function upper(value: Maybe<string | undefined>): Maybe<string | undefined> {
    return typeof value === "string" ? value.toUpperCase() : value;
}

/** A required attribute that is absent is reported as unknown rather than as an empty string. */
function required(value: Maybe<string | undefined>): Maybe<string> {
    return value === undefined ? unknown("not set") : value;
}

function throttle(p: Bag, path: string): Maybe<ThrottleSettings | undefined> {
    const block = read.object(p, path);
    if (block === undefined || isUnknown(block)) {
        return block;
    }
    return { rateLimit: read.number(block, "rateLimit"), burstLimit: read.number(block, "burstLimit") };
}

function quota(p: Bag, path: string): Maybe<QuotaSettings | undefined> {
    const block = read.object(p, path);
    if (block === undefined || isUnknown(block)) {
        return block;
    }
    return { limit: read.number(block, "limit"), period: upper(read.string(block, "period")), offset: read.number(block, "offset") };
}

/**
 * The strings inside every property that arrived as a secret (the whole top-level property, as the
 * secret tap and the export record it), for redaction in every output. Unknown sentinels are no
 * values and are left out.
 */
function secretTextsOf(records: readonly PulumiResourceRecord[]): ReadonlySet<string> {
    let texts: Set<string> | undefined;
    for (const record of records) {
        if (record.secretProps === undefined || record.secretProps.size === 0) {
            continue;
        }
        for (const prop of record.secretProps) {
            // Key values are held only as fingerprints and never printed: they need no redaction.
            if (prop === "value" && (record.type === T.apiKey || record.type === T.usagePlanKey)) {
                continue;
            }
            collectStrings(record.props[prop], text => {
                if (!isSentinel(text)) {
                    (texts ??= new Set()).add(text);
                }
            });
        }
    }
    return texts ?? new Set();
}

/**
 * Calls `found` for every string value in a value. Not for object keys: a secret tag map's keys
 * (`Name`, `apigw-guard:rotated-at`) name fields, and messages must still say which tag to set.
 */
function collectStrings(value: unknown, found: (text: string) => void): void {
    const pending: unknown[] = [value];
    while (pending.length > 0) {
        const item = pending.pop();
        if (isUnknown(item)) {
            continue;
        }
        if (typeof item === "string") {
            found(item);
        } else if (Array.isArray(item)) {
            pending.push(...item);
        } else if (typeof item === "object" && item !== null) {
            pending.push(...Object.values(item));
        }
    }
}

/** A v2 stage's `routeSettings` (one entry per route key). */
function routeSettings(p: Bag): Maybe<readonly V2RouteSettings[] | undefined> {
    const list = read.array(p, "routeSettings");
    if (list === undefined || isUnknown(list)) {
        return list;
    }
    const settings: V2RouteSettings[] = [];
    for (const item of list) {
        if (isSentinel(item)) {
            return unknown("a routeSettings entry of the stage is computed: known only after the update");
        }
        settings.push({
            routeKey: required(read.string(item, "routeKey")),
            loggingLevel: upper(read.string(item, "loggingLevel")),
            dataTraceEnabled: read.boolean(item, "dataTraceEnabled"),
        });
    }
    return settings.length === 0 ? undefined : settings;
}

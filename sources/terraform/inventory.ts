import {
    AccessLogSettings, Entity, entityLink, externalLink, Inventory, InventoryGap, isUnknown, Link, Maybe, Provenance,
    QuotaSettings, SecretValue, ThrottleSettings, unknown, unknownLink, UsagePlanApiStage, V2RouteSettings,
} from "apigw-guard/policies/model/index";
import { apiKeySourceOf, bodyEntities, OpenApiBody, quickCreateEntities, readOpenApiBody } from "apigw-guard/policies/sources/openapi/index";
import { Bag, Reader } from "apigw-guard/policies/sources/read";
import { fingerprint } from "apigw-guard/policies/sources/secrets";
import { configAddress, IndexedAddress, indexAddress, moduleInstancePath, parseAddress, TfAddress } from "./address";
import { isPartialJson, isTfUnknown, TfResourceRecord } from "./types";

/** The Terraform resource types the kit reads (terraform-provider-aws names). */
export const TfTypes = {
    restApi: "aws_api_gateway_rest_api",
    resource: "aws_api_gateway_resource",
    method: "aws_api_gateway_method",
    stage: "aws_api_gateway_stage",
    deployment: "aws_api_gateway_deployment",
    methodSettings: "aws_api_gateway_method_settings",
    apiKey: "aws_api_gateway_api_key",
    usagePlan: "aws_api_gateway_usage_plan",
    usagePlanKey: "aws_api_gateway_usage_plan_key",
    account: "aws_api_gateway_account",
    domainName: "aws_api_gateway_domain_name",
    logGroup: "aws_cloudwatch_log_group",
    wafv2Association: "aws_wafv2_web_acl_association",
    wafRegionalAssociation: "aws_wafregional_web_acl_association",
    v2Api: "aws_apigatewayv2_api",
    v2Route: "aws_apigatewayv2_route",
    v2Stage: "aws_apigatewayv2_stage",
    v2DomainName: "aws_apigatewayv2_domain_name",
} as const;

const T = TfTypes;
const RELEVANT_TYPES: ReadonlySet<string> = new Set(Object.values(TfTypes));

/**
 * The `TfTypes` constant equal to `type`, else `type`. Strings from `JSON.parse` are separate,
 * non-interned copies, so every `record.type === T.x` (and the `switch` in the mapping) compared
 * characters; front ends pass record types through this once so those compare by identity.
 */
export function canonicalTfType(type: string): string {
    return CANONICAL_TYPES.get(type) ?? type;
}

const CANONICAL_TYPES: ReadonlyMap<string, string> = new Map(Object.values(TfTypes).map(type => [type, type]));

/** True for resource types the mapping turns into entities (front ends may skip the rest early). */
export function isRelevantTfType(type: string): boolean {
    return RELEVANT_TYPES.has(type);
}

/** Resources whose output is a generated secret: a key value taken from one is "generated". */
export const TF_GENERATOR_TYPES: ReadonlySet<string> = new Set([
    "random_password", "random_string", "random_id", "random_uuid", "random_bytes",
]);

/** API Gateway paths are far shallower; this only bounds malformed input. */
const MAX_PATH_DEPTH = 2000;

const planRead = new Reader(isTfUnknown, "known only after apply");
const staticRead = new Reader(isTfUnknown, "set by an expression that cannot be resolved without running Terraform");

/**
 * Entity field → the Terraform attributes (dotted, no index) that set it, first match wins, so
 * HCL `attributeLines` become `provenance.fieldLines`. A nested attribute that is not written
 * falls back to its block's line, which is where it would have to be added.
 */
const FIELD_ATTRIBUTES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
    [T.restApi]: { apiKeySource: ["api_key_source", "body"], endpointTypes: ["endpoint_configuration.types", "endpoint_configuration"] },
    [T.resource]: { restApi: ["rest_api_id"], path: ["path_part", "parent_id"] },
    [T.method]: {
        restApi: ["rest_api_id"], path: ["resource_id"], httpMethod: ["http_method"],
        apiKeyRequired: ["api_key_required"], authorizationType: ["authorization"],
    },
    [T.stage]: {
        restApi: ["rest_api_id"], stageName: ["stage_name"], accessLogSettings: ["access_log_settings"],
        xrayTracingEnabled: ["xray_tracing_enabled"], cacheClusterEnabled: ["cache_cluster_enabled"],
    },
    // The deprecated inline stage of a deployment: every setting is fixed by `stage_name`.
    [T.deployment]: {
        restApi: ["rest_api_id"], stageName: ["stage_name"], accessLogSettings: ["stage_name"],
        xrayTracingEnabled: ["stage_name"], cacheClusterEnabled: ["stage_name"],
    },
    [T.methodSettings]: {
        restApi: ["rest_api_id"], stage: ["stage_name"], stageName: ["stage_name"], methodPath: ["method_path"],
        loggingLevel: ["settings.logging_level", "settings"], metricsEnabled: ["settings.metrics_enabled", "settings"],
        dataTraceEnabled: ["settings.data_trace_enabled", "settings"], cachingEnabled: ["settings.caching_enabled", "settings"],
        cacheDataEncrypted: ["settings.cache_data_encrypted", "settings"],
    },
    [T.apiKey]: { enabled: ["enabled"], tags: ["tags"], value: ["value"] },
    [T.usagePlan]: { throttle: ["throttle_settings"], quota: ["quota_settings"], apiStages: ["api_stages"] },
    [T.usagePlanKey]: { usagePlan: ["usage_plan_id"], apiKey: ["key_id"] },
    [T.account]: { cloudwatchRoleArn: ["cloudwatch_role_arn"] },
    [T.domainName]: { domainName: ["domain_name"], securityPolicy: ["security_policy"] },
    [T.v2DomainName]: { domainName: ["domain_name"], securityPolicy: ["domain_name_configuration.security_policy", "domain_name_configuration"] },
    [T.logGroup]: { logGroupName: ["name"], retentionInDays: ["retention_in_days"] },
    [T.wafv2Association]: { target: ["resource_arn"], resourceArn: ["resource_arn"], webAclArn: ["web_acl_arn"] },
    [T.wafRegionalAssociation]: { target: ["resource_arn"], resourceArn: ["resource_arn"], webAclArn: ["web_acl_id"] },
    [T.v2Api]: { protocolType: ["protocol_type"] },
    [T.v2Route]: { api: ["api_id"], routeKey: ["route_key"], authorizationType: ["authorization_type"], apiKeyRequired: ["api_key_required"] },
    [T.v2Stage]: {
        restApi: ["api_id"], stageName: ["name"], accessLogSettings: ["access_log_settings"],
        v2LoggingLevel: ["default_route_settings.logging_level", "default_route_settings"],
        v2DataTraceEnabled: ["default_route_settings.data_trace_enabled", "default_route_settings"],
        v2RouteSettings: ["route_settings"],
    },
};

/**
 * `addresses`, when given, holds `indexAddress(parseAddress(records[i].address))` at index i
 * (undefined where that does not parse): a front end that parsed every address already passes
 * them so they are not parsed, nor their index keys built, twice.
 *
 * The one mapping from Terraform resources to Inventory entities, shared by the plan, state and
 * HCL front ends. Links are made by known id/ARN first (state, plans of existing resources), then
 * through the configuration references of the attribute (new resources, HCL), matching a
 * reference to the count/for_each instance that shares the referrer's module instance and key.
 */
export function inventoryFromTerraformRecords(records: readonly TfResourceRecord[], addresses?: readonly (IndexedAddress | undefined)[]): Inventory {
    return new TerraformInventoryBuilder(records, addresses).build();
}

/** The ref of the stage entity that a deployment's deprecated inline `stage_name` creates. */
export function deploymentStageRef(deploymentAddress: string): string {
    return `${deploymentAddress}#stage`;
}

interface EntityBase {
    ref: string;
    name: string;
    provenance: Provenance;
    id?: string;
}

/** An entity's own fields: everything but the base, per kind. */
type EntityFields = { [K in Entity["kind"]]: Omit<Extract<Entity, { kind: K }>, keyof EntityBase> }[Entity["kind"]];

/** `{ ...base, ...fields }` (same keys, same order), without the generic spread copy. */
function withBase<F extends EntityFields>(base: EntityBase, fields: F): EntityBase & F {
    return Object.assign(base, fields);
}

class TerraformInventoryBuilder {
    private readonly records: TfResourceRecord[] = [];
    private readonly byAddress = new Map<string, TfResourceRecord>();
    private readonly parsed = new Map<string, TfAddress>();
    private readonly byConfigAddress = new Map<string, TfResourceRecord[]>();
    /**
     * `configAddress` → `moduleInstancePath` → records: the instances of a block inside one module
     * instance (nested maps: no key string is built per record or lookup). A reference from
     * `module.api["a"]` to `aws_x.y` then costs a map lookup instead of a scan over every instance
     * of the block in every module instance (quadratic in a plan of a for_each module with
     * thousands of instances).
     */
    private readonly byConfigAddressInModule = new Map<string, Map<string, TfResourceRecord[]>>();
    /** Parsed references (every instance of a block repeats the same reference strings). */
    private readonly parsedReferences = new Map<string, TfAddress | undefined>();
    /** type → id → address, for records whose cloud id is known. */
    private readonly addressByTypeAndId = new Map<string, Map<string, string>>();
    private readonly addressByArn = new Map<string, string>();
    /** REST API root resource id → REST API address. */
    private readonly restApiByRootId = new Map<string, string>();
    private readonly logGroupByName = new Map<string, string>();
    private readonly resourcePathCache = new Map<string, Maybe<string>>();
    /** `ref:<api ref>\0<stage>` / `id:<api id>\0<stage>` → stage entity ref; built once. */
    private stageIndex: Map<string, string> | undefined;
    /** Deployments whose inline stage becomes an entity (no stage resource manages the same stage). */
    private readonly deploymentStages = new Set<string>();
    private readonly gaps: InventoryGap[] = [];
    private readonly bodies = new Map<TfResourceRecord, OpenApiBody>();

    constructor(records: readonly TfResourceRecord[], addresses?: readonly (IndexedAddress | undefined)[]) {
        for (let index = 0; index < records.length; index++) {
            const record = records[index];
            if (record.mode !== "managed") {
                continue;
            }
            if (this.byAddress.has(record.address)) {
                this.gaps.push({ ref: record.address, message: `resource ${record.address} appears more than once; only the first was read` });
                continue;
            }
            this.records.push(record);
            this.byAddress.set(record.address, record);
            const indexed = addresses ? addresses[index] : indexOf(parseAddress(record.address));
            if (indexed) {
                this.parsed.set(record.address, indexed.parsed);
                const key = indexed.configAddress;
                const list = this.byConfigAddress.get(key);
                if (list) {
                    list.push(record);
                } else {
                    this.byConfigAddress.set(key, [record]);
                }
                const modules = innerMap(this.byConfigAddressInModule, key);
                const modulePath = indexed.instancePath;
                const inModule = modules.get(modulePath);
                if (inModule) {
                    inModule.push(record);
                } else {
                    modules.set(modulePath, [record]);
                }
            }
            const id = knownString(record.values.id);
            if (id) {
                innerMap(this.addressByTypeAndId, record.type).set(id, record.address);
            }
            const arn = knownString(record.values.arn);
            if (arn) {
                this.addressByArn.set(arn, record.address);
                const bare = withoutLogStreamSuffix(arn);
                if (bare !== arn) {
                    this.addressByArn.set(bare, record.address);
                }
            }
            if (record.type === T.restApi) {
                const rootId = knownString(record.values.root_resource_id);
                if (rootId) {
                    this.restApiByRootId.set(rootId, record.address);
                }
            }
            if (record.type === T.logGroup) {
                const name = knownString(record.values.name);
                if (name) {
                    this.logGroupByName.set(name, record.address);
                }
            }
        }
    }

    build(): Inventory {
        const entities: Entity[] = [];
        this.stages();
        for (const record of this.records) {
            if (!isRelevantTfType(record.type)) {
                continue;
            }
            try {
                const entity = this.toEntity(record);
                if (entity) {
                    entities.push(entity);
                    if (record.type === T.restApi || record.type === T.v2Api) {
                        entities.push(...this.definedByApi(record, entity));
                    }
                }
            } catch (error) {
                // Never echo values: they may hold a key value.
                this.gaps.push({
                    ref: record.address,
                    message: `could not read ${record.type} ${record.address}: ${error instanceof Error ? error.name : "error"}`,
                    provenance: this.provenance(record, this.reader(record)),
                });
            }
        }
        return new Inventory(entities, this.gaps, sensitiveTextsOf(this.records));
    }

    private reader(record: TfResourceRecord): Reader {
        // Only plans and static reads have unknowns; a plan says why more precisely.
        return record.actions !== undefined ? planRead : staticRead;
    }

    private displayName(record: TfResourceRecord): string {
        const key = this.parsed.get(record.address)?.key;
        return key === undefined ? record.name : `${record.name}[${key}]`;
    }

    private provenance(record: TfResourceRecord, read: Reader): Provenance {
        const arn = nonEmpty(read.string(record.values, "arn"));
        const fieldLines = this.fieldLines(record);
        // Optional fields are assigned rather than spread in: one object per entity, same key order.
        const provenance: { -readonly [K in keyof Provenance]: Provenance[K] } = {
            source: "terraform",
            address: record.address,
            resourceType: record.type,
        };
        if (typeof arn === "string") {
            provenance.arn = arn;
        }
        if (record.file !== undefined) {
            provenance.file = record.file;
        }
        if (record.line !== undefined) {
            provenance.line = record.line;
        }
        if (fieldLines) {
            provenance.fieldLines = fieldLines;
        }
        return provenance;
    }

    private fieldLines(record: TfResourceRecord): Record<string, number> | undefined {
        const lines = record.attributeLines;
        const fields = FIELD_ATTRIBUTES[record.type];
        if (!lines || !fields) {
            return undefined;
        }
        const out: Record<string, number> = {};
        for (const [field, attributes] of Object.entries(fields)) {
            const line = attributes.map(attribute => lines[attribute]).find(found => found !== undefined);
            if (line !== undefined) {
                out[field] = line;
            }
        }
        return Object.keys(out).length > 0 ? out : undefined;
    }

    /**
     * The fields every entity starts with. Entities are built as `withBase(base, fields)`:
     * spreading a base of varying shape (`{ ...base, kind }`) took V8's slow generic copy and
     * was the largest self time of the mapping.
     */
    private base(record: TfResourceRecord, read: Reader, ref: string = record.address): EntityBase {
        const id = knownString(record.values.id);
        const base: EntityBase = { ref, name: this.displayName(record), provenance: this.provenance(record, read) };
        if (id) {
            base.id = id;
        }
        return base;
    }

    /** The entity ref of a record (a deployment stands for the stage its `stage_name` creates). */
    private refOf(record: TfResourceRecord): string {
        return record.type === T.deployment ? deploymentStageRef(record.address) : record.address;
    }

    /**
     * Records of `types` that the configuration of `attribute` refers to. A reference to a
     * resource block matches its instances; among several, the one in the referrer's module
     * instance with the referrer's own key (`each.key`/`count.index` patterns) is taken.
     */
    private referenced(record: TfResourceRecord, attribute: string, types: readonly string[]): TfResourceRecord[] {
        const out: TfResourceRecord[] = [];
        const references = record.references[attribute];
        if (!references) {
            return out;
        }
        for (const reference of references) {
            for (const target of this.resolveReference(record, reference)) {
                // Records are unique by address (the constructor drops repeats): identity is enough.
                if (types.includes(target.type) && !out.includes(target)) {
                    out.push(target);
                }
            }
        }
        return out;
    }

    private resolveReference(referrer: TfResourceRecord, reference: string): TfResourceRecord[] {
        const exact = this.byAddress.get(reference);
        if (exact) {
            return [exact];
        }
        let target = this.parsedReferences.get(reference);
        if (target === undefined && !this.parsedReferences.has(reference)) {
            target = parseAddress(reference);
            this.parsedReferences.set(reference, target);
        }
        if (!target) {
            return [];
        }
        const blockAddress = configAddress(target);
        let candidates = this.byConfigAddress.get(blockAddress) ?? [];
        if (candidates.length <= 1 && target.key === undefined) {
            return candidates;
        }
        const keyed = (step: number, key: string) => candidates.filter(c => this.parsed.get(c.address)?.modules[step]?.key === key);
        target.modules.forEach((step, index) => {
            if (step.key !== undefined) {
                candidates = keyed(index, step.key);
            }
        });
        const self = this.parsed.get(referrer.address);
        const moduleKeyed = target.modules.some(step => step.key !== undefined);
        if (candidates.length > 1 && self && !moduleKeyed) {
            // Same result as the filter below, from the index: the instances in the referrer's module instance.
            const sameModule = this.byConfigAddressInModule.get(blockAddress)?.get(moduleInstancePath(self));
            if (sameModule && sameModule.length > 0) {
                candidates = sameModule;
            }
        } else if (candidates.length > 1 && self) {
            const sameModule = candidates.filter(c => {
                const address = this.parsed.get(c.address);
                return address !== undefined && moduleInstancePath(address) === moduleInstancePath(self);
            });
            if (sameModule.length > 0) {
                candidates = sameModule;
            }
        }
        if (target.key !== undefined) {
            return candidates.filter(c => this.parsed.get(c.address)?.key === target.key);
        }
        if (candidates.length > 1 && self?.key !== undefined) {
            const sameKey = candidates.filter(c => this.parsed.get(c.address)?.key === self.key);
            if (sameKey.length === 1) {
                return sameKey;
            }
        }
        return candidates;
    }

    /**
     * Resolve the resource that `attribute` of `record` names: a known id wins; otherwise the one
     * referenced resource of a target type; otherwise a known id stays as an external link.
     */
    private link(record: TfResourceRecord, attribute: string, value: Maybe<string | undefined>, targetTypes: readonly string[]): Link {
        if (typeof value === "string" && value !== "") {
            for (const type of targetTypes) {
                const address = this.addressByTypeAndId.get(type)?.get(value);
                if (address) {
                    return entityLink(address);
                }
            }
        }
        const candidates = this.referenced(record, attribute, targetTypes);
        if (candidates.length === 1) {
            return entityLink(this.refOf(candidates[0]));
        }
        if (typeof value === "string" && value !== "") {
            return externalLink(value);
        }
        if (candidates.length > 1) {
            return unknownLink(`'${attribute}' refers to several candidate resources`);
        }
        return unknownLink(isUnknown(value) ? `'${attribute}' is ${value.reason ?? "not known"}` : `'${attribute}' is not set`);
    }

    private toEntity(record: TfResourceRecord): Entity | undefined {
        const read = this.reader(record);
        const v = record.values;
        switch (record.type) {
            case T.restApi:
                return withBase(this.base(record, read), {
                    kind: "rest-api",
                    awsName: nonEmpty(read.string(v, "name")),
                    apiKeySource: this.apiKeySource(record, read),
                    endpointTypes: read.stringList(v, "endpoint_configuration.types"),
                });
            case T.resource:
                return withBase(this.base(record, read), {
                    kind: "api-resource",
                    restApi: this.link(record, "rest_api_id", read.string(v, "rest_api_id"), [T.restApi]),
                    path: this.resourcePath(record.address),
                });
            case T.method:
                return withBase(this.base(record, read), {
                    kind: "method",
                    restApi: this.link(record, "rest_api_id", read.string(v, "rest_api_id"), [T.restApi]),
                    path: this.methodPath(record, read),
                    httpMethod: required(upper(nonEmpty(read.string(v, "http_method")))),
                    apiKeyRequired: read.boolean(v, "api_key_required"),
                    authorizationType: upper(nonEmpty(read.string(v, "authorization"))),
                });
            case T.stage:
                return withBase(this.base(record, read), {
                    kind: "stage",
                    apiVersion: "v1",
                    restApi: this.link(record, "rest_api_id", read.string(v, "rest_api_id"), [T.restApi]),
                    stageName: required(nonEmpty(read.string(v, "stage_name"))),
                    accessLogSettings: this.accessLogs(record, read),
                    xrayTracingEnabled: read.boolean(v, "xray_tracing_enabled"),
                    cacheClusterEnabled: read.boolean(v, "cache_cluster_enabled"),
                    webAclArn: this.stageWebAcl(record, read),
                    arn: nonEmpty(read.string(v, "arn")),
                });
            case T.deployment:
                return this.deploymentStage(record, read);
            case T.methodSettings: {
                const restApi = this.link(record, "rest_api_id", read.string(v, "rest_api_id"), [T.restApi]);
                const stageName = required(nonEmpty(read.string(v, "stage_name")));
                const stage = this.stageOf(record, "stage_name", restApi, stageName);
                return withBase(this.base(record, read), {
                    kind: "method-settings",
                    restApi,
                    stage,
                    stageName: this.nameOfStage(stage, stageName),
                    methodPath: required(nonEmpty(read.string(v, "method_path"))),
                    loggingLevel: upper(nonEmpty(read.string(v, "settings.logging_level"))),
                    metricsEnabled: read.boolean(v, "settings.metrics_enabled"),
                    dataTraceEnabled: read.boolean(v, "settings.data_trace_enabled"),
                    cachingEnabled: read.boolean(v, "settings.caching_enabled"),
                    cacheDataEncrypted: read.boolean(v, "settings.cache_data_encrypted"),
                });
            }
            case T.apiKey: {
                const enabled = read.boolean(v, "enabled");
                return withBase(this.base(record, read), {
                    kind: "api-key",
                    awsName: nonEmpty(read.string(v, "name")),
                    // The provider defaults `enabled` to true.
                    enabled: enabled === undefined ? true : enabled,
                    createdDate: nonEmpty(read.string(v, "created_date")),
                    tags: this.tags(record, read),
                    value: this.apiKeyValue(record),
                });
            }
            case T.usagePlan:
                return withBase(this.base(record, read), {
                    kind: "usage-plan",
                    awsName: nonEmpty(read.string(v, "name")),
                    throttle: throttle(read, v),
                    quota: quota(read, v),
                    apiStages: this.apiStages(record, read),
                });
            case T.usagePlanKey: {
                const value = this.attachmentValue(record);
                return withBase(this.base(record, read), {
                    kind: "usage-plan-key",
                    usagePlan: this.link(record, "usage_plan_id", read.string(v, "usage_plan_id"), [T.usagePlan]),
                    apiKey: this.link(record, "key_id", read.string(v, "key_id"), [T.apiKey]),
                    ...(value ? { value } : {}),
                });
            }
            case T.account:
                return withBase(this.base(record, read), {
                    kind: "account",
                    cloudwatchRoleArn: nonEmpty(read.string(v, "cloudwatch_role_arn")),
                });
            case T.domainName:
                return withBase(this.base(record, read), {
                    kind: "domain-name",
                    domainName: required(nonEmpty(read.string(v, "domain_name"))),
                    securityPolicy: upper(nonEmpty(read.string(v, "security_policy"))),
                });
            case T.v2DomainName:
                // An HTTP/WebSocket domain holds its policy in its one domain_name_configuration block.
                return withBase(this.base(record, read), {
                    kind: "domain-name",
                    domainName: required(nonEmpty(read.string(v, "domain_name"))),
                    securityPolicy: upper(nonEmpty(read.string(v, "domain_name_configuration.security_policy"))),
                });
            case T.logGroup: {
                const retention = read.number(v, "retention_in_days");
                return withBase(this.base(record, read), {
                    kind: "log-group",
                    logGroupName: required(nonEmpty(read.string(v, "name"))),
                    arn: nonEmpty(read.string(v, "arn")),
                    // Terraform reports "never expire" as 0.
                    retentionInDays: retention === 0 ? undefined : retention,
                });
            }
            case T.wafv2Association:
            case T.wafRegionalAssociation: {
                const resourceArn = required(nonEmpty(read.string(v, "resource_arn")));
                const aclAttribute = record.type === T.wafv2Association ? "web_acl_arn" : "web_acl_id";
                return withBase(this.base(record, read), {
                    kind: "web-acl-association",
                    target: this.stageTarget(record, resourceArn),
                    resourceArn,
                    webAclArn: required(nonEmpty(read.string(v, aclAttribute))),
                });
            }
            case T.v2Api:
                return withBase(this.base(record, read), {
                    kind: "v2-api",
                    awsName: nonEmpty(read.string(v, "name")),
                    protocolType: required(upper(nonEmpty(read.string(v, "protocol_type")))),
                });
            case T.v2Route:
                return withBase(this.base(record, read), {
                    kind: "v2-route",
                    api: this.link(record, "api_id", read.string(v, "api_id"), [T.v2Api]),
                    routeKey: required(nonEmpty(read.string(v, "route_key"))),
                    authorizationType: upper(nonEmpty(read.string(v, "authorization_type"))),
                    apiKeyRequired: read.boolean(v, "api_key_required"),
                });
            case T.v2Stage:
                return withBase(this.base(record, read), {
                    kind: "stage",
                    apiVersion: "v2",
                    restApi: this.link(record, "api_id", read.string(v, "api_id"), [T.v2Api]),
                    stageName: required(nonEmpty(read.string(v, "name"))),
                    accessLogSettings: this.accessLogs(record, read),
                    arn: nonEmpty(read.string(v, "arn")),
                    v2LoggingLevel: this.optionalComputed(record, "default_route_settings.logging_level", upper(nonEmpty(read.string(v, "default_route_settings.logging_level")))),
                    v2DataTraceEnabled: read.boolean(v, "default_route_settings.data_trace_enabled"),
                    v2RouteSettings: this.routeSettings(record, read),
                });
            default:
                return undefined;
        }
    }

    /**
     * The deprecated `stage_name` of a deployment creates a stage with AWS defaults: no access
     * logs, no tracing, no cache, no web ACL. It becomes a stage entity unless a stage resource
     * manages a stage of the same name on the same API.
     */
    private deploymentStage(record: TfResourceRecord, read: Reader): Entity | undefined {
        if (!this.deploymentStages.has(record.address)) {
            return undefined;
        }
        return withBase(this.base(record, read, deploymentStageRef(record.address)), {
            kind: "stage",
            apiVersion: "v1",
            restApi: this.link(record, "rest_api_id", read.string(record.values, "rest_api_id"), [T.restApi]),
            stageName: required(nonEmpty(read.string(record.values, "stage_name"))),
            accessLogSettings: undefined,
            xrayTracingEnabled: undefined,
            cacheClusterEnabled: undefined,
            webAclArn: undefined,
        });
    }

    /** The API's OpenAPI body, read once per record (the key source and the operations both need it). */
    private body(record: TfResourceRecord): OpenApiBody {
        let body = this.bodies.get(record);
        if (body === undefined) {
            const read = this.reader(record);
            const raw = record.values.body;
            body = readOpenApiBody(isPartialJson(raw) ? raw.partialJson : raw, {
                isRawUnknown: isTfUnknown,
                unknownReason: `the OpenAPI body is ${read.unknownReason}`,
                flavour: record.type === T.v2Api ? "http" : "rest",
            });
            this.bodies.set(record, body);
        }
        return body;
    }

    /**
     * The methods or routes an API's body defines, and an HTTP API's quick-create route and
     * stage. Separate Method or Route resources on the same API are judged as well.
     */
    private definedByApi(record: TfResourceRecord, api: Entity): Entity[] {
        const http = record.type === T.v2Api;
        // A body and quick create are for HTTP APIs only; AWS rejects both on a WebSocket API.
        if (api.kind === "v2-api" && api.protocolType === "WEBSOCKET") {
            return [];
        }
        const owner = {
            ref: api.ref, name: api.name, provenance: api.provenance, link: entityLink(api.ref),
            flavour: http ? "http" as const : "rest" as const,
            ...(record.attributeLines?.body !== undefined ? { bodyLine: record.attributeLines.body } : {}),
        };
        const entities = bodyEntities(owner, this.body(record));
        const target = record.values.target;
        if (http && target !== undefined && target !== null && target !== "") {
            const read = this.reader(record);
            // In a plan an unknown target is set (to a value known after apply); read statically,
            // an unresolved expression may still be null, and then there is no quick create.
            const uncertain = isTfUnknown(target) && record.actions === undefined
                ? unknown(`whether AWS creates a quick-create route and $default stage depends on 'target', which is ${read.unknownReason}`)
                : undefined;
            entities.push(...quickCreateEntities(owner, nonEmpty(read.string(record.values, "route_key")), uncertain));
        }
        return entities;
    }

    /**
     * An optional+computed attribute is unknown in a plan whenever the configuration leaves it out,
     * and AWS then applies its default (for a v2 route's logging level: none, so OFF). Only a value
     * the configuration sets stays unknown.
     */
    private optionalComputed<V>(record: TfResourceRecord, path: string, value: Maybe<V | undefined>): Maybe<V | undefined> {
        if (!isUnknown(value) || record.configured === undefined || record.configured[path] !== undefined) {
            return value;
        }
        return record.actions !== undefined && record.actions.includes("create") ? undefined : value;
    }

    /** A v2 stage's `route_settings` blocks (a set: one per route key). */
    private routeSettings(record: TfResourceRecord, read: Reader): Maybe<readonly V2RouteSettings[] | undefined> {
        const list = read.array(record.values, "route_settings");
        if (list === undefined || isUnknown(list)) {
            return list;
        }
        const settings: V2RouteSettings[] = [];
        for (const item of list) {
            if (isTfUnknown(item)) {
                return unknown(`a route_settings block of the stage is ${read.unknownReason}`);
            }
            settings.push({
                routeKey: required(nonEmpty(read.string(item, "route_key"))),
                loggingLevel: this.optionalComputed(record, "route_settings.logging_level", upper(nonEmpty(read.string(item, "logging_level")))),
                dataTraceEnabled: read.boolean(item, "data_trace_enabled"),
            });
        }
        return settings.length === 0 ? undefined : settings;
    }

    private apiKeySource(record: TfResourceRecord, read: Reader): Maybe<string | undefined> {
        const explicit = upper(nonEmpty(read.string(record.values, "api_key_source")));
        if (typeof explicit === "string") {
            return explicit;
        }
        const fromBody = apiKeySourceOf(this.body(record));
        // Optional+computed: unknown in a plan when not configured, and then AWS takes the OpenAPI
        // body's extension, or HEADER.
        if (isUnknown(explicit) && (record.configured === undefined || record.configured.api_key_source !== undefined)) {
            return explicit;
        }
        return fromBody;
    }

    private tags(record: TfResourceRecord, read: Reader): Maybe<Readonly<Record<string, Maybe<string>>> | undefined> {
        // `tags_all` adds the provider's default tags, but is often unknown in a plan while `tags` is known.
        const all = read.stringMap(record.values, "tags_all");
        if (all !== undefined && !isUnknown(all) && Object.keys(all).length > 0) {
            return all;
        }
        return read.stringMap(record.values, "tags");
    }

    /**
     * How an API key's value is held. The provider marks `value` sensitive, so anything Terraform
     * holds is a secret unless it is written in the .tf files (plain text in code) or generated by
     * a random_* resource. An unknown value that the configuration does not set is generated by AWS.
     * A secret that the configuration supplies through an expression (a variable, another
     * resource's output) rather than a generator has origin `program`, as in the Pulumi adapter.
     */
    private apiKeyValue(record: TfResourceRecord): SecretValue {
        const raw = record.values.value;
        const generated = this.fromGenerator(record, "value");
        const howSet = record.configured?.value;
        const secret: SecretValue = howSet === "expression" ? { handling: "secret", origin: "program" } : { handling: "secret" };
        if (isTfUnknown(raw)) {
            if (generated) {
                return { handling: "generated" };
            }
            if (record.configured !== undefined && howSet === undefined) {
                return { handling: "absent" };
            }
            return secret;
        }
        if (raw === undefined || raw === null || raw === "") {
            return { handling: "absent" };
        }
        if (typeof raw !== "string") {
            return { handling: unknown("malformed attribute 'value': expected string") };
        }
        const print = fingerprint(raw);
        if (generated) {
            return { handling: "generated", fingerprint: print, length: raw.length };
        }
        // An HCL record without the `configured` map: every value a static read knows was written in code.
        const writtenInCode = howSet === "constant" || (record.configured === undefined && record.attributeLines !== undefined && record.actions === undefined);
        if (writtenInCode) {
            return { handling: "plaintext", fingerprint: print, length: raw.length };
        }
        return howSet === "expression"
            ? { handling: "secret", origin: "program", fingerprint: print, length: raw.length }
            : { handling: "secret", fingerprint: print, length: raw.length };
    }

    /**
     * `aws_api_gateway_usage_plan_key.value` is a copy of the key value that the provider does not
     * mark sensitive, so it sits in state unmarked. It is held as a secret here (state must be
     * protected anyway), fingerprinted and dropped.
     */
    private attachmentValue(record: TfResourceRecord): SecretValue | undefined {
        const raw = record.values.value;
        if (isTfUnknown(raw)) {
            return { handling: "secret" };
        }
        if (typeof raw === "string" && raw !== "") {
            return { handling: "secret", fingerprint: fingerprint(raw), length: raw.length };
        }
        return undefined;
    }

    private fromGenerator(record: TfResourceRecord, attribute: string): boolean {
        return (record.references[attribute] ?? []).some(reference => {
            const target = this.byAddress.get(reference)?.type ?? parseAddress(reference)?.type;
            return target !== undefined && TF_GENERATOR_TYPES.has(target);
        });
    }

    private accessLogs(record: TfResourceRecord, read: Reader): Maybe<AccessLogSettings | undefined> {
        const block = read.object(record.values, "access_log_settings");
        if (block === undefined || isUnknown(block)) {
            return block;
        }
        const destinationArn = nonEmpty(read.string(block, "destination_arn"));
        return {
            destinationArn,
            format: nonEmpty(read.string(block, "format")),
            destination: this.logGroupLink(record, "access_log_settings", destinationArn),
        };
    }

    private logGroupLink(record: TfResourceRecord, attribute: string, arn: Maybe<string | undefined>): Link {
        if (typeof arn === "string") {
            const byArn = this.addressByArn.get(arn) ?? this.addressByArn.get(withoutLogStreamSuffix(arn));
            const byName = logGroupNameFromArn(arn);
            const address = byArn !== undefined && this.byAddress.get(byArn)?.type === T.logGroup
                ? byArn
                : byName !== undefined ? this.logGroupByName.get(byName) : undefined;
            if (address) {
                return entityLink(address);
            }
        }
        const candidates = this.referenced(record, attribute, [T.logGroup]);
        if (candidates.length === 1) {
            return entityLink(candidates[0].address);
        }
        if (typeof arn === "string") {
            return externalLink(arn);
        }
        return unknownLink(arn === undefined ? "no destination ARN is set" : "the destination log group could not be identified");
    }

    /**
     * `web_acl_arn` is computed-only on a stage: no configuration sets it. A stage that is being
     * created has none until an association (a resource of its own, judged by the rule) adds one,
     * so its unknown value in a create plan means "none", as a Pulumi preview also reads it.
     */
    private stageWebAcl(record: TfResourceRecord, read: Reader): Maybe<string | undefined> {
        const value = nonEmpty(read.string(record.values, "web_acl_arn"));
        if (isUnknown(value) && record.actions !== undefined && record.actions.includes("create")) {
            return undefined;
        }
        return value;
    }

    private stageTarget(record: TfResourceRecord, arn: Maybe<string>): Link {
        if (typeof arn === "string") {
            const address = this.addressByArn.get(arn);
            if (address !== undefined && this.byAddress.get(address)?.type === T.stage) {
                return entityLink(address);
            }
            const parts = /\/restapis\/([^/]+)\/stages\/([^/]+)$/.exec(arn);
            const stage = parts ? this.stages().get(`id:${parts[1]}\u0000${parts[2]}`) : undefined;
            if (stage) {
                return entityLink(stage);
            }
        }
        const candidates = this.referenced(record, "resource_arn", [T.stage, T.deployment]).filter(c => this.isStageRecord(c));
        if (candidates.length === 1) {
            return entityLink(this.refOf(candidates[0]));
        }
        return typeof arn === "string" ? externalLink(arn) : unknownLink("the associated resource could not be identified");
    }

    private isStageRecord(record: TfResourceRecord): boolean {
        return record.type === T.stage || (record.type === T.deployment && this.deploymentStages.has(record.address));
    }

    private apiStages(record: TfResourceRecord, read: Reader): Maybe<readonly UsagePlanApiStage[]> {
        const list = read.array(record.values, "api_stages");
        if (isUnknown(list)) {
            return list;
        }
        const stages: UsagePlanApiStage[] = [];
        for (const item of list ?? []) {
            if (isTfUnknown(item)) {
                return unknown("an API stage of the plan is known only after apply");
            }
            const restApi = this.link(record, "api_stages", read.string(item, "api_id"), [T.restApi]);
            const stageName = required(nonEmpty(read.string(item, "stage")));
            const stage = this.stageOf(record, "api_stages", restApi, stageName);
            stages.push({ restApi, stageName: this.nameOfStage(stage, stageName), stage });
        }
        const idOf = this.stageNamedByDeploymentId(record, stages);
        if (idOf !== undefined) {
            return stages.map(apiStage => isUnknown(apiStage.stageName) && apiStage.stage.kind === "unknown" ? { ...apiStage, stageNameIsIdOf: idOf } : apiStage);
        }
        // Several blocks each naming one of the stages the attribute refers to (`stage = aws_api_gateway_stage.a.stage_name`):
        // references are kept per attribute, so which block names which stage cannot be told, only that each names one.
        const unlinked = stages.filter(apiStage => apiStage.stage.kind === "unknown");
        const candidates = unlinked.length > 1
            ? this.referenced(record, "api_stages", [T.stage, T.deployment]).filter(target => this.isStageRecord(target)).map(target => this.refOf(target))
            : [];
        if (candidates.length === unlinked.length && candidates.length > 1) {
            return stages.map(apiStage => apiStage.stage.kind === "unknown" ? { ...apiStage, stageCandidates: candidates } : apiStage);
        }
        return stages;
    }

    /**
     * `stage = aws_api_gateway_deployment.x.id` (a real module does this): a deployment without an
     * inline stage has no attribute that names a stage, so an api_stages block whose only
     * unresolved stage refers to such a deployment, and to no stage, names the deployment's id.
     * References are kept per attribute (`api_stages` as a whole), so this is told only when one
     * block's stage is unresolved.
     */
    private stageNamedByDeploymentId(record: TfResourceRecord, stages: readonly UsagePlanApiStage[]): string | undefined {
        const unresolved = stages.filter(apiStage => isUnknown(apiStage.stageName) && apiStage.stage.kind === "unknown");
        if (unresolved.length !== 1) {
            return undefined;
        }
        const referenced = this.referenced(record, "api_stages", [T.stage, T.deployment]);
        if (referenced.some(target => this.isStageRecord(target))) {
            return undefined;
        }
        const deployments = referenced.filter(target => target.type === T.deployment);
        return deployments.length === 1 ? deployments[0].address : undefined;
    }

    /** Keys under which a REST API link is found in the stage index. */
    private apiKeys(restApi: Link): string[] {
        if (restApi.kind === "entity") {
            const id = knownString(this.byAddress.get(restApi.ref)?.values.id);
            return id ? [`ref:${restApi.ref}`, `id:${id}`] : [`ref:${restApi.ref}`];
        }
        return restApi.kind === "external" ? [`id:${restApi.id}`] : [];
    }

    /**
     * A stage is named by API + stage name, not by id: find the stage with that name on that API,
     * else the one stage the attribute refers to (a plan or HCL where ids are not known yet).
     */
    private stageOf(record: TfResourceRecord, attribute: string, restApi: Link, stageName: Maybe<string>): Link {
        if (typeof stageName === "string") {
            for (const key of this.apiKeys(restApi)) {
                const match = this.stages().get(`${key}\u0000${stageName}`);
                if (match) {
                    return entityLink(match);
                }
            }
        }
        const candidates = this.referenced(record, attribute, [T.stage, T.deployment]).filter(candidate => {
            if (!this.isStageRecord(candidate)) {
                return false;
            }
            const name = knownString(candidate.values.stage_name);
            return typeof stageName !== "string" || name === undefined || name === stageName;
        });
        if (candidates.length === 1) {
            return entityLink(this.refOf(candidates[0]));
        }
        if (restApi.kind === "external" && typeof stageName === "string") {
            return externalLink(`${restApi.id}/${stageName}`);
        }
        return unknownLink("the stage could not be identified");
    }

    /**
     * A stage name that is unknown (an HCL reference such as `aws_api_gateway_stage.prod.stage_name`
     * that a static read could not resolve) is the name of the stage it links to, when that is known.
     */
    private nameOfStage(stage: Link, stageName: Maybe<string>): Maybe<string> {
        if (!isUnknown(stageName) || stage.kind !== "entity") {
            return stageName;
        }
        const address = stage.ref.endsWith("#stage") ? stage.ref.slice(0, -"#stage".length) : stage.ref;
        const record = this.byAddress.get(address);
        return knownString(record?.values.stage_name) ?? stageName;
    }

    /** REST API + stage name → stage entity ref; stage resources first, then deployments' inline stages. */
    private stages(): Map<string, string> {
        if (this.stageIndex) {
            return this.stageIndex;
        }
        const index = new Map<string, string>();
        this.stageIndex = index;
        const add = (record: TfResourceRecord, ref: string): boolean => {
            const read = this.reader(record);
            const name = nonEmpty(read.string(record.values, "stage_name"));
            if (typeof name !== "string") {
                return true;
            }
            const keys = this.apiKeys(this.link(record, "rest_api_id", read.string(record.values, "rest_api_id"), [T.restApi]))
                .map(key => `${key}\u0000${name}`);
            if (keys.some(key => index.has(key))) {
                return false;
            }
            for (const key of keys) {
                index.set(key, ref);
            }
            return true;
        };
        for (const record of this.records) {
            if (record.type === T.stage) {
                add(record, record.address);
            }
        }
        for (const record of this.records) {
            if (record.type !== T.deployment) {
                continue;
            }
            const name = nonEmpty(this.reader(record).string(record.values, "stage_name"));
            if (name !== undefined && add(record, deploymentStageRef(record.address))) {
                this.deploymentStages.add(record.address);
            }
        }
        return index;
    }

    private methodPath(record: TfResourceRecord, read: Reader): Maybe<string> {
        const resourceId = read.string(record.values, "resource_id");
        if (typeof resourceId === "string" && this.restApiByRootId.has(resourceId)) {
            return "/";
        }
        const target = this.link(record, "resource_id", resourceId, [T.resource, T.restApi]);
        if (target.kind === "entity") {
            return this.resourcePath(target.ref);
        }
        return unknown("the method's resource could not be identified");
    }

    private resourcePath(address: string, visiting: Set<string> = new Set()): Maybe<string> {
        const cached = this.resourcePathCache.get(address);
        if (cached !== undefined) {
            return cached;
        }
        const record = this.byAddress.get(address);
        let path: Maybe<string>;
        // A parent chain that loops (malformed input) or is deeper than any real API cannot give a path.
        if (!record || visiting.has(address) || visiting.size > MAX_PATH_DEPTH) {
            path = unknown("the resource path could not be derived");
        } else if (record.type === T.restApi) {
            path = "/";
        } else {
            const read = this.reader(record);
            const known = nonEmpty(read.string(record.values, "path"));
            if (typeof known === "string") {
                path = known;
            } else {
                const part = nonEmpty(read.string(record.values, "path_part"));
                const parentId = read.string(record.values, "parent_id");
                let parentPath: Maybe<string>;
                if (typeof parentId === "string" && this.restApiByRootId.has(parentId)) {
                    parentPath = "/";
                } else {
                    const parent = this.link(record, "parent_id", parentId, [T.resource, T.restApi]);
                    visiting.add(address);
                    parentPath = parent.kind === "entity"
                        ? this.resourcePath(parent.ref, visiting)
                        : unknown("the parent resource could not be identified");
                }
                if (typeof part !== "string") {
                    path = unknown(isUnknown(part) ? `the path part is ${part.reason ?? "not known"}` : "the path part is not set");
                } else if (isUnknown(parentPath)) {
                    path = parentPath;
                } else {
                    path = parentPath === "/" ? `/${part}` : `${parentPath}/${part}`;
                }
            }
        }
        this.resourcePathCache.set(address, path);
        return path;
    }
}

function knownString(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** Terraform reports unset computed strings as "": that is "not set", not a value. */
function nonEmpty(value: Maybe<string | undefined>): Maybe<string | undefined> {
    return value === "" ? undefined : value;
}

function upper(value: Maybe<string | undefined>): Maybe<string | undefined> {
    return typeof value === "string" ? value.toUpperCase() : value;
}

/** A required attribute that is absent is reported as unknown rather than as an empty string. */
function required(value: Maybe<string | undefined>): Maybe<string> {
    return value === undefined ? unknown("not set") : value;
}

function withoutLogStreamSuffix(arn: string): string {
    return arn.endsWith(":*") ? arn.slice(0, -2) : arn;
}

function indexOf(address: TfAddress | undefined): IndexedAddress | undefined {
    return address ? indexAddress(address) : undefined;
}

/** The inner map of a two-level index, created on first use. */
function innerMap<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
    let inner = outer.get(key);
    if (!inner) {
        inner = new Map<string, V>();
        outer.set(key, inner);
    }
    return inner;
}

function logGroupNameFromArn(arn: string): string | undefined {
    const match = /:log-group:(.+?)(?::\*)?$/.exec(arn);
    return match ? match[1] : undefined;
}

function throttle(read: Reader, values: Bag): Maybe<ThrottleSettings | undefined> {
    const block = read.object(values, "throttle_settings");
    if (block === undefined || isUnknown(block)) {
        return block;
    }
    return {
        rateLimit: read.number(block, "rate_limit"),
        burstLimit: read.number(block, "burst_limit"),
    };
}

function quota(read: Reader, values: Bag): Maybe<QuotaSettings | undefined> {
    const block = read.object(values, "quota_settings");
    if (block === undefined || isUnknown(block)) {
        return block;
    }
    return {
        limit: read.number(block, "limit"),
        period: upper(nonEmpty(read.string(block, "period"))),
        offset: read.number(block, "offset"),
    };
}

/**
 * The strings Terraform marked sensitive (plan `after_sensitive`, state `sensitive_values`), for
 * redaction in every output: rules may judge them, nothing may print them. Paths are dotted
 * without list indexes, as `sensitivePaths` gives them; `*` is the whole resource.
 */
function sensitiveTextsOf(records: readonly TfResourceRecord[]): ReadonlySet<string> {
    const texts = new Set<string>();
    for (const record of records) {
        if (record.sensitivePaths.size === 0) {
            continue;
        }
        // Key values are held only as fingerprints and never printed: they need no redaction.
        const keyValue = record.type === T.apiKey || record.type === T.usagePlanKey ? "value" : undefined;
        if (keyValue !== undefined && record.sensitivePaths.size === 1 && record.sensitivePaths.has(keyValue)) {
            // The common case (only the key value is sensitive): nothing else in the record to walk for.
            continue;
        }
        const pending: Array<{ readonly value: unknown; readonly path: string; readonly sensitive: boolean }> = [{ value: record.values, path: "", sensitive: record.sensitivePaths.has("*") }];
        while (pending.length > 0) {
            const { value, path, sensitive } = pending.pop()!;
            if (typeof value === "string") {
                if (sensitive && !isTfUnknown(value)) {
                    texts.add(value);
                }
            } else if (Array.isArray(value)) {
                for (const item of value) {
                    pending.push({ value: item, path, sensitive });
                }
            } else if (typeof value === "object" && value !== null) {
                for (const [key, item] of Object.entries(value)) {
                    const child = path === "" ? key : `${path}.${key}`;
                    if (child !== keyValue) {
                        pending.push({ value: item, path: child, sensitive: sensitive || record.sensitivePaths.has(child) });
                    }
                }
            }
        }
    }
    return texts;
}

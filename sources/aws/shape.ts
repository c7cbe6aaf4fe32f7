import { Maybe, unknown } from "apigw-guard/policies/model/index";

/**
 * What the audit keeps of each item a page brings, checked field by field the moment the page
 * arrives. The SDK's deserializers do not check types (a `null` item or a numeric id passes
 * through), and the endpoint may be anyone's: an item without a usable identity is malformed
 * (reported, never judged), a field of the wrong type is unknown (the rules then say "cannot
 * tell"). Only the fields the Inventory needs are copied, so pages already read hold no more
 * memory than their summaries, and no key value is ever copied.
 *
 * Reasons name the field and the JSON type that came instead, never the value: a value may be
 * anything, a secret included.
 */

/** A field as read: its value, absent, or unknown because the response gave something else. */
export type Field<T> = Maybe<T | undefined>;

export type JsonObject = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is JsonObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `null`, `a number`, `a list`...: what came instead, for a reason or a gap. */
export function jsonType(value: unknown): string {
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "a list";
    }
    if (value instanceof Date) {
        return Number.isNaN(value.getTime()) ? "an invalid date" : "a date";
    }
    switch (typeof value) {
        case "string": return "a string";
        case "number": return "a number";
        case "boolean": return "a boolean";
        case "object": return "an object";
        default: return `a ${typeof value}`;
    }
}

export function wrongType(field: string, expected: string, value: unknown) {
    return unknown(`the response gave ${jsonType(value)} for ${field}, not ${expected}`);
}

export function stringField(record: JsonObject, field: string): Field<string> {
    const value = record[field];
    return value === undefined || typeof value === "string" ? value : wrongType(field, "a string", value);
}

export function booleanField(record: JsonObject, field: string): Field<boolean> {
    const value = record[field];
    return value === undefined || typeof value === "boolean" ? value : wrongType(field, "true or false", value);
}

export function numberField(record: JsonObject, field: string): Field<number> {
    const value = record[field];
    return value === undefined || (typeof value === "number" && Number.isFinite(value)) ? value : wrongType(field, "a number", value);
}

export function dateField(record: JsonObject, field: string): Field<Date> {
    const value = record[field];
    return value === undefined || (value instanceof Date && !Number.isNaN(value.getTime())) ? value : wrongType(field, "a date", value);
}

export function stringListField(record: JsonObject, field: string): Field<readonly string[]> {
    const value = record[field];
    if (value === undefined) {
        return undefined;
    }
    return Array.isArray(value) && value.every(item => typeof item === "string") ? [...value] as string[] : wrongType(field, "a list of strings", value);
}

export function stringMapField(record: JsonObject, field: string): Field<Readonly<Record<string, string>>> {
    const value = record[field];
    if (value === undefined) {
        return undefined;
    }
    if (!isRecord(value) || !Object.values(value).every(item => typeof item === "string")) {
        return wrongType(field, "a map of strings", value);
    }
    return Object.fromEntries(Object.entries(value)) as Record<string, string>;
}

/** An optional name: a name of the wrong type is dropped (the id then names the thing). */
function nameOf(record: JsonObject): string | undefined {
    return typeof record.name === "string" ? record.name : undefined;
}

/** The item's identity, or why it has none. */
function identity(item: unknown, field: string): { record: JsonObject; id: string } | string {
    if (!isRecord(item)) {
        return `it is ${jsonType(item)}, not an object`;
    }
    const id = item[field];
    if (typeof id !== "string" || id === "") {
        return id === undefined || id === "" ? `it has no ${field}` : `its ${field} is ${jsonType(id)}, not a string`;
    }
    return { record: item, id };
}

export type Shaped<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

export function shaped<T>(item: unknown, field: string, build: (record: JsonObject, id: string) => T): Shaped<T> {
    const found = identity(item, field);
    return typeof found === "string" ? { ok: false, why: found } : { ok: true, value: build(found.record, found.id) };
}

export interface RestApiSummary {
    readonly id: string;
    readonly name?: string;
    readonly apiKeySource: Field<string>;
    readonly endpointTypes: Field<readonly string[]>;
}

export function shapeRestApi(item: unknown): Shaped<RestApiSummary> {
    return shaped(item, "id", (record, id) => {
        const endpoint = record.endpointConfiguration;
        return {
            id,
            ...optionalName(record),
            apiKeySource: stringField(record, "apiKeySource"),
            endpointTypes: endpoint === undefined ? undefined
                : isRecord(endpoint) ? stringListField(endpoint, "types") : wrongType("endpointConfiguration", "an object", endpoint),
        };
    });
}

export interface MethodSummary {
    readonly apiKeyRequired: Field<boolean>;
    readonly authorizationType: Field<string>;
}

export function shapeMethod(record: JsonObject): MethodSummary {
    return { apiKeyRequired: booleanField(record, "apiKeyRequired"), authorizationType: stringField(record, "authorizationType") };
}

export interface ResourceItem {
    readonly id: string;
    readonly path: Field<string>;
    /** Per HTTP verb: the embedded method, `"link"` when only linked (read it on its own), or why it is malformed. */
    readonly methods: ReadonlyMap<string, MethodSummary | "link" | { readonly malformed: string }>;
    /** Set when the whole method map was not a map. */
    readonly methodsMalformed?: string;
}

export function shapeResource(item: unknown): Shaped<ResourceItem> {
    return shaped(item, "id", (record, id) => {
        const methods = new Map<string, MethodSummary | "link" | { malformed: string }>();
        const listed = record.resourceMethods;
        let methodsMalformed: string | undefined;
        if (isRecord(listed)) {
            for (const [verb, method] of Object.entries(listed)) {
                if (!isRecord(method)) {
                    methods.set(verb, { malformed: `it is ${jsonType(method)}, not an object` });
                } else if (typeof method.httpMethod === "string") {
                    methods.set(verb, shapeMethod(method));
                } else {
                    methods.set(verb, "link");
                }
            }
        } else if (listed !== undefined) {
            methodsMalformed = `the response gave ${jsonType(listed)} for its methods, not a map`;
        }
        return { id, path: stringField(record, "path"), methods, ...(methodsMalformed !== undefined ? { methodsMalformed } : {}) };
    });
}

export interface MethodSettingsSummary {
    readonly loggingLevel: Field<string>;
    readonly metricsEnabled: Field<boolean>;
    readonly dataTraceEnabled: Field<boolean>;
    readonly cachingEnabled: Field<boolean>;
    readonly cacheDataEncrypted: Field<boolean>;
}

/** A stage's access-log settings (REST `accessLogSettings`, HTTP/WebSocket `AccessLogSettings`). */
export interface AccessLogSummary {
    readonly destinationArn: Field<string>;
    readonly format: Field<string>;
}

export interface StageSummary {
    readonly stageName: string;
    readonly accessLogSettings: Field<AccessLogSummary>;
    readonly tracingEnabled: Field<boolean>;
    readonly cacheClusterEnabled: Field<boolean>;
    readonly webAclArn: Field<string>;
    /** By the key AWS uses (`*\/*`, `orders/GET`); unknown when the map itself was malformed. */
    readonly methodSettings: Maybe<ReadonlyArray<readonly [string, MethodSettingsSummary]>>;
}

export function shapeStage(item: unknown): Shaped<StageSummary> {
    return shaped(item, "stageName", (record, stageName) => {
        const access = record.accessLogSettings;
        const settings = record.methodSettings;
        return {
            stageName,
            accessLogSettings: access === undefined ? undefined
                : isRecord(access) ? { destinationArn: stringField(access, "destinationArn"), format: stringField(access, "format") }
                : wrongType("accessLogSettings", "an object", access),
            tracingEnabled: booleanField(record, "tracingEnabled"),
            cacheClusterEnabled: booleanField(record, "cacheClusterEnabled"),
            webAclArn: stringField(record, "webAclArn"),
            methodSettings: settings === undefined ? []
                : isRecord(settings) ? Object.entries(settings).map(([path, value]) => [path, shapeMethodSettings(path, value)] as const)
                : wrongType("methodSettings", "a map", settings),
        };
    });
}

function shapeMethodSettings(path: string, value: unknown): MethodSettingsSummary {
    if (!isRecord(value)) {
        const why = wrongType(`the method settings of '${path}'`, "an object", value);
        return { loggingLevel: why, metricsEnabled: why, dataTraceEnabled: why, cachingEnabled: why, cacheDataEncrypted: why };
    }
    return {
        loggingLevel: stringField(value, "loggingLevel"),
        metricsEnabled: booleanField(value, "metricsEnabled"),
        dataTraceEnabled: booleanField(value, "dataTraceEnabled"),
        cachingEnabled: booleanField(value, "cachingEnabled"),
        cacheDataEncrypted: booleanField(value, "cacheDataEncrypted"),
    };
}

/** An API key without its value. */
export interface ApiKeySummary {
    readonly id: string;
    readonly name?: string;
    readonly enabled: Field<boolean>;
    readonly createdDate: Field<Date>;
    readonly tags: Field<Readonly<Record<string, string>>>;
}

export function shapeApiKey(item: unknown): Shaped<ApiKeySummary> {
    // Built field by field: a value, should one ever arrive, is never copied.
    return shaped(item, "id", (record, id) => ({
        id,
        ...optionalName(record),
        enabled: booleanField(record, "enabled"),
        createdDate: dateField(record, "createdDate"),
        tags: stringMapField(record, "tags"),
    }));
}

/** A usage-plan attachment without the key value AWS sends with it. */
export interface PlanKeySummary {
    readonly id: string;
    readonly name?: string;
}

export function shapePlanKey(item: unknown): Shaped<PlanKeySummary> {
    // The page also carries each key's value: only the id and name are kept.
    return shaped(item, "id", (record, id) => ({ id, ...optionalName(record) }));
}

export interface PlanStageSummary {
    readonly apiId: Field<string>;
    readonly stage: Field<string>;
}

export interface UsagePlanSummary {
    readonly id: string;
    readonly name?: string;
    readonly apiStages: Maybe<readonly PlanStageSummary[]>;
    readonly throttle: Field<{ readonly rateLimit: Field<number>; readonly burstLimit: Field<number> }>;
    readonly quota: Field<{ readonly limit: Field<number>; readonly period: Field<string>; readonly offset: Field<number> }>;
}

export function shapeUsagePlan(item: unknown): Shaped<UsagePlanSummary> {
    return shaped(item, "id", (record, id) => {
        const { apiStages, throttle, quota } = record;
        return {
            id,
            ...optionalName(record),
            apiStages: apiStages === undefined ? []
                : Array.isArray(apiStages) ? apiStages.map((stage: unknown) => isRecord(stage)
                    ? { apiId: stringField(stage, "apiId"), stage: stringField(stage, "stage") }
                    : { apiId: wrongType("an API stage of the plan", "an object", stage), stage: wrongType("an API stage of the plan", "an object", stage) })
                : wrongType("apiStages", "a list", apiStages),
            throttle: throttle === undefined ? undefined
                : isRecord(throttle) ? { rateLimit: numberField(throttle, "rateLimit"), burstLimit: numberField(throttle, "burstLimit") }
                : wrongType("throttle", "an object", throttle),
            quota: quota === undefined ? undefined
                : isRecord(quota) ? { limit: numberField(quota, "limit"), period: stringField(quota, "period"), offset: numberField(quota, "offset") }
                : wrongType("quota", "an object", quota),
        };
    });
}

export interface DomainNameSummary {
    readonly domainName: string;
    readonly domainNameId?: string;
    readonly securityPolicy: Field<string>;
}

export function shapeDomainName(item: unknown): Shaped<DomainNameSummary> {
    return shaped(item, "domainName", (record, domainName) => ({
        domainName,
        ...(typeof record.domainNameId === "string" && record.domainNameId !== "" ? { domainNameId: record.domainNameId } : {}),
        securityPolicy: stringField(record, "securityPolicy"),
    }));
}

export interface AccountSummary {
    readonly cloudwatchRoleArn: Field<string>;
}

export function shapeAccount(response: unknown): AccountSummary {
    return { cloudwatchRoleArn: isRecord(response) ? stringField(response, "cloudwatchRoleArn") : wrongType("the account settings", "an object", response) };
}

function optionalName(record: JsonObject): { name?: string } {
    const name = nameOf(record);
    return name !== undefined ? { name } : {};
}

/** A field, upper-cased when it is a string (AWS enums are upper case; IaC may not be). */
export function upper(value: Field<string>): Field<string> {
    return typeof value === "string" ? value.toUpperCase() : value;
}


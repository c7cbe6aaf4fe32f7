import { Entity, Inventory, isUnknown, Link, Maybe } from "apigw-guard/policies/model/index";
import { normaliseMethodPath } from "../../../sources/aws/adapter";
import { FakeApiKey, FakeMethod, FakeMethodSetting, FakeRegion, FakeResource, FakeRestApi, FakeStage, FakeUsagePlan } from "../../../testkit/fake-apigateway";

/**
 * "Deploys" an Inventory read from IaC state (a Pulumi stack export, a Terraform state) into the
 * fake API Gateway: what AWS would hold after that state was applied. Auditing the fake must then
 * give the same findings as scanning the state; `identityOf` names an entity by its cloud identity
 * (API id + stage name, key id, ...) so findings from both sides can be matched up.
 *
 * Only what the API Gateway v1 control plane holds is deployed: log groups (CloudWatch Logs) and
 * HTTP APIs (API Gateway v2) are not.
 */
export interface DeployOptions {
    /** The value every key gets, by key id (the leak test plants a recognisable one). */
    readonly keyValue: (keyId: string) => string;
    /** Daily `[used, remaining]` rows per key id; keys not given get `defaultUsage`. */
    readonly usage?: Readonly<Record<string, readonly (readonly number[])[]>>;
    readonly defaultUsage?: readonly (readonly number[])[];
    /** For keys whose creation date the state does not know. */
    readonly defaultCreatedDate?: string;
}

export function deployInventory(inventory: Inventory, options: DeployOptions): FakeRegion {
    const idOf = (link: Link): string | undefined => linkId(inventory, link);
    const apis = new Map<string, { api: FakeRestApi; resources: Map<string, { id: string; path: string; methods: FakeMethod[] }>; stages: Map<string, FakeStage & { methodSettings: Record<string, FakeMethodSetting> }> }>();
    for (const api of inventory.ofKind("rest-api")) {
        if (typeof api.id !== "string") {
            continue;
        }
        const entry = {
            api: {
                id: api.id,
                name: api.name,
                ...(typeof api.apiKeySource === "string" ? { apiKeySource: api.apiKeySource } : {}),
                ...(Array.isArray(api.endpointTypes) ? { endpointTypes: api.endpointTypes } : {}),
                resources: [],
                stages: [],
            },
            resources: new Map([["/", { id: `${api.id}-root`, path: "/", methods: [] as FakeMethod[] }]]),
            stages: new Map(),
        };
        apis.set(api.id, entry);
    }
    const resourceFor = (apiId: string, path: string) => {
        const entry = apis.get(apiId);
        if (!entry) {
            return undefined;
        }
        let resource = entry.resources.get(path);
        if (!resource) {
            resource = { id: `${apiId}-r${entry.resources.size}`, path, methods: [] };
            entry.resources.set(path, resource);
        }
        return resource;
    };
    for (const resource of inventory.ofKind("api-resource")) {
        const apiId = idOf(resource.restApi);
        if (apiId !== undefined && typeof resource.path === "string") {
            resourceFor(apiId, resource.path);
        }
    }
    for (const method of inventory.ofKind("method")) {
        const apiId = idOf(method.restApi);
        if (apiId === undefined || typeof method.path !== "string" || typeof method.httpMethod !== "string") {
            continue;
        }
        resourceFor(apiId, method.path)?.methods.push({
            httpMethod: method.httpMethod,
            ...(typeof method.authorizationType === "string" ? { authorizationType: method.authorizationType } : {}),
            ...(typeof method.apiKeyRequired === "boolean" ? { apiKeyRequired: method.apiKeyRequired } : {}),
        });
    }
    const webAclByStage = new Map<string, string>();
    for (const association of inventory.ofKind("web-acl-association")) {
        const match = typeof association.resourceArn === "string" ? /\/restapis\/([^/]+)\/stages\/([^/]+)$/.exec(association.resourceArn) : null;
        if (match && typeof association.webAclArn === "string") {
            webAclByStage.set(`${match[1]}/${match[2]}`, association.webAclArn);
        }
    }
    for (const stage of inventory.ofKind("stage")) {
        const apiId = idOf(stage.restApi);
        const entry = apiId !== undefined ? apis.get(apiId) : undefined;
        if (stage.apiVersion !== "v1" || !entry || typeof stage.stageName !== "string") {
            continue;
        }
        const access = known(stage.accessLogSettings);
        const webAclArn = known(stage.webAclArn) ?? webAclByStage.get(`${apiId}/${stage.stageName}`);
        entry.stages.set(stage.stageName, {
            stageName: stage.stageName,
            ...(access !== undefined ? {
                accessLogSettings: {
                    ...(typeof access.destinationArn === "string" ? { destinationArn: access.destinationArn } : {}),
                    ...(typeof access.format === "string" ? { format: access.format } : {}),
                },
            } : {}),
            ...(typeof stage.xrayTracingEnabled === "boolean" ? { tracingEnabled: stage.xrayTracingEnabled } : {}),
            ...(typeof stage.cacheClusterEnabled === "boolean" ? { cacheClusterEnabled: stage.cacheClusterEnabled } : {}),
            ...(webAclArn !== undefined ? { webAclArn } : {}),
            methodSettings: {},
        });
    }
    for (const settings of inventory.ofKind("method-settings")) {
        const apiId = idOf(settings.restApi);
        const stage = apiId !== undefined && typeof settings.stageName === "string" ? apis.get(apiId)?.stages.get(settings.stageName) : undefined;
        if (!stage || typeof settings.methodPath !== "string") {
            continue;
        }
        stage.methodSettings[settings.methodPath] = {
            ...(typeof settings.loggingLevel === "string" ? { loggingLevel: settings.loggingLevel } : {}),
            ...(typeof settings.metricsEnabled === "boolean" ? { metricsEnabled: settings.metricsEnabled } : {}),
            ...(typeof settings.dataTraceEnabled === "boolean" ? { dataTraceEnabled: settings.dataTraceEnabled } : {}),
            ...(typeof settings.cachingEnabled === "boolean" ? { cachingEnabled: settings.cachingEnabled } : {}),
            ...(typeof settings.cacheDataEncrypted === "boolean" ? { cacheDataEncrypted: settings.cacheDataEncrypted } : {}),
        };
    }
    const apiKeys: FakeApiKey[] = [];
    for (const key of inventory.ofKind("api-key")) {
        if (typeof key.id !== "string") {
            continue;
        }
        const tags: Record<string, string> = {};
        for (const [name, value] of Object.entries(known(key.tags) ?? {})) {
            if (typeof value === "string") {
                tags[name] = value;
            }
        }
        apiKeys.push({
            id: key.id,
            name: key.name,
            enabled: key.enabled !== false,
            createdDate: known(key.createdDate) ?? options.defaultCreatedDate ?? "2026-01-01T00:00:00Z",
            value: options.keyValue(key.id),
            ...(Object.keys(tags).length > 0 ? { tags } : {}),
        });
    }
    const usagePlans: FakeUsagePlan[] = [];
    for (const plan of inventory.ofKind("usage-plan")) {
        if (typeof plan.id !== "string") {
            continue;
        }
        const keyIds = inventory.referencing(plan.ref, "usage-plan-key", "usagePlan")
            .map(attachment => idOf(attachment.apiKey))
            .filter((id): id is string => id !== undefined);
        const throttle = known(plan.throttle);
        const quota = known(plan.quota);
        usagePlans.push({
            id: plan.id,
            name: plan.name,
            apiStages: (known(plan.apiStages) ?? []).flatMap(apiStage => {
                const apiId = idOf(apiStage.restApi);
                return apiId !== undefined && typeof apiStage.stageName === "string" ? [{ apiId, stage: apiStage.stageName }] : [];
            }),
            ...(throttle !== undefined ? { throttle: { ...numberField("rateLimit", throttle.rateLimit), ...numberField("burstLimit", throttle.burstLimit) } } : {}),
            ...(quota !== undefined ? {
                quota: {
                    ...numberField("limit", quota.limit),
                    ...(typeof quota.period === "string" ? { period: quota.period } : {}),
                    ...numberField("offset", quota.offset ?? undefined),
                },
            } : {}),
            keyIds,
            usage: Object.fromEntries(keyIds.map(id => [id, options.usage?.[id] ?? options.defaultUsage ?? [[7, 993], [5, 988]]])),
        });
    }
    const account = inventory.ofKind("account")[0];
    return {
        restApis: [...apis.values()].map(({ api, resources, stages }) => ({
            ...api,
            resources: [...resources.values()].map((resource): FakeResource => ({
                id: resource.id,
                path: resource.path,
                ...(resource.path !== "/" ? { pathPart: resource.path.split("/").pop() ?? "" } : {}),
                methods: resource.methods,
            })),
            stages: [...stages.values()],
        })),
        apiKeys,
        usagePlans,
        account: account && typeof account.cloudwatchRoleArn === "string" ? { cloudwatchRoleArn: account.cloudwatchRoleArn } : {},
        domainNames: inventory.ofKind("domain-name").flatMap(domain => typeof domain.domainName === "string"
            ? [{ domainName: domain.domainName, ...(typeof domain.securityPolicy === "string" ? { securityPolicy: domain.securityPolicy } : {}) }]
            : []),
    };
}

/**
 * What names an entity in the cloud, the same whichever front end read it: `stage a1b2/prod`,
 * `method a1b2 GET /orders`, `api-key k1`. Undefined for entities that have none (a preview).
 */
export function identityOf(inventory: Inventory, entity: Entity): string | undefined {
    const idOf = (link: Link) => linkId(inventory, link);
    switch (entity.kind) {
        case "rest-api":
        case "api-key":
        case "usage-plan":
            return typeof entity.id === "string" ? `${entity.kind} ${entity.id}` : undefined;
        case "api-resource":
            return typeof entity.path === "string" ? `${entity.kind} ${idOf(entity.restApi)} ${entity.path}` : undefined;
        case "method":
            return `${entity.kind} ${idOf(entity.restApi)} ${String(entity.httpMethod)} ${String(entity.path)}`;
        case "stage":
            return `${entity.kind} ${idOf(entity.restApi)}/${String(entity.stageName)}`;
        case "method-settings":
            return `${entity.kind} ${idOf(entity.restApi)}/${String(entity.stageName)} ${typeof entity.methodPath === "string" ? normaliseMethodPath(entity.methodPath) : "?"}`;
        case "usage-plan-key":
            return `${entity.kind} ${idOf(entity.usagePlan)}/${idOf(entity.apiKey)}`;
        case "account":
            return "account";
        case "domain-name":
            return `${entity.kind} ${String(entity.domainName)}`;
        default:
            return undefined;
    }
}

function linkId(inventory: Inventory, link: Link): string | undefined {
    if (link.kind === "external") {
        return link.id;
    }
    if (link.kind === "entity") {
        const target = inventory.get(link.ref);
        return target && typeof target.id === "string" ? target.id : undefined;
    }
    return undefined;
}

function known<T>(value: Maybe<T>): T | undefined {
    return isUnknown(value) ? undefined : (value as T);
}

function numberField<K extends string>(name: K, value: Maybe<number | undefined>): Partial<Record<K, number>> {
    return typeof value === "number" ? ({ [name]: value } as Partial<Record<K, number>>) : {};
}

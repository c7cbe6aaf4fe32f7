import { Method, Stage } from "@aws-sdk/client-api-gateway";
import {
    ApiKeyEntity, Entity, entityLink, externalLink, Inventory, InventoryGap, Link, Maybe, MethodSettingsEntity,
    Provenance, StageEntity, unknown, unknownLink, UsagePlanApiStage, UsagePlanEntity,
} from "apigw-guard/policies/model/index";
import { ApiGatewayArns } from "./arn";
import { ApiKeySummary, ReadResult, RegionSnapshot, RestApiSnapshot, UsagePlanSnapshot } from "./collect";

/**
 * Turns what the audit read from AWS into the Inventory every rule judges. Refs and provenance
 * are the resources' API Gateway ARNs, so a finding names the thing to change in the account.
 *
 * What the account cannot say is not guessed:
 * - a read that failed is an InventoryGap, and where its absence would make a rule fail falsely
 *   (a key that looks unattached because the plan's keys could not be listed) a placeholder
 *   attachment with an unknown key makes that rule answer "unknown" instead;
 * - key values are never read, so every key's value is `secret`: AWS holds it, no code does.
 */
export function inventoryFromAwsSnapshots(snapshots: readonly RegionSnapshot[]): Inventory {
    const entities: Entity[] = [];
    const gaps: InventoryGap[] = [];
    for (const snapshot of snapshots) {
        new RegionAdapter(snapshot, entities, gaps).build();
    }
    // ARNs are unique in AWS; should an endpoint still list one thing twice, keep the first.
    const seen = new Set<string>();
    const unique = entities.filter(entity => {
        if (seen.has(entity.ref)) {
            gaps.push({ ref: entity.ref, message: `${entity.ref} was listed twice; the second copy was ignored`, provenance: entity.provenance });
            return false;
        }
        seen.add(entity.ref);
        return true;
    });
    return new Inventory(unique, gaps);
}

const TYPES = {
    restApi: "AWS::ApiGateway::RestApi",
    resource: "AWS::ApiGateway::Resource",
    method: "AWS::ApiGateway::Method",
    stage: "AWS::ApiGateway::Stage",
    methodSettings: "AWS::ApiGateway::Stage.MethodSetting",
    apiKey: "AWS::ApiGateway::ApiKey",
    usagePlan: "AWS::ApiGateway::UsagePlan",
    usagePlanKey: "AWS::ApiGateway::UsagePlanKey",
    account: "AWS::ApiGateway::Account",
    domainName: "AWS::ApiGateway::DomainName",
} as const;

class RegionAdapter {
    private readonly arns: ApiGatewayArns;
    private readonly region: string;
    private readonly apiRefs = new Set<string>();
    private readonly stageRefs = new Set<string>();
    private readonly keyRefs = new Set<string>();

    constructor(private readonly snapshot: RegionSnapshot, private readonly entities: Entity[], private readonly gaps: InventoryGap[]) {
        this.region = snapshot.region;
        this.arns = new ApiGatewayArns(snapshot.region);
    }

    build(): void {
        const { snapshot } = this;
        // Index what exists first, so links can tell "in the inventory" from "elsewhere".
        for (const api of snapshot.restApis.ok ? snapshot.restApis.value : []) {
            this.apiRefs.add(this.arns.restApi(api.api.id));
            for (const stage of api.stages.ok ? api.stages.value : []) {
                if (typeof stage.stageName === "string") {
                    this.stageRefs.add(this.arns.stage(api.api.id, stage.stageName));
                }
            }
        }
        for (const key of snapshot.apiKeys.ok ? snapshot.apiKeys.value : []) {
            this.keyRefs.add(this.arns.apiKey(key.id));
        }

        this.restApis();
        this.usagePlansAndKeys();
        this.account();
        this.domainNames();
        for (const what of snapshot.truncated) {
            this.gap(`listing cut short in ${this.region}: ${what}; the rest was not audited`, this.arns.of("/"));
        }
    }

    private provenance(arn: string, resourceType: string): Provenance {
        return { source: "aws", arn, resourceType };
    }

    private gap(message: string, arn: string, ref?: string): void {
        this.gaps.push({ ...(ref !== undefined ? { ref } : {}), message, provenance: { source: "aws", arn } });
    }

    private restApis(): void {
        const { restApis } = this.snapshot;
        if (!restApis.ok) {
            this.gap(`could not list the REST APIs in ${this.region}: ${restApis.problem}`, this.arns.of("/restapis"));
            return;
        }
        for (const snapshot of restApis.value) {
            this.restApi(snapshot);
        }
    }

    private restApi({ api, resources, stages }: RestApiSnapshot): void {
        const ref = this.arns.restApi(api.id);
        const apiName = api.name ?? api.id;
        this.entities.push({
            kind: "rest-api",
            ref,
            id: api.id,
            name: apiName,
            region: this.region,
            provenance: this.provenance(ref, TYPES.restApi),
            apiKeySource: upper(api.apiKeySource),
            endpointTypes: api.endpointConfiguration?.types,
        });
        const label = `REST API '${apiName}' (${api.id})`;
        if (resources.ok) {
            for (const { resource, methods } of resources.value) {
                if (typeof resource.id !== "string") {
                    continue;
                }
                const path: Maybe<string> = resource.path ?? unknown("the resource path was not returned");
                const resourceRef = this.arns.resource(api.id, resource.id);
                this.entities.push({
                    kind: "api-resource",
                    ref: resourceRef,
                    id: resource.id,
                    name: `${apiName} ${typeof path === "string" ? path : resource.id}`,
                    region: this.region,
                    provenance: this.provenance(resourceRef, TYPES.resource),
                    restApi: entityLink(ref),
                    path,
                });
                for (const [verb, method] of methods) {
                    this.method(api.id, apiName, ref, resource.id, path, verb, method);
                }
            }
        } else {
            this.gap(`could not read the resources and methods of ${label}: ${resources.problem}`, ref, ref);
        }
        if (stages.ok) {
            for (const stage of stages.value) {
                this.stage(api.id, apiName, ref, stage);
            }
        } else {
            this.gap(`could not read the stages of ${label}: ${stages.problem}`, ref, ref);
        }
    }

    private method(apiId: string, apiName: string, apiRef: string, resourceId: string, path: Maybe<string>, verb: string, read: ReadResult<Method>): void {
        const ref = this.arns.method(apiId, resourceId, verb);
        const httpMethod = verb.toUpperCase();
        const name = `${apiName} ${httpMethod} ${typeof path === "string" ? path : resourceId}`;
        const base = {
            kind: "method" as const,
            ref,
            name,
            region: this.region,
            provenance: this.provenance(ref, TYPES.method),
            restApi: entityLink(apiRef),
            path,
            httpMethod,
        };
        if (read.ok) {
            this.entities.push({ ...base, apiKeyRequired: read.value.apiKeyRequired, authorizationType: upper(read.value.authorizationType) });
        } else {
            const why = unknown(`the method could not be read: ${read.problem}`);
            this.entities.push({ ...base, apiKeyRequired: why, authorizationType: why });
            this.gap(`could not read method ${name}: ${read.problem}`, ref, ref);
        }
    }

    private stage(apiId: string, apiName: string, apiRef: string, stage: Stage): void {
        if (typeof stage.stageName !== "string") {
            return;
        }
        const ref = this.arns.stage(apiId, stage.stageName);
        const access = stage.accessLogSettings;
        const entity: StageEntity = {
            kind: "stage",
            ref,
            name: `${apiName}/${stage.stageName}`,
            region: this.region,
            provenance: this.provenance(ref, TYPES.stage),
            apiVersion: "v1",
            restApi: entityLink(apiRef),
            stageName: stage.stageName,
            accessLogSettings: access === undefined ? undefined : {
                destinationArn: access.destinationArn,
                format: access.format,
                ...(typeof access.destinationArn === "string" ? { destination: externalLink(access.destinationArn) } : {}),
            },
            xrayTracingEnabled: stage.tracingEnabled,
            cacheClusterEnabled: stage.cacheClusterEnabled,
            webAclArn: stage.webAclArn,
            arn: ref,
        };
        this.entities.push(entity);
        for (const [key, settings] of Object.entries(stage.methodSettings ?? {})) {
            const methodPath = normaliseMethodPath(key);
            const settingsEntity: MethodSettingsEntity = {
                kind: "method-settings",
                // Method settings have no ARN of their own: they are a map inside the stage.
                ref: `${ref}#methodSettings/${methodPath}`,
                name: `${apiName}/${stage.stageName}`,
                region: this.region,
                provenance: this.provenance(ref, TYPES.methodSettings),
                restApi: entityLink(apiRef),
                stage: entityLink(ref),
                stageName: stage.stageName,
                methodPath,
                loggingLevel: upper(settings.loggingLevel),
                metricsEnabled: settings.metricsEnabled,
                dataTraceEnabled: settings.dataTraceEnabled,
                cachingEnabled: settings.cachingEnabled,
                cacheDataEncrypted: settings.cacheDataEncrypted,
            };
            this.entities.push(settingsEntity);
        }
    }

    private usagePlansAndKeys(): void {
        const { apiKeys, usagePlans } = this.snapshot;
        const plans = usagePlans.ok ? usagePlans.value : [];
        const plansByKeyId = new Map<string, UsagePlanSnapshot[]>();
        for (const plan of plans) {
            for (const key of plan.keys.ok ? plan.keys.value : []) {
                const list = plansByKeyId.get(key.id);
                if (list) {
                    list.push(plan);
                } else {
                    plansByKeyId.set(key.id, [plan]);
                }
            }
        }
        if (apiKeys.ok) {
            for (const key of apiKeys.value) {
                if (key.id !== "") {
                    this.apiKey(key, plansByKeyId.get(key.id) ?? []);
                }
            }
        } else {
            this.gap(`could not list the API keys in ${this.region}: ${apiKeys.problem}`, this.arns.of("/apikeys"));
        }
        if (!usagePlans.ok) {
            this.gap(`could not list the usage plans in ${this.region}: ${usagePlans.problem}`, this.arns.of("/usageplans"));
            if (apiKeys.ok && apiKeys.value.length > 0) {
                // Any key may be attached to a plan that could not be seen.
                this.placeholderAttachment(this.arns.of("/usageplans#unreadable"), `usage plans in ${this.region} (not readable)`,
                    unknownLink(`the usage plans in ${this.region} could not be listed`), `the usage plans in ${this.region} could not be listed: ${usagePlans.problem}`);
            }
            return;
        }
        for (const plan of plans) {
            this.usagePlan(plan);
        }
    }

    private apiKey(key: ApiKeySummary, plans: readonly UsagePlanSnapshot[]): void {
        const ref = this.arns.apiKey(key.id);
        const entity: ApiKeyEntity = {
            kind: "api-key",
            ref,
            id: key.id,
            name: key.name ?? key.id,
            region: this.region,
            provenance: this.provenance(ref, TYPES.apiKey),
            enabled: key.enabled,
            createdDate: key.createdDate?.toISOString(),
            tags: key.tags,
            value: { handling: "secret" },
            requestsInWindow: this.requestsInWindow(key, plans),
        };
        this.entities.push(entity);
    }

    /**
     * Requests a key made in the usage window, summed over the plans it is attached to. `GetUsage`
     * reports a plan's usage per key id; a key of the plan that it does not list made no requests
     * (see docs/audit.md). Undefined (not measured) for a key younger than the window or in no
     * plan (usage is only metered through plans; the unattached-key check covers it); unknown when
     * a plan's usage could not be read and the others show none.
     */
    private requestsInWindow(key: ApiKeySummary, plans: readonly UsagePlanSnapshot[]): Maybe<number | undefined> {
        if (key.createdDate !== undefined && key.createdDate.getTime() > this.snapshot.window.start.getTime()) {
            return undefined;
        }
        if (plans.length === 0) {
            return undefined;
        }
        let total = 0;
        let unreadable: string | undefined;
        for (const plan of plans) {
            if (plan.usage.ok) {
                total += plan.usage.value.get(key.id) ?? 0;
            } else {
                unreadable ??= `the usage of usage plan '${plan.plan.name ?? plan.plan.id}' could not be read: ${plan.usage.problem}`;
            }
        }
        return total === 0 && unreadable !== undefined ? unknown(unreadable) : total;
    }

    private usagePlan(snapshot: UsagePlanSnapshot): void {
        const { plan, keys, usage } = snapshot;
        const ref = this.arns.usagePlan(plan.id);
        const planName = plan.name ?? plan.id;
        const apiStages: UsagePlanApiStage[] = (plan.apiStages ?? []).map(apiStage => {
            const apiId = apiStage.apiId;
            const restApi: Link = typeof apiId === "string" ? this.apiLink(apiId) : unknownLink("the API of the plan's stage was not returned");
            const stageName: Maybe<string> = apiStage.stage ?? unknown("the stage name was not returned");
            return { restApi, stageName, stage: typeof apiId === "string" && typeof stageName === "string" ? this.stageLink(apiId, stageName) : unknownLink("the stage could not be identified") };
        });
        const entity: UsagePlanEntity = {
            kind: "usage-plan",
            ref,
            id: plan.id,
            name: planName,
            region: this.region,
            provenance: this.provenance(ref, TYPES.usagePlan),
            throttle: plan.throttle === undefined ? undefined : { rateLimit: plan.throttle.rateLimit, burstLimit: plan.throttle.burstLimit },
            quota: plan.quota === undefined ? undefined : { limit: plan.quota.limit, period: upper(plan.quota.period), offset: plan.quota.offset },
            apiStages,
        };
        this.entities.push(entity);
        const label = `usage plan '${planName}' (${plan.id})`;
        if (keys.ok) {
            for (const key of keys.value) {
                const attachmentRef = this.arns.usagePlanKey(plan.id, key.id);
                const keyRef = this.arns.apiKey(key.id);
                this.entities.push({
                    kind: "usage-plan-key",
                    ref: attachmentRef,
                    id: key.id,
                    name: `${planName}/${key.name ?? key.id}`,
                    region: this.region,
                    provenance: this.provenance(attachmentRef, TYPES.usagePlanKey),
                    usagePlan: entityLink(ref),
                    apiKey: this.keyRefs.has(keyRef) ? entityLink(keyRef) : externalLink(key.id),
                });
            }
        } else {
            this.gap(`could not read the keys of ${label}: ${keys.problem}`, ref, ref);
            this.placeholderAttachment(`${ref}/keys#unreadable`, `${planName} (keys not readable)`, entityLink(ref), `the keys of ${label} could not be read: ${keys.problem}`);
        }
        if (!usage.ok) {
            this.gap(`could not read the usage of ${label}: ${usage.problem}`, ref, ref);
        }
    }

    /** An attachment whose key is unknown: rules then say "cannot tell" for keys it may hold. */
    private placeholderAttachment(ref: string, name: string, usagePlan: Link, why: string): void {
        this.entities.push({
            kind: "usage-plan-key",
            ref,
            name,
            region: this.region,
            provenance: this.provenance(ref.replace(/#.*$/, ""), TYPES.usagePlanKey),
            usagePlan,
            apiKey: unknownLink(why),
        });
    }

    private account(): void {
        const { account } = this.snapshot;
        const ref = this.arns.account();
        if (!account.ok) {
            this.gap(`could not read the API Gateway account settings in ${this.region}: ${account.problem}`, ref);
            return;
        }
        this.entities.push({
            kind: "account",
            ref,
            name: "account",
            region: this.region,
            provenance: this.provenance(ref, TYPES.account),
            cloudwatchRoleArn: account.value.cloudwatchRoleArn,
        });
    }

    private domainNames(): void {
        const { domainNames } = this.snapshot;
        if (!domainNames.ok) {
            this.gap(`could not list the custom domain names in ${this.region}: ${domainNames.problem}`, this.arns.of("/domainnames"));
            return;
        }
        for (const domain of domainNames.value) {
            if (typeof domain.domainName !== "string") {
                continue;
            }
            // A private custom domain name is identified by name + id.
            const pathName = domain.domainNameId ? `${domain.domainName}+${domain.domainNameId}` : domain.domainName;
            const ref = this.arns.domainName(pathName);
            this.entities.push({
                kind: "domain-name",
                ref,
                id: pathName,
                name: domain.domainName,
                region: this.region,
                provenance: this.provenance(ref, TYPES.domainName),
                domainName: domain.domainName,
                securityPolicy: upper(domain.securityPolicy),
            });
        }
    }

    private apiLink(apiId: string): Link {
        const ref = this.arns.restApi(apiId);
        return this.apiRefs.has(ref) ? entityLink(ref) : externalLink(apiId);
    }

    private stageLink(apiId: string, stageName: string): Link {
        const ref = this.arns.stage(apiId, stageName);
        return this.stageRefs.has(ref) ? entityLink(ref) : externalLink(`${apiId}/${stageName}`);
    }
}

function upper(value: string | undefined): string | undefined {
    return typeof value === "string" ? value.toUpperCase() : value;
}

/**
 * Stage method settings are keyed `*\/*` or `<resource path>/<VERB>`; the resource path comes
 * without its leading slash, and patch paths escape inner slashes as `~1`. The model uses the
 * Terraform/Pulumi form, `orders/{id}/GET`.
 */
export function normaliseMethodPath(key: string): string {
    return key.replace(/~1/g, "/").replace(/^\/+/, "");
}

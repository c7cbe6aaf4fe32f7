import {
    AccessLogSettings, ApiKeyEntity, Entity, entityLink, externalLink, Inventory, InventoryGap, isUnknown, Link, LogGroupEntity, Maybe,
    MethodSettingsEntity, Provenance, StageEntity, unknown, unknownLink, UsagePlanApiStage, UsagePlanEntity, V2RouteSettings,
} from "apigw-guard/policies/model/index";
import { ApiGatewayArns, partitionOf } from "./arn";
import { Listing, LogGroupLookup, ReadResult, RegionSnapshot, RestApiSnapshot, UsagePlanSnapshot, V2ApiSnapshot } from "./collect";
import { ApiKeySummary, Field, MethodSummary, StageSummary, upper } from "./shape";
import { lookableLogGroupName, parseLogGroupArn, V2StageSummary } from "./shape-v2";

/**
 * Turns what the audit read from AWS into the Inventory every rule judges. Refs and provenance
 * are the resources' API Gateway ARNs, so a finding names the thing to change in the account.
 *
 * What the account cannot say is not guessed:
 * - a read that failed, malformed items and listings cut short are InventoryGaps, and each leaves
 *   a placeholder entity in the scope it could not read (a REST API with one method and one
 *   stage, a key, a usage plan and an attachment with an unknown key, a domain name) whose
 *   judged fields are unknown: every rule that needed that data answers "unknown" for it, through
 *   the unknown values rules already honour, and no key looks unattached because a plan's keys
 *   could not be listed;
 * - key values are never read, so every key's value is `secret`: AWS holds it, no code does.
 */
export function inventoryFromAwsSnapshots(snapshots: readonly RegionSnapshot[]): Inventory {
    return buildAwsInventory(snapshots).inventory;
}

/** The Inventory, and how many of its entities were read (the rest stand for what could not be). */
export function buildAwsInventory(snapshots: readonly RegionSnapshot[], account?: string): { readonly inventory: Inventory; readonly entitiesRead: number } {
    const entities: Entity[] = [];
    const gaps: InventoryGap[] = [];
    let placeholders = 0;
    for (const snapshot of snapshots) {
        placeholders += new RegionAdapter(snapshot, entities, gaps, account).build();
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
    return { inventory: new Inventory(unique, gaps), entitiesRead: unique.length - placeholders };
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
    v2Api: "AWS::ApiGatewayV2::Api",
    v2Route: "AWS::ApiGatewayV2::Route",
    v2Stage: "AWS::ApiGatewayV2::Stage",
    logGroup: "AWS::Logs::LogGroup",
} as const;

/**
 * What part of a listing was not read: the whole of it (the call failed), items that were
 * malformed, or the pages after the bound. Each becomes a gap, and a placeholder entity whose
 * every judged field is unknown, so each rule that needed it answers "unknown" for that scope.
 */
interface Missing {
    /** Fragment added to the scope's ARN for the placeholder's ref: `unreadable`, `malformed`, `cut-short`. */
    readonly tag: string;
    /** Why, for the gap and the unknown values. */
    readonly why: string;
}

function missingParts<T>(result: ReadResult<Listing<T>>, what: string, verb: "list" | "read" = "read"): Missing[] {
    if (!result.ok) {
        return [{ tag: "unreadable", why: `could not ${verb} ${what}: ${result.problem}` }];
    }
    const missing: Missing[] = [];
    const { malformed, malformedCount, cutShort } = result.value;
    if (malformedCount > 0) {
        const shown = malformed.join("; ") + (malformedCount > malformed.length ? `; and ${malformedCount - malformed.length} more` : "");
        missing.push({ tag: "malformed", why: `${malformedCount} malformed item(s) in ${what} were not audited (${shown})` });
    }
    if (cutShort !== undefined) {
        missing.push({ tag: "cut-short", why: `the listing of ${what} was cut short (${cutShort}); the rest was not audited` });
    }
    return missing;
}

class RegionAdapter {
    private readonly arns: ApiGatewayArns;
    private readonly region: string;
    private readonly apiRefs = new Set<string>();
    private readonly stageRefs = new Set<string>();
    private readonly keyRefs = new Set<string>();
    /** Refs of the log groups that were looked up, by name. */
    private readonly logGroupRefs = new Map<string, string>();
    private placeholders = 0;

    constructor(
        private readonly snapshot: RegionSnapshot,
        private readonly entities: Entity[],
        private readonly gaps: InventoryGap[],
        /** The account id, when the audit knows it (every finding then names it). */
        private readonly accountId?: string,
    ) {
        this.region = snapshot.region;
        this.arns = new ApiGatewayArns(snapshot.region);
    }

    /** Builds the region's entities; returns how many of them are placeholders. */
    build(): number {
        const { snapshot } = this;
        // Index what exists first, so links can tell "in the inventory" from "elsewhere".
        for (const api of snapshot.restApis.ok ? snapshot.restApis.value.items : []) {
            this.apiRefs.add(this.arns.restApi(api.api.id));
            for (const stage of api.stages.ok ? api.stages.value.items : []) {
                this.stageRefs.add(this.arns.stage(api.api.id, stage.stageName));
            }
        }
        for (const key of snapshot.apiKeys.ok ? snapshot.apiKeys.value.items : []) {
            this.keyRefs.add(this.arns.apiKey(key.id));
        }
        this.indexLogGroups();

        this.restApis();
        this.usagePlansAndKeys();
        this.account();
        this.domainNames();
        this.v2Apis();
        this.logGroups();
        return this.placeholders;
    }

    /**
     * A looked-up group's ref is its ARN: as CloudWatch Logs returned it, or else built from the
     * audited account or the destination ARN that names it. Computed before the stages that link
     * to it are built.
     */
    private indexLogGroups(): void {
        const lookups = this.snapshot.logGroups;
        if (!lookups) {
            return;
        }
        const destinationArns = new Map<string, string>();
        const stages: Array<{ accessLogSettings: StageSummary["accessLogSettings"] }> = [];
        for (const api of this.snapshot.restApis.ok ? this.snapshot.restApis.value.items : []) {
            stages.push(...(api.stages.ok ? api.stages.value.items : []));
        }
        for (const api of this.snapshot.v2Apis?.ok ? this.snapshot.v2Apis.value.items : []) {
            stages.push(...(api.stages.ok ? api.stages.value.items : []));
        }
        for (const { accessLogSettings: access } of stages) {
            const arn = access !== undefined && !isUnknown(access) ? access.destinationArn : undefined;
            const name = typeof arn === "string" ? this.lookableName(arn) : undefined;
            if (name !== undefined && typeof arn === "string" && !destinationArns.has(name)) {
                destinationArns.set(name, arn.replace(/:\*$/, ""));
            }
        }
        const partition = partitionOf(this.region);
        for (const [name, lookup] of lookups) {
            const found = lookup.result.ok && lookup.result.value !== "absent" ? lookup.result.value.arn : undefined;
            const built = `arn:${partition}:logs:${this.region}:${this.accountId ?? "*"}:log-group:${name}`;
            this.logGroupRefs.set(name, typeof found === "string" && parseLogGroupArn(found)?.name === name
                ? found
                : this.accountId !== undefined ? built : destinationArns.get(name) ?? built);
        }
    }

    private lookableName(destinationArn: string): string | undefined {
        return lookableLogGroupName(destinationArn, this.region, partitionOf(this.region), this.accountId);
    }

    /** Access log settings, linked to the destination log group when it was looked up. */
    private accessLogs(access: StageSummary["accessLogSettings"]): Maybe<AccessLogSettings | undefined> {
        if (access === undefined || isUnknown(access)) {
            return access;
        }
        const arn = access.destinationArn;
        if (typeof arn !== "string") {
            return { destinationArn: arn, format: access.format };
        }
        const name = this.lookableName(arn);
        const lookup = name !== undefined ? this.snapshot.logGroups?.get(name) : undefined;
        const groupRef = name !== undefined && lookup?.accessDestination === true ? this.logGroupRefs.get(name) : undefined;
        return { destinationArn: arn, format: access.format, destination: groupRef !== undefined ? entityLink(groupRef) : externalLink(arn) };
    }

    private provenance(arn: string, resourceType: string): Provenance {
        return { source: "aws", arn, resourceType, ...this.where() };
    }

    /** The account (when known) and region every entity and gap of this region carries. */
    private where(): Pick<Provenance, "account" | "region"> {
        return { ...(this.accountId !== undefined ? { account: this.accountId } : {}), region: this.region };
    }

    private gap(message: string, arn: string, ref?: string): void {
        this.gaps.push({ ...(ref !== undefined ? { ref } : {}), message, provenance: { source: "aws", arn, ...this.where() } });
    }

    private placeholder(entity: Entity): void {
        this.placeholders++;
        this.entities.push(entity);
    }

    /** What every stand-in for something not read has: its ref and name, the region, and where it is (the ARN without the ref's `#` fragment). */
    private standIn(ref: string, name: string, resourceType: string, arn = stripFragment(ref)): Pick<Entity, "ref" | "name" | "region" | "provenance"> {
        return { ref, name, region: this.region, provenance: this.provenance(arn, resourceType) };
    }

    private restApis(): void {
        const { restApis } = this.snapshot;
        const scope = this.arns.of("/restapis");
        for (const missing of missingParts(restApis, `the REST APIs in ${this.region}`, "list")) {
            this.gap(missing.why, scope);
            this.unreadableApi(`${scope}#${missing.tag}`, `REST APIs in ${this.region} (${missing.tag})`, missing.why);
        }
        for (const snapshot of restApis.ok ? restApis.value.items : []) {
            this.restApi(snapshot);
        }
    }

    /** A REST API that could not be read, with one method and one stage that stand for all of its. */
    private unreadableApi(ref: string, name: string, why: string): void {
        const reason = unknown(why);
        this.placeholder({
            kind: "rest-api",
            ...this.standIn(ref, name, TYPES.restApi),
            apiKeySource: reason,
            endpointTypes: reason,
        });
        this.unreadableMethods(`${ref}/methods`, name, entityLink(ref), why);
        this.unreadableStages(`${ref}/stages`, name, entityLink(ref), why);
    }

    private unreadableMethods(ref: string, name: string, restApi: Link, why: string): void {
        const reason = unknown(why);
        this.placeholder({
            kind: "method",
            ...this.standIn(ref, `${name}: methods`, TYPES.method),
            restApi,
            path: reason,
            httpMethod: reason,
            apiKeyRequired: reason,
            authorizationType: reason,
        });
    }

    private unreadableStages(ref: string, name: string, restApi: Link, why: string): void {
        const reason = unknown(why);
        this.placeholder({
            kind: "stage",
            ...this.standIn(ref, `${name}: stages`, TYPES.stage),
            apiVersion: "v1",
            restApi,
            stageName: reason,
            accessLogSettings: reason,
            xrayTracingEnabled: reason,
            cacheClusterEnabled: reason,
            webAclArn: reason,
            arn: reason,
        });
        this.placeholder({
            kind: "method-settings",
            ...this.standIn(`${ref}#methodSettings`, `${name}: stages`, TYPES.methodSettings, stripFragment(ref)),
            restApi,
            stage: entityLink(ref),
            stageName: reason,
            methodPath: reason,
            loggingLevel: reason,
            metricsEnabled: reason,
            dataTraceEnabled: reason,
            cachingEnabled: reason,
            cacheDataEncrypted: reason,
        });
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
            endpointTypes: api.endpointTypes,
        });
        const label = `REST API '${apiName}' (${api.id})`;
        for (const missing of missingParts(resources, `the resources and methods of ${label}`)) {
            this.gap(missing.why, ref, ref);
            this.unreadableMethods(`${ref}/resources#${missing.tag}`, apiName, entityLink(ref), missing.why);
        }
        for (const { resource, methods } of resources.ok ? resources.value.items : []) {
            const path = resource.path === undefined ? unknown("the resource path was not returned") : resource.path;
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
            if (resource.methodsMalformed !== undefined) {
                const why = `the methods of resource ${typeof path === "string" ? path : resource.id} of ${label} could not be read: malformed response: ${resource.methodsMalformed}`;
                this.gap(why, resourceRef, resourceRef);
                this.unreadableMethods(`${resourceRef}/methods#malformed`, `${apiName} ${typeof path === "string" ? path : resource.id}`, entityLink(ref), why);
            }
            for (const [verb, method] of methods) {
                this.method(api.id, apiName, ref, resource.id, path, verb, method);
            }
        }
        for (const missing of missingParts(stages, `the stages of ${label}`)) {
            this.gap(missing.why, ref, ref);
            this.unreadableStages(`${ref}/stages#${missing.tag}`, apiName, entityLink(ref), missing.why);
        }
        for (const stage of stages.ok ? stages.value.items : []) {
            this.stage(api.id, apiName, ref, stage);
        }
    }

    private method(apiId: string, apiName: string, apiRef: string, resourceId: string, path: Maybe<string>, verb: string, read: ReadResult<MethodSummary>): void {
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

    private stage(apiId: string, apiName: string, apiRef: string, stage: StageSummary): void {
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
            accessLogSettings: this.accessLogs(access),
            xrayTracingEnabled: stage.tracingEnabled,
            cacheClusterEnabled: stage.cacheClusterEnabled,
            webAclArn: stage.webAclArn,
            arn: ref,
        };
        this.entities.push(entity);
        const settingsList = stage.methodSettings;
        if (isUnknown(settingsList)) {
            const why = `the method settings of stage '${stage.stageName}' of REST API '${apiName}' (${apiId}) could not be read: ${settingsList.reason ?? "malformed"}`;
            this.gap(why, ref, ref);
            this.unreadableSettings(`${ref}#methodSettings#malformed`, `${apiName}/${stage.stageName}`, entityLink(apiRef), ref, stage.stageName, why);
            return;
        }
        for (const [key, settings] of settingsList) {
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

    private unreadableSettings(ref: string, name: string, restApi: Link, stageRef: string, stageName: string, why: string): void {
        const reason = unknown(why);
        this.placeholder({
            kind: "method-settings",
            ...this.standIn(ref, name, TYPES.methodSettings, stageRef),
            restApi,
            stage: entityLink(stageRef),
            stageName,
            methodPath: reason,
            loggingLevel: reason,
            metricsEnabled: reason,
            dataTraceEnabled: reason,
            cachingEnabled: reason,
            cacheDataEncrypted: reason,
        });
    }

    private usagePlansAndKeys(): void {
        const { apiKeys, usagePlans } = this.snapshot;
        const plans = usagePlans.ok ? usagePlans.value.items : [];
        const plansByKeyId = new Map<string, UsagePlanSnapshot[]>();
        for (const plan of plans) {
            for (const key of plan.keys.ok ? plan.keys.value.items : []) {
                const list = plansByKeyId.get(key.id);
                if (list) {
                    list.push(plan);
                } else {
                    plansByKeyId.set(key.id, [plan]);
                }
            }
        }
        const keyScope = this.arns.of("/apikeys");
        for (const missing of missingParts(apiKeys, `the API keys in ${this.region}`, "list")) {
            this.gap(missing.why, keyScope);
            this.unreadableKey(`${keyScope}#${missing.tag}`, `API keys in ${this.region} (${missing.tag})`, missing.why);
        }
        for (const key of apiKeys.ok ? apiKeys.value.items : []) {
            this.apiKey(key, plansByKeyId.get(key.id) ?? []);
        }
        const planScope = this.arns.of("/usageplans");
        for (const missing of missingParts(usagePlans, `the usage plans in ${this.region}`, "list")) {
            this.gap(missing.why, planScope);
            // Any key may be attached to a plan that could not be seen.
            const ref = `${planScope}#${missing.tag}`;
            const reason = unknown(missing.why);
            this.placeholder({
                kind: "usage-plan",
                ...this.standIn(ref, `usage plans in ${this.region} (${missing.tag})`, TYPES.usagePlan, planScope),
                throttle: reason,
                quota: reason,
                apiStages: reason,
            });
            this.placeholderAttachment(`${ref}/keys`, `usage plans in ${this.region} (${missing.tag})`, entityLink(ref), missing.why);
        }
        for (const plan of plans) {
            this.usagePlan(plan);
        }
    }

    private unreadableKey(ref: string, name: string, why: string): void {
        const reason = unknown(why);
        this.placeholder({
            kind: "api-key",
            ...this.standIn(ref, name, TYPES.apiKey),
            enabled: reason,
            createdDate: reason,
            tags: reason,
            value: { handling: reason },
            requestsInWindow: reason,
        });
    }

    private apiKey(key: ApiKeySummary, plans: readonly UsagePlanSnapshot[]): void {
        const ref = this.arns.apiKey(key.id);
        const created = key.createdDate;
        const entity: ApiKeyEntity = {
            kind: "api-key",
            ref,
            id: key.id,
            name: key.name ?? key.id,
            region: this.region,
            provenance: this.provenance(ref, TYPES.apiKey),
            enabled: key.enabled,
            createdDate: created instanceof Date ? created.toISOString() : created,
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
     * a plan's usage could not be read and the others show none, or the key's age is unknown.
     */
    private requestsInWindow(key: ApiKeySummary, plans: readonly UsagePlanSnapshot[]): Maybe<number | undefined> {
        const created = key.createdDate;
        if (created instanceof Date && created.getTime() > this.snapshot.window.start.getTime()) {
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
        if (total === 0 && isUnknown(created)) {
            // A key younger than the window is not judged by usage; this one's age is not known.
            return unknown(`the key's creation date could not be read: ${created.reason ?? "malformed"}`);
        }
        return total === 0 && unreadable !== undefined ? unknown(unreadable) : total;
    }

    private usagePlan(snapshot: UsagePlanSnapshot): void {
        const { plan, keys, usage } = snapshot;
        const ref = this.arns.usagePlan(plan.id);
        const planName = plan.name ?? plan.id;
        const apiStages: Maybe<UsagePlanApiStage[]> = isUnknown(plan.apiStages) ? plan.apiStages : plan.apiStages.map(apiStage => {
            const apiId = apiStage.apiId;
            const restApi: Link = typeof apiId === "string" ? this.apiLink(apiId) : unknownLink(isUnknown(apiId) ? apiId.reason : "the API of the plan's stage was not returned");
            const stageName: Maybe<string> = apiStage.stage === undefined ? unknown("the stage name was not returned") : apiStage.stage;
            return { restApi, stageName, stage: typeof apiId === "string" && typeof stageName === "string" ? this.stageLink(apiId, stageName) : unknownLink("the stage could not be identified") };
        });
        const { throttle, quota } = plan;
        const entity: UsagePlanEntity = {
            kind: "usage-plan",
            ref,
            id: plan.id,
            name: planName,
            region: this.region,
            provenance: this.provenance(ref, TYPES.usagePlan),
            throttle: throttle === undefined || isUnknown(throttle) ? throttle : { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
            quota: quota === undefined || isUnknown(quota) ? quota : { limit: quota.limit, period: upper(quota.period), offset: quota.offset },
            apiStages,
        };
        this.entities.push(entity);
        const label = `usage plan '${planName}' (${plan.id})`;
        for (const missing of missingParts(keys, `the keys of ${label}`)) {
            this.gap(missing.why, ref, ref);
            this.placeholderAttachment(`${ref}/keys#${missing.tag}`, `${planName} (keys ${missing.tag})`, entityLink(ref), missing.why);
        }
        for (const key of keys.ok ? keys.value.items : []) {
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
        if (!usage.ok) {
            this.gap(`could not read the usage of ${label}: ${usage.problem}`, ref, ref);
        }
    }

    /** An attachment whose key is unknown: rules then say "cannot tell" for keys it may hold. */
    private placeholderAttachment(ref: string, name: string, usagePlan: Link, why: string): void {
        this.placeholder({
            kind: "usage-plan-key",
            ...this.standIn(ref, name, TYPES.usagePlanKey),
            usagePlan,
            apiKey: unknownLink(why),
        });
    }

    private account(): void {
        const { account } = this.snapshot;
        const ref = this.arns.account();
        if (!account.ok) {
            // No placeholder: a stage that logs in a region without account settings is already
            // "cannot tell" for apigateway-account-cloudwatch-role.
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
        const scope = this.arns.of("/domainnames");
        for (const missing of missingParts(domainNames, `the custom domain names in ${this.region}`, "list")) {
            this.gap(missing.why, scope);
            const reason = unknown(missing.why);
            this.placeholder({
                kind: "domain-name",
                ...this.standIn(`${scope}#${missing.tag}`, `custom domain names in ${this.region} (${missing.tag})`, TYPES.domainName, scope),
                domainName: reason,
                securityPolicy: reason,
            });
        }
        for (const domain of domainNames.ok ? domainNames.value.items : []) {
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

    private v2Apis(): void {
        const { v2Apis } = this.snapshot;
        if (v2Apis === undefined) {
            return;
        }
        const scope = this.arns.of("/apis");
        for (const missing of missingParts(v2Apis, `the HTTP and WebSocket APIs in ${this.region}`, "list")) {
            this.gap(missing.why, scope);
            const ref = `${scope}#${missing.tag}`;
            const name = `HTTP and WebSocket APIs in ${this.region} (${missing.tag})`;
            this.placeholder({
                kind: "v2-api",
                ...this.standIn(ref, name, TYPES.v2Api, scope),
                protocolType: unknown(missing.why),
            });
            this.unreadableRoutes(`${ref}/routes`, name, entityLink(ref), missing.why);
            this.unreadableV2Stages(`${ref}/stages`, name, entityLink(ref), missing.why);
        }
        for (const snapshot of v2Apis.ok ? v2Apis.value.items : []) {
            this.v2Api(snapshot);
        }
    }

    /** A route that stands for the routes of an API (or of the region) that could not be read. */
    private unreadableRoutes(ref: string, name: string, api: Link, why: string): void {
        const reason = unknown(why);
        this.placeholder({
            kind: "v2-route",
            ...this.standIn(ref, `${name}: routes`, TYPES.v2Route),
            api,
            routeKey: reason,
            authorizationType: reason,
            apiKeyRequired: reason,
        });
    }

    private unreadableV2Stages(ref: string, name: string, api: Link, why: string): void {
        const reason = unknown(why);
        this.placeholder({
            kind: "stage",
            ...this.standIn(ref, `${name}: stages`, TYPES.v2Stage),
            apiVersion: "v2",
            restApi: api,
            stageName: reason,
            accessLogSettings: reason,
            arn: reason,
            v2LoggingLevel: reason,
            v2DataTraceEnabled: reason,
            v2RouteSettings: reason,
        });
    }

    private v2Api({ api, routes, stages }: V2ApiSnapshot): void {
        const ref = this.arns.v2Api(api.id);
        const apiName = api.name ?? api.id;
        const protocolType = upper(api.protocolType);
        this.entities.push({
            kind: "v2-api",
            ref,
            id: api.id,
            name: apiName,
            region: this.region,
            provenance: this.provenance(ref, TYPES.v2Api),
            protocolType: protocolType === undefined ? unknown("the API's protocol type was not returned") : protocolType,
        });
        const label = `${protocolType === "WEBSOCKET" ? "WebSocket" : "HTTP"} API '${apiName}' (${api.id})`;
        for (const missing of missingParts(routes, `the routes of ${label}`)) {
            this.gap(missing.why, ref, ref);
            this.unreadableRoutes(`${ref}/routes#${missing.tag}`, apiName, entityLink(ref), missing.why);
        }
        for (const route of routes.ok ? routes.value.items : []) {
            const routeRef = this.arns.v2Route(api.id, route.id);
            const routeKey = route.routeKey === undefined ? unknown("the route key was not returned") : route.routeKey;
            this.entities.push({
                kind: "v2-route",
                ref: routeRef,
                id: route.id,
                name: `${apiName} ${typeof routeKey === "string" ? routeKey : route.id}`,
                region: this.region,
                provenance: this.provenance(routeRef, TYPES.v2Route),
                api: entityLink(ref),
                routeKey,
                authorizationType: upper(route.authorizationType),
                apiKeyRequired: route.apiKeyRequired,
            });
        }
        for (const missing of missingParts(stages, `the stages of ${label}`)) {
            this.gap(missing.why, ref, ref);
            this.unreadableV2Stages(`${ref}/stages#${missing.tag}`, apiName, entityLink(ref), missing.why);
        }
        for (const stage of stages.ok ? stages.value.items : []) {
            this.v2Stage(api.id, apiName, ref, stage);
        }
    }

    private v2Stage(apiId: string, apiName: string, apiRef: string, stage: V2StageSummary): void {
        const ref = this.arns.v2Stage(apiId, stage.stageName);
        const routes = stage.routeSettings;
        const v2RouteSettings: Maybe<V2RouteSettings[] | undefined> = isUnknown(routes) ? routes
            : routes.length === 0 ? undefined
            : routes.map(route => ({ routeKey: route.routeKey, loggingLevel: upper(route.loggingLevel), dataTraceEnabled: route.dataTraceEnabled }));
        this.entities.push({
            kind: "stage",
            ref,
            name: `${apiName}/${stage.stageName}`,
            region: this.region,
            provenance: this.provenance(ref, TYPES.v2Stage),
            apiVersion: "v2",
            restApi: entityLink(apiRef),
            stageName: stage.stageName,
            accessLogSettings: this.accessLogs(stage.accessLogSettings),
            arn: ref,
            v2LoggingLevel: upper(stage.loggingLevel),
            v2DataTraceEnabled: stage.dataTraceEnabled,
            v2RouteSettings,
        });
    }

    /**
     * The log groups stages write to. A destination group CloudWatch Logs does not have is kept
     * as known absent (the stage's access logs are dropped); an execution-log group that does not
     * exist yet is left out (API Gateway creates it with the first log event); a group whose
     * lookup failed stands as a placeholder whose existence and retention are unknown.
     */
    private logGroups(): void {
        for (const [name, lookup] of this.snapshot.logGroups ?? []) {
            const ref = this.logGroupRefs.get(name);
            if (ref !== undefined) {
                this.logGroup(name, ref, lookup);
            }
        }
    }

    private logGroup(name: string, ref: string, { accessDestination, result }: LogGroupLookup): void {
        const base = {
            kind: "log-group" as const,
            ref,
            name,
            region: this.region,
            provenance: { source: "aws" as const, arn: ref, resourceType: TYPES.logGroup, ...this.where() },
            logGroupName: name,
        };
        if (!result.ok) {
            const use = accessDestination ? "the access-log destination of a stage" : "an execution-log group";
            const why = `could not look up log group '${name}' (${use}) in CloudWatch Logs: ${result.problem}`;
            this.gap(why, ref, ref);
            this.placeholder({ ...base, arn: ref, retentionInDays: unknown(why), exists: unknown(why) });
            return;
        }
        if (result.value === "absent") {
            if (accessDestination) {
                const entity: LogGroupEntity = { ...base, arn: ref, retentionInDays: undefined, exists: false };
                this.entities.push(entity);
            }
            return;
        }
        const retention: Field<number> = result.value.retentionInDays;
        this.entities.push({ ...base, arn: ref, retentionInDays: retention });
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

/** A placeholder's provenance is the ARN of the scope it stands for. */
function stripFragment(ref: string): string {
    return ref.replace(/#.*$/, "");
}

/**
 * Stage method settings are keyed `*\/*` or `<resource path>/<VERB>`; the resource path comes
 * without its leading slash, and patch paths escape inner slashes as `~1`. The model uses the
 * Terraform/Pulumi form, `orders/{id}/GET`.
 */
export function normaliseMethodPath(key: string): string {
    return key.replace(/~1/g, "/").replace(/^\/+/, "");
}

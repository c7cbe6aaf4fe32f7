/**
 * A deterministic, seeded generator of realistic API Gateway estates, written out as
 *   (a) engine resources for the engine-faithful harness (`testkit/engine.ts`): what a
 *       `pulumi preview` sends a policy pack, with property dependencies, secrets and unknowns;
 *   (b) a Terraform plan (`terraform show -json`, format 1.2: planned_values, resource_changes
 *       and configuration references; one `module.api["svc-NNNNN"]` instance per REST API);
 *   (c) a Pulumi stack export (deployment version 3, secrets as `{sig, ciphertext}`).
 * The same seed gives the same bytes. Files are streamed through a sink in ~4 MB chunks, so a
 * 300k resource plan is never held in memory as one string.
 *
 * Usage: node dist/bench/generate.js --resources 10000 --format plan|export [--seed 1]
 *        [--create-fraction 0.02] --out FILE
 */
import type { EngineResource } from "../testkit/engine";
import { SECRET_SIG, SecretValue, SIG_KEY, secret, unknowns } from "../testkit/wire";
import {
    ACCESS_LOG_FORMAT, ACCOUNT_ID, buildEstate, Estate, ESTATE_NOW, EstateOptions, GenApi, GenLogGroup, GenPlan, logGroupArn, REGION,
    stageArn,
} from "./estate";
import { deriveSeed, Prng } from "./prng";
import { FileSink, StringSink, TextSink, sha256 } from "./sink";

export { buildEstate, ESTATE_NOW } from "./estate";
export type { Estate, EstateOptions } from "./estate";

import { PulumiTypes } from "apigw-guard/policies/sources/pulumi/types";

export { PulumiTypes };
const P = PulumiTypes;

// ------------------------------------------------------------------------------------------------
// (a) engine resources
// ------------------------------------------------------------------------------------------------

export interface EngineOptions {
    /** Stack and project of the URNs (default `dev`/`demo`, the harness defaults). */
    readonly stack?: string;
    readonly project?: string;
    /** Treat every unit as deployed (stack exports: ids known), whatever `created` says. */
    readonly allKnown?: boolean;
}

function urnFor(stack: string, project: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/**
 * The estate as a preview sends it: inputs (`props`) for Remediate/Analyze, outputs for
 * AnalyzeStack, and `propertyDependencies` for every link. Units that already exist carry their
 * ids in the inputs and their provider outputs (ids, ARNs, creation dates, the key value as a
 * secret); new units have unknown ids, and links only through property dependencies.
 */
export function engineResources(estate: Estate, options: EngineOptions = {}): EngineResource[] {
    const context = engineContext(options);
    const out = engineRootResources(estate, context);
    for (const api of estate.apis) {
        out.push(...engineUnitResources(api, context));
    }
    return out;
}

interface EngineContext {
    readonly urn: (type: string, name: string) => string;
    readonly allKnown: boolean;
}

function engineContext(options: EngineOptions): EngineContext {
    const stack = options.stack ?? "dev";
    const project = options.project ?? "demo";
    return { urn: (type, name) => urnFor(stack, project, type, name), allKnown: options.allKnown === true };
}

function collector(context: EngineContext): { out: EngineResource[]; push: Push } {
    const out: EngineResource[] = [];
    const push: Push = (type, name, props, deps, outputs) => {
        const dependencies = [...new Set(Object.values(deps).flat())];
        const urn = context.urn(type, name);
        out.push({ urn, type, name, props, propertyDependencies: deps, dependencies, ...(outputs ? { outputs } : {}) });
        return urn;
    };
    return { out, push };
}

/** The account and the log groups outside any API unit. */
function engineRootResources(estate: Estate, context: EngineContext): EngineResource[] {
    const { out, push } = collector(context);
    push(P.account, "apigateway-account", { cloudwatchRoleArn: estate.account.cloudwatchRoleArn }, {},
        { cloudwatchRoleArn: estate.account.cloudwatchRoleArn, id: "api-gateway-account", apiKeyVersion: "4", features: ["UsagePlans"] });
    for (const group of estate.extraLogGroups) {
        pushLogGroup(push, group, `extra-${group.key}`, true);
    }
    return out;
}

/** One REST API unit, in registration order (a resource after everything it depends on). */
function engineUnitResources(api: GenApi, context: EngineContext): EngineResource[] {
    const { out, push } = collector(context);
    const known = context.allKnown || !api.created;
    const idOr = (id: string): unknown => (known ? id : unknowns.string);
    const apiProps: Record<string, unknown> = {
        name: api.name,
        description: `${api.name} API`,
        endpointConfiguration: { types: [api.endpointType] },
        tags: { team: `team-${api.index % 40}` },
        ...(api.apiKeySource ? { apiKeySource: api.apiKeySource } : {}),
    };
    const apiUrn = push(P.restApi, api.name, apiProps, {}, known ? {
        ...apiProps,
        apiKeySource: api.apiKeySource ?? "HEADER",
        id: api.id,
        arn: `arn:aws:apigateway:${REGION}::/restapis/${api.id}`,
        rootResourceId: api.rootResourceId,
        createdDate: api.createdDate,
        executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT_ID}:${api.id}`,
    } : undefined);

    const resourceUrns: string[] = [];
    api.resources.forEach((res, i) => {
        const parentUrn = res.parent < 0 ? apiUrn : resourceUrns[res.parent];
        const props = { restApi: idOr(api.id), parentId: idOr(res.parent < 0 ? api.rootResourceId : api.resources[res.parent].id), pathPart: res.pathPart };
        resourceUrns.push(push(P.resource, `${api.name}-r${i}`, props, { restApi: [apiUrn], parentId: [parentUrn] }, known ? { ...props, id: res.id, path: res.path } : undefined));
    });
    api.methods.forEach((method, i) => {
        const resourceId = method.resource < 0 ? api.rootResourceId : api.resources[method.resource].id;
        const props = { restApi: idOr(api.id), resourceId: idOr(resourceId), httpMethod: method.httpMethod, authorization: method.authorization, apiKeyRequired: method.apiKeyRequired };
        push(P.method, `${api.name}-m${i}`, props, { restApi: [apiUrn], resourceId: [method.resource < 0 ? apiUrn : resourceUrns[method.resource]] },
            known ? { ...props, id: `agm-${api.id}-${resourceId}-${method.httpMethod}` } : undefined);
    });
    const logGroupUrns = api.logGroups.map(group => pushLogGroup(push, group, `${api.name}-${group.key}-access`, known));
    const stageUrns = new Map<string, string>();
    for (const stage of api.stages) {
        const name = `${api.name}-${stage.name}`;
        const group = stage.logGroup !== undefined ? api.logGroups[stage.logGroup] : undefined;
        const props: Record<string, unknown> = {
            restApi: idOr(api.id),
            deployment: idOr(stage.deploymentId),
            stageName: stage.name,
            xrayTracingEnabled: stage.xrayTracingEnabled,
            ...(group ? { accessLogSettings: { destinationArn: known ? logGroupArn(group) : unknowns.string, format: ACCESS_LOG_FORMAT } } : {}),
        };
        const deps: Record<string, string[]> = { restApi: [apiUrn] };
        if (stage.logGroup !== undefined) {
            deps.accessLogSettings = [logGroupUrns[stage.logGroup]];
        }
        const stageUrn = push(P.stage, name, props, deps, known ? {
            ...props,
            id: `ags-${api.id}-${stage.name}`,
            arn: stageArn(api, stage.name),
            invokeUrl: `https://${api.id}.execute-api.${REGION}.amazonaws.com/${stage.name}`,
            cacheClusterEnabled: false,
        } : undefined);
        stageUrns.set(stage.name, stageUrn);
        if (stage.settings) {
            const settingsProps = {
                restApi: idOr(api.id),
                stageName: stage.name,
                methodPath: "*/*",
                settings: { loggingLevel: stage.settings.loggingLevel, metricsEnabled: stage.settings.metricsEnabled, dataTraceEnabled: stage.settings.dataTraceEnabled },
            };
            push(P.methodSettings, `${name}-all`, settingsProps, { restApi: [apiUrn], stageName: [stageUrn] },
                known ? { ...settingsProps, id: `${api.id}-${stage.name}-*/*` } : undefined);
        }
    }
    const planUrns = api.plans.map(plan => {
        const props = usagePlanProps(api, plan, idOr);
        return push(P.usagePlan, `${api.name}-${plan.name}`, props, { apiStages: [apiUrn, ...plan.stages.map(s => stageUrns.get(s) ?? "")] },
            known ? { ...props, id: plan.id, arn: `arn:aws:apigateway:${REGION}::/usageplans/${plan.id}` } : undefined);
    });
    for (const key of api.keys) {
        const name = `${api.name}-${key.name}`;
        const props = { name, enabled: key.enabled, description: "Managed by Pulumi" };
        const keyUrn = push(P.apiKey, name, props, {}, known ? {
            ...props,
            id: key.id,
            arn: `arn:aws:apigateway:${REGION}::/apikeys/${key.id}`,
            createdDate: key.createdDate,
            lastUpdatedDate: key.createdDate,
            value: secret(key.value),
        } : undefined);
        for (const planIndex of key.plans) {
            const plan = api.plans[planIndex];
            const attachment = { keyId: idOr(key.id), keyType: "API_KEY", usagePlanId: idOr(plan.id) };
            push(P.usagePlanKey, `${name}-${plan.name}`, attachment, { keyId: [keyUrn], usagePlanId: [planUrns[planIndex]] },
                known ? { ...attachment, id: key.id, name, value: secret(key.value) } : undefined);
        }
    }
    return out;
}

/** Registers a resource; returns its URN. */
type Push = (type: string, name: string, props: Record<string, unknown>, deps: Record<string, string[]>, outputs?: Record<string, unknown>) => string;

function pushLogGroup(push: Push, group: GenLogGroup, name: string, known: boolean): string {
    const props = { name: group.name, ...(group.retentionInDays !== undefined ? { retentionInDays: group.retentionInDays } : {}) };
    return push(P.logGroup, name, props, {}, known ? { ...props, id: group.name, arn: logGroupArn(group) } : undefined);
}

function usagePlanProps(api: GenApi, plan: GenPlan, idOr: (id: string) => unknown): Record<string, unknown> {
    return {
        name: `${api.name}-${plan.name}`,
        apiStages: plan.stages.map(stage => ({ apiId: idOr(api.id), stage })),
        ...(plan.throttle ? { throttleSettings: { rateLimit: plan.throttle.rateLimit, burstLimit: plan.throttle.burstLimit } } : {}),
        ...(plan.quota ? { quotaSettings: { limit: plan.quota.limit, period: plan.quota.period } } : {}),
    };
}

// ------------------------------------------------------------------------------------------------
// (c) Pulumi stack export (deployment v3)
// ------------------------------------------------------------------------------------------------

export interface ExportOptions {
    /** Indentation of the JSON (`pulumi stack export` uses 4). Default 4. */
    readonly indent?: number;
}

const EXPORT_STACK = "prod";
const EXPORT_PROJECT = "estate";

/**
 * The estate as `pulumi stack export` prints it: every resource deployed (ids known), inputs and
 * outputs, property dependencies, secrets encrypted (`{sig, ciphertext}`).
 */
export function writeStackExport(estate: Estate, sink: TextSink, options: ExportOptions = {}): void {
    const indent = options.indent ?? 4;
    const nl = indent > 0 ? "\n" : "";
    const pad = (depth: number) => " ".repeat(indent * depth);
    const stackUrn = urnFor(EXPORT_STACK, EXPORT_PROJECT, "pulumi:pulumi:Stack", `${EXPORT_PROJECT}-${EXPORT_STACK}`);
    const providerUrn = urnFor(EXPORT_STACK, EXPORT_PROJECT, "pulumi:providers:aws", "default_7_48_0");
    const providerId = "3f6c2b1e-8a4d-4c7e-9b0a-5d2e1f4a6c8b";
    const ciphers = new Prng(deriveSeed(estate.seed, 0x5ec7e7));
    const stamp = "2026-05-31T12:00:00.000000000Z";
    const writeResource = (resource: Record<string, unknown>, first: boolean) => {
        const text = JSON.stringify(resource, null, indent);
        sink.write(`${first ? "" : ","}${nl}${pad(3)}${indent > 0 ? text.replace(/\n/g, `\n${pad(3)}`) : text}`);
    };

    sink.write(`{${nl}${pad(1)}"version": 3,${nl}${pad(1)}"deployment": {${nl}`);
    sink.write(`${pad(2)}"manifest": ${JSON.stringify({ time: stamp, magic: "0".repeat(64), version: "v3.248.0" })},${nl}`);
    sink.write(`${pad(2)}"secrets_providers": {"type": "passphrase", "state": {"salt": "v1:3Jq0sT7sB5c=:v1:N1p6aE2QnNYr2Q1C:9pWb2v2oH3x0t0bR3m7oJq=="}},${nl}`);
    sink.write(`${pad(2)}"resources": [`);
    writeResource({ urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack", outputs: {}, created: stamp, modified: stamp }, true);
    writeResource({
        urn: providerUrn, custom: true, id: providerId, type: "pulumi:providers:aws",
        inputs: { region: REGION, version: "7.48.0" }, outputs: { region: REGION, version: "7.48.0" }, created: stamp, modified: stamp,
    }, false);
    const toExport = (value: unknown): unknown => {
        if (value instanceof SecretValue) {
            return { [SIG_KEY]: SECRET_SIG, ciphertext: `v1:${ciphers.chars(16, BASE64)}:v1:${ciphers.chars(16, BASE64)}:${ciphers.chars(64, BASE64)}` };
        }
        if (Array.isArray(value)) {
            return value.map(toExport);
        }
        if (value !== null && typeof value === "object") {
            const out: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(value)) {
                out[k] = toExport(v);
            }
            return out;
        }
        return value;
    };
    const context = engineContext({ stack: EXPORT_STACK, project: EXPORT_PROJECT, allKnown: true });
    const writeEngineResource = (r: EngineResource) => {
        const outputs = r.outputs ?? r.props;
        const deps = r.propertyDependencies ?? {};
        const resource: Record<string, unknown> = {
            urn: r.urn,
            custom: true,
            id: String(outputs.id),
            type: r.type,
            inputs: toExport(r.props),
            outputs: toExport(outputs),
            parent: stackUrn,
            ...(r.dependencies && r.dependencies.length > 0 ? { dependencies: r.dependencies } : {}),
            provider: `${providerUrn}::${providerId}`,
            ...(Object.keys(deps).length > 0 ? { propertyDependencies: deps } : {}),
            created: stamp,
            modified: stamp,
        };
        writeResource(resource, false);
    };
    engineRootResources(estate, context).forEach(writeEngineResource);
    for (const api of estate.apis) {
        engineUnitResources(api, context).forEach(writeEngineResource);
    }
    sink.write(`${nl}${pad(2)}]${nl}${pad(1)}}${nl}}${nl}`);
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// ------------------------------------------------------------------------------------------------
// (b) Terraform plan JSON (format 1.2)
// ------------------------------------------------------------------------------------------------

interface TfItem {
    readonly address: string;
    readonly moduleAddress?: string;
    readonly type: string;
    readonly name: string;
    readonly index?: string;
    readonly created: boolean;
    /** Known values (for a created resource: without the attributes known only after apply). */
    readonly after: Record<string, unknown>;
    /** `after_unknown` of a created resource. */
    readonly unknown?: Record<string, unknown>;
    readonly sensitive?: Record<string, unknown>;
}

const PROVIDER = "registry.terraform.io/hashicorp/aws";
const q = (key: string) => `[${JSON.stringify(key)}]`;

function tfRootItems(estate: Estate): TfItem[] {
    const items: TfItem[] = [{
        address: "aws_api_gateway_account.this", type: "aws_api_gateway_account", name: "this", created: false,
        after: {
            api_key_version: "4", cloudwatch_role_arn: estate.account.cloudwatchRoleArn, features: ["UsagePlans"], id: "api-gateway-account",
            reset_on_delete: null, throttle_settings: [{ burst_limit: 5000, rate_limit: 10000 }],
        },
    }];
    for (const group of estate.extraLogGroups) {
        items.push(logGroupItem(`aws_cloudwatch_log_group.extra${q(group.key)}`, undefined, "extra", group, false));
    }
    return items;
}

function logGroupItem(address: string, moduleAddress: string | undefined, name: string, group: GenLogGroup, created: boolean): TfItem {
    const retention = group.retentionInDays ?? 0;
    return created
        ? {
            address, moduleAddress, type: "aws_cloudwatch_log_group", name, index: group.key, created,
            after: { kms_key_id: null, log_group_class: "STANDARD", name: group.name, retention_in_days: retention, skip_destroy: false, tags: null },
            unknown: { arn: true, id: true, name_prefix: true, tags_all: true },
        }
        : {
            address, moduleAddress, type: "aws_cloudwatch_log_group", name, index: group.key, created,
            after: {
                arn: logGroupArn(group), id: group.name, kms_key_id: "", log_group_class: "STANDARD", name: group.name, name_prefix: "",
                retention_in_days: retention, skip_destroy: false, tags: null, tags_all: {},
            },
        };
}

/** The Terraform resources of one API unit, in `module.api["<name>"]`. */
function tfUnitItems(api: GenApi): TfItem[] {
    const m = `module.api${q(api.name)}`;
    const c = api.created;
    const items: TfItem[] = [];
    const item = (type: string, name: string, index: string | undefined, after: Record<string, unknown>, unknown?: Record<string, unknown>, sensitive?: Record<string, unknown>) => {
        items.push({
            address: `${m}.${type}.${name}${index !== undefined ? q(index) : ""}`, moduleAddress: m, type, name, index, created: c, after,
            ...(c && unknown ? { unknown } : {}), ...(sensitive ? { sensitive } : {}),
        });
    };
    const tags = { team: `team-${api.index % 40}` };

    item("aws_api_gateway_rest_api", "this", undefined, c
        ? {
            ...(api.apiKeySource ? { api_key_source: api.apiKeySource } : {}), body: null, description: `${api.name} API`, disable_execute_api_endpoint: false,
            endpoint_configuration: [{ types: [api.endpointType] }], fail_on_warnings: null, name: api.name, parameters: null, put_rest_api_mode: null, tags,
        }
        : {
            api_key_source: api.apiKeySource ?? "HEADER", arn: `arn:aws:apigateway:${REGION}::/restapis/${api.id}`, binary_media_types: [], body: null,
            created_date: api.createdDate, description: `${api.name} API`, disable_execute_api_endpoint: false,
            endpoint_configuration: [{ types: [api.endpointType], vpc_endpoint_ids: [] }], execution_arn: `arn:aws:execute-api:${REGION}:${ACCOUNT_ID}:${api.id}`,
            fail_on_warnings: null, id: api.id, minimum_compression_size: "", name: api.name, parameters: null, policy: "", put_rest_api_mode: null,
            root_resource_id: api.rootResourceId, tags, tags_all: tags,
        },
    {
        ...(api.apiKeySource ? {} : { api_key_source: true }), arn: true, binary_media_types: true, created_date: true,
        endpoint_configuration: [{ types: [false], vpc_endpoint_ids: true }], execution_arn: true, id: true, minimum_compression_size: true, policy: true,
        root_resource_id: true, tags: {}, tags_all: true,
    });

    for (const res of api.resources) {
        const parentId = res.parent < 0 ? api.rootResourceId : api.resources[res.parent].id;
        item("aws_api_gateway_resource", `l${res.level}`, res.key,
            c ? { path_part: res.pathPart } : { id: res.id, parent_id: parentId, path: res.path, path_part: res.pathPart, rest_api_id: api.id },
            { id: true, parent_id: true, path: true, rest_api_id: true });
    }
    for (const method of api.methods) {
        const resourceId = method.resource < 0 ? api.rootResourceId : api.resources[method.resource].id;
        const common = {
            api_key_required: method.apiKeyRequired, authorization: method.authorization, authorization_scopes: null, authorizer_id: null,
            http_method: method.httpMethod, operation_name: null, request_models: null, request_parameters: null, request_validator_id: null,
        };
        item("aws_api_gateway_method", "m", method.key,
            c ? common : { ...common, id: `agm-${api.id}-${resourceId}-${method.httpMethod}`, resource_id: resourceId, rest_api_id: api.id },
            { id: true, resource_id: true, rest_api_id: true });
    }
    for (const group of api.logGroups) {
        const built = logGroupItem(`${m}.aws_cloudwatch_log_group.access${q(group.key)}`, m, "access", group, c);
        items.push(built);
    }
    for (const stage of api.stages) {
        const group = stage.logGroup !== undefined ? api.logGroups[stage.logGroup] : undefined;
        item("aws_api_gateway_stage", "this", stage.name, c
            ? {
                access_log_settings: group ? [{ format: ACCESS_LOG_FORMAT }] : [], cache_cluster_enabled: false, cache_cluster_size: null, canary_settings: [],
                client_certificate_id: null, description: null, documentation_version: null, stage_name: stage.name, tags: null, variables: null,
                xray_tracing_enabled: stage.xrayTracingEnabled,
            }
            : {
                access_log_settings: group ? [{ destination_arn: logGroupArn(group), format: ACCESS_LOG_FORMAT }] : [], arn: stageArn(api, stage.name),
                cache_cluster_enabled: false, cache_cluster_size: null, canary_settings: [], client_certificate_id: "", deployment_id: stage.deploymentId,
                description: "", documentation_version: "", execution_arn: `arn:aws:execute-api:${REGION}:${ACCOUNT_ID}:${api.id}/${stage.name}`,
                id: `ags-${api.id}-${stage.name}`, invoke_url: `https://${api.id}.execute-api.${REGION}.amazonaws.com/${stage.name}`, rest_api_id: api.id,
                stage_name: stage.name, tags: null, tags_all: {}, variables: null, web_acl_arn: "", xray_tracing_enabled: stage.xrayTracingEnabled,
            },
        {
            access_log_settings: group ? [{ destination_arn: true }] : [], arn: true, deployment_id: true, execution_arn: true, id: true, invoke_url: true,
            rest_api_id: true, tags_all: true, web_acl_arn: true,
        });
        if (stage.settings) {
            const s = stage.settings;
            item("aws_api_gateway_method_settings", "all", stage.name, c
                ? { method_path: "*/*", settings: [{ data_trace_enabled: s.dataTraceEnabled, logging_level: s.loggingLevel, metrics_enabled: s.metricsEnabled }], stage_name: stage.name }
                : {
                    id: `${api.id}-${stage.name}-*/*`, method_path: "*/*", rest_api_id: api.id,
                    settings: [{
                        cache_data_encrypted: false, cache_ttl_in_seconds: 300, caching_enabled: false, data_trace_enabled: s.dataTraceEnabled,
                        logging_level: s.loggingLevel, metrics_enabled: s.metricsEnabled, require_authorization_for_cache_control: true,
                        throttling_burst_limit: -1, throttling_rate_limit: -1, unauthorized_cache_control_header_strategy: "SUCCEED_WITH_RESPONSE_HEADER",
                    }],
                    stage_name: stage.name,
                },
            {
                id: true, rest_api_id: true,
                settings: [{
                    cache_data_encrypted: true, cache_ttl_in_seconds: true, caching_enabled: true, require_authorization_for_cache_control: true,
                    throttling_burst_limit: true, throttling_rate_limit: true, unauthorized_cache_control_header_strategy: true,
                }],
            });
        }
    }
    for (const plan of api.plans) {
        const limits = {
            quota_settings: plan.quota ? [{ limit: plan.quota.limit, offset: 0, period: plan.quota.period }] : [],
            throttle_settings: plan.throttle ? [{ burst_limit: plan.throttle.burstLimit, rate_limit: plan.throttle.rateLimit }] : [],
        };
        item("aws_api_gateway_usage_plan", "this", plan.name, c
            ? { api_stages: plan.stages.map(stage => ({ stage, throttle: [] })), description: null, name: `${api.name}-${plan.name}`, product_code: null, tags: null, ...limits }
            : {
                api_stages: plan.stages.map(stage => ({ api_id: api.id, stage, throttle: [] })), arn: `arn:aws:apigateway:${REGION}::/usageplans/${plan.id}`,
                description: "", id: plan.id, name: `${api.name}-${plan.name}`, product_code: "", tags: null, tags_all: {}, ...limits,
            },
        { api_stages: plan.stages.map(() => ({ api_id: true, throttle: [] })), arn: true, id: true, tags_all: true });
    }
    for (const key of api.keys) {
        const name = `${api.name}-${key.name}`;
        item("aws_api_gateway_api_key", "client", key.name, c
            ? { description: "Managed by Terraform", enabled: key.enabled, name, tags: null }
            : {
                arn: `arn:aws:apigateway:${REGION}::/apikeys/${key.id}`, created_date: key.createdDate, customer_id: "", description: "Managed by Terraform",
                enabled: key.enabled, id: key.id, last_updated_date: key.createdDate, name, tags: null, tags_all: {}, value: key.value,
            },
        { arn: true, created_date: true, customer_id: true, id: true, last_updated_date: true, tags_all: true, value: true },
        c ? { value: true } : { tags_all: {}, value: true });
        for (const planIndex of key.plans) {
            const plan = api.plans[planIndex];
            item("aws_api_gateway_usage_plan_key", "client", `${key.name}/${plan.name}`, c
                ? { key_type: "API_KEY" }
                : { id: key.id, key_id: key.id, key_type: "API_KEY", name, usage_plan_id: plan.id, value: key.value },
            { id: true, key_id: true, name: true, usage_plan_id: true, value: true });
        }
    }
    return items;
}

function plannedResource(item: TfItem): Record<string, unknown> {
    return {
        address: item.address, mode: "managed", type: item.type, name: item.name, ...(item.index !== undefined ? { index: item.index } : {}),
        provider_name: PROVIDER, schema_version: 0, values: item.after, sensitive_values: item.sensitive ?? {},
    };
}

function resourceChange(item: TfItem): Record<string, unknown> {
    return {
        address: item.address, ...(item.moduleAddress ? { module_address: item.moduleAddress } : {}), mode: "managed", type: item.type, name: item.name,
        ...(item.index !== undefined ? { index: item.index } : {}), provider_name: PROVIDER,
        change: item.created
            ? { actions: ["create"], before: null, after: item.after, after_unknown: item.unknown ?? {}, before_sensitive: false, after_sensitive: item.sensitive ?? {} }
            : { actions: ["no-op"], before: item.after, after: item.after, after_unknown: {}, before_sensitive: item.sensitive ?? {}, after_sensitive: item.sensitive ?? {} },
    };
}

const refs = (...references: string[]) => ({ references });
const constant = (value: unknown) => ({ constant_value: value });
const API_REF = refs("aws_api_gateway_rest_api.this.id", "aws_api_gateway_rest_api.this");

/** The module's configuration: written once (configuration describes blocks, not instances). */
function tfConfiguration(): Record<string, unknown> {
    const block = (type: string, name: string, expressions: Record<string, unknown>, forEach?: string) => ({
        address: `${type}.${name}`, mode: "managed", type, name, provider_config_key: "aws", expressions, schema_version: 0,
        ...(forEach ? { for_each_expression: refs(forEach) } : {}),
    });
    const moduleResources = [
        block("aws_api_gateway_rest_api", "this", {
            name: refs("var.name"), api_key_source: refs("var.api_key_source"), description: refs("var.name"),
            endpoint_configuration: [{ types: refs("var.endpoint_types") }], tags: refs("var.tags"),
        }),
        block("aws_api_gateway_resource", "l1", {
            rest_api_id: API_REF, parent_id: refs("aws_api_gateway_rest_api.this.root_resource_id", "aws_api_gateway_rest_api.this"), path_part: refs("each.value.path_part", "each.value"),
        }, "local.level1"),
        block("aws_api_gateway_resource", "l2", {
            rest_api_id: API_REF, parent_id: refs("aws_api_gateway_resource.l1", "each.value.parent"), path_part: refs("each.value.path_part", "each.value"),
        }, "local.level2"),
        block("aws_api_gateway_resource", "l3", {
            rest_api_id: API_REF, parent_id: refs("aws_api_gateway_resource.l2", "each.value.parent"), path_part: refs("each.value.path_part", "each.value"),
        }, "local.level3"),
        block("aws_api_gateway_method", "m", {
            rest_api_id: API_REF, resource_id: refs("local.resource_ids", "each.value.path"), http_method: refs("each.value.verb", "each.value"),
            authorization: refs("each.value.authorization", "each.value"), api_key_required: refs("each.value.api_key_required", "each.value"),
        }, "local.methods"),
        block("aws_cloudwatch_log_group", "access", { name: refs("each.value.name", "each.value"), retention_in_days: refs("each.value.retention", "each.value") }, "local.access_logs"),
        block("aws_api_gateway_stage", "this", {
            rest_api_id: API_REF, deployment_id: refs("var.deployment_ids", "each.key"), stage_name: refs("each.key"),
            xray_tracing_enabled: refs("each.value.xray", "each.value"),
            access_log_settings: [{ destination_arn: refs("aws_cloudwatch_log_group.access", "each.key"), format: refs("local.access_log_format") }],
        }, "var.stages"),
        block("aws_api_gateway_method_settings", "all", {
            rest_api_id: API_REF, stage_name: refs("aws_api_gateway_stage.this", "each.key"), method_path: constant("*/*"),
            settings: [{
                logging_level: refs("each.value.logging_level", "each.value"), metrics_enabled: constant(true),
                data_trace_enabled: refs("each.value.data_trace", "each.value"),
            }],
        }, "local.stage_settings"),
        block("aws_api_gateway_usage_plan", "this", {
            name: refs("var.name", "each.key"),
            api_stages: [{ api_id: API_REF, stage: refs("aws_api_gateway_stage.this", "each.value.stages") }],
            throttle_settings: [{ burst_limit: refs("each.value.burst", "each.value"), rate_limit: refs("each.value.rate", "each.value") }],
            quota_settings: [{ limit: refs("each.value.quota", "each.value"), period: refs("each.value.period", "each.value") }],
        }, "var.plans"),
        block("aws_api_gateway_api_key", "client", { name: refs("var.name", "each.key"), enabled: refs("each.value.enabled", "each.value") }, "var.clients"),
        block("aws_api_gateway_usage_plan_key", "client", {
            key_id: refs("aws_api_gateway_api_key.client", "each.value.client"), key_type: constant("API_KEY"),
            usage_plan_id: refs("aws_api_gateway_usage_plan.this", "each.value.plan"),
        }, "local.attachments"),
    ];
    return {
        provider_config: { aws: { name: "aws", full_name: PROVIDER, expressions: { region: constant(REGION) } } },
        root_module: {
            resources: [
                block("aws_api_gateway_account", "this", { cloudwatch_role_arn: refs("aws_iam_role.apigw_cloudwatch.arn", "aws_iam_role.apigw_cloudwatch") }),
                block("aws_cloudwatch_log_group", "extra", { name: refs("each.value"), retention_in_days: constant(14) }, "var.extra_log_groups"),
            ],
            module_calls: {
                api: {
                    source: "./modules/api",
                    for_each_expression: refs("var.apis"),
                    expressions: { name: refs("each.key"), tags: refs("each.value.tags") },
                    module: {
                        resources: moduleResources,
                        variables: { name: {}, api_key_source: { default: null }, endpoint_types: {}, tags: {}, stages: {}, plans: {}, clients: {}, deployment_ids: {} },
                    },
                },
            },
        },
    };
}

/** `terraform show -json` of a plan of the estate (compact JSON, as Terraform prints it). */
export function writeTerraformPlan(estate: Estate, sink: TextSink): void {
    sink.write(`{"format_version":"1.2","terraform_version":"1.9.8","variables":{"region":{"value":"${REGION}"}},"planned_values":{"root_module":{"resources":[`);
    tfRootItems(estate).forEach((item, i) => sink.write(`${i > 0 ? "," : ""}${JSON.stringify(plannedResource(item))}`));
    sink.write(`],"child_modules":[`);
    estate.apis.forEach((api, i) => {
        sink.write(`${i > 0 ? "," : ""}{"resources":[`);
        tfUnitItems(api).forEach((item, j) => sink.write(`${j > 0 ? "," : ""}${JSON.stringify(plannedResource(item))}`));
        sink.write(`],"address":${JSON.stringify(`module.api${q(api.name)}`)}}`);
    });
    sink.write(`]}},"resource_changes":[`);
    let first = true;
    const change = (item: TfItem) => {
        sink.write(`${first ? "" : ","}${JSON.stringify(resourceChange(item))}`);
        first = false;
    };
    tfRootItems(estate).forEach(change);
    for (const api of estate.apis) {
        tfUnitItems(api).forEach(change);
    }
    sink.write(`],"configuration":${JSON.stringify(tfConfiguration())},"timestamp":"${ESTATE_NOW}","applyable":true,"complete":true,"errored":false}\n`);
}

// ------------------------------------------------------------------------------------------------
// Files
// ------------------------------------------------------------------------------------------------

export type FileFormat = "plan" | "export";

export interface WrittenFile {
    readonly file: string;
    readonly format: FileFormat;
    readonly resources: number;
    readonly bytes: number;
    readonly sha256: string;
}

export function writeEstateFile(estate: Estate, format: FileFormat, file: string, options: ExportOptions = {}): WrittenFile {
    const sink = new FileSink(file);
    if (format === "plan") {
        writeTerraformPlan(estate, sink);
    } else {
        writeStackExport(estate, sink, options);
    }
    const { bytes, sha256: digest } = sink.close();
    return { file, format, resources: estate.resourceCount, bytes, sha256: digest };
}

/** The file's text in memory (small estates, tests). */
export function estateText(estate: Estate, format: FileFormat, options: ExportOptions = {}): { text: string; sha256: string } {
    const sink = new StringSink();
    if (format === "plan") {
        writeTerraformPlan(estate, sink);
    } else {
        writeStackExport(estate, sink, options);
    }
    const text = sink.text();
    return { text, sha256: sha256(text) };
}

function main(argv: readonly string[]): number {
    const args = new Map<string, string>();
    for (let i = 0; i < argv.length; i += 2) {
        args.set(argv[i].replace(/^--/, ""), argv[i + 1] ?? "");
    }
    const format = args.get("format");
    const out = args.get("out");
    const resources = Number(args.get("resources") ?? "10000");
    if ((format !== "plan" && format !== "export") || !out || !Number.isInteger(resources) || resources < 1) {
        process.stderr.write("usage: generate --resources N --format plan|export --out FILE [--seed N] [--create-fraction F] [--indent N]\n");
        return 2;
    }
    const options: EstateOptions = {
        seed: Number(args.get("seed") ?? "1"),
        resources,
        ...(args.has("create-fraction") ? { createFraction: Number(args.get("create-fraction")) } : {}),
    };
    const written = writeEstateFile(buildEstate(options), format, out, args.has("indent") ? { indent: Number(args.get("indent")) } : {});
    process.stdout.write(`${JSON.stringify(written)}\n`);
    return 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}

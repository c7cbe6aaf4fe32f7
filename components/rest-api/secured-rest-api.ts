import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgumentChecker, describe } from "../errors";
import { withManagedBy } from "../tags";
import { SecuredDocument, secureOpenApiDocument } from "./openapi";
import { HttpMethod, IntegrationSpec, LambdaTarget, permissionPath, planRoutes, PlannedRoute, RoutePlan, RouteSpec, uriParameters } from "./routes";
import { canonicalJson, sha256Hex } from "./spec-hash";

export const SECURED_REST_API_TYPE = "apigw-guard:index:SecuredRestApi";

export type AuthorizerSpec =
    /** Callers sign requests with SigV4 (`AWS_IAM`). */
    | { readonly type: "iam" }
    /** A Cognito user pool token in the `Authorization` header (`COGNITO_USER_POOLS`). */
    | {
        readonly type: "cognito";
        readonly userPoolArns: pulumi.Input<pulumi.Input<string>[]>;
        /** OAuth scopes a token must carry; without scopes the ID token is accepted. */
        readonly scopes?: readonly string[];
        readonly identitySource?: string;
    }
    /** A Lambda authorizer (`CUSTOM`). */
    | {
        readonly type: "lambda";
        readonly function: LambdaTarget;
        readonly kind?: "TOKEN" | "REQUEST";
        readonly identitySource?: string;
        readonly resultTtlInSeconds?: number;
    };

export interface CorsSpec {
    /** The one origin browsers may call from, e.g. `https://app.example.com`. */
    readonly allowOrigin: string;
    /** Defaults to Content-Type, X-Api-Key, Authorization. */
    readonly allowHeaders?: readonly string[];
    readonly maxAgeSeconds?: number;
    readonly allowCredentials?: boolean;
}

export interface StageLoggingSpec {
    /** Execution log level for every method. Default ERROR; INFO logs more (and costs more). */
    readonly level?: "ERROR" | "INFO";
    /** Retention of the access and execution log groups. Default 365 days. */
    readonly retentionInDays?: number;
    /** KMS key for the log groups. */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** Access log group name. Default `/apigw-guard/<project>/<stack>/<name>/<stage>/access`. */
    readonly accessLogGroupName?: string;
}

export interface ThrottleSpec {
    /** Steady-state requests per second. */
    readonly rateLimit: number;
    /** Bucket size: requests allowed in a burst. */
    readonly burstLimit: number;
}

export const CACHE_CLUSTER_SIZES = ["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"] as const;
export type CacheClusterSize = (typeof CACHE_CLUSTER_SIZES)[number];

export interface CachingSpec {
    readonly enabled: boolean;
    /** GB. Default 0.5. */
    readonly clusterSize?: CacheClusterSize;
    /** Default 300. */
    readonly ttlInSeconds?: number;
}

/**
 * Arguments of SecuredRestApi. Values that decide which resources exist or are validated at
 * construction (routes, stage name, limits) are plain; values that only flow into resource
 * properties are `pulumi.Input`.
 */
/**
 * An existing OpenAPI document (Swagger 2.0 or OpenAPI 3.0/3.1; an object, or JSON/YAML text)
 * instead of `routes`. SecuredRestApi secures it: every operation not on `publicPaths` also
 * requires an API key in the X-API-Key header, CORS preflight (OPTIONS) stays open, and the key
 * source is HEADER. The document keeps its own integrations and authorizers; the permissions its
 * integrations need (e.g. Lambda invoke) are the caller's to grant.
 */
export interface OpenApiSpec {
    readonly document: string | Readonly<Record<string, unknown>>;
    /** Paths (exactly as in the document) whose operations are public on purpose: no key. */
    readonly publicPaths?: readonly string[];
}

export interface SecuredRestApiArgs {
    /** The API's routes; or `openApi`, exactly one of the two. */
    readonly routes?: readonly RouteSpec[];
    readonly openApi?: OpenApiSpec;
    readonly description?: pulumi.Input<string>;
    /** Name of the REST API in AWS. Default: the component name. */
    readonly apiName?: pulumi.Input<string>;
    /** Default `v1`. */
    readonly stageName?: string;
    /** Applied to every non-public route, in addition to the API key. */
    readonly authorizer?: AuthorizerSpec;
    /** Generates an OPTIONS preflight (MOCK, no key: browsers cannot send one) on every routed path. */
    readonly cors?: CorsSpec;
    /** Default REGIONAL. (PRIVATE APIs also need a resource policy: not offered here.) */
    readonly endpointType?: "REGIONAL" | "EDGE";
    readonly logging?: StageLoggingSpec;
    /** Stage-wide throttle for all methods. Default 100 rps, burst 200. */
    readonly throttle?: ThrottleSpec;
    /** Stage cache; always encrypted when on. Default off. */
    readonly caching?: CachingSpec;
    /** Associates a WAFv2 web ACL with the stage. */
    readonly webAclArn?: pulumi.Input<string>;
    /**
     * The region's ApiGatewayAccountLogging (or any resource that sets the account's CloudWatch
     * role). Stage logging fails until that role is set, so the stage waits for it.
     */
    readonly accountLogging?: pulumi.Resource;
    readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface RouteSummary {
    readonly method: HttpMethod;
    readonly path: string;
}

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * One line of JSON per request. The fields a key-abuse investigation needs: which key, from
 * where, what it called, and what happened.
 */
export const ACCESS_LOG_FORMAT = JSON.stringify({
    requestId: "$context.requestId",
    extendedRequestId: "$context.extendedRequestId",
    requestTime: "$context.requestTime",
    apiKeyId: "$context.identity.apiKeyId",
    ip: "$context.identity.sourceIp",
    userAgent: "$context.identity.userAgent",
    caller: "$context.identity.caller",
    user: "$context.identity.user",
    httpMethod: "$context.httpMethod",
    resourcePath: "$context.resourcePath",
    path: "$context.path",
    protocol: "$context.protocol",
    status: "$context.status",
    responseLength: "$context.responseLength",
    integrationLatency: "$context.integrationLatency",
    integrationStatus: "$context.integration.status",
    errorMessage: "$context.error.message",
    authorizerError: "$context.authorizer.error",
    wafResponseCode: "$context.wafResponseCode",
});

const DEFAULT_CORS_HEADERS = ["Content-Type", "X-Api-Key", "Authorization"];

/**
 * A REST API (v1) from a small route spec, secure by default: every method requires an API key
 * (`X-API-Key` header) except CORS preflight and routes marked `public`; access logs in JSON to a
 * log group with retention; execution logging, metrics and X-Ray on; data trace off; stage
 * throttling; an encrypted cache when caching is on. Any change to the spec redeploys the stage.
 */
export class SecuredRestApi extends pulumi.ComponentResource {
    readonly restApi: aws.apigateway.RestApi;
    readonly deployment: aws.apigateway.Deployment;
    readonly stage: aws.apigateway.Stage;
    readonly methodSettings: aws.apigateway.MethodSettings;
    readonly accessLogGroup: aws.cloudwatch.LogGroup;
    readonly executionLogGroup: aws.cloudwatch.LogGroup;
    readonly authorizerResource?: aws.apigateway.Authorizer;

    readonly restApiId: pulumi.Output<string>;
    readonly stageName: pulumi.Output<string>;
    readonly invokeUrl: pulumi.Output<string>;
    readonly executionArn: pulumi.Output<string>;
    readonly stageArn: pulumi.Output<string>;
    /** What a post-deploy probe needs: where to call, what must refuse a keyless call, what must not. */
    readonly probe: pulumi.Output<{ invokeUrl: string; keyedRoutes: RouteSummary[]; publicRoutes: RouteSummary[] }>;
    /** The hash of the whole spec that the deployment's `triggers` carry. */
    readonly specHash: pulumi.Output<string>;

    /** The component's name and stage name as configured (plain), for construction-time checks. */
    readonly componentName: string;
    readonly configuredStageName: string;
    /** Every route, sorted. */
    readonly routes: readonly (RouteSummary & { readonly public: boolean })[];
    /** Routes that require an API key (what a post-deploy probe should see refused without one). */
    readonly keyedRoutes: readonly RouteSummary[];
    /** Routes marked public: no key, no authorizer. */
    readonly publicRoutes: readonly RouteSummary[];
    /** Paths of public routes: the pack's `apigateway-method-api-key-required.exemptPaths`. */
    readonly publicPaths: readonly string[];
    /**
     * Policy-pack config (`--policy-pack-config`) that exempts exactly this API's public paths
     * from the key and authorizer requirements.
     */
    readonly packConfig: {
        readonly "apigateway-method-api-key-required": { readonly exemptPaths: readonly string[] };
        readonly "apigateway-method-authorizer": { readonly exemptPaths: readonly string[] };
    };

    constructor(name: string, args: SecuredRestApiArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = validate(name, args);
        super(SECURED_REST_API_TYPE, name, {}, opts);
        const parent = { parent: this };
        const { plan } = settings;
        const tags = withManagedBy(args.tags, SECURED_REST_API_TYPE);

        const document = settings.document;
        this.restApi = new aws.apigateway.RestApi(name, {
            name: args.apiName ?? name,
            description: args.description,
            // Keys come from the X-API-Key header, never from an authorizer's usageIdentifierKey.
            apiKeySource: "HEADER",
            endpointConfiguration: { types: settings.endpointType },
            ...(document ? { body: document.body } : {}),
            tags,
        }, parent);
        const restApiId = this.restApi.id;
        const fromRoutes = document ? { dependencies: [], authorizer: undefined } : this.createFromRoutes(name, plan, settings, args.authorizer, restApiId);
        this.authorizerResource = fromRoutes.authorizer;
        const deploymentDependencies: pulumi.Resource[] = fromRoutes.dependencies;

        this.specHash = pulumi.output(document
            ? { apiKeySource: "HEADER", body: document.body }
            : specForHash(plan, args.authorizer, settings.cors)).apply((spec: unknown) => sha256Hex(canonicalJson(spec)));

        this.deployment = new aws.apigateway.Deployment(name, {
            restApi: restApiId,
            description: `apigw-guard ${name}`,
            // Replacing the deployment on any spec change is what makes route changes go live; the
            // new one is created first (Pulumi's default create-before-delete) and the stage
            // moves to it before the old one is deleted.
            triggers: { redeployment: this.specHash },
        }, { parent: this, dependsOn: deploymentDependencies });

        const logRetention = settings.retentionInDays;
        const stageName = settings.stageName;
        this.configuredStageName = stageName;
        this.componentName = name;
        const accessLogGroupName = args.logging?.accessLogGroupName
            ?? `/apigw-guard/${pulumi.getProject()}/${pulumi.getStack()}/${name}/${stageName}/access`;
        this.accessLogGroup = new aws.cloudwatch.LogGroup(`${name}-access-logs`, {
            name: accessLogGroupName,
            retentionInDays: logRetention,
            kmsKeyId: args.logging?.kmsKeyArn,
            tags,
        }, parent);
        // API Gateway creates this group itself on first execution log, with no retention. Creating
        // it first (method settings wait for it) keeps retention under our control.
        this.executionLogGroup = new aws.cloudwatch.LogGroup(`${name}-execution-logs`, {
            name: pulumi.interpolate`API-Gateway-Execution-Logs_${restApiId}/${stageName}`,
            retentionInDays: logRetention,
            kmsKeyId: args.logging?.kmsKeyArn,
            tags,
        }, parent);

        const accountDependency = args.accountLogging ? [args.accountLogging] : [];
        this.stage = new aws.apigateway.Stage(name, {
            restApi: restApiId,
            deployment: this.deployment.id,
            stageName,
            description: args.description,
            accessLogSettings: {
                destinationArn: this.accessLogGroup.arn,
                format: ACCESS_LOG_FORMAT,
            },
            xrayTracingEnabled: true,
            cacheClusterEnabled: settings.caching.enabled,
            cacheClusterSize: settings.caching.enabled ? settings.caching.clusterSize : undefined,
            tags,
        }, { parent: this, dependsOn: accountDependency });

        this.methodSettings = new aws.apigateway.MethodSettings(`${name}-all-methods`, {
            restApi: restApiId,
            stageName: this.stage.stageName,
            methodPath: "*/*",
            settings: {
                loggingLevel: settings.loggingLevel,
                metricsEnabled: true,
                // Data trace writes full requests, API keys included, into the execution logs.
                dataTraceEnabled: false,
                throttlingRateLimit: settings.throttle.rateLimit,
                throttlingBurstLimit: settings.throttle.burstLimit,
                cachingEnabled: settings.caching.enabled,
                cacheDataEncrypted: true,
                ...(settings.caching.enabled
                    ? {
                        cacheTtlInSeconds: settings.caching.ttlInSeconds,
                        requireAuthorizationForCacheControl: true,
                        unauthorizedCacheControlHeaderStrategy: "FAIL_WITH_403",
                    }
                    : {}),
            },
        }, { parent: this, dependsOn: [this.executionLogGroup, ...accountDependency] });

        if (args.webAclArn !== undefined) {
            new aws.wafv2.WebAclAssociation(`${name}-waf`, {
                resourceArn: this.stage.arn,
                webAclArn: args.webAclArn,
            }, parent);
        }

        this.restApiId = restApiId;
        this.stageName = this.stage.stageName;
        this.invokeUrl = this.stage.invokeUrl;
        this.executionArn = this.restApi.executionArn;
        this.stageArn = this.stage.arn;
        this.routes = document ? document.operations.map(o => ({ ...o })) : plan.routes.map(r => ({ method: r.method, path: r.path, public: r.public }));
        this.keyedRoutes = this.routes.filter(r => !r.public).map(r => ({ method: r.method, path: r.path }));
        this.publicRoutes = this.routes.filter(r => r.public).map(r => ({ method: r.method, path: r.path }));
        this.publicPaths = [...new Set(this.publicRoutes.map(r => r.path))];
        this.probe = this.invokeUrl.apply(invokeUrl => ({
            invokeUrl,
            keyedRoutes: this.keyedRoutes.map(r => ({ ...r })),
            publicRoutes: this.publicRoutes.map(r => ({ ...r })),
        }));
        this.packConfig = {
            "apigateway-method-api-key-required": { exemptPaths: this.publicPaths },
            "apigateway-method-authorizer": { exemptPaths: this.publicPaths },
        };

        this.registerOutputs({
            restApiId: this.restApiId,
            stageName: this.stageName,
            invokeUrl: this.invokeUrl,
            executionArn: this.executionArn,
            stageArn: this.stageArn,
            specHash: this.specHash,
            keyedRoutes: this.keyedRoutes,
            publicRoutes: this.publicRoutes,
            publicPaths: this.publicPaths,
            probe: this.probe,
        });
    }

    /** The resource tree, methods, authorizer and preflight of a route spec; what the deployment waits for. */
    private createFromRoutes(
        name: string, plan: RoutePlan, settings: Settings, authorizerSpec: AuthorizerSpec | undefined, restApiId: pulumi.Output<string>,
    ): { dependencies: pulumi.Resource[]; authorizer: aws.apigateway.Authorizer | undefined } {
        const parent = { parent: this };
        const rootResourceId = this.restApi.rootResourceId;
        const resourceIds = new Map<string, pulumi.Output<string>>([["/", rootResourceId]]);
        for (const planned of plan.resources) {
            const resource = new aws.apigateway.Resource(`${name}${planned.path}`, {
                restApi: restApiId,
                parentId: required(resourceIds.get(planned.parentPath)),
                pathPart: planned.pathPart,
            }, parent);
            resourceIds.set(planned.path, resource.id);
        }

        const authorizer = this.createAuthorizer(name, authorizerSpec, restApiId);

        const deploymentDependencies: pulumi.Resource[] = authorizer.resource ? [authorizer.resource] : [];
        for (const route of plan.routes) {
            const resourceId = required(resourceIds.get(route.path));
            deploymentDependencies.push(...this.createRoute(name, route, restApiId, resourceId, authorizer));
        }
        if (settings.cors) {
            for (const path of plan.routedPaths) {
                const methods = plan.routes.filter(r => r.path === path).map(r => r.method);
                deploymentDependencies.push(...this.createPreflight(name, path, methods, settings.cors, restApiId, required(resourceIds.get(path))));
            }
        }

        return { dependencies: deploymentDependencies, authorizer: authorizer.resource };
    }

    private createAuthorizer(name: string, spec: AuthorizerSpec | undefined, restApiId: pulumi.Output<string>): ResolvedAuthorizer {
        if (spec === undefined) {
            return { authorization: "NONE" };
        }
        switch (spec.type) {
            case "iam":
                return { authorization: "AWS_IAM" };
            case "cognito": {
                const resource = new aws.apigateway.Authorizer(`${name}-authorizer`, {
                    restApi: restApiId,
                    name: `${name}-cognito`,
                    type: "COGNITO_USER_POOLS",
                    providerArns: spec.userPoolArns,
                    identitySource: spec.identitySource ?? "method.request.header.Authorization",
                }, { parent: this });
                return { authorization: "COGNITO_USER_POOLS", resource, scopes: spec.scopes };
            }
            case "lambda": {
                const resource = new aws.apigateway.Authorizer(`${name}-authorizer`, {
                    restApi: restApiId,
                    name: `${name}-lambda`,
                    type: spec.kind ?? "TOKEN",
                    authorizerUri: spec.function.invokeArn,
                    identitySource: spec.identitySource ?? "method.request.header.Authorization",
                    authorizerResultTtlInSeconds: spec.resultTtlInSeconds ?? 300,
                }, { parent: this });
                new aws.lambda.Permission(`${name}-authorizer-invoke`, {
                    action: "lambda:InvokeFunction",
                    function: spec.function.arn,
                    principal: "apigateway.amazonaws.com",
                    sourceArn: pulumi.interpolate`${this.restApi.executionArn}/authorizers/${resource.id}`,
                }, { parent: this });
                return { authorization: "CUSTOM", resource };
            }
        }
    }

    private createRoute(name: string, route: PlannedRoute, restApiId: pulumi.Output<string>, resourceId: pulumi.Output<string>, authorizer: ResolvedAuthorizer): pulumi.Resource[] {
        const routeName = `${name}-${route.method}${route.path}`;
        const parent = { parent: this };
        const pathParameters = Object.fromEntries(route.pathParameters.map(p => [`method.request.path.${p}`, true]));
        const method = new aws.apigateway.Method(routeName, {
            restApi: restApiId,
            resourceId,
            httpMethod: route.method,
            authorization: route.public ? "NONE" : authorizer.authorization,
            authorizerId: route.public ? undefined : authorizer.resource?.id,
            authorizationScopes: route.public || !authorizer.scopes ? undefined : [...authorizer.scopes],
            apiKeyRequired: !route.public,
            requestParameters: route.pathParameters.length > 0 ? pathParameters : undefined,
        }, parent);
        const created: pulumi.Resource[] = [method];
        const integrationBase = { restApi: restApiId, resourceId, httpMethod: method.httpMethod };
        const spec = route.integration;
        switch (spec.type) {
            case "lambda": {
                created.push(new aws.apigateway.Integration(routeName, {
                    ...integrationBase,
                    type: "AWS_PROXY",
                    // Lambda is always invoked with POST, whatever the client's method.
                    integrationHttpMethod: "POST",
                    uri: spec.function.invokeArn,
                    timeoutMilliseconds: spec.timeoutMilliseconds,
                }, parent));
                new aws.lambda.Permission(`${name}-invoke-${route.method}${route.path}`, {
                    action: "lambda:InvokeFunction",
                    function: spec.function.arn,
                    principal: "apigateway.amazonaws.com",
                    sourceArn: pulumi.interpolate`${this.restApi.executionArn}/*/${permissionPath(route.method, route.path)}`,
                }, parent);
                break;
            }
            case "http-proxy": {
                created.push(new aws.apigateway.Integration(routeName, {
                    ...integrationBase,
                    type: "HTTP_PROXY",
                    integrationHttpMethod: route.method,
                    uri: spec.uri,
                    timeoutMilliseconds: spec.timeoutMilliseconds,
                    // API Gateway rejects mappings for parameters the URI does not use.
                    requestParameters: pulumi.output(spec.uri).apply(uri => {
                        const used = uriParameters(uri).filter(p => route.pathParameters.includes(p));
                        return used.length > 0
                            ? Object.fromEntries(used.map(p => [`integration.request.path.${p}`, `method.request.path.${p}`]))
                            : undefined;
                    }),
                }, parent));
                break;
            }
            case "mock": {
                const statusCode = String(spec.statusCode ?? 200);
                const integration = new aws.apigateway.Integration(routeName, {
                    ...integrationBase,
                    type: "MOCK",
                    requestTemplates: { "application/json": `{"statusCode": ${statusCode}}` },
                }, parent);
                const methodResponse = new aws.apigateway.MethodResponse(`${routeName}-${statusCode}`, {
                    ...integrationBase,
                    statusCode,
                }, parent);
                const integrationResponse = new aws.apigateway.IntegrationResponse(`${routeName}-${statusCode}`, {
                    ...integrationBase,
                    statusCode,
                    responseTemplates: { "application/json": spec.responseBody ?? "" },
                }, { parent: this, dependsOn: [integration, methodResponse] });
                created.push(integration, methodResponse, integrationResponse);
                break;
            }
        }
        return created;
    }

    private createPreflight(name: string, path: string, methods: readonly HttpMethod[], cors: ResolvedCors, restApiId: pulumi.Output<string>, resourceId: pulumi.Output<string>): pulumi.Resource[] {
        const routeName = `${name}-OPTIONS${path}`;
        const parent = { parent: this };
        // Browsers send the preflight without credentials or custom headers, so it cannot carry
        // the key: OPTIONS stays open (the pack's exemptMethods default).
        const method = new aws.apigateway.Method(routeName, {
            restApi: restApiId,
            resourceId,
            httpMethod: "OPTIONS",
            authorization: "NONE",
            apiKeyRequired: false,
        }, parent);
        const base = { restApi: restApiId, resourceId, httpMethod: method.httpMethod };
        const integration = new aws.apigateway.Integration(routeName, {
            ...base,
            type: "MOCK",
            requestTemplates: { "application/json": "{\"statusCode\": 200}" },
        }, parent);
        const allowMethods = methods.includes("ANY")
            ? ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
            : [...new Set([...methods, "OPTIONS"])].sort();
        const headers: Record<string, string> = {
            "Access-Control-Allow-Origin": cors.allowOrigin,
            "Access-Control-Allow-Headers": cors.allowHeaders.join(","),
            "Access-Control-Allow-Methods": allowMethods.join(","),
            "Access-Control-Max-Age": String(cors.maxAgeSeconds),
            ...(cors.allowCredentials ? { "Access-Control-Allow-Credentials": "true" } : {}),
        };
        const methodResponse = new aws.apigateway.MethodResponse(`${routeName}-200`, {
            ...base,
            statusCode: "200",
            responseParameters: Object.fromEntries(Object.keys(headers).map(h => [`method.response.header.${h}`, true])),
        }, parent);
        const integrationResponse = new aws.apigateway.IntegrationResponse(`${routeName}-200`, {
            ...base,
            statusCode: "200",
            // Static values are single-quoted in API Gateway mapping expressions.
            responseParameters: Object.fromEntries(Object.entries(headers).map(([h, v]) => [`method.response.header.${h}`, `'${v}'`])),
        }, { parent: this, dependsOn: [integration, methodResponse] });
        return [method, integration, methodResponse, integrationResponse];
    }
}

interface ResolvedAuthorizer {
    readonly authorization: "NONE" | "AWS_IAM" | "COGNITO_USER_POOLS" | "CUSTOM";
    readonly resource?: aws.apigateway.Authorizer;
    readonly scopes?: readonly string[];
}

interface ResolvedCors {
    readonly allowOrigin: string;
    readonly allowHeaders: readonly string[];
    readonly maxAgeSeconds: number;
    readonly allowCredentials: boolean;
}

interface Settings {
    /** Empty when the API comes from an OpenAPI document. */
    readonly plan: RoutePlan;
    readonly document?: SecuredDocument;
    readonly stageName: string;
    readonly endpointType: "REGIONAL" | "EDGE";
    readonly loggingLevel: "ERROR" | "INFO";
    readonly retentionInDays: number;
    readonly throttle: ThrottleSpec;
    readonly caching: { readonly enabled: boolean; readonly clusterSize: CacheClusterSize; readonly ttlInSeconds: number };
    readonly cors?: ResolvedCors;
}

function validate(name: string, args: SecuredRestApiArgs): Settings {
    const check = new ArgumentChecker("SecuredRestApi", name);
    check.object("args", args);
    const cors = args.cors === undefined ? undefined : validateCors(check, args.cors);
    let document: SecuredDocument | undefined;
    let plan: RoutePlan;
    if (args.openApi !== undefined) {
        if (args.routes !== undefined) {
            check.fail("openApi", "and routes cannot both be given: the API comes from one or the other");
        }
        // The document brings its own authorizers and preflight: mixing in ours would contradict it.
        if (args.authorizer !== undefined) {
            check.fail("authorizer", "cannot be combined with openApi: define the authorizer in the document's security schemes");
        }
        if (args.cors !== undefined) {
            check.fail("cors", "cannot be combined with openApi: define the OPTIONS operations in the document");
        }
        const spec = check.object("openApi", args.openApi);
        const publicPaths = spec.publicPaths === undefined ? [] : check.array("openApi.publicPaths", spec.publicPaths, 0).map((p, i) => check.nonEmptyString(`openApi.publicPaths[${i}]`, p));
        document = secureOpenApiDocument(check, "openApi.document", spec.document, publicPaths);
        plan = { resources: [], routes: [], routedPaths: [] };
    } else {
        plan = planRoutes(check, args.routes, { corsEnabled: cors !== undefined });
    }
    const stageName = args.stageName ?? "v1";
    if (typeof stageName !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) {
        check.fail("stageName", `must be 1-128 letters, digits, '-' or '_' (got ${describe(stageName)})`);
    }
    const endpointType = check.oneOf("endpointType", args.endpointType ?? "REGIONAL", ["REGIONAL", "EDGE"] as const);
    const logging = args.logging === undefined ? {} : check.object("logging", args.logging);
    const loggingLevel = check.oneOf("logging.level", logging.level ?? "ERROR", ["ERROR", "INFO"] as const);
    const retentionInDays = logging.retentionInDays ?? 365;
    if (!(LOG_RETENTION_DAYS as readonly unknown[]).includes(retentionInDays)) {
        check.fail("logging.retentionInDays", `must be one of CloudWatch's retention periods (${LOG_RETENTION_DAYS.join(", ")}) (got ${describe(retentionInDays)})`);
    }
    if (logging.accessLogGroupName !== undefined) {
        check.nonEmptyString("logging.accessLogGroupName", logging.accessLogGroupName);
    }
    const throttle = args.throttle === undefined ? { rateLimit: 100, burstLimit: 200 } : validateThrottle(check, "throttle", args.throttle);
    const caching = validateCaching(check, args.caching);
    validateAuthorizer(check, args.authorizer);
    return { plan, ...(document ? { document } : {}), stageName, endpointType, loggingLevel, retentionInDays: retentionInDays as number, throttle, caching, cors };
}

export function validateThrottle(check: ArgumentChecker, arg: string, raw: unknown): ThrottleSpec {
    const throttle = check.object(arg, raw);
    // API Gateway's account-level ceilings (10,000 rps, 5,000 burst) bound what a stage can use.
    const rateLimit = check.positiveNumber(`${arg}.rateLimit`, throttle.rateLimit, 10000);
    const burstLimit = check.integer(`${arg}.burstLimit`, throttle.burstLimit, 1, 5000);
    return { rateLimit, burstLimit };
}

function validateCaching(check: ArgumentChecker, raw: unknown): Settings["caching"] {
    if (raw === undefined) {
        return { enabled: false, clusterSize: "0.5", ttlInSeconds: 300 };
    }
    const caching = check.object("caching", raw);
    if (typeof caching.enabled !== "boolean") {
        check.fail("caching.enabled", `must be true or false (got ${describe(caching.enabled)})`);
    }
    const clusterSize = check.oneOf("caching.clusterSize", caching.clusterSize ?? "0.5", CACHE_CLUSTER_SIZES);
    const ttlInSeconds = caching.ttlInSeconds === undefined ? 300 : check.integer("caching.ttlInSeconds", caching.ttlInSeconds, 0, 3600);
    return { enabled: caching.enabled, clusterSize, ttlInSeconds };
}

function validateCors(check: ArgumentChecker, raw: unknown): ResolvedCors {
    const cors = check.object("cors", raw);
    const allowOrigin = check.nonEmptyString("cors.allowOrigin", cors.allowOrigin);
    if (allowOrigin !== "*" && !/^https?:\/\/[^\s/,']+$/.test(allowOrigin)) {
        check.fail("cors.allowOrigin", `must be one origin such as https://app.example.com (got ${describe(allowOrigin)})`);
    }
    const allowCredentials = cors.allowCredentials ?? false;
    if (typeof allowCredentials !== "boolean") {
        check.fail("cors.allowCredentials", `must be true or false (got ${describe(allowCredentials)})`);
    }
    if (allowOrigin === "*" && allowCredentials) {
        check.fail("cors.allowCredentials", "cannot be true with allowOrigin '*' (browsers refuse credentials for a wildcard origin)");
    }
    const allowHeaders = cors.allowHeaders === undefined ? DEFAULT_CORS_HEADERS : check.array("cors.allowHeaders", cors.allowHeaders, 1);
    allowHeaders.forEach((header, i) => {
        if (typeof header !== "string" || !/^[A-Za-z0-9-]+$/.test(header)) {
            check.fail(`cors.allowHeaders[${i}]`, `must be a header name (got ${describe(header)})`);
        }
    });
    const maxAgeSeconds = cors.maxAgeSeconds === undefined ? 600 : check.integer("cors.maxAgeSeconds", cors.maxAgeSeconds, 0, 86400);
    return { allowOrigin, allowHeaders: allowHeaders as string[], maxAgeSeconds, allowCredentials };
}

function validateAuthorizer(check: ArgumentChecker, raw: unknown): void {
    if (raw === undefined) {
        return;
    }
    const authorizer = check.object("authorizer", raw);
    const type = authorizer.type;
    if (type !== "iam" && type !== "cognito" && type !== "lambda") {
        check.fail("authorizer.type", `must be one of iam, cognito, lambda (got ${describe(type)})`);
    }
    if (type === "cognito") {
        if (authorizer.userPoolArns === undefined) {
            check.fail("authorizer.userPoolArns", "must list the Cognito user pool ARNs");
        }
        if (Array.isArray(authorizer.userPoolArns) && authorizer.userPoolArns.length === 0) {
            check.fail("authorizer.userPoolArns", "must list at least 1 user pool ARN");
        }
        if (authorizer.scopes !== undefined) {
            check.array("authorizer.scopes", authorizer.scopes, 1).forEach((scope, i) => check.nonEmptyString(`authorizer.scopes[${i}]`, scope));
        }
    }
    if (type === "lambda") {
        const target = check.object("authorizer.function", authorizer.function);
        if (target.invokeArn === undefined || target.arn === undefined) {
            check.fail("authorizer.function", "must have invokeArn and arn (pass an aws.lambda.Function)");
        }
        check.oneOf("authorizer.kind", authorizer.kind ?? "TOKEN", ["TOKEN", "REQUEST"] as const);
        if (authorizer.resultTtlInSeconds !== undefined) {
            check.integer("authorizer.resultTtlInSeconds", authorizer.resultTtlInSeconds, 0, 3600);
        }
    }
}

/** Everything that changes what the deployed stage serves. Inputs inside are resolved by `pulumi.output`. */
function specForHash(plan: RoutePlan, authorizer: AuthorizerSpec | undefined, cors: ResolvedCors | undefined): Record<string, unknown> {
    return {
        apiKeySource: "HEADER",
        routes: plan.routes.map(route => ({
            path: route.path,
            method: route.method,
            public: route.public,
            integration: integrationForHash(route.integration),
        })),
        authorizer: authorizer === undefined ? null : authorizerForHash(authorizer),
        cors: cors ?? null,
    };
}

function integrationForHash(spec: IntegrationSpec): Record<string, pulumi.Input<unknown>> {
    switch (spec.type) {
        case "lambda":
            return { type: spec.type, invokeArn: spec.function.invokeArn, timeoutMilliseconds: spec.timeoutMilliseconds };
        case "http-proxy":
            return { type: spec.type, uri: spec.uri, timeoutMilliseconds: spec.timeoutMilliseconds };
        case "mock":
            return { type: spec.type, statusCode: spec.statusCode ?? 200, responseBody: spec.responseBody ?? "" };
    }
}

function authorizerForHash(spec: AuthorizerSpec): Record<string, pulumi.Input<unknown>> {
    switch (spec.type) {
        case "iam":
            return { type: spec.type };
        case "cognito":
            return { type: spec.type, userPoolArns: spec.userPoolArns, scopes: spec.scopes ? [...spec.scopes] : null, identitySource: spec.identitySource };
        case "lambda":
            return { type: spec.type, invokeArn: spec.function.invokeArn, kind: spec.kind ?? "TOKEN", identitySource: spec.identitySource, resultTtlInSeconds: spec.resultTtlInSeconds };
    }
}

function required<T>(value: T | undefined): T {
    if (value === undefined) {
        throw new Error("internal error: route plan lists a path before its parent");
    }
    return value;
}

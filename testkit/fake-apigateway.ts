import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { DEFAULT_FAKE_ACCOUNT, FakeHandler, signingScope } from "./fake-aws";
import { closeServer, decodePageToken, encodePageToken, listenLocally, notFound, Routed, urlOf } from "./local-server";

/**
 * A local stand-in for the API Gateway (REST, v1) control plane: exactly the GET routes the audit
 * calls, served from in-memory data on 127.0.0.1, in the wire format the AWS SDK v3 parses
 * (restJson1: list pages as `{item, position}`, timestamps as epoch seconds, errors as
 * `x-amzn-ErrorType` + `{message}`). The real SDK client is pointed at it, so serialization,
 * signing, pagination and retries all run for real.
 *
 * Key values live in the data (`FakeApiKey.value`) as they do in AWS. Like AWS, the server sends
 * them only when asked (`includeValues=true`, which it records as a violation) and, like AWS,
 * always with usage-plan keys: that is the leak the audit must plug.
 */

export interface FakeMethod {
    readonly httpMethod: string;
    readonly authorizationType?: string;
    readonly apiKeyRequired?: boolean;
    readonly authorizerId?: string;
}

export interface FakeResource {
    readonly id: string;
    readonly parentId?: string;
    readonly pathPart?: string;
    readonly path: string;
    readonly methods?: readonly FakeMethod[];
}

export interface FakeMethodSetting {
    readonly loggingLevel?: string;
    readonly metricsEnabled?: boolean;
    readonly dataTraceEnabled?: boolean;
    readonly cachingEnabled?: boolean;
    readonly cacheDataEncrypted?: boolean;
    readonly throttlingBurstLimit?: number;
    readonly throttlingRateLimit?: number;
}

export interface FakeStage {
    readonly stageName: string;
    readonly deploymentId?: string;
    readonly accessLogSettings?: { readonly destinationArn?: string; readonly format?: string };
    /** Keyed as AWS keys them: `*\/*`, `orders/GET`. */
    readonly methodSettings?: Readonly<Record<string, FakeMethodSetting>>;
    readonly tracingEnabled?: boolean;
    readonly cacheClusterEnabled?: boolean;
    readonly webAclArn?: string;
}

export interface FakeRestApi {
    readonly id: string;
    readonly name: string;
    readonly apiKeySource?: string;
    readonly endpointTypes?: readonly string[];
    readonly resources: readonly FakeResource[];
    readonly stages: readonly FakeStage[];
}

export interface FakeApiKey {
    readonly id: string;
    readonly name: string;
    readonly enabled: boolean;
    /** ISO-8601. */
    readonly createdDate: string;
    /** The secret. Never to be requested by the audit. */
    readonly value: string;
    readonly tags?: Readonly<Record<string, string>>;
}

export interface FakeUsagePlan {
    readonly id: string;
    readonly name: string;
    readonly apiStages: readonly { readonly apiId: string; readonly stage: string }[];
    readonly throttle?: { readonly rateLimit?: number; readonly burstLimit?: number };
    readonly quota?: { readonly limit?: number; readonly period?: string; readonly offset?: number };
    readonly keyIds: readonly string[];
    /**
     * Daily `[used, remaining]` rows per key id; a key with no entry is not listed by GetUsage
     * (the audit must read that as zero requests).
     */
    readonly usage?: Readonly<Record<string, readonly (readonly number[])[]>>;
}

export interface FakeRegion {
    readonly restApis: readonly FakeRestApi[];
    readonly apiKeys: readonly FakeApiKey[];
    readonly usagePlans: readonly FakeUsagePlan[];
    readonly account?: { readonly cloudwatchRoleArn?: string };
    readonly domainNames?: readonly { readonly domainName: string; readonly securityPolicy?: string }[];
}

export interface FakeFaults {
    /** Requests (1-based, over the server's life) whose number is a multiple of this get a 429. */
    throttleEvery?: number;
    /** The first N requests get a 429. */
    throttleFirst?: number;
    /** Paths (no query string) always answered with a 429: throttled past any retry budget. */
    throttlePaths?: readonly RegExp[];
    /** Sent with 429s as `Retry-After` (seconds). */
    retryAfterSeconds?: number;
    /** Paths (no query string) answered with 403 AccessDeniedException. */
    deny?: readonly RegExp[];
    /** Every response waits this long. */
    latencyMs?: number;
    /** Responses to matching paths wait this long. */
    slow?: readonly { readonly path: RegExp; readonly ms: number }[];
    /** The server never serves more items per page than this, whatever `limit` asks. */
    maxPageSize?: number;
    /** Answer `GetResources` with bare method links even when `embed=methods` is asked. */
    ignoreEmbed?: boolean;
    /** Requests signed with these access key ids get 403 UnrecognizedClientException. */
    rejectAccessKeyIds?: readonly string[];
    /** Answer every list page with a `position` (a server that never ends a listing). */
    endlessPositions?: boolean;
    /** Keep no copy of the bodies sent (a memory test must measure the audit, not the fake). */
    forgetBodies?: boolean;
    /** Hostile answers, by path (no query string): the first route that matches wins. */
    hostile?: readonly HostileRoute[];
}

/**
 * What an endpoint an attacker controls (or a broken proxy) may do instead of answering like
 * API Gateway. Every one of them must end in a bounded audit with a reported gap.
 */
export type HostileAnswer =
    /** This body as it is, with a 200 (malformed JSON, `{"item":[null]}`, wrong types). */
    | { readonly kind: "body"; readonly body: string }
    /** An HTTP 5xx `InternalFailure`, every time. */
    | { readonly kind: "server-error"; readonly status?: number }
    /** Status and headers at once, then the (well-formed) body one byte every `intervalMs`. */
    | { readonly kind: "trickle"; readonly intervalMs: number }
    /** Accept the request and never answer. */
    | { readonly kind: "silent" }
    /**
     * Every page holds `perPage` new items and a new `position`: a listing that never ends. Items
     * have an `id`, `name` and `domainName`, and `padBytes` of filler in fields the SDK keeps
     * (`description`, `certificateName`) that the audit has no use for.
     */
    | { readonly kind: "endless"; readonly perPage: number; readonly padBytes?: number };

export interface HostileRoute {
    readonly path: RegExp;
    readonly answer: HostileAnswer;
}

export interface RecordedRequest {
    readonly method: string;
    readonly path: string;
    readonly query: Readonly<Record<string, string>>;
    readonly region: string | undefined;
    /** 0 while the response is pending (a client that gave up never sees one). */
    status: number;
}

/**
 * What else answers at the fake's endpoint when it is started on its own: API Gateway v2 shares
 * the API Gateway endpoint (its paths start with `/v2/`), and an audit pointed at one endpoint
 * also sends its CloudWatch Logs requests there. Requests are attributed to `DEFAULT_FAKE_ACCOUNT`.
 * (Behind `FakeAws`, which routes by signing service itself, they are not used.)
 */
export interface FakeCompanions {
    readonly apigatewayv2?: FakeHandler;
    readonly logs?: FakeHandler;
}

const DEFAULT_PAGE = 25;
const MAX_PAGE = 500;
/** No response waits longer than this, whatever a test asks. */
const MAX_DELAY_MS = 10_000;

export class FakeApiGateway {
    readonly requests: RecordedRequest[] = [];
    /** Every request that asked for key values. A test fails if this is not empty. */
    readonly violations: string[] = [];
    /** Every response body sent, for leak checks (AWS-like, they do hold key values). */
    readonly sentBodies: string[] = [];
    private server: Server | undefined;
    private readonly timers = new Set<NodeJS.Timeout>();
    private readonly tricklers = new Set<NodeJS.Timeout>();
    private served = 0;

    constructor(readonly regions: Readonly<Record<string, FakeRegion>>, public faults: FakeFaults = {}, readonly companions: FakeCompanions = {}) {}

    /** Listens on 127.0.0.1 at a free port; returns the endpoint URL. */
    async start(): Promise<string> {
        this.server = createServer((request, response) => void this.dispatch(request, response));
        return listenLocally(this.server);
    }

    get url(): string {
        return urlOf(this.server, "the fake API Gateway");
    }

    async stop(): Promise<void> {
        for (const timer of this.timers) {
            clearTimeout(timer);
        }
        this.timers.clear();
        for (const timer of this.tricklers) {
            clearInterval(timer);
        }
        this.tricklers.clear();
        const server = this.server;
        this.server = undefined;
        await closeServer(server);
    }

    /** Started on its own: v2 paths and Logs requests go to the companions, when there are any. */
    private async dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const scope = signingScope(request.headers.authorization);
        const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
        const service = scope?.service === "apigateway" && path.startsWith("/v2/") ? "apigatewayv2" : scope?.service;
        const companion = service === "logs" ? this.companions.logs : service === "apigatewayv2" ? this.companions.apigatewayv2 : undefined;
        if (companion === undefined || scope === undefined) {
            return this.serve(request, response);
        }
        try {
            await companion(request, response, { service: service ?? "", region: scope.region, accessKeyId: scope.accessKeyId, account: DEFAULT_FAKE_ACCOUNT });
        } catch {
            if (!response.headersSent) {
                this.sendError(response, 500, "InternalFailure", "fake server error");
            }
        }
    }

    /** Answers one request (also when mounted behind `FakeAws`, which routes by signing service). */
    async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
        try {
            await this.handle(request, response);
        } catch {
            if (!response.headersSent) {
                this.sendError(response, 500, "InternalFailure", "fake server error");
            }
        }
    }

    /** Requests whose path matches, e.g. `/^\/apikeys$/`. */
    count(path: RegExp): number {
        return this.requests.filter(r => path.test(r.path)).length;
    }

    private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        const query: Record<string, string> = {};
        for (const [name, value] of url.searchParams) {
            query[name] = value;
        }
        const region = regionOf(request.headers.authorization);
        const accessKeyId = accessKeyOf(request.headers.authorization);
        this.served++;
        // Recorded on arrival, so requests a client abandoned are counted too.
        const recorded: RecordedRequest = { method: request.method ?? "", path: url.pathname, query, region, status: 0 };
        this.requests.push(recorded);
        const record = (status: number) => {
            recorded.status = status;
        };

        for (const name of ["includeValues", "includeValue"]) {
            if (query[name] !== undefined && query[name].toLowerCase() !== "false") {
                this.violations.push(`${request.method} ${url.pathname}?${name}=${query[name]}`);
            }
        }
        await this.delay(url.pathname);
        if (request.method !== "GET") {
            record(405);
            return this.sendError(response, 405, "MethodNotAllowedException", "the audit must only read");
        }
        if (!request.headers.authorization) {
            record(403);
            return this.sendError(response, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        if (accessKeyId !== undefined && this.faults.rejectAccessKeyIds?.includes(accessKeyId)) {
            record(403);
            return this.sendError(response, 403, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }
        const { throttleEvery, throttleFirst } = this.faults;
        const throttled = (throttleFirst !== undefined && this.served <= throttleFirst) ||
            (throttleEvery !== undefined && this.served % throttleEvery === 0) ||
            this.faults.throttlePaths?.some(pattern => pattern.test(url.pathname)) === true;
        if (throttled) {
            record(429);
            const headers: Record<string, string> = this.faults.retryAfterSeconds !== undefined ? { "Retry-After": String(this.faults.retryAfterSeconds) } : {};
            return this.sendError(response, 429, "TooManyRequestsException", "Too Many Requests", headers);
        }
        if (this.faults.deny?.some(pattern => pattern.test(url.pathname))) {
            record(403);
            return this.sendError(response, 403, "AccessDeniedException",
                `User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:${region ?? "?"}::${url.pathname}`);
        }
        const hostile = this.faults.hostile?.find(route => route.path.test(url.pathname));
        if (hostile) {
            return this.answerHostile(hostile.answer, url.pathname, query, response, record, region);
        }
        const data = region !== undefined ? this.regions[region] : undefined;
        if (!data) {
            record(404);
            return this.sendError(response, 404, "NotFoundException", "Invalid region");
        }
        const routed = this.route(url.pathname, query, data);
        record(routed.status);
        if (routed.status >= 400) {
            return this.sendError(response, routed.status, routed.error ?? "NotFoundException", routed.message ?? "Not found");
        }
        this.sendJson(response, routed.status, routed.body);
    }

    private route(path: string, query: Readonly<Record<string, string>>, data: FakeRegion): Routed {
        const segments = path.split("/").filter(s => s !== "").map(decodeURIComponent);
        const [root, id, sub, subId, leaf, leafId] = segments;
        if (root === "restapis" && segments.length === 1) {
            return this.page(query, data.restApis, api => ({
                id: api.id,
                name: api.name,
                createdDate: 1735689600,
                ...(api.apiKeySource !== undefined ? { apiKeySource: api.apiKeySource } : {}),
                endpointConfiguration: { types: api.endpointTypes ?? ["EDGE"] },
            }));
        }
        if (root === "restapis" && id !== undefined) {
            const api = data.restApis.find(a => a.id === id);
            if (!api) {
                return notFound("Invalid API identifier specified");
            }
            if (sub === "resources" && segments.length === 3) {
                const embed = (query.embed ?? "").split(",").includes("methods") && this.faults.ignoreEmbed !== true;
                return this.page(query, api.resources, resource => resourceBody(resource, embed));
            }
            if (sub === "resources" && subId !== undefined && leaf === "methods" && leafId !== undefined && segments.length === 6) {
                const method = api.resources.find(r => r.id === subId)?.methods?.find(m => m.httpMethod === leafId);
                return method ? { status: 200, body: methodBody(method) } : notFound("Invalid Method identifier specified");
            }
            if (sub === "stages" && segments.length === 3) {
                return { status: 200, body: { item: api.stages.map(stageBody) } };
            }
            return notFound("Unknown route");
        }
        if (root === "apikeys" && segments.length === 1) {
            const includeValues = query.includeValues === "true";
            return this.page(query, data.apiKeys, key => ({
                id: key.id,
                name: key.name,
                enabled: key.enabled,
                createdDate: Date.parse(key.createdDate) / 1000,
                lastUpdatedDate: Date.parse(key.createdDate) / 1000,
                stageKeys: [],
                ...(key.tags !== undefined ? { tags: key.tags } : {}),
                ...(includeValues ? { value: key.value } : {}),
            }));
        }
        if (root === "usageplans" && segments.length === 1) {
            return this.page(query, data.usagePlans, plan => ({
                id: plan.id,
                name: plan.name,
                apiStages: plan.apiStages.map(s => ({ apiId: s.apiId, stage: s.stage })),
                ...(plan.throttle !== undefined ? { throttle: plan.throttle } : {}),
                ...(plan.quota !== undefined ? { quota: plan.quota } : {}),
            }));
        }
        if (root === "usageplans" && id !== undefined) {
            const plan = data.usagePlans.find(p => p.id === id);
            if (!plan) {
                return notFound("Invalid Usage Plan ID specified");
            }
            if (sub === "keys" && segments.length === 3) {
                const attached = new Set(plan.keyIds);
                const keys = data.apiKeys.filter(key => attached.has(key.id));
                // As AWS does: each attached key comes with its value, whatever was asked.
                return this.page(query, keys, key => ({ id: key.id, type: "API_KEY", name: key.name, value: key.value }));
            }
            if (sub === "usage" && segments.length === 3) {
                if (!/^\d{4}-\d{2}-\d{2}$/.test(query.startDate ?? "") || !/^\d{4}-\d{2}-\d{2}$/.test(query.endDate ?? "")) {
                    return { status: 400, error: "BadRequestException", message: "Invalid start date or end date" };
                }
                const used = Object.entries(plan.usage ?? {});
                const { items, position } = this.slice(query, used);
                return {
                    status: 200,
                    body: {
                        usagePlanId: plan.id,
                        startDate: query.startDate,
                        endDate: query.endDate,
                        values: Object.fromEntries(items),
                        ...(position !== undefined ? { position } : {}),
                    },
                };
            }
            return notFound("Unknown route");
        }
        if (root === "account" && segments.length === 1) {
            return {
                status: 200,
                body: {
                    ...(data.account?.cloudwatchRoleArn !== undefined ? { cloudwatchRoleArn: data.account.cloudwatchRoleArn } : {}),
                    throttleSettings: { burstLimit: 5000, rateLimit: 10000 },
                    features: ["UsagePlans"],
                    apiKeyVersion: "4",
                },
            };
        }
        if (root === "domainnames" && segments.length === 1) {
            return this.page(query, data.domainNames ?? [], domain => ({
                domainName: domain.domainName,
                ...(domain.securityPolicy !== undefined ? { securityPolicy: domain.securityPolicy } : {}),
                endpointConfiguration: { types: ["REGIONAL"] },
            }));
        }
        return notFound("Unknown route");
    }

    private answerHostile(answer: HostileAnswer, path: string, query: Readonly<Record<string, string>>, response: ServerResponse,
        record: (status: number) => void, region: string | undefined): void {
        switch (answer.kind) {
            case "body": {
                record(200);
                this.sentBodies.push(answer.body);
                response.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(answer.body) });
                response.end(answer.body);
                return;
            }
            case "server-error":
                record(answer.status ?? 500);
                return this.sendError(response, answer.status ?? 500, "InternalFailure", "An internal error occurred");
            case "silent":
                // Held open until the client gives up or the fake stops.
                record(0);
                return;
            case "endless": {
                record(200);
                const offset = query.position !== undefined ? decodePageToken(query.position) : 0;
                const pad = answer.padBytes !== undefined ? { description: "d".repeat(answer.padBytes), certificateName: "c".repeat(answer.padBytes) } : {};
                const items = Array.from({ length: answer.perPage }, (_, i) => ({ id: `gen${offset + i}`, name: `generated-${offset + i}`, domainName: `gen${offset + i}.example.com`, ...pad }));
                return this.sendJson(response, 200, { item: items, position: encodePageToken(offset + answer.perPage) });
            }
            case "trickle": {
                const data = region !== undefined ? this.regions[region] : undefined;
                const routed = data ? this.route(path, query, data) : notFound("Invalid region");
                const bytes = Buffer.from(JSON.stringify(routed.status < 400 ? routed.body : { message: routed.message }));
                record(routed.status);
                response.writeHead(routed.status, { "Content-Type": "application/json", "Content-Length": bytes.length });
                let sent = 0;
                const timer = setInterval(() => {
                    if (response.destroyed || sent >= bytes.length) {
                        clearInterval(timer);
                        this.tricklers.delete(timer);
                        if (!response.destroyed) {
                            response.end();
                        }
                        return;
                    }
                    response.write(bytes.subarray(sent, sent + 1));
                    sent++;
                }, answer.intervalMs);
                this.tricklers.add(timer);
                return;
            }
        }
    }

    private page<T>(query: Readonly<Record<string, string>>, all: readonly T[], render: (item: T) => object): Routed {
        const { items, position } = this.slice(query, all);
        return { status: 200, body: { item: items.map(render), ...(position !== undefined ? { position } : {}) } };
    }

    private slice<T>(query: Readonly<Record<string, string>>, all: readonly T[]): { items: T[]; position: string | undefined } {
        const asked = query.limit !== undefined ? Number(query.limit) : DEFAULT_PAGE;
        const limit = Math.max(1, Math.min(asked, MAX_PAGE, this.faults.maxPageSize ?? MAX_PAGE));
        const offset = query.position !== undefined ? decodePageToken(query.position) : 0;
        const items = all.slice(offset, offset + limit);
        const next = offset + limit;
        const position = next < all.length || this.faults.endlessPositions === true ? encodePageToken(next) : undefined;
        return { items, position };
    }

    private async delay(path: string): Promise<void> {
        const ms = Math.min(MAX_DELAY_MS, (this.faults.latencyMs ?? 0) + (this.faults.slow?.find(s => s.path.test(path))?.ms ?? 0));
        if (ms > 0) {
            await new Promise<void>(resolve => {
                const timer = setTimeout(() => {
                    this.timers.delete(timer);
                    resolve();
                }, ms);
                this.timers.add(timer);
            });
        }
    }

    private sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
        const text = JSON.stringify(body);
        if (this.faults.forgetBodies !== true) {
            this.sentBodies.push(text);
        }
        response.writeHead(status, {
            "Content-Type": "application/json",
            "Content-Length": Buffer.byteLength(text),
            "x-amzn-RequestId": `req-${this.served}`,
            ...headers,
        });
        response.end(text);
    }

    private sendError(response: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
        // AWS appends the service namespace to the error type; the SDK strips it.
        this.sendJson(response, status, { message }, { "x-amzn-ErrorType": `${type}:http://internal.amazon.com/coral/com.amazonaws.backplane.controlplane/`, ...headers });
    }
}


function resourceBody(resource: FakeResource, embed: boolean): object {
    const methods = resource.methods ?? [];
    return {
        id: resource.id,
        ...(resource.parentId !== undefined ? { parentId: resource.parentId } : {}),
        ...(resource.pathPart !== undefined ? { pathPart: resource.pathPart } : {}),
        path: resource.path,
        ...(methods.length > 0
            ? { resourceMethods: Object.fromEntries(methods.map(method => [method.httpMethod, embed ? methodBody(method) : {}])) }
            : {}),
    };
}

function methodBody(method: FakeMethod): object {
    return {
        httpMethod: method.httpMethod,
        authorizationType: method.authorizationType ?? "NONE",
        apiKeyRequired: method.apiKeyRequired ?? false,
        ...(method.authorizerId !== undefined ? { authorizerId: method.authorizerId } : {}),
        methodResponses: { 200: { statusCode: "200" } },
    };
}

function stageBody(stage: FakeStage): object {
    return {
        stageName: stage.stageName,
        deploymentId: stage.deploymentId ?? "dep1",
        cacheClusterEnabled: stage.cacheClusterEnabled ?? false,
        cacheClusterStatus: "NOT_AVAILABLE",
        methodSettings: stage.methodSettings ?? {},
        tracingEnabled: stage.tracingEnabled ?? false,
        ...(stage.accessLogSettings !== undefined ? { accessLogSettings: stage.accessLogSettings } : {}),
        ...(stage.webAclArn !== undefined ? { webAclArn: stage.webAclArn } : {}),
        createdDate: 1735689600,
        lastUpdatedDate: 1735689600,
    };
}



/** `AWS4-HMAC-SHA256 Credential=AKID/20260601/us-east-1/apigateway/aws4_request, ...` */
function regionOf(authorization: string | undefined): string | undefined {
    return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization ?? "")?.[1];
}

function accessKeyOf(authorization: string | undefined): string | undefined {
    return /Credential=([^/]+)\//.exec(authorization ?? "")?.[1];
}

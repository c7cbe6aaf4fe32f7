import { IncomingMessage, ServerResponse } from "node:http";
import { DEFAULT_FAKE_ACCOUNT, FakeCall } from "./fake-aws";
import { decodePageToken, encodePageToken, notFound, Routed } from "./local-server";

/**
 * A local stand-in for the API Gateway v2 control plane (HTTP and WebSocket APIs): the GET routes
 * an audit may call, mounted behind `FakeAws` (which routes `/v2/` paths here), in the wire
 * format the AWS SDK v3 parses (restJson1: pages as `{items, nextToken}` with camelCase member
 * names, ISO-8601 timestamps, errors as `x-amzn-ErrorType` + `{message}`). Data is held per
 * account and region; an account or region without data has no APIs, as in AWS.
 *
 * Besides what the audit needs, items carry what AWS returns and the audit must not keep or print
 * (descriptions, tags, stage variables, certificate names): the planted-value tests put secrets
 * there.
 */

export interface FakeV2RouteSettings {
    readonly loggingLevel?: string;
    readonly dataTraceEnabled?: boolean;
    readonly detailedMetricsEnabled?: boolean;
    readonly throttlingBurstLimit?: number;
    readonly throttlingRateLimit?: number;
}

export interface FakeV2Route {
    readonly routeId: string;
    readonly routeKey: string;
    /** AWS answers `NONE` for a route created without one. */
    readonly authorizationType?: string;
    readonly authorizerId?: string;
    readonly apiKeyRequired?: boolean;
    readonly target?: string;
    readonly operationName?: string;
}

export interface FakeV2Stage {
    readonly stageName: string;
    readonly description?: string;
    readonly accessLogSettings?: { readonly destinationArn?: string; readonly format?: string };
    readonly defaultRouteSettings?: FakeV2RouteSettings;
    /** Keyed by route key, as AWS keys them. */
    readonly routeSettings?: Readonly<Record<string, FakeV2RouteSettings>>;
    readonly stageVariables?: Readonly<Record<string, string>>;
    readonly tags?: Readonly<Record<string, string>>;
    readonly autoDeploy?: boolean;
}

export interface FakeV2Authorizer {
    readonly authorizerId: string;
    readonly name: string;
    readonly authorizerType: "JWT" | "REQUEST";
    readonly identitySource?: readonly string[];
    readonly jwtConfiguration?: { readonly audience?: readonly string[]; readonly issuer?: string };
}

export interface FakeV2Api {
    readonly apiId: string;
    readonly name: string;
    readonly protocolType: "HTTP" | "WEBSOCKET";
    readonly description?: string;
    readonly tags?: Readonly<Record<string, string>>;
    readonly routes: readonly FakeV2Route[];
    readonly stages: readonly FakeV2Stage[];
    readonly authorizers?: readonly FakeV2Authorizer[];
}

export interface FakeV2DomainName {
    readonly domainName: string;
    readonly securityPolicy?: string;
    readonly endpointType?: "REGIONAL" | "EDGE";
    readonly certificateName?: string;
    readonly tags?: Readonly<Record<string, string>>;
}

export interface FakeV2Region {
    readonly apis: readonly FakeV2Api[];
    /** The same custom domains the v1 listing shows: API Gateway keeps one set for both APIs. */
    readonly domainNames?: readonly FakeV2DomainName[];
}

/** Data by account id, then region. */
export type FakeV2Accounts = Readonly<Record<string, Readonly<Record<string, FakeV2Region>>>>;

export interface FakeV2Faults {
    /** The server never serves more items per page than this, whatever `maxResults` asks. */
    maxPageSize?: number;
    /** The first N requests get a 429. */
    throttleFirst?: number;
    /** Paths (no query string) always answered with a 429. */
    throttlePaths?: readonly RegExp[];
    /** Paths (no query string) answered with 403 AccessDeniedException. */
    deny?: readonly RegExp[];
    /** Answer every page with a `nextToken` (a server that never ends a listing). */
    endlessTokens?: boolean;
}

export interface RecordedV2Request {
    readonly method: string;
    readonly path: string;
    readonly query: Readonly<Record<string, string>>;
    readonly region: string | undefined;
    readonly account: string;
    status: number;
}

const DEFAULT_PAGE = 25;
const CREATED = "2026-01-01T00:00:00Z";

export class FakeApiGatewayV2 {
    readonly requests: RecordedV2Request[] = [];
    /** Every response body sent, for leak checks. */
    readonly sentBodies: string[] = [];
    private served = 0;

    constructor(readonly accounts: FakeV2Accounts, public faults: FakeV2Faults = {}) {}

    /** Requests whose path matches, e.g. `/^\/v2\/apis$/`. */
    count(path: RegExp): number {
        return this.requests.filter(r => path.test(r.path)).length;
    }

    /** Answers one request routed here by `FakeAws` (signing service `apigateway`, path `/v2/...`). */
    async serve(request: IncomingMessage, response: ServerResponse, call?: FakeCall): Promise<void> {
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        const query: Record<string, string> = {};
        for (const [name, value] of url.searchParams) {
            query[name] = value;
        }
        const account = call?.account ?? DEFAULT_FAKE_ACCOUNT;
        const region = call?.region;
        this.served++;
        const recorded: RecordedV2Request = { method: request.method ?? "", path: url.pathname, query, region, account, status: 0 };
        this.requests.push(recorded);
        const send = (status: number, body: unknown, error?: string) => {
            recorded.status = status;
            const text = JSON.stringify(body);
            this.sentBodies.push(text);
            response.writeHead(status, {
                "Content-Type": "application/json",
                "Content-Length": Buffer.byteLength(text),
                "x-amzn-RequestId": `v2-req-${this.served}`,
                ...(error !== undefined ? { "x-amzn-ErrorType": error } : {}),
            });
            response.end(text);
        };
        if (request.method !== "GET") {
            return send(405, { message: "the audit must only read" }, "MethodNotAllowedException");
        }
        if ((this.faults.throttleFirst !== undefined && this.served <= this.faults.throttleFirst) ||
            this.faults.throttlePaths?.some(pattern => pattern.test(url.pathname)) === true) {
            return send(429, { message: "Too Many Requests" }, "TooManyRequestsException");
        }
        if (this.faults.deny?.some(pattern => pattern.test(url.pathname))) {
            return send(403, { message: `User: arn:aws:iam::${account}:user/auditor is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:${region ?? "?"}::${url.pathname.replace(/^\/v2/, "")}` }, "AccessDeniedException");
        }
        const maxResults = query.maxResults;
        if (maxResults !== undefined && !/^[1-9]\d*$/.test(maxResults)) {
            return send(400, { message: "Invalid maxResults" }, "BadRequestException");
        }
        const data: FakeV2Region = (region !== undefined ? this.accounts[account]?.[region] : undefined) ?? { apis: [] };
        const routed = this.route(url.pathname, query, data);
        if (routed.status >= 400) {
            return send(routed.status, { message: routed.message ?? "Not found" }, routed.error ?? "NotFoundException");
        }
        send(routed.status, routed.body);
    }

    private route(path: string, query: Readonly<Record<string, string>>, data: FakeV2Region): Routed {
        const segments = path.split("/").filter(s => s !== "").map(decodeURIComponent);
        const [v2, root, apiId, sub] = segments;
        if (v2 !== "v2") {
            return notFound("Unknown route");
        }
        if (root === "apis" && segments.length === 2) {
            return this.page(query, data.apis, apiBody);
        }
        if (root === "apis" && apiId !== undefined && segments.length === 4) {
            const api = data.apis.find(a => a.apiId === apiId);
            if (!api) {
                return notFound(`Invalid API identifier specified ${apiId}`);
            }
            switch (sub) {
                case "routes": return this.page(query, api.routes, routeBody);
                case "stages": return this.page(query, api.stages, stageBody);
                case "authorizers": return this.page(query, api.authorizers ?? [], authorizerBody);
                default: return notFound("Unknown route");
            }
        }
        if (root === "domainnames" && segments.length === 2) {
            return this.page(query, data.domainNames ?? [], domainBody);
        }
        return notFound("Unknown route");
    }

    private page<T>(query: Readonly<Record<string, string>>, all: readonly T[], render: (item: T) => object): Routed {
        const asked = query.maxResults !== undefined ? Number(query.maxResults) : DEFAULT_PAGE;
        const limit = Math.max(1, Math.min(asked, this.faults.maxPageSize ?? asked));
        const offset = query.nextToken !== undefined ? decodePageToken(query.nextToken) : 0;
        const next = offset + limit;
        const nextToken = next < all.length || this.faults.endlessTokens === true ? encodePageToken(next) : undefined;
        return { status: 200, body: { items: all.slice(offset, next).map(render), ...(nextToken !== undefined ? { nextToken } : {}) } };
    }
}


function apiBody(api: FakeV2Api): object {
    const websocket = api.protocolType === "WEBSOCKET";
    return {
        apiId: api.apiId,
        name: api.name,
        protocolType: api.protocolType,
        apiEndpoint: `${websocket ? "wss" : "https"}://${api.apiId}.execute-api.us-east-1.amazonaws.com`,
        apiKeySelectionExpression: "$request.header.x-api-key",
        routeSelectionExpression: websocket ? "$request.body.action" : "$request.method $request.path",
        createdDate: CREATED,
        disableExecuteApiEndpoint: false,
        ...(api.description !== undefined ? { description: api.description } : {}),
        tags: api.tags ?? {},
    };
}

function routeBody(route: FakeV2Route): object {
    return {
        routeId: route.routeId,
        routeKey: route.routeKey,
        apiKeyRequired: route.apiKeyRequired ?? false,
        authorizationType: route.authorizationType ?? "NONE",
        ...(route.authorizerId !== undefined ? { authorizerId: route.authorizerId } : {}),
        ...(route.target !== undefined ? { target: route.target } : {}),
        ...(route.operationName !== undefined ? { operationName: route.operationName } : {}),
        apiGatewayManaged: false,
    };
}

function stageBody(stage: FakeV2Stage): object {
    return {
        stageName: stage.stageName,
        autoDeploy: stage.autoDeploy ?? false,
        createdDate: CREATED,
        lastUpdatedDate: CREATED,
        defaultRouteSettings: { detailedMetricsEnabled: false, ...stage.defaultRouteSettings },
        routeSettings: stage.routeSettings ?? {},
        stageVariables: stage.stageVariables ?? {},
        tags: stage.tags ?? {},
        ...(stage.accessLogSettings !== undefined ? { accessLogSettings: stage.accessLogSettings } : {}),
        ...(stage.description !== undefined ? { description: stage.description } : {}),
    };
}

function authorizerBody(authorizer: FakeV2Authorizer): object {
    return {
        authorizerId: authorizer.authorizerId,
        name: authorizer.name,
        authorizerType: authorizer.authorizerType,
        identitySource: authorizer.identitySource ?? ["$request.header.Authorization"],
        ...(authorizer.jwtConfiguration !== undefined ? { jwtConfiguration: authorizer.jwtConfiguration } : {}),
    };
}

function domainBody(domain: FakeV2DomainName): object {
    return {
        domainName: domain.domainName,
        apiMappingSelectionExpression: "$request.basepath",
        domainNameConfigurations: [{
            apiGatewayDomainName: `d-abc123.execute-api.us-east-1.amazonaws.com`,
            certificateArn: "arn:aws:acm:us-east-1:111111111111:certificate/abc",
            ...(domain.certificateName !== undefined ? { certificateName: domain.certificateName } : {}),
            domainNameStatus: "AVAILABLE",
            endpointType: domain.endpointType ?? "REGIONAL",
            hostedZoneId: "Z1UJRXOUMOOFQ8",
            ...(domain.securityPolicy !== undefined ? { securityPolicy: domain.securityPolicy } : {}),
        }],
        tags: domain.tags ?? {},
    };
}



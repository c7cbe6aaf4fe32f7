import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { closeServer, listenLocally, urlOf } from "./local-server";

/**
 * One local endpoint for several fake AWS services, routed the way LocalStack routes them: by the
 * service named in the request's SigV4 credential scope
 * (`Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261203/us-east-1/apigateway/aws4_request`).
 * API Gateway v1 and v2 share the signing name `apigateway`; v2 paths start with `/v2/`, so they
 * are routed to `apigatewayv2`. A real SDK client pointed here with `endpoint` (or the CLI's
 * `--endpoint-url`, or `AWS_ENDPOINT_URL`) signs, serializes, paginates and retries for real.
 *
 * Accounts: a request is attributed to an account by the access key id it is signed with.
 * Credentials a fake STS hands out are registered with `credentialsFor`; any other key belongs to
 * `defaultAccount`. Handlers get the account and region, so one fake can hold many accounts.
 */

/** Who sent a request, as a fake service needs it. */
export interface FakeCall {
    /** The signing service (`apigatewayv2` for API Gateway v2 paths). */
    readonly service: string;
    readonly region: string | undefined;
    readonly accessKeyId: string | undefined;
    /** The account the access key id belongs to (`defaultAccount` when it is not a registered one). */
    readonly account: string;
}

export type FakeHandler = (request: IncomingMessage, response: ServerResponse, call: FakeCall) => Promise<void>;

/** Something mounted that holds timers of its own (e.g. `FakeApiGateway`): stopped with the router. */
export interface Stoppable {
    stop(): Promise<void>;
}

export interface FakeAwsOptions {
    /** Handlers by signing service: `apigateway`, `apigatewayv2`, `logs`, `sts`, `organizations`, `account`, `securityhub`. */
    readonly services: Readonly<Record<string, FakeHandler>>;
    /** The account of requests signed with an access key no fake STS issued (default `111111111111`). */
    readonly defaultAccount?: string;
    /** Stopped when the router stops. */
    readonly mounted?: readonly Stoppable[];
}

export const DEFAULT_FAKE_ACCOUNT = "111111111111";

export class FakeAws {
    /** Requests answered or pending, by service. */
    readonly counts = new Map<string, number>();
    /** The most requests ever in flight at once (over all services), and now. */
    maxInFlight = 0;
    inFlight = 0;
    /** Requests whose signing service no handler serves. */
    readonly unrouted: string[] = [];
    private readonly accounts = new Map<string, string>();
    private server: Server | undefined;

    constructor(private readonly options: FakeAwsOptions) {}

    /** Registers credentials a fake STS issued: requests signed with `accessKeyId` belong to `account`. */
    credentialsFor(accessKeyId: string, account: string): void {
        this.accounts.set(accessKeyId, account);
    }

    accountOf(accessKeyId: string | undefined): string {
        return (accessKeyId !== undefined ? this.accounts.get(accessKeyId) : undefined) ?? this.options.defaultAccount ?? DEFAULT_FAKE_ACCOUNT;
    }

    /** Listens on 127.0.0.1 at a free port; returns the endpoint URL. */
    async start(): Promise<string> {
        this.server = createServer((request, response) => void this.route(request, response));
        return listenLocally(this.server);
    }

    get url(): string {
        return urlOf(this.server, "the fake AWS endpoint");
    }

    async stop(): Promise<void> {
        for (const mounted of this.options.mounted ?? []) {
            await mounted.stop();
        }
        const server = this.server;
        this.server = undefined;
        await closeServer(server);
    }

    private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const scope = signingScope(request.headers.authorization);
        const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
        const service = scope?.service === "apigateway" && path.startsWith("/v2/") ? "apigatewayv2" : scope?.service;
        const handler = service !== undefined ? this.options.services[service] : undefined;
        if (service === undefined || handler === undefined) {
            this.unrouted.push(`${request.method ?? ""} ${path} (${service ?? "unsigned"})`);
            response.writeHead(scope === undefined ? 403 : 404, { "content-type": "application/json", "x-amzn-ErrorType": scope === undefined ? "MissingAuthenticationTokenException" : "UnknownOperationException" });
            response.end(JSON.stringify({ message: scope === undefined ? "Missing Authentication Token" : `no fake serves '${service}'` }));
            return;
        }
        this.counts.set(service, (this.counts.get(service) ?? 0) + 1);
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        let settled = false;
        const settle = () => {
            if (!settled) {
                settled = true;
                this.inFlight--;
            }
        };
        // A response the client abandoned never finishes: closing the socket settles it too.
        response.once("finish", settle);
        response.once("close", settle);
        try {
            await handler(request, response, { service, region: scope?.region, accessKeyId: scope?.accessKeyId, account: this.accountOf(scope?.accessKeyId) });
        } catch {
            if (!response.headersSent) {
                response.writeHead(500, { "content-type": "application/json", "x-amzn-ErrorType": "InternalFailure" });
                response.end(JSON.stringify({ message: "fake server error" }));
            }
        }
    }
}

/** Serves each account from its own handler (e.g. one `FakeApiGateway` per account); others get AccessDenied. */
export function perAccount(handlers: Readonly<Record<string, FakeHandler>>): FakeHandler {
    return async (request, response, call) => {
        const handler = handlers[call.account];
        if (handler !== undefined) {
            return handler(request, response, call);
        }
        response.writeHead(403, { "content-type": "application/json", "x-amzn-ErrorType": "AccessDeniedException" });
        response.end(JSON.stringify({ message: `User is not authorized to access this resource in account ${call.account}` }));
    };
}

/** The credential scope of a SigV4 `Authorization` header. */
export function signingScope(authorization: string | undefined): { accessKeyId: string; region: string; service: string } | undefined {
    const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? "");
    return match ? { accessKeyId: match[1], region: match[2], service: match[3] } : undefined;
}

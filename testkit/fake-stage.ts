import * as http from "node:http";
import { AddressInfo } from "node:net";

/**
 * A local HTTP server on 127.0.0.1 that answers like an API Gateway REST stage (`/v1`), for the
 * probe's tests. What each path does:
 *
 * - keyed routes answer API Gateway's missing-key response — 403 `{"message":"Forbidden"}` with
 *   `x-amzn-ErrorType: ForbiddenException` — without a key or with a wrong one, 200 with the valid key;
 * - `/health` is public (open); `OPTIONS` on any known path is a CORS preflight (200, no key);
 * - `/open-orders` is misconfigured: no key required (200 for anyone);
 * - `/broken` is keyed and its backend fails (502 with the valid key);
 * - `/slow` never answers within a test's timeout; `/moved` answers 302 without a key;
 * - `/echo` is keyed and its backend echoes the request's headers (the key included) in its body
 *   and in a response header, as a careless backend might;
 * - `/authorized` has a TOKEN authorizer that runs before the key check (401 without `Authorization`);
 * - anything else answers 403 `{"message":"Missing Authentication Token"}`.
 */
export interface RecordedRequest {
    readonly method: string;
    /** Path with query, as received. */
    readonly path: string;
    readonly key: "none" | "valid" | "wrong";
    readonly authorization?: string;
    /** `Date.now()` when the request arrived. */
    readonly at: number;
}

export interface FakeStageOptions {
    readonly validKey: string;
    /** How long `/slow` waits before answering (default 3000 ms; keep it above the probe's timeout). */
    readonly slowMs?: number;
    readonly stage?: string;
}

const KEYED = ["/orders", "/broken", "/slow", "/echo", "/authorized"];

export class FakeStage {
    readonly requests: RecordedRequest[] = [];
    private readonly server: http.Server;
    private readonly timers = new Set<NodeJS.Timeout>();
    private readonly stage: string;

    constructor(private readonly options: FakeStageOptions) {
        this.stage = options.stage ?? "/v1";
        this.server = http.createServer((request, response) => this.answer(request, response));
    }

    /** Listens on 127.0.0.1 and a free port; resolves to the invoke URL (`http://127.0.0.1:PORT/v1`). */
    async start(): Promise<string> {
        await new Promise<void>((resolve, reject) => {
            this.server.once("error", reject);
            this.server.listen(0, "127.0.0.1", () => resolve());
        });
        return `${this.origin}${this.stage}`;
    }

    get origin(): string {
        const address = this.server.address() as AddressInfo;
        return `http://127.0.0.1:${address.port}`;
    }

    async close(): Promise<void> {
        for (const timer of this.timers) {
            clearTimeout(timer);
        }
        this.timers.clear();
        this.server.closeAllConnections();
        await new Promise<void>(resolve => this.server.close(() => resolve()));
    }

    /** Requests to a path (without the stage prefix), e.g. `/orders/123`. */
    requestsTo(path: string): RecordedRequest[] {
        return this.requests.filter(r => r.path === `${this.stage}${path}`);
    }

    private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
        const method = request.method ?? "GET";
        const fullPath = request.url ?? "/";
        const rawKey = request.headers["x-api-key"];
        const key = rawKey === undefined ? "none" : rawKey === this.options.validKey ? "valid" : "wrong";
        const authorization = request.headers.authorization;
        this.requests.push({ method, path: fullPath, key, ...(authorization !== undefined ? { authorization } : {}), at: Date.now() });

        const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
            response.writeHead(status, { "content-type": "application/json", ...headers });
            response.end(method === "HEAD" ? undefined : JSON.stringify(body));
        };
        const forbidden = (): void => json(403, { message: "Forbidden" }, { "x-amzn-ErrorType": "ForbiddenException" });
        const missingRoute = (): void => json(403, { message: "Missing Authentication Token" }, { "x-amzn-ErrorType": "MissingAuthenticationTokenException" });

        if (!fullPath.startsWith(`${this.stage}/`)) {
            missingRoute();
            return;
        }
        const path = fullPath.slice(this.stage.length).split("?")[0];
        const resource = path === "/orders" || /^\/orders\/[^/]+$/.test(path) ? "/orders" : path;
        const known = [...KEYED, "/health", "/open-orders", "/moved"].includes(resource);
        if (!known) {
            missingRoute();
            return;
        }
        if (method === "OPTIONS") {
            response.writeHead(200, {
                "access-control-allow-origin": "https://app.example.com",
                "access-control-allow-methods": "GET,HEAD,OPTIONS,POST",
                "access-control-allow-headers": "Content-Type,X-Api-Key,Authorization",
            });
            response.end();
            return;
        }
        if (resource === "/health" || resource === "/open-orders") {
            json(200, { status: "ok" });
            return;
        }
        if (resource === "/moved") {
            response.writeHead(302, { location: `${this.stage}/health` });
            response.end();
            return;
        }
        if (resource === "/authorized" && authorization !== "Bearer good-token") {
            json(401, { message: "Unauthorized" }, { "x-amzn-ErrorType": "UnauthorizedException" });
            return;
        }
        if (key !== "valid") {
            forbidden();
            return;
        }
        switch (resource) {
            case "/broken":
                json(502, { message: "Internal server error" });
                return;
            case "/slow": {
                const timer = setTimeout(() => {
                    this.timers.delete(timer);
                    json(200, { slow: true });
                }, this.options.slowMs ?? 3000);
                this.timers.add(timer);
                return;
            }
            case "/echo":
                json(200, { received: request.headers }, { "x-echo-key": String(rawKey) });
                return;
            default:
                json(200, { orders: [] });
        }
    }
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
    const server = http.createServer();
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>(resolve => server.close(() => resolve()));
    return port;
}

import { APIGatewayClient, APIGatewayClientConfig } from "@aws-sdk/client-api-gateway";
import { AttemptTimeoutError, AuditError, ResponseTooLargeError, RunDeadlineError } from "./errors";
import { BoundedRetryStrategy, DEFAULT_RETRY_POLICY, RetryCounters, RetryPolicy } from "./retry";

/** Static credentials (tests, or a caller that resolved them itself). */
export type AwsCredentials = NonNullable<APIGatewayClientConfig["credentials"]>;

export interface ClientOptions {
    readonly region: string;
    /** A named profile from the shared config/credentials files. */
    readonly profile?: string;
    /** Like the AWS CLI's `--endpoint-url`; the SDK also reads `AWS_ENDPOINT_URL(_API_GATEWAY)` when it is not given. */
    readonly endpointUrl?: string;
    readonly credentials?: AwsCredentials;
    readonly retry?: Partial<RetryPolicy>;
    /** Per attempt: connecting, and the whole request/response (headers and every byte of the body). */
    readonly connectionTimeoutMs?: number;
    readonly requestTimeoutMs?: number;
    /** The largest response body read (bytes); a larger one fails that call. */
    readonly maxResponseBytes?: number;
    /** Aborted when the whole audit runs out of time: every call in flight and to come ends. */
    readonly runSignal?: AbortSignal;
    readonly counters: RetryCounters;
}

/** What a caller's options may say about clients (the audit's, the organization audit's, Security Hub's). */
export type ClientSettings = Partial<Pick<ClientOptions, "profile" | "endpointUrl" | "credentials" | "retry" | "connectionTimeoutMs" | "requestTimeoutMs" | "maxResponseBytes" | "runSignal">>;

const CLIENT_SETTINGS = ["profile", "endpointUrl", "credentials", "retry", "connectionTimeoutMs", "requestTimeoutMs", "maxResponseBytes", "runSignal"] as const;

/** The options of a client for `region`: the settings `from` gives (those not undefined). */
export function clientOptionsFrom(region: string, counters: RetryCounters, from: ClientSettings): ClientOptions {
    const options: { -readonly [K in keyof ClientOptions]: ClientOptions[K] } = { region, counters };
    for (const key of CLIENT_SETTINGS) {
        if (from[key] !== undefined) {
            (options as Record<string, unknown>)[key] = from[key];
        }
    }
    return options;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** A page of 500 resources with their embedded methods is a few MB; nothing real comes near this. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Query parameters that make API Gateway return key values (`GetApiKeys`, `GetApiKey`). */
const KEY_VALUE_PARAMETERS = ["includeValues", "includeValue"];

/**
 * A read-only API Gateway client for one region. Besides retries and timeouts it carries a last
 * line of defence: a request that asks for key values never leaves the process.
 */
export function createApiGatewayClient(options: ClientOptions): APIGatewayClient {
    const client = createAwsClient(APIGatewayClient, options);
    client.middlewareStack.add(
        next => async args => {
            const query = queryOf(args.request);
            for (const name of KEY_VALUE_PARAMETERS) {
                const value = query?.[name];
                if (value !== undefined && String(value).toLowerCase() !== "false") {
                    throw new AuditError(`refusing to send a request with '${name}': the audit never reads API key values`, "refused");
                }
            }
            return next(args);
        },
        { step: "build", name: "apigwGuardNoKeyValues", priority: "low" },
    );
    return client;
}

/** What `createAwsClient` needs of an SDK v3 client class: its constructor and config. */
export interface AwsClientLike {
    readonly config: unknown;
    destroy(): void;
}

/** The constructor options every SDK v3 client takes that the audit sets. */
export interface AwsClientConfig {
    region: string;
    profile?: string;
    endpoint?: string;
    credentials?: AwsCredentials;
    retryStrategy: BoundedRetryStrategy;
    requestHandler: { connectionTimeout: number; throwOnRequestTimeout: boolean };
}

/**
 * Any AWS SDK v3 client (API Gateway v1/v2, CloudWatch Logs, STS, Organizations, Account,
 * Security Hub) with the audit's bounds: bounded retries with back-off that stop when the run
 * ends, a connection timeout, and one deadline per attempt for the whole response, body
 * included, with a size cap.
 */
export function createAwsClient<C extends AwsClientLike>(Client: new (config: AwsClientConfig) => C, options: ClientOptions): C {
    const client = new Client({
        region: options.region,
        ...(options.profile !== undefined ? { profile: options.profile } : {}),
        ...(options.endpointUrl !== undefined ? { endpoint: options.endpointUrl } : {}),
        ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
        retryStrategy: new BoundedRetryStrategy({ ...DEFAULT_RETRY_POLICY, ...options.retry }, options.counters, Math.random, Date.now, options.runSignal),
        requestHandler: {
            connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
            throwOnRequestTimeout: true,
        },
    });
    // The SDK's `requestTimeout` stops at the response headers and its socket timeout only sees
    // idle sockets: a body sent a byte a second would be waited for forever. The handler the
    // client built is wrapped so each attempt has one deadline for the whole exchange.
    const config = client.config as { requestHandler: HttpHandlerLike };
    config.requestHandler = new DeadlineHandler(config.requestHandler, {
        attemptMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        maxBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        ...(options.runSignal !== undefined ? { runSignal: options.runSignal } : {}),
    });
    return client;
}

function queryOf(request: unknown): Readonly<Record<string, unknown>> | undefined {
    if (typeof request !== "object" || request === null) {
        return undefined;
    }
    const query = (request as { query?: unknown }).query;
    return typeof query === "object" && query !== null ? (query as Record<string, unknown>) : undefined;
}

/** The part of the SDK's HTTP handler interface the client uses (`@smithy/types` `HttpHandler`). */
interface HttpHandlerLike {
    handle(request: unknown, options?: { abortSignal?: AbortSignalLike; requestTimeout?: number }): Promise<{ response: { body?: unknown } }>;
    destroy?(): void;
    updateHttpClientConfig?(key: never, value: never): void;
    httpHandlerConfigs?(): unknown;
}

/** The SDK's own abort signal type is structural; DOM and Node signals both fit. */
interface AbortSignalLike {
    readonly aborted: boolean;
    addEventListener?(type: "abort", listener: () => void, options?: { once?: boolean }): void;
    removeEventListener?(type: "abort", listener: () => void): void;
}

interface DeadlineLimits {
    readonly attemptMs: number;
    readonly maxBytes: number;
    readonly runSignal?: AbortSignal;
}

/**
 * One attempt = one deadline, from sending the request to the last byte of the body, which is
 * read here (bounded in size) so that the SDK parses a complete buffer. An expired attempt is a
 * `TimeoutError` (the SDK's retry middleware treats it as transient); the end of the run is not
 * retried.
 */
class DeadlineHandler implements HttpHandlerLike {
    constructor(private readonly inner: HttpHandlerLike, private readonly limits: DeadlineLimits) {}

    async handle(request: unknown, options: { abortSignal?: AbortSignalLike; requestTimeout?: number } = {}): Promise<{ response: { body?: unknown } }> {
        const { runSignal, attemptMs, maxBytes } = this.limits;
        if (runSignal?.aborted) {
            throw new RunDeadlineError();
        }
        const controller = new AbortController();
        let expired = false;
        const timer = setTimeout(() => {
            expired = true;
            controller.abort();
        }, attemptMs);
        const abort = () => controller.abort();
        runSignal?.addEventListener("abort", abort, { once: true });
        options.abortSignal?.addEventListener?.("abort", abort, { once: true });
        try {
            const { response } = await this.inner.handle(request, { ...options, abortSignal: controller.signal });
            response.body = await readBody(response.body, maxBytes, controller.signal);
            return { response };
        } catch (error) {
            if (runSignal?.aborted) {
                throw new RunDeadlineError();
            }
            if (expired) {
                throw new AttemptTimeoutError(attemptMs);
            }
            throw error;
        } finally {
            clearTimeout(timer);
            runSignal?.removeEventListener("abort", abort);
            options.abortSignal?.removeEventListener?.("abort", abort);
        }
    }

    destroy(): void {
        this.inner.destroy?.();
    }

    updateHttpClientConfig(key: never, value: never): void {
        this.inner.updateHttpClientConfig?.(key, value);
    }

    httpHandlerConfigs(): unknown {
        return this.inner.httpHandlerConfigs?.() ?? {};
    }
}

interface BodyStream extends AsyncIterable<unknown> {
    destroy(error?: Error): void;
}

function isBodyStream(body: unknown): body is BodyStream {
    return typeof body === "object" && body !== null && typeof (body as { destroy?: unknown }).destroy === "function" &&
        typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function";
}

/** The whole body as one buffer, or an error once it passes `maxBytes` or the attempt is aborted. */
async function readBody(body: unknown, maxBytes: number, signal: AbortSignal): Promise<unknown> {
    if (!isBodyStream(body)) {
        return body;
    }
    const stop = () => body.destroy(new Error("aborted"));
    signal.addEventListener("abort", stop, { once: true });
    try {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of body) {
            const bytes = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
            size += bytes.length;
            if (size > maxBytes) {
                body.destroy();
                throw new ResponseTooLargeError(maxBytes);
            }
            chunks.push(bytes);
        }
        if (signal.aborted) {
            throw new Error("aborted");
        }
        return Buffer.concat(chunks, size);
    } finally {
        signal.removeEventListener("abort", stop);
    }
}

import { APIGatewayClient, APIGatewayClientConfig } from "@aws-sdk/client-api-gateway";
import { AuditError } from "./errors";
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
    /** Per attempt: connecting, and the whole request/response. */
    readonly connectionTimeoutMs?: number;
    readonly requestTimeoutMs?: number;
    readonly counters: RetryCounters;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Query parameters that make API Gateway return key values (`GetApiKeys`, `GetApiKey`). */
const KEY_VALUE_PARAMETERS = ["includeValues", "includeValue"];

/**
 * A read-only API Gateway client for one region. Besides retries and timeouts it carries a last
 * line of defence: a request that asks for key values never leaves the process.
 */
export function createApiGatewayClient(options: ClientOptions): APIGatewayClient {
    const client = new APIGatewayClient({
        region: options.region,
        ...(options.profile !== undefined ? { profile: options.profile } : {}),
        ...(options.endpointUrl !== undefined ? { endpoint: options.endpointUrl } : {}),
        ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
        retryStrategy: new BoundedRetryStrategy({ ...DEFAULT_RETRY_POLICY, ...options.retry }, options.counters),
        requestHandler: {
            connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
            requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
            throwOnRequestTimeout: true,
        },
    });
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

function queryOf(request: unknown): Readonly<Record<string, unknown>> | undefined {
    if (typeof request !== "object" || request === null) {
        return undefined;
    }
    const query = (request as { query?: unknown }).query;
    return typeof query === "object" && query !== null ? (query as Record<string, unknown>) : undefined;
}

import type { APIGatewayClientConfig } from "@aws-sdk/client-api-gateway";

/** The SDK's token-based retry interface (`RetryStrategyV2`), named through the client config. */
export type RetryStrategyV2 = Extract<NonNullable<APIGatewayClientConfig["retryStrategy"]>, { acquireInitialRetryToken: unknown }>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2["acquireInitialRetryToken"]>>;
type RetryErrorInfo = Parameters<RetryStrategyV2["refreshRetryTokenForRetry"]>[1];

export interface RetryPolicy {
    /** Attempts per request, the first included. */
    readonly maxAttempts: number;
    /** Attempts when no HTTP response came back at all (connection refused, DNS, a timeout): fail fast. */
    readonly maxNetworkAttempts: number;
    /**
     * Attempts on an HTTP 5xx. A server error that persists is an outage, not a burst: ten tries
     * with exponential backoff per call turned an all-500 account into a two-minute wait.
     */
    readonly maxServerErrorAttempts: number;
    /** Backoff base (ms) for throttling; the n-th retry waits up to base·2ⁿ⁻¹, capped. */
    readonly throttleBaseDelayMs: number;
    /** Backoff base (ms) for transient server and network errors. */
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
    /** Total time one request may spend waiting between its attempts. */
    readonly budgetMs: number;
}

/**
 * An account-wide API Gateway control plane is throttled at a few requests per second per
 * account, shared with every deployment pipeline; a large account audited while CI runs will see
 * 429s. Ten attempts with a one-minute budget per request ride out bursts without hiding an
 * outage for long.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
    maxAttempts: 10,
    maxNetworkAttempts: 3,
    maxServerErrorAttempts: 3,
    throttleBaseDelayMs: 500,
    baseDelayMs: 100,
    maxDelayMs: 20_000,
    budgetMs: 60_000,
};

/** Retries observed, for the audit's statistics (and the tests). */
export interface RetryCounters {
    throttled: number;
    retried: number;
    exhausted: number;
}

class Token implements RetryToken {
    constructor(readonly retryCount: number, readonly delay: number, readonly waited: number) {}

    getRetryCount(): number {
        return this.retryCount;
    }

    getRetryDelay(): number {
        return this.delay;
    }
}

/**
 * Exponential backoff with full jitter (a uniformly random wait between 0 and the exponential
 * bound), honouring a `Retry-After` hint, and bounded both in attempts and in total waiting time.
 * Unlike the SDK's standard strategy it has no shared retry quota: a throttled audit must slow
 * down, not give up after the account-wide token bucket is drained. The SDK's retry middleware
 * classifies errors (`isThrottlingError` counts HTTP 429 and `TooManyRequestsException`) and
 * sleeps for the delay the token carries.
 */
export class BoundedRetryStrategy implements RetryStrategyV2 {
    constructor(
        private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY,
        private readonly counters: RetryCounters = { throttled: 0, retried: 0, exhausted: 0 },
        private readonly random: () => number = Math.random,
        private readonly clock: () => number = Date.now,
        /** The audit's end: no retry is started, and no backoff slept, after it. */
        private readonly runSignal?: AbortSignal,
    ) {}

    async acquireInitialRetryToken(): Promise<RetryToken> {
        return new Token(0, 0, 0);
    }

    async refreshRetryTokenForRetry(previous: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
        const token = previous instanceof Token ? previous : new Token(previous.getRetryCount(), 0, 0);
        if (info.errorType === "THROTTLING") {
            this.counters.throttled++;
        }
        if (info.errorType === "CLIENT_ERROR") {
            throw info.error ?? new Error("not retryable");
        }
        const attempts = token.retryCount + 1;
        const limit = noResponse(info) ? this.policy.maxNetworkAttempts
            : serverError(info) ? Math.min(this.policy.maxServerErrorAttempts, this.policy.maxAttempts)
            : this.policy.maxAttempts;
        const delay = this.delayFor(token.retryCount + 1, info);
        if (this.runSignal?.aborted || attempts >= limit || token.waited + delay > this.policy.budgetMs) {
            this.counters.exhausted++;
            throw info.error ?? new Error("retries exhausted");
        }
        this.counters.retried++;
        return new Token(token.retryCount + 1, delay, token.waited + delay);
    }

    recordSuccess(): void {
        // No shared quota to refill.
    }

    private delayFor(retry: number, info: RetryErrorInfo): number {
        const base = info.errorType === "THROTTLING" ? this.policy.throttleBaseDelayMs : this.policy.baseDelayMs;
        const bound = Math.min(this.policy.maxDelayMs, base * 2 ** Math.min(retry - 1, 30));
        const jittered = Math.floor(this.random() * bound);
        const hinted = info.retryAfterHint ? info.retryAfterHint.getTime() - this.clock() : 0;
        return Math.min(this.policy.maxDelayMs, Math.max(jittered, hinted));
    }
}

/** An HTTP 5xx answer (other than a throttling one, which the SDK classifies first). */
function serverError(info: RetryErrorInfo): boolean {
    const status = (info.error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
    return info.errorType !== "THROTTLING" && status !== undefined && status >= 500 && status <= 599;
}

/** The request never got an HTTP response (refused, unresolvable, reset). */
function noResponse(info: RetryErrorInfo): boolean {
    const error = info.error as { $metadata?: { httpStatusCode?: number } } | undefined;
    return info.errorType === "TRANSIENT" && error?.$metadata?.httpStatusCode === undefined;
}

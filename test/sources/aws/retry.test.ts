import assert from "node:assert/strict";
import { BoundedRetryStrategy, RetryCounters, RetryPolicy, RetryStrategyV2 } from "../../../sources/aws/retry";

type ErrorInfo = Parameters<RetryStrategyV2["refreshRetryTokenForRetry"]>[1];
type Token = Awaited<ReturnType<RetryStrategyV2["acquireInitialRetryToken"]>>;

const POLICY: RetryPolicy = { maxAttempts: 5, maxNetworkAttempts: 2, maxServerErrorAttempts: 5, throttleBaseDelayMs: 500, baseDelayMs: 100, maxDelayMs: 4_000, budgetMs: 60_000 };

function throttled(): ErrorInfo {
    const error = Object.assign(new Error("Too Many Requests"), { name: "TooManyRequestsException", $metadata: { httpStatusCode: 429 } });
    return { errorType: "THROTTLING", error } as ErrorInfo;
}

function serverError(): ErrorInfo {
    return { errorType: "SERVER_ERROR", error: Object.assign(new Error("boom"), { $metadata: { httpStatusCode: 500 } }) } as ErrorInfo;
}

function refused(): ErrorInfo {
    return { errorType: "TRANSIENT", error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED", $metadata: {} }) } as ErrorInfo;
}

/** Retries until the strategy gives up; returns the delays it chose. */
async function delaysUntilGiveUp(strategy: BoundedRetryStrategy, info: () => ErrorInfo): Promise<number[]> {
    let token: Token = await strategy.acquireInitialRetryToken();
    const delays: number[] = [];
    for (let i = 0; i < 100; i++) {
        try {
            token = await strategy.refreshRetryTokenForRetry(token, info());
        } catch {
            return delays;
        }
        delays.push(token.getRetryDelay());
    }
    throw new Error("never gave up");
}

describe("aws audit: bounded retry strategy", () => {
    it("backs off exponentially from the throttling base, up to the cap (upper bound of the jitter)", async () => {
        const strategy = new BoundedRetryStrategy(POLICY, undefined, () => 0.999_999);
        const delays = await delaysUntilGiveUp(strategy, throttled);
        assert.deepEqual(delays, [499, 999, 1999, 3999], "maxAttempts 5: four retries, capped at 4 s");
    });

    it("jitters fully: a uniformly random wait between 0 and the bound", async () => {
        const none = await delaysUntilGiveUp(new BoundedRetryStrategy(POLICY, undefined, () => 0), throttled);
        assert.deepEqual(none, [0, 0, 0, 0]);
        const half = await delaysUntilGiveUp(new BoundedRetryStrategy(POLICY, undefined, () => 0.5), serverError);
        assert.deepEqual(half, [50, 100, 200, 400], "server errors back off from the smaller base");
    });

    it("stops when the total wait would exceed the budget", async () => {
        const strategy = new BoundedRetryStrategy({ ...POLICY, maxAttempts: 50, budgetMs: 5_000 }, undefined, () => 0.999_999);
        const delays = await delaysUntilGiveUp(strategy, throttled);
        assert.deepEqual(delays, [499, 999, 1999], "499+999+1999 = 3497; adding 3999 would pass 5000");
        assert.ok(delays.reduce((a, b) => a + b, 0) <= 5_000);
    });

    it("gives up fast when no HTTP response came back at all", async () => {
        const delays = await delaysUntilGiveUp(new BoundedRetryStrategy(POLICY, undefined, () => 0), refused);
        assert.equal(delays.length, POLICY.maxNetworkAttempts - 1);
    });

    it("gives a persistent server error (HTTP 5xx) fewer attempts than throttling: an outage is not a burst", async () => {
        const policy = { ...POLICY, maxAttempts: 10, maxServerErrorAttempts: 3 };
        const server = await delaysUntilGiveUp(new BoundedRetryStrategy(policy, undefined, () => 0.999_999), serverError);
        assert.deepEqual(server, [99, 199], "three attempts: two short waits");
        const throttles = await delaysUntilGiveUp(new BoundedRetryStrategy(policy, undefined, () => 0), throttled);
        assert.equal(throttles.length, 9, "throttling keeps its ten attempts");
    });

    it("starts no retry once the audit's time limit has run out", async () => {
        const run = new AbortController();
        const strategy = new BoundedRetryStrategy(POLICY, undefined, () => 0, Date.now, run.signal);
        const token = await strategy.acquireInitialRetryToken();
        const next = await strategy.refreshRetryTokenForRetry(token, throttled());
        run.abort();
        await assert.rejects(strategy.refreshRetryTokenForRetry(next, throttled()));
    });

    it("never retries client errors (access denied, bad request)", async () => {
        const strategy = new BoundedRetryStrategy(POLICY);
        const token = await strategy.acquireInitialRetryToken();
        const denied = Object.assign(new Error("denied"), { name: "AccessDeniedException" });
        await assert.rejects(strategy.refreshRetryTokenForRetry(token, { errorType: "CLIENT_ERROR", error: denied } as ErrorInfo), (error: unknown) => error === denied);
    });

    it("waits at least as long as Retry-After asks, but never past the cap", async () => {
        const now = 1_000_000;
        const strategy = new BoundedRetryStrategy(POLICY, undefined, () => 0, () => now);
        const token = await strategy.acquireInitialRetryToken();
        const soon = await strategy.refreshRetryTokenForRetry(token, { ...throttled(), retryAfterHint: new Date(now + 1_500) });
        assert.equal(soon.getRetryDelay(), 1_500);
        const late = await strategy.refreshRetryTokenForRetry(token, { ...throttled(), retryAfterHint: new Date(now + 3_600_000) });
        assert.equal(late.getRetryDelay(), POLICY.maxDelayMs);
    });

    it("counts throttles, retries and exhausted budgets", async () => {
        const counters: RetryCounters = { throttled: 0, retried: 0, exhausted: 0 };
        await delaysUntilGiveUp(new BoundedRetryStrategy(POLICY, counters, () => 0), throttled);
        assert.deepEqual(counters, { throttled: 5, retried: 4, exhausted: 1 });
    });
});

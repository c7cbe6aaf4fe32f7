import { APIGatewayClient } from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client } from "@aws-sdk/client-apigatewayv2";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { Inventory } from "apigw-guard/policies/model/index";
import { buildAwsInventory } from "./adapter";
import { REGION_PATTERN } from "./arn";
import { AwsCredentials, clientOptionsFrom, ClientOptions, createApiGatewayClient, createAwsClient } from "./client";
import { collectRegion, FailureCounts, MAX_PAGE_SIZE, ProgressTracker, RegionSnapshot, UsageWindow } from "./collect";
import { AuditError, classify } from "./errors";
import { RetryCounters, RetryPolicy } from "./retry";

export { AuditError } from "./errors";
export type { AwsCredentials } from "./client";

export interface AuditOptions {
    /** Regions to audit; empty: the SDK's default region (AWS_REGION, the profile's region). */
    readonly regions: readonly string[];
    /** The account's id, when the caller knows it (an organization audit): every finding names it. */
    readonly account?: string;
    readonly profile?: string;
    /** Like the AWS CLI's `--endpoint-url` (tests, VPC endpoints). The SDK's AWS_ENDPOINT_URL works too. */
    readonly endpointUrl?: string;
    /** The usage window for `apigateway-api-key-unused` (1–90, as that rule's `unusedDays`). */
    readonly unusedDays: number;
    readonly now: Date;
    /** Called after each unit of work; `total` grows as listings reveal more work. */
    readonly onProgress?: (done: number, total: number, label: string) => void;
    /** Static credentials instead of the SDK's provider chain. */
    readonly credentials?: AwsCredentials;
    /** Builds the client for a region (tests); the options above are then not used for it. */
    readonly clientFactory?: (region: string, counters: RetryCounters) => APIGatewayClient;
    readonly retry?: Partial<RetryPolicy>;
    readonly connectionTimeoutMs?: number;
    /** Per attempt, the whole response included (default 30 s). */
    readonly requestTimeoutMs?: number;
    /** The largest response body read (default 32 MiB). */
    readonly maxResponseBytes?: number;
    /**
     * The whole audit (default 30 minutes). When it runs out, calls in flight are abandoned and
     * what was not read is reported as gaps; the rules judge what was.
     */
    readonly timeoutMs?: number;
    /** Ends this audit with the caller's run (an organization audit's one time limit over every account). */
    readonly runSignal?: AbortSignal;
    /** Items per page (default and maximum 500). */
    readonly pageSize?: number;
    /** Pages per listing before it is cut short and reported as a gap (default 1,000). */
    readonly maxPages?: number;
    /** Calls in flight at once per region (default 4: the control plane allows a few per second). */
    readonly concurrency?: number;
    /** Filled in as the audit runs. */
    readonly stats?: AuditStats;
}

export interface AuditStats {
    regions: number;
    throttled: number;
    retried: number;
    exhausted: number;
    /** Entities read from the account (not counting those that stand for what could not be read). */
    entitiesRead?: number;
    /** Reads that failed, by kind: the CLI's advice depends on it (a 500 is no permission problem). */
    failures?: FailureCounts;
    /** The audit's time limit ran out. */
    timedOut?: boolean;
}

export const DEFAULT_AUDIT_TIMEOUT_MS = 30 * 60 * 1000;
export const DEFAULT_MAX_PAGES = 1_000;
/** The longest delay `setTimeout` takes (a longer one fires at once). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options a caller might pass that would make AWS return key values. */
const KEY_VALUE_OPTIONS = ["includeValues", "includeValue", "includeKeyValues"];

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Read one AWS account's API Gateway in the given regions, read-only, and build the Inventory the
 * rules judge: REST APIs (v1), HTTP and WebSocket APIs (v2), and, from CloudWatch Logs, the log
 * groups their stages write to. Reads that are denied become gaps and the audit goes on; missing
 * or rejected credentials, an unknown region or an unreachable endpoint end it with an
 * `AuditError` (one line for the CLI).
 */
export async function auditAccount(options: AuditOptions): Promise<Inventory> {
    validate(options);
    const stats = options.stats ?? { regions: 0, throttled: 0, retried: 0, exhausted: 0 };
    const counters: RetryCounters = { throttled: 0, retried: 0, exhausted: 0 };
    const regions = options.regions.length > 0 ? [...new Set(options.regions)] : [await defaultRegion(options)];
    const window = usageWindow(options.now, options.unusedDays);
    const progress = tracker(options.onProgress);
    const snapshots: RegionSnapshot[] = [];
    const failures: FailureCounts = {};
    const timeoutMs = options.timeoutMs ?? DEFAULT_AUDIT_TIMEOUT_MS;
    const run = new AbortController();
    // Node fires a timer longer than 2³¹-1 ms at once: a limit beyond ~24 days is no limit.
    const timer = timeoutMs <= MAX_TIMER_MS ? setTimeout(() => run.abort(), timeoutMs) : undefined;
    const endWithCaller = () => run.abort();
    if (options.runSignal?.aborted === true) {
        run.abort();
    }
    options.runSignal?.addEventListener("abort", endWithCaller, { once: true });
    try {
        for (const region of regions) {
            const clientOptions: ClientOptions = clientOptionsFrom(region, counters, { ...options, runSignal: run.signal });
            const client = options.clientFactory ? options.clientFactory(region, counters) : createApiGatewayClient(clientOptions);
            // HTTP/WebSocket APIs and the log groups stages write to; a factory (tests) stands for REST APIs only.
            const v2Client = options.clientFactory ? undefined : createAwsClient(ApiGatewayV2Client, clientOptions);
            const logsClient = options.clientFactory ? undefined : createAwsClient(CloudWatchLogsClient, clientOptions);
            const profile = options.profile !== undefined ? { profile: options.profile } : {};
            try {
                snapshots.push(await collectRegion({
                    client,
                    context: { region, endpoint: endpointLabel(region, options.endpointUrl), ...profile },
                    window,
                    pageSize: Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE),
                    maxPages: options.maxPages ?? DEFAULT_MAX_PAGES,
                    concurrency: options.concurrency ?? 4,
                    progress,
                    failures,
                    ...(v2Client ? { v2Client } : {}),
                    ...(logsClient ? { logsClient, logsContext: { region, endpoint: logsEndpointLabel(region, options.endpointUrl), service: "CloudWatch Logs", ...profile } } : {}),
                    ...(options.account !== undefined ? { account: options.account } : {}),
                }));
                stats.regions++;
            } finally {
                // Keep-alive sockets would otherwise hold the process open.
                client.destroy();
                v2Client?.destroy();
                logsClient?.destroy();
            }
        }
    } finally {
        clearTimeout(timer);
        options.runSignal?.removeEventListener("abort", endWithCaller);
        stats.throttled += counters.throttled;
        stats.retried += counters.retried;
        stats.exhausted += counters.exhausted;
        stats.failures = failures;
        stats.timedOut = run.signal.aborted;
    }
    const { inventory, entitiesRead } = buildAwsInventory(snapshots, options.account);
    stats.entitiesRead = entitiesRead;
    if (!run.signal.aborted) {
        return inventory;
    }
    const gap = { message: `the audit's time limit (${formatDuration(timeoutMs)}) ran out: what was not read by then is listed as not read, and the rules that needed it report unknown` };
    return inventory.withGaps([gap], true);
}

function formatDuration(ms: number): string {
    return ms % 60_000 === 0 ? `${ms / 60_000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function validate(options: AuditOptions): void {
    for (const name of KEY_VALUE_OPTIONS) {
        if (name in (options as object)) {
            throw new AuditError(`refusing option '${name}': the audit never reads API key values (it needs none: key ids, dates and usage are enough)`, "refused");
        }
    }
    if (!Number.isInteger(options.unusedDays) || options.unusedDays < 1 || options.unusedDays > 90) {
        throw new AuditError(`unused days must be a whole number from 1 to 90 (API Gateway keeps 90 days of usage), got ${String(options.unusedDays)}`, "usage");
    }
    if (options.timeoutMs !== undefined && (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)) {
        throw new AuditError(`the audit's time limit must be a positive duration, got ${String(options.timeoutMs)}`, "usage");
    }
    if (Number.isNaN(options.now.getTime())) {
        throw new AuditError("the audit clock is not a valid date", "usage");
    }
    for (const region of options.regions) {
        if (!REGION_PATTERN.test(region)) {
            throw new AuditError(`'${region}' is not an AWS region name (e.g. us-east-1, eu-west-2)`, "region");
        }
    }
    if (options.endpointUrl !== undefined) {
        let url: URL;
        try {
            url = new URL(options.endpointUrl);
        } catch {
            throw new AuditError(`endpoint URL '${options.endpointUrl}' is not a URL (e.g. https://apigateway.us-east-1.amazonaws.com)`, "usage");
        }
        if (url.protocol !== "https:" && url.protocol !== "http:") {
            throw new AuditError(`endpoint URL '${options.endpointUrl}' must use http or https`, "usage");
        }
    }
}

/** The SDK's default region (AWS_REGION, the profile's), checked; an `AuditError` when there is none. */
export async function defaultRegion(options: Pick<AuditOptions, "profile" | "endpointUrl">): Promise<string> {
    const probe = new APIGatewayClient(options.profile !== undefined ? { profile: options.profile } : {});
    let region: string;
    try {
        region = await probe.config.region();
    } catch (error) {
        const failure = classify(error, { region: "(none)", endpoint: options.endpointUrl ?? "(default)" });
        throw failure.fatal?.reason === "credentials"
            ? failure.fatal
            : new AuditError("no AWS region: pass --region, or set AWS_REGION or a region in the profile", "region");
    } finally {
        probe.destroy();
    }
    if (!REGION_PATTERN.test(region)) {
        throw new AuditError(`'${region}' (from the environment or the profile) is not an AWS region name`, "region");
    }
    return region;
}

/** The last `days` days, as whole UTC dates for `GetUsage` (the partial current day included). */
export function usageWindow(now: Date, days: number): UsageWindow {
    const start = new Date(now.getTime() - days * DAY_MS);
    return { startDate: isoDate(start), endDate: isoDate(now), start, days };
}

function isoDate(date: Date): string {
    return date.toISOString().slice(0, 10);
}

/** Where requests go, for messages: the SDK's precedence (flag, service env, global env, AWS). */
function endpointLabel(region: string, endpointUrl: string | undefined): string {
    return endpointUrl ?? process.env.AWS_ENDPOINT_URL_API_GATEWAY ?? process.env.AWS_ENDPOINT_URL ?? `https://apigateway.${region}.amazonaws.com`;
}

function logsEndpointLabel(region: string, endpointUrl: string | undefined): string {
    return endpointUrl ?? process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS ?? process.env.AWS_ENDPOINT_URL ?? `https://logs.${region}.amazonaws.com`;
}

function tracker(onProgress: AuditOptions["onProgress"]): ProgressTracker {
    let total = 0;
    let done = 0;
    return {
        expect(count: number) {
            total += count;
        },
        done(label: string) {
            done++;
            total = Math.max(total, done);
            onProgress?.(done, total, label);
        },
    };
}

import {
    APIGatewayClient, GetAccountCommand, GetMethodCommand, GetStagesCommand,
    paginateGetApiKeys, paginateGetDomainNames, paginateGetResources, paginateGetRestApis, paginateGetUsage,
    paginateGetUsagePlanKeys, paginateGetUsagePlans,
} from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client, GetApisCommand, GetRoutesCommand, GetStagesCommand as GetV2StagesCommand } from "@aws-sdk/client-apigatewayv2";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { partitionOf } from "./arn";
import { CallContext, classify, FailureKind, MalformedResponseError } from "./errors";
import {
    AccountSummary, ApiKeySummary, DomainNameSummary, isRecord, jsonType, MethodSummary, PlanKeySummary, ResourceItem, RestApiSummary,
    shapeAccount, shapeApiKey, shapeDomainName, Shaped, shapeMethod, shapePlanKey, shapeResource, shapeRestApi, shapeStage, shapeUsagePlan,
    StageSummary, UsagePlanSummary,
} from "./shape";
import { LogGroupSummary, lookableLogGroupName, shapeLogGroup, shapeV2Api, shapeV2Route, shapeV2Stage, V2ApiSummary, V2RouteSummary, V2StageSummary } from "./shape-v2";

export type { ApiKeySummary, PlanKeySummary } from "./shape";

/**
 * The reading half of the audit: what one region's API Gateway holds, as plain data, with every
 * read that failed kept as a failure (never dropped, never fatal unless nothing else can work).
 * `adapter.ts` turns it into the Inventory. Items are reduced to what the Inventory needs as each
 * page arrives (`shape.ts`), so memory follows the items kept, not the pages read; no key value
 * is kept: `GetApiKeys` is never asked for values, and `GetUsagePlanKeys`, which returns each
 * attached key's value whatever is asked, is reduced to ids and names.
 */

export type ReadResult<T> =
    | { readonly ok: true; readonly value: T }
    | { readonly ok: false; readonly problem: string; readonly kind?: FailureKind };

/** What a listing gave: its well-formed items, and what it did not give. */
export interface Listing<T> {
    readonly items: readonly T[];
    /** Why items were left out (the first few, each as "item N: ..."). */
    readonly malformed: readonly string[];
    readonly malformedCount: number;
    /** Set when the listing was cut short at the page bound: it may hold more than was read. */
    readonly cutShort?: string;
}

export interface ResourceSnapshot {
    readonly resource: ResourceItem;
    /** Per HTTP verb: the method, or why it could not be read. */
    readonly methods: ReadonlyMap<string, ReadResult<MethodSummary>>;
}

export interface RestApiSnapshot {
    readonly api: RestApiSummary;
    readonly resources: ReadResult<Listing<ResourceSnapshot>>;
    readonly stages: ReadResult<Listing<StageSummary>>;
}

export interface UsagePlanSnapshot {
    readonly plan: UsagePlanSummary;
    readonly keys: ReadResult<Listing<PlanKeySummary>>;
    /** Requests per key id over the usage window (keys AWS did not list are absent). */
    readonly usage: ReadResult<ReadonlyMap<string, number>>;
}

export interface UsageWindow {
    /** `YYYY-MM-DD` (UTC), as `GetUsage` takes them; both days included. */
    readonly startDate: string;
    readonly endDate: string;
    /** The instant the window starts: keys created after it have not been around for all of it. */
    readonly start: Date;
    readonly days: number;
}

export interface V2ApiSnapshot {
    readonly api: V2ApiSummary;
    readonly routes: ReadResult<Listing<V2RouteSummary>>;
    readonly stages: ReadResult<Listing<V2StageSummary>>;
}

/** One log group looked up by name: the group, `absent` (CloudWatch Logs has none), or why it could not be read. */
export interface LogGroupLookup {
    /** Some stage names it as its access-log destination (else it is an execution-log group). */
    readonly accessDestination: boolean;
    readonly result: ReadResult<LogGroupSummary | "absent">;
}

export interface RegionSnapshot {
    readonly region: string;
    readonly window: UsageWindow;
    readonly restApis: ReadResult<Listing<RestApiSnapshot>>;
    readonly apiKeys: ReadResult<Listing<ApiKeySummary>>;
    readonly usagePlans: ReadResult<Listing<UsagePlanSnapshot>>;
    readonly account: ReadResult<AccountSummary>;
    /**
     * Custom domain names, from the v1 listing only: API Gateway keeps one set of custom domains
     * that both APIs list, and only the v1 listing also holds private custom domain names.
     */
    readonly domainNames: ReadResult<Listing<DomainNameSummary>>;
    /** HTTP and WebSocket APIs (API Gateway v2); absent when no v2 client was given. */
    readonly v2Apis?: ReadResult<Listing<V2ApiSnapshot>>;
    /** The log groups stages write to, by name; absent when no Logs client was given. */
    readonly logGroups?: ReadonlyMap<string, LogGroupLookup>;
}

/** Failed reads by kind, for the audit's statistics and the CLI's advice. */
export type FailureCounts = Partial<Record<FailureKind, number>>;

export interface CollectOptions {
    readonly client: APIGatewayClient;
    readonly context: CallContext;
    readonly window: UsageWindow;
    /** Items per page asked for (API Gateway allows at most 500). */
    readonly pageSize: number;
    /** Pages per listing before it is cut short and reported. */
    readonly maxPages: number;
    /** Calls in flight at once within the region. */
    readonly concurrency: number;
    readonly progress: ProgressTracker;
    readonly failures?: FailureCounts;
    /** Reads HTTP and WebSocket APIs when given. */
    readonly v2Client?: ApiGatewayV2Client;
    /** Looks up the log groups stages write to when given. */
    readonly logsClient?: CloudWatchLogsClient;
    /** Where Logs requests go, for messages. */
    readonly logsContext?: CallContext;
    /** The audited account, when known: a destination in another account is not looked up. */
    readonly account?: string;
}

export interface ProgressTracker {
    /** More work became known (e.g. the APIs of a listing). */
    expect(count: number): void;
    /** One unit of work finished. */
    done(label: string): void;
}

/** Reasons kept per listing for malformed items; the rest are counted. */
const MALFORMED_SHOWN = 5;

/** The largest page API Gateway serves. */
export const MAX_PAGE_SIZE = 500;

/** The most log groups `DescribeLogGroups` returns per page. */
const LOGS_PAGE_SIZE = 50;

const EXECUTION_LOG_LEVELS = new Set(["ERROR", "INFO"]);

export async function collectRegion(options: CollectOptions): Promise<RegionSnapshot> {
    return new RegionCollector(options).collect();
}

class RegionCollector {
    constructor(private readonly options: CollectOptions) {}

    async collect(): Promise<RegionSnapshot> {
        const { progress, client } = this.options;
        progress.expect(5);
        // Top-level listings first, one after another: each is a handful of pages.
        const restApiList = await this.attempt("REST APIs", () => this.list(config => paginateGetRestApis(config, {}), page => page.items, shapeRestApi));
        const apiKeys = await this.attempt("API keys", () => this.list(config => paginateGetApiKeys(config, {}), page => page.items, shapeApiKey));
        const planList = await this.attempt("usage plans", () => this.list(config => paginateGetUsagePlans(config, {}), page => page.items, shapeUsagePlan));
        const account = await this.attempt("account settings", async () => shapeAccount(await client.send(new GetAccountCommand({}))));
        const domainNames = await this.attempt("custom domain names", () => this.list(config => paginateGetDomainNames(config, {}), page => page.items, shapeDomainName));

        const v2Client = this.options.v2Client;
        let v2ApiList: ReadResult<Listing<V2ApiSummary>> | undefined;
        if (v2Client) {
            progress.expect(1);
            v2ApiList = await this.attempt("HTTP and WebSocket APIs", () => this.listV2(
                NextToken => v2Client.send(new GetApisCommand({ MaxResults: String(this.options.pageSize), ...(NextToken !== undefined ? { NextToken } : {}) })),
                shapeV2Api));
        }

        const restApis = restApiList.ok ? { ok: true as const, value: { ...restApiList.value, items: await this.readApis(restApiList.value.items) } } : restApiList;
        const usagePlans = planList.ok ? { ok: true as const, value: { ...planList.value, items: await this.readPlans(planList.value.items) } } : planList;
        const v2Apis: ReadResult<Listing<V2ApiSnapshot>> | undefined = v2ApiList === undefined || !v2Client ? undefined
            : v2ApiList.ok ? { ok: true, value: { ...v2ApiList.value, items: await this.readV2Apis(v2Client, v2ApiList.value.items) } }
            : v2ApiList;
        const logGroups = this.options.logsClient ? await this.lookUpLogGroups(this.options.logsClient, restApis, v2Apis) : undefined;
        return {
            region: this.options.context.region, window: this.options.window, restApis, apiKeys, usagePlans, account, domainNames,
            ...(v2Apis !== undefined ? { v2Apis } : {}),
            ...(logGroups !== undefined ? { logGroups } : {}),
        };
    }

    /**
     * Routes and stages of each HTTP/WebSocket API. Authorizers are not read: the route's own
     * `authorizationType` says whether it is authorized, which is what the rules judge.
     */
    private async readV2Apis(client: ApiGatewayV2Client, apis: readonly V2ApiSummary[]): Promise<V2ApiSnapshot[]> {
        this.options.progress.expect(apis.length * 2);
        const MaxResults = String(this.options.pageSize);
        return mapLimit(apis, this.options.concurrency, async api => {
            const label = `${api.protocolType === "WEBSOCKET" ? "WebSocket" : "HTTP"} API '${api.name ?? api.id}'`;
            const routes = await this.attempt(`routes of ${label}`, () => this.listV2(
                NextToken => client.send(new GetRoutesCommand({ ApiId: api.id, MaxResults, ...(NextToken !== undefined ? { NextToken } : {}) })),
                shapeV2Route));
            const stages = await this.attempt(`stages of ${label}`, () => this.listV2(
                NextToken => client.send(new GetV2StagesCommand({ ApiId: api.id, MaxResults, ...(NextToken !== undefined ? { NextToken } : {}) })),
                shapeV2Stage));
            return { api, routes, stages };
        });
    }

    /**
     * API Gateway v2 lists in pages of `Items` with a `NextToken` (its SDK has no paginator for
     * these calls), bounded like the v1 listings; a token that repeats ends the listing.
     */
    private async listV2<T>(
        send: (nextToken: string | undefined) => Promise<{ Items?: unknown; NextToken?: unknown }>,
        shape: (item: unknown) => Shaped<T>,
    ): Promise<Listing<T>> {
        const listing = new ListingBuilder(shape);
        let token: string | undefined;
        for (let pages = 1; ; pages++) {
            const page = await send(token);
            listing.add(page.Items, pages);
            const next = page.NextToken;
            if (next === undefined || next === null || next === "" || next === token) {
                return listing.build();
            }
            if (typeof next !== "string") {
                throw new MalformedResponseError(`page ${pages} gave ${jsonType(next)} for its next token, not a string`);
            }
            if (pages >= this.options.maxPages) {
                return listing.build(`stopped after ${pages} pages`);
            }
            token = next;
        }
    }

    /**
     * The log groups stages write to, each looked up once by name: access-log destinations that
     * are CloudWatch Logs groups of this region (and of the audited account, when it is known),
     * REST API execution-log groups of stages with execution logging on, and WebSocket execution-
     * log groups. A Firehose destination is not a log group.
     */
    private async lookUpLogGroups(
        client: CloudWatchLogsClient,
        restApis: ReadResult<Listing<RestApiSnapshot>>,
        v2Apis: ReadResult<Listing<V2ApiSnapshot>> | undefined,
    ): Promise<Map<string, LogGroupLookup>> {
        const wanted = new Map<string, boolean>();
        const want = (name: string, accessDestination: boolean) => wanted.set(name, (wanted.get(name) ?? false) || accessDestination);
        const destination = (access: StageSummary["accessLogSettings"]) => {
            const name = typeof access === "object" && access !== null && "destinationArn" in access && typeof access.destinationArn === "string"
                ? this.lookableLogGroup(access.destinationArn) : undefined;
            if (name !== undefined) {
                want(name, true);
            }
        };
        for (const { api, stages } of restApis.ok ? restApis.value.items : []) {
            for (const stage of stages.ok ? stages.value.items : []) {
                destination(stage.accessLogSettings);
                const settings = stage.methodSettings;
                if (Array.isArray(settings) && settings.some(([, method]) => loggingOn(method.loggingLevel))) {
                    want(`API-Gateway-Execution-Logs_${api.id}/${stage.stageName}`, false);
                }
            }
        }
        for (const { api, stages } of v2Apis?.ok ? v2Apis.value.items : []) {
            for (const stage of stages.ok ? stages.value.items : []) {
                destination(stage.accessLogSettings);
                const routes = Array.isArray(stage.routeSettings) ? stage.routeSettings : [];
                if (api.protocolType === "WEBSOCKET" && (loggingOn(stage.loggingLevel) || routes.some(route => loggingOn(route.loggingLevel)))) {
                    want(`/aws/apigateway/${api.id}/${stage.stageName}`, false);
                }
            }
        }
        const names = [...wanted.keys()];
        this.options.progress.expect(names.length);
        const context = this.options.logsContext ?? this.options.context;
        const results = await mapLimit(names, this.options.concurrency,
            name => this.attempt(`log group '${name}'`, () => this.lookUpLogGroup(client, name), context));
        return new Map(names.map((name, index) => [name, { accessDestination: wanted.get(name) === true, result: results[index] }]));
    }

    /** The name of a log group this audit can look up, or undefined (another region, account or service). */
    private lookableLogGroup(arn: string): string | undefined {
        const region = this.options.context.region;
        return lookableLogGroupName(arn, region, partitionOf(region), this.options.account);
    }

    /**
     * `DescribeLogGroups` by name prefix, which also matches longer names. Its results are
     * ASCII-sorted by name, so the group itself, if it exists, is the first item: one request per
     * name. Pages without items are followed (bounded).
     */
    private async lookUpLogGroup(client: CloudWatchLogsClient, name: string): Promise<LogGroupSummary | "absent"> {
        let token: string | undefined;
        for (let pages = 1; ; pages++) {
            const page = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: LOGS_PAGE_SIZE, ...(token !== undefined ? { nextToken: token } : {}) }));
            const groups: unknown = page.logGroups;
            if (groups !== undefined && !Array.isArray(groups)) {
                throw new MalformedResponseError(`page ${pages} gave ${jsonType(groups)} for its log groups, not a list`);
            }
            for (const item of (groups ?? []) as unknown[]) {
                const shaped = shapeLogGroup(item);
                if (!shaped.ok) {
                    // It might have been the group looked for.
                    throw new MalformedResponseError(`a log group: ${shaped.why}`);
                }
                if (shaped.value.logGroupName === name) {
                    return shaped.value;
                }
            }
            const next: unknown = page.nextToken;
            if ((groups as unknown[] | undefined)?.length || next === undefined || next === null || next === "" || next === token) {
                return "absent";
            }
            if (typeof next !== "string") {
                throw new MalformedResponseError(`page ${pages} gave ${jsonType(next)} for its next token, not a string`);
            }
            if (pages >= this.options.maxPages) {
                throw new MalformedResponseError(`the lookup did not end after ${pages} pages`);
            }
            token = next;
        }
    }

    private async readApis(apis: readonly RestApiSummary[]): Promise<RestApiSnapshot[]> {
        this.options.progress.expect(apis.length * 2);
        return mapLimit(apis, this.options.concurrency, async api => {
            const label = `REST API '${api.name ?? api.id}'`;
            const resources = await this.attempt(`resources of ${label}`, () => this.readResources(api.id));
            const stages = await this.attempt(`stages of ${label}`, async () => {
                const response = await this.options.client.send(new GetStagesCommand({ restApiId: api.id }));
                return listingOf([response.item], shapeStage);
            });
            return { api, resources, stages };
        });
    }

    /**
     * `embed=methods` returns every method with its resource, so a REST API costs one call per
     * page of resources. Should a method come back without its settings (an endpoint that ignores
     * `embed`), it is read on its own.
     */
    private async readResources(apiId: string): Promise<Listing<ResourceSnapshot>> {
        const resources = await this.list(config => paginateGetResources(config, { restApiId: apiId, embed: ["methods"] }), page => page.items, shapeResource);
        const snapshots: ResourceSnapshot[] = [];
        for (const resource of resources.items) {
            const methods = new Map<string, ReadResult<MethodSummary>>();
            for (const [verb, method] of resource.methods) {
                if (method === "link") {
                    this.options.progress.expect(1);
                    methods.set(verb, await this.attempt(`method ${verb} ${typeof resource.path === "string" ? resource.path : resource.id} of REST API ${apiId}`,
                        async () => shapeMethod(asRecord(await this.options.client.send(new GetMethodCommand({ restApiId: apiId, resourceId: resource.id, httpMethod: verb })), "the method"))));
                } else if ("malformed" in method) {
                    methods.set(verb, { ok: false, kind: "malformed", problem: `malformed response: ${method.malformed}` });
                } else {
                    methods.set(verb, { ok: true, value: method });
                }
            }
            snapshots.push({ resource, methods });
        }
        return { ...resources, items: snapshots };
    }

    private async readPlans(plans: readonly UsagePlanSummary[]): Promise<UsagePlanSnapshot[]> {
        this.options.progress.expect(plans.length * 2);
        return mapLimit(plans, this.options.concurrency, async plan => {
            const label = `usage plan '${plan.name ?? plan.id}'`;
            const keys = await this.attempt(`keys of ${label}`, () => this.list(config => paginateGetUsagePlanKeys(config, { usagePlanId: plan.id }), page => page.items, shapePlanKey));
            const usage = await this.attempt(`usage of ${label}`, () => this.readUsage(plan.id));
            return { plan, keys, usage };
        });
    }

    /** Summed as pages arrive. A usage listing cut short is a failure: a key it did not reach would look idle. */
    private async readUsage(planId: string): Promise<Map<string, number>> {
        const { window, client, pageSize, maxPages } = this.options;
        const requestsByKey = new Map<string, number>();
        let pages = 0;
        for await (const page of paginateGetUsage({ client, pageSize, stopOnSameToken: true }, { usagePlanId: planId, startDate: window.startDate, endDate: window.endDate })) {
            pages++;
            const items: unknown = page.items;
            if (items !== undefined && !isRecord(items)) {
                throw new MalformedResponseError(`page ${pages} gave ${jsonType(items)} for the usage per key, not a map`);
            }
            for (const [keyId, days] of Object.entries(items ?? {})) {
                requestsByKey.set(keyId, (requestsByKey.get(keyId) ?? 0) + usedRequests(days));
            }
            if (pages >= maxPages) {
                throw new MalformedResponseError(`the usage listing did not end after ${pages} pages`);
            }
        }
        return requestsByKey;
    }

    /** All pages of a listing, bounded, each item shaped as it arrives; a listing cut short says so. */
    private async list<Page, T>(
        paginate: (config: { client: APIGatewayClient; pageSize: number; stopOnSameToken: true }) => AsyncIterable<Page>,
        itemsOf: (page: Page) => unknown,
        shape: (item: unknown) => Shaped<T>,
    ): Promise<Listing<T>> {
        const listing = new ListingBuilder(shape);
        let pages = 0;
        for await (const page of paginate({ client: this.options.client, pageSize: this.options.pageSize, stopOnSameToken: true })) {
            pages++;
            listing.add(itemsOf(page), pages);
            if (pages >= this.options.maxPages) {
                return listing.build(`stopped after ${pages} pages`);
            }
        }
        return listing.build();
    }

    /** Runs one read; a denial or a failure becomes a result, a fatal error ends the audit. */
    private async attempt<T>(what: string, read: () => Promise<T>, context: CallContext = this.options.context): Promise<ReadResult<T>> {
        try {
            return { ok: true, value: await read() };
        } catch (error) {
            const failure = classify(error, context);
            if (failure.fatal) {
                throw failure.fatal;
            }
            const failures = this.options.failures;
            if (failures) {
                failures[failure.kind] = (failures[failure.kind] ?? 0) + 1;
            }
            return { ok: false, problem: failure.phrase, kind: failure.kind };
        } finally {
            this.options.progress.done(what);
        }
    }
}

class ListingBuilder<T> {
    private readonly items: T[] = [];
    private readonly malformed: string[] = [];
    private malformedCount = 0;
    private seen = 0;

    constructor(private readonly shape: (item: unknown) => Shaped<T>) {}

    add(items: unknown, page: number): void {
        if (items === undefined) {
            return;
        }
        if (!Array.isArray(items)) {
            throw new MalformedResponseError(`page ${page} gave ${jsonType(items)} for its items, not a list`);
        }
        for (const item of items) {
            this.seen++;
            const shaped = this.shape(item);
            if (shaped.ok) {
                this.items.push(shaped.value);
            } else {
                this.malformedCount++;
                if (this.malformed.length < MALFORMED_SHOWN) {
                    this.malformed.push(`item ${this.seen}: ${shaped.why}`);
                }
            }
        }
    }

    build(cutShort?: string): Listing<T> {
        return { items: this.items, malformed: this.malformed, malformedCount: this.malformedCount, ...(cutShort !== undefined ? { cutShort } : {}) };
    }
}

/** One unpaginated list (`GetStages`), shaped like the pages of a listing. */
function listingOf<T>(pages: readonly unknown[], shape: (item: unknown) => Shaped<T>): Listing<T> {
    const listing = new ListingBuilder(shape);
    pages.forEach((items, index) => listing.add(items, index + 1));
    return listing.build();
}

function asRecord(value: unknown, what: string): Readonly<Record<string, unknown>> {
    if (!isRecord(value)) {
        throw new MalformedResponseError(`${what} is ${jsonType(value)}, not an object`);
    }
    return value;
}

/**
 * The requests in a key's daily log. Each entry is `[used, remaining]`; days without traffic may
 * be missing or shaped differently, so anything that is not a non-negative number counts as 0.
 */
export function usedRequests(days: unknown): number {
    let total = 0;
    for (const day of Array.isArray(days) ? days : []) {
        const used = Array.isArray(day) ? day[0] : undefined;
        if (typeof used === "number" && Number.isFinite(used) && used > 0) {
            total += used;
        }
    }
    return total;
}

function loggingOn(level: unknown): boolean {
    return typeof level === "string" && EXECUTION_LOG_LEVELS.has(level.toUpperCase());
}

/** `fn` over `items` with at most `limit` in flight; stops starting new work after a failure. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
        while (!failed && next < items.length) {
            const index = next++;
            try {
                results[index] = await fn(items[index]);
            } catch (error) {
                failed = true;
                throw error;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return results;
}

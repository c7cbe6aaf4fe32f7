import {
    APIGatewayClient, GetAccountCommand, GetMethodCommand, GetStagesCommand,
    paginateGetApiKeys, paginateGetDomainNames, paginateGetResources, paginateGetRestApis, paginateGetUsage,
    paginateGetUsagePlanKeys, paginateGetUsagePlans,
} from "@aws-sdk/client-api-gateway";
import { CallContext, classify, FailureKind, MalformedResponseError } from "./errors";
import {
    AccountSummary, ApiKeySummary, DomainNameSummary, isRecord, jsonType, MethodSummary, PlanKeySummary, ResourceItem, RestApiSummary,
    shapeAccount, shapeApiKey, shapeDomainName, Shaped, shapeMethod, shapePlanKey, shapeResource, shapeRestApi, shapeStage, shapeUsagePlan,
    StageSummary, UsagePlanSummary,
} from "./shape";

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

export interface RegionSnapshot {
    readonly region: string;
    readonly window: UsageWindow;
    readonly restApis: ReadResult<Listing<RestApiSnapshot>>;
    readonly apiKeys: ReadResult<Listing<ApiKeySummary>>;
    readonly usagePlans: ReadResult<Listing<UsagePlanSnapshot>>;
    readonly account: ReadResult<AccountSummary>;
    readonly domainNames: ReadResult<Listing<DomainNameSummary>>;
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

        const restApis = restApiList.ok ? { ok: true as const, value: { ...restApiList.value, items: await this.readApis(restApiList.value.items) } } : restApiList;
        const usagePlans = planList.ok ? { ok: true as const, value: { ...planList.value, items: await this.readPlans(planList.value.items) } } : planList;
        return { region: this.options.context.region, window: this.options.window, restApis, apiKeys, usagePlans, account, domainNames };
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
    private async attempt<T>(what: string, read: () => Promise<T>): Promise<ReadResult<T>> {
        try {
            return { ok: true, value: await read() };
        } catch (error) {
            const failure = classify(error, this.options.context);
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

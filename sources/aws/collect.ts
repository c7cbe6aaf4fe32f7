import {
    Account, ApiKey, APIGatewayClient, DomainName, GetAccountCommand, GetMethodCommand, GetStagesCommand, Method,
    paginateGetApiKeys, paginateGetDomainNames, paginateGetResources, paginateGetRestApis, paginateGetUsage,
    paginateGetUsagePlanKeys, paginateGetUsagePlans, Resource, RestApi, Stage, UsagePlan,
} from "@aws-sdk/client-api-gateway";
import { CallContext, classify } from "./errors";

/**
 * The reading half of the audit: what one region's API Gateway holds, as plain data, with every
 * read that failed kept as a failure (never dropped, never fatal unless nothing else can work).
 * `adapter.ts` turns it into the Inventory. No key value is kept: `GetApiKeys` is never asked for
 * values, and `GetUsagePlanKeys`, which returns each attached key's value whatever is asked,
 * is reduced to ids and names the moment a page arrives.
 */

export type ReadResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** An API key without its value. */
export interface ApiKeySummary {
    readonly id: string;
    readonly name?: string;
    readonly enabled?: boolean;
    readonly createdDate?: Date;
    readonly tags?: Readonly<Record<string, string>>;
}

/** A usage-plan attachment without the key value AWS sends with it. */
export interface PlanKeySummary {
    readonly id: string;
    readonly name?: string;
    readonly type?: string;
}

export interface ResourceSnapshot {
    readonly resource: Resource;
    /** Per HTTP verb: the method, or why it could not be read. */
    readonly methods: ReadonlyMap<string, ReadResult<Method>>;
}

export interface RestApiSnapshot {
    readonly api: RestApi & { readonly id: string };
    readonly resources: ReadResult<readonly ResourceSnapshot[]>;
    readonly stages: ReadResult<readonly Stage[]>;
}

export interface UsagePlanSnapshot {
    readonly plan: UsagePlan & { readonly id: string };
    readonly keys: ReadResult<readonly PlanKeySummary[]>;
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
    readonly restApis: ReadResult<readonly RestApiSnapshot[]>;
    readonly apiKeys: ReadResult<readonly ApiKeySummary[]>;
    readonly usagePlans: ReadResult<readonly UsagePlanSnapshot[]>;
    readonly account: ReadResult<Account>;
    readonly domainNames: ReadResult<readonly DomainName[]>;
    /** Listings cut short by the page bound (a runaway `position`), by what was listed. */
    readonly truncated: readonly string[];
}

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
}

export interface ProgressTracker {
    /** More work became known (e.g. the APIs of a listing). */
    expect(count: number): void;
    /** One unit of work finished. */
    done(label: string): void;
}

/** The largest page API Gateway serves. */
export const MAX_PAGE_SIZE = 500;

export async function collectRegion(options: CollectOptions): Promise<RegionSnapshot> {
    return new RegionCollector(options).collect();
}

class RegionCollector {
    private readonly truncated: string[] = [];

    constructor(private readonly options: CollectOptions) {}

    async collect(): Promise<RegionSnapshot> {
        const { progress } = this.options;
        progress.expect(5);
        // Top-level listings first, one after another: each is a handful of pages.
        const restApiList = await this.attempt("REST APIs", () => this.list("REST APIs", config => paginateGetRestApis(config, {}), page => page.items));
        const apiKeys = await this.attempt("API keys", () => this.list("API keys", config => paginateGetApiKeys(config, {}), page => (page.items ?? []).map(summariseKey)));
        const planList = await this.attempt("usage plans", () => this.list("usage plans", config => paginateGetUsagePlans(config, {}), page => page.items));
        const account = await this.attempt("account settings", () => this.options.client.send(new GetAccountCommand({})));
        const domainNames = await this.attempt("custom domain names", () => this.list("custom domain names", config => paginateGetDomainNames(config, {}), page => page.items));

        const restApis = restApiList.ok ? { ok: true as const, value: await this.readApis(restApiList.value) } : restApiList;
        const usagePlans = planList.ok ? { ok: true as const, value: await this.readPlans(planList.value) } : planList;
        return { region: this.options.context.region, window: this.options.window, restApis, apiKeys, usagePlans, account, domainNames, truncated: this.truncated };
    }

    private async readApis(apis: readonly RestApi[]): Promise<RestApiSnapshot[]> {
        const withIds = apis.filter((api): api is RestApi & { id: string } => typeof api.id === "string" && api.id !== "");
        this.options.progress.expect(withIds.length * 2);
        return mapLimit(withIds, this.options.concurrency, async api => {
            const label = `REST API '${api.name ?? api.id}'`;
            const resources = await this.attempt(`resources of ${label}`, () => this.readResources(api.id));
            const stages = await this.attempt(`stages of ${label}`, async () => (await this.options.client.send(new GetStagesCommand({ restApiId: api.id }))).item ?? []);
            return { api, resources, stages };
        });
    }

    /**
     * `embed=methods` returns every method with its resource, so a REST API costs one call per
     * page of resources. Should a method come back without its settings (an endpoint that ignores
     * `embed`), it is read on its own.
     */
    private async readResources(apiId: string): Promise<ResourceSnapshot[]> {
        const resources = await this.list(`resources of REST API ${apiId}`,
            config => paginateGetResources(config, { restApiId: apiId, embed: ["methods"] }), page => page.items);
        const snapshots: ResourceSnapshot[] = [];
        for (const resource of resources) {
            const methods = new Map<string, ReadResult<Method>>();
            for (const [verb, method] of Object.entries(resource.resourceMethods ?? {})) {
                if (isEmbedded(method)) {
                    methods.set(verb, { ok: true, value: method });
                } else if (typeof resource.id === "string") {
                    const resourceId = resource.id;
                    this.options.progress.expect(1);
                    methods.set(verb, await this.attempt(`method ${verb} ${resource.path ?? resourceId} of REST API ${apiId}`,
                        () => this.options.client.send(new GetMethodCommand({ restApiId: apiId, resourceId, httpMethod: verb }))));
                }
            }
            snapshots.push({ resource, methods });
        }
        return snapshots;
    }

    private async readPlans(plans: readonly UsagePlan[]): Promise<UsagePlanSnapshot[]> {
        const withIds = plans.filter((plan): plan is UsagePlan & { id: string } => typeof plan.id === "string" && plan.id !== "");
        this.options.progress.expect(withIds.length * 2);
        return mapLimit(withIds, this.options.concurrency, async plan => {
            const label = `usage plan '${plan.name ?? plan.id}'`;
            const keys = await this.attempt(`keys of ${label}`, () => this.list(`keys of ${label}`,
                config => paginateGetUsagePlanKeys(config, { usagePlanId: plan.id }),
                page => (page.items ?? []).filter(item => typeof item.id === "string").map(item => ({
                    // The page also carries each key's value: only these three fields are kept.
                    id: item.id as string,
                    ...(item.name !== undefined ? { name: item.name } : {}),
                    ...(item.type !== undefined ? { type: item.type } : {}),
                }))));
            const usage = await this.attempt(`usage of ${label}`, () => this.readUsage(plan.id, label));
            return { plan, keys, usage };
        });
    }

    private async readUsage(planId: string, label: string): Promise<Map<string, number>> {
        const { window } = this.options;
        const requestsByKey = new Map<string, number>();
        const pages = await this.list(`usage of ${label}`,
            config => paginateGetUsage(config, { usagePlanId: planId, startDate: window.startDate, endDate: window.endDate }),
            page => [page.items ?? {}]);
        for (const items of pages) {
            for (const [keyId, days] of Object.entries(items)) {
                requestsByKey.set(keyId, (requestsByKey.get(keyId) ?? 0) + usedRequests(days));
            }
        }
        return requestsByKey;
    }

    /** All pages of a listing, bounded; a listing cut short is recorded, not hidden. */
    private async list<Page, Item>(
        what: string,
        paginate: (config: { client: APIGatewayClient; pageSize: number; stopOnSameToken: true }) => AsyncIterable<Page>,
        itemsOf: (page: Page) => readonly Item[] | undefined,
    ): Promise<Item[]> {
        const items: Item[] = [];
        let pages = 0;
        for await (const page of paginate({ client: this.options.client, pageSize: this.options.pageSize, stopOnSameToken: true })) {
            items.push(...(itemsOf(page) ?? []));
            if (++pages >= this.options.maxPages) {
                this.truncated.push(`${what} (stopped after ${pages} pages)`);
                break;
            }
        }
        return items;
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
            return { ok: false, problem: failure.phrase };
        } finally {
            this.options.progress.done(what);
        }
    }
}

/** An embedded method carries its verb; a bare link (`{}`) does not. */
function isEmbedded(method: Method): boolean {
    return typeof method.httpMethod === "string";
}

function summariseKey(key: ApiKey): ApiKeySummary {
    // Built field by field: a value, should one ever arrive, is never copied.
    return {
        id: key.id ?? "",
        ...(key.name !== undefined ? { name: key.name } : {}),
        ...(key.enabled !== undefined ? { enabled: key.enabled } : {}),
        ...(key.createdDate !== undefined ? { createdDate: key.createdDate } : {}),
        ...(key.tags !== undefined ? { tags: key.tags } : {}),
    };
}

/**
 * The requests in a key's daily log. Each entry is `[used, remaining]`; days without traffic may
 * be missing or shaped differently, so anything that is not a non-negative number counts as 0.
 */
export function usedRequests(days: readonly (readonly number[])[] | undefined): number {
    let total = 0;
    for (const day of days ?? []) {
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

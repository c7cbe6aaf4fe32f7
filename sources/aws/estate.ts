import { AccountClient, paginateListRegions } from "@aws-sdk/client-account";
import { OrganizationsClient, paginateListAccounts } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { Inventory, InventoryGap } from "apigw-guard/policies/model/index";
import { ACCOUNT_ID_PATTERN, partitionOf, REGION_PATTERN } from "./arn";
import { auditAccount, AuditOptions, AuditStats, DEFAULT_AUDIT_TIMEOUT_MS, DEFAULT_MAX_PAGES, defaultRegion, MAX_TIMER_MS } from "./audit";
import { AwsCredentials, clientOptionsFrom, ClientOptions, createAwsClient } from "./client";
import { AuditError, CallContext, classify, ClassifiedFailure } from "./errors";
import { RetryCounters } from "./retry";

/**
 * Every account and region of an estate, above `auditAccount`: which accounts (the
 * organization's active ones, a list, or the caller's own), credentials in each (STS AssumeRole of
 * one role name), which regions (given, or each account's enabled ones), then account × region
 * units through one bounded pool, each unit an `auditAccount` of one region with its own retries.
 *
 * One account or region that cannot be read is a gap of that account and the run goes on: a role
 * that cannot be assumed, a region that is not enabled (an opt-in region answers with
 * UnrecognizedClientException), an endpoint that cannot be reached. Only problems of the run
 * itself end it with an `AuditError`: no usable credentials at all, credentials AWS rejects, or
 * an organization that cannot be listed when `--org` was asked.
 */

export type AccountSelection =
    /** The account the credentials belong to (a single-account audit). */
    | { readonly kind: "caller" }
    /** Every ACTIVE account of the organization (from the management or a delegated administrator account). */
    | { readonly kind: "organization" }
    /** These 12-digit ids, in this order. */
    | { readonly kind: "list"; readonly accounts: readonly string[] };

export interface EstateOptions extends Omit<AuditOptions, "regions" | "account" | "onProgress" | "stats" | "clientFactory" | "runSignal"> {
    readonly accounts: AccountSelection;
    /** Regions to audit in every account; `all`: each account's enabled regions; empty: the default region. */
    readonly regions: readonly string[] | "all";
    /** The role assumed in each account (`arn:<partition>:iam::<account>:role/<roleName>`); absent: the caller's credentials. */
    readonly roleName?: string;
    /** Sent with AssumeRole when the role's trust policy asks for one (`sts:ExternalId`); never printed. */
    readonly externalId?: string;
    /** Account × region units audited at once (default 8). */
    readonly unitConcurrency?: number;
    /** Called as units and accounts finish. */
    readonly onProgress?: (progress: EstateProgress) => void;
    readonly stats?: EstateStats;
}

interface EstateProgress {
    readonly accountsDone: number;
    readonly accountsTotal: number;
    /** Within a single-account audit: the unit of work that finished, and how many are known. */
    readonly done: number;
    readonly total: number;
    readonly label: string;
}

export interface EstateStats extends AuditStats {
    /** Accounts selected, and those of which something was read. */
    accounts: number;
    accountsRead: number;
    /** Account × region units run. */
    units: number;
}

/** One account's result: everything read in its regions, and what could not be read. */
export interface AccountAudit {
    /** The account id; undefined only for a single-account audit whose caller identity could not be read. */
    readonly account?: string;
    /** The organization's name for it (`--org` only). */
    readonly name?: string;
    /** The regions audited (in the order they were given or listed). */
    readonly regions: readonly string[];
    readonly inventory: Inventory;
    /**
     * The credentials the account was read with (the assumed role's, renewed as needed), for what
     * must be done as the account itself: Security Hub imports a finding only from the account it
     * is about. Absent when the caller's own credentials (or the SDK's chain) were used.
     */
    readonly credentials?: AwsCredentials;
}

/** Account × region units at once: 8 units of 4 calls each stay well under API Gateway's control-plane rate per account and region. */
export const DEFAULT_UNIT_CONCURRENCY = 8;
/** One hour: the most a chained role session may last; refreshed before it ends. */
const SESSION_SECONDS = 3600;
/** Credentials are renewed this long before they expire (the SDK's own refresh margin is 5 minutes). */
const REFRESH_MARGIN_MS = 10 * 60 * 1000;
export const SESSION_NAME = "apigw-guard-audit";
/** IAM role names: 1-64 of letters, digits and `+=,.@_-`, optionally under a path. */
const ROLE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ENABLED_REGION_STATUSES = ["ENABLED", "ENABLED_BY_DEFAULT"] as const;

/** The Organizations endpoint lives in one region per partition. */
const ORGANIZATIONS_REGION: Readonly<Record<string, string>> = { "aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-northwest-1" };

export async function auditEstate(options: EstateOptions): Promise<AccountAudit[]> {
    validate(options);
    const stats = options.stats ?? { regions: 0, throttled: 0, retried: 0, exhausted: 0, accounts: 0, accountsRead: 0, units: 0 };
    const counters: RetryCounters = { throttled: 0, retried: 0, exhausted: 0 };
    const timeoutMs = options.timeoutMs ?? DEFAULT_AUDIT_TIMEOUT_MS;
    const run = new AbortController();
    const timer = timeoutMs <= MAX_TIMER_MS ? setTimeout(() => run.abort(), timeoutMs) : undefined;
    // Counted from zero: an estate where no account could be read has read nothing.
    stats.entitiesRead = 0;
    const estate = new Estate(options, stats, counters, run.signal, timeoutMs);
    try {
        return await estate.audit();
    } finally {
        clearTimeout(timer);
        stats.throttled += counters.throttled;
        stats.retried += counters.retried;
        stats.exhausted += counters.exhausted;
        stats.timedOut = (stats.timedOut ?? false) || run.signal.aborted;
    }
}

interface AccountPlan {
    readonly account?: string;
    readonly name?: string;
    credentials?: AwsCredentials;
    regions: string[];
    readonly gaps: InventoryGap[];
    readonly inventories: Inventory[];
    /** Entities read in its regions (not counting those standing for what could not be read). */
    entitiesRead: number;
    unitsLeft: number;
}

class Estate {
    private homeRegion = "";
    private partition = "aws";
    private callerAccount: string | undefined;
    private accountsDone = 0;

    constructor(
        private readonly options: EstateOptions,
        private readonly stats: EstateStats,
        private readonly counters: RetryCounters,
        private readonly runSignal: AbortSignal,
        private readonly timeoutMs: number,
    ) {}

    async audit(): Promise<AccountAudit[]> {
        const { options } = this;
        const given = options.regions === "all" ? [] : [...new Set(options.regions)];
        this.homeRegion = given[0] ?? await homeRegion(options);
        this.partition = partitionOf(this.homeRegion);
        const identityGaps: InventoryGap[] = [];
        // Needed for the caller's own account (single-account audits name it on every finding), and
        // to run without a role only when the caller's own account is the only one.
        if (options.accounts.kind === "caller" || options.roleName === undefined) {
            const identity = await this.callerIdentity();
            if (identity.ok) {
                this.callerAccount = identity.account;
                this.partition = identity.partition ?? this.partition;
            } else {
                identityGaps.push({ message: `the account id could not be read (sts:GetCallerIdentity: ${identity.problem}): findings do not name their account` });
            }
        }
        const selected = await this.selectAccounts();
        if (options.roleName === undefined) {
            const others = selected.filter(entry => entry.account !== this.callerAccount);
            if (others.length > 0) {
                throw new AuditError(`auditing account ${others[0].account}${others.length > 1 ? ` and ${others.length - 1} other(s)` : ""} needs --role-name (the role to assume in each account); without it only the caller's own account${this.callerAccount !== undefined ? ` (${this.callerAccount})` : ""} can be audited`, "usage");
            }
        }
        const plans: AccountPlan[] = selected.map(entry => ({
            ...(entry.account !== undefined ? { account: entry.account } : {}),
            ...(entry.name !== undefined ? { name: entry.name } : {}),
            regions: [],
            gaps: entry.account === undefined || entry.account === this.callerAccount ? [...identityGaps] : [],
            inventories: [],
            entitiesRead: 0,
            unitsLeft: 0,
        }));
        this.stats.accounts = plans.length;
        const pool = new Pool(Math.max(1, options.unitConcurrency ?? DEFAULT_UNIT_CONCURRENCY));
        for (const plan of plans) {
            pool.add(() => this.prepare(plan, given, pool));
        }
        await pool.done();
        return plans.map(plan => this.result(plan));
    }

    /** Credentials and regions of one account, then its units in the pool; a failure is the account's gap. */
    private async prepare(plan: AccountPlan, given: readonly string[], pool: Pool): Promise<void> {
        const label = plan.account !== undefined ? `account ${plan.account}` : "the account";
        if (this.runSignal.aborted) {
            plan.gaps.push({ message: `${label} was not audited: the audit's time limit ran out first` });
            return this.accountDone(plan, label);
        }
        if (this.options.roleName !== undefined && plan.account !== undefined) {
            const assumed = await this.assumeRole(plan.account);
            if (!assumed.ok) {
                plan.gaps.push({ message: `${label} was not audited: ${assumed.problem}` });
                return this.accountDone(plan, label);
            }
            plan.credentials = assumed.credentials;
        } else if (this.options.credentials !== undefined) {
            plan.credentials = this.options.credentials;
        }
        if (this.options.regions === "all") {
            const listed = await this.enabledRegions(plan);
            if (listed.ok) {
                plan.regions = listed.regions;
            } else {
                plan.regions = [this.homeRegion];
                plan.gaps.push({ message: `${label}: its enabled regions could not be listed (${listed.problem}; the audit role needs account:ListRegions): only ${this.homeRegion} was audited` });
            }
        } else {
            plan.regions = given.length > 0 ? [...given] : [this.homeRegion];
        }
        plan.unitsLeft = plan.regions.length;
        if (plan.unitsLeft === 0) {
            return this.accountDone(plan, label);
        }
        for (const region of plan.regions) {
            pool.add(() => this.unit(plan, region, label));
        }
    }

    private async unit(plan: AccountPlan, region: string, label: string): Promise<void> {
        const { options } = this;
        const unitStats: AuditStats = { regions: 0, throttled: 0, retried: 0, exhausted: 0 };
        try {
            if (this.runSignal.aborted) {
                plan.gaps.push({ message: `${region} of ${label} was not audited: the audit's time limit ran out first` });
                return;
            }
            this.stats.units++;
            const single = this.stats.accounts === 1;
            const inventory = await auditAccount({
                ...stripEstate(options),
                regions: [region],
                ...(plan.account !== undefined ? { account: plan.account } : {}),
                ...(plan.credentials !== undefined ? { credentials: plan.credentials } : {}),
                timeoutMs: this.timeoutMs,
                runSignal: this.runSignal,
                stats: unitStats,
                ...(single && options.onProgress !== undefined
                    ? { onProgress: (done: number, total: number, what: string) => options.onProgress?.({ accountsDone: 0, accountsTotal: 1, done, total, label: what }) }
                    : {}),
            });
            plan.inventories.push(inventory);
            plan.entitiesRead += unitStats.entitiesRead ?? 0;
        } catch (error) {
            // With the caller's own credentials a rejection or an unreachable endpoint ends the run, as
            // a single-account audit always has; in an assumed role's account it is that account's gap.
            if (!(error instanceof AuditError) || (error.reason !== "credentials" && error.reason !== "network") || this.options.roleName === undefined) {
                throw error;
            }
            plan.gaps.push({ message: `${region} of ${label} was not audited: ${unitProblem(error, region)}` });
        } finally {
            this.merge(unitStats);
            plan.unitsLeft--;
            if (plan.unitsLeft === 0) {
                this.accountDone(plan, label);
            }
        }
    }

    private merge(unit: AuditStats): void {
        const stats = this.stats;
        stats.regions += unit.regions;
        stats.throttled += unit.throttled;
        stats.retried += unit.retried;
        stats.exhausted += unit.exhausted;
        stats.entitiesRead = (stats.entitiesRead ?? 0) + (unit.entitiesRead ?? 0);
        stats.timedOut = (stats.timedOut ?? false) || unit.timedOut === true;
        const failures = { ...(stats.failures ?? {}) };
        for (const [kind, count] of Object.entries(unit.failures ?? {}) as [keyof typeof failures, number][]) {
            failures[kind] = (failures[kind] ?? 0) + count;
        }
        stats.failures = failures;
    }

    private accountDone(plan: AccountPlan, label: string): void {
        this.accountsDone++;
        if (plan.entitiesRead > 0) {
            this.stats.accountsRead++;
        }
        this.options.onProgress?.({ accountsDone: this.accountsDone, accountsTotal: this.stats.accounts, done: this.accountsDone, total: this.stats.accounts, label });
    }

    private result(plan: AccountPlan): AccountAudit {
        const entities = plan.inventories.flatMap(inventory => [...inventory.all()]);
        const secretTexts = new Set<string>();
        const seen = new Set<string>();
        const gaps: InventoryGap[] = [];
        // The account's own gaps first; a unit's time-limit note is the same in every region: once.
        for (const gap of [...plan.gaps, ...plan.inventories.flatMap(inventory => inventory.gaps)]) {
            const key = `${gap.ref ?? ""}\u0000${gap.message}`;
            if (!seen.has(key)) {
                seen.add(key);
                gaps.push(gap);
            }
        }
        for (const inventory of plan.inventories) {
            for (const text of inventory.secretTexts) {
                secretTexts.add(text);
            }
        }
        return {
            ...(plan.account !== undefined ? { account: plan.account } : {}),
            ...(plan.name !== undefined ? { name: plan.name } : {}),
            regions: plan.regions,
            inventory: new Inventory(entities, gaps, secretTexts),
            ...(plan.credentials !== undefined && plan.credentials !== this.options.credentials ? { credentials: plan.credentials } : {}),
        };
    }

    private clientOptions(region: string, credentials: AwsCredentials | undefined): ClientOptions {
        // The given credentials (an assumed role's), not the caller's: undefined means the SDK's chain.
        return clientOptionsFrom(region, this.counters, { ...this.options, credentials, runSignal: this.runSignal });
    }

    /** Where a call to `host` went, and the service's name for messages (`classify` names API Gateway by default). */
    private context(host: string, service: string, region: string): CallContext {
        return {
            region,
            service,
            endpoint: this.options.endpointUrl ?? `https://${host}.${region}.amazonaws.com`,
            ...(this.options.profile !== undefined ? { profile: this.options.profile } : {}),
        };
    }

    private async callerIdentity(): Promise<{ ok: true; account: string; partition?: string } | { ok: false; problem: string }> {
        const client = createAwsClient(STSClient, this.clientOptions(this.homeRegion, this.options.credentials));
        try {
            const answer = await client.send(new GetCallerIdentityCommand({}));
            if (typeof answer.Account !== "string" || !ACCOUNT_ID_PATTERN.test(answer.Account)) {
                return { ok: false, problem: "the answer holds no 12-digit account id" };
            }
            const partition = /^arn:([a-z-]+):/.exec(answer.Arn ?? "")?.[1];
            return { ok: true, account: answer.Account, ...(partition !== undefined ? { partition } : {}) };
        } catch (error) {
            const failure = classify(error, this.context("sts", "STS", this.homeRegion));
            // No credentials, or credentials AWS rejects: nothing of the audit can work.
            if (failure.fatal?.reason === "credentials") {
                throw failure.fatal;
            }
            return { ok: false, problem: failure.phrase };
        } finally {
            client.destroy();
        }
    }

    private async selectAccounts(): Promise<{ account?: string; name?: string }[]> {
        const selection = this.options.accounts;
        switch (selection.kind) {
            case "caller":
                return [this.callerAccount !== undefined ? { account: this.callerAccount } : {}];
            case "list":
                return [...new Set(selection.accounts)].map(account => ({ account }));
            case "organization":
                return this.organizationAccounts();
        }
    }

    /** The organization's ACTIVE accounts, by id; any failure ends the run (the whole audit depends on it). */
    private async organizationAccounts(): Promise<{ account: string; name?: string }[]> {
        const region = ORGANIZATIONS_REGION[this.partition] ?? this.homeRegion;
        const client = createAwsClient(OrganizationsClient, this.clientOptions(region, this.options.credentials));
        const found = new Map<string, string | undefined>();
        const maxPages = this.options.maxPages ?? DEFAULT_MAX_PAGES;
        let pages = 0;
        try {
            for await (const page of paginateListAccounts({ client, pageSize: 20 }, {})) {
                for (const entry of page.Accounts ?? []) {
                    // `State` replaces `Status` (retired September 2026); either says ACTIVE.
                    const state = entry.State ?? entry.Status;
                    if (typeof entry.Id === "string" && ACCOUNT_ID_PATTERN.test(entry.Id) && state === "ACTIVE") {
                        found.set(entry.Id, typeof entry.Name === "string" ? entry.Name : undefined);
                    }
                }
                if (++pages >= maxPages) {
                    throw new AuditError(`the organization's account list did not end within ${maxPages} pages`, "network");
                }
            }
        } catch (error) {
            if (error instanceof AuditError) {
                throw error;
            }
            throw organizationProblem(classify(error, this.context("organizations", "Organizations", region)), error);
        } finally {
            client.destroy();
        }
        if (found.size === 0) {
            throw new AuditError("the organization lists no ACTIVE account", "usage");
        }
        return [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([account, name]) => ({ account, ...(name !== undefined ? { name } : {}) }));
    }

    /**
     * Credentials of the role in `account`, renewed before they expire, so a run longer than a
     * session goes on. The first AssumeRole happens here: a role that cannot be assumed is known
     * before any unit of the account is queued.
     */
    private async assumeRole(account: string): Promise<{ ok: true; credentials: AwsCredentials } | { ok: false; problem: string }> {
        const roleArn = `arn:${this.partition}:iam::${account}:role/${this.options.roleName ?? ""}`;
        const client = createAwsClient(STSClient, this.clientOptions(this.homeRegion, this.options.credentials));
        const fetch = async () => {
            const answer = await client.send(new AssumeRoleCommand({
                RoleArn: roleArn,
                RoleSessionName: SESSION_NAME,
                DurationSeconds: SESSION_SECONDS,
                ...(this.options.externalId !== undefined ? { ExternalId: this.options.externalId } : {}),
            }));
            const c = answer.Credentials;
            if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined) {
                throw new AuditError(`AssumeRole of ${roleArn} answered without credentials`, "credentials");
            }
            return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, ...(c.Expiration !== undefined ? { expiration: c.Expiration } : {}) };
        };
        let current: Awaited<ReturnType<typeof fetch>>;
        try {
            current = await fetch();
        } catch (error) {
            client.destroy();
            const failure = classify(error, this.context("sts", "STS", this.homeRegion));
            if (failure.fatal?.reason === "credentials" && !isRoleProblem(error)) {
                // The caller's own credentials are missing or rejected: no account can be audited.
                throw failure.fatal;
            }
            return { ok: false, problem: `cannot assume ${roleArn} (${failure.phrase})${failure.kind === "denied" ? `: the role's trust policy must allow the auditing principal${this.options.externalId !== undefined ? " with this external id" : ""}, and the caller needs sts:AssumeRole on it` : ""}` };
        }
        let renewing: Promise<Awaited<ReturnType<typeof fetch>>> | undefined;
        const provider = async () => {
            if (current.expiration !== undefined && current.expiration.getTime() - Date.now() < REFRESH_MARGIN_MS) {
                renewing ??= fetch().finally(() => {
                    renewing = undefined;
                });
                try {
                    current = await renewing;
                } catch (error) {
                    // Phrased by the audit as a gap of the unit that needed it, never with the answer's text.
                    throw new AuditError(`the session in account ${account} could not be renewed (${classify(error, this.context("sts", "STS", this.homeRegion)).phrase})`, "credentials");
                }
            }
            return current;
        };
        // The STS client lives as long as the run may renew; it holds no socket between calls.
        this.runSignal.addEventListener("abort", () => client.destroy(), { once: true });
        return { ok: true, credentials: provider };
    }

    private async enabledRegions(plan: AccountPlan): Promise<{ ok: true; regions: string[] } | { ok: false; problem: string }> {
        const client = createAwsClient(AccountClient, this.clientOptions(this.homeRegion, plan.credentials));
        const regions: string[] = [];
        try {
            for await (const page of paginateListRegions({ client, pageSize: 50 }, { RegionOptStatusContains: [...ENABLED_REGION_STATUSES] })) {
                for (const entry of page.Regions ?? []) {
                    const name = entry.RegionName;
                    if (typeof name === "string" && REGION_PATTERN.test(name) && (ENABLED_REGION_STATUSES as readonly string[]).includes(entry.RegionOptStatus ?? "")) {
                        regions.push(name);
                    }
                }
            }
        } catch (error) {
            const failure = classify(error, this.context("account", "the Account API", this.homeRegion));
            if (failure.fatal !== undefined && plan.credentials === this.options.credentials) {
                // The caller's own credentials, rejected or missing: nothing else will work either.
                throw failure.fatal;
            }
            return { ok: false, problem: failure.phrase };
        } finally {
            client.destroy();
        }
        return { ok: true, regions: [...new Set(regions)].sort() };
    }
}

/**
 * The region STS and the Account API are asked in: the default region, or with `--region all`
 * and none set, us-east-1 (the Account API's own endpoint; every account has it enabled).
 */
async function homeRegion(options: EstateOptions): Promise<string> {
    try {
        return await defaultRegion(options);
    } catch (error) {
        if (options.regions === "all" && error instanceof AuditError && error.reason === "region") {
            return "us-east-1";
        }
        throw error;
    }
}

/** STS's answers about the role itself (not the caller's credentials): that account's gap. */
function isRoleProblem(error: unknown): boolean {
    const name = (error as { name?: unknown } | undefined)?.name;
    return name === "RegionDisabledException" || name === "ExpiredTokenException" || name === "MalformedPolicyDocument";
}

function organizationProblem(failure: ClassifiedFailure, error: unknown): AuditError {
    if (failure.fatal !== undefined) {
        return failure.fatal.reason === "network" ? new AuditError(`--org: ${failure.phrase}`, "network") : failure.fatal;
    }
    const name = (error as { name?: unknown } | undefined)?.name;
    if (name === "AWSOrganizationsNotInUseException") {
        return new AuditError("--org: the caller's account is not in an organization (AWSOrganizationsNotInUseException)", "usage");
    }
    if (failure.kind === "denied") {
        return new AuditError(`--org: cannot list the organization's accounts (${failure.phrase}): run from the management account or a delegated administrator, with organizations:ListAccounts`, "credentials");
    }
    return new AuditError(`--org: cannot list the organization's accounts (${failure.phrase})`, "network");
}

/** Why one region of one account could not be audited, in words a person acts on. */
function unitProblem(error: AuditError, region: string): string {
    if (error.reason === "credentials" && /UnrecognizedClientException|InvalidClientTokenId/.test(error.message)) {
        return `AWS does not accept the account's credentials in ${region} (UnrecognizedClientException): the region is most likely an opt-in region not enabled for this account`;
    }
    return error.message;
}

function stripEstate(options: EstateOptions): Omit<AuditOptions, "regions"> {
    const { accounts: _accounts, regions: _regions, roleName: _role, externalId: _external, unitConcurrency: _units, onProgress: _progress, stats: _stats, ...rest } = options;
    return rest;
}

function validate(options: EstateOptions): void {
    if (options.roleName !== undefined && !ROLE_NAME.test(options.roleName)) {
        throw new AuditError(`--role-name: '${options.roleName}' is not an IAM role name (letters, digits and +=,.@_- up to 64 characters)`, "usage");
    }
    // Not quoted: an external id is a shared secret of the trust policy.
    if (options.externalId !== undefined && !EXTERNAL_ID.test(options.externalId)) {
        throw new AuditError("--external-id: not a valid external id (2-1224 characters of letters, digits and +=,.@:/-)", "usage");
    }
    if (options.accounts.kind === "list") {
        for (const account of options.accounts.accounts) {
            if (!ACCOUNT_ID_PATTERN.test(account)) {
                throw new AuditError(`'${account}' is not an AWS account id (12 digits)`, "usage");
            }
        }
    }
    if (options.unitConcurrency !== undefined && (!Number.isInteger(options.unitConcurrency) || options.unitConcurrency < 1)) {
        throw new AuditError(`the concurrency must be a whole number of at least 1, got ${String(options.unitConcurrency)}`, "usage");
    }
    if (options.regions !== "all") {
        for (const region of options.regions) {
            if (!REGION_PATTERN.test(region)) {
                throw new AuditError(`'${region}' is not an AWS region name (e.g. us-east-1, eu-west-2)`, "region");
            }
        }
    }
}

/**
 * At most `limit` tasks at once; tasks may add more (an account's preparation queues its units).
 * The first task to throw ends the pool: no new task starts, and `done` rejects with its error.
 */
class Pool {
    private readonly queue: (() => Promise<void>)[] = [];
    private running = 0;
    private failure: { error: unknown } | undefined;
    private settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;

    constructor(private readonly limit: number) {}

    add(task: () => Promise<void>): void {
        this.queue.push(task);
        this.pump();
    }

    done(): Promise<void> {
        return new Promise<void>((resolve, reject) => {
            this.settle = { resolve, reject };
            this.check();
        });
    }

    private pump(): void {
        while (this.failure === undefined && this.running < this.limit && this.queue.length > 0) {
            const task = this.queue.shift() as () => Promise<void>;
            this.running++;
            void task().catch(error => {
                this.failure ??= { error };
            }).finally(() => {
                this.running--;
                this.pump();
                this.check();
            });
        }
    }

    private check(): void {
        if (this.settle === undefined || this.running > 0) {
            return;
        }
        if (this.failure !== undefined) {
            this.settle.reject(this.failure.error);
        } else if (this.queue.length === 0) {
            this.settle.resolve();
        }
    }
}

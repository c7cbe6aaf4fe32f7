/**
 * The organization audit at scale (`npm run bench -- --only org`, or on its own:
 * `node dist/bench/org.js [--quick]`): the real `auditEstate` (real SDK clients for STS,
 * Organizations, Account and API Gateway) over 200 accounts × 4 regions behind one `FakeAws`
 * endpoint. It asserts that the requests made are exactly the pages of every listing (nothing per
 * account or region beyond them) and that no more requests were ever in flight than the bound
 * (units × per-region concurrency), and prints both with the wall time and the peak RSS.
 * The fakes run in the same process: the RSS is theirs and the audit's together.
 */
import { auditEstate, DEFAULT_UNIT_CONCURRENCY, EstateStats } from "../sources/aws/estate";
import { FakeApiGateway, FakeRegion } from "../testkit/fake-apigateway";
import { FakeAws, FakeHandler, perAccount } from "../testkit/fake-aws";
import { FakeOrganization, FakeOrgAccount } from "../testkit/fake-org";
import { FakeApiGatewayV2 } from "../testkit/fake-apigatewayv2";
import { FakeLogs } from "../testkit/fake-logs";
import { auditRegion, expectedAuditRequests, expectedCompanionRequests } from "./audit-fixture";
import { ESTATE_NOW } from "./estate";
import { round } from "./stats";

export interface OrgBenchOptions {
    readonly accounts: number;
    readonly regions: readonly string[];
    readonly unitConcurrency: number;
    /** Calls in flight per unit (auditAccount's per-region concurrency). */
    readonly perUnit: number;
}

export interface OrgBenchResult {
    readonly accounts: number;
    readonly regions: number;
    readonly requests: number;
    readonly expectedRequests: number;
    readonly exact: boolean;
    readonly peakInFlight: number;
    readonly bound: number;
    readonly wallMs: number;
    readonly peakRssMiB: number;
    readonly entities: number;
    readonly gaps: number;
}

const MANAGEMENT = "100000000000";
const ROLE = "ApigwGuardAudit";
/** A small account: a few APIs, keys and plans in each region. */
const SHAPE = { keys: 30, plans: 3, restApis: 3, resourcesPerApi: 6, usedFraction: 0.5 };
const ORG_PAGE = 20;
const PAGE_SIZE = 500;
/**
 * Each API Gateway answer waits this long, as a round trip to AWS does (real ones take 30-100 ms):
 * the fakes answer within one tick otherwise, so no two requests would ever be in flight together
 * and the concurrency bound would be measured against nothing.
 */
const LATENCY_MS = 10;

export async function measureOrgAudit(options: OrgBenchOptions): Promise<OrgBenchResult> {
    const ids = Array.from({ length: options.accounts }, (_, i) => String(Number(MANAGEMENT) + i).padStart(12, "0"));
    const region: FakeRegion = auditRegion(SHAPE);
    const gateways: Record<string, FakeApiGateway> = {};
    const handlers: Record<string, FakeHandler> = {};
    for (const id of ids) {
        const gateway = new FakeApiGateway(Object.fromEntries(options.regions.map(r => [r, region])), { forgetBodies: true, latencyMs: LATENCY_MS });
        gateways[id] = gateway;
        handlers[id] = gateway.serve.bind(gateway);
    }
    const accounts: FakeOrgAccount[] = ids.map(id => ({ id, name: `acct-${id}`, roles: { [ROLE]: {} }, regions: Object.fromEntries(options.regions.map(r => [r, "ENABLED_BY_DEFAULT" as const])) }));
    // No HTTP APIs and no log groups in any account: each lookup is one empty page.
    const v2 = new FakeApiGatewayV2({});
    const logs = new FakeLogs({});
    let org: FakeOrganization | undefined;
    const service = (name: string): FakeHandler => (request, response, call) => (org as FakeOrganization).services[name](request, response, call);
    const aws = new FakeAws({
        services: {
            sts: service("sts"), organizations: service("organizations"), account: service("account"), apigateway: perAccount(handlers),
            apigatewayv2: v2.serve.bind(v2), logs: logs.serve.bind(logs),
        },
        defaultAccount: MANAGEMENT,
        mounted: Object.values(gateways),
    });
    org = new FakeOrganization(aws, { management: MANAGEMENT, accounts, pageSize: ORG_PAGE });
    const url = await aws.start();
    try {
        const stats: EstateStats = { regions: 0, throttled: 0, retried: 0, exhausted: 0, accounts: 0, accountsRead: 0, units: 0 };
        const started = process.hrtime.bigint();
        const audited = await auditEstate({
            accounts: { kind: "organization" },
            roleName: ROLE,
            regions: "all",
            endpointUrl: url,
            credentials: { accessKeyId: "AKIDBENCHORGAUDIT001", secretAccessKey: "bench-secret-access-key" },
            unusedDays: 30,
            now: new Date(ESTATE_NOW),
            unitConcurrency: options.unitConcurrency,
            concurrency: options.perUnit,
            requestTimeoutMs: 60_000,
            stats,
        });
        const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
        const v1PerRegion = Object.values(expectedAuditRequests(region, PAGE_SIZE)).reduce((a, b) => a + b, 0);
        // Every account is known to the audit: the fixture's destinations name another one, so only execution-log groups are looked up.
        const companionsPerRegion = (name: string) => {
            const { v2: v2Pages, logs: lookups } = expectedCompanionRequests(region, name, ids[0]);
            return v2Pages + lookups;
        };
        const perRegion = v1PerRegion + options.regions.reduce((sum, name) => sum + companionsPerRegion(name), 0) / options.regions.length;
        const regionPages = Math.max(1, Math.ceil(options.regions.length / 50));
        // ListAccounts pages + per account: AssumeRole, ListRegions pages, and every region's listings.
        const expected = Math.ceil(options.accounts / ORG_PAGE) + options.accounts * (1 + regionPages + options.regions.length * perRegion);
        const requests = [...aws.counts.values()].reduce((a, b) => a + b, 0);
        return {
            accounts: audited.length,
            regions: options.regions.length,
            requests,
            expectedRequests: expected,
            exact: requests === expected,
            peakInFlight: aws.maxInFlight,
            bound: options.unitConcurrency * options.perUnit,
            wallMs: round(wallMs, 0),
            peakRssMiB: round(process.resourceUsage().maxRSS / 1024, 0),
            entities: audited.reduce((sum, a) => sum + a.inventory.size, 0),
            gaps: audited.reduce((sum, a) => sum + a.inventory.gaps.length, 0),
        };
    } finally {
        await aws.stop();
    }
}

export function orgBenchOptions(quick: boolean): OrgBenchOptions {
    return { accounts: quick ? 40 : 200, regions: ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"], unitConcurrency: DEFAULT_UNIT_CONCURRENCY, perUnit: 4 };
}

/** Throws when the audit made other requests than the pages, or more at once than the bound. */
export function checkOrgBench(result: OrgBenchResult): void {
    if (!result.exact) {
        throw new Error(`organization audit: ${result.requests} requests, expected exactly ${result.expectedRequests} (the pages of every listing)`);
    }
    if (result.peakInFlight > result.bound) {
        throw new Error(`organization audit: ${result.peakInFlight} requests in flight at once, above the bound ${result.bound}`);
    }
    if (result.gaps !== 0) {
        throw new Error(`organization audit: ${result.gaps} gaps in an estate where everything is readable`);
    }
}

if (require.main === module) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const quick = process.argv.includes("--quick");
    measureOrgAudit(orgBenchOptions(quick)).then(result => {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        checkOrgBench(result);
        process.stdout.write(`requests ${result.requests} = pages ${result.expectedRequests}; peak in flight ${result.peakInFlight} of bound ${result.bound}; wall ${result.wallMs} ms; peak RSS ${result.peakRssMiB} MiB\n`);
    }, (error: unknown) => {
        process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
    }).catch((error: unknown) => {
        process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
    });
}

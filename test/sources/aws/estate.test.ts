import assert from "node:assert/strict";
import { Inventory } from "apigw-guard/policies/model/index";
import { AuditError } from "../../../sources/aws/errors";
import { AccountAudit, auditEstate, EstateOptions, EstateStats, SESSION_NAME } from "../../../sources/aws/estate";
import { CREDENTIALS, FAST_RETRY, NOW } from "./support";
import { EXTERNAL_ID, gatewayOf, MANAGEMENT, ROLE, roleIn, startWorld, World } from "./estate-world";

const US = "us-east-1";
const EU = "eu-west-1";
const OPT_IN = "eu-south-2";

function newStats(): EstateStats {
    return { regions: 0, throttled: 0, retried: 0, exhausted: 0, accounts: 0, accountsRead: 0, units: 0 };
}

async function estate(world: World, options: Partial<EstateOptions> & Pick<EstateOptions, "accounts">): Promise<{ accounts: AccountAudit[]; stats: EstateStats }> {
    const stats = newStats();
    const accounts = await auditEstate({
        regions: [US],
        endpointUrl: world.url,
        credentials: CREDENTIALS,
        unusedDays: 30,
        now: NOW,
        retry: FAST_RETRY,
        requestTimeoutMs: 5_000,
        connectionTimeoutMs: 2_000,
        stats,
        ...options,
    });
    return { accounts, stats };
}

function byId(accounts: readonly AccountAudit[]): Map<string | undefined, AccountAudit> {
    return new Map(accounts.map(a => [a.account, a]));
}

/** Every entity names the account and a region it was read in. */
function assertProvenance(inventory: Inventory, account: string, regions: readonly string[]): void {
    let seen = 0;
    for (const entity of inventory.all()) {
        assert.equal(entity.provenance.account, account, `${entity.ref} names account ${String(entity.provenance.account)}`);
        assert.ok(entity.provenance.region !== undefined && regions.includes(entity.provenance.region), `${entity.ref} region ${String(entity.provenance.region)}`);
        seen++;
    }
    assert.ok(seen > 0, `account ${account} has entities`);
}

describe("sources/aws/estate: every account and region", function () {
    this.timeout(60_000);

    it("--org: lists the organization page by page, skips what is not ACTIVE, assumes the role in each account, and audits each in its own name", async () => {
        const world = await startWorld([
            { id: MANAGEMENT, name: "management", roles: roleIn() },
            { id: "222222222222", name: "payments", roles: roleIn(EXTERNAL_ID) },
            { id: "333333333333", name: "old", state: "SUSPENDED", roles: roleIn() },
            { id: "444444444444", name: "sandbox", roles: roleIn(), state: "CLOSED" },
            { id: "555555555555", name: "data", roles: roleIn() },
        ], { [MANAGEMENT]: gatewayOf([US]), "222222222222": gatewayOf([US]), "333333333333": gatewayOf([US]), "555555555555": gatewayOf([US]) }, { pageSize: 2 });
        try {
            const { accounts, stats } = await estate(world, { accounts: { kind: "organization" }, roleName: ROLE, externalId: EXTERNAL_ID });
            assert.deepEqual(world.org.listAccountsPages, [0, 2, 4], "three pages of two accounts, read to the end");
            assert.deepEqual(accounts.map(a => a.account), [MANAGEMENT, "222222222222", "555555555555"]);
            assert.deepEqual(accounts.map(a => a.name), ["management", "payments", "data"]);
            for (const audited of accounts) {
                assertProvenance(audited.inventory, audited.account as string, [US]);
                assert.deepEqual(audited.inventory.gaps, [], `account ${String(audited.account)} has no gap`);
            }
            assert.equal(world.gateways["333333333333"].requests.length, 0, "a suspended account is not audited");
            const assumed = world.org.assumeRequests.map(r => r.roleArn).sort();
            assert.deepEqual(assumed, [MANAGEMENT, "222222222222", "555555555555"].map(a => `arn:aws:iam::${a}:role/${ROLE}`));
            for (const request of world.org.assumeRequests) {
                assert.equal(request.sessionName, SESSION_NAME);
                assert.equal(request.durationSeconds, 3600);
                assert.equal(request.externalIdGiven, true);
                assert.equal(request.granted, true);
            }
            // Each account's API Gateway was read only with that account's credentials.
            for (const account of [MANAGEMENT, "222222222222", "555555555555"]) {
                assert.ok(world.gateways[account].requests.length > 0);
            }
            assert.equal(stats.accounts, 3);
            assert.equal(stats.accountsRead, 3);
            assert.equal(stats.units, 3);
        } finally {
            await world.stop();
        }
    });

    it("an account whose role cannot be assumed is that account's gap; the others are audited", async () => {
        const world = await startWorld([
            { id: MANAGEMENT, name: "management", roles: roleIn() },
            { id: "222222222222", name: "no-role" },
            { id: "666666666666", name: "wrong-external-id", roles: roleIn("another-external-id") },
        ], { [MANAGEMENT]: gatewayOf([US]), "222222222222": gatewayOf([US]), "666666666666": gatewayOf([US]) });
        try {
            const { accounts } = await estate(world, { accounts: { kind: "list", accounts: ["222222222222", MANAGEMENT, "666666666666"] }, roleName: ROLE, externalId: EXTERNAL_ID });
            const found = byId(accounts);
            assert.deepEqual(accounts.map(a => a.account), ["222222222222", MANAGEMENT, "666666666666"], "in the order given");
            for (const account of ["222222222222", "666666666666"]) {
                const audited = found.get(account) as AccountAudit;
                assert.equal(audited.inventory.size, 0);
                assert.equal(audited.inventory.gaps.length, 1);
                assert.match(audited.inventory.gaps[0].message, new RegExp(`^account ${account} was not audited: cannot assume arn:aws:iam::${account}:role/${ROLE} \\(access denied \\(AccessDenied\\)\\): the role's trust policy must allow`));
                assert.doesNotMatch(audited.inventory.gaps[0].message, new RegExp(EXTERNAL_ID), "the external id is never printed");
                assert.equal(world.gateways[account].requests.length, 0);
            }
            assertProvenance((found.get(MANAGEMENT) as AccountAudit).inventory, MANAGEMENT, [US]);
        } finally {
            await world.stop();
        }
    });

    it("a region the account has not enabled is that region's gap (UnrecognizedClientException), its other regions are audited", async () => {
        const world = await startWorld([
            { id: MANAGEMENT, name: "management", roles: roleIn(), regions: { [US]: "ENABLED_BY_DEFAULT", [OPT_IN]: "ENABLED" } },
            { id: "222222222222", name: "payments", roles: roleIn(), regions: { [US]: "ENABLED_BY_DEFAULT", [OPT_IN]: "DISABLED" } },
        ], { [MANAGEMENT]: gatewayOf([US, OPT_IN]), "222222222222": gatewayOf([US, OPT_IN]) });
        try {
            const { accounts } = await estate(world, { accounts: { kind: "list", accounts: [MANAGEMENT, "222222222222"] }, roleName: ROLE, regions: [US, OPT_IN] });
            const found = byId(accounts);
            const management = found.get(MANAGEMENT) as AccountAudit;
            const payments = found.get("222222222222") as AccountAudit;
            assertProvenance(management.inventory, MANAGEMENT, [US, OPT_IN]);
            assert.deepEqual(new Set([...management.inventory.all()].map(e => e.provenance.region)), new Set([US, OPT_IN]));
            assertProvenance(payments.inventory, "222222222222", [US]);
            assert.deepEqual(payments.inventory.gaps.map(g => g.message), [
                `${OPT_IN} of account 222222222222 was not audited: AWS does not accept the account's credentials in ${OPT_IN} (UnrecognizedClientException): the region is most likely an opt-in region not enabled for this account`,
            ]);
        } finally {
            await world.stop();
        }
    });

    it("--region all: each account's enabled regions (ListRegions, paginated); an account that denies account:ListRegions is audited in the home region with a gap naming the permission", async () => {
        const world = await startWorld([
            { id: MANAGEMENT, name: "management", roles: roleIn(), regions: { [US]: "ENABLED_BY_DEFAULT", [EU]: "ENABLED_BY_DEFAULT", "ap-east-1": "DISABLED", [OPT_IN]: "ENABLED" } },
            { id: "222222222222", name: "payments", roles: roleIn(), denyListRegions: true },
        ], { [MANAGEMENT]: gatewayOf([US, EU, OPT_IN, "ap-east-1"]), "222222222222": gatewayOf([US]) }, { regionPageSize: 1 });
        try {
            const { accounts } = await estate(world, { accounts: { kind: "organization" }, roleName: ROLE, regions: "all" });
            const found = byId(accounts);
            const management = found.get(MANAGEMENT) as AccountAudit;
            assert.deepEqual(management.regions, [OPT_IN, EU, US], "enabled regions only, sorted");
            assert.deepEqual(new Set(world.gateways[MANAGEMENT].requests.map(r => r.region)), new Set([US, EU, OPT_IN]));
            assert.deepEqual(management.inventory.gaps, []);
            const payments = found.get("222222222222") as AccountAudit;
            assert.deepEqual(payments.regions, [US]);
            assert.deepEqual(payments.inventory.gaps.map(g => g.message), [
                `account 222222222222: its enabled regions could not be listed (access denied (AccessDeniedException); the audit role needs account:ListRegions): only ${US} was audited`,
            ]);
            assertProvenance(payments.inventory, "222222222222", [US]);
            // One region a page: three pages for the three enabled regions; each account asked with its own credentials.
            assert.deepEqual(world.org.listRegionsCalls.sort(), [MANAGEMENT, MANAGEMENT, MANAGEMENT, "222222222222"]);
        } finally {
            await world.stop();
        }
    });

    it("a read denied inside one account is a gap of that account only", async () => {
        const world = await startWorld([
            { id: MANAGEMENT, name: "management", roles: roleIn() },
            { id: "222222222222", name: "payments", roles: roleIn() },
        ], { [MANAGEMENT]: gatewayOf([US]), "222222222222": gatewayOf([US], { deny: [/^\/apikeys$/] }) });
        try {
            const { accounts, stats } = await estate(world, { accounts: { kind: "organization" }, roleName: ROLE });
            const found = byId(accounts);
            assert.deepEqual((found.get(MANAGEMENT) as AccountAudit).inventory.gaps, []);
            const gaps = (found.get("222222222222") as AccountAudit).inventory.gaps.map(g => g.message);
            assert.equal(gaps.length, 1);
            assert.match(gaps[0], /API keys/);
            assert.match(gaps[0], /access denied/);
            assert.equal((found.get(MANAGEMENT) as AccountAudit).inventory.ofKind("api-key").length, 4);
            assert.equal(stats.failures?.denied, 1);
        } finally {
            await world.stop();
        }
    });

    it("runs units concurrently, never more requests at once than units x per-region concurrency", async () => {
        const accounts = ["222222222222", "333333333333", "444444444444", "555555555555", "666666666666", "777777777777"];
        const gateways = Object.fromEntries([MANAGEMENT, ...accounts].map(a => [a, gatewayOf([US, EU], { latencyMs: 15 })]));
        const world = await startWorld([MANAGEMENT, ...accounts].map(id => ({ id, name: `acct-${id}`, roles: roleIn() })), gateways);
        try {
            const { accounts: audited, stats } = await estate(world, { accounts: { kind: "organization" }, roleName: ROLE, regions: [US, EU], unitConcurrency: 3, concurrency: 2 });
            assert.equal(audited.length, 7);
            assert.equal(stats.units, 14);
            assert.ok(world.aws.maxInFlight <= 3 * 2, `at most 6 requests at once, saw ${world.aws.maxInFlight}`);
            assert.ok(world.aws.maxInFlight > 2, `units overlapped (more requests at once than one unit allows), saw ${world.aws.maxInFlight}`);
            for (const account of audited) {
                assertProvenance(account.inventory, account.account as string, [US, EU]);
            }
        } finally {
            await world.stop();
        }
    });

    it("a single-account audit learns its account id from sts:GetCallerIdentity; if that fails it is a gap and the audit goes on", async () => {
        const world = await startWorld([{ id: MANAGEMENT, name: "management" }], { [MANAGEMENT]: gatewayOf([US]) });
        try {
            const { accounts } = await estate(world, { accounts: { kind: "caller" } });
            assert.equal(accounts.length, 1);
            assert.equal(accounts[0].account, MANAGEMENT);
            assertProvenance(accounts[0].inventory, MANAGEMENT, [US]);
            assert.equal(world.org.assumeRequests.length, 0, "no role is assumed for the caller's own account");
        } finally {
            await world.stop();
        }
        // The same audit where STS answers with an error: the account is unnamed, the audit complete.
        const broken = await startWorld([{ id: MANAGEMENT, name: "management" }], { [MANAGEMENT]: gatewayOf([US]) });
        broken.org.stsFault = { status: 500, code: "InternalFailure", type: "Receiver" };
        try {
            const { accounts } = await estate(broken, { accounts: { kind: "caller" } });
            assert.equal(accounts.length, 1);
            assert.equal(accounts[0].account, undefined);
            assert.ok(accounts[0].inventory.size > 0);
            assert.equal(accounts[0].inventory.gaps.length, 1);
            assert.match(accounts[0].inventory.gaps[0].message, /^the account id could not be read \(sts:GetCallerIdentity: server error \(InternalFailure, HTTP 500\) after retries\): findings do not name their account$/);
            for (const entity of accounts[0].inventory.all()) {
                assert.equal(entity.provenance.account, undefined);
            }
        } finally {
            await broken.stop();
        }
    });

    it("ends the run only for the run's own problems: Organizations denied to a member account, other accounts without --role-name, bad ids", async () => {
        const world = await startWorld([{ id: MANAGEMENT, name: "management", roles: roleIn() }, { id: "222222222222", name: "member", roles: roleIn() }], { [MANAGEMENT]: gatewayOf([US]) });
        try {
            // Signed as the member account: not the management account, not a delegated administrator.
            world.aws.credentialsFor("AKIDMEMBERACCOUNT001", "222222222222");
            await assert.rejects(
                estate(world, { accounts: { kind: "organization" }, roleName: ROLE, credentials: { accessKeyId: "AKIDMEMBERACCOUNT001", secretAccessKey: "s" } }),
                (error: unknown) => error instanceof AuditError && /^--org: cannot list the organization's accounts \(access denied \(AccessDeniedException\)\): run from the management account or a delegated administrator, with organizations:ListAccounts$/.test(error.message),
            );
            await assert.rejects(
                estate(world, { accounts: { kind: "list", accounts: [MANAGEMENT, "222222222222"] } }),
                (error: unknown) => error instanceof AuditError && error.reason === "usage" && /^auditing account 222222222222 needs --role-name/.test(error.message),
            );
            await assert.rejects(estate(world, { accounts: { kind: "list", accounts: ["12345"] }, roleName: ROLE }), /'12345' is not an AWS account id/);
            await assert.rejects(estate(world, { accounts: { kind: "organization" }, roleName: "bad role!" }), /--role-name: 'bad role!' is not an IAM role name/);
            // Only the caller's own account, without a role: allowed.
            const { accounts } = await estate(world, { accounts: { kind: "list", accounts: [MANAGEMENT] } });
            assert.equal(accounts[0].account, MANAGEMENT);
            assert.ok(accounts[0].inventory.size > 0);
        } finally {
            await world.stop();
        }
    });
});

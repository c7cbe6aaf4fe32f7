import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { FakeOrgAccount } from "../../testkit/fake-org";
import { FakeSecurityHub } from "../../testkit/fake-securityhub";
import { EXTERNAL_ID, gatewayOf, MANAGEMENT, ROLE, roleIn, startWorld, World } from "../sources/aws/estate-world";
import { ROOT } from "../report/fixture";
import { auditInProcess } from "./audit-helpers";
import { assertCleanErrors, parseReport } from "./helpers";

const US = "us-east-1";
const EU = "eu-west-1";
const PAYMENTS = "222222222222";
const NO_ROLE = "444444444444";
const GOLDEN_DIR = path.join(ROOT, "test", "report", "golden");
/** The organization audit's golden reports, beside the single-input ones (UPDATE_GOLDEN=1 rewrites them). */
const ESTATE_GOLDEN: Readonly<Record<string, string>> = {
    text: "estate.txt", json: "estate.json", sarif: "estate.sarif", junit: "estate.junit.xml", markdown: "estate.md", html: "estate.html",
};

function organization(): FakeOrgAccount[] {
    return [
        { id: MANAGEMENT, name: "management", roles: roleIn(EXTERNAL_ID), regions: { [US]: "ENABLED_BY_DEFAULT", [EU]: "ENABLED_BY_DEFAULT" } },
        { id: PAYMENTS, name: "payments", roles: roleIn(EXTERNAL_ID), regions: { [US]: "ENABLED_BY_DEFAULT", [EU]: "ENABLED_BY_DEFAULT" } },
        { id: "333333333333", name: "retired", state: "SUSPENDED", roles: roleIn(EXTERNAL_ID) },
        { id: NO_ROLE, name: "sandbox" },
    ];
}

async function startOrg(): Promise<World> {
    return startWorld(organization(), {
        [MANAGEMENT]: gatewayOf([US, EU]),
        [PAYMENTS]: gatewayOf([US, EU], { deny: [/^\/domainnames$/] }),
        [NO_ROLE]: gatewayOf([US]),
    }, { pageSize: 2 });
}

const ORG_ARGS = ["--org", "--role-name", ROLE, "--external-id", EXTERNAL_ID, "--region", "all"];

describe("cli: apigw-guard audit of an organization (--org, --accounts, --role-name, --region all)", function () {
    this.timeout(120_000);
    let world: World;
    let dir: string;

    before(async () => {
        world = await startOrg();
        dir = mkdtempSync(path.join(tmpdir(), "apigw-guard-estate-"));
    });
    after(async () => {
        await world.stop();
        rmSync(dir, { recursive: true, force: true });
    });

    it("--org --region all: one report input per ACTIVE account, every finding names its account and region, the unassumable account is a note; exit 1 on blocking findings", async () => {
        const run = await auditInProcess([...ORG_ARGS, "--endpoint-url", world.url, "--format", "json"]);
        assert.equal(run.status, 1, run.stderr);
        assert.equal(run.stderr, "");
        const report = parseReport(run.stdout);
        const inputs = report.inputs as unknown as { file: string; kind: string; account?: { id: string; name?: string; regions: string[] }; gaps?: { message: string }[] }[];
        assert.deepEqual(inputs.map(i => i.file), [`aws account ${MANAGEMENT}`, `aws account ${PAYMENTS}`, `aws account ${NO_ROLE}`]);
        assert.deepEqual(inputs.map(i => i.account), [
            { id: MANAGEMENT, name: "management", regions: [EU, US] },
            { id: PAYMENTS, name: "payments", regions: [EU, US] },
            { id: NO_ROLE, name: "sandbox", regions: [] },
        ]);
        assert.deepEqual(inputs[2].gaps?.map(g => g.message), [`account ${NO_ROLE} was not audited: cannot assume arn:aws:iam::${NO_ROLE}:role/${ROLE} (access denied (AccessDenied)): the role's trust policy must allow the auditing principal with this external id, and the caller needs sts:AssumeRole on it`]);
        assert.equal(inputs[0].gaps, undefined);
        assert.deepEqual(inputs[1].gaps?.map(g => g.message).filter(m => /custom domain names/.test(m)).length, 2, "the payments account's denied domain listing, in each region");
        const entityFindings = report.findings.filter(f => f.entity !== undefined);
        assert.ok(entityFindings.length > 0);
        for (const finding of entityFindings) {
            const p = finding.entity?.provenance as { account?: string; region?: string };
            assert.equal(finding.input, `aws account ${String(p.account)}`, "a finding sits in its account's input");
            assert.ok(p.region === US || p.region === EU);
        }
        const regionsSeen = new Set(entityFindings.map(f => `${String((f.entity?.provenance as { account?: string }).account)}/${String((f.entity?.provenance as { region?: string }).region)}`));
        assert.deepEqual([...regionsSeen].sort(), [`${MANAGEMENT}/${EU}`, `${MANAGEMENT}/${US}`, `${PAYMENTS}/${EU}`, `${PAYMENTS}/${US}`]);
        // The same API in two accounts is two resources: their fingerprints differ.
        const stageFindings = (report.findings as unknown as { ruleId: string; fingerprint: string; entity?: { ref: string } }[]).filter(f => f.ruleId === "apigateway-stage-access-logging" && f.entity?.ref.endsWith("/restapis/api111/stages/prod") && f.entity.ref.includes(US));
        assert.equal(stageFindings.length, 2);
        assert.notEqual(stageFindings[0].fingerprint, stageFindings[1].fingerprint);
    });

    it("--send-to-security-hub imports each account's findings as that account (the role assumed there): Security Hub takes a finding only from its own account", async () => {
        const hub = new FakeSecurityHub();
        const own = await startWorld(organization(), { [MANAGEMENT]: gatewayOf([US]), [PAYMENTS]: gatewayOf([US]) }, { services: { securityhub: hub.handler } });
        try {
            const run = await auditInProcess(["--org", "--role-name", ROLE, "--external-id", EXTERNAL_ID, "--region", US, "--endpoint-url", own.url, "--format", "asff", "--send-to-security-hub"]);
            assert.equal(run.status, 1, run.stderr);
            const written = (JSON.parse(run.stdout) as { Findings: { AwsAccountId: string }[] }).Findings;
            assert.deepEqual([...new Set(written.map(f => f.AwsAccountId))].sort(), [MANAGEMENT, PAYMENTS]);
            assert.deepEqual(hub.requests.filter(r => r.status !== 200), [], "no import was refused");
            assert.deepEqual([...new Set(hub.accepted.map(r => r.account))].sort(), [MANAGEMENT, PAYMENTS], "each account's findings were sent as that account");
            assert.equal(hub.stored.size, written.length);
            assert.doesNotMatch(run.stderr + run.stdout, new RegExp(EXTERNAL_ID));
        } finally {
            await own.stop();
        }
    });

    it("renders the organization audit in every format as in test/report/golden/estate.*, naming accounts and regions", async () => {
        for (const [format, file] of Object.entries(ESTATE_GOLDEN)) {
            const run = await auditInProcess([...ORG_ARGS, "--endpoint-url", world.url, "--format", format]);
            assert.equal(run.status, 1, `${format}: ${run.stderr}`);
            const golden = path.join(GOLDEN_DIR, file);
            if (process.env.UPDATE_GOLDEN === "1") {
                assert.notEqual(process.env.CI, "true");
                writeFileSync(golden, run.stdout, "utf8");
                continue;
            }
            assert.ok(existsSync(golden), `no golden file ${file}: run with UPDATE_GOLDEN=1, then review it`);
            assert.equal(run.stdout, readFileSync(golden, "utf8"), `${format} differs from test/report/golden/${file}`);
        }
    });

    it("every format says which account and region a finding is in, and shows the account view", async () => {
        const render = async (format: string) => (await auditInProcess([...ORG_ARGS, "--endpoint-url", world.url, "--format", format])).stdout;
        const text = await render("text");
        assert.match(text, new RegExp(`^aws account ${PAYMENTS} \\(aws-account, \\d+ entities, payments, regions ${EU}, ${US}\\)$`, "m"));
        assert.match(text, new RegExp(`^  arn:aws:apigateway:${EU}::/restapis/api111/resources/res1/methods/POST \\(account ${PAYMENTS}, ${EU}\\)$`, "m"));
        assert.match(text, new RegExp(`NOTE +account ${NO_ROLE} was not audited`));
        const sarif = JSON.parse(await render("sarif")) as { runs: { results: { properties: Record<string, unknown>; locations: { logicalLocations: { fullyQualifiedName: string; name?: string; kind: string }[] }[] }[] }[] };
        const results = sarif.runs[0].results.filter(r => r.properties.account !== undefined);
        assert.ok(results.length > 0);
        for (const result of results) {
            const namespace = result.locations[0].logicalLocations.find(l => l.kind === "namespace");
            assert.deepEqual(namespace, { fullyQualifiedName: `${String(result.properties.account)}/${String(result.properties.region)}`, name: result.properties.account, kind: "namespace" });
            assert.equal(result.properties.input, `aws account ${String(result.properties.account)}`);
        }
        assert.deepEqual(new Set(results.map(r => r.properties.account)), new Set([MANAGEMENT, PAYMENTS]));
        const junit = await render("junit");
        assert.match(junit, new RegExp(`account: +${PAYMENTS}\\nregion: +${EU}`));
        assert.match(junit, new RegExp(`\\[aws account ${PAYMENTS}\\]`));
        const markdown = await render("markdown");
        assert.match(markdown, new RegExp(`^\\| \`${PAYMENTS}\` payments \\| \`${EU}\` \`${US}\` \\| \\d+ \\| \\d+ \\| \\d+ \\| \\d+ \\| \\d+ \\| 2 \\|$`, "m"));
        assert.match(markdown, new RegExp(`^\\| \`${NO_ROLE}\` sandbox \\| none \\| 0 \\| 0 \\| 0 \\| 0 \\| 0 \\| 1 \\|$`, "m"));
        assert.match(markdown, new RegExp(`\\[account ${PAYMENTS} · ${US}\\]`));
        const html = await render("html");
        assert.match(html, /<section id="accounts">\n<h2>Accounts: 3<\/h2>/);
        for (const [account, state] of [[MANAGEMENT, "fail"], [PAYMENTS, "fail"], [NO_ROLE, "not-read"]]) {
            assert.match(html, new RegExp(`<tr id="account-${account}" data-account="${account}" data-state="${state}">`));
        }
        assert.match(html, new RegExp(`data-search="[^"]*account ${PAYMENTS} · ${EU}[^"]*"`));
    });

    it("never prints the external id or the credentials STS issued, in any format or on stderr", async () => {
        assert.ok(world.org.issuedSecrets.length > 0);
        for (const format of ["text", "json", "sarif", "junit", "markdown", "html"]) {
            const run = await auditInProcess([...ORG_ARGS, "--endpoint-url", world.url, "--format", format], { stderrTTY: true });
            for (const secret of [EXTERNAL_ID, ...world.org.issuedSecrets]) {
                assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), `${format} leaks a secret`);
            }
        }
    });

    it("the progress bar counts accounts done of all", async () => {
        const run = await auditInProcess([...ORG_ARGS, "--endpoint-url", world.url, "--format", "json", "--output", path.join(dir, "r.json")], { stderrTTY: true });
        assert.equal(run.status, 1, run.stderr);
        assert.match(run.stderr, /\rauditing \[#{20}\] 3\/3 accounts · account \d{12}/);
        assert.match(run.stderr, /\r {10,}\r$/, "the bar is erased at the end");
    });

    it("--accounts reads a file (comments, commas, duplicates) or a list; a bad entry is one line naming the file and line, exit 2", async () => {
        const file = path.join(dir, "accounts.txt");
        writeFileSync(file, `# production\n${PAYMENTS}   # payments\n\n${MANAGEMENT}, ${PAYMENTS}\n`);
        const fromFile = await auditInProcess(["--accounts", file, "--role-name", ROLE, "--external-id", EXTERNAL_ID, "--region", US, "--endpoint-url", world.url, "--format", "json"]);
        assert.equal(fromFile.status, 1, fromFile.stderr);
        assert.deepEqual(parseReport(fromFile.stdout).inputs.map(i => i.file), [`aws account ${PAYMENTS}`, `aws account ${MANAGEMENT}`]);
        const fromList = await auditInProcess(["--accounts", `${MANAGEMENT},${PAYMENTS}`, "--role-name", ROLE, "--external-id", EXTERNAL_ID, "--region", US, "--endpoint-url", world.url, "--format", "json"]);
        assert.deepEqual(parseReport(fromList.stdout).inputs.map(i => i.file), [`aws account ${MANAGEMENT}`, `aws account ${PAYMENTS}`]);
        writeFileSync(file, `${PAYMENTS}\n# fine\n12345678901x\n`);
        const bad = await auditInProcess(["--accounts", file, "--role-name", ROLE, "--endpoint-url", world.url]);
        assert.equal(bad.status, 2);
        assert.deepEqual(assertCleanErrors(bad), [`apigw-guard: ${file}:3: --accounts: '12345678901x' is not an AWS account id (12 digits)`]);
        const badList = await auditInProcess(["--accounts", "1234,5678", "--role-name", ROLE, "--endpoint-url", world.url]);
        assert.deepEqual(assertCleanErrors(badList), ["apigw-guard: --accounts: '1234' is not an AWS account id (12 digits)"]);
    });

    it("refuses contradictory or incomplete flags with one line, exit 2, before any request", async () => {
        const before = world.aws.counts.get("sts") ?? 0;
        const cases: [string[], string][] = [
            [["--org", "--accounts", PAYMENTS, "--role-name", ROLE], "apigw-guard: --org and --accounts cannot be combined: --org audits every ACTIVE account of the organization"],
            [["--role-name", ROLE], "apigw-guard: --role-name needs --org or --accounts (the accounts to assume it in)"],
            [["--accounts", PAYMENTS, "--external-id", EXTERNAL_ID], "apigw-guard: --external-id needs --role-name"],
            [["--org", "--role-name", ROLE, "--concurrency", "0"], "apigw-guard: --concurrency: '0' is not a whole number from 1 to 64"],
            [["--org", "--role-name", ROLE, "--region", "all,us-east-1"], "apigw-guard: --region all cannot be combined with other regions"],
        ];
        for (const [args, line] of cases) {
            const run = await auditInProcess([...args, "--endpoint-url", world.url]);
            assert.equal(run.status, 2, args.join(" "));
            assert.deepEqual(assertCleanErrors(run), [line]);
        }
        assert.equal(world.aws.counts.get("sts") ?? 0, before);
        // Other accounts without a role: refused once the caller's own account is known.
        const noRole = await auditInProcess(["--accounts", `${MANAGEMENT},${PAYMENTS}`, "--region", US, "--endpoint-url", world.url]);
        assert.equal(noRole.status, 2);
        assert.deepEqual(assertCleanErrors(noRole), [`apigw-guard: auditing account ${PAYMENTS} needs --role-name (the role to assume in each account); without it only the caller's own account (${MANAGEMENT}) can be audited`]);
    });

    it("--org from an account that may not list the organization ends the run, exit 2, with one line", async () => {
        world.aws.credentialsFor("AKIDMEMBERCALLER0001", PAYMENTS);
        const run = await auditInProcess([...ORG_ARGS, "--endpoint-url", world.url], { overrides: { credentials: { accessKeyId: "AKIDMEMBERCALLER0001", secretAccessKey: "member-secret" } } });
        assert.equal(run.status, 2);
        assert.deepEqual(assertCleanErrors(run), ["apigw-guard: --org: cannot list the organization's accounts (access denied (AccessDeniedException)): run from the management account or a delegated administrator, with organizations:ListAccounts"]);
    });

    it("every account unreadable (no role anywhere): nothing read, each note on stderr, exit 2", async () => {
        const run = await auditInProcess(["--accounts", NO_ROLE, "--role-name", "Missing", "--region", US, "--endpoint-url", world.url]);
        assert.equal(run.status, 2);
        const lines = assertCleanErrors(run);
        assert.match(lines[0], new RegExp(`^apigw-guard: account ${NO_ROLE} was not audited: cannot assume arn:aws:iam::${NO_ROLE}:role/Missing`));
        assert.match(lines[lines.length - 1], /^apigw-guard: nothing could be read/);
    });

    it("documents the organization flags in audit --help and docs/audit.md", async () => {
        const run = await auditInProcess(["--help"]);
        for (const flag of ["--org", "--accounts <file|list>", "--role-name <name>", "--external-id <id>", "--concurrency <n>"]) {
            assert.ok(run.stdout.includes(flag), flag);
        }
        const docs = readFileSync(path.join(ROOT, "docs", "audit.md"), "utf8");
        for (const flag of ["--org", "--accounts", "--role-name", "--external-id", "--concurrency", "--region all", "sts:ExternalId", "organizations:ListAccounts", "account:ListRegions"]) {
            assert.ok(docs.includes(flag), `docs/audit.md mentions ${flag}`);
        }
    });
});

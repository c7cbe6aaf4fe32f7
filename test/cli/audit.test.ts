import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { registerAuditCommand, RegisterAuditOptions } from "../../cli/commands/audit";
import { assertNoLeak } from "../../testkit/leaks";
import { oneLine } from "../../cli/errors";
import { CliIO } from "../../cli/command";
import { FakeApiGateway } from "../../testkit/fake-apigateway";
import { assertNoKeyValueRequested, CREDENTIALS, FAST_RETRY, smallAccount, startFake } from "../sources/aws/support";
import { auditInProcess } from "./audit-helpers";
import { assertCleanErrors, cleanEnv, CliRun, NOW, parseReport, ROOT, Scratch } from "./helpers";

const REGION = "us-east-1";
const MAIN = path.join(ROOT, "dist", "cli", "main.js");
const AUDIT_MODULE = path.join(ROOT, "dist", "cli", "audit.js");



/**
 * The audit as a separate process, as a user runs it: through dist/cli/main.js once `audit` is
 * wired into it, until then through the same commander setup around dist/cli/audit.js.
 */
function auditProcess(args: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<CliRun> {
    const wired = existsSync(MAIN) && readFileSync(MAIN, "utf8").includes("registerAuditCommand");
    const harness = `
        const { Command, CommanderError } = require(${JSON.stringify(require.resolve("commander"))});
        const { registerAuditCommand } = require(${JSON.stringify(AUDIT_MODULE)});
        const program = new Command("apigw-guard").exitOverride().configureOutput({
            outputError: (text, write) => write("apigw-guard: " + text.replace(/^error: /, "").replace(/\\s*[\\r\\n]+\\s*/g, " ").trim() + "\\n"),
        });
        registerAuditCommand(program, { onExit: code => { process.exitCode = code; } });
        program.parseAsync(process.argv.slice(1), { from: "user" }).catch(error => {
            process.exitCode = error instanceof CommanderError ? (error.exitCode === 0 ? 0 : 2) : 99;
        });`;
    const argv = wired ? [MAIN, "audit", ...args] : ["-e", harness, "audit", ...args];
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, argv, { cwd: ROOT, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", chunk => (stdout += String(chunk)));
        child.stderr.on("data", chunk => (stderr += String(chunk)));
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        child.on("error", reject);
        child.on("close", code => {
            clearTimeout(timer);
            resolve({ status: code ?? -1, stdout, stderr });
        });
    });
}

/** An environment with no AWS configuration of the caller's: nothing outside the test leaks in. */
function isolatedEnv(extra: Readonly<Record<string, string | undefined>> = {}): Record<string, string | undefined> {
    return {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_DEFAULT_PROFILE: undefined,
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: undefined,
        AWS_ENDPOINT_URL: undefined,
        AWS_ENDPOINT_URL_API_GATEWAY: undefined,
        AWS_CONFIG_FILE: path.join(ROOT, "does-not-exist", "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(ROOT, "does-not-exist", "aws-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
        APIGW_GUARD_NOW: NOW,
        ...extra,
    };
}

function withCredentials(extra: Readonly<Record<string, string | undefined>> = {}): Record<string, string | undefined> {
    return isolatedEnv({ AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, ...extra });
}

async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>(resolve => server.close(() => resolve()));
    return port;
}

/** What a single-account audit notes when its endpoint (here the API Gateway fake alone) does not answer sts:GetCallerIdentity. */
const IDENTITY_NOTE = "the account id could not be read (sts:GetCallerIdentity: Error (HTTP 405)): findings do not name their account";

describe("cli: apigw-guard audit", function () {
    this.timeout(60_000);
    let fake: FakeApiGateway;
    let scratch: Scratch;
    const planted = smallAccount().apiKeys.map(key => key.value);

    it("has key values to look for", () => {
        assert.equal(planted.length, 4);
    });

    beforeEach(async () => {
        fake = await startFake({ [REGION]: smallAccount() });
    });
    afterEach(async () => {
        assertNoKeyValueRequested(fake);
        await fake.stop();
    });
    before(() => {
        scratch = new Scratch();
    });
    after(() => scratch.cleanup());

    it("reports the account by ARN, flags the idle key, and exits 1 on mandatory failures", async () => {
        const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url]);
        assert.equal(run.status, 1, run.stderr);
        assert.equal(run.stderr, "", "no progress bar when stderr is not a terminal");
        assert.match(run.stdout, /^aws:us-east-1 \(aws-account, \d+ entities\)$/m);
        assert.match(run.stdout, /^ {2}arn:aws:apigateway:us-east-1::\/restapis\/api111\/resources\/res1\/methods\/POST$/m);
        assert.match(run.stdout, /^ {2}arn:aws:apigateway:us-east-1::\/apikeys\/keyidle\n {4}FAIL {5}apigateway-api-key-unused {2}mandatory · medium\n {13}key 'idle' made no requests in the last 30 days: delete it or disable it$/m);
        for (const value of planted) {
            assert.ok(!run.stdout.includes(value) && !run.stderr.includes(value), "a key value was printed");
        }
        assertNoLeak("audit", { stdout: run.stdout, stderr: run.stderr }, planted);
    });

    it("writes a JSON report to a file; --fail-on none exits 0", async () => {
        const output = scratch.path("audit.json");
        const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--format", "json", "--output", output, "--fail-on", "none"]);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout, "");
        const text = readFileSync(output, "utf8");
        const report = parseReport(text);
        assert.equal(report.generatedAt, "2026-06-01T00:00:00.000Z");
        assert.deepEqual(report.inputs.map(i => i.file), ["aws:us-east-1"]);
        assert.ok(report.findings.some(f => f.ruleId === "apigateway-api-key-unused" && f.status === "fail"));
        assert.equal(report.summary.gate.blocking, 0);
        for (const value of planted) {
            assert.ok(!text.includes(value), "a key value was written");
        }
        assertNoLeak("the --output file", text, planted);
    });

    it("takes the window from --unused-days, then from the config, then 30", async () => {
        await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--unused-days", "7"]);
        const config = scratch.file("config.json", { "apigateway-api-key-unused": { unusedDays: 60 } });
        await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--config", config]);
        await auditInProcess(["--region", REGION, "--endpoint-url", fake.url]);
        const starts = fake.requests.filter(r => r.path.endsWith("/usage")).map(r => r.query.startDate);
        assert.deepEqual(starts, ["2026-05-25", "2026-04-02", "2026-05-02"]);
    });

    for (const bad of ["0", "91", "abc", "7.5"]) {
        it(`rejects --unused-days ${bad} with one line, exit 2, before any request`, async () => {
            const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--unused-days", bad]);
            assert.equal(run.status, 2);
            assert.deepEqual(assertCleanErrors(run), [`apigw-guard: --unused-days: '${bad}' is not a whole number from 1 to 90 (API Gateway keeps 90 days of usage)`]);
            assert.equal(fake.requests.length, 0);
        });
    }

    for (const flag of ["--include-values", "--include-key-values"]) {
        it(`refuses ${flag}: key values are never read`, async () => {
            const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, flag]);
            assert.equal(run.status, 2);
            assert.deepEqual(assertCleanErrors(run), [`apigw-guard: refusing ${flag}: the audit never reads API key values (key ids, dates and usage are all it needs)`]);
            assert.equal(fake.requests.length, 0);
        });
    }

    it("rejects a region that is not a region name", async () => {
        const run = await auditInProcess(["--region", "us_east_1", "--endpoint-url", fake.url]);
        assert.equal(run.status, 2);
        assert.deepEqual(assertCleanErrors(run), ["apigw-guard: 'us_east_1' is not an AWS region name (e.g. us-east-1, eu-west-2)"]);
    });

    it("audits several regions given as repeated or comma-separated --region", async () => {
        const empty = { restApis: [], apiKeys: [], usagePlans: [], account: {}, domainNames: [] };
        await fake.stop();
        fake = await startFake({ [REGION]: smallAccount(), "eu-west-1": empty, "eu-central-1": empty });
        const run = await auditInProcess(["--region", `${REGION},eu-west-1`, "--region", "eu-central-1", "--endpoint-url", fake.url, "--format", "json"]);
        assert.equal(run.status, 1, run.stderr);
        assert.deepEqual(parseReport(run.stdout).inputs.map(i => i.file), ["aws:us-east-1,eu-west-1,eu-central-1"]);
        assert.deepEqual([...new Set(fake.requests.map(r => r.region))].sort(), ["eu-central-1", "eu-west-1", REGION]);
    });

    it("lists what could not be read as notes and still gates on the rest", async () => {
        fake.faults = { deny: [/^\/restapis\/api111\/stages$/] };
        const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url]);
        assert.equal(run.status, 1);
        assert.match(run.stdout, /^ {2}NOTE +arn:aws:apigateway:us-east-1::\/restapis\/api111: could not read the stages of REST API 'orders' \(api111\): access denied \(AccessDeniedException\)$/m);
    });

    it("exits 2 when nothing at all could be read", async () => {
        fake.faults = { deny: [/./] };
        const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url]);
        assert.equal(run.status, 2);
        const lines = assertCleanErrors(run);
        assert.equal(lines[lines.length - 1], "apigw-guard: nothing could be read: grant the read-only permissions in docs/audit.md");
        assert.equal(run.stdout, "");
    });

    it("draws a progress bar on stderr when it is a terminal, and wipes it", async () => {
        const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url], { stderrTTY: true });
        assert.equal(run.status, 1);
        assert.match(run.stderr, /^\rauditing \[[#-]{20}\] \d+\/\d+ /);
        assert.match(run.stderr, /\r {10,}\r$/, "the bar is erased at the end");
        assert.ok(!run.stderr.includes("\n"), "no line of the bar is left behind");
        assert.ok(run.stdout.includes("apigateway-api-key-unused"), "the report still goes to stdout");
    });

    describe("a hostile or broken endpoint (issue 15)", () => {
        it("an all-500 account ends in about a second, exit 2, and is not called a permission problem", async () => {
            fake.faults = { hostile: [{ path: /./, answer: { kind: "server-error" } }] };
            const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url], { overrides: { retry: {} } });
            assert.equal(run.status, 2, run.stderr);
            const lines = assertCleanErrors(run);
            assert.equal(lines[lines.length - 1],
                "apigw-guard: nothing could be read: API Gateway answered with server errors (HTTP 5xx), which is a service problem, not a permission one: try again later");
            assert.ok(!run.stderr.includes("grant"), "no advice to grant permissions");
            assert.equal(run.stdout, "");
        });

        it("--timeout ends an endpoint that never answers, exit 2, saying why", async () => {
            fake.faults = { hostile: [{ path: /./, answer: { kind: "silent" } }] };
            const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--timeout", "1s"], { overrides: { requestTimeoutMs: 60_000 } });
            assert.equal(run.status, 2, run.stderr);
            const lines = assertCleanErrors(run);
            // This endpoint serves API Gateway only: the caller identity (STS) is a note of its own.
            assert.equal(lines[0], `apigw-guard: ${IDENTITY_NOTE}`);
            assert.equal(lines[1], "apigw-guard: the audit's time limit (1 s) ran out: what was not read by then is listed as not read, and the rules that needed it report unknown");
            assert.equal(lines[lines.length - 1], "apigw-guard: nothing could be read: the endpoint did not answer in time: check --endpoint-url and the network, or raise --timeout");
        });

        for (const bad of ["0", "0.5s", "1e999", "25h", "soon", "-3m"]) {
            it(`rejects --timeout ${bad} with one line, exit 2, before any request`, async () => {
                const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--timeout", bad]);
                assert.equal(run.status, 2);
                assert.deepEqual(assertCleanErrors(run), [`apigw-guard: --timeout: '${bad}' is not a duration from 1s to 24h (e.g. 90s, 10m, 1h)`]);
                assert.equal(fake.requests.length, 0);
            });
        }

        it("documents --timeout and the bounds in audit --help", async () => {
            const run = await auditInProcess(["--help"]);
            assert.equal(run.status, 0);
            assert.match(run.stdout, /--timeout <duration> +time limit for the whole audit/);
            assert.match(run.stdout, /Each request has 30 s for its whole answer \(body included\)/);
            const docs = readFileSync(path.join(ROOT, "docs", "audit.md"), "utf8");
            assert.match(docs, /^\| `--timeout <duration>` \| time limit for the whole audit/m);
            assert.match(docs, /^## Bounds$/m);
        });

        it("a null REST API item is a note, its rules are unknown, and the rest still gates", async () => {
            fake.faults = { hostile: [{ path: /^\/restapis$/, answer: { kind: "body", body: `{"item":[null]}` } }] };
            const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--format", "json"]);
            assert.equal(run.status, 1, run.stderr);
            assert.equal(run.stderr, "");
            const report = parseReport(run.stdout);
            assert.deepEqual(report.inputs[0].gaps?.map(g => g.message), [`1 malformed item(s) in the REST APIs in ${REGION} were not audited (item 1: it is null, not an object)`, IDENTITY_NOTE]);
            const unknown = report.findings.filter(f => f.status === "unknown" && f.entity?.ref.startsWith(`arn:aws:apigateway:${REGION}::/restapis#malformed`)).map(f => f.ruleId);
            assert.ok(unknown.includes("apigateway-method-api-key-required") && unknown.includes("apigateway-stage-access-logging"), unknown.join(", "));
            assert.ok(report.summary.findings.unknown >= unknown.length);
        });

        it("a denied usage-plan listing makes the usage-plan and unused-key rules unknown, not silent", async () => {
            fake.faults = { deny: [/^\/usageplans$/] };
            const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--format", "json", "--fail-on", "none"]);
            assert.equal(run.status, 0, run.stderr);
            const report = parseReport(run.stdout);
            const statusOf = (rule: string, ref: string) => report.findings.find(f => f.ruleId === rule && f.entity?.ref === ref)?.status;
            assert.equal(statusOf("apigateway-usage-plan-limits", `arn:aws:apigateway:${REGION}::/usageplans#unreadable`), "unknown");
            assert.equal(statusOf("apigateway-api-key-unused", `arn:aws:apigateway:${REGION}::/apikeys/keyidle`), "unknown");
        });
    });

    describe("as a process: bad credentials, region or network end in one line and exit 2", () => {
        it("connection refused", async () => {
            const port = await closedPort();
            const run = await auditProcess(["--region", REGION, "--endpoint-url", `http://127.0.0.1:${port}`], withCredentials());
            assert.equal(run.status, 2, run.stderr);
            assert.deepEqual(assertCleanErrors(run), [`apigw-guard: cannot reach API Gateway at http://127.0.0.1:${port}: connection refused`]);
            assert.equal(run.stdout, "");
        });

        it("credentials AWS rejects", async () => {
            fake.faults = { rejectAccessKeyIds: [CREDENTIALS.accessKeyId] };
            const run = await auditProcess(["--region", REGION, "--endpoint-url", fake.url], withCredentials());
            assert.equal(run.status, 2, run.stderr);
            const lines = assertCleanErrors(run);
            assert.equal(lines.length, 1);
            assert.match(lines[0], /^apigw-guard: AWS rejected the credentials \(UnrecognizedClientException, HTTP 403\) in region us-east-1: check the profile/);
        });

        it("no credentials anywhere", async () => {
            const run = await auditProcess(["--region", REGION, "--endpoint-url", fake.url], isolatedEnv());
            assert.equal(run.status, 2, run.stderr);
            const lines = assertCleanErrors(run);
            assert.equal(lines.length, 1);
            assert.match(lines[0], /^apigw-guard: no usable AWS credentials: /);
            assert.equal(fake.requests.length, 0);
        });

        it("a profile that does not exist", async () => {
            const run = await auditProcess(["--region", REGION, "--endpoint-url", fake.url, "--profile", "no-such-profile"], isolatedEnv());
            assert.equal(run.status, 2, run.stderr);
            const lines = assertCleanErrors(run);
            assert.equal(lines.length, 1);
            assert.match(lines[0], /^apigw-guard: no usable AWS credentials from profile 'no-such-profile': /);
        });

        it("no region", async () => {
            const run = await auditProcess(["--endpoint-url", fake.url], withCredentials());
            assert.equal(run.status, 2, run.stderr);
            assert.deepEqual(assertCleanErrors(run), ["apigw-guard: no AWS region: pass --region, or set AWS_REGION or a region in the profile"]);
        });

        it("takes the endpoint from AWS_ENDPOINT_URL and the region from AWS_REGION, like the AWS CLI", async () => {
            const run = await auditProcess(["--format", "json"], withCredentials({ AWS_ENDPOINT_URL: fake.url, AWS_REGION: REGION }));
            assert.equal(run.status, 1, run.stderr);
            assert.equal(run.stderr, "");
            assert.deepEqual(parseReport(run.stdout).inputs.map(i => i.file), ["aws:us-east-1"]);
            assert.ok(fake.requests.length > 5);
            for (const value of planted) {
                assert.ok(!run.stdout.includes(value), "a key value was printed");
            }
            assertNoLeak("audit", { stdout: run.stdout, stderr: run.stderr }, planted);
        });
    });
});

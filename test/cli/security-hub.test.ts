import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { Command, CommanderError } from "commander";
import Ajv from "ajv";
import { registerScanCommand } from "../../cli/commands/scan";
import { CliIO } from "../../cli/command";
import { oneLine } from "../../cli/errors";
import type { AsffFinding } from "../../report";
import { FakeApiGateway } from "../../testkit/fake-apigateway";
import { FakeAws } from "../../testkit/fake-aws";
import { FakeSecurityHub, FakeSecurityHubOptions } from "../../testkit/fake-securityhub";
import { assertNoLeak } from "../../testkit/leaks";
import { CREDENTIALS, FAST_RETRY, smallAccount } from "../sources/aws/support";
import { auditInProcess } from "./audit-helpers";
import { assertCleanErrors, cleanEnv, CLI, CliRun, EXAMPLE_INFRA, NOW, ROOT, runCli, scan, Scratch } from "./helpers";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const PLAN = path.join(EXAMPLE_INFRA, "plan.json");
const STATE = path.join(EXAMPLE_INFRA, "state.json");

const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(path.join(ROOT, "test", "fixtures", "asff", "asff-findings.schema.json"), "utf8")) as object);

function parseAsff(text: string): AsffFinding[] {
    const document = JSON.parse(text) as { Findings: AsffFinding[] };
    assert.ok(validate(document), `not valid ASFF: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    return document.Findings;
}

/** `apigw-guard scan ...` in this process (as cli/main.ts configures it), Security Hub credentials injected. */
async function scanInProcess(args: readonly string[]): Promise<CliRun> {
    let stdout = "";
    let stderr = "";
    const io: CliIO = {
        stdout: { write: (text: string) => (stdout += text), isTTY: false },
        stderr: { write: (text: string) => (stderr += text) },
        env: cleanEnv(),
        readStdin: async () => "",
    };
    let status = -1;
    const program = new Command("apigw-guard").exitOverride().configureOutput({
        writeOut: text => io.stdout.write(text),
        writeErr: text => io.stderr.write(text),
        outputError: (text, write) => write(`apigw-guard: ${oneLine(text.replace(/^error: /, ""))}\n`),
    });
    registerScanCommand(program, {
        io,
        tool: { name: "apigw-guard", version: "0.0.0" },
        onExit: code => {
            status = code;
        },
        securityHubOverrides: { credentials: CREDENTIALS, retry: FAST_RETRY, requestTimeoutMs: 5_000 },
    });
    try {
        await program.parseAsync(["scan", "--now", NOW, ...args], { from: "user" });
    } catch (error) {
        status = error instanceof CommanderError ? (error.exitCode === 0 ? 0 : 2) : 99;
    }
    return { status, stdout, stderr };
}

/** The CLI as a separate process (asynchronously: the fake endpoint lives in this one). */
function cliProcess(args: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<CliRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
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

describe("cli: --format asff and --send-to-security-hub", function () {
    this.timeout(120_000);
    let scratch: Scratch;
    let aws: FakeAws | undefined;
    let hub: FakeSecurityHub;
    let url: string;

    before(() => {
        scratch = new Scratch();
    });
    after(() => scratch.cleanup());
    afterEach(async () => {
        await aws?.stop();
        aws = undefined;
    });

    async function startHub(options: FakeSecurityHubOptions = {}, apigateway?: FakeApiGateway): Promise<void> {
        hub = new FakeSecurityHub(options);
        aws = new FakeAws({
            services: { securityhub: hub.handler, ...(apigateway ? { apigateway: apigateway.serve.bind(apigateway) } : {}) },
            defaultAccount: ACCOUNT,
            ...(apigateway ? { mounted: [apigateway] } : {}),
        });
        url = await aws.start();
    }

    describe("scan", () => {
        it("writes ASFF for a plan with the account and region given, the same bytes every run", () => {
            const first = scan([PLAN, "--format", "asff", "--account-id", ACCOUNT, "--region", "eu-west-1"]);
            assert.equal(first.status, 1, first.stderr);
            assert.equal(first.stderr, "");
            const findings = parseAsff(first.stdout);
            assert.ok(findings.length > 0);
            // Resources the plan knows no ARN of are in the region given.
            const unnamed = findings.filter(finding => !finding.Resources[0].Id.startsWith("arn:"));
            assert.ok(unnamed.length > 0);
            assert.ok(unnamed.every(finding => finding.AwsAccountId === ACCOUNT && finding.ProductArn === `arn:aws:securityhub:eu-west-1:${ACCOUNT}:product/${ACCOUNT}/default`));
            assert.ok(findings.some(finding => finding.Compliance.SecurityControlId === "APIGateway.1"), "a Security Hub control");
            assert.equal(scan([PLAN, "--format", "asff", "--account-id", ACCOUNT, "--region", "eu-west-1"]).stdout, first.stdout);
        });

        for (const [what, args] of [
            ["--format asff", ["--format", "asff"]],
            ["--send-to-security-hub", ["--send-to-security-hub", "--region", REGION]],
        ] as const) {
            it(`${what} without --account-id: exit 2, one line, before anything is read or written`, () => {
                const output = scratch.path(`no-account-${what.length}.txt`);
                const run = scan([PLAN, ...args, "--format", "text", "--output", output]);
                assert.equal(run.status, 2);
                assert.deepEqual(assertCleanErrors(run), ["apigw-guard: ASFF needs an AWS account id: pass --account-id (Terraform and Pulumi inputs do not name one)"]);
                assert.equal(run.stdout, "");
                assert.ok(!existsSync(output));
            });
        }

        it("a plan without --region: exit 2 naming --region, and no report half-written", () => {
            const text = scratch.path("no-region.txt");
            const asff = scratch.path("no-region.asff.json");
            const run = scan([PLAN, "--format", "text", "--output", text, "--format", "asff", "--output", asff, "--account-id", ACCOUNT]);
            assert.equal(run.status, 2);
            const [line] = assertCleanErrors(run);
            assert.match(line, /^apigw-guard: ASFF needs an AWS region: pass --region \(\d+ findings have none, e\.g\. /);
            assert.ok(!existsSync(text) && !existsSync(asff));
        });

        it("a resource's ARN names its region before --region does (a state file)", () => {
            const run = scan([STATE, "--format", "asff", "--account-id", ACCOUNT, "--region", "eu-west-1"]);
            assert.equal(run.status, 1, run.stderr);
            const findings = parseAsff(run.stdout);
            const named = findings.filter(finding => finding.Resources[0].Id.startsWith("arn:aws:apigateway:us-east-1::/"));
            const unnamed = findings.filter(finding => !finding.Resources[0].Id.startsWith("arn:"));
            assert.ok(named.length > 0 && unnamed.length > 0);
            assert.ok(named.every(finding => finding.Resources[0].Region === REGION && finding.ProductArn.includes(`:securityhub:${REGION}:`)));
            assert.ok(unnamed.every(finding => finding.Resources[0].Region === "eu-west-1"));
        });

        for (const [flag, value, message] of [
            ["--account-id", "12345678901x", /--account-id: '12345678901x' is not an AWS account id \(12 digits\)/],
            ["--region", "moon-1", /--region: 'moon-1' is not an AWS region name/],
        ] as const) {
            it(`rejects ${flag} ${value} with one line, exit 2`, () => {
                const run = scan([PLAN, "--format", "asff", "--account-id", ACCOUNT, "--region", REGION, flag, value]);
                assert.equal(run.status, 2);
                assert.match(assertCleanErrors(run)[0], message);
            });
        }

        it("--send-to-security-hub imports what --format asff writes, and reports the import on stderr", async () => {
            await startHub();
            const file = scratch.path("sent.asff.json");
            const run = await scanInProcess([PLAN, STATE, "--format", "asff", "--output", file, "--account-id", ACCOUNT, "--region", REGION, "--asff-include-passed", "--send-to-security-hub", "--endpoint-url", url]);
            assert.equal(run.status, 1, run.stderr);
            const written = parseAsff(readFileSync(file, "utf8"));
            assert.deepEqual(assertCleanErrors(run), [`apigw-guard: Security Hub: imported ${written.length} of ${written.length} findings in 1 request`]);
            assert.deepEqual([...hub.stored.values()], written, "Security Hub holds exactly the findings of the file");
            assert.ok(written.some(finding => finding.Compliance.Status === "PASSED" && finding.RecordState === "ARCHIVED"));
            assert.deepEqual(hub.requests.map(request => [request.region, request.account, request.status]), [[REGION, ACCOUNT, 200]]);
        });

        it("findings AWS rejects are listed with AWS's code and message, and the run exits 2", async () => {
            await startHub({ reject: finding => (String(finding.GeneratorId).endsWith("apigateway-stage-access-logging") ? { code: "InvalidInput", message: "Finding does not adhere to Amazon Finding Format." } : undefined) });
            const run = await scanInProcess([PLAN, "--format", "json", "--output", scratch.path("r.json"), "--account-id", ACCOUNT, "--region", REGION, "--send-to-security-hub", "--endpoint-url", url]);
            assert.equal(run.status, 2, run.stderr);
            const lines = assertCleanErrors(run);
            const rejected = lines.filter(line => /^apigw-guard: apigw-guard\/\d{12}\/us-east-1\/apigateway-stage-access-logging\/[0-9a-f]{32}: InvalidInput: Finding does not adhere/.test(line));
            assert.ok(rejected.length > 0, lines.join("\n"));
            assert.ok(lines.includes(`apigw-guard: Security Hub ${ACCOUNT} ${REGION}, request 1 of 1: ${rejected.length} of ${hub.requests[0].findings} findings not imported`), lines.join("\n"));
            assert.match(lines[lines.length - 1], new RegExp(`^apigw-guard: Security Hub: imported \\d+ of ${hub.requests[0].findings} findings in 1 request \\(${rejected.length} not imported\\)$`));
        });

        it("an endpoint that refuses the caller: exit 2, the reason on stderr, the report still written", async () => {
            await startHub({ notEnabledIn: [REGION] });
            const file = scratch.path("refused.json");
            const run = await scanInProcess([PLAN, "--format", "json", "--output", file, "--account-id", ACCOUNT, "--region", REGION, "--send-to-security-hub", "--endpoint-url", url]);
            assert.equal(run.status, 2);
            assert.match(assertCleanErrors(run)[0], /request 1 of 1: \d+ findings not imported: InvalidAccessException: Account 123456789012 is not subscribed to AWS Security Hub$/);
            assert.ok(existsSync(file));
        });

        it("a planted key value never reaches Security Hub, stdout or stderr", async () => {
            const value = `PLANTED${randomBytes(16).toString("hex")}`;
            const exampleValue = "PLANTED-apigw-guard-key-0123456789";
            const planted = (name: string) => readFileSync(path.join(EXAMPLE_INFRA, name), "utf8").split(exampleValue).join(value);
            const plan = scratch.file("planted-plan.json", planted("plan.json"));
            const state = scratch.file("planted-state.json", planted("state.json"));
            mkdirSync(scratch.path("planted-hcl"));
            scratch.file("planted-hcl/main.tf", planted("main.tf"));
            assert.ok(readFileSync(plan, "utf8").includes(value), "the value is planted");
            await startHub({ reject: finding => (String(finding.GeneratorId).endsWith("value-secret") ? { code: "InvalidInput", message: "rejected to print the Id" } : undefined) });
            const run = await scanInProcess([plan, state, scratch.path("planted-hcl"), "--format", "asff", "--account-id", ACCOUNT, "--region", REGION, "--asff-include-passed", "--send-to-security-hub", "--endpoint-url", url]);
            assert.equal(run.status, 2, run.stderr);
            assert.ok(hub.requests.length > 0 && hub.stored.size > 0);
            const texts = { stdout: run.stdout, stderr: run.stderr, ...Object.fromEntries(hub.requests.map((request, index) => [`request ${index}`, request.body])) };
            for (const [where, text] of Object.entries(texts)) {
                assert.ok(!text.includes(value) && !text.includes(value.slice(7, 19)), `${where} holds the planted value`);
            }
            assertNoLeak("scan --send-to-security-hub", texts, value);
        });

        it("a separate process sends with the SDK's credentials from the environment; without the flag it never loads the Security Hub SDK", async () => {
            await startHub();
            const env = {
                AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_PROFILE: undefined, AWS_REGION: undefined,
                AWS_CONFIG_FILE: path.join(ROOT, "does-not-exist"), AWS_SHARED_CREDENTIALS_FILE: path.join(ROOT, "does-not-exist"), AWS_EC2_METADATA_DISABLED: "true",
            };
            const run = await cliProcess(["scan", "--now", NOW, PLAN, "--format", "asff", "--account-id", ACCOUNT, "--region", REGION, "--send-to-security-hub", "--endpoint-url", url], env);
            assert.equal(run.status, 1, run.stderr);
            assert.equal(hub.stored.size, parseAsff(run.stdout).length);
            assert.match(run.stderr, /^apigw-guard: Security Hub: imported \d+ of \d+ findings in 1 request\n$/);
            const probe = await new Promise<string>((resolve, reject) => {
                const child = spawn(process.execPath, ["-e", `
                    const { main } = require(${JSON.stringify(CLI)});
                    const io = { stdout: { write() {} }, stderr: { write() {} }, env: process.env, readStdin: async () => "" };
                    main(["node", "apigw-guard", "scan", ${JSON.stringify(PLAN)}, "--format", "asff", "--account-id", "${ACCOUNT}", "--region", "${REGION}"], io).then(code => {
                        const loaded = Object.keys(require.cache).filter(file => file.includes("client-securityhub"));
                        process.stdout.write(JSON.stringify({ code, loaded }));
                    });`], { cwd: ROOT, env: cleanEnv({ APIGW_GUARD_NOW: NOW }), stdio: ["ignore", "pipe", "inherit"] });
                let out = "";
                child.stdout.on("data", chunk => (out += String(chunk)));
                child.on("error", reject);
                child.on("close", () => resolve(out));
            });
            assert.deepEqual(JSON.parse(probe), { code: 1, loaded: [] });
        });

        it("documents the flags in scan --help", () => {
            const help = scan(["--help"]).stdout;
            for (const text of ["--account-id <id>", "--region <region>", "--asff-include-passed", "--send-to-security-hub", "asff", "BatchImportFindings"]) {
                assert.ok(help.includes(text), text);
            }
        });
    });

    describe("report --pulumi-events", () => {
        const events = path.join(ROOT, "test", "report", "fixtures", "pulumi-events", "eventstream.ndjson");

        it("writes ASFF with --account-id and --region, and refuses without them (exit 2, one line)", () => {
            const with_ = runCli(["report", "--now", NOW, "--pulumi-events", events, "--format", "asff", "--account-id", ACCOUNT, "--region", REGION]);
            assert.ok(with_.status === 0 || with_.status === 1, with_.stderr);
            const findings = parseAsff(with_.stdout);
            assert.ok(findings.length > 0);
            assert.ok(findings.every(finding => finding.AwsAccountId === ACCOUNT && finding.Resources[0].Id.startsWith("urn:pulumi:")));
            const without = runCli(["report", "--now", NOW, "--pulumi-events", events, "--format", "asff"]);
            assert.equal(without.status, 2);
            assert.match(assertCleanErrors(without)[0], /^apigw-guard: ASFF needs an AWS account id: pass --account-id \(/);
            assert.equal(without.stdout, "");
        });
    });

    describe("audit", () => {
        const planted = smallAccount().apiKeys.map(key => key.value);

        it("--format asff names each finding's region from the audit and the account from --account-id; --send-to-security-hub imports them", async () => {
            await startHub({}, new FakeApiGateway({ [REGION]: smallAccount() }));
            const run = await auditInProcess(["--region", REGION, "--endpoint-url", url, "--format", "asff", "--account-id", ACCOUNT, "--send-to-security-hub"]);
            assert.equal(run.status, 1, run.stderr);
            const findings = parseAsff(run.stdout);
            assert.ok(findings.length > 0);
            assert.ok(findings.every(finding => finding.AwsAccountId === ACCOUNT && finding.Resources[0].Region === REGION));
            assert.ok(findings.some(finding => finding.Resources[0].Id === "arn:aws:apigateway:us-east-1::/apikeys/keyidle" && finding.GeneratorId === "apigw-guard/apigateway-api-key-unused"));
            assert.ok(findings.some(finding => finding.Resources[0].Type === "AwsApiGatewayStage" && finding.Resources[0].Id.endsWith("/restapis/api111/stages/prod")));
            assert.deepEqual([...hub.stored.values()], findings);
            assert.deepEqual(assertCleanErrors(run), [`apigw-guard: Security Hub: imported ${findings.length} of ${findings.length} findings in 1 request`]);
            const texts = { stdout: run.stdout, stderr: run.stderr, ...Object.fromEntries(hub.requests.map((request, index) => [`request ${index}`, request.body])) };
            assertNoLeak("audit --send-to-security-hub", texts, planted);
        });

        it("--format asff without --account-id: exit 2 naming the flag, nothing on stdout", async () => {
            await startHub({}, new FakeApiGateway({ [REGION]: smallAccount() }));
            const run = await auditInProcess(["--region", REGION, "--endpoint-url", url, "--format", "asff"]);
            assert.equal(run.status, 2);
            assert.match(assertCleanErrors(run)[0], /^apigw-guard: ASFF needs an AWS account id: pass --account-id \(\d+ findings have none, e\.g\. /);
            assert.equal(run.stdout, "");
            assert.equal(hub.requests.length, 0);
        });

        it("documents the flags in audit --help", async () => {
            const help = (await auditInProcess(["--help"])).stdout;
            for (const text of ["--account-id <id>", "--asff-include-passed", "--send-to-security-hub", "BatchImportFindings", "findings\n     --send-to-security-hub could not import"]) {
                assert.ok(help.includes(text), text);
            }
        });

        it("throttled imports are retried; the audit still exits on its gate", async () => {
            await startHub({ throttleFirst: 2 }, new FakeApiGateway({ [REGION]: smallAccount() }));
            const run = await auditInProcess(["--region", REGION, "--endpoint-url", url, "--format", "json", "--account-id", ACCOUNT, "--send-to-security-hub"]);
            assert.equal(run.status, 1, run.stderr);
            assert.deepEqual(hub.requests.map(request => request.status), [429, 429, 200]);
            assert.match(assertCleanErrors(run)[0], /^apigw-guard: Security Hub: imported (\d+) of \1 findings in 1 request; throttled 2 times, retried$/);
        });
    });
});

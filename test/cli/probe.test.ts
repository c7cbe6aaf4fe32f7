import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerProbeCommand } from "../../cli/commands/probe";
import { CliIO } from "../../cli/command";
import { assertNoLeak } from "../../testkit/leaks";
import { BACKEND, KEY_ENFORCED } from "../../cli/probe/rules";
import { closedPort, FakeStage } from "../../testkit/fake-stage";
import { assertCleanErrors, CliRun, JsonReport, parseReport, Scratch } from "./helpers";

/** Planted: a test fails if this value shows up in stdout, stderr or a written report. */
const PLANTED_KEY = "PLANTED-cli-key-0a1b2c3d4e5f60718293a4b5";
const KEY_ENV = "APIGW_GUARD_API_KEY";

interface Run extends CliRun {
    /** The report file's content, when --output was given and written. */
    readonly written?: string;
}

/**
 * `apigw-guard probe ...` through registerProbeCommand on a program configured as the CLI's
 * main program is (exitOverride, one-line errors), with captured output.
 */
async function probeCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, stdin = ""): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const io: CliIO = {
        stdout: { write: (text: string) => (stdout += text), isTTY: false },
        stderr: { write: (text: string) => (stderr += text) },
        env,
        readStdin: async () => stdin,
    };
    const program = new Command("apigw-guard")
        .exitOverride()
        .configureOutput({
            writeOut: text => io.stdout.write(text),
            writeErr: text => io.stderr.write(text),
            outputError: (text, write) => write(`apigw-guard: ${text.replace(/^error: /, "").trim()}\n`),
        });
    let status: number | undefined;
    registerProbeCommand(program, { io, tool: { name: "apigw-guard", version: "test" }, onExit: code => (status = code) });
    try {
        await program.parseAsync([...args], { from: "user" });
    } catch (error) {
        if (!(error instanceof CommanderError)) {
            throw error;
        }
        status = error.exitCode === 0 ? 0 : 2;
    }
    assert.notEqual(status, undefined, "the command never reported an exit code");
    const outputAt = args.indexOf("--output");
    let written: string | undefined;
    if (outputAt >= 0) {
        try {
            written = readFileSync(args[outputAt + 1], "utf8");
        } catch {
            written = undefined;
        }
    }
    return { status: status ?? -1, stdout, stderr, ...(written !== undefined ? { written } : {}) };
}

function assertNoKey(run: Run): void {
    for (const [where, text] of [["stdout", run.stdout], ["stderr", run.stderr], ["--output", run.written ?? ""]] as const) {
        assert.ok(!text.includes(PLANTED_KEY), `the key appeared in ${where}`);
        assert.ok(!text.includes(encodeURIComponent(PLANTED_KEY)), `the encoded key appeared in ${where}`);
        assertNoLeak(where, text, PLANTED_KEY);
    }
}

function oneErrorLine(run: Run): string {
    assert.equal(run.status, 2, `exit ${run.status}; stderr: ${run.stderr}`);
    assert.equal(run.stdout, "");
    const lines = assertCleanErrors(run);
    assert.equal(lines.length, 1, `expected one line, got:\n${run.stderr}`);
    return lines[0];
}

const CLEAN_ROUTES = {
    routes: [
        { path: "/orders", methods: ["GET", "POST"], keyRequired: true },
        { path: "/orders/{id}", methods: ["GET"], keyRequired: true, params: { id: "123" } },
        { path: "/health", methods: ["GET"], public: true },
    ],
    cors: true,
};

describe("apigw-guard probe (CLI)", function () {
    this.timeout(30_000);
    let stage: FakeStage;
    let url: string;
    let scratch: Scratch;

    beforeEach(async () => {
        stage = new FakeStage({ validKey: PLANTED_KEY, slowMs: 3000 });
        url = await stage.start();
        scratch = new Scratch();
    });

    afterEach(async () => {
        await stage.close();
        scratch.cleanup();
    });

    const common = ["--rate", "100/s", "--timeout", "2000"];

    it("exits 0 on a stage that enforces its keys, and reports in text", async () => {
        const routes = scratch.file("routes.json", CLEAN_ROUTES);
        const run = await probeCli(["probe", "--url", url, "--routes", routes, ...common], { [KEY_ENV]: PLANTED_KEY });
        assert.equal(run.status, 0, run.stdout + run.stderr);
        assert.equal(run.stderr, "");
        assert.match(run.stdout, /no failures and nothing unknown \(\d+ passed\)/);
        assert.match(run.stdout, /0 blocking at --fail-on mandatory/);
        assertNoKey(run);
        assert.ok(stage.requests.some(r => r.key === "valid"), "the key from the environment was not used");
        assert.ok(!stage.requests.some(r => r.method === "POST"), "POST was sent without --methods");
    });

    it("exits 1 when a keyed route answers without a key, and names it", async () => {
        const routes = scratch.file("routes.json", { routes: [...CLEAN_ROUTES.routes, { path: "/open-orders", methods: ["GET"] }], cors: true });
        const run = await probeCli(["probe", "--url", url, "--routes", routes, ...common], { [KEY_ENV]: PLANTED_KEY });
        assert.equal(run.status, 1, run.stdout + run.stderr);
        assert.match(run.stdout, /GET http:\/\/127\.0\.0\.1:\d+\/v1\/open-orders/);
        assert.match(run.stdout, new RegExp(`FAIL +${KEY_ENFORCED.id} +mandatory · high`));
        assert.match(run.stdout, /GET \/v1\/open-orders without a key: answered 200 instead of 403/);
        assertNoKey(run);
    });

    it("reports a failing backend as an advisory warning (exit 0; 1 with --fail-on advisory)", async () => {
        const routes = scratch.file("routes.json", { routes: [{ path: "/broken", methods: ["GET"] }], cors: false });
        const run = await probeCli(["probe", "--url", url, "--routes", routes, "--format", "json", ...common], { [KEY_ENV]: PLANTED_KEY });
        assert.equal(run.status, 0);
        const report = parseReport(run.stdout);
        assert.deepEqual(report.findings.filter(f => f.status === "fail").map(f => `${f.ruleId} ${f.enforcementLevel}`), [`${BACKEND.id} advisory`]);
        const strict = await probeCli(["probe", "--url", url, "--routes", routes, "--fail-on", "advisory", ...common], { [KEY_ENV]: PLANTED_KEY });
        assert.equal(strict.status, 1);
        const lenient = await probeCli(["probe", "--url", url, "--routes", routes, "--fail-on", "none", ...common], { [KEY_ENV]: PLANTED_KEY });
        assert.equal(lenient.status, 0);
    });

    it("writes the JSON report to --output, in the report model scan uses", async () => {
        const routes = scratch.file("routes.json", { routes: [...CLEAN_ROUTES.routes, { path: "/echo", methods: ["GET"] }], cors: true });
        const output = scratch.path("probe.json");
        const run = await probeCli(["probe", "--url", url, "--routes", routes, "--format", "json", "--output", output, ...common], { [KEY_ENV]: PLANTED_KEY });
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout, "");
        assert.ok(run.written, "no report written");
        const report: JsonReport = parseReport(run.written);
        assert.equal(report.reportVersion, 1);
        assert.equal(report.inputs[0].file, url);
        assert.deepEqual(report.rules.map(r => r.id), ["apigateway-probe-backend", "apigateway-probe-cors-preflight", "apigateway-probe-key-enforced", "apigateway-probe-public-open"]);
        assert.ok(report.findings.length > 0);
        assert.ok(report.findings.length > 0 && report.findings.every(f => f.input === url && f.entity?.kind === "method"));
        assert.equal(report.summary.gate.blocking, 0);
        assert.ok(stage.requestsTo("/echo").some(r => r.key === "valid"), "the echo backend was not called with the key");
        assertNoKey(run);
    });

    it("reads routes and the invoke URL from `pulumi stack output --json` (file or stdin)", async () => {
        const outputs = {
            invokeUrl: url,
            restApiId: "abc123",
            stageName: "v1",
            keyedRoutes: [{ method: "GET", path: "/orders" }, { method: "POST", path: "/orders" }, { method: "GET", path: "/orders/{id}" }, { method: "ANY", path: "/{proxy+}" }],
            publicRoutes: [{ method: "GET", path: "/health" }],
            publicPaths: ["/health"],
            keyIds: { "partner-acme": "k1" },
        };
        const file = scratch.file("outputs.json", outputs);
        const run = await probeCli(["probe", "--from-pulumi-outputs", file, "--param", "id=123", "--cors", "--format", "json", ...common], { [KEY_ENV]: PLANTED_KEY });
        assert.equal(run.status, 0, run.stderr);
        const report = parseReport(run.stdout);
        assert.equal(report.inputs[0].file, url);
        assert.deepEqual(stage.requestsTo("/orders/123").map(r => `${r.method} ${r.key}`), ["GET none", "GET wrong", "GET valid", "OPTIONS none"], "the --param value was not used");
        const proxy = report.findings.filter(f => f.entity?.name.endsWith("/{proxy+}"));
        assert.ok(proxy.length > 0 && proxy.every(f => f.status === "not-applicable"), "the greedy route without a value was not skipped");

        const piped = await probeCli(["probe", "--from-pulumi-outputs", "-", "--param", "id=123", "--no-cors", ...common], {}, JSON.stringify(outputs));
        assert.equal(piped.status, 0, piped.stderr);
        assert.match(piped.stdout, /0 blocking at --fail-on mandatory/);
    });

    it("sends methods beyond GET, HEAD and OPTIONS only when --methods allows them", async () => {
        const routes = scratch.file("routes.json", CLEAN_ROUTES);
        await probeCli(["probe", "--url", url, "--routes", routes, ...common], { [KEY_ENV]: PLANTED_KEY });
        assert.equal(stage.requests.filter(r => r.method === "POST").length, 0);
        await probeCli(["probe", "--url", url, "--routes", routes, "--methods", "get,post", ...common], { [KEY_ENV]: PLANTED_KEY });
        assert.deepEqual(stage.requestsTo("/orders").filter(r => r.method === "POST").map(r => r.key), ["none", "wrong", "valid"]);
    });

    it("reports timeouts and refused connections as unknown, not as crashes", async () => {
        const slow = scratch.file("slow.json", { routes: [{ path: "/slow", methods: ["GET"] }], cors: false });
        const timedOut = await probeCli(["probe", "--url", url, "--routes", slow, "--rate", "100/s", "--timeout", "200"], { [KEY_ENV]: PLANTED_KEY });
        assert.equal(timedOut.status, 0, timedOut.stderr);
        assert.match(timedOut.stdout, /UNKNOWN +apigateway-probe-key-enforced/);
        assert.match(timedOut.stdout, /with the valid key: timed out after 200 ms/);

        const port = await closedPort();
        const routes = scratch.file("routes.json", CLEAN_ROUTES);
        const refused = await probeCli(["probe", "--url", `http://127.0.0.1:${port}/v1`, "--routes", routes, ...common], { [KEY_ENV]: PLANTED_KEY });
        assert.equal(refused.status, 0, refused.stderr);
        assert.equal(refused.stderr, "");
        assert.match(refused.stdout, new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}`));
        assert.match(refused.stdout, /not sent, an earlier request failed/);
        assertNoKey(refused);
    });

    it("exits 2 with one line for a bad --url", async () => {
        const routes = scratch.file("routes.json", CLEAN_ROUTES);
        for (const bad of ["ftp://127.0.0.1/v1", "not a url", "127.0.0.1/v1", "http://user:pw@127.0.0.1/v1", `${url}?api_key=${PLANTED_KEY}`]) {
            const run = await probeCli(["probe", "--url", bad, "--routes", routes], { [KEY_ENV]: PLANTED_KEY });
            const line = oneErrorLine(run);
            assert.match(line, /^apigw-guard: --url: the invoke URL /, line);
            assertNoKey(run);
        }
        assert.equal(stage.requests.length, 0);
    });

    it("exits 2 with one line for bad usage and bad input", async () => {
        const routes = scratch.file("routes.json", CLEAN_ROUTES);
        const broken = scratch.file("broken.json", "{\n  \"routes\": [\n    {\"path\": \"/a\",,}\n  ]\n}\n");
        const badRoutes = scratch.file("bad-routes.json", { routes: [{ path: "orders", methods: ["GET"] }] });
        const cases: [string[], RegExp][] = [
            [["probe", "--url", url], /say what to probe/],
            [["probe", "--url", url, "--routes", routes, "--from-pulumi-outputs", routes], /not both/],
            [["probe", "--url", url, "--routes", scratch.path("missing.json")], /missing\.json: no such file/],
            [["probe", "--url", url, "--routes", broken], /broken\.json:3: not valid JSON/],
            [["probe", "--url", url, "--routes", badRoutes], /bad-routes\.json: routes\[0\]\.path: a path must start with '\/'/],
            [["probe", "--url", url, "--routes", routes, "--rate", "fast"], /--rate must be/],
            [["probe", "--url", url, "--routes", routes, "--rate", "1000/s"], /at most 100\/s/],
            [["probe", "--url", url, "--routes", routes, "--timeout", "0"], /--timeout must be/],
            [["probe", "--url", url, "--routes", routes, "--format", "sarif"], /--format must be one of text, json/],
            [["probe", "--url", url, "--routes", routes, "--fail-on", "always"], /--fail-on must be one of/],
            [["probe", "--url", url, "--routes", routes, "--methods", "GET,TRACE"], /--methods: 'TRACE'/],
            [["probe", "--url", url, "--routes", routes, "--param", "id"], /--param must be NAME=VALUE/],
            [["probe", "--url", url, "--routes", routes, "--param", "id=.."], /'\.\.'/],
            [["probe", "--url", url, "--routes", routes, "--key-env", "MISSING_VAR"], /--key-env: the environment variable it names is not set/],
            [["probe", "--url", url, "--routes", routes, "--authorization-env", "MISSING_VAR"], /--authorization-env: the environment variable it names is not set/],
            [["probe", "--url", url, "--routes", routes, "--api-output", "x"], /--api-output needs --from-pulumi-outputs/],
            [["probe", "--url", url, "--routes", routes, "--bogus"], /unknown option '--bogus'/],
            [["probe", "--from-pulumi-outputs", scratch.file("no-url.json", { keyedRoutes: [{ method: "GET", path: "/orders" }] })], /--url is required/],
        ];
        for (const [args, message] of cases) {
            const run = await probeCli(args, { [KEY_ENV]: PLANTED_KEY });
            const line = oneErrorLine(run);
            assert.match(line, message, args.join(" "));
            assertNoKey(run);
        }
        assert.equal(stage.requests.length, 0, "a request was sent despite bad input");
    });

    it("never repeats a key pasted after --key-env, nor one with characters a header cannot carry", async () => {
        const routes = scratch.file("routes.json", CLEAN_ROUTES);
        const pasted = await probeCli(["probe", "--url", url, "--routes", routes, "--key-env", PLANTED_KEY], {});
        assert.match(oneErrorLine(pasted), /--key-env must name an environment variable/);
        assertNoKey(pasted);
        const pastedAsName = await probeCli(["probe", "--url", url, "--routes", routes, "--key-env", "PLANTED_cli_key_0a1b2c3d"], {});
        assert.ok(!pastedAsName.stderr.includes("PLANTED_cli_key_0a1b2c3d"), "the name was echoed");
        assertNoLeak("a key pasted as a name", { stdout: pastedAsName.stdout, stderr: pastedAsName.stderr }, "PLANTED_cli_key_0a1b2c3d");
        const short = await probeCli(["probe", "--url", url, "--routes", routes], { [KEY_ENV]: "short-key" });
        assert.match(oneErrorLine(short), /holds 9 characters; API Gateway keys have at least 20/);
        assert.ok(!short.stderr.includes("short-key"));
        const multiline = await probeCli(["probe", "--url", url, "--routes", routes], { [KEY_ENV]: `${PLANTED_KEY}\nsecond line` });
        assert.match(oneErrorLine(multiline), /cannot be sent in an HTTP header/);
        assertNoKey(multiline);
    });

    it("without the key variable, probes without the valid-key check", async () => {
        const routes = scratch.file("routes.json", CLEAN_ROUTES);
        const run = await probeCli(["probe", "--url", url, "--routes", routes, "--format", "json", ...common], {});
        assert.equal(run.status, 0, run.stderr);
        const report = parseReport(run.stdout);
        const notChecked = report.findings.filter(f => f.status === "not-applicable" && /no key was given/.test(f.message));
        assert.equal(notChecked.length, 2);
        assert.ok(!stage.requests.some(r => r.key === "valid"));
    });

    it("sets process.exitCode when no onExit is given", async () => {
        const routes = scratch.file("routes.json", { routes: [{ path: "/open-orders", methods: ["GET"] }], cors: false });
        let stdout = "";
        const io: CliIO = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true }, env: {}, readStdin: async () => "" };
        const program = new Command("apigw-guard").exitOverride();
        registerProbeCommand(program, { io });
        const before = process.exitCode;
        try {
            await program.parseAsync(["probe", "--url", url, "--routes", routes, ...common], { from: "user" });
            assert.equal(process.exitCode, 1);
        } finally {
            process.exitCode = before;
        }
        assert.match(stdout, /FAIL/);
    });
});

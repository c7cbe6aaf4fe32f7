import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { auditAccount } from "../../api";
import { readManagedBy } from "../../api/managed-by";
import { Management } from "apigw-guard/policies/model/index";
import { FakeApiGateway, FakeRegion } from "../../testkit/fake-apigateway";
import { assertNoLeak } from "../../testkit/leaks";
import { assertNoKeyValueRequested, CREDENTIALS, FAST_RETRY, startFake } from "../sources/aws/support";
import { auditInProcess } from "./audit-helpers";
import { EXAMPLE_INFRA, parseReport, Scratch } from "./helpers";

const REGION = "us-east-1";
const ARN = `arn:aws:apigateway:${REGION}::`;
const UNMANAGED = "apigateway-unmanaged-resource";

/** A fresh value per run for every key of the fake account (AWS holds them; the audit never asks). */
const liveValue = (name: string) => `LIVE${name}${randomBytes(12).toString("hex")}`;

/**
 * The example infrastructure (test/fixtures/example-infra) as it is deployed, with the ids its
 * state.json and stack-export.json record, and one key made in the console: old, enabled, in no
 * usage plan, never used. HTTP APIs are not read by the audit, so `http` is not here.
 */
function exampleAccount(): FakeRegion {
    return {
        restApis: [{
            id: "a1b2c3d4e5",
            name: "bad",
            apiKeySource: "AUTHORIZER",
            endpointTypes: ["EDGE"],
            resources: [
                { id: "r00tr3s0ur", path: "/" },
                { id: "or2d3r", parentId: "r00tr3s0ur", pathPart: "orders", path: "/orders", methods: [{ httpMethod: "GET", apiKeyRequired: false, authorizationType: "NONE" }] },
            ],
            stages: [
                { stageName: "prod", deploymentId: "dpl0y1", tracingEnabled: false },
                {
                    stageName: "dev",
                    deploymentId: "dpl0y1",
                    tracingEnabled: true,
                    accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/dev-access", format: "{\"requestId\":\"$context.requestId\"}" },
                    methodSettings: { "*/*": { loggingLevel: "INFO", metricsEnabled: true, dataTraceEnabled: true, cachingEnabled: true, cacheDataEncrypted: false } },
                },
            ],
        }],
        apiKeys: [
            { id: "0ldk3y0001", name: "old", enabled: true, createdDate: "2025-01-01T00:00:00Z", value: liveValue("old"), tags: { "apigw-guard:rotated-at": "2025-01-01T00:00:00Z" } },
            { id: "c0pyk3y002", name: "copy", enabled: true, createdDate: "2026-05-20T00:00:00Z", value: liveValue("copy"), tags: { "apigw-guard:rotated-at": "2026-05-20T00:00:00Z" } },
            { id: "0rph4nk3y3", name: "orphan", enabled: true, createdDate: "2026-05-20T00:00:00Z", value: liveValue("orphan"), tags: { "apigw-guard:rotated-at": "2026-05-20T00:00:00Z" } },
            // The classic forgotten key: created in the console two years ago, attached to nothing.
            { id: "c0ns0l3k3y", name: "console-test", enabled: true, createdDate: "2024-03-01T00:00:00Z", value: liveValue("console") },
        ],
        usagePlans: [
            { id: "pl4n4a", name: "a", apiStages: [{ apiId: "a1b2c3d4e5", stage: "prod" }], keyIds: ["0ldk3y0001"], usage: { "0ldk3y0001": [[5, 0]] } },
            {
                id: "pl4n4b", name: "b", apiStages: [{ apiId: "a1b2c3d4e5", stage: "prod" }], throttle: { rateLimit: 10, burstLimit: 20 }, quota: { limit: 1000, period: "MONTH" },
                keyIds: ["0ldk3y0001", "c0pyk3y002"], usage: { "0ldk3y0001": [[3, 997]], "c0pyk3y002": [[1, 999]] },
            },
        ],
        account: {},
        domainNames: [{ domainName: "api.example.com", securityPolicy: "TLS_1_0" }],
    };
}

const EXAMPLE_REFS = {
    api: `${ARN}/restapis/a1b2c3d4e5`,
    prod: `${ARN}/restapis/a1b2c3d4e5/stages/prod`,
    dev: `${ARN}/restapis/a1b2c3d4e5/stages/dev`,
    old: `${ARN}/apikeys/0ldk3y0001`,
    copy: `${ARN}/apikeys/c0pyk3y002`,
    orphan: `${ARN}/apikeys/0rph4nk3y3`,
    planA: `${ARN}/usageplans/pl4n4a`,
    planB: `${ARN}/usageplans/pl4n4b`,
};
const CONSOLE_KEY = `${ARN}/apikeys/c0ns0l3k3y`;

type JsonFinding = ReturnType<typeof parseReport>["findings"][number];

function finding(findings: readonly JsonFinding[], ruleId: string, ref: string): JsonFinding {
    const found = findings.find(f => f.ruleId === ruleId && f.entity?.ref === ref);
    assert.ok(found, `no ${ruleId} finding for ${ref}`);
    return found;
}

describe("cli: apigw-guard audit --managed-by", function () {
    this.timeout(60_000);
    let fake: FakeApiGateway;
    let scratch: Scratch;

    before(() => {
        scratch = new Scratch();
    });
    after(() => scratch.cleanup());
    beforeEach(async () => {
        fake = await startFake({ [REGION]: exampleAccount() });
    });
    afterEach(async () => {
        assertNoKeyValueRequested(fake);
        await fake.stop();
    });

    const inputs: Array<[string, string, string]> = [
        ["the Terraform state", "state.json", "id"],
        ["the Terraform configuration (a directory: matched by name)", "", "name"],
        ["the Pulumi stack export", "stack-export.json", "id"],
        ["the Terraform plan", "plan.json", "id"],
    ];
    for (const [what, name, method] of inputs) {
        it(`${what}: the example's resources are managed; the console key is unmanaged, unused and old in one run`, async () => {
            const managedBy = path.join(EXAMPLE_INFRA, name);
            const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--managed-by", managedBy, "--format", "json"]);
            assert.equal(run.status, 1, run.stderr);
            assert.equal(run.stderr, "");
            const report = parseReport(run.stdout);
            for (const [resource, ref] of Object.entries(EXAMPLE_REFS)) {
                const managed = finding(report.findings, UNMANAGED, ref);
                assert.equal(managed.status, "pass", `${resource}: ${managed.message}`);
                assert.ok(managed.message.includes(`is managed by ${managedBy}: `), managed.message);
            }
            const old = finding(report.findings, UNMANAGED, EXAMPLE_REFS.old).message;
            assert.match(old, new RegExp(`^API key 'old' is managed by ${escape(managedBy)}: (aws_api_gateway_api_key\\.old_key|urn:pulumi:[^ ]*::old-key)( \\(.*main\\.tf:\\d+\\))? \\(matched by ${method}\\)$`));
            const prod = finding(report.findings, UNMANAGED, EXAMPLE_REFS.prod).message;
            assert.match(prod, method === "name" ? /\(matched by its API's name and its stage name\)$/ : /\(matched by ARN\)$/);

            const unmanaged = finding(report.findings, UNMANAGED, CONSOLE_KEY);
            assert.equal(unmanaged.status, "fail");
            assert.equal(unmanaged.enforcementLevel, "advisory");
            assert.equal(unmanaged.message, "API key 'console-test' is managed by no input: none of the 1 input(s) compared has it by id, ARN or name. Import it into code (terraform import / pulumi import), or delete it if nothing uses it");
            const unused = finding(report.findings, "apigateway-api-key-unused", CONSOLE_KEY);
            assert.equal(unused.status, "fail");
            assert.match(unused.message, /not attached to any usage plan/);
            const maxAge = finding(report.findings, "apigateway-api-key-max-age", CONSOLE_KEY);
            assert.equal(maxAge.status, "fail");
            assert.match(maxAge.message, /^API key 'console-test' is 822 days old \(from its creation date\), older than the 90-day maximum/);
        });
    }

    it("without --managed-by the rule says nothing (it ran, nothing was compared)", async () => {
        const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--format", "json"]);
        assert.equal(run.status, 1, run.stderr);
        const report = parseReport(run.stdout);
        assert.deepEqual(report.findings.filter(f => f.ruleId === UNMANAGED), []);
        assert.ok(report.rules.some(r => r.id === UNMANAGED), "the rule ran");
    });

    it("several inputs, the text report, and a mandatory level from the config", async () => {
        const config = scratch.file("config.json", { [UNMANAGED]: { enforcementLevel: "mandatory" } });
        const run = await auditInProcess([
            "--region", REGION, "--endpoint-url", fake.url, "--config", config,
            "--managed-by", path.join(EXAMPLE_INFRA, "state.json"), path.join(EXAMPLE_INFRA, "stack-export.json"),
        ]);
        assert.equal(run.status, 1, run.stderr);
        assert.match(run.stdout, new RegExp(`^ {2}${escape(CONSOLE_KEY)}\\n(?: {4}.*\\n)*? {4}FAIL {5}${UNMANAGED} {2}mandatory · medium\\n {13}API key 'console-test' is managed by no input: none of the 2 input\\(s\\) compared`, "m"));
    });

    it("an input that cannot be read: named on stderr, the audit still runs, nothing is called unmanaged, exit 2", async () => {
        const broken = scratch.file("broken.json", "{\"format_version\": \"1.0\", \"values\": ");
        const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--format", "json",
            "--managed-by", broken, path.join(EXAMPLE_INFRA, "state.json")]);
        assert.equal(run.status, 2);
        assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
        assert.ok(run.stderr.startsWith(`apigw-guard: ${broken}`), run.stderr);
        assert.match(run.stderr, /truncated JSON|invalid JSON/);
        const report = parseReport(run.stdout);
        assert.equal(report.summary.inputs.withErrors, 1);
        assert.ok(report.inputs.some(i => i.file === broken && (i.errors?.length ?? 0) === 1), "the report lists the input and its error");
        assert.equal(finding(report.findings, UNMANAGED, EXAMPLE_REFS.old).status, "pass", "what the readable input manages is still managed");
        const console = finding(report.findings, UNMANAGED, CONSOLE_KEY);
        assert.equal(console.status, "unknown");
        assert.match(console.message, new RegExp(`${escape(broken)}: it could not be read`));
        assert.equal(finding(report.findings, "apigateway-api-key-unused", CONSOLE_KEY).status, "fail", "the other rules still judge the account");
    });

    it("a file that does not exist: named, the audit still runs, exit 2", async () => {
        const missing = scratch.path("no-such-state.json");
        const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--format", "json", "--managed-by", missing]);
        assert.equal(run.status, 2);
        assert.match(run.stderr, new RegExp(`^apigw-guard: ${escape(missing)}: .*\\n$`));
        assert.ok(fake.requests.length > 0, "the account was read");
        assert.equal(finding(parseReport(run.stdout).findings, UNMANAGED, CONSOLE_KEY).status, "unknown");
    });

    it("stdin is refused before any API call", async () => {
        const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--managed-by", "-"]);
        assert.equal(run.status, 2);
        assert.equal(run.stderr, "apigw-guard: --managed-by: '-' (stdin) is not read here: pass the file\n");
        assert.equal(fake.requests.length, 0);
    });

    it("a module not read (a remote source) leaves the picture incomplete: unknown, not unmanaged, and no error", async () => {
        mkdirSync(scratch.path("remote-module"), { recursive: true });
        scratch.file("remote-module/main.tf", `module "keys" {
  source  = "example-org/api-keys/aws"
  version = "1.2.0"
}

resource "aws_api_gateway_api_key" "old_key" {
  name = "old"
}
`);
        const read = await readManagedBy([scratch.path("remote-module")]);
        assert.deepEqual(read.failed, [], "a remote module is a notice, not an input error");
        assert.equal(read.inputs.length, 1);
        assert.match(read.inputs[0].incomplete ?? "", /module "keys" uses a remote source/);
        const run = await auditInProcess(["--region", REGION, "--endpoint-url", fake.url, "--format", "json", "--managed-by", scratch.path("remote-module")]);
        assert.equal(run.status, 1, run.stderr);
        const report = parseReport(run.stdout);
        assert.match(finding(report.findings, UNMANAGED, EXAMPLE_REFS.old).message, /\(matched by name\)$/);
        const console = finding(report.findings, UNMANAGED, CONSOLE_KEY);
        assert.equal(console.status, "unknown");
        assert.match(console.message, /not read completely .*module "keys" uses a remote source/);
    });

    it("the programmatic API: auditAccount({ managedBy }) reads the inputs and sets management", async () => {
        const problems: string[] = [];
        const inventory = await auditAccount({
            regions: [REGION], endpointUrl: fake.url, credentials: CREDENTIALS, retry: FAST_RETRY, unusedDays: 30, now: new Date("2026-06-01T00:00:00Z"),
            managedBy: [path.join(EXAMPLE_INFRA, "state.json"), scratch.path("missing.json")],
            onInputProblem: problem => problems.push(problem.file),
        });
        assert.deepEqual(problems, [scratch.path("missing.json")]);
        const management = (ref: string) => (inventory.get(ref) as { management?: Management } | undefined)?.management;
        assert.deepEqual(management(EXAMPLE_REFS.copy), { state: "managed", match: "id", input: path.join(EXAMPLE_INFRA, "state.json"), location: "aws_api_gateway_api_key.copy_key" });
        assert.equal(management(CONSOLE_KEY)?.state, "unknown", "an input could not be read");
    });

    describe("a key value planted in a --managed-by input", () => {
        const VALUE = `PLANTED${randomBytes(16).toString("hex")}`;
        const EXAMPLE_VALUE = "PLANTED-apigw-guard-key-0123456789";

        function assertNoValue(where: string, text: string): void {
            assert.ok(!text.includes(VALUE), `${where} contains the planted key value`);
            assertNoLeak(where, text, VALUE);
        }

        it("appears in no output format, nor in the error about a broken input that holds it", async () => {
            const planted = (name: string) => readFileSync(path.join(EXAMPLE_INFRA, name), "utf8").split(EXAMPLE_VALUE).join(VALUE);
            const state = scratch.file("planted-state.json", planted("state.json"));
            const plan = scratch.file("planted-plan.json", planted("plan.json"));
            mkdirSync(scratch.path("planted-hcl"), { recursive: true });
            scratch.file("planted-hcl/main.tf", planted("main.tf"));
            const exported = scratch.file("planted-export.json", planted("stack-export.json"));
            const broken = scratch.file("planted-broken.json", `{"format_version": "1.0", "values": {"root_module": {"resources": [{"values": {"value": "${VALUE}"`);
            for (const file of [state, plan, exported]) {
                assert.ok(readFileSync(file, "utf8").includes(VALUE), `${file} holds the value`);
            }
            for (const format of ["text", "json", "sarif", "junit", "markdown", "html"]) {
                const target = scratch.path(`planted.${format}`);
                const args = ["--region", REGION, "--endpoint-url", fake.url, "--show-passes", "--managed-by", state, plan, scratch.path("planted-hcl"), exported, broken];
                const toStdout = await auditInProcess([...args, "--format", format]);
                assert.equal(toStdout.status, 2, toStdout.stderr);
                assertNoValue(`${format} stdout`, toStdout.stdout);
                assertNoValue(`${format} stderr`, toStdout.stderr);
                const toFile = await auditInProcess([...args, "--format", format, "--output", target]);
                assert.equal(toFile.status, 2, toFile.stderr);
                assertNoValue(`${format} file`, readFileSync(target, "utf8"));
                assertNoValue(`${format} stderr (--output)`, toFile.stderr);
            }
        });
    });
});

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

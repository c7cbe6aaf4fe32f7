import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { RULES } from "apigw-guard/policies/rules/index";
import { PackProcess, repoRoot } from "../../testkit/engine";
import { InstalledKit, installKit, tscPath } from "../../testkit/install";
import { insecureResources, NOW } from "../policies/pack/fixtures";

/**
 * The kit outside this repository, as a new user gets it: the packed tarball installed into an
 * empty project. A TypeScript Pulumi program compiles against the components and runs under
 * mocks, `npx apigw-guard scan` judges a plan, the programmatic API does the same, and the pack
 * starts from node_modules exactly as the Pulumi engine starts it.
 */
describe("the installed package (npm pack, installed into an empty project)", function () {
    this.timeout(600_000);
    let kit: InstalledKit;

    before(() => {
        kit = installKit();
    });

    it("ships the compiled kit, its types, the pack, schemas and docs, and no sources, tests or benchmarks", () => {
        const files = kit.files;
        for (const expected of ["dist/cli/main.js", "dist/api/index.js", "dist/api/index.d.ts", "dist/components/index.js", "dist/components/index.d.ts",
            "policies/PulumiPolicy.yaml", "policies/package.json", "policies/bin/index.js", "schemas/report.schema.json", "README.md", "LICENSE"]) {
            assert.ok(files.includes(expected), `${expected} is not in the tarball`);
        }
        assert.deepEqual(files.filter(f => f.endsWith(".ts") && !f.endsWith(".d.ts")), []);
        assert.deepEqual(files.filter(f => /(^|\/)(test|testkit|bench|scripts|stacks|coverage)\//.test(f) || f.endsWith(".map") || f.endsWith(".tsbuildinfo")), []);
    });

    it("has one version for the package, the pack and --version", () => {
        const root = JSON.parse(fs.readFileSync(path.join(kit.packageDir, "package.json"), "utf8")) as { version: string };
        const pack = JSON.parse(fs.readFileSync(path.join(kit.packageDir, "policies", "package.json"), "utf8")) as { version: string };
        assert.equal(pack.version, root.version);
        const cli = execFileSync(path.join(kit.project, "node_modules", ".bin", "apigw-guard"), ["--version"], { cwd: kit.project, encoding: "utf8" });
        assert.equal(cli.trim(), root.version);
    });

    it("(a) compiles a TypeScript Pulumi program against the components and runs it under Pulumi mocks", () => {
        const dir = path.join(kit.project, "program");
        fs.mkdirSync(dir, { recursive: true });
        // The tsconfig of `pulumi new aws-typescript`.
        fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
            compilerOptions: { strict: true, outDir: "bin", target: "es2020", module: "commonjs", moduleResolution: "node", sourceMap: true, experimentalDecorators: true, pretty: true, noFallthroughCasesInSwitch: true, noImplicitReturns: true, forceConsistentCasingInFileNames: true, types: [] },
            files: ["index.ts"],
        }, null, 2));
        fs.writeFileSync(path.join(dir, "index.ts"), [
            `import { GuardedUsagePlan, RotatingApiKey, SecuredRestApi } from "apigw-guard";`,
            `import type { Report } from "apigw-guard/api";`,
            ``,
            `const api = new SecuredRestApi("orders-api", {`,
            `    routes: [`,
            `        { path: "/orders", method: "GET", integration: { type: "mock", statusCode: 200 } },`,
            `        { path: "/health", method: "GET", public: true, integration: { type: "mock", statusCode: 200 } },`,
            `    ],`,
            `});`,
            `const partner = new RotatingApiKey("partner-acme", { rotationDays: 30, now: new Date("2026-05-30T00:00:00Z") });`,
            `new GuardedUsagePlan("partners", {`,
            `    throttle: { rateLimit: 50, burstLimit: 100 },`,
            `    quota: { limit: 100_000, period: "MONTH" },`,
            `    apiStages: [{ api }],`,
            `    apiKeys: [partner],`,
            `});`,
            `export const invokeUrl = api.invokeUrl;`,
            `export const packConfig = api.packConfig;`,
            `export type ReportType = Report;`,
            ``,
        ].join("\n"));
        execFileSync(process.execPath, [tscPath(), "-p", dir], { cwd: dir, encoding: "utf8" });
        fs.writeFileSync(path.join(dir, "run-under-mocks.js"), `
const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setMocks({
    newResource: args => { registered.push({ type: args.type, name: args.name, inputs: args.inputs }); return { id: args.name + "-id", state: { ...args.inputs, arn: "arn:aws:mock:" + args.name } }; },
    call: args => args.token === "aws:index/getRegion:getRegion" ? { name: "us-east-1", id: "us-east-1" } : args.token === "aws:index/getCallerIdentity:getCallerIdentity" ? { accountId: "123456789012" } : {},
}, "proof", "dev", false);
const program = require("./bin/index.js");
let outputs;
pulumi.all([program.invokeUrl, program.packConfig]).apply(([url, config]) => { outputs = { url: url === undefined ? null : String(url), config }; });
// Every registration has settled once the event loop runs dry.
process.once("beforeExit", () => process.stdout.write(JSON.stringify({ ...outputs, registered })));
`);
        const result = spawnSync(process.execPath, ["run-under-mocks.js"], { cwd: dir, encoding: "utf8", timeout: 120_000 });
        assert.equal(result.status, 0, result.stderr);
        const { registered, config } = JSON.parse(result.stdout) as { registered: Array<{ type: string; name: string; inputs: Record<string, unknown> }>; config: Record<string, { exemptPaths?: string[] }> };
        const ofType = (type: string) => registered.filter(r => r.type === type);
        const methods = ofType("aws:apigateway/method:Method");
        assert.ok(methods.length >= 2, `methods: ${methods.length}`);
        const byPath = new Map(methods.map(m => [String(m.inputs.httpMethod), m]));
        assert.ok(byPath.size > 0);
        const keyed = methods.filter(m => m.inputs.apiKeyRequired === true);
        const open = methods.filter(m => m.inputs.apiKeyRequired !== true);
        // GET /orders needs a key; the public GET /health does not.
        assert.equal(keyed.length, 1, JSON.stringify(methods.map(m => [m.name, m.inputs.httpMethod, m.inputs.apiKeyRequired])));
        assert.equal(open.length, methods.length - 1);
        assert.equal(ofType("aws:apigateway/restApi:RestApi")[0]?.inputs.apiKeySource, "HEADER");
        assert.ok(ofType("aws:apigateway/stage:Stage").length === 1);
        assert.equal(ofType("aws:apigateway/apiKey:ApiKey").length, 2, "a rotating key is two slots");
        assert.equal(ofType("aws:apigateway/usagePlan:UsagePlan").length, 1);
        assert.ok(ofType("aws:apigateway/usagePlanKey:UsagePlanKey").length >= 1);
        assert.deepEqual(config["apigateway-method-api-key-required"]?.exemptPaths, ["/health"]);
    });

    it("(b) `npx apigw-guard scan` judges a plan exactly as this repository's CLI does, with the same exit code", () => {
        const plan = path.join(repoRoot(), "test", "fixtures", "example-infra", "plan.json");
        const args = ["scan", plan, "--format", "json", "--now", NOW];
        const installed = spawnSync("npx", ["--no-install", "apigw-guard", ...args], { cwd: kit.project, encoding: "utf8", timeout: 120_000 });
        const here = spawnSync(process.execPath, [path.join(repoRoot(), "dist", "cli", "main.js"), ...args], { cwd: repoRoot(), encoding: "utf8", timeout: 120_000 });
        assert.equal(installed.status, 1, installed.stderr);
        assert.equal(here.status, 1, here.stderr);
        const report = JSON.parse(installed.stdout) as { findings: Array<{ ruleId: string; status: string; entity?: { provenance: { address?: string } } }> };
        assert.deepEqual(report, JSON.parse(here.stdout));
        const keyRequired = report.findings.find(f => f.ruleId === "apigateway-method-api-key-required" && f.entity?.provenance.address === "aws_api_gateway_method.get_orders");
        assert.equal(keyRequired?.status, "fail");
    });

    it("the programmatic API (`apigw-guard/api`) gives the CLI's report", () => {
        const plan = path.join(repoRoot(), "test", "fixtures", "example-infra", "plan.json");
        const script = `
const { scan, renderReport } = require("apigw-guard/api");
scan([${JSON.stringify(plan)}], { now: ${JSON.stringify(NOW)} }).then(report => {
    process.stdout.write(JSON.stringify({ blocking: report.summary.gate.blocking, json: renderReport(report, "json") }));
});`;
        const result = spawnSync(process.execPath, ["-e", script], { cwd: kit.project, encoding: "utf8", timeout: 120_000 });
        assert.equal(result.status, 0, result.stderr);
        const { blocking, json } = JSON.parse(result.stdout) as { blocking: number; json: string };
        assert.ok(blocking > 0);
        const cli = spawnSync(process.execPath, [path.join(repoRoot(), "dist", "cli", "main.js"), "scan", plan, "--format", "json", "--now", NOW], { encoding: "utf8" });
        assert.deepEqual(JSON.parse(json), JSON.parse(cli.stdout));
    });

    it("(c) the pack starts from node_modules/apigw-guard/policies as the engine starts it, serves its GetAnalyzerInfo and reports a violation", async () => {
        const packDir = path.join(kit.packageDir, "policies");
        // The engine resolves run-policy-pack from the pack folder: it must come from the user's project.
        assert.ok(require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] }).startsWith(kit.project));
        const pack = await PackProcess.start({ packDir, env: { APIGW_GUARD_NOW: NOW } });
        try {
            await pack.configureStack();
            const info = await pack.getAnalyzerInfo();
            assert.equal(info.name, "apigw-guard");
            assert.deepEqual(info.policies.map(p => p.name), RULES.map(r => r.id));
            const method = insecureResources().find(r => r.type === "aws:apigateway/method:Method");
            assert.ok(method !== undefined);
            const result = await pack.analyze(method);
            const violation = result.diagnostics.find(d => d.policyName === "apigateway-method-api-key-required");
            assert.ok(violation !== undefined, JSON.stringify(result.diagnostics.map(d => d.policyName)));
            assert.equal(violation.enforcementLevel, "mandatory");
        } finally {
            await pack.close();
        }
    });
});

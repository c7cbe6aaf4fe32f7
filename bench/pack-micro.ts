/**
 * The pack's handlers without gRPC: `@pulumi/policy`'s own Analyze / AnalyzeStack handler
 * functions (`makeAnalyzeRpcFun`, `makeAnalyzeStackRpcFun`) called in-process on generated
 * resources, three rounds, so a profile (`node --cpu-prof dist/bench/pack-micro.js …`) shows the
 * policies' work and nothing else. Used to find and check the fixes in bench/patches/.
 *
 * Usage: node dist/bench/pack-micro.js analyze|stack [--resources 2000] [--repo DIR] [--pack apigw|awsguard|floor]
 * (`floor`: BENCH_FLOOR_POLICIES, default 11, stack policies that do nothing: @pulumi/policy's own cost)
 */
import * as path from "path";
import type { EngineResource } from "../testkit/engine";
import { repoRoot } from "../testkit/engine";
import { analyzerPb, structPb } from "../testkit/proto";
import { encodeProperties } from "../testkit/wire";
import { analyzeStackRequestOf } from "./engine-path";
import { buildEstate, engineResources } from "./generate";

interface DiagnosticLike {
    getPolicyname(): string;
}
type Callback = (error: unknown, response: { getDiagnosticsList(): DiagnosticLike[] }) => void;
type Handler = (call: { request: unknown }, callback: Callback) => void;

function policiesOf(repo: string, pack: string): unknown[] {
    if (pack === "awsguard") {
            const apiGateway = require("@pulumi/awsguard/apiGateway") as Record<string, unknown>;
        return [apiGateway.apiGatewayStageCached, apiGateway.apiGatewayMethodCachedAndEncrypted, apiGateway.apiGatewayEndpointType];
    }
    const bin = path.join(repo, "policies", "bin");
    if (pack === "floor") {
        // @pulumi/policy's own cost: as many stack policies as apigw-guard has, doing nothing, with
        // the same memoizing secret tap. What AnalyzeStack costs before any rule runs.
        (require(path.join(bin, "pack", "secret-tap")) as { installSecretTap(): boolean }).installSecretTap();
        const count = Number(process.env.BENCH_FLOOR_POLICIES ?? "11");
        return Array.from({ length: count }, (_, i) => ({ name: `noop-${i}`, description: "nothing", enforcementLevel: "advisory", validateStack: () => undefined }));
    }
    (require(path.join(bin, "pack", "secret-tap")) as { installSecretTap(): boolean }).installSecretTap();
    const { policiesFor } = require(path.join(bin, "pack", "policies")) as { policiesFor(rules: unknown): unknown[] };
    const { RULES } = require(path.join(bin, "rules")) as { RULES: unknown };
    return policiesFor(RULES);
}

function struct(props: Record<string, unknown>) {
    return structPb.Struct.fromJavaScript(encodeProperties(props, { skipInternalKeys: true }) as Parameters<typeof structPb.Struct.fromJavaScript>[0]);
}

function analyzeRequest(resource: EngineResource) {
    const request = new analyzerPb.AnalyzeRequest();
    request.setUrn(resource.urn ?? "");
    request.setType(resource.type);
    request.setName(resource.name);
    request.setProperties(struct(resource.props));
    request.setOptions(new analyzerPb.AnalyzerResourceOptions());
    // Through bytes, as the pack receives it.
    return analyzerPb.AnalyzeRequest.deserializeBinary(request.serializeBinary());
}

function analyzeStackRequest(resources: readonly EngineResource[]) {
    // Through bytes, as the pack receives it.
    return analyzerPb.AnalyzeStackRequest.deserializeBinary(analyzeStackRequestOf(resources).serializeBinary());
}

/** Diagnostics per policy, when `--by-policy` is given (stack mode). */
const byPolicy = new Map<string, number>();

function call(handler: Handler, request: unknown): Promise<number> {
    return new Promise((resolve, reject) => handler({ request }, (error, response) => {
        if (error) {
            reject(error);
            return;
        }
        const diagnostics = response.getDiagnosticsList();
        for (const diagnostic of diagnostics) {
            byPolicy.set(diagnostic.getPolicyname(), (byPolicy.get(diagnostic.getPolicyname()) ?? 0) + 1);
        }
        resolve(diagnostics.length);
    }));
}

async function main(argv: readonly string[]): Promise<void> {
    const option = (name: string, fallback: string) => {
        const at = argv.indexOf(name);
        return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1] : fallback;
    };
    const mode = argv[0] === "stack" ? "stack" : "analyze";
    const repo = path.resolve(option("--repo", repoRoot()));
    const pack = option("--pack", "apigw");
    const count = Number(option("--resources", mode === "stack" ? "10000" : "2000"));
    // @pulumi/policy as the pack resolves it, so the tap patches the module the handlers use.
    const server = require(require.resolve("@pulumi/policy/server", { paths: [path.join(repo, "policies")] })) as Record<string, (...args: unknown[]) => Handler>;
    const policies = policiesOf(repo, pack);
    const resources = engineResources(buildEstate({ seed: 20260601, resources: count }));
    const now = () => Number(process.hrtime.bigint()) / 1e6;
    for (let round = 0; round < 3; round++) {
        if (mode === "stack") {
            const handler = server.makeAnalyzeStackRpcFun("bench", "0.0.0", "advisory", policies);
            const request = analyzeStackRequest(resources);
            const start = now();
            const cpu = process.cpuUsage();
            const diagnostics = await call(handler, request);
            const used = process.cpuUsage(cpu);
            if (argv.includes("--by-policy") && round === 0) {
                process.stdout.write(`${[...byPolicy].map(([policy, n]) => `  ${policy}: ${n}`).join("\n")}\n`);
            }
            process.stdout.write(`${pack} ${repo} AnalyzeStack N=${count} round ${round + 1}: ${(now() - start).toFixed(0)} ms (CPU ${((used.user + used.system) / 1000).toFixed(0)} ms), ${diagnostics} diagnostics\n`);
        } else {
            const handler = server.makeAnalyzeRpcFun("bench", "0.0.0", "advisory", policies);
            const requests = resources.map(analyzeRequest);
            const start = now();
            const cpu = process.cpuUsage();
            let diagnostics = 0;
            for (const request of requests) {
                diagnostics += await call(handler, request);
            }
            const used = process.cpuUsage(cpu);
            const cpuPerResource = (used.user + used.system) / count;
            process.stdout.write(`${pack} ${repo} Analyze N=${count} round ${round + 1}: ${((1000 * (now() - start)) / count).toFixed(1)} µs/resource (CPU ${cpuPerResource.toFixed(1)} µs), ${diagnostics} diagnostics\n`);
        }
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
        process.exitCode = 1;
    });
}

/**
 * The engine's call sequence (as `runLikeEngine` in testkit/engine.ts makes it), with each
 * phase timed: Handshake → ConfigureStack → GetAnalyzerInfo → Configure → per resource Remediate
 * then Analyze (with the remediated inputs) → AnalyzeStack over every resource's outputs.
 * `runLikeEngine` returns results only; the benchmark needs the time of each phase, so the same
 * steps are taken here through the harness's public `PackProcess` calls.
 */
import {
    DEFAULT_STACK, EngineResource, PackProcess, PolicyPackConfig, reconcilePolicyPackConfig,
} from "../testkit/engine";
import { analyzerPb, structPb } from "../testkit/proto";
import { encodeProperties } from "../testkit/wire";
import { CallTiming, parseTimings } from "./pack-timing";

export interface EnginePathResult {
    readonly resources: number;
    /** Remediate + Analyze for every resource, as the client sees it (ms). */
    readonly perResourceLoopMs: number;
    /** AnalyzeStack, call to reply, as the client sees it (ms), harness encoding included. */
    readonly analyzeStackWallMs: number;
    readonly diagnostics: { readonly analyze: number; readonly remediate: number; readonly analyzeStack: number; readonly mandatory: number };
    /** Pack-side timings (only when the pack was started with the timing preload). */
    readonly pack?: {
        readonly remediateMs: number;
        readonly analyzeMs: number;
        readonly analyzeStack: CallTiming;
    };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

export async function runEnginePath(pack: PackProcess, resources: readonly EngineResource[], config?: PolicyPackConfig): Promise<EnginePathResult> {
    const stderrStart = pack.stderr().length;
    if (!pack.handshaken) {
        await pack.handshake();
    }
    await pack.configureStack({ ...DEFAULT_STACK, dryRun: true });
    const info = await pack.getAnalyzerInfo();
    if (info.supportsConfig) {
        await pack.configureRaw(reconcilePolicyPackConfig(info, config));
    }
    const diagnostics = { analyze: 0, remediate: 0, analyzeStack: 0, mandatory: 0 };
    const finals: EngineResource[] = [];
    const loopStart = now();
    for (const resource of resources) {
        let inputs = resource.props;
        const remediated = await pack.remediate(resource, inputs);
        for (const remediation of remediated.remediations) {
            if (remediation.diagnostic) {
                diagnostics.remediate++;
            } else if (remediation.properties) {
                inputs = remediation.properties;
            }
        }
        const analyzed = await pack.analyze(resource, inputs);
        diagnostics.analyze += analyzed.diagnostics.length;
        diagnostics.mandatory += analyzed.diagnostics.filter(d => d.enforcementLevel === "mandatory" || d.enforcementLevel === "remediate").length;
        finals.push({ ...resource, urn: pack.urnOf(resource), props: inputs, outputs: resource.outputs ?? inputs });
    }
    const loopEnd = now();
    const stack = await pack.analyzeStack(finals);
    const stackEnd = now();
    diagnostics.analyzeStack = stack.diagnostics.length;
    diagnostics.mandatory += stack.diagnostics.filter(d => d.enforcementLevel === "mandatory").length;

    // The pack writes the AnalyzeStack timing to stderr before it replies, but the pipe and the
    // gRPC socket are read independently: wait (bounded) until the line has arrived.
    for (let waited = 0; waited < 5_000 && !parseTimings(pack.stderr().slice(stderrStart)).some(t => t.method === "analyzeStack") && pack.stderr().includes("APIGW_BENCH_TIMING"); waited += 20) {
        await new Promise(resolve => setTimeout(resolve, 20));
    }
    const timings = parseTimings(pack.stderr().slice(stderrStart));
    const total = (method: string) => timings.filter(t => t.method === method).reduce((sum, t) => sum + t.deserializeMs + t.handlerMs + t.serializeMs, 0);
    const stackTiming = timings.filter(t => t.method === "analyzeStack").pop();
    return {
        resources: resources.length,
        perResourceLoopMs: loopEnd - loopStart,
        analyzeStackWallMs: stackEnd - loopEnd,
        diagnostics,
        ...(stackTiming ? { pack: { remediateMs: total("remediate"), analyzeMs: total("analyze"), analyzeStack: stackTiming } } : {}),
    };
}

/**
 * What the harness spends building and serialising the AnalyzeStack request (the same steps as
 * `PackProcess.analyzeStack`), measured alone so it can be told apart from the pack's time.
 */
export function measureAnalyzeStackEncoding(resources: readonly EngineResource[]): { encodeMs: number; bytes: number } {
    const start = now();
    const bytes = analyzeStackRequestOf(resources).serializeBinary().length;
    return { encodeMs: now() - start, bytes };
}

/** The AnalyzeStack request for these resources, built as `PackProcess.analyzeStack` builds it. */
export function analyzeStackRequestOf(resources: readonly EngineResource[]): InstanceType<typeof analyzerPb.AnalyzeStackRequest> {
    const request = new analyzerPb.AnalyzeStackRequest();
    request.setResourcesList(resources.map(resource => {
        const item = new analyzerPb.AnalyzerResource();
        item.setUrn(resource.urn ?? "");
        item.setType(resource.type);
        item.setName(resource.name);
        item.setProperties(structPb.Struct.fromJavaScript(encodeProperties(resource.outputs ?? resource.props, { skipInternalKeys: true })));
        const options = new analyzerPb.AnalyzerResourceOptions();
        options.setProtect(false);
        options.setIgnorechangesList([]);
        options.setDeletebeforereplace(false);
        options.setDeletebeforereplacedefined(false);
        options.setAdditionalsecretoutputsList([]);
        options.setAliasesList([]);
        const timeouts = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
        options.setCustomtimeouts(timeouts);
        item.setOptions(options);
        if (resource.parent) {
            item.setParent(resource.parent);
        }
        item.setDependenciesList([...(resource.dependencies ?? [])]);
        for (const [property, urns] of Object.entries(resource.propertyDependencies ?? {})) {
            if (urns.length > 0) {
                const dependencies = new analyzerPb.AnalyzerPropertyDependencies();
                dependencies.setUrnsList([...urns]);
                item.getPropertydependenciesMap().set(property, dependencies);
            }
        }
        return item;
    }));
    return request;
}


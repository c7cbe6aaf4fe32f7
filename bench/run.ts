/**
 * `npm run bench` (`-- --quick` for a smoke run): pack start-up, engine-path throughput against
 * @pulumi/awsguard, scan throughput against a JSON.parse baseline, and the audit's request count.
 * Absolute times on a shared 2-core machine are noisy, so every figure that has a target is a
 * ratio to a baseline measured in the same run, from medians of repeated runs. Writes
 * bench/results.json and prints a table. See bench/README.md.
 *
 * Options:
 *   --quick             reduced sizes and repeats
 *   --only a,b          sections: startup, engine, scan, audit, org (the organization audit alone: --only org)
 *   --repo DIR          the checkout to measure (its policies/ and dist/cli); default this one
 *   --against DIR       scan section: another built checkout, scanned on the same files in the same
 *                       rounds (order alternating), to compare two trees in one run (scan ÷ its scan)
 *   --repeats N         scan section: runs per size (default 3, 1 with --quick)
 *   --out FILE          default bench/results.json (bench/results.quick.json with --quick)
 *   --work DIR          where generated inputs go (default: a temp dir, removed afterwards)
 *   --profile DIR       also write CPU profiles of the largest scan and engine runs there
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { auditAccount } from "../sources/aws/audit";
import { PackProcess, repoRoot } from "../testkit/engine";
import { FakeApiGateway } from "../testkit/fake-apigateway";
import { FakeApiGatewayV2 } from "../testkit/fake-apigatewayv2";
import { FakeLogs } from "../testkit/fake-logs";
import { auditRegion, DEFAULT_AUDIT_SHAPE, expectedAuditRequests, expectedCompanionRequests, routeOf } from "./audit-fixture";
import { measureAnalyzeStackEncoding, runEnginePath } from "./engine-path";
import { checkOrgBench, measureOrgAudit, orgBenchOptions } from "./org";
import { ESTATE_NOW } from "./estate";
import { buildEstate, engineResources, FileFormat, writeEstateFile } from "./generate";
import { TIMING_ENV } from "./pack-timing";
import { formatSummary, summariseProfileFile } from "./profile-summary";
import { MAXRSS_PREFIX } from "./rss-wrapper";
import { logLogSlope, median, round, spread, Spread } from "./stats";

type Section = "startup" | "engine" | "scan" | "audit" | "org";
const SECTIONS: readonly Section[] = ["startup", "engine", "scan", "audit", "org"];
const SEED = 20260601;

interface Options {
    readonly quick: boolean;
    readonly sections: ReadonlySet<Section>;
    readonly repo: string;
    readonly against?: string;
    readonly repeats?: number;
    readonly out: string;
    readonly work?: string;
    readonly profileDir?: string;
}

interface Target {
    readonly id: string;
    readonly description: string;
    readonly target: string;
    readonly value: number | string;
    readonly met: boolean | null;
}

const benchRoot = path.join(repoRoot(), "bench");
const now = () => Number(process.hrtime.bigint()) / 1e6;
const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

function gc(): void {
    const collect = (globalThis as { gc?: () => void }).gc;
    if (collect) {
        collect();
    }
}

function parseOptions(argv: readonly string[]): Options {
    const value = (name: string) => {
        const at = argv.indexOf(name);
        return at >= 0 ? argv[at + 1] : undefined;
    };
    const quick = argv.includes("--quick");
    const only = value("--only");
    const sections = new Set<Section>(only ? only.split(",").map(s => s.trim() as Section).filter(s => SECTIONS.includes(s)) : SECTIONS);
    return {
        quick,
        sections,
        repo: path.resolve(value("--repo") ?? repoRoot()),
        ...(value("--against") ? { against: checkout(value("--against") as string) } : {}),
        ...(value("--repeats") ? { repeats: positiveInteger("--repeats", value("--repeats") as string) } : {}),
        out: path.resolve(value("--out") ?? path.join(benchRoot, quick ? "results.quick.json" : "results.json")),
        ...(value("--work") ? { work: path.resolve(value("--work") as string) } : {}),
        ...(value("--profile") ? { profileDir: path.resolve(value("--profile") as string) } : {}),
    };
}

/** A built checkout to scan with: its dist/cli/main.js must exist. */
function checkout(dir: string): string {
    const resolved = path.resolve(dir);
    if (!fs.existsSync(path.join(resolved, "dist", "cli", "main.js"))) {
        throw new Error(`${dir}: no dist/cli/main.js there (build that checkout first: npx tsc -b tsconfig.json)`);
    }
    return resolved;
}

function positiveInteger(flag: string, text: string): number {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) {
        throw new Error(`${flag}: '${text}' is not a positive whole number`);
    }
    return n;
}

function machine(): Record<string, unknown> {
    const cpus = os.cpus();
    return {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? "unknown",
        memoryGiB: round(os.totalmem() / 2 ** 30, 1),
        node: process.version,
        v8: process.versions.v8,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        loadAverageAtStart: os.loadavg().map(l => round(l, 2)),
        timeMeasurement: fs.existsSync("/usr/bin/time") ? "/usr/bin/time -v (peak RSS), hrtime (wall)" : "process.resourceUsage().maxRSS via bench/rss-wrapper (peak RSS), hrtime (wall)",
    };
}

// ------------------------------------------------------------------------------------------------
// 1. Pack start-up
// ------------------------------------------------------------------------------------------------

interface PackSpec {
    readonly id: string;
    readonly dir: string;
    readonly env?: Record<string, string>;
}

function packs(options: Options): { minimal: PackSpec; floor: PackSpec; apigw: PackSpec; awsguard: PackSpec; awsguardAll: PackSpec } {
    return {
        minimal: { id: "minimal", dir: path.join(benchRoot, "packs", "minimal") },
        floor: { id: "floor (apigw-guard's policies doing nothing)", dir: path.join(benchRoot, "packs", "floor"), env: { BENCH_FLOOR_BIN: path.join(options.repo, "policies", "bin") } },
        apigw: { id: "apigw-guard", dir: path.join(options.repo, "policies") },
        awsguard: { id: "awsguard (API Gateway policies)", dir: path.join(benchRoot, "packs", "awsguard") },
        awsguardAll: { id: "awsguard (all policies)", dir: path.join(benchRoot, "packs", "awsguard"), env: { BENCH_AWSGUARD_SCOPE: "all" } },
    };
}

async function startupOnce(pack: PackSpec): Promise<number> {
    const start = now();
    const process_ = await PackProcess.start({ packDir: pack.dir, env: pack.env ?? {}, startTimeoutMs: 60_000 });
    const elapsed = now() - start;
    await process_.close();
    return elapsed;
}

async function measureStartup(options: Options, targets: Target[]): Promise<Record<string, unknown>> {
    const { minimal, apigw, awsguard } = packs(options);
    const runs = options.quick ? 3 : 9;
    const list = [minimal, apigw, awsguard];
    const samples = new Map<string, number[]>(list.map(p => [p.id, []]));
    // One discarded warm-up each (a cold disk cache is not what a pipeline sees twice), then
    // rounds in turn, so drift on the machine hits every pack alike.
    for (const pack of list) {
        await startupOnce(pack);
    }
    for (let round_ = 0; round_ < runs; round_++) {
        for (const pack of list) {
            samples.get(pack.id)?.push(await startupOnce(pack));
        }
        log(`startup round ${round_ + 1}/${runs}`);
    }
    const result: Record<string, Spread> = {};
    for (const [id, values] of samples) {
        result[id] = spread(values);
    }
    const overMinimal = round(result[apigw.id].median - result[minimal.id].median, 1);
    targets.push({
        id: "startup.overMinimal",
        description: "pack start-up (spawn → port printed): apigw-guard − minimal @pulumi/policy pack, medians",
        target: "≤ 300 ms",
        value: overMinimal,
        met: overMinimal <= 300,
    });
    return {
        runs,
        ms: result,
        apigwMinusMinimalMs: overMinimal,
        awsguardMinusMinimalMs: round(result[awsguard.id].median - result[minimal.id].median, 1),
        apigwOverAwsguard: round(result[apigw.id].median / result[awsguard.id].median, 3),
    };
}

// ------------------------------------------------------------------------------------------------
// 2. Engine-path throughput
// ------------------------------------------------------------------------------------------------

interface EngineRun {
    readonly loopMsPerResource: number;
    readonly packMsPerResource: number;
    readonly analyzeStackWallMs: number;
    readonly analyzeStackPackMs: number;
    readonly analyzeStackHandlerMs: number;
    readonly analyzeStackRequestBytes: number;
    readonly diagnostics: number;
}

async function engineOnce(pack: PackSpec, resources: ReturnType<typeof engineResources>, profile?: string): Promise<EngineRun> {
    const preload = path.join(__dirname, "pack-timing.js");
    const process_ = await PackProcess.start({
        packDir: pack.dir,
        env: {
            ...(pack.env ?? {}),
            [TIMING_ENV]: "1",
            NODE_OPTIONS: `--require ${JSON.stringify(preload)}`,
            APIGW_GUARD_NOW: ESTATE_NOW,
            ...(profile ? { APIGW_BENCH_CPU_PROFILE: profile } : {}),
        },
        startTimeoutMs: 60_000,
        callTimeoutMs: 20 * 60_000,
    });
    try {
        const result = await runEnginePath(process_, resources);
        if (!result.pack) {
            throw new Error(`no pack timings from ${pack.id}: is the timing preload loaded?`);
        }
        const stack = result.pack.analyzeStack;
        return {
            loopMsPerResource: result.perResourceLoopMs / resources.length,
            packMsPerResource: (result.pack.remediateMs + result.pack.analyzeMs) / resources.length,
            analyzeStackWallMs: result.analyzeStackWallMs,
            analyzeStackPackMs: stack.deserializeMs + stack.handlerMs + stack.serializeMs,
            analyzeStackHandlerMs: stack.handlerMs,
            analyzeStackRequestBytes: stack.requestBytes,
            diagnostics: result.diagnostics.analyze + result.diagnostics.analyzeStack + result.diagnostics.remediate,
        };
    } finally {
        await process_.close();
    }
}

async function measureEngine(options: Options, targets: Target[]): Promise<Record<string, unknown>> {
    const { apigw, awsguard, awsguardAll, floor } = packs(options);
    const sizes = options.quick ? [200, 1000] : [1000, 10000];
    const out: Record<string, unknown> = {};
    for (const size of sizes) {
        const estate = buildEstate({ seed: SEED, resources: size });
        const resources = engineResources(estate);
        const largest = size === sizes[sizes.length - 1];
        const repeats = options.quick ? 1 : size >= 10000 ? 2 : 3;
        const runs = new Map<string, EngineRun[]>();
        const list = largest ? (options.quick ? [apigw, awsguard, floor] : [apigw, awsguard, awsguardAll, floor]) : [apigw, awsguard];
        for (let r = 0; r < repeats; r++) {
            for (const pack of list) {
                gc();
                const profile = options.profileDir && largest && r === 0 && pack === apigw ? path.join(options.profileDir, `pack-engine-${size}.cpuprofile`) : undefined;
                const run = await engineOnce(pack, resources, profile);
                runs.set(pack.id, [...(runs.get(pack.id) ?? []), run]);
                log(`engine N=${size} ${pack.id} run ${r + 1}/${repeats}: ${run.loopMsPerResource.toFixed(3)} ms/resource (client), ${run.packMsPerResource.toFixed(3)} ms/resource (pack), AnalyzeStack ${run.analyzeStackPackMs.toFixed(0)} ms (pack)`);
                if (profile && fs.existsSync(profile)) {
                    fs.writeFileSync(`${profile}.txt`, formatSummary(summariseProfileFile(profile, 30, /makeAnalyzeStackRpcFun|server\.js:3[0-9][0-9]/)));
                }
            }
        }
        const med = (id: string, pick: (run: EngineRun) => number) => round(median((runs.get(id) ?? []).map(pick)), 4);
        const summary = (id: string) => ({
            runs: runs.get(id)?.length ?? 0,
            clientMsPerResource: med(id, r => r.loopMsPerResource),
            packMsPerResource: med(id, r => r.packMsPerResource),
            analyzeStackWallMs: med(id, r => r.analyzeStackWallMs),
            analyzeStackPackMs: med(id, r => r.analyzeStackPackMs),
            analyzeStackHandlerMs: med(id, r => r.analyzeStackHandlerMs),
            analyzeStackRequestBytes: runs.get(id)?.[0]?.analyzeStackRequestBytes ?? 0,
            diagnostics: runs.get(id)?.[0]?.diagnostics ?? 0,
        });
        const encodings = [0, 1, 2].map(() => measureAnalyzeStackEncoding(resources));
        const perPack: Record<string, ReturnType<typeof summary>> = {};
        for (const pack of list) {
            perPack[pack.id] = summary(pack.id);
        }
        const ours = perPack[apigw.id];
        const peer = perPack[awsguard.id];
        const packRatio = round(ours.packMsPerResource / peer.packMsPerResource, 3);
        const clientRatio = round(ours.clientMsPerResource / peer.clientMsPerResource, 3);
        out[String(size)] = {
            resources: size,
            counts: estate.counts,
            packs: perPack,
            harnessAnalyzeStackEncodeMs: round(median(encodings.map(e => e.encodeMs)), 1),
            perResourcePackRatio: packRatio,
            perResourceClientRatio: clientRatio,
        };
        targets.push({
            id: `engine.${size}.perResource`,
            description: `engine path N=${size}: apigw-guard ÷ awsguard per-resource cost (Remediate+Analyze, time inside the pack; client-side ratio ${clientRatio})`,
            target: "≤ 1",
            value: packRatio,
            met: packRatio <= 1,
        });
        const floorRun = perPack[floor.id];
        if (floorRun) {
            out[String(size)] = {
                ...(out[String(size)] as object),
                analyzeStackOverFloorMs: round(ours.analyzeStackPackMs - floorRun.analyzeStackPackMs, 0),
                perResourceOverFloorMs: round(ours.packMsPerResource - floorRun.packMsPerResource, 4),
            };
        }
        if (size >= 10000) {
            const floorNote = floorRun ? `; @pulumi/policy's own cost for the same policies doing nothing: ${round(floorRun.analyzeStackPackMs, 0)} ms` : "";
            targets.push({
                id: `engine.${size}.analyzeStack`,
                description: `engine path N=${size}: AnalyzeStack time inside the pack (decode + policies + encode; harness encoding ${round(median(encodings.map(e => e.encodeMs)), 0)} ms excluded${floorNote})`,
                target: "< 1000 ms",
                value: round(ours.analyzeStackPackMs, 0),
                met: ours.analyzeStackPackMs < 1000,
            });
        }
    }
    return { sizes, results: out };
}

// ------------------------------------------------------------------------------------------------
// 3. Scan throughput
// ------------------------------------------------------------------------------------------------

interface ProcessRun {
    readonly wallMs: number;
    readonly maxRssKb: number;
    readonly exitCode: number | null;
    readonly error?: string;
}

async function measureProcess(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 20 * 60_000): Promise<ProcessRun> {
    const useTime = fs.existsSync("/usr/bin/time");
    const command = useTime ? "/usr/bin/time" : process.execPath;
    const argv = useTime ? ["-v", process.execPath, ...args] : [...args];
    return new Promise((resolve, reject) => {
        const start = now();
        const child = spawn(command, argv, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } });
        let stderr = "";
        child.stderr.setEncoding("utf8");
        child.stderr.on("data", (chunk: string) => {
            stderr = (stderr + chunk).slice(-20_000);
        });
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.once("error", error => {
            clearTimeout(timer);
            reject(error);
        });
        child.once("close", (code, signal) => {
            clearTimeout(timer);
            const wallMs = now() - start;
            const rss = useTime ? /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr) : new RegExp(`${MAXRSS_PREFIX}(\\d+)`).exec(stderr);
            const status = useTime ? /Exit status: (\d+)/.exec(stderr) : undefined;
            const exitCode = status ? Number(status[1]) : code;
            const programLines = stderr.split("\n").filter(line => line.trim() !== "" && !/^\s/.test(line) && !line.startsWith(MAXRSS_PREFIX) && !line.startsWith("Command exited"));
            const failed = signal !== null || (exitCode !== 0 && exitCode !== 1);
            resolve({
                wallMs,
                maxRssKb: rss ? Number(rss[1]) : Number.NaN,
                exitCode,
                ...(failed ? { error: (signal ? `killed by ${signal}; ` : "") + programLines.slice(-3).join(" | ").slice(0, 500) } : {}),
            });
        });
    });
}

function scanArgs(repo: string, file: string): { scan: string[]; parse: string[]; env: Record<string, string> } {
    const cliMain = path.join(repo, "dist", "cli", "main.js");
    const scanFlags = [file, "--format", "json", "--output", "/dev/null", "--now", ESTATE_NOW];
    if (fs.existsSync("/usr/bin/time")) {
        return { scan: [cliMain, "scan", ...scanFlags], parse: [path.join(__dirname, "parse-only.js"), file], env: {} };
    }
    const wrapper = path.join(__dirname, "rss-wrapper.js");
    return { scan: [wrapper, "scan", ...scanFlags], parse: [wrapper, "parse", file], env: { APIGW_BENCH_CLI_MAIN: cliMain } };
}

async function measureScan(options: Options, targets: Target[], workDir: string): Promise<Record<string, unknown>> {
    const sizes = options.quick ? [2000, 10000, 30000] : [10000, 100000, 300000];
    const repeats = options.repeats ?? (options.quick ? 1 : 3);
    const formats: FileFormat[] = ["plan", "export"];
    const out: Record<string, unknown> = {};
    for (const format of formats) {
        const rows: Record<string, unknown>[] = [];
        for (const size of sizes) {
            gc();
            const estate = buildEstate({ seed: SEED, resources: size });
            const file = path.join(workDir, `${format}-${size}.json`);
            const generateStart = now();
            // Stack exports are written compact: `pulumi stack export` indents by 4, which puts a
            // 300k export past V8's longest string (~512 MiB), a limit the README records.
            const written = writeEstateFile(estate, format, file, { indent: 0 });
            const generateMs = now() - generateStart;
            const { scan, parse, env } = scanArgs(options.repo, file);
            const other = options.against !== undefined ? scanArgs(options.against, file) : undefined;
            const scans: ProcessRun[] = [];
            const parses: ProcessRun[] = [];
            const otherScans: ProcessRun[] = [];
            for (let r = 0; r < repeats; r++) {
                parses.push(await measureProcess(parse, env));
                if (other !== undefined && r % 2 === 1) {
                    // Every other round the other tree goes first: drift on the machine hits both alike.
                    otherScans.push(await measureProcess(other.scan, other.env));
                }
                scans.push(await measureProcess(scan, env));
                if (other !== undefined && r % 2 === 0) {
                    otherScans.push(await measureProcess(other.scan, other.env));
                }
                const against = other !== undefined ? `; against ${otherScans[r].wallMs.toFixed(0)} ms / ${(otherScans[r].maxRssKb / 1024).toFixed(0)} MB` : "";
                log(`scan ${format} ${size}: parse ${parses[r].wallMs.toFixed(0)} ms / ${(parses[r].maxRssKb / 1024).toFixed(0)} MB, scan ${scans[r].wallMs.toFixed(0)} ms / ${(scans[r].maxRssKb / 1024).toFixed(0)} MB${scans[r].error ? ` FAILED: ${scans[r].error}` : ""}${against}`);
            }
            if (options.profileDir && size === sizes[sizes.length - 1]) {
                const profile = path.join(options.profileDir, `scan-${format}-${size}`);
                fs.mkdirSync(profile, { recursive: true });
                await measureProcess(["--cpu-prof", `--cpu-prof-dir=${profile}`, ...scan], env);
                for (const name of fs.readdirSync(profile).filter(n => n.endsWith(".cpuprofile"))) {
                    fs.writeFileSync(path.join(profile, `${name}.txt`), formatSummary(summariseProfileFile(path.join(profile, name), 30)));
                }
            }
            const failures = scans.filter(s => s.error !== undefined);
            const ok = scans.filter(s => s.error === undefined);
            const scanWall = median(ok.map(s => s.wallMs));
            const parseWall = median(parses.map(s => s.wallMs));
            const scanRss = median(ok.map(s => s.maxRssKb));
            const parseRss = median(parses.map(s => s.maxRssKb));
            const versus = options.against !== undefined ? againstRow(options.against, otherScans, ok.length > 0 ? { wall: scanWall, rss: scanRss } : undefined, parseWall, parseRss) : undefined;
            rows.push({
                resources: size,
                fileBytes: written.bytes,
                sha256: written.sha256,
                generateMs: round(generateMs, 0),
                parse: { wallMs: spread(parses.map(s => s.wallMs)), maxRssMb: round(parseRss / 1024, 1) },
                scan: ok.length > 0 ? { wallMs: spread(ok.map(s => s.wallMs)), maxRssMb: round(scanRss / 1024, 1), exitCode: ok[0].exitCode } : null,
                ...(failures.length > 0 ? { scanFailures: failures.map(f => ({ exitCode: f.exitCode, error: f.error, wallMs: round(f.wallMs, 0), maxRssMb: round(f.maxRssKb / 1024, 1) })) } : {}),
                wallRatio: ok.length > 0 ? round(scanWall / parseWall, 2) : null,
                rssRatio: ok.length > 0 ? round(scanRss / parseRss, 2) : null,
                ...(versus !== undefined ? { against: versus } : {}),
            });
            fs.rmSync(file, { force: true });
            const last = rows[rows.length - 1] as { wallRatio: number | null; rssRatio: number | null };
            targets.push({
                id: `scan.${format}.${size}.wall`,
                description: `scan ${format} ${size} resources: wall time ÷ JSON.parse baseline${failures.length > 0 ? ` (scan failed: ${failures[0].error})` : ""}`,
                target: "≤ 2",
                value: last.wallRatio ?? "failed",
                met: last.wallRatio === null ? false : last.wallRatio <= 2,
            });
            targets.push({
                id: `scan.${format}.${size}.rss`,
                description: `scan ${format} ${size} resources: peak RSS ÷ JSON.parse baseline`,
                target: "≤ 1.5",
                value: last.rssRatio ?? "failed",
                met: last.rssRatio === null ? false : last.rssRatio <= 1.5,
            });
            if (versus !== undefined) {
                for (const [measure, value] of [["wall", versus.wallRatioToIt], ["rss", versus.rssRatioToIt]] as const) {
                    targets.push({
                        id: `scan.${format}.${size}.${measure}.against`,
                        description: `scan ${format} ${size} resources: ${measure === "wall" ? "wall time" : "peak RSS"} ÷ the same of ${versus.repo} (medians of ${repeats} interleaved runs)`,
                        target: "≤ 1",
                        value: value ?? "failed",
                        met: value === null ? false : value <= 1,
                    });
                }
            }
        }
        const points = (rows as { resources: number; scan: { wallMs: Spread } | null; parse: { wallMs: Spread } }[]);
        const scanPoints = points.filter(p => p.scan !== null).map(p => ({ x: p.resources, y: p.scan?.wallMs.median ?? 0 }));
        const exponent = logLogSlope(scanPoints);
        // Time to the end of the run, failed runs included: how a scan that crashes grows.
        const untilEnd = logLogSlope((rows as { resources: number; scan: { wallMs: Spread } | null; scanFailures?: { wallMs: number }[] }[])
            .map(p => ({ x: p.resources, y: p.scan?.wallMs.median ?? median((p.scanFailures ?? []).map(f => f.wallMs)) })));
        const lastPair = logLogSlope(scanPoints.slice(-2));
        out[format] = {
            rows,
            growthExponent: { scan: exponent, scanLastTwoSizes: lastPair, scanIncludingFailedRuns: untilEnd, parse: logLogSlope(points.map(p => ({ x: p.resources, y: p.parse.wallMs.median }))) },
        };
        targets.push({
            id: `scan.${format}.growth`,
            description: `scan ${format}: fitted growth exponent of wall time over ${scanPoints.map(p => p.x).join("/")} resources (last two sizes: ${lastPair})`,
            target: "≤ 1.1",
            value: Number.isNaN(exponent) ? "n/a" : exponent,
            met: Number.isNaN(exponent) ? null : exponent <= 1.1,
        });
    }
    return { sizes, repeats, command: "node dist/cli/main.js scan FILE --format json --output /dev/null --now 2026-06-01T00:00:00Z", baseline: "node dist/bench/parse-only.js FILE (fs.promises.readFile utf8 + JSON.parse)", results: out };
}

interface AgainstRow {
    readonly repo: string;
    readonly scan: { readonly wallMs: Spread; readonly maxRssMb: number } | null;
    /** Its scan ÷ this run's parse baseline, as `wallRatio`/`rssRatio` are for this tree. */
    readonly wallRatio: number | null;
    readonly rssRatio: number | null;
    /** This tree's median ÷ its median: below 1 is faster (smaller) than it. */
    readonly wallRatioToIt: number | null;
    readonly rssRatioToIt: number | null;
}

/** `mine`: this tree's median wall time and peak RSS (undefined when every scan failed). */
function againstRow(repo: string, runs: readonly ProcessRun[], mine: { readonly wall: number; readonly rss: number } | undefined, parseWall: number, parseRss: number): AgainstRow {
    const ok = runs.filter(run => run.error === undefined);
    if (ok.length === 0 || mine === undefined) {
        return { repo, scan: null, wallRatio: null, rssRatio: null, wallRatioToIt: null, rssRatioToIt: null };
    }
    const wall = median(ok.map(run => run.wallMs));
    const rss = median(ok.map(run => run.maxRssKb));
    return {
        repo,
        scan: { wallMs: spread(ok.map(run => run.wallMs)), maxRssMb: round(rss / 1024, 1) },
        wallRatio: round(wall / parseWall, 2),
        rssRatio: round(rss / parseRss, 2),
        wallRatioToIt: round(mine.wall / wall, 3),
        rssRatioToIt: round(mine.rss / rss, 3),
    };
}

// ------------------------------------------------------------------------------------------------
// 4. Audit
// ------------------------------------------------------------------------------------------------

async function measureAudit(options: Options, targets: Target[]): Promise<Record<string, unknown>> {
    const cases: { keys: number; pageSize: number }[] = options.quick
        ? [{ keys: 1000, pageSize: 500 }, { keys: 2000, pageSize: 500 }, { keys: 2000, pageSize: 100 }]
        : [{ keys: 2500, pageSize: 500 }, { keys: 5000, pageSize: 500 }, { keys: 10000, pageSize: 500 }, { keys: 10000, pageSize: 100 }, { keys: 10000, pageSize: 25 }];
    const rows: Record<string, unknown>[] = [];
    let allExact = true;
    let perKeyRequests = 0;
    for (const { keys, pageSize } of cases) {
        const region = auditRegion({ ...DEFAULT_AUDIT_SHAPE, keys });
        const v2 = new FakeApiGatewayV2({});
        const logs = new FakeLogs({});
        const fake = new FakeApiGateway({ "us-east-1": region }, {}, { apigatewayv2: v2.serve.bind(v2), logs: logs.serve.bind(logs) });
        await fake.start();
        try {
            gc();
            const start = now();
            const inventory = await auditAccount({
                regions: ["us-east-1"],
                endpointUrl: fake.url,
                credentials: { accessKeyId: "AKIDBENCHAUDIT000001", secretAccessKey: "bench-secret-access-key" },
                unusedDays: 30,
                now: new Date(ESTATE_NOW),
                pageSize,
                requestTimeoutMs: 30_000,
                connectionTimeoutMs: 5_000,
            });
            const wallMs = now() - start;
            const byRoute: Record<string, number> = {};
            for (const request of fake.requests) {
                const route = routeOf(request.method, request.path);
                byRoute[route] = (byRoute[route] ?? 0) + 1;
            }
            const expected = expectedAuditRequests(region, pageSize);
            const expectedTotal = Object.values(expected).reduce((a, b) => a + b, 0);
            const companions = expectedCompanionRequests(region, "us-east-1");
            const exact = Object.keys({ ...expected, ...byRoute }).every(route => (expected[route] ?? 0) === (byRoute[route] ?? 0))
                && v2.requests.length === companions.v2 && logs.requests.length === companions.logs;
            const perKey = Object.keys(byRoute).filter(route => route.split("/").length > 4).reduce((sum, route) => sum + (byRoute[route] ?? 0), 0);
            allExact &&= exact;
            perKeyRequests += perKey;
            rows.push({
                keys, plans: region.usagePlans.length, pageSize, requests: fake.requests.length, expectedRequests: expectedTotal, exact,
                v2Requests: v2.requests.length, logsRequests: logs.requests.length, expectedLogsRequests: companions.logs,
                requestsPerKey: round(fake.requests.length / keys, 4), byRoute, wallMs: round(wallMs, 0),
                entities: inventory.size, keyValueRequests: fake.violations.length,
            });
            log(`audit ${keys} keys, page ${pageSize}: ${fake.requests.length} API Gateway requests (expected ${expectedTotal}), ${v2.requests.length} v2 and ${logs.requests.length} Logs (expected ${companions.v2} and ${companions.logs}), ${wallMs.toFixed(0)} ms`);
        } finally {
            await fake.stop();
        }
    }
    const fit = logLogSlope((rows as { requests: number; expectedRequests: number }[]).map(r => ({ x: r.expectedRequests, y: r.requests })));
    targets.push({
        id: "audit.requests",
        description: `audit: requests = pages of each listing exactly (no request per key); log-log slope requests vs pages ${fit}; ${perKeyRequests} per-key requests`,
        target: "requests = pages, 0 per key",
        value: allExact && perKeyRequests === 0 ? "exact" : "mismatch",
        met: allExact && perKeyRequests === 0,
    });
    return { plans: DEFAULT_AUDIT_SHAPE.plans, rows, requestsVsPagesSlope: fit };
}

// ------------------------------------------------------------------------------------------------

function printTable(targets: readonly Target[]): void {
    const rows = targets.map(t => [t.met === null ? "n/a" : t.met ? "met" : "MISSED", t.id, String(t.value), t.target]);
    const widths = [6, 0, 0, 0].map((w, i) => Math.max(w, ...rows.map(r => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
    process.stdout.write(`${line(["status", "measurement", "value", "target"])}\n${widths.map(w => "-".repeat(w)).join("  ")}\n`);
    for (const row of rows) {
        process.stdout.write(`${line(row)}\n`);
    }
    process.stdout.write("\n");
    for (const t of targets) {
        process.stdout.write(`${t.id}: ${t.description}\n`);
    }
}

async function main(): Promise<number> {
    const options = parseOptions(process.argv.slice(2));
    const startedAt = new Date().toISOString();
    const targets: Target[] = [];
    const results: Record<string, unknown> = {};
    const workDir = options.work ?? fs.mkdtempSync(path.join(os.tmpdir(), "apigw-guard-bench-"));
    fs.mkdirSync(workDir, { recursive: true });
    if (options.profileDir) {
        fs.mkdirSync(options.profileDir, { recursive: true });
    }
    const started = now();
    try {
        if (options.sections.has("startup")) {
            log("pack start-up");
            results.startup = await measureStartup(options, targets);
        }
        if (options.sections.has("engine")) {
            log("engine path");
            results.engine = await measureEngine(options, targets);
        }
        if (options.sections.has("scan")) {
            log("scan");
            results.scan = await measureScan(options, targets, workDir);
        }
        if (options.sections.has("audit")) {
            log("audit");
            results.audit = await measureAudit(options, targets);
        }
        if (options.sections.has("org")) {
            log("organization audit");
            const org = await measureOrgAudit(orgBenchOptions(options.quick));
            log(`organization audit ${org.accounts} accounts x ${org.regions} regions: ${org.requests} requests (pages ${org.expectedRequests}), peak ${org.peakInFlight} in flight (bound ${org.bound}), ${org.wallMs} ms, peak RSS ${org.peakRssMiB} MiB`);
            checkOrgBench(org);
            targets.push({
                id: "org.requests",
                description: `organization audit, ${org.accounts} accounts x ${org.regions} regions: ${org.requests} requests for ${org.expectedRequests} pages; peak ${org.peakInFlight} requests in flight (bound ${org.bound}); ${org.wallMs} ms; peak RSS ${org.peakRssMiB} MiB (fakes included)`,
                target: "requests = pages, in flight <= bound",
                value: org.exact && org.peakInFlight <= org.bound ? "exact" : "mismatch",
                met: org.exact && org.peakInFlight <= org.bound,
            });
            results.org = org;
        }
    } finally {
        if (!options.work) {
            fs.rmSync(workDir, { recursive: true, force: true });
        }
    }
    const report = {
        generatedAt: startedAt,
        durationS: round((now() - started) / 1000, 0),
        quick: options.quick,
        repo: options.repo,
        ...(options.against !== undefined ? { against: options.against } : {}),
        seed: SEED,
        machine: machine(),
        targets,
        ...results,
    };
    fs.writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    printTable(targets);
    process.stdout.write(`\nwrote ${path.relative(process.cwd(), options.out)}\n`);
    return 0;
}

if (require.main === module) {
    main().then(code => {
        process.exitCode = code;
    }, (error: unknown) => {
        process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
        process.exitCode = 1;
    });
}

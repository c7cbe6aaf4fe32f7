/**
 * Tests of the engine-faithful harness itself, against a tiny throwaway pack (not apigw-guard).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    Diagnostic,
    EngineResource,
    PackProcess,
    PolicyPackConfig,
    RunResult,
    SecretValue,
    UNKNOWN_SENTINELS,
    isSecret,
    makeUrn,
    reconcilePolicyPackConfig,
    repoRoot,
    reveal,
    rootStackUrn,
    runLikeEngine,
    secret,
    unknowns,
} from "../../testkit/engine";
import { SECRET_SIG, SIG_KEY, decodeProperties, encodeProperties } from "../../testkit/wire";

const TINY_PACK = String.raw`
const { PolicyPack } = require("@pulumi/policy");
// Policies get props through an unknown-checking proxy; the raw target shows exactly what arrived.
const raw = (props) => props.__getSpecialProxyTarget;
const THING = "tiny:index:Thing";
new PolicyPack("tiny", {
    policies: [
        {
            name: "echo-props",
            description: "Reports what it saw.",
            enforcementLevel: "advisory",
            validateResource: (args, report) => {
                if (args.type !== THING) { return; }
                console.log("echo-props ran for " + args.name);
                console.error("stderr note for " + args.name);
                report(JSON.stringify({
                    name: args.name,
                    urn: args.urn,
                    props: raw(args.props),
                    tags: Object.fromEntries(args.stackTags),
                    opts: args.opts,
                    provider: args.provider
                        ? { urn: args.provider.urn, type: args.provider.type, name: args.provider.name, props: raw(args.provider.props) }
                        : null,
                }));
            },
        },
        {
            name: "no-open",
            description: "Things must not be open.",
            enforcementLevel: "mandatory",
            severity: "high",
            validateResource: (args, report) => {
                if (args.type === THING && raw(args.props).open === true) { report("it is open"); }
            },
        },
        {
            name: "reads-unknown",
            description: "Reads a field that may be unknown.",
            enforcementLevel: "advisory",
            validateResource: (args, report) => {
                if (args.type === THING && args.props.size > 10) { report("too big"); }
            },
        },
        {
            name: "fixer",
            description: "Repairs broken things.",
            enforcementLevel: "remediate",
            remediateResource: (args) => {
                // Reads through the proxy: an unknown 'broken' makes the remediation unable to run.
                if (args.type === THING && args.props.broken === true) {
                    args.props.broken = false;
                    args.props.fixed = true;
                    return args.props;
                }
                return undefined;
            },
            validateResource: (args, report) => {
                if (args.type === THING && raw(args.props).broken === true) { report("still broken"); }
            },
        },
        {
            name: "stack-graph",
            description: "Reports the resource graph it saw.",
            enforcementLevel: "advisory",
            validateStack: (args, report) => {
                report(JSON.stringify(args.resources.map(r => ({
                    urn: r.urn,
                    parent: r.parent ? r.parent.urn : null,
                    deps: r.dependencies.map(d => d.urn),
                    propDeps: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.map(d => d.urn)])),
                    optsParent: r.opts.parent === undefined ? null : r.opts.parent,
                    props: raw(r.props),
                }))));
            },
        },
        {
            name: "stack-mandatory",
            description: "Stack-level check.",
            enforcementLevel: "mandatory",
            severity: "critical",
            validateStack: (args, report) => {
                for (const r of args.resources) {
                    if (r.type === THING && raw(r.props).open === true) {
                        report({ message: "open thing " + r.name, urn: r.urn });
                    }
                    if (raw(r.props).foreign === true) {
                        report({ message: "foreign", urn: "urn:pulumi:dev::demo::x:y:Z::nope" });
                    }
                }
            },
        },
        {
            name: "configurable",
            description: "Reports its config.",
            enforcementLevel: "advisory",
            configSchema: {
                properties: {
                    threshold: { type: "number", default: 3 },
                    label: { type: "string" },
                },
            },
            validateResource: (args, report) => {
                if (args.type === THING) { report(JSON.stringify(args.getConfig())); }
            },
        },
        {
            name: "always-off",
            description: "Disabled by default.",
            enforcementLevel: "disabled",
            validateResource: (args, report) => { report("should never appear"); },
        },
        {
            name: "picky",
            description: "Only for gadgets.",
            enforcementLevel: "advisory",
            validateResource: (args, report) => {
                if (args.type !== "tiny:index:Gadget") { args.notApplicable("only gadgets"); }
                report("gadget seen");
            },
        },
    ],
});
`;

function writePack(dir: string, indexJs: string): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: path.basename(dir), version: "0.0.1", main: "index.js" }));
    fs.writeFileSync(path.join(dir, "index.js"), indexJs);
}

function byPolicy(r: RunResult, name: string): Diagnostic[] {
    return r.diagnostics.filter(d => d.policyName === name);
}

/** The JSON a reporting policy put after its description line. */
function payload<T>(d: Diagnostic | undefined): T {
    assert.ok(d, "expected a diagnostic");
    const nl = d.message.indexOf("\n");
    return JSON.parse(d.message.slice(nl + 1)) as T;
}

interface Echo {
    name: string;
    urn: string;
    props: Record<string, unknown>;
    tags: Record<string, string>;
    opts: { protect: boolean; parent?: string; ignoreChanges: string[] };
    provider: { urn: string; type: string; name: string; props: Record<string, unknown> } | null;
}

interface GraphNode {
    urn: string;
    parent: string | null;
    deps: string[];
    propDeps: Record<string, string[]>;
    optsParent: string | null;
    props: Record<string, unknown>;
}

function isProcessAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
        if (cond()) {
            return true;
        }
        await new Promise(r => setTimeout(r, 50));
    }
    return cond();
}

const THING = "tiny:index:Thing";

describe("engine harness (tiny throwaway pack)", function () {
    this.timeout(60_000);

    let root: string;
    let packDir: string;
    let pack: PackProcess;

    before(async () => {
        const outDir = path.join(repoRoot(), "test-output");
        fs.mkdirSync(outDir, { recursive: true });
        // Under the repo so the pack resolves @pulumi/policy from the repo's node_modules.
        root = fs.mkdtempSync(path.join(outDir, "tiny-pack-"));
        packDir = path.join(root, "tiny");
        writePack(packDir, TINY_PACK);
        pack = await PackProcess.start({ packDir });
    });

    after(async () => {
        if (pack) {
            await pack.close();
        }
        if (root) {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    describe("process and protocol", () => {
        it("reads the port from the first stdout line; the engine address need not be reachable", async () => {
            assert.ok(Number.isInteger(pack.port) && pack.port > 0, `port ${pack.port}`);
            assert.ok(pack.running);
            // @pulumi/policy does not implement Handshake; the engine tolerates UNIMPLEMENTED.
            assert.deepStrictEqual(await pack.handshake(), { implemented: false });
            const plugin = await pack.getPluginInfo();
            assert.match(plugin.version, /^\d+\.\d+\.\d+/);
        });

        it("GetAnalyzerInfo returns the policies with levels, types, severities and config schemas", async () => {
            const info = await pack.getAnalyzerInfo();
            assert.strictEqual(info.name, "tiny");
            assert.strictEqual(info.version, "0.0.1");
            assert.strictEqual(info.supportsConfig, true);
            assert.deepStrictEqual(info.policies.map(p => p.name), [
                "echo-props", "no-open", "reads-unknown", "fixer", "stack-graph", "stack-mandatory", "configurable", "always-off", "picky",
            ]);
            const get = (n: string) => info.policies.find(p => p.name === n)!;
            assert.strictEqual(get("no-open").enforcementLevel, "mandatory");
            assert.strictEqual(get("no-open").severity, "high");
            assert.strictEqual(get("no-open").policyType, "resource");
            assert.strictEqual(get("fixer").enforcementLevel, "remediate");
            assert.strictEqual(get("always-off").enforcementLevel, "disabled");
            assert.strictEqual(get("stack-graph").policyType, "stack");
            assert.strictEqual(get("echo-props").description, "Reports what it saw.");
            assert.deepStrictEqual(get("configurable").configSchema, {
                type: "object",
                properties: { threshold: { type: "number", default: 3 }, label: { type: "string" } },
            });
            assert.strictEqual(get("echo-props").configSchema, undefined);
            assert.deepStrictEqual(info.initialConfig, {});
        });

        it("captures pack output after the port line (where the engine shows it) without confusing the port", async () => {
            const before = pack.stdout().length;
            await runLikeEngine([{ type: THING, name: "noisy", props: { token: secret("do-not-print") } }], { pack });
            const out = pack.stdout().slice(before);
            assert.match(out, /echo-props ran for noisy/);
            assert.match(pack.stderr(), /stderr note for noisy/);
            assert.doesNotMatch(pack.stdout() + pack.stderr(), /do-not-print/);
        });
    });

    describe("property encoding", () => {
        it("a resource policy sees a secret unwrapped, unknowns as sentinels, no __ keys, and the stack tags", async () => {
            const res = await runLikeEngine([{
                type: THING,
                name: "t1",
                props: {
                    token: secret("s3cr3t"),
                    nestedSecret: { inner: secret({ deep: [1, secret("x")] }) },
                    id: unknowns.string,
                    count: unknowns.number,
                    enabled: unknowns.boolean,
                    list: unknowns.array,
                    obj: unknowns.object,
                    items: ["a", unknowns.string, null],
                    gone: undefined,
                    __internal: "dropped",
                },
                options: { protect: true, ignoreChanges: ["tags"] },
                provider: { props: { region: "eu-west-1", secretKey: secret("sk") } },
            }], { pack, stack: { tags: { env: "test" } } });
            const echo = payload<Echo>(byPolicy(res, "echo-props")[0]);
            assert.strictEqual(echo.name, "t1");
            assert.strictEqual(echo.urn, `urn:pulumi:dev::demo::${THING}::t1`);
            assert.deepStrictEqual(echo.props, {
                token: "s3cr3t",
                nestedSecret: { inner: { deep: [1, "x"] } },
                id: UNKNOWN_SENTINELS.string,
                count: UNKNOWN_SENTINELS.number,
                enabled: UNKNOWN_SENTINELS.boolean,
                list: UNKNOWN_SENTINELS.array,
                obj: UNKNOWN_SENTINELS.object,
                items: ["a", UNKNOWN_SENTINELS.string, null],
            });
            assert.deepStrictEqual(echo.tags, { env: "test" });
            assert.strictEqual(echo.opts.protect, true);
            assert.deepStrictEqual(echo.opts.ignoreChanges, ["tags"]);
            assert.deepStrictEqual(echo.provider, {
                urn: "urn:pulumi:dev::demo::pulumi:providers:tiny::default",
                type: "pulumi:providers:tiny",
                name: "default",
                props: { region: "eu-west-1", secretKey: "sk" },
            });
        });

        it("reading an unknown value inside a policy becomes @pulumi/policy's advisory note", async () => {
            const res = await runLikeEngine([{ type: THING, name: "t2", props: { size: unknowns.number } }], { pack });
            const d = byPolicy(res, "reads-unknown");
            assert.strictEqual(d.length, 1);
            assert.strictEqual(d[0].enforcementLevel, "advisory");
            assert.match(d[0].message, /can't run policy 'reads-unknown' from policy pack 'tiny@v0.0.1' during preview/);
            const known = await runLikeEngine([{ type: THING, name: "t3", props: { size: 11 } }], { pack });
            assert.deepStrictEqual(byPolicy(known, "reads-unknown").map(x => x.message), ["Reads a field that may be unknown.\ntoo big"]);
        });

        it("wire helpers: encode/decode round trip and the engine's wire form", () => {
            const props = { a: secret("v"), b: unknowns.object, c: [undefined, 1], d: undefined, __x: 1 };
            const wire = encodeProperties(props, { skipInternalKeys: true });
            assert.deepStrictEqual(wire, {
                a: { [SIG_KEY]: SECRET_SIG, value: "v" },
                b: UNKNOWN_SENTINELS.object,
                c: [null, 1],
            });
            assert.ok("__x" in encodeProperties(props));
            const back = decodeProperties(wire);
            assert.ok(isSecret(back["a"]));
            assert.strictEqual(back["b"], unknowns.object);
            assert.deepStrictEqual(reveal(back), { a: "v", b: UNKNOWN_SENTINELS.object, c: [null, 1] });
            assert.strictEqual(JSON.stringify({ s: secret("hide me") }), '{"s":"[secret]"}');
            assert.throws(() => encodeProperties({ when: new Date() }), /cannot encode/);
        });
    });

    describe("diagnostics", () => {
        it("come back decoded with enforcement levels, severities and the engine's URN attribution", async () => {
            const res = await runLikeEngine([
                { type: THING, name: "open1", props: { open: true } },
                { type: "tiny:index:Gadget", name: "g1", props: { foreign: true } },
            ], { pack });
            const thingUrn = makeUrn(THING, "open1");
            const noOpen = byPolicy(res, "no-open");
            assert.strictEqual(noOpen.length, 1);
            assert.deepStrictEqual(noOpen[0], {
                policyName: "no-open",
                policyPackName: "tiny",
                policyPackVersion: "0.0.1",
                message: "Things must not be open.\nit is open",
                description: "Things must not be open.",
                enforcementLevel: "mandatory",
                severity: "high",
                urn: thingUrn,
                phase: "analyze",
            });
            const stack = byPolicy(res, "stack-mandatory");
            assert.deepStrictEqual(stack.map(d => [d.message, d.urn, d.reportedUrn, d.enforcementLevel, d.severity, d.phase]), [
                ["open thing open1", thingUrn, thingUrn, "mandatory", "critical", "analyzeStack"],
                // A URN that is not a resource of the stack is attributed to the root stack.
                ["foreign", rootStackUrn(), "urn:pulumi:dev::demo::x:y:Z::nope", "mandatory", "critical", "analyzeStack"],
            ]);
            assert.strictEqual(byPolicy(res, "always-off").length, 0);
            assert.strictEqual(res.failed, true);
            assert.strictEqual(res.aborted, undefined);
            assert.deepStrictEqual(res.urns, [thingUrn, makeUrn("tiny:index:Gadget", "g1")]);
            // Diagnostics are ordered: per resource, then the stack.
            const phases = res.diagnostics.map(d => d.phase);
            assert.strictEqual(phases.lastIndexOf("analyze") < phases.indexOf("analyzeStack"), true);
        });

        it("report notApplicable per resource", async () => {
            const res = await runLikeEngine([
                { type: THING, name: "t4", props: {} },
                { type: "tiny:index:Gadget", name: "g2", props: {} },
            ], { pack });
            const na = res.notApplicable.filter(n => n.policyName === "picky");
            assert.deepStrictEqual(na, [{ policyName: "picky", reason: "only gadgets", urn: makeUrn(THING, "t4"), phase: "analyze" }]);
            assert.deepStrictEqual(byPolicy(res, "picky").map(d => d.urn), [makeUrn("tiny:index:Gadget", "g2")]);
        });

        it("with dryRun false a mandatory violation stops the deployment before AnalyzeStack", async () => {
            const res = await runLikeEngine([
                { type: THING, name: "bad", props: { open: true } },
                { type: THING, name: "never", props: {} },
            ], { pack, dryRun: false });
            assert.deepStrictEqual(res.aborted, { urn: makeUrn(THING, "bad"), reason: `resource ${makeUrn(THING, "bad")} is invalid` });
            assert.strictEqual(res.failed, true);
            assert.ok(!res.diagnostics.some(d => d.urn === makeUrn(THING, "never")));
            assert.ok(!res.diagnostics.some(d => d.phase === "analyzeStack"));
        });
    });

    describe("remediation", () => {
        it("runs Remediate before Analyze, and Analyze/AnalyzeStack see the remediated props (secrets kept)", async () => {
            const res = await runLikeEngine([{ type: THING, name: "broken1", props: { broken: true, token: secret("keep") } }], { pack });
            const urn = makeUrn(THING, "broken1");
            const props = res.remediated.get(urn);
            assert.ok(props, "remediated props");
            assert.strictEqual(props["broken"], false);
            assert.strictEqual(props["fixed"], true);
            assert.ok(props["token"] instanceof SecretValue, "secret survives remediation");
            assert.deepStrictEqual(reveal(props), { broken: false, fixed: true, token: "keep" });
            assert.deepStrictEqual(res.remediations.map(r => [r.policyName, r.urn]), [["fixer", urn]]);
            assert.strictEqual(byPolicy(res, "fixer").length, 0, "no 'still broken' after remediation");
            assert.deepStrictEqual(payload<Echo>(byPolicy(res, "echo-props")[0]).props, { broken: false, fixed: true, token: "keep" });
            const graph = payload<GraphNode[]>(byPolicy(res, "stack-graph")[0]);
            assert.deepStrictEqual(graph[0].props, { broken: false, fixed: true, token: "keep" });
        });

        it("a remediation that reads an unknown becomes an advisory diagnostic, as the engine reports it", async () => {
            const res = await runLikeEngine([{ type: THING, name: "b2", props: { broken: unknowns.boolean } }], { pack });
            assert.strictEqual(res.remediated.size, 0);
            const d = res.diagnostics.filter(x => x.phase === "remediate");
            assert.strictEqual(d.length, 1);
            assert.strictEqual(d[0].policyName, "fixer");
            assert.strictEqual(d[0].enforcementLevel, "advisory");
            assert.strictEqual(d[0].urn, makeUrn(THING, "b2"));
            assert.match(d[0].message, /can't run remediation 'fixer' from policy pack 'tiny@v0.0.1' during preview/);
        });

        it("unknowns the remediation does not read survive it as unknowns", async () => {
            const direct = await pack.remediate({ type: THING, name: "b3", props: { broken: true, n: unknowns.number } });
            assert.strictEqual(direct.remediations.length, 1);
            const props = direct.remediations[0].properties!;
            assert.strictEqual(props["n"], unknowns.number);
            assert.deepStrictEqual(reveal(props), { broken: false, fixed: true, n: UNKNOWN_SENTINELS.number });
        });
    });

    describe("stack analysis", () => {
        it("a stack policy sees parent, dependencies and propertyDependencies resolved to resources", async () => {
            const a: EngineResource = { type: THING, name: "a", props: { x: 1 } };
            const aUrn = makeUrn(THING, "a");
            const b: EngineResource = {
                type: "tiny:index:Gadget",
                name: "b",
                props: { source: unknowns.string },
                outputs: { source: "resolved-id" },
                parent: aUrn,
                dependencies: [aUrn, "urn:pulumi:dev::demo::x:y:Z::missing"],
                propertyDependencies: { source: [aUrn], none: [] },
            };
            const res = await runLikeEngine([a, b], { pack });
            const bUrn = `urn:pulumi:dev::demo::${THING}$tiny:index:Gadget::b`;
            assert.deepStrictEqual(res.urns, [aUrn, bUrn]);
            const graph = payload<GraphNode[]>(byPolicy(res, "stack-graph")[0]);
            assert.deepStrictEqual(graph, [
                { urn: aUrn, parent: null, deps: [], propDeps: {}, optsParent: null, props: { x: 1 } },
                // Unknown URNs are dropped by @pulumi/policy; empty property deps are not sent by the engine.
                { urn: bUrn, parent: aUrn, deps: [aUrn], propDeps: { source: [aUrn] }, optsParent: null, props: { source: "resolved-id" } },
            ]);
        });

        it("stackResource registers the root stack and parents top-level resources to it", async () => {
            const res = await runLikeEngine([{ type: THING, name: "c", props: {} }], { pack, stackResource: true });
            const graph = payload<GraphNode[]>(byPolicy(res, "stack-graph")[0]);
            assert.deepStrictEqual(graph.map(n => [n.urn, n.parent]), [
                [rootStackUrn(), null],
                [makeUrn(THING, "c"), rootStackUrn()],
            ]);
            const echo = payload<Echo>(byPolicy(res, "echo-props")[0]);
            assert.strictEqual(echo.opts.parent, rootStackUrn());
            assert.deepStrictEqual(res.urns, [makeUrn(THING, "c")]);
        });
    });

    describe("configuration", () => {
        const configOf = (r: RunResult) => payload<Record<string, unknown>>(byPolicy(r, "configurable")[0]);
        const thing: EngineResource = { type: THING, name: "cfg", props: { open: true } };

        it("schema defaults reach getConfig() without any user config", async () => {
            const res = await runLikeEngine([thing], { pack });
            assert.deepStrictEqual(configOf(res), { threshold: 3 });
            assert.deepStrictEqual(res.config["configurable"], { enforcementLevel: "advisory", properties: { threshold: 3 } });
            assert.deepStrictEqual(res.config["no-open"], { enforcementLevel: "mandatory", properties: undefined });
        });

        it("user config wins over defaults and reaches getConfig(); the next run is reset", async () => {
            const res = await runLikeEngine([thing], { pack, config: { configurable: { threshold: 7, label: "x" } } });
            assert.deepStrictEqual(configOf(res), { threshold: 7, label: "x" });
            const again = await runLikeEngine([thing], { pack });
            assert.deepStrictEqual(configOf(again), { threshold: 3 });
        });

        it("enforcement levels can be overridden per policy and for all", async () => {
            const adv = await runLikeEngine([thing], { pack, config: { "no-open": "advisory" } });
            assert.strictEqual(byPolicy(adv, "no-open")[0].enforcementLevel, "advisory");
            const on = await runLikeEngine([thing], { pack, config: { "always-off": { enforcementLevel: "mandatory" } } });
            assert.strictEqual(byPolicy(on, "always-off")[0].enforcementLevel, "mandatory");
            const off = await runLikeEngine([thing], { pack, config: { all: "disabled" } });
            assert.deepStrictEqual(off.diagnostics, []);
            assert.strictEqual(off.failed, false);
        });

        it("invalid config is rejected like the CLI does", async () => {
            await assert.rejects(
                runLikeEngine([thing], { pack, config: { configurable: { threshold: "high" } } }),
                /validating policy config: tiny 0\.0\.1\n {2}configurable: threshold: must be number/,
            );
            await assert.rejects(runLikeEngine([thing], { pack, config: { "no-open": "loud" as "advisory" } }), /not a valid enforcement level/);
            const info = await pack.getAnalyzerInfo();
            assert.throws(() => reconcilePolicyPackConfig(info, { configurable: { enforcementLevel: 3 } } as unknown as PolicyPackConfig), /must be a string/);
        });

        it("configure() applies schema defaults itself when called directly", async () => {
            const sent = await pack.configure({ configurable: { label: "direct" } });
            assert.deepStrictEqual(sent["configurable"], { enforcementLevel: "advisory", properties: { threshold: 3, label: "direct" } });
            const r = await pack.analyze(thing);
            const d = r.diagnostics.find(x => x.policyName === "configurable");
            assert.deepStrictEqual(payload<Record<string, unknown>>(d), { threshold: 3, label: "direct" });
            assert.strictEqual(d?.urn, undefined, "PackProcess.analyze returns the URN as reported (none)");
        });
    });

    describe("starting and stopping", () => {
        it("runLikeEngine starts and closes its own pack when none is given", async () => {
            const res = await runLikeEngine([{ type: THING, name: "own", props: { token: secret("zzz") } }], { packDir });
            assert.strictEqual(payload<Echo>(byPolicy(res, "echo-props")[0]).props["token"], "zzz");
            assert.match(res.stdout, /echo-props ran for own/);
        });

        it("close() kills the pack and waits for it to exit; later calls fail clearly", async () => {
            const p = await PackProcess.start({ packDir });
            const pid = p.pid!;
            assert.ok(isProcessAlive(pid));
            await p.close();
            assert.strictEqual(p.running, false);
            assert.strictEqual(isProcessAlive(pid), false);
            await p.close(); // idempotent
            await assert.rejects(p.getAnalyzerInfo(), /connection is closed/);
        });

        it("times out with the pack's stderr when no port appears, and kills the pack", async () => {
            const dir = path.join(root, "slow");
            writePack(dir, `require("fs").writeFileSync("pid", String(process.pid)); console.error("booting slowly"); setInterval(() => {}, 1000);`);
            await assert.rejects(PackProcess.start({ packDir: dir, startTimeoutMs: 2500 }), (e: Error) => {
                assert.match(e.message, /did not print its port within 2500 ms/);
                assert.match(e.message, /booting slowly/);
                return true;
            });
            const pid = Number(fs.readFileSync(path.join(dir, "pid"), "utf8"));
            assert.ok(await waitFor(() => !isProcessAlive(pid), 5000), "slow pack was killed");
        });

        it("fails clearly when the pack crashes before serving", async () => {
            const dir = path.join(root, "crash");
            writePack(dir, `throw new Error("pack exploded");`);
            await assert.rejects(PackProcess.start({ packDir: dir }), (e: Error) => {
                assert.match(e.message, /exited \(code \d+, signal null\) before printing its port/);
                assert.match(e.message, /pack exploded/);
                return true;
            });
        });

        it("fails like the engine when something other than the port is printed first", async () => {
            const dir = path.join(root, "chatty");
            writePack(dir, `console.log("hello from the pack"); require("@pulumi/policy"); new (require("@pulumi/policy").PolicyPack)("chatty", { policies: [] });`);
            await assert.rejects(PackProcess.start({ packDir: dir }), /wrote a non-numeric port to stdout \('hello from the pack'\)/);
        });

        it("default URNs follow the stack settings and parent type chain", () => {
            assert.strictEqual(makeUrn("a:b:C", "n"), "urn:pulumi:dev::demo::a:b:C::n");
            assert.strictEqual(makeUrn("a:b:C", "n", { stack: "prod", project: "p" }), "urn:pulumi:prod::p::a:b:C::n");
            assert.strictEqual(makeUrn("a:b:C", "n", { parent: "urn:pulumi:dev::demo::x:y:Comp::c" }), "urn:pulumi:dev::demo::x:y:Comp$a:b:C::n");
            assert.strictEqual(makeUrn("a:b:C", "n", { parent: rootStackUrn() }), "urn:pulumi:dev::demo::a:b:C::n");
        });
    });
});

/**
 * An engine-faithful driver for a CrossGuard policy pack.
 *
 * There is no Pulumi CLI in this repository's test environment, so this module does what the
 * engine does (pulumi/pulumi `sdk/go/common/resource/plugin/analyzer_plugin.go`,
 * `pkg/resource/deploy/step_generator.go`, `pkg/resource/analyzer/config.go`):
 *
 *   1. starts the pack the way the `pulumi-analyzer-policy` shim does — cwd = pack dir,
 *      `node <@pulumi/pulumi>/cmd/run-policy-pack <engineAddr> .`, engine env vars
 *      (PULUMI_NODEJS_STACK/PROJECT/ORGANIZATION/DRY_RUN, PULUMI_CONFIG, ...) — and reads the
 *      gRPC port from the first line of stdout (anything else there breaks the engine);
 *   2. Handshake (UNIMPLEMENTED tolerated) → ConfigureStack → GetAnalyzerInfo → Configure
 *      (every policy, schema defaults + initialConfig + user config, JSON-schema validated);
 *   3. for every resource, Remediate then Analyze (with the remediated properties);
 *   4. AnalyzeStack over all resources (their outputs; in a preview those are the inputs).
 *
 * The engine address argument is discarded by `run-policy-pack` (it shifts it off argv) and the
 * pack only logs to an engine when PULUMI_NODEJS_ENGINE is set, which the engine does not set for
 * policy packs; so it does not need to be reachable. Pack log output goes to its stdout/stderr,
 * which the engine forwards to the user: {@link PackProcess.stdout}/{@link PackProcess.stderr}
 * capture it so tests can assert that no secret leaks there.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import type * as AnalyzerPbT from "@pulumi/pulumi/proto/analyzer_pb";
import type * as GrpcT from "@grpc/grpc-js";
import { analyzerGrpcPb, analyzerPb, emptyPb, grpc, structPb } from "./proto";
import { decodeProperties, encodeProperties } from "./wire";

export { secret, unknowns, reveal, isSecret, isUnknown, SecretValue, UnknownValue, UNKNOWN_SENTINELS, SIG_KEY, SECRET_SIG } from "./wire";

// ------------------------------------------------------------------------------------------------
// Types
// ------------------------------------------------------------------------------------------------

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export type Severity = "low" | "medium" | "high" | "critical";
export type PolicyType = "resource" | "stack" | "unknown";
export type Phase = "remediate" | "analyze" | "analyzeStack";

export interface EngineProvider {
    /** Defaults to `urn:pulumi:<stack>::<project>::<type>::<name>`. */
    urn?: string;
    /** Defaults to `pulumi:providers:<package of the resource type>`. */
    type?: string;
    /** Defaults to `default`. */
    name?: string;
    /** The provider's inputs (may use secret()/unknowns markers). Defaults to `{}`. */
    props?: Record<string, unknown>;
}

export interface EngineResourceOptions {
    protect?: boolean;
    ignoreChanges?: string[];
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs?: string[];
    aliases?: string[];
    customTimeouts?: { create?: number; update?: number; delete?: number };
}

export interface EngineResource {
    /** Defaults to `urn:pulumi:<stack>::<project>::<type>::<name>` (type chain includes the parent's). */
    urn?: string;
    type: string;
    name: string;
    /** Inputs, as sent to Remediate/Analyze. Use secret(...) and unknowns.* markers freely. */
    props: Record<string, unknown>;
    /** Outputs as sent to AnalyzeStack. Defaults to the (remediated) inputs, as in a preview of a create. */
    outputs?: Record<string, unknown>;
    /** Parent URN. */
    parent?: string;
    /** URNs this resource depends on. */
    dependencies?: string[];
    /** Property name → URNs its value came from. */
    propertyDependencies?: Record<string, string[]>;
    provider?: EngineProvider;
    options?: EngineResourceOptions;
}

export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    message: string;
    /**
     * For PackProcess calls: the URN the pack put on the diagnostic (if any).
     * For runLikeEngine: the URN the engine attributes it to (the analyzed resource for Analyze;
     * for AnalyzeStack the reported URN if it is a resource of the stack, else the root stack URN).
     */
    urn?: string;
    /** runLikeEngine only: the URN the pack itself reported (may differ from `urn`). */
    reportedUrn?: string;
    enforcementLevel: EnforcementLevel;
    description?: string;
    severity?: Severity;
    /** Which engine call produced it. */
    phase: Phase;
}

export interface NotApplicable {
    policyName: string;
    reason?: string;
}

export interface Remediation {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description?: string;
    /** New properties (secret()/unknowns markers preserved), if the remediation changed the resource. */
    properties?: Record<string, unknown>;
    /** Set when the remediation could not run (e.g. it read an unknown value during preview). */
    diagnostic?: string;
}

export interface AnalyzeResult {
    diagnostics: Diagnostic[];
    notApplicable: NotApplicable[];
}

export interface RemediateResult {
    remediations: Remediation[];
    notApplicable: NotApplicable[];
}

/** A policy's config schema as a JSON schema object (the engine keeps only `properties` and `required`). */
export interface ConfigSchema {
    type: "object";
    properties: Record<string, Record<string, unknown>>;
    required?: string[];
}

export interface PolicyInfo {
    name: string;
    displayName?: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    policyType: PolicyType;
    configSchema?: ConfigSchema;
    severity?: Severity;
    tags?: string[];
    remediationSteps?: string;
    url?: string;
    framework?: { name?: string; version?: string; reference?: string; specification?: string };
}

export interface PolicyConfigEntry {
    enforcementLevel: EnforcementLevel;
    properties?: Record<string, unknown>;
}

export interface AnalyzerInfo {
    name: string;
    displayName?: string;
    version: string;
    description?: string;
    supportsConfig: boolean;
    /** In the order the pack declares them. */
    policies: PolicyInfo[];
    /**
     * The pack's programmatic initial config. Note: as in the engine, an entry that carries only
     * properties decodes with enforcement level "advisory" (proto3 enum default).
     */
    initialConfig: Record<string, PolicyConfigEntry>;
}

/**
 * Policy pack config as written in a `--policy-pack-config` file: policy name (or "all") →
 * an enforcement level, or an object with an optional `enforcementLevel` plus properties.
 */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface StackSettings {
    stack: string;
    project: string;
    organization: string;
    dryRun: boolean;
    /** Stack tags (ConfigureStack → `args.stackTags`). */
    tags: Record<string, string>;
    /** Stack config, e.g. `{"demo:region": "us-east-1"}` (ConfigureStack + PULUMI_CONFIG). */
    config: Record<string, string>;
    configSecretKeys: string[];
}

export const DEFAULT_STACK: Readonly<StackSettings> = Object.freeze({
    stack: "dev",
    project: "demo",
    organization: "organization",
    dryRun: true,
    tags: {},
    config: {},
    configSecretKeys: [],
});

export interface PackStartOptions {
    /** Defaults to `<repo>/policies`. */
    packDir?: string;
    /** Extra environment for the pack process (on top of process.env and the engine's vars). */
    env?: Record<string, string>;
    /** Stack settings used for the engine's env vars and as defaults for configureStack/URNs. */
    stack?: Partial<StackSettings>;
    /** How long to wait for the port line. Default 30 s. */
    startTimeoutMs?: number;
    /** Deadline for each gRPC call. Default 60 s. */
    callTimeoutMs?: number;
    /** First argument to run-policy-pack. Default `127.0.0.1:0` (it is not used by the pack). */
    engineAddress?: string;
    /**
     * Scripts the pack process loads before the pack (`node --require`), e.g. to make a module
     * the pack depends on unavailable. Added to NODE_OPTIONS beside the coverage preload.
     */
    preload?: readonly string[];
}

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

const LEVEL_NAMES: Record<number, EnforcementLevel> = {
    [analyzerPb.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerPb.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerPb.EnforcementLevel.DISABLED]: "disabled",
    [analyzerPb.EnforcementLevel.REMEDIATE]: "remediate",
};

const LEVEL_VALUES: Record<EnforcementLevel, AnalyzerPbT.EnforcementLevel> = {
    advisory: analyzerPb.EnforcementLevel.ADVISORY,
    mandatory: analyzerPb.EnforcementLevel.MANDATORY,
    disabled: analyzerPb.EnforcementLevel.DISABLED,
    remediate: analyzerPb.EnforcementLevel.REMEDIATE,
};

const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

function isEnforcementLevel(v: unknown): v is EnforcementLevel {
    return typeof v === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(v);
}

function levelName(v: number): EnforcementLevel {
    const name = LEVEL_NAMES[v];
    if (!name) {
        throw new Error(`invalid enforcement level ${v}`);
    }
    return name;
}

function severityName(v: number): Severity | undefined {
    switch (v) {
        case analyzerPb.PolicySeverity.POLICY_SEVERITY_LOW: return "low";
        case analyzerPb.PolicySeverity.POLICY_SEVERITY_MEDIUM: return "medium";
        case analyzerPb.PolicySeverity.POLICY_SEVERITY_HIGH: return "high";
        case analyzerPb.PolicySeverity.POLICY_SEVERITY_CRITICAL: return "critical";
        default: return undefined;
    }
}

function policyTypeName(v: number): PolicyType {
    switch (v) {
        case analyzerPb.PolicyType.POLICY_TYPE_RESOURCE: return "resource";
        case analyzerPb.PolicyType.POLICY_TYPE_STACK: return "stack";
        default: return "unknown";
    }
}

/** Finds the repository root (the directory holding `policies/PulumiPolicy.yaml`). */
export function repoRoot(): string {
    let dir = __dirname;
    for (;;) {
        if (fs.existsSync(path.join(dir, "policies", "PulumiPolicy.yaml")) && fs.existsSync(path.join(dir, "package.json"))) {
            return dir;
        }
        const up = path.dirname(dir);
        if (up === dir) {
            return process.cwd();
        }
        dir = up;
    }
}

export function defaultPackDir(): string {
    return path.join(repoRoot(), "policies");
}

/** `urn:pulumi:<stack>::<project>::pulumi:pulumi:Stack::<project>-<stack>` */
export function rootStackUrn(settings: Pick<StackSettings, "stack" | "project"> = DEFAULT_STACK): string {
    return `urn:pulumi:${settings.stack}::${settings.project}::pulumi:pulumi:Stack::${settings.project}-${settings.stack}`;
}

/**
 * The URN the engine would give a resource. With a parent (other than the root stack) the type
 * part is the parent's type chain + `$` + type, as in Pulumi.
 */
export function makeUrn(type: string, name: string, opts: { parent?: string; stack?: string; project?: string } = {}): string {
    const stack = opts.stack ?? DEFAULT_STACK.stack;
    const project = opts.project ?? DEFAULT_STACK.project;
    let qualified = type;
    if (opts.parent) {
        const parentType = opts.parent.split("::")[2];
        if (parentType && parentType !== "pulumi:pulumi:Stack") {
            qualified = `${parentType}$${type}`;
        }
    }
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

function urnOf(r: EngineResource, s: Pick<StackSettings, "stack" | "project">): string {
    return r.urn ?? makeUrn(r.type, r.name, { parent: r.parent, stack: s.stack, project: s.project });
}

function toStruct(obj: Record<string, unknown>): InstanceType<typeof structPb.Struct> {
    // Struct.fromJavaScript's typing is narrower than what it accepts (any JSON object).
    return structPb.Struct.fromJavaScript(obj as Parameters<typeof structPb.Struct.fromJavaScript>[0]);
}

function fromStruct(s: InstanceType<typeof structPb.Struct> | undefined): Record<string, unknown> {
    return s ? (s.toJavaScript() as Record<string, unknown>) : {};
}

function decodeDiagnostic(d: AnalyzerPbT.AnalyzeDiagnostic, phase: Phase): Diagnostic {
    const out: Diagnostic = {
        policyName: d.getPolicyname(),
        policyPackName: d.getPolicypackname(),
        policyPackVersion: d.getPolicypackversion(),
        message: d.getMessage(),
        enforcementLevel: levelName(d.getEnforcementlevel()),
        phase,
    };
    if (d.getUrn()) {
        out.urn = d.getUrn();
    }
    if (d.getDescription()) {
        out.description = d.getDescription();
    }
    const sev = severityName(d.getSeverity());
    if (sev) {
        out.severity = sev;
    }
    return out;
}

function decodeNotApplicable(list: AnalyzerPbT.PolicyNotApplicable[]): NotApplicable[] {
    return list.map(na => {
        const out: NotApplicable = { policyName: na.getPolicyName() };
        if (na.getReason()) {
            out.reason = na.getReason();
        }
        return out;
    });
}

/** An error from a gRPC call to the pack. */
export class PackCallError extends Error {
    constructor(message: string, public readonly method: string, public readonly code: number, public readonly details: string) {
        super(message);
        this.name = "PackCallError";
    }
}

// ------------------------------------------------------------------------------------------------
// Config reconciliation (pkg/resource/analyzer/config.go)
// ------------------------------------------------------------------------------------------------

/** Parses a `--policy-pack-config` style object the way the CLI does (parsePolicyPackConfig). */
export function parsePolicyPackConfig(config: PolicyPackConfig): Record<string, { enforcementLevel?: EnforcementLevel; properties?: Record<string, unknown> }> {
    const out: Record<string, { enforcementLevel?: EnforcementLevel; properties?: Record<string, unknown> }> = {};
    for (const [k, v] of Object.entries(config)) {
        let enforcementLevel: EnforcementLevel | undefined;
        let properties: Record<string, unknown> | undefined;
        if (typeof v === "string") {
            if (!isEnforcementLevel(v)) {
                throw new Error(`parsing enforcement level for "${k}": "${v}" is not a valid enforcement level`);
            }
            enforcementLevel = v;
        } else if (v !== null && typeof v === "object" && !Array.isArray(v)) {
            const rest: Record<string, unknown> = { ...v };
            if ("enforcementLevel" in rest) {
                const el = rest["enforcementLevel"];
                if (typeof el !== "string") {
                    throw new Error(`parsing enforcement level for "${k}": ${JSON.stringify(el)} is not a valid enforcement level; must be a string`);
                }
                if (!isEnforcementLevel(el)) {
                    throw new Error(`parsing enforcement level for "${k}": "${el}" is not a valid enforcement level`);
                }
                enforcementLevel = el;
                delete rest["enforcementLevel"];
            }
            if (Object.keys(rest).length > 0) {
                properties = rest;
            }
        } else {
            throw new Error(`parsing "${k}": ${JSON.stringify(v)} is not a valid value; must be a string or object`);
        }
        if (enforcementLevel === undefined && properties === undefined) {
            continue;
        }
        out[k] = {};
        if (enforcementLevel !== undefined) {
            out[k].enforcementLevel = enforcementLevel;
        }
        if (properties !== undefined) {
            out[k].properties = properties;
        }
    }
    return out;
}

function applyConfig(
    result: Record<string, PolicyConfigEntry>,
    toApply: Record<string, { enforcementLevel?: EnforcementLevel; properties?: Record<string, unknown> }>,
): Record<string, PolicyConfigEntry> {
    const all = toApply["all"];
    if (all && all.enforcementLevel) {
        for (const k of Object.keys(result)) {
            result[k] = { enforcementLevel: all.enforcementLevel, properties: result[k].properties };
        }
    }
    for (const [policy, given] of Object.entries(toApply)) {
        // As in the engine, a policy missing from the pack (including "all") gets an entry too.
        let enforcementLevel: EnforcementLevel | undefined = result[policy]?.enforcementLevel;
        let properties = result[policy]?.properties;
        if (given.enforcementLevel) {
            enforcementLevel = given.enforcementLevel;
        }
        if (given.properties && Object.keys(given.properties).length > 0) {
            properties = { ...(properties ?? {}), ...given.properties };
        }
        result[policy] = { enforcementLevel: enforcementLevel as EnforcementLevel, properties };
    }
    return result;
}

/** The schema the engine validates a policy's config against (enforcementLevel injected). */
export function engineValidationSchema(p: PolicyInfo): Record<string, unknown> {
    const properties: Record<string, unknown> = { ...(p.configSchema?.properties ?? {}) };
    properties["enforcementLevel"] = { type: "string", enum: [...ENFORCEMENT_LEVELS] };
    const schema: Record<string, unknown> = { type: "object", properties };
    if (p.configSchema?.required && p.configSchema.required.length > 0) {
        schema["required"] = p.configSchema.required;
    }
    return schema;
}

/**
 * What the engine sends in Configure: every policy with its enforcement level and its schema
 * defaults, then the pack's initialConfig, then the user config (which wins); validated against
 * each policy's schema. Throws like the CLI on invalid config.
 */
export function reconcilePolicyPackConfig(info: AnalyzerInfo, config?: PolicyPackConfig): Record<string, PolicyConfigEntry> {
    let result: Record<string, PolicyConfigEntry> = {};
    for (const p of info.policies) {
        let props: Record<string, unknown> | undefined;
        for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
            if (s && typeof s === "object" && "default" in s) {
                props = props ?? {};
                props[k] = s["default"];
            }
        }
        result[p.name] = { enforcementLevel: p.enforcementLevel, properties: props };
    }
    if (Object.keys(info.initialConfig).length > 0) {
        result = applyConfig(result, info.initialConfig);
    }
    if (config) {
        result = applyConfig(result, parsePolicyPackConfig(config));
    }
    if (info.supportsConfig) {
        const ajv = new Ajv({ allErrors: true, strict: false });
        const errors: string[] = [];
        for (const p of info.policies) {
            const validate = ajv.compile(engineValidationSchema(p));
            const props = result[p.name]?.properties ?? {};
            if (!validate(props)) {
                for (const e of validate.errors ?? []) {
                    const where = e.instancePath ? `${e.instancePath.replace(/^\//, "").replace(/\//g, ".")}: ` : "";
                    errors.push(`${p.name}: ${where}${e.message ?? "invalid"}`);
                }
            }
        }
        if (errors.length > 0) {
            throw new Error(`validating policy config: ${info.name} ${info.version}\n  ${errors.join("\n  ")}`);
        }
    }
    return result;
}

// ------------------------------------------------------------------------------------------------
// PackProcess
// ------------------------------------------------------------------------------------------------

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
    if (exitHookInstalled) {
        return;
    }
    exitHookInstalled = true;
    process.on("exit", () => {
        for (const c of liveChildren) {
            try {
                c.kill("SIGKILL");
            } catch {
                // already gone
            }
        }
    });
}

type UnaryMethod<Req, Res> = (
    request: Req,
    metadata: GrpcT.Metadata,
    options: Partial<GrpcT.CallOptions>,
    callback: (error: GrpcT.ServiceError | null, response: Res) => void,
) => unknown;

function engineEnv(s: StackSettings): Record<string, string> {
    const env: Record<string, string> = {};
    const put = (k: string, v: string): void => {
        if (v !== "") {
            env[k] = v;
        }
    };
    if (Object.keys(s.config).length > 0) {
        put("PULUMI_CONFIG", JSON.stringify(s.config));
    }
    put("PULUMI_NODEJS_ORGANIZATION", s.organization);
    put("PULUMI_NODEJS_PROJECT", s.project);
    put("PULUMI_NODEJS_STACK", s.stack);
    put("PULUMI_NODEJS_DRY_RUN", String(s.dryRun));
    put("PULUMI_ORGANIZATION", s.organization);
    put("PULUMI_PROJECT", s.project);
    put("PULUMI_STACK", s.stack);
    put("PULUMI_DRY_RUN", String(s.dryRun));
    return env;
}

/** A running policy pack process and a gRPC client to it. */
export class PackProcess {
    /** The stack settings last sent with configureStack (initially those given to start). */
    stack: StackSettings;
    /** Whether handshake() has been called. */
    handshaken = false;
    private closed = false;
    private lastInfo: AnalyzerInfo | undefined;

    private constructor(
        readonly packDir: string,
        readonly port: number,
        private readonly child: ChildProcess,
        private readonly client: InstanceType<typeof analyzerGrpcPb.AnalyzerClient>,
        private readonly io: { stdout: string; stderr: string },
        private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
        private readonly callTimeoutMs: number,
        stack: StackSettings,
    ) {
        this.stack = stack;
    }

    /** Starts the pack like the engine and waits for its port (first stdout line). */
    static async start(opts: PackStartOptions = {}): Promise<PackProcess> {
        const packDir = path.resolve(opts.packDir ?? defaultPackDir());
        const stack: StackSettings = { ...DEFAULT_STACK, ...opts.stack };
        const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
        const engineAddress = opts.engineAddress ?? "127.0.0.1:0";
        if (!fs.existsSync(path.join(packDir, "PulumiPolicy.yaml"))) {
            throw new Error(`no PulumiPolicy.yaml in ${packDir}`);
        }
        // The shim runs node on @pulumi/pulumi/cmd/run-policy-pack as resolved from the pack dir.
        const runPolicyPack = path.dirname(require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] }));

        installExitHook();
        const child = spawn(process.execPath, [runPolicyPack, engineAddress, "."], {
            cwd: packDir,
            env: { ...process.env, ...engineEnv(stack), ...preloadEnv(opts.preload ?? []), ...(opts.env ?? {}) },
            stdio: ["ignore", "pipe", "pipe"],
        });
        liveChildren.add(child);
        const io = { stdout: "", stderr: "" };
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => {
            child.once("exit", (code, signal) => {
                liveChildren.delete(child);
                resolve({ code, signal });
            });
        });

        let port: number;
        try {
            port = await new Promise<number>((resolve, reject) => {
                let first: string | undefined;
                let buf = "";
                const fail = (msg: string): void => {
                    clearTimeout(timer);
                    // Give stderr a moment to flush before reporting it.
                    setTimeout(() => reject(new Error(`${msg}\n--- pack stderr ---\n${io.stderr}`)), 50);
                };
                const timer = setTimeout(() => {
                    fail(`policy pack at ${packDir} did not print its port within ${startTimeoutMs} ms`);
                }, startTimeoutMs);
                child.stderr?.setEncoding("utf8");
                child.stderr?.on("data", (d: string) => { io.stderr += d; });
                child.stdout?.setEncoding("utf8");
                child.stdout?.on("data", (d: string) => {
                    if (first !== undefined) {
                        io.stdout += d;
                        return;
                    }
                    buf += d;
                    const nl = buf.indexOf("\n");
                    if (nl < 0) {
                        return;
                    }
                    first = buf.slice(0, nl);
                    io.stdout += buf.slice(nl + 1);
                    const text = first.trim();
                    if (!/^\d+$/.test(text)) {
                        fail(`policy pack at ${packDir} wrote a non-numeric port to stdout ('${text}')`);
                        return;
                    }
                    clearTimeout(timer);
                    resolve(Number(text));
                });
                child.once("error", err => fail(`could not start policy pack at ${packDir}: ${err.message}`));
                void exited.then(({ code, signal }) => {
                    if (first === undefined) {
                        fail(`policy pack at ${packDir} exited (code ${code}, signal ${signal}) before printing its port`);
                    }
                });
            });
        } catch (e) {
            await killAndWait(child, exited);
            throw e;
        }

        const client = new analyzerGrpcPb.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        return new PackProcess(packDir, port, child, client, io, exited, opts.callTimeoutMs ?? 60_000, stack);
    }

    /** The pack's process id. */
    get pid(): number | undefined {
        return this.child.pid;
    }

    /** Whether the pack process is still running. */
    get running(): boolean {
        return this.child.exitCode === null && this.child.signalCode === null;
    }

    /** Everything the pack wrote to stdout after the port line (the engine shows it to the user). */
    stdout(): string {
        return this.io.stdout;
    }

    /** Everything the pack wrote to stderr. */
    stderr(): string {
        return this.io.stderr;
    }

    private unary<Req, Res>(method: string, fn: UnaryMethod<Req, Res>, req: Req): Promise<Res> {
        if (this.closed) {
            return Promise.reject(new Error(`${method}: policy pack connection is closed`));
        }
        return new Promise<Res>((resolve, reject) => {
            fn.call(this.client, req, new grpc.Metadata(), { deadline: Date.now() + this.callTimeoutMs }, (err, res) => {
                if (err) {
                    const codeName = grpc.status[err.code] ?? String(err.code);
                    reject(new PackCallError(`${method} failed (${codeName}): ${err.details}`, method, err.code, err.details));
                } else {
                    resolve(res);
                }
            });
        });
    }

    /**
     * Handshake with the engine address and the pack dir as root/program directory.
     * `@pulumi/policy` does not implement it; the engine tolerates that (as it does any error).
     */
    async handshake(engineAddress = "127.0.0.1:0"): Promise<{ implemented: boolean; error?: string }> {
        this.handshaken = true;
        const req = new analyzerPb.AnalyzerHandshakeRequest();
        req.setEngineAddress(engineAddress);
        req.setRootDirectory(this.packDir);
        req.setProgramDirectory(this.packDir);
        try {
            await this.unary("Handshake", this.client.handshake, req);
            return { implemented: true };
        } catch (e) {
            if (e instanceof PackCallError && e.code === grpc.status.UNIMPLEMENTED) {
                return { implemented: false };
            }
            return { implemented: false, error: e instanceof Error ? e.message : String(e) };
        }
    }

    /** ConfigureStack (UNIMPLEMENTED tolerated, as by the engine). */
    async configureStack(settings: Partial<StackSettings> = {}): Promise<void> {
        const s: StackSettings = { ...this.stack, ...settings };
        this.stack = s;
        const req = new analyzerPb.AnalyzerStackConfigureRequest();
        req.setStack(s.stack);
        req.setProject(s.project);
        req.setOrganization(s.organization);
        req.setDryRun(s.dryRun);
        req.setConfigSecretKeysList([...s.configSecretKeys]);
        for (const [k, v] of Object.entries(s.config)) {
            req.getConfigMap().set(k, v);
        }
        for (const [k, v] of Object.entries(s.tags)) {
            req.getTagsMap().set(k, v);
        }
        try {
            await this.unary("ConfigureStack", this.client.configureStack, req);
        } catch (e) {
            if (!(e instanceof PackCallError && e.code === grpc.status.UNIMPLEMENTED)) {
                throw e;
            }
        }
    }

    /** GetAnalyzerInfo, decoded. */
    async getAnalyzerInfo(): Promise<AnalyzerInfo> {
        const res = await this.unary("GetAnalyzerInfo", this.client.getAnalyzerInfo, new emptyPb.Empty());
        const policies: PolicyInfo[] = res.getPoliciesList().map(p => {
            const info: PolicyInfo = {
                name: p.getName(),
                description: p.getDescription(),
                enforcementLevel: levelName(p.getEnforcementlevel()),
                policyType: policyTypeName(p.getPolicyType()),
            };
            if (p.getDisplayname()) {
                info.displayName = p.getDisplayname();
            }
            const schema = p.getConfigschema();
            if (schema) {
                info.configSchema = {
                    type: "object",
                    properties: fromStruct(schema.getProperties()) as Record<string, Record<string, unknown>>,
                };
                if (schema.getRequiredList().length > 0) {
                    info.configSchema.required = schema.getRequiredList();
                }
            }
            const sev = severityName(p.getSeverity());
            if (sev) {
                info.severity = sev;
            }
            if (p.getTagsList().length > 0) {
                info.tags = p.getTagsList();
            }
            if (p.getRemediationSteps()) {
                info.remediationSteps = p.getRemediationSteps();
            }
            if (p.getUrl()) {
                info.url = p.getUrl();
            }
            const fw = p.getFramework();
            if (fw) {
                info.framework = {};
                if (fw.getName()) { info.framework.name = fw.getName(); }
                if (fw.getVersion()) { info.framework.version = fw.getVersion(); }
                if (fw.getReference()) { info.framework.reference = fw.getReference(); }
                if (fw.getSpecification()) { info.framework.specification = fw.getSpecification(); }
            }
            return info;
        });
        const initialConfig: Record<string, PolicyConfigEntry> = {};
        res.getInitialconfigMap().forEach((v, k) => {
            const entry: PolicyConfigEntry = { enforcementLevel: levelName(v.getEnforcementlevel()) };
            if (v.getProperties()) {
                entry.properties = fromStruct(v.getProperties());
            }
            initialConfig[k] = entry;
        });
        const info: AnalyzerInfo = {
            name: res.getName(),
            version: res.getVersion(),
            supportsConfig: res.getSupportsconfig(),
            policies,
            initialConfig,
        };
        if (res.getDisplayname()) {
            info.displayName = res.getDisplayname();
        }
        if (res.getDescription()) {
            info.description = res.getDescription();
        }
        this.lastInfo = info;
        return info;
    }

    /** GetPluginInfo (the @pulumi/policy version). */
    async getPluginInfo(): Promise<{ version: string }> {
        const res = await this.unary("GetPluginInfo", this.client.getPluginInfo, new emptyPb.Empty());
        return { version: res.getVersion() };
    }

    /**
     * Configure like the CLI: schema defaults, initialConfig and `config` reconciled and validated
     * (see {@link reconcilePolicyPackConfig}), then sent for every policy. Returns what was sent.
     */
    async configure(config?: PolicyPackConfig): Promise<Record<string, PolicyConfigEntry>> {
        const info = this.lastInfo ?? await this.getAnalyzerInfo();
        const reconciled = reconcilePolicyPackConfig(info, config);
        await this.configureRaw(reconciled);
        return reconciled;
    }

    /** Sends exactly these PolicyConfig entries (no defaults, no validation). Empty → no call, as in the engine. */
    async configureRaw(entries: Record<string, PolicyConfigEntry>): Promise<void> {
        if (Object.keys(entries).length === 0) {
            return;
        }
        const req = new analyzerPb.ConfigureAnalyzerRequest();
        for (const [k, v] of Object.entries(entries)) {
            if (!isEnforcementLevel(v.enforcementLevel)) {
                throw new Error(`invalid enforcement level ${JSON.stringify(v.enforcementLevel)} for policy "${k}"`);
            }
            const pc = new analyzerPb.PolicyConfig();
            pc.setEnforcementlevel(LEVEL_VALUES[v.enforcementLevel]);
            pc.setProperties(toStruct(v.properties ?? {}));
            req.getPolicyconfigMap().set(k, pc);
        }
        await this.unary("Configure", this.client.configure, req);
    }

    private options(r: EngineResource, withParent: boolean): AnalyzerPbT.AnalyzerResourceOptions {
        const o = r.options ?? {};
        const opts = new analyzerPb.AnalyzerResourceOptions();
        opts.setProtect(o.protect ?? false);
        opts.setIgnorechangesList([...(o.ignoreChanges ?? [])]);
        opts.setDeletebeforereplace(o.deleteBeforeReplace ?? false);
        opts.setDeletebeforereplacedefined(o.deleteBeforeReplace !== undefined);
        opts.setAdditionalsecretoutputsList([...(o.additionalSecretOutputs ?? [])]);
        opts.setAliasesList([...(o.aliases ?? [])]);
        const ct = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
        ct.setCreate(o.customTimeouts?.create ?? 0);
        ct.setUpdate(o.customTimeouts?.update ?? 0);
        ct.setDelete(o.customTimeouts?.delete ?? 0);
        opts.setCustomtimeouts(ct);
        if (withParent && r.parent) {
            opts.setParent(r.parent);
        }
        return opts;
    }

    private provider(r: EngineResource): AnalyzerPbT.AnalyzerProviderResource | undefined {
        if (!r.provider) {
            return undefined;
        }
        const type = r.provider.type ?? `pulumi:providers:${r.type.split(":")[0]}`;
        const name = r.provider.name ?? "default";
        const p = new analyzerPb.AnalyzerProviderResource();
        p.setType(type);
        p.setName(name);
        p.setUrn(r.provider.urn ?? makeUrn(type, name, this.stack));
        p.setProperties(toStruct(encodeProperties(r.provider.props ?? {}, { skipInternalKeys: true })));
        return p;
    }

    private analyzeRequest(r: EngineResource, props: Record<string, unknown>, skipInternalKeys: boolean): AnalyzerPbT.AnalyzeRequest {
        const req = new analyzerPb.AnalyzeRequest();
        req.setUrn(urnOf(r, this.stack));
        req.setType(r.type);
        req.setName(r.name);
        req.setProperties(toStruct(encodeProperties(props, { skipInternalKeys })));
        req.setOptions(this.options(r, true));
        const prov = this.provider(r);
        if (prov) {
            req.setProvider(prov);
        }
        return req;
    }

    /** The URN this pack's stack settings give the resource. */
    urnOf(r: EngineResource): string {
        return urnOf(r, this.stack);
    }

    /** Remediate one resource (`props` overrides r.props). Internal `__` keys are kept, as by the engine. */
    async remediate(r: EngineResource, props: Record<string, unknown> = r.props): Promise<RemediateResult> {
        const res = await this.unary("Remediate", this.client.remediate, this.analyzeRequest(r, props, false));
        return {
            remediations: res.getRemediationsList().map(m => {
                const out: Remediation = {
                    policyName: m.getPolicyname(),
                    policyPackName: m.getPolicypackname(),
                    policyPackVersion: m.getPolicypackversion(),
                };
                if (m.getDescription()) {
                    out.description = m.getDescription();
                }
                const p = m.getProperties();
                if (p) {
                    out.properties = decodeProperties(fromStruct(p));
                }
                if (m.getDiagnostic()) {
                    out.diagnostic = m.getDiagnostic();
                }
                return out;
            }),
            notApplicable: decodeNotApplicable(res.getNotApplicableList()),
        };
    }

    /** Analyze one resource (`props` overrides r.props). */
    async analyze(r: EngineResource, props: Record<string, unknown> = r.props): Promise<AnalyzeResult> {
        const res = await this.unary("Analyze", this.client.analyze, this.analyzeRequest(r, props, true));
        return {
            diagnostics: res.getDiagnosticsList().map(d => decodeDiagnostic(d, "analyze")),
            notApplicable: decodeNotApplicable(res.getNotApplicableList()),
        };
    }

    /** AnalyzeStack over these resources (each with `outputs ?? props`). */
    async analyzeStack(resources: EngineResource[]): Promise<AnalyzeResult> {
        const req = new analyzerPb.AnalyzeStackRequest();
        req.setResourcesList(resources.map(r => {
            const ar = new analyzerPb.AnalyzerResource();
            ar.setUrn(urnOf(r, this.stack));
            ar.setType(r.type);
            ar.setName(r.name);
            ar.setProperties(toStruct(encodeProperties(r.outputs ?? r.props, { skipInternalKeys: true })));
            // The engine does not fill options.parent for AnalyzeStack; the parent goes in `parent`.
            ar.setOptions(this.options(r, false));
            const prov = this.provider(r);
            if (prov) {
                ar.setProvider(prov);
            }
            if (r.parent) {
                ar.setParent(r.parent);
            }
            ar.setDependenciesList([...(r.dependencies ?? [])]);
            for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                if (urns.length === 0) {
                    continue; // the engine skips properties without dependencies
                }
                const pd = new analyzerPb.AnalyzerPropertyDependencies();
                pd.setUrnsList([...urns]);
                ar.getPropertydependenciesMap().set(k, pd);
            }
            return ar;
        }));
        const res = await this.unary("AnalyzeStack", this.client.analyzeStack, req);
        return {
            diagnostics: res.getDiagnosticsList().map(d => decodeDiagnostic(d, "analyzeStack")),
            notApplicable: decodeNotApplicable(res.getNotApplicableList()),
        };
    }

    /** Closes the connection, kills the pack and waits for it to exit. Idempotent. */
    async close(): Promise<void> {
        if (!this.closed) {
            this.closed = true;
            this.client.close();
        }
        await killAndWait(this.child, this.exited);
    }
}

/**
 * The pack's preloads: the caller's, and under c8 one that has the pack write its coverage when
 * stopped (see coverage-on-exit.cjs).
 */
function preloadEnv(preloads: readonly string[]): Record<string, string> {
    const all = process.env.NODE_V8_COVERAGE ? [path.join(repoRoot(), "testkit", "coverage-on-exit.cjs"), ...preloads] : [...preloads];
    if (all.length === 0) {
        return {};
    }
    return { NODE_OPTIONS: [process.env.NODE_OPTIONS ?? "", ...all.map(file => `--require ${JSON.stringify(file)}`)].join(" ").trim() };
}

async function killAndWait(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) {
                child.kill("SIGKILL");
            }
        }, 5_000);
        await exited;
        clearTimeout(timer);
    }
    liveChildren.delete(child);
}

// ------------------------------------------------------------------------------------------------
// runLikeEngine
// ------------------------------------------------------------------------------------------------

export interface RunOptions {
    /** `--policy-pack-config` content. */
    config?: PolicyPackConfig;
    /** true = `pulumi preview` (default), false = `pulumi up`. */
    dryRun?: boolean;
    /** Extra env for a pack this call starts. */
    env?: Record<string, string>;
    /** Reuse a started pack (it is reconfigured, not closed). */
    pack?: PackProcess;
    /** Pack dir for a pack this call starts. */
    packDir?: string;
    /** Stack name/project/organization/tags/config. */
    stack?: Partial<Omit<StackSettings, "dryRun">>;
    /**
     * Also register the root `pulumi:pulumi:Stack` resource first (as a real program does) and
     * make it the parent of resources that have none. Default false.
     */
    stackResource?: boolean;
}

export interface RunNotApplicable extends NotApplicable {
    urn?: string;
    phase: Phase;
}

export interface RunResult {
    info: AnalyzerInfo;
    /** The PolicyConfig entries sent with Configure. */
    config: Record<string, PolicyConfigEntry>;
    /** Remediation diagnostics, Analyze diagnostics (resource order), then AnalyzeStack diagnostics. */
    diagnostics: Diagnostic[];
    /** URN → final inputs, for resources a remediation changed (markers preserved; see reveal()). */
    remediated: Map<string, Record<string, unknown>>;
    /** Every remediation returned, with the resource URN. */
    remediations: (Remediation & { urn: string })[];
    notApplicable: RunNotApplicable[];
    /** The URN of each input resource, in order (the stack resource excluded). */
    urns: string[];
    /** A mandatory violation was reported (the CLI command would fail). */
    failed: boolean;
    /** Set when `dryRun: false` and a mandatory Analyze violation stopped the deployment. */
    aborted?: { urn: string; reason: string };
    /** What the pack wrote to stdout (after the port) / stderr during this run. */
    stdout: string;
    stderr: string;
}

/**
 * Runs resources through a pack in the engine's exact call sequence and returns decoded results.
 */
export async function runLikeEngine(resources: EngineResource[], opts: RunOptions = {}): Promise<RunResult> {
    const dryRun = opts.dryRun ?? true;
    const ownPack = !opts.pack;
    const pack = opts.pack ?? await PackProcess.start({
        packDir: opts.packDir,
        env: opts.env,
        stack: { ...opts.stack, dryRun },
    });
    const stdoutStart = pack.stdout().length;
    const stderrStart = pack.stderr().length;
    try {
        if (!pack.handshaken) {
            await pack.handshake();
        }
        await pack.configureStack({ ...DEFAULT_STACK, ...opts.stack, dryRun });
        const settings = pack.stack;
        const info = await pack.getAnalyzerInfo();
        let config: Record<string, PolicyConfigEntry> = {};
        if (info.supportsConfig) {
            config = reconcilePolicyPackConfig(info, opts.config);
            await pack.configureRaw(config);
        }

        const stackUrn = rootStackUrn(settings);
        let all: EngineResource[] = resources.map(r => ({ ...r }));
        if (opts.stackResource) {
            all = all.map(r => (r.parent ? r : { ...r, parent: stackUrn }));
            all.unshift({ urn: stackUrn, type: "pulumi:pulumi:Stack", name: `${settings.project}-${settings.stack}`, props: {} });
        }
        const urns = all.map(r => pack.urnOf(r));
        const known = new Set(urns);

        const diagnostics: Diagnostic[] = [];
        const remediated = new Map<string, Record<string, unknown>>();
        const remediations: (Remediation & { urn: string })[] = [];
        const notApplicable: RunNotApplicable[] = [];
        const finals: EngineResource[] = [];
        let aborted: RunResult["aborted"];

        for (let i = 0; i < all.length; i++) {
            const r = all[i];
            const urn = urns[i];
            let inputs = r.props;

            // Pass 1: remediations; later ones see (and replace) earlier ones' properties.
            const rem = await pack.remediate(r, inputs);
            notApplicable.push(...rem.notApplicable.map(n => ({ ...n, urn, phase: "remediate" as const })));
            for (const m of rem.remediations) {
                remediations.push({ ...m, urn });
                if (m.diagnostic) {
                    const d: Diagnostic = {
                        policyName: m.policyName,
                        policyPackName: m.policyPackName,
                        policyPackVersion: m.policyPackVersion,
                        message: m.diagnostic,
                        enforcementLevel: "advisory",
                        urn,
                        phase: "remediate",
                    };
                    if (m.description) {
                        d.description = m.description;
                    }
                    diagnostics.push(d);
                } else if (m.properties) {
                    inputs = m.properties;
                    remediated.set(urn, inputs);
                }
            }

            // Pass 2: analysis of the remediated inputs.
            const an = await pack.analyze(r, inputs);
            notApplicable.push(...an.notApplicable.map(n => ({ ...n, urn, phase: "analyze" as const })));
            let invalid = false;
            for (const d of an.diagnostics) {
                const level = d.enforcementLevel === "remediate" ? "mandatory" : d.enforcementLevel;
                const out: Diagnostic = { ...d, enforcementLevel: level, urn };
                if (d.urn !== undefined) {
                    out.reportedUrn = d.urn;
                }
                diagnostics.push(out);
                if (level === "mandatory" && !dryRun) {
                    invalid = true;
                }
            }
            finals.push({ ...r, urn, props: inputs, outputs: r.outputs ?? inputs });
            if (invalid) {
                aborted = { urn, reason: `resource ${urn} is invalid` };
                break;
            }
        }

        if (!aborted) {
            const st = await pack.analyzeStack(finals);
            notApplicable.push(...st.notApplicable.map(n => ({ ...n, phase: "analyzeStack" as const })));
            for (const d of st.diagnostics) {
                const out: Diagnostic = { ...d, urn: d.urn && known.has(d.urn) ? d.urn : stackUrn };
                if (d.urn !== undefined) {
                    out.reportedUrn = d.urn;
                }
                diagnostics.push(out);
            }
        }

        return {
            info,
            config,
            diagnostics,
            remediated,
            remediations,
            notApplicable,
            urns: opts.stackResource ? urns.slice(1) : urns,
            failed: aborted !== undefined || diagnostics.some(d => d.enforcementLevel === "mandatory"),
            aborted,
            stdout: pack.stdout().slice(stdoutStart),
            stderr: pack.stderr().slice(stderrStart),
        };
    } finally {
        if (ownPack) {
            await pack.close();
        }
    }
}

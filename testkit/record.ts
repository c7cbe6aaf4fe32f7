/**
 * Run a Pulumi program in-process under mocks and record every resource it registers, the way the
 * engine would hand them to a policy pack: inputs with secrets unwrapped (and which were secret),
 * unknown values of a preview as sentinel strings, parent, dependencies and property
 * dependencies. Used by the component tests and by `npm run demo`; no Pulumi CLI, no AWS.
 *
 * Two things the SDK's mocks do not give `newResource`, and that policies need, are taken from the
 * RegisterResourceRequest itself by wrapping the mock monitor: property dependencies (how a
 * UsagePlanKey is linked to its ApiKey when ids are unknown) and secret-ness (the request's
 * serialized inputs still carry the secret envelope). The mocks also play the engine's part for
 * `additionalSecretOutputs`, and in preview mode return unknown ids and computed outputs, as
 * `pulumi preview` would for resources it is about to create.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { EngineResource } from "./engine";
import type { PulumiResourceRecord } from "apigw-guard/policies/sources/pulumi/types";

/** The string sentinel the engine uses for an unknown (computed) value. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

export const MOCK_REGION = "us-east-1";
export const MOCK_ACCOUNT_ID = "123456789012";

export interface RecordedResourceOptions {
    readonly protect?: boolean;
    readonly ignoreChanges: readonly string[];
    readonly deleteBeforeReplace?: boolean;
    readonly additionalSecretOutputs: readonly string[];
    readonly aliases: readonly string[];
    readonly customTimeouts?: { readonly create?: string; readonly update?: string; readonly delete?: string };
    readonly retainOnDelete?: boolean;
    readonly replaceOnChanges: readonly string[];
}

/** One registered resource: `PulumiResourceRecord` plus what an engine-faithful harness needs. */
export interface RecordedResource extends PulumiResourceRecord {
    readonly props: Readonly<Record<string, unknown>>;
    readonly secretProps: ReadonlySet<string>;
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    /** False for component resources. */
    readonly custom: boolean;
    /** The provider reference (`<provider urn>::<id>`), when one was given. */
    readonly provider?: string;
    /** Outputs as the (mock) engine returned them, secrets unwrapped. In a preview, computed ones are UNKNOWN. */
    readonly outputs: Readonly<Record<string, unknown>>;
    readonly outputSecretProps: ReadonlySet<string>;
    /** Inputs in wire form: secrets as `{<sig>: <secret sig>, value}`, unknowns as sentinels. */
    readonly wireProps: Readonly<Record<string, unknown>>;
    /** Outputs in wire form. */
    readonly wireOutputs: Readonly<Record<string, unknown>>;
    readonly options: RecordedResourceOptions;
}

export interface RecordOptions {
    readonly project: string;
    readonly stack: string;
    /** True: behave like `pulumi preview` of a new stack (ids and computed outputs unknown). */
    readonly preview: boolean;
    /** Stack config, e.g. `{"apigw-guard-examples:example": "orders"}`. */
    readonly config?: Readonly<Record<string, string>>;
    /** Config keys whose values are secret. */
    readonly secretConfigKeys?: readonly string[];
    /** Clock for mock timestamps (createdDate, time resources). Default: now. */
    readonly now?: Date;
    /** Also echo what the program prints (it is captured either way). Default false. */
    readonly echoOutput?: boolean;
}

export interface Recording {
    readonly resources: readonly RecordedResource[];
    /** The program's return value (its stack outputs) in wire form: secrets stay wrapped. */
    readonly exports: Readonly<Record<string, unknown>>;
    /** Everything written to stdout/stderr while the program ran. */
    readonly logs: string;
}

/** Run `program` under mocks and return every resource it registered, in registration order. */
export async function recordProgram(program: () => unknown, opts: RecordOptions): Promise<RecordedResource[]> {
    return [...(await runProgram(program, opts)).resources];
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Like recordProgram, and also returns the program's exports and output. The Pulumi runtime is
 * process-global, so runs are serialised: each one installs fresh mocks and config, and waits for
 * every outstanding registration before the next starts.
 */
export function runProgram(program: () => unknown, opts: RecordOptions): Promise<Recording> {
    const run = queue.then(() => runExclusive(program, opts));
    queue = run.catch(() => undefined);
    return run;
}

interface PendingRecord {
    type: string;
    name: string;
    custom: boolean;
    parent?: string;
    provider?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    wireProps: Record<string, unknown>;
    options: RecordedResourceOptions;
    urn?: string;
    id?: string;
    wireOutputs?: Record<string, unknown>;
}

interface RuntimeInternals {
    waitForRPCs(): Promise<void>;
    getMonitor(): unknown;
}

async function runExclusive(program: () => unknown, opts: RecordOptions): Promise<Recording> {
    const now = opts.now ?? new Date();
    const pending: PendingRecord[] = [];
    const state = new MockState(now, opts.preview);
    const secretOutputsByResource = new Map<string, readonly string[]>();

    pulumi.runtime.setAllConfig({ ...(opts.config ?? {}) }, [...(opts.secretConfigKeys ?? [])]);
    await pulumi.runtime.setMocks({
        newResource: args => state.newResource(args, secretOutputsByResource.get(`${args.type}::${args.name}`) ?? []),
        call: args => state.call(args.token, args.inputs),
    }, opts.project, opts.stack, opts.preview);
    const runtime = pulumi.runtime as unknown as RuntimeInternals;
    wrapMonitor(runtime.getMonitor(), pending, secretOutputsByResource);

    const capture = captureOutput(opts.echoOutput ?? false);
    let result: unknown;
    let failure: unknown;
    try {
        result = await program();
    } catch (error) {
        failure = error;
    }
    try {
        await runtime.waitForRPCs();
    } finally {
        capture.restore();
    }
    if (failure !== undefined) {
        throw failure;
    }
    const exports = result !== null && typeof result === "object"
        ? await pulumi.runtime.serializeProperties("exports", result as pulumi.Inputs)
        : {};
    return { resources: pending.map(finish), exports, logs: capture.text() };
}

function wrapMonitor(monitor: unknown, pending: PendingRecord[], secretOutputs: Map<string, readonly string[]>): void {
    const target = monitor as {
        registerResource(req: RegisterResourceRequest, callback: (err: unknown, resp?: RegisterResourceResponse) => void): void;
    };
    const original = target.registerResource.bind(target);
    target.registerResource = (req, callback) => {
        const record = readRequest(req);
        pending.push(record);
        if (record.options.additionalSecretOutputs.length > 0) {
            secretOutputs.set(`${record.type}::${record.name}`, record.options.additionalSecretOutputs);
        }
        original(req, (err, resp) => {
            if (!err && resp) {
                record.urn = resp.getUrn();
                record.id = resp.getId() || undefined;
                record.wireOutputs = (resp.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
            }
            callback(err, resp);
        });
    };
}

/** The parts of the generated protobuf classes the recorder reads. */
interface RegisterResourceRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getObject(): { toJavaScript(): unknown } | undefined;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getProtect?(): boolean | undefined;
    getIgnorechangesList(): string[];
    getDeletebeforereplace(): boolean;
    getDeletebeforereplacedefined(): boolean;
    getAdditionalsecretoutputsList(): string[];
    getAliasurnsList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getRetainondelete?(): boolean | undefined;
    getReplaceonchangesList(): string[];
}

interface RegisterResourceResponse {
    getUrn(): string;
    getId(): string;
    getObject(): { toJavaScript(): unknown } | undefined;
}

function readRequest(req: RegisterResourceRequest): PendingRecord {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((value, key) => {
        propertyDependencies[key] = [...value.getUrnsList()];
    });
    const timeouts = req.getCustomtimeouts();
    return {
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        parent: req.getParent() || undefined,
        provider: req.getProvider() || undefined,
        dependencies: [...req.getDependenciesList()],
        propertyDependencies,
        wireProps: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
        options: {
            protect: req.getProtect?.() || undefined,
            ignoreChanges: [...req.getIgnorechangesList()],
            deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
            additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()],
            aliases: [...req.getAliasurnsList()],
            customTimeouts: timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
                ? { create: timeouts.getCreate() || undefined, update: timeouts.getUpdate() || undefined, delete: timeouts.getDelete() || undefined }
                : undefined,
            retainOnDelete: req.getRetainondelete?.() || undefined,
            replaceOnChanges: [...req.getReplaceonchangesList()],
        },
    };
}

function finish(record: PendingRecord): RecordedResource {
    if (record.urn === undefined) {
        throw new Error(`resource ${record.type} '${record.name}' was never registered (the mock monitor did not answer)`);
    }
    const props = decode(record.wireProps);
    const outputs = decode(record.wireOutputs ?? {});
    return {
        type: record.type,
        urn: record.urn,
        name: record.name,
        ...(record.id !== undefined ? { id: record.id } : {}),
        ...(record.parent !== undefined ? { parent: record.parent } : {}),
        ...(record.provider !== undefined ? { provider: record.provider } : {}),
        custom: record.custom,
        props: props.values,
        secretProps: props.secret,
        dependencies: record.dependencies,
        propertyDependencies: record.propertyDependencies,
        outputs: outputs.values,
        outputSecretProps: outputs.secret,
        wireProps: record.wireProps,
        wireOutputs: record.wireOutputs ?? {},
        options: record.options,
    };
}

/** Wire form → plain values plus the top-level names that held a secret anywhere inside. */
function decode(wire: Record<string, unknown>): { values: Record<string, unknown>; secret: Set<string> } {
    const values: Record<string, unknown> = {};
    const secret = new Set<string>();
    for (const [key, value] of Object.entries(wire)) {
        const result = unwrap(value);
        values[key] = result.value;
        if (result.secret) {
            secret.add(key);
        }
    }
    return { values, secret };
}

function unwrap(value: unknown): { value: unknown; secret: boolean } {
    if (Array.isArray(value)) {
        let secret = false;
        const items = value.map(item => {
            const r = unwrap(item);
            secret = secret || r.secret;
            return r.value;
        });
        return { value: items, secret };
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SIG_KEY] === SECRET_SIG) {
            const inner = unwrap(record.value);
            return { value: inner.value, secret: true };
        }
        if (record[SIG_KEY] === RESOURCE_REF_SIG) {
            return { value: referenceAsSent(record), secret: false };
        }
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(record)) {
            const r = unwrap(item);
            secret = secret || r.secret;
            out[key] = r.value;
        }
        return { value: out, secret };
    }
    return { value, secret: false };
}

function captureOutput(echo: boolean): { restore(): void; text(): string } {
    const chunks: string[] = [];
    const streams = [process.stdout, process.stderr];
    const originals = streams.map(stream => stream.write.bind(stream));
    streams.forEach((stream, i) => {
        stream.write = ((chunk: unknown, ...rest: unknown[]) => {
            chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
            if (echo) {
                return (originals[i] as (...a: unknown[]) => boolean)(chunk, ...rest);
            }
            const callback = rest.find(r => typeof r === "function") as (() => void) | undefined;
            callback?.();
            return true;
        }) as typeof stream.write;
    });
    return {
        restore: () => streams.forEach((stream, i) => { stream.write = originals[i] as typeof stream.write; }),
        text: () => chunks.join(""),
    };
}

function secretWire(value: unknown): Record<string, unknown> {
    return { [SIG_KEY]: SECRET_SIG, value };
}

function shortHash(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function rfc3339(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * What a provider would compute for each resource type the kit uses. Anything not listed gets an
 * id and echoes its inputs.
 */
class MockState {
    /** API Gateway resource id → its full path, so Resource outputs carry `path` like AWS's. */
    private readonly pathById = new Map<string, string>();
    /** ApiKey id → value, for the UsagePlanKey `value` output (which the AWS provider does not mark secret). */
    private readonly keyValueById = new Map<string, unknown>();

    constructor(private readonly now: Date, private readonly preview: boolean) {}

    newResource(args: pulumi.runtime.MockResourceArgs, additionalSecretOutputs: readonly string[]): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = args.inputs as Record<string, unknown>;
        const id = this.preview ? "" : this.idFor(args.type, args.name);
        const computed = this.computed(args.type, args.name, id, inputs);
        const state: Record<string, unknown> = { ...inputs };
        for (const [key, value] of Object.entries(computed)) {
            if (this.preview) {
                if (!(key in inputs)) {
                    state[key] = UNKNOWN;
                }
            } else if (!(key in inputs) || inputs[key] === undefined) {
                state[key] = value;
            }
        }
        // The engine marks these outputs secret whatever the provider returns.
        for (const key of additionalSecretOutputs) {
            const value = state[key];
            if (value !== undefined && !(value !== null && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG)) {
                state[key] = secretWire(value);
            }
        }
        // An explicit read (`.get`) or import keeps the id it was given.
        return { id: args.id || id || undefined, state };
    }

    call(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
        switch (token) {
            case "aws:index/getRegion:getRegion":
                return { id: MOCK_REGION, name: MOCK_REGION, region: MOCK_REGION, endpoint: `ec2.${MOCK_REGION}.amazonaws.com` };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { id: MOCK_ACCOUNT_ID, accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`, userId: "MOCKUSERID" };
            case "aws:index/getPartition:getPartition":
                return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com" };
            default:
                return inputs;
        }
    }

    private idFor(type: string, name: string): string {
        const hash = shortHash(`${type}::${name}`, 10);
        switch (type) {
            case "aws:apigateway/usagePlan:UsagePlan":
                return hash.slice(0, 6);
            case "aws:cloudwatch/logGroup:LogGroup":
            case "aws:iam/role:Role":
            case "aws:lambda/function:Function":
                return name;
            default:
                return hash;
        }
    }

    private computed(type: string, name: string, id: string, inputs: Record<string, unknown>): Record<string, unknown> {
        const nowText = rfc3339(this.now);
        const plain = (value: unknown) => (value !== null && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG ? (value as Record<string, unknown>).value : value);
        switch (type) {
            case "aws:apigateway/restApi:RestApi": {
                const rootResourceId = `${id}root`;
                if (!this.preview) {
                    this.pathById.set(rootResourceId, "/");
                }
                return {
                    rootResourceId,
                    executionArn: `arn:aws:execute-api:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:${id}`,
                    arn: `arn:aws:apigateway:${MOCK_REGION}::/restapis/${id}`,
                    createdDate: nowText,
                };
            }
            case "aws:apigateway/resource:Resource": {
                const parentPath = this.pathById.get(str(inputs.parentId));
                const path = parentPath === undefined ? undefined : `${parentPath === "/" ? "" : parentPath}/${str(inputs.pathPart)}`;
                if (path !== undefined && !this.preview) {
                    this.pathById.set(id, path);
                }
                return { path };
            }
            case "aws:apigateway/stage:Stage":
                return {
                    arn: `arn:aws:apigateway:${MOCK_REGION}::/restapis/${str(inputs.restApi)}/stages/${str(inputs.stageName)}`,
                    invokeUrl: `https://${str(inputs.restApi)}.execute-api.${MOCK_REGION}.amazonaws.com/${str(inputs.stageName)}`,
                    executionArn: `arn:aws:execute-api:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:${str(inputs.restApi)}/${str(inputs.stageName)}`,
                };
            case "aws:apigateway/deployment:Deployment":
                return { createdDate: nowText };
            case "aws:apigateway/apiKey:ApiKey": {
                const value = inputs.value ?? secretWire(shortHash(`value::${name}`, 40));
                if (!this.preview) {
                    this.keyValueById.set(id, value);
                }
                return { arn: `arn:aws:apigateway:${MOCK_REGION}::/apikeys/${id}`, createdDate: nowText, lastUpdatedDate: nowText, value };
            }
            case "aws:apigateway/usagePlan:UsagePlan":
                return { arn: `arn:aws:apigateway:${MOCK_REGION}::/usageplans/${id}` };
            case "aws:apigateway/usagePlanKey:UsagePlanKey": {
                // Like the AWS provider: the key's value is copied onto the attachment, unmarked.
                const value = this.keyValueById.get(str(inputs.keyId));
                return { name: str(inputs.keyId), value: plain(value) };
            }
            case "aws:apigateway/authorizer:Authorizer":
                return { arn: `arn:aws:apigateway:${MOCK_REGION}::/restapis/${str(inputs.restApi)}/authorizers/${id}` };
            case "aws:cloudwatch/logGroup:LogGroup": {
                const logGroupName = typeof inputs.name === "string" ? inputs.name : `${name}-${shortHash(name, 7)}`;
                return { name: logGroupName, arn: `arn:aws:logs:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:log-group:${logGroupName}` };
            }
            case "aws:iam/role:Role": {
                const roleName = typeof inputs.name === "string" ? inputs.name : `${name}-${shortHash(name, 7)}`;
                return { name: roleName, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${roleName}`, uniqueId: `AROA${shortHash(roleName, 16).toUpperCase()}` };
            }
            case "aws:lambda/function:Function": {
                const functionName = typeof inputs.name === "string" ? inputs.name : `${name}-${shortHash(name, 7)}`;
                const arn = `arn:aws:lambda:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:function:${functionName}`;
                return { name: functionName, arn, invokeArn: `arn:aws:apigateway:${MOCK_REGION}:lambda:path/2015-03-31/functions/${arn}/invocations` };
            }
            case "aws:wafv2/webAcl:WebAcl":
                return { arn: `arn:aws:wafv2:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:regional/webacl/${name}/${id}` };
            case "random:index/randomPassword:RandomPassword": {
                const length = typeof inputs.length === "number" ? inputs.length : 16;
                const seed = `${name}::${JSON.stringify(plain(inputs.keepers) ?? {})}`;
                return { result: mockPassword(seed, length), bcryptHash: `$2a$10$${shortHash(seed, 53)}` };
            }
            case "time:index/rotating:Rotating": {
                const base = typeof inputs.rfc3339 === "string" ? new Date(inputs.rfc3339) : this.now;
                const days = typeof inputs.rotationDays === "number" ? inputs.rotationDays : 0;
                return {
                    rfc3339: rfc3339(base),
                    rotationRfc3339: rfc3339(new Date(base.getTime() + days * 86400000)),
                    unix: Math.floor(base.getTime() / 1000),
                    year: base.getUTCFullYear(),
                    month: base.getUTCMonth() + 1,
                    day: base.getUTCDate(),
                    hour: base.getUTCHours(),
                    minute: base.getUTCMinutes(),
                    second: base.getUTCSeconds(),
                };
            }
            default:
                return {};
        }
    }
}

/** Inputs may hold the SDK's unknown marker (a symbol) in a preview: never let that throw. */
function str(value: unknown): string {
    return typeof value === "string" || typeof value === "number" ? String(value) : "unknown";
}

/** A deterministic alphanumeric value of `length` characters (with upper, lower and a digit). */
function mockPassword(seed: string, length: number): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let out = "";
    let counter = 0;
    while (out.length < length) {
        const bytes = createHash("sha256").update(`${seed}#${counter++}`).digest();
        for (const byte of bytes) {
            if (out.length < length) {
                out += alphabet[byte % alphabet.length];
            }
        }
    }
    return `Aa0${out.slice(3)}`;
}

/**
 * A registered resource as the engine sends it to an analyzer: inputs for Analyze, outputs for
 * AnalyzeStack, with its dependencies. Secrets stay wrapped and computed values stay sentinels,
 * as the engine keeps them; resource references do not survive: the engine marshals properties for
 * analyzers without keeping resources (pulumi `sdk/go/common/resource/plugin/analyzer_plugin.go`),
 * so a reference to a custom resource arrives as its id (unknown until known) and one to a
 * component as its URN. Forwarding a reference as it is would make `@pulumi/policy` throw
 * `Unrecognized signature`, which no real preview does.
 */
export function toEngineResource(resource: RecordedResource): EngineResource {
    const props = withoutResourceReferences(resource.wireProps) as Record<string, unknown>;
    return {
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        props,
        outputs: { ...props, ...(withoutResourceReferences(resource.wireOutputs) as Record<string, unknown>) },
        parent: resource.parent,
        dependencies: [...resource.dependencies],
        propertyDependencies: Object.fromEntries(Object.entries(resource.propertyDependencies).map(([k, v]) => [k, [...v]])),
    };
}

/** Wire values with each resource reference replaced by what the engine sends in its place. */
function withoutResourceReferences(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(withoutResourceReferences);
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SIG_KEY] === RESOURCE_REF_SIG) {
            return referenceAsSent(record);
        }
        const out: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(record)) {
            out[key] = withoutResourceReferences(item);
        }
        return out;
    }
    return value;
}

/**
 * What an analyzer receives for a resource reference: a custom resource's id (it is present, "" while
 * not known yet, for custom resources only), unknown until known; a component's URN.
 */
function referenceAsSent(reference: Record<string, unknown>): unknown {
    const id = reference.id;
    return typeof id === "string" ? (id === "" ? UNKNOWN : id) : reference.urn;
}

/**
 * Preloaded into a policy pack process (`NODE_OPTIONS=--require <this file>`) by the benchmark,
 * never by the pack itself. With `APIGW_BENCH_TIMING=1` it wraps the gRPC service the pack
 * registers and writes timing lines to **stderr** (stdout carries the port): the per-resource calls
 * summed per method just before each AnalyzeStack, then the AnalyzeStack call itself:
 *
 *   APIGW_BENCH_TIMING {"method":"analyzeStack","calls":1,"requestBytes":…,"deserializeMs":…,"handlerMs":…,"serializeMs":…}
 *
 * so the time a call costs inside the pack (decode the request, run the policies, encode the
 * reply) is measured apart from the harness's own encoding and the transport. Works for any pack
 * built on @pulumi/policy (ours and @pulumi/awsguard alike), since both serve through grpc-js.
 */
import type * as GrpcT from "@grpc/grpc-js";

export const TIMING_ENV = "APIGW_BENCH_TIMING";
export const TIMING_PREFIX = "APIGW_BENCH_TIMING ";

export interface CallTiming {
    readonly method: string;
    /** Calls summed into this line (per-resource calls are written as one total per method). */
    readonly calls?: number;
    readonly requestBytes: number;
    readonly deserializeMs: number;
    readonly handlerMs: number;
    readonly serializeMs: number;
}

type Definition = {
    requestDeserialize: (bytes: Buffer) => unknown;
    responseSerialize: (value: unknown) => Buffer;
    [key: string]: unknown;
};
type Handler = (call: unknown, callback: (error: unknown, value?: unknown, ...rest: unknown[]) => void) => unknown;

function install(): void {
    // Resolved like the pack resolves it (one grpc-js in the repository's node_modules).
    const grpc = require("@grpc/grpc-js") as typeof GrpcT;
    const now = () => Number(process.hrtime.bigint()) / 1e6;
    // Per-resource calls are summed here and written as one line per method just before an
    // AnalyzeStack (a line per call would cost the pack a pipe write per call).
    const totals = new Map<string, CallTiming & { calls: number }>();
    const flush = () => {
        for (const total of totals.values()) {
            process.stderr.write(`${TIMING_PREFIX}${JSON.stringify(total)}\n`);
        }
        totals.clear();
    };
    const original = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function addService(this: GrpcT.Server, service: GrpcT.ServiceDefinition, implementation: GrpcT.UntypedServiceImplementation): void {
        const wrappedService: Record<string, Definition> = {};
        const wrappedImplementation: Record<string, Handler> = {};
        for (const [name, raw] of Object.entries(service as unknown as Record<string, Definition>)) {
            // Calls from the harness are sequential, so per-method state is enough.
            let pending = { requestBytes: 0, deserializeMs: 0, handlerMs: 0 };
            wrappedService[name] = {
                ...raw,
                requestDeserialize: (bytes: Buffer) => {
                    if (name === "analyzeStack") {
                        flush();
                    }
                    const start = now();
                    const value = raw.requestDeserialize(bytes);
                    pending = { requestBytes: bytes.length, deserializeMs: now() - start, handlerMs: 0 };
                    return value;
                },
                responseSerialize: (value: unknown) => {
                    const start = now();
                    const bytes = raw.responseSerialize(value);
                    const timing: CallTiming = { method: name, ...pending, serializeMs: now() - start };
                    if (name === "analyzeStack") {
                        process.stderr.write(`${TIMING_PREFIX}${JSON.stringify({ ...timing, calls: 1 })}\n`);
                    } else {
                        const total = totals.get(name) ?? { method: name, calls: 0, requestBytes: 0, deserializeMs: 0, handlerMs: 0, serializeMs: 0 };
                        totals.set(name, {
                            method: name,
                            calls: total.calls + 1,
                            requestBytes: total.requestBytes + timing.requestBytes,
                            deserializeMs: total.deserializeMs + timing.deserializeMs,
                            handlerMs: total.handlerMs + timing.handlerMs,
                            serializeMs: total.serializeMs + timing.serializeMs,
                        });
                    }
                    return bytes;
                },
            };
            const handler = (implementation as Record<string, Handler | undefined>)[name];
            if (handler) {
                wrappedImplementation[name] = (call, callback) => {
                    const start = now();
                    return handler(call, (error, value, ...rest) => {
                        pending = { ...pending, handlerMs: now() - start };
                        callback(error, value, ...rest);
                    });
                };
            }
        }
        original.call(this, wrappedService as unknown as GrpcT.ServiceDefinition, wrappedImplementation as unknown as GrpcT.UntypedServiceImplementation);
    };
}

if (process.env[TIMING_ENV] === "1") {
    install();
}

/**
 * `--cpu-prof` is refused in NODE_OPTIONS, so a pack is profiled from here: with
 * `APIGW_BENCH_CPU_PROFILE=<file>` the V8 profiler starts at load, and the SIGTERM that stops the
 * pack writes the profile (a `.cpuprofile`, as `--cpu-prof` writes) and exits.
 */
function profileUntilTerminated(file: string): void {
    const inspector = require("inspector") as typeof import("inspector");
    const session = new inspector.Session();
    session.connect();
    session.post("Profiler.enable", () => session.post("Profiler.setSamplingInterval", { interval: 500 }, () => session.post("Profiler.start")));
    process.on("SIGTERM", () => {
        session.post("Profiler.stop", (error, result) => {
            if (!error) {
                require("fs").writeFileSync(file, JSON.stringify(result.profile));
            }
            process.exit(0);
        });
    });
}

const profileFile = process.env.APIGW_BENCH_CPU_PROFILE;
if (profileFile) {
    profileUntilTerminated(profileFile);
}

/** The timing lines in a pack's stderr. */
export function parseTimings(stderr: string): CallTiming[] {
    const out: CallTiming[] = [];
    let at = stderr.indexOf(TIMING_PREFIX);
    while (at >= 0) {
        const end = stderr.indexOf("\n", at);
        out.push(JSON.parse(stderr.slice(at + TIMING_PREFIX.length, end < 0 ? undefined : end)) as CallTiming);
        at = end < 0 ? -1 : stderr.indexOf(TIMING_PREFIX, end);
    }
    return out;
}

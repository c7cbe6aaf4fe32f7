/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`, or a pack profiled with
 * APIGW_BENCH_CPU_PROFILE): the functions with the most self time and the most inclusive time,
 * each as `name file:line`, optionally only for samples taken under a frame matching `--focus`
 * (e.g. `--focus "server.js:3[0-9][0-9]"` for the AnalyzeStack handler of @pulumi/policy).
 *
 * Usage: node dist/bench/profile-summary.js FILE.cpuprofile [--top 25] [--focus REGEX]
 */
import * as fs from "fs";

interface ProfileNode {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
}

interface Profile {
    readonly nodes: readonly ProfileNode[];
    readonly startTime: number;
    readonly endTime: number;
    readonly samples: readonly number[];
    readonly timeDeltas: readonly number[];
}

export interface ProfileLine {
    readonly frame: string;
    readonly ms: number;
    readonly percent: number;
}

export interface ProfileSummary {
    readonly totalMs: number;
    /** Time of the samples counted (all, or those under the focus frame). */
    readonly sampledMs: number;
    readonly self: readonly ProfileLine[];
    readonly inclusive: readonly ProfileLine[];
}

/** The path from the last well-known root on (`node_modules/…`, `policies/…`, `dist/…`), else as given. */
function shortPath(url: string): string {
    const path = url.replace(/^file:\/\//, "");
    for (const root of ["/node_modules/", "/policies/", "/dist/"]) {
        const at = path.lastIndexOf(root);
        if (at >= 0) {
            return path.slice(at + 1);
        }
    }
    return path;
}

function frameOf(node: ProfileNode): string {
    const url = shortPath(node.callFrame.url);
    return `${node.callFrame.functionName || "(anonymous)"} ${url}:${node.callFrame.lineNumber + 1}`;
}

export function summariseProfile(profile: Profile, top = 25, focus?: RegExp): ProfileSummary {
    const byId = new Map(profile.nodes.map(node => [node.id, node]));
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) {
        for (const child of node.children ?? []) {
            parentOf.set(child, node.id);
        }
    }
    const timeById = new Map<number, number>();
    profile.samples.forEach((id, i) => timeById.set(id, (timeById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const self = new Map<string, number>();
    const inclusive = new Map<string, number>();
    let sampled = 0;
    for (const [id, micros] of timeById) {
        const chain: string[] = [];
        for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
            const node = byId.get(at);
            if (node) {
                chain.push(frameOf(node));
            }
        }
        if (focus && !chain.some(frame => focus.test(frame))) {
            continue;
        }
        sampled += micros;
        self.set(chain[0], (self.get(chain[0]) ?? 0) + micros);
        for (const frame of new Set(chain)) {
            inclusive.set(frame, (inclusive.get(frame) ?? 0) + micros);
        }
    }
    const lines = (map: Map<string, number>): ProfileLine[] => [...map]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([frame, micros]) => ({ frame, ms: Math.round(micros / 100) / 10, percent: sampled > 0 ? Math.round((1000 * micros) / sampled) / 10 : 0 }));
    return { totalMs: (profile.endTime - profile.startTime) / 1000, sampledMs: sampled / 1000, self: lines(self), inclusive: lines(inclusive) };
}

export function summariseProfileFile(file: string, top = 25, focus?: RegExp): ProfileSummary {
    return summariseProfile(JSON.parse(fs.readFileSync(file, "utf8")) as Profile, top, focus);
}

export function formatSummary(summary: ProfileSummary): string {
    const show = (lines: readonly ProfileLine[]) => lines.map(l => `${l.ms.toFixed(1).padStart(9)} ms ${l.percent.toFixed(1).padStart(5)}%  ${l.frame}`).join("\n");
    return `profile ${summary.totalMs.toFixed(0)} ms, counted ${summary.sampledMs.toFixed(0)} ms\n-- self --\n${show(summary.self)}\n-- inclusive --\n${show(summary.inclusive)}\n`;
}

if (require.main === module) {
    const args = process.argv.slice(2);
    const file = args[0];
    const option = (name: string) => {
        const at = args.indexOf(name);
        return at >= 0 ? args[at + 1] : undefined;
    };
    if (!file) {
        process.stderr.write("usage: profile-summary FILE.cpuprofile [--top N] [--focus REGEX]\n");
        process.exitCode = 2;
    } else {
        const focus = option("--focus");
        process.stdout.write(formatSummary(summariseProfileFile(file, Number(option("--top") ?? "25"), focus ? new RegExp(focus) : undefined)));
    }
}

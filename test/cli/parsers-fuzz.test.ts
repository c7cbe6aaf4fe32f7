import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { main } from "../../cli/main";
import { CliIO } from "../../cli/command";
import { assertNoExampleLeak } from "../support/planted";
import { EXAMPLE_INFRA, NOW, ROOT } from "./helpers";

/**
 * A fuzz test per parser (issue 15): seeded fixtures in real shapes, mutated at random places
 * (a subtree replaced by any JSON value, deleted, or a text edit for HCL), through the CLI
 * in-process. Whatever the input: exit 0, 1 or 2 only, never "this is a bug", and no fragment of
 * a key value planted in the fixtures in any output. Bounded by runs and by time.
 */
const RUNS = 100;
const TIME_LIMIT_MS = 20_000;

interface Run {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

async function cli(args: readonly string[], stdin = ""): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = { stdout: { write: (t: string) => out.push(t), isTTY: false }, stderr: { write: (t: string) => err.push(t) }, env: {}, readStdin: () => Promise.resolve(stdin) };
    const code = await main(["node", "apigw-guard", ...args], io);
    return { code, stdout: out.join(""), stderr: err.join("") };
}

function holdsItsPromises(run: Run, what: string): void {
    assert.ok(run.code === 0 || run.code === 1 || run.code === 2, `${what}: exit ${run.code}`);
    assert.doesNotMatch(run.stderr, /this is a bug/, `${what}: ${run.stderr}`);
    assertNoExampleLeak(what, { stdout: run.stdout, stderr: run.stderr });
}

/** One mutation: follow `steps` (each picks a child by index modulo the count) and replace or delete the node there. */
interface Mutation {
    readonly steps: readonly number[];
    readonly replacement: unknown;
    readonly remove: boolean;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
    steps: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    replacement: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(null, "", 0, -1, 1e308, [], {}, "04da6b54-80e4-46f7-96ec-b56ff0331ba9")),
    remove: fc.boolean(),
});

function mutate(seed: unknown, mutations: readonly Mutation[]): unknown {
    const root = structuredClone(seed) as unknown;
    const holder: { value: unknown } = { value: root };
    for (const { steps, replacement, remove } of mutations) {
        let parent: Record<string, unknown> | unknown[] = holder as unknown as Record<string, unknown>;
        let key: string | number = "value";
        for (const step of steps) {
            const node: unknown = (parent as Record<string | number, unknown>)[key];
            const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : typeof node === "object" && node !== null ? Object.keys(node) : [];
            if (keys.length === 0) {
                break;
            }
            parent = node as Record<string, unknown> | unknown[];
            key = keys[step % keys.length];
        }
        if (remove && parent !== (holder as unknown) && !Array.isArray(parent)) {
            delete (parent as Record<string, unknown>)[key as string];
        } else {
            (parent as Record<string | number, unknown>)[key] = replacement;
        }
    }
    return holder.value;
}

describe("fuzz: every parser holds its promises on mutated inputs", function () {
    this.timeout(120_000);
    const work = mkdtempSync(path.join(tmpdir(), "apigw-guard-fuzz-"));
    after(() => rmSync(work, { recursive: true, force: true }));
    const json = (file: string): unknown => JSON.parse(readFileSync(file, "utf8"));

    for (const [kind, file] of [
        ["Terraform plan", path.join(EXAMPLE_INFRA, "plan.json")],
        ["Terraform state", path.join(EXAMPLE_INFRA, "state.json")],
        ["Pulumi stack export", path.join(EXAMPLE_INFRA, "stack-export.json")],
    ] as const) {
        it(kind, async () => {
            const seed = json(file);
            await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async mutations => {
                holdsItsPromises(await cli(["scan", "-", "--now", NOW, "--format", "json"], JSON.stringify(mutate(seed, mutations))), kind);
            }), { numRuns: RUNS, seed: 15, interruptAfterTimeLimit: TIME_LIMIT_MS });
        });
    }

    it("Pulumi event log (NDJSON)", async () => {
        const lines = readFileSync(path.join(ROOT, "test", "report", "fixtures", "pulumi-events", "eventstream.ndjson"), "utf8").split("\n").filter(line => line.trim() !== "").map(line => JSON.parse(line) as unknown);
        await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async mutations => {
            const text = (mutate(lines, mutations) as unknown[]).map(line => JSON.stringify(line) ?? "null").join("\n");
            holdsItsPromises(await cli(["report", "--pulumi-events", "-", "--now", NOW], text), "event log");
        }), { numRuns: RUNS, seed: 15, interruptAfterTimeLimit: TIME_LIMIT_MS });
    });

    it("waivers file", async () => {
        const seed = { waivers: [{ rule: "apigateway-stage-waf", resource: "**", reason: "r", approver: "a", expires: "2099-12-31" }, { rule: "*", resource: "aws_api_gateway_stage.*", reason: "r", approver: "a", expires: "2020-01-01" }] };
        const plan = path.join(EXAMPLE_INFRA, "plan.json");
        let n = 0;
        await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async mutations => {
            const file = path.join(work, `waivers-${n++}.json`);
            writeFileSync(file, JSON.stringify(mutate(seed, mutations)) ?? "null");
            holdsItsPromises(await cli(["scan", plan, "--now", NOW, "--waivers", file]), "waivers");
        }), { numRuns: RUNS, seed: 15, interruptAfterTimeLimit: TIME_LIMIT_MS });
    });

    it("Terraform HCL (text edits)", async () => {
        const source = readFileSync(path.join(EXAMPLE_INFRA, "main.tf"), "utf8");
        const edit = fc.record({ at: fc.nat(), cut: fc.nat({ max: 40 }), insert: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("{", "}", "\"", "${", "%{", "<<EOT\n", "[", "]", "#", "/*", "\\", "count = 0\n", "for_each = {}\n")) });
        let n = 0;
        await fc.assert(fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async edits => {
            let text = source;
            for (const { at, cut, insert } of edits) {
                const i = at % (text.length + 1);
                text = text.slice(0, i) + insert + text.slice(i + cut);
            }
            const dir = path.join(work, `hcl-${n++}`);
            cpSync(path.join(EXAMPLE_INFRA), dir, { recursive: true, filter: name => !name.endsWith(".json") });
            writeFileSync(path.join(dir, "main.tf"), text);
            holdsItsPromises(await cli(["scan", dir, "--now", NOW, "--format", "json"]), "HCL");
        }), { numRuns: RUNS, seed: 15, interruptAfterTimeLimit: TIME_LIMIT_MS });
    });
});

import { Diagnostic, EngineResource, PackProcess, PolicyPackConfig, runLikeEngine, RunResult } from "../testkit/engine";
import { loadExamples } from "./demo-examples";

/**
 * The main job on a bundled example: the example programs' resources go through the real policy
 * pack, started and driven exactly as `pulumi preview --policy-pack ./policies` drives it, and the
 * result is printed the way a preview shows policy violations. No AWS account, no Pulumi CLI.
 */
export interface ExampleProgram {
    readonly title: string;
    /** What a reader should expect, printed above the result. */
    readonly expectation: string;
    readonly resources: () => Promise<EngineResource[]> | EngineResource[];
    readonly config?: PolicyPackConfig;
    /** A preview (unknown ids and computed values) or an update. */
    readonly dryRun: boolean;
}

const useColor = process.stdout.isTTY === true && !("NO_COLOR" in process.env);
const paint = (code: string) => (text: string) => (useColor ? `\u001b[${code}m${text}\u001b[0m` : text);
const red = paint("31");
const yellow = paint("33");
const green = paint("32");
const bold = paint("1");
const dim = paint("2");

function resourceLabel(urn: string | undefined): string {
    if (!urn) {
        return "(stack)";
    }
    const parts = urn.split("::");
    const type = parts[2]?.split("$").pop() ?? "?";
    return `${type}: ${parts[3] ?? "?"}`;
}

export function renderRun(example: ExampleProgram, result: RunResult): string {
    const lines: string[] = [bold(`== ${example.title}`), dim(example.expectation), ""];
    const byResource = new Map<string, Diagnostic[]>();
    for (const diagnostic of result.diagnostics) {
        const key = diagnostic.urn ?? "";
        byResource.set(key, [...(byResource.get(key) ?? []), diagnostic]);
    }
    for (const [urn, diagnostics] of [...byResource.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`  ${bold(resourceLabel(urn))}`);
        for (const d of diagnostics.sort((a, b) => a.policyName.localeCompare(b.policyName))) {
            const note = d.message.startsWith("cannot tell yet");
            const level = d.enforcementLevel === "mandatory" ? red("[mandatory]") : note ? dim("[advisory] ") : yellow("[advisory] ");
            lines.push(`    ${level} ${d.policyName}`);
            lines.push(`        ${note ? dim(d.message) : d.message}`);
        }
    }
    const mandatory = result.diagnostics.filter(d => d.enforcementLevel === "mandatory").length;
    const notes = result.diagnostics.filter(d => d.message.startsWith("cannot tell yet")).length;
    const advisory = result.diagnostics.length - mandatory - notes;
    const policies = new Set(result.diagnostics.filter(d => d.enforcementLevel === "mandatory").map(d => d.policyName));
    lines.push("");
    lines.push(`  Summary: ${result.urns.length} resources, ${mandatory > 0 ? red(`${mandatory} mandatory violations`) : green("0 mandatory violations")} ` +
        `(${policies.size} policies), ${advisory} advisory, ${notes} "cannot tell yet" notes — ` +
        `${mandatory > 0 ? red("the preview would FAIL") : green("the preview would pass")}`);
    lines.push("");
    return lines.join("\n");
}

export async function runDemo(examples: readonly ExampleProgram[], write: (text: string) => void): Promise<number> {
    const pack = await PackProcess.start();
    let failing = 0;
    try {
        const info = await pack.getAnalyzerInfo();
        write(`${bold(`apigw-guard ${info.version}`)}: ${info.policies.length} policies, started as the Pulumi engine starts a policy pack\n\n`);
        for (const example of examples) {
            const resources = await example.resources();
            const result = await runLikeEngine(resources, { pack, config: example.config, dryRun: example.dryRun });
            write(renderRun(example, result));
            if (result.failed) {
                failing++;
            }
        }
    } finally {
        await pack.close();
    }
    write(`${failing > 0 ? red(`${failing} of ${examples.length} examples fail the policy gate`) : green("every example passes the policy gate")} (exit code ${failing > 0 ? 1 : 0}).\n`);
    return failing > 0 ? 1 : 0;
}

if (require.main === module) {
    loadExamples()
        .then(examples => runDemo(examples, text => process.stdout.write(text)))
        .then(code => { process.exitCode = code; })
        .catch((error: unknown) => {
            process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 2;
        });
}

import * as fs from "node:fs";
import * as path from "node:path";
import { loadStackConfig } from "../../testkit/stack-config";
import { Recording, runProgram } from "../../testkit/record";

/** The repository root: the folder holding Pulumi.yaml (tests may run from dist/ or elsewhere). */
export function repoRoot(): string {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
        const parent = path.dirname(dir);
        if (parent === dir) {
            throw new Error("Pulumi.yaml not found above the test folder");
        }
        dir = parent;
    }
    return dir;
}

export function stackConfig(stack: "dev" | "prod", overrides: Record<string, string> = {}): Record<string, string> {
    return { ...loadStackConfig(path.join(repoRoot(), `Pulumi.${stack}.yaml`)), ...overrides };
}

export const NOW = new Date("2026-11-27T12:00:00Z");

/** Run the examples' Pulumi entry point (stacks/index.ts) for a stack, as `pulumi preview`/`up` would. */
export function runStack(stack: "dev" | "prod", options: { preview?: boolean; config?: Record<string, string> } = {}): Promise<Recording> {
    // Required lazily, after the recorder has installed the mocks.
    return runProgram(() => (require("../../stacks") as () => unknown)(), {
        project: "apigw-guard-examples",
        stack,
        preview: options.preview ?? false,
        config: stackConfig(stack, options.config),
        now: NOW,
    });
}

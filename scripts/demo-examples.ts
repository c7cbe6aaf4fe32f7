import { readFileSync } from "fs";
import * as path from "path";
import { runProgram, toEngineResource } from "../testkit/record";
import { loadStackConfig } from "../testkit/stack-config";
import { EngineResource, PolicyPackConfig } from "../testkit/engine";
import type { ExampleProgram } from "./demo";

const ROOT = path.join(__dirname, "..", "..");

/** Run one example stack of stacks/ in-process under Pulumi mocks, as `pulumi preview` would. */
export async function recordExample(example: "orders" | "insecure", stack: "dev" | "prod", now: Date): Promise<EngineResource[]> {
    const config = { ...loadStackConfig(path.join(ROOT, `Pulumi.${stack}.yaml`)), "apigw-guard-examples:example": example };
    const recording = await runProgram(() => (require("../stacks") as () => unknown)(), {
        project: "apigw-guard-examples",
        stack,
        preview: true,
        config,
        now,
    });
    // Component resources are not sent to analyzers as resources of their own by the CLI's
    // default provider plugins; custom resources are what policies judge.
    return recording.resources.filter(r => r.custom).map(toEngineResource);
}

function policyConfig(file: string): PolicyPackConfig {
    return JSON.parse(readFileSync(path.join(ROOT, file), "utf8")) as PolicyPackConfig;
}

/** The bundled examples the demo runs: the two example stacks of stacks/, previewed under mocks. */
export async function loadExamples(): Promise<ExampleProgram[]> {
    const now = new Date(process.env.APIGW_GUARD_NOW ?? Date.now());
    return [
        {
            title: "stacks/orders (dev) — `pulumi preview --policy-pack ./policies --policy-pack-config stacks/orders/policy-config.json`",
            expectation: "The secure example built from the components. Expect: zero mandatory violations; honest 'cannot tell yet' notes where values are computed.",
            resources: () => recordExample("orders", "dev", now),
            config: policyConfig("stacks/orders/policy-config.json"),
            dryRun: true,
        },
        {
            title: "stacks/insecure (dev) — `pulumi preview --policy-pack ./policies`",
            expectation: "A deliberately insecure program. Expect: the mission policies fire (key required, key source, rotation age, unused key, access and execution logging) and the preview fails.",
            resources: () => recordExample("insecure", "dev", now),
            dryRun: true,
        },
    ];
}

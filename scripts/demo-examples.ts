import { insecureResources, NOW, SECURE_CONFIG, securePreviewResources } from "../test/policies/pack/fixtures";
import type { ExampleProgram } from "./demo";

/** The bundled examples the demo runs. */
export async function loadExamples(): Promise<ExampleProgram[]> {
    process.env.APIGW_GUARD_NOW ??= NOW;
    return [
        {
            title: "secure orders API — first `pulumi preview` (new resources, computed values)",
            expectation: "Expect: no mandatory violation; honest 'cannot tell yet' notes where values are computed.",
            resources: securePreviewResources,
            config: SECURE_CONFIG,
            dryRun: true,
        },
        {
            title: "insecure API — `pulumi preview` of a program that ignores the practices",
            expectation: "Expect: every policy fires; the preview fails.",
            resources: insecureResources,
            dryRun: true,
        },
    ];
}

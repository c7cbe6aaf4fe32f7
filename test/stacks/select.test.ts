import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { RecordedResource } from "../../testkit/record";
import { T } from "../components/helpers";
import { repoRoot, runStack } from "./support";

function restApiNames(resources: readonly RecordedResource[]): string[] {
    return resources.filter(r => r.type === T.restApi).map(r => r.name);
}

describe("stacks (selector and project files)", () => {
    it("selects the example from config, defaulting to orders", async () => {
        assert.deepEqual(restApiNames((await runStack("dev")).resources), ["orders-api"]);
        assert.deepEqual(restApiNames((await runStack("dev", { config: { "apigw-guard-examples:example": "insecure" } })).resources), ["legacy-api"]);
        const withoutChoice = await runStack("dev", { config: { "apigw-guard-examples:example": "orders" } });
        assert.deepEqual(restApiNames(withoutChoice.resources), ["orders-api"]);
    });

    it("refuses an unknown example, naming the config key", async () => {
        await assert.rejects(runStack("dev", { config: { "apigw-guard-examples:example": "petstore" } }), /config 'apigw-guard-examples:example' must be one of orders, insecure \(got 'petstore'\)/);
    });

    it("has a project file that runs the compiled program", () => {
        const yaml = require("js-yaml") as { load(text: string): unknown };
        const project = yaml.load(fs.readFileSync(path.join(repoRoot(), "Pulumi.yaml"), "utf8")) as {
            name: string; runtime: { name: string; options: { typescript: boolean } }; main: string;
        };
        assert.equal(project.name, "apigw-guard-examples");
        assert.deepEqual(project.runtime, { name: "nodejs", options: { typescript: false } });
        assert.equal(project.main, "dist/stacks/index.js");
        // tsc compiles stacks/index.ts to <outDir>/stacks/index.js; the root tsconfig's outDir is dist.
        const tsconfig = JSON.parse(fs.readFileSync(path.join(repoRoot(), "tsconfig.json"), "utf8")) as { compilerOptions: { outDir: string } };
        assert.equal(path.posix.join(tsconfig.compilerOptions.outDir, "stacks/index.js"), project.main);
        for (const stack of ["dev", "prod"]) {
            assert.ok(fs.existsSync(path.join(repoRoot(), `Pulumi.${stack}.yaml`)));
        }
    });
});

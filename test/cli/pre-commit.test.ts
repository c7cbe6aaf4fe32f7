import assert from "node:assert/strict";
import * as path from "node:path";
import { preCommit, splitHookArguments, TERRAFORM_FILE, terraformRoots } from "../../cli/pre-commit";
import { CliIO } from "../../cli/command";
import { cleanEnv, EXAMPLE_INFRA, NOW, ROOT } from "./helpers";

function captureIO(): CliIO & { readonly out: string[]; readonly err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    return {
        out,
        err,
        stdout: { write: (text: string) => out.push(text) },
        stderr: { write: (text: string) => err.push(text) },
        env: cleanEnv({ APIGW_GUARD_NOW: NOW }),
        readStdin: () => Promise.reject(new Error("the hook never reads stdin")),
    };
}

describe("cli/pre-commit: changed files to Terraform roots", function () {
    describe("terraformRoots", function () {
        it("maps each file to its directory, once, sorted", function () {
            assert.deepEqual(
                terraformRoots(["infra/prod/main.tf", "infra/prod/variables.tf", "infra/dev/main.tf", "infra/prod/outputs.tf.json"]),
                ["infra/dev", "infra/prod"],
            );
        });

        it("maps a file at the repository root to '.'", function () {
            assert.deepEqual(terraformRoots(["main.tf", "versions.tf"]), ["."]);
        });

        it("treats './a/x.tf' and 'a/x.tf' as the same root", function () {
            assert.deepEqual(terraformRoots(["./a/x.tf", "a/y.tf"]), ["a"]);
        });

        it("leaves out files under .terraform/ and node_modules/, at any depth", function () {
            assert.deepEqual(terraformRoots([
                ".terraform/modules/vpc/main.tf",
                "infra/.terraform/modules/api/main.tf",
                "node_modules/some-package/examples/main.tf",
                "tools/node_modules/x/main.tf",
                "infra/main.tf",
            ]), ["infra"]);
        });

        it("keeps directories whose names only contain those words", function () {
            assert.deepEqual(terraformRoots(["my.terraform/main.tf", "node_modules_docs/main.tf"]), ["my.terraform", "node_modules_docs"]);
        });

        it("returns nothing for no files", function () {
            assert.deepEqual(terraformRoots([]), []);
        });
    });

    describe("TERRAFORM_FILE (the hook's files pattern)", function () {
        it("matches .tf and .tf.json files and nothing else", function () {
            for (const file of ["main.tf", "a/b/variables.tf", "override.tf.json"]) {
                assert.ok(TERRAFORM_FILE.test(file), file);
            }
            for (const file of ["terraform.tfvars", "main.tf.bak", "plan.json", "main.tfx", "README.md"]) {
                assert.equal(TERRAFORM_FILE.test(file), false, file);
            }
        });
    });

    describe("splitHookArguments: the hook's args come before the file names", function () {
        it("takes every word as a file when there are no args", function () {
            assert.deepEqual(splitHookArguments(["a/main.tf", "b/main.tf"]), { options: [], files: ["a/main.tf", "b/main.tf"] });
        });

        it("gives an option that takes a value its next word, whatever that word looks like", function () {
            assert.deepEqual(
                splitHookArguments(["--fail-on", "advisory", "--config", "policy.tf.json", "a/main.tf"]),
                { options: ["--fail-on", "advisory", "--config", "policy.tf.json"], files: ["a/main.tf"] },
            );
        });

        it("keeps a flag without a value and an --option=value word alone", function () {
            assert.deepEqual(
                splitHookArguments(["--show-passes", "--fail-on=high", "main.tf"]),
                { options: ["--show-passes", "--fail-on=high"], files: ["main.tf"] },
            );
        });

        it("ends the options at --", function () {
            assert.deepEqual(splitHookArguments(["--fail-on", "none", "--", "-odd/main.tf"]), { options: ["--fail-on", "none"], files: ["-odd/main.tf"] });
        });

        it("has no files when only args are given", function () {
            assert.deepEqual(splitHookArguments(["--fail-on", "none"]), { options: ["--fail-on", "none"], files: [] });
        });
    });

    describe("preCommit", function () {
        const exampleMain = path.relative(ROOT, path.join(EXAMPLE_INFRA, "main.tf"));
        let cwd: string;

        before(function () {
            cwd = process.cwd();
            process.chdir(ROOT);
        });

        after(function () {
            process.chdir(cwd);
        });

        it("scans the root of a changed file and returns the scan's exit code", async function () {
            const io = captureIO();
            assert.equal(await preCommit([exampleMain], io), 1, io.err.join(""));
            const output = io.out.join("");
            assert.match(output, /^test\/fixtures\/example-infra \(terraform-hcl/m);
            assert.match(output, /FAIL\s+apigateway-method-api-key-required/);
        });

        it("hands the hook's args to scan", async function () {
            const io = captureIO();
            assert.equal(await preCommit(["--fail-on", "none", "--format", "json", exampleMain], io), 0, io.err.join(""));
            const report = JSON.parse(io.out.join("")) as { summary: { gate: { failOn: string } } };
            assert.equal(report.summary.gate.failOn, "none");
        });

        it("passes without scanning when every changed file is under .terraform/", async function () {
            const io = captureIO();
            assert.equal(await preCommit([".terraform/modules/api/main.tf"], io), 0);
            assert.deepEqual(io.out, []);
            assert.deepEqual(io.err, []);
        });

        it("reports a bad arg as bad usage (exit 2)", async function () {
            const io = captureIO();
            assert.equal(await preCommit(["--fail-on", "sometimes", exampleMain], io), 2);
            assert.match(io.err.join(""), /--fail-on/);
        });
    });
});

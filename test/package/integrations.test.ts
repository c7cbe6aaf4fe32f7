/**
 * The CI integrations as their tools run them, from the installed package (testkit/install.ts):
 * the GitHub Action's composite steps executed by a model of the runner (bash, expressions,
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, outputs), and the pre-commit hook's entry run with the
 * file names pre-commit would pass.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { RULES } from "apigw-guard/policies/rules/index";
import { TERRAFORM_FILE } from "../../cli/pre-commit";
import { repoRoot } from "../../testkit/engine";
import { InstalledKit, installKit } from "../../testkit/install";
import { cleanEnv } from "../cli/helpers";
import { describeErrors, validateSarif } from "../report/schemas";

const ROOT = repoRoot();
const EXAMPLE_INFRA = path.join(ROOT, "test", "fixtures", "example-infra");
const COMPLIANT_TF = path.join(ROOT, "test", "fixtures", "integrations", "compliant", "main.tf");
const NOW = "2026-06-01T00:00:00Z";

// ---------------------------------------------------------------------------------------------
// A model of the GitHub Actions runner, limited to what a composite action of `run` steps uses.
// ---------------------------------------------------------------------------------------------

interface ActionInput {
    readonly description: string;
    readonly required?: boolean;
    readonly default?: string;
}

interface ActionStep {
    readonly id?: string;
    readonly name?: string;
    readonly shell: string;
    readonly run: string;
    readonly env?: Readonly<Record<string, string>>;
}

interface CompositeAction {
    readonly inputs: Readonly<Record<string, ActionInput>>;
    readonly outputs: Readonly<Record<string, { readonly description: string; readonly value: string }>>;
    readonly steps: readonly ActionStep[];
}

/** The step keys the runner model below implements; a step using any other (`if`, `uses`, `working-directory`, ...) fails the test. */
const MODELLED_STEP_KEYS = new Set(["id", "name", "shell", "run", "env"]);

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readAction(file: string): CompositeAction {
    const document: unknown = parse(fs.readFileSync(file, "utf8"));
    assert.ok(isRecord(document), "action.yml is a mapping");
    assert.equal(typeof document.name, "string");
    assert.equal(typeof document.description, "string");
    const { inputs, outputs, runs } = document;
    assert.ok(isRecord(inputs) && isRecord(outputs) && isRecord(runs));
    assert.equal(runs.using, "composite");
    assert.ok(Array.isArray(runs.steps) && runs.steps.length > 0);
    for (const [name, input] of Object.entries(inputs)) {
        assert.ok(isRecord(input) && typeof input.description === "string", `input ${name} has a description`);
        assert.ok(input.default === undefined || typeof input.default === "string", `input ${name}: a default is a string`);
    }
    for (const [name, output] of Object.entries(outputs)) {
        // A composite action's output must say where its value comes from.
        assert.ok(isRecord(output) && typeof output.value === "string", `output ${name} has a value`);
    }
    const steps = runs.steps.map((step: unknown, index: number): ActionStep => {
        assert.ok(isRecord(step), `step ${index} is a mapping`);
        const unmodelled = Object.keys(step).filter(key => !MODELLED_STEP_KEYS.has(key));
        assert.deepEqual(unmodelled, [], `step ${index} uses keys this test does not model`);
        // GitHub requires `shell` on every run step of a composite action.
        assert.equal(typeof step.run, "string", `step ${index} is a run step`);
        assert.equal(step.shell, "bash", `step ${index} runs in bash`);
        if (step.env !== undefined) {
            assert.ok(isRecord(step.env) && Object.values(step.env).every(value => typeof value === "string"), `step ${index}: env values are strings`);
        }
        return step as unknown as ActionStep;
    });
    return { inputs: inputs as Record<string, ActionInput>, outputs: outputs as CompositeAction["outputs"], steps };
}

interface ExpressionContext {
    readonly inputs: Readonly<Record<string, string>>;
    readonly actionPath: string;
    readonly runnerTemp: string;
    readonly steps: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const EXPRESSION = /\$\{\{(.*?)\}\}/gs;
const NAME = "[A-Za-z_][A-Za-z0-9_-]*";

/**
 * `${{ }}` the way GitHub evaluates the forms this action may use: an input (its default when not
 * given), `github.action_path`, `runner.temp`, a step output (empty when the step did not set it).
 * Any other expression throws, so the action cannot come to depend on one this model gets wrong.
 */
function substitute(text: string, context: ExpressionContext): string {
    return text.replace(EXPRESSION, (_whole, body: string) => {
        const expression = body.trim();
        const input = new RegExp(`^inputs\\.(${NAME})$`).exec(expression);
        if (input) {
            assert.ok(input[1] in context.inputs, `\${{ ${expression} }} names an undeclared input`);
            return context.inputs[input[1]];
        }
        if (expression === "github.action_path") {
            return context.actionPath;
        }
        if (expression === "runner.temp") {
            return context.runnerTemp;
        }
        const stepOutput = new RegExp(`^steps\\.(${NAME})\\.outputs\\.(${NAME})$`).exec(expression);
        if (stepOutput) {
            return context.steps[stepOutput[1]]?.[stepOutput[2]] ?? "";
        }
        throw new Error(`action.yml uses \${{ ${expression} }}, an expression this test does not model`);
    });
}

/** The GITHUB_OUTPUT file format: `name=value` lines and `name<<DELIMITER` blocks. */
function parseOutputFile(text: string): Record<string, string> {
    const outputs: Record<string, string> = {};
    const lines = text.split("\n");
    for (let index = 0; index < lines.length; index++) {
        const line = lines[index];
        if (line === "") {
            continue;
        }
        const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
        if (heredoc) {
            const end = lines.indexOf(heredoc[2], index + 1);
            assert.ok(end > index, `GITHUB_OUTPUT: no closing ${heredoc[2]}`);
            outputs[heredoc[1]] = lines.slice(index + 1, end).join("\n");
            index = end;
            continue;
        }
        const equals = line.indexOf("=");
        assert.ok(equals > 0, `GITHUB_OUTPUT: malformed line ${JSON.stringify(line)}`);
        outputs[line.slice(0, equals)] = line.slice(equals + 1);
    }
    return outputs;
}

interface StepRun {
    readonly name: string;
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly summary: string;
}

interface ActionRun {
    readonly steps: readonly StepRun[];
    /** The action failed (a step exited non-zero; the steps after it did not run). */
    readonly failed: boolean;
    readonly outputs: Readonly<Record<string, string>>;
}

interface Job {
    readonly workspace: string;
    readonly runnerTemp: string;
    readonly actionPath: string;
    /** The job's `env:`. */
    readonly env: Readonly<Record<string, string>>;
}

function runAction(action: CompositeAction, withInputs: Readonly<Record<string, string>>, job: Job): ActionRun {
    for (const name of Object.keys(withInputs)) {
        assert.ok(name in action.inputs, `with: ${name} is not an input of the action`);
    }
    const inputs: Record<string, string> = {};
    for (const [name, input] of Object.entries(action.inputs)) {
        const given = withInputs[name];
        assert.ok(given !== undefined || input.required !== true, `required input ${name} not given`);
        inputs[name] = given ?? input.default ?? "";
    }
    const stepOutputs: Record<string, Record<string, string>> = {};
    const context: ExpressionContext = { inputs, actionPath: job.actionPath, runnerTemp: job.runnerTemp, steps: stepOutputs };
    const fileCommands = fs.mkdtempSync(path.join(job.runnerTemp, "_runner_file_commands-"));
    const runs: StepRun[] = [];
    let failed = false;
    for (const [index, step] of action.steps.entries()) {
        const outputFile = path.join(fileCommands, `set_output_${index}`);
        const summaryFile = path.join(fileCommands, `step_summary_${index}`);
        const scriptFile = path.join(fileCommands, `step_${index}.sh`);
        fs.writeFileSync(outputFile, "");
        fs.writeFileSync(summaryFile, "");
        // The runner substitutes expressions into the script text, then runs the file as `bash --noprofile --norc -eo pipefail {0}`.
        fs.writeFileSync(scriptFile, substitute(step.run, context));
        const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, substitute(value, context)]));
        const env = {
            ...runnerEnv(),
            ...job.env,
            CI: "true",
            GITHUB_ACTIONS: "true",
            GITHUB_WORKSPACE: job.workspace,
            GITHUB_ACTION_PATH: job.actionPath,
            RUNNER_TEMP: job.runnerTemp,
            GITHUB_OUTPUT: outputFile,
            GITHUB_STEP_SUMMARY: summaryFile,
            ...stepEnv,
        };
        const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", scriptFile], {
            cwd: job.workspace, env, encoding: "utf8", timeout: 300_000, maxBuffer: 64 * 1024 * 1024,
        });
        if (result.error) {
            throw result.error;
        }
        const status = result.status ?? 128;
        runs.push({ name: step.name ?? step.id ?? `step ${index}`, status, stdout: result.stdout, stderr: result.stderr, summary: fs.readFileSync(summaryFile, "utf8") });
        if (step.id !== undefined) {
            stepOutputs[step.id] = parseOutputFile(fs.readFileSync(outputFile, "utf8"));
        }
        if (status !== 0) {
            failed = true;
            break;
        }
    }
    const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, output]) => [name, substitute(output.value, context)]));
    return { steps: runs, failed, outputs };
}

/** This process's environment without what a runner sets itself (or a CI running these tests set). */
function runnerEnv(): NodeJS.ProcessEnv {
    const env = cleanEnv();
    for (const name of Object.keys(env)) {
        if (/^(GITHUB_|RUNNER_|INPUT_)/.test(name)) {
            delete env[name];
        }
    }
    return env;
}

function describeRun(run: ActionRun): string {
    return run.steps.map(step => `--- ${step.name} (exit ${step.status})\n${step.stdout.slice(-3000)}\n${step.stderr.slice(-3000)}`).join("\n");
}

interface SarifResult {
    readonly ruleId: string;
    readonly level: string;
    readonly locations: ReadonlyArray<{
        readonly physicalLocation: { readonly artifactLocation: { readonly uri: string } };
        readonly logicalLocations: ReadonlyArray<{ readonly fullyQualifiedName: string }>;
    }>;
}

interface SarifLog {
    readonly version: string;
    readonly runs: ReadonlyArray<{ readonly tool: { readonly driver: { readonly name: string } }; readonly results: readonly SarifResult[] }>;
}

describe("CI integrations, as their tools run them (from the packed and installed kit)", function () {
    this.timeout(600_000);
    let kit: InstalledKit;
    let work: string;

    before(function () {
        kit = installKit();
        work = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-guard-integrations-"));
    });

    after(function () {
        if (work !== undefined) {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });

    it("ships action.yml, .pre-commit-hooks.yaml and the hook's entry in the tarball", function () {
        for (const file of ["action.yml", ".pre-commit-hooks.yaml", "dist/cli/pre-commit.js"]) {
            assert.ok(kit.files.includes(file), `${file} is in the tarball`);
        }
    });

    describe("the GitHub Action (action.yml)", function () {
        let action: CompositeAction;
        let job: Job;

        before(function () {
            action = readAction(path.join(ROOT, "action.yml"));
            // One job that uses the action several times: one workspace, one runner temp directory.
            const workspace = path.join(work, "workspace");
            const runnerTemp = path.join(work, "runner-temp");
            fs.mkdirSync(path.join(workspace, "infra"), { recursive: true });
            fs.mkdirSync(runnerTemp);
            fs.copyFileSync(path.join(EXAMPLE_INFRA, "plan.json"), path.join(workspace, "infra", "plan.json"));
            job = {
                workspace,
                runnerTemp,
                // The runner checks out the action's repository: this one.
                actionPath: ROOT,
                env: {
                    APIGW_GUARD_NOW: NOW,
                    // No network here: npm takes the dependencies from its cache, as installKit() does.
                    npm_config_prefer_offline: "true",
                },
            };
        });

        it("is a composite action whose inputs are declared and reach its scripts only through env", function () {
            for (const name of ["paths", "formats", "sarif-file", "fail-on", "config", "waivers", "baseline", "package"]) {
                assert.ok(name in action.inputs, `input ${name}`);
            }
            assert.equal(action.inputs.paths.required, true);
            assert.equal(action.inputs["fail-on"].default, "mandatory");
            for (const name of ["sarif-file", "exit-code"]) {
                assert.ok(name in action.outputs, `output ${name}`);
            }
            for (const step of action.steps) {
                // Script-injection hardening: an expression inside a script would paste its text into shell code.
                assert.doesNotMatch(step.run, /\$\{\{/, `step '${step.name ?? ""}' expands an expression inside its script`);
            }
            // Every expression, evaluated or not in the runs below, names a declared input or an earlier step.
            const earlierSteps = new Set<string>();
            const check = (text: string, where: string) => {
                for (const [, body] of text.matchAll(EXPRESSION)) {
                    const expression = body.trim();
                    const input = new RegExp(`^inputs\\.(${NAME})$`).exec(expression);
                    const stepOutput = new RegExp(`^steps\\.(${NAME})\\.outputs\\.${NAME}$`).exec(expression);
                    assert.ok(
                        (input !== null && input[1] in action.inputs) || (stepOutput !== null && earlierSteps.has(stepOutput[1]))
                            || expression === "github.action_path" || expression === "runner.temp",
                        `${where}: \${{ ${expression} }}`,
                    );
                }
            };
            for (const step of action.steps) {
                for (const [name, value] of Object.entries(step.env ?? {})) {
                    check(value, `step '${step.name ?? ""}' env ${name}`);
                }
                if (step.id !== undefined) {
                    earlierSteps.add(step.id);
                }
            }
            for (const [name, output] of Object.entries(action.outputs)) {
                check(output.value, `output ${name}`);
            }
        });

        it("blocking findings: writes SARIF 2.1.0 and the requested reports, exit-code 1, and fails the step", function () {
            const run = runAction(action, {
                paths: "infra/plan.json\n",
                package: kit.tarball,
                formats: "markdown=reports/apigw-guard.md\njunit=reports/apigw-guard.xml",
            }, job);
            const diagnostics = describeRun(run);
            assert.equal(run.failed, true, diagnostics);
            assert.deepEqual(run.steps.map(step => step.status), [0, 0, 1], diagnostics);
            assert.equal(run.outputs["exit-code"], "1");
            assert.equal(run.outputs.version, JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
            // Installed into the runner's temp directory, not the scanned repository.
            assert.ok(fs.existsSync(path.join(job.runnerTemp, "apigw-guard", "node_modules", "apigw-guard", "package.json")));
            assert.equal(fs.existsSync(path.join(job.workspace, "node_modules")), false);
            assert.equal(fs.existsSync(path.join(job.workspace, "package.json")), false);

            const sarifFile = run.outputs["sarif-file"];
            assert.equal(sarifFile, path.join(job.workspace, "apigw-guard.sarif"));
            const sarif = JSON.parse(fs.readFileSync(sarifFile, "utf8")) as SarifLog;
            assert.equal(sarif.version, "2.1.0");
            const errors = validateSarif(sarif);
            assert.equal(errors.length, 0, describeErrors(errors));
            const [sarifRun] = sarif.runs;
            assert.equal(sarifRun.tool.driver.name, "apigw-guard");
            // The example infrastructure breaks every rule at least once (test/fixtures/example-infra/README.md),
            // except apigateway-unmanaged-resource, which only `audit --managed-by` can fail (in a scan the resources are the code).
            assert.deepEqual(new Set(sarifRun.results.map(result => result.ruleId)), new Set(RULES.map(rule => rule.id).filter(id => id !== "apigateway-unmanaged-resource")));
            const keyRequired = sarifRun.results.find(result => result.ruleId === "apigateway-method-api-key-required");
            assert.ok(keyRequired);
            assert.equal(keyRequired.level, "error");
            assert.equal(keyRequired.locations[0].physicalLocation.artifactLocation.uri, "infra/plan.json");
            assert.equal(keyRequired.locations[0].logicalLocations[0].fullyQualifiedName, "aws_api_gateway_method.get_orders");

            // The same report the repository's own CLI writes for that input and clock.
            const direct = spawnSync(process.execPath, [path.join(ROOT, "dist", "cli", "main.js"), "scan", "infra/plan.json", "--format", "sarif", "--now", NOW], {
                cwd: job.workspace, env: cleanEnv(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024,
            });
            assert.equal(direct.status, 1, direct.stderr);
            assert.deepEqual(sarif, JSON.parse(direct.stdout));

            const markdown = fs.readFileSync(path.join(job.workspace, "reports", "apigw-guard.md"), "utf8");
            assert.match(markdown, /apigateway-method-api-key-required/);
            assert.match(fs.readFileSync(path.join(job.workspace, "reports", "apigw-guard.xml"), "utf8"), /^<\?xml[^>]*\?>\s*<testsuites/);
            const scanStep = run.steps[1];
            // The job summary holds the same Markdown report; the log holds the text report.
            assert.equal(scanStep.summary, markdown);
            assert.match(scanStep.stdout, /aws_api_gateway_method\.get_orders/);
            assert.match(run.steps[2].stdout, /::error title=apigw-guard::blocking findings/);
        });

        it("fail-on: none reports the same findings but exit-code 0, and the step passes", function () {
            const run = runAction(action, { paths: "infra/plan.json", package: kit.tarball, "fail-on": "none", "step-summary": "false" }, job);
            const diagnostics = describeRun(run);
            assert.equal(run.failed, false, diagnostics);
            assert.deepEqual(run.steps.map(step => step.status), [0, 0, 0], diagnostics);
            assert.equal(run.outputs["exit-code"], "0");
            const sarif = JSON.parse(fs.readFileSync(run.outputs["sarif-file"], "utf8")) as SarifLog;
            assert.ok(sarif.runs[0].results.some(result => result.ruleId === "apigateway-method-api-key-required" && result.level === "error"));
            assert.equal(run.steps[1].summary, "");
        });

        it("an input that cannot be read fails with exit-code 2, and input text never runs as shell code", function () {
            const hostile = "missing-$(touch injected-a).json\n`touch injected-b`.json";
            const run = runAction(action, { paths: hostile, package: kit.tarball, "fail-on": "none" }, job);
            const diagnostics = describeRun(run);
            assert.equal(run.failed, true, diagnostics);
            assert.deepEqual(run.steps.map(step => step.status), [0, 0, 2], diagnostics);
            assert.equal(run.outputs["exit-code"], "2");
            assert.ok(run.steps[1].stderr.includes("missing-$(touch injected-a).json"), diagnostics);
            assert.ok(run.steps[1].stderr.includes("`touch injected-b`.json"), diagnostics);
            assert.deepEqual(fs.readdirSync(job.workspace).filter(name => name.startsWith("injected")), []);
        });
    });

    describe("the pre-commit hook (.pre-commit-hooks.yaml)", function () {
        interface Hook {
            readonly id: string;
            readonly entry: string;
            readonly language: string;
            readonly files: string;
        }
        let hook: Hook;
        let repository: string;

        before(function () {
            const hooks: unknown = parse(fs.readFileSync(path.join(ROOT, ".pre-commit-hooks.yaml"), "utf8"));
            assert.ok(Array.isArray(hooks));
            const found: unknown = hooks.find((candidate: unknown) => isRecord(candidate) && candidate.id === "apigw-guard");
            assert.ok(isRecord(found), "a hook with id apigw-guard");
            for (const key of ["id", "entry", "language", "files", "name"]) {
                assert.equal(typeof found[key], "string", `hook ${key}`);
            }
            hook = found as unknown as Hook;
            // A repository with a changed root that breaks the rules, a compliant root, and a module
            // copy under .terraform/ that breaks them too (terraform init puts one there).
            repository = path.join(work, "repository");
            fs.mkdirSync(path.join(repository, "infra"), { recursive: true });
            fs.mkdirSync(path.join(repository, "compliant"), { recursive: true });
            fs.mkdirSync(path.join(repository, "compliant", ".terraform", "modules", "legacy"), { recursive: true });
            fs.copyFileSync(path.join(EXAMPLE_INFRA, "main.tf"), path.join(repository, "infra", "main.tf"));
            fs.writeFileSync(path.join(repository, "infra", "README.md"), "# infra\n");
            fs.copyFileSync(COMPLIANT_TF, path.join(repository, "compliant", "main.tf"));
            fs.copyFileSync(path.join(EXAMPLE_INFRA, "main.tf"), path.join(repository, "compliant", ".terraform", "modules", "legacy", "main.tf"));
        });

        /** pre-commit: `entry [args...] [files...]`, the files being the changed ones that match `files` (Python re.search). */
        function runHook(changed: readonly string[], args: readonly string[] = []) {
            const filesPattern = new RegExp(hook.files);
            const files = changed.filter(file => filesPattern.test(file));
            const entry = path.join(kit.project, "node_modules", ".bin", hook.entry);
            const result = spawnSync(entry, [...args, ...files], { cwd: repository, env: cleanEnv(), encoding: "utf8", timeout: 120_000 });
            if (result.error) {
                throw result.error;
            }
            return { files, status: result.status, stdout: result.stdout, stderr: result.stderr };
        }

        it("installs as pre-commit installs a node hook: `npm pack` (with its prepare build) prints only the tarball's name", function () {
            // pre-commit runs `npm pack` in its clone and passes stdout, stripped, to `npm install -g`.
            const destination = fs.mkdtempSync(path.join(work, "pack-"));
            const result = spawnSync("npm", ["pack", "--pack-destination", destination], {
                cwd: ROOT, env: runnerEnv(), encoding: "utf8", timeout: 300_000, maxBuffer: 64 * 1024 * 1024,
            });
            assert.equal(result.status, 0, result.stderr);
            const tarball = result.stdout.trim();
            const { name, version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
            assert.equal(tarball, `${name}-${version}.tgz`);
            assert.ok(fs.existsSync(path.join(destination, tarball)));
        });

        it("is a node hook whose entry is a bin of the installed package, matching .tf and .tf.json files", function () {
            assert.equal(hook.language, "node");
            assert.equal(hook.files, TERRAFORM_FILE.source);
            const manifest = JSON.parse(fs.readFileSync(path.join(kit.packageDir, "package.json"), "utf8")) as { bin: Record<string, string> };
            assert.equal(manifest.bin[hook.entry], "dist/cli/pre-commit.js");
            assert.ok(fs.existsSync(path.join(kit.project, "node_modules", ".bin", hook.entry)));
        });

        it("fails on a changed root with blocking findings", function () {
            const run = runHook(["infra/main.tf", "infra/README.md"]);
            assert.deepEqual(run.files, ["infra/main.tf"]);
            assert.equal(run.status, 1, run.stderr);
            assert.match(run.stdout, /^infra \(terraform-hcl/m);
            assert.match(run.stdout, /apigateway-method-api-key-required/);
        });

        it("passes on a compliant root, leaving out the module copies under .terraform/", function () {
            const run = runHook(["compliant/main.tf", "compliant/.terraform/modules/legacy/main.tf"]);
            assert.equal(run.files.length, 2);
            assert.equal(run.status, 0, run.stdout + run.stderr);
            assert.match(run.stdout, /^compliant \(terraform-hcl/m);
            assert.match(run.stdout, /0 failed/);
        });

        it("passes the hook's args to the scan (--fail-on none)", function () {
            const run = runHook(["infra/main.tf"], ["--fail-on", "none"]);
            assert.equal(run.status, 0, run.stderr);
            assert.match(run.stdout, /FAIL\s+apigateway-method-api-key-required/);
        });
    });
});

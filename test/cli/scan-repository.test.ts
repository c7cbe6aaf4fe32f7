import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { assertCleanErrors, parseReport, ROOT, scan, Scratch } from "./helpers";

/** `apigw-guard scan <dir>` over a repository: every Terraform root found and scanned on its own (issue 14, item 1). */

const STAGE = (name: string) => `resource "aws_api_gateway_stage" "s" {\n  stage_name    = "${name}"\n  rest_api_id   = "x"\n  deployment_id = "y"\n}\n`;

function write(root: string, files: Record<string, string>): void {
    for (const [name, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
        writeFileSync(path.join(root, name), text);
    }
}

describe("cli: scan <dir> walks a repository for Terraform roots", function () {
    this.timeout(120_000);
    const scratch = new Scratch();
    after(() => scratch.cleanup());

    it("scans each root as its own input; local modules are read with their caller; .terraform, .git, node_modules and --exclude are skipped", () => {
        const repo = scratch.path("repo");
        write(repo, {
            "README.md": "not Terraform",
            "live/prod/main.tf": `module "api" {\n  source = "../../modules/api"\n  stage  = "prod"\n}\n`,
            "live/dev/main.tf": `module "api" {\n  source = "../../modules/api"\n  stage  = "dev"\n}\n`,
            "modules/api/main.tf": `variable "stage" {}\n${STAGE("${var.stage}")}`,
            "standalone/main.tf": STAGE("alone"),
            "live/prod/.terraform/modules/x/main.tf": STAGE("vendored"),
            ".git/hooks/main.tf": STAGE("git"),
            "node_modules/pkg/main.tf": STAGE("npm"),
            "sandbox/main.tf": STAGE("sandbox"),
        });
        const run = scan([repo, "--exclude", "sandbox", "--format", "json"]);
        assert.deepEqual(assertCleanErrors(run), []);
        const report = parseReport(run.stdout);
        assert.deepEqual(report.inputs.map(i => [path.relative(repo, i.file), i.kind]), [
            [path.join("live", "dev"), "terraform-hcl"],
            [path.join("live", "prod"), "terraform-hcl"],
            ["standalone", "terraform-hcl"],
        ]);
        const stageName = (message: string) => /stage '([^']*)'/.exec(message)?.[1];
        const stages = report.findings.filter(f => f.entity?.kind === "stage").map(f => `${path.relative(repo, f.input)} ${f.entity?.ref} ${stageName(f.message)}`);
        assert.deepEqual([...new Set(stages)].sort(), [
            `${path.join("live", "dev")} module.api.aws_api_gateway_stage.s dev`,
            `${path.join("live", "prod")} module.api.aws_api_gateway_stage.s prod`,
            "standalone aws_api_gateway_stage.s alone",
        ]);
    });

    it("a directory that is itself the only root scans as before", () => {
        const dir = scratch.path("single");
        write(dir, { "main.tf": STAGE("one") });
        const report = parseReport(scan([dir, "--format", "json"]).stdout);
        assert.deepEqual(report.inputs.map(i => i.file), [dir]);
    });

    it("a directory without Terraform files anywhere is still an input error", () => {
        const dir = scratch.path("empty");
        write(dir, { "notes.txt": "x" });
        const run = scan([dir]);
        assert.equal(run.status, 2);
        assert.match(run.stderr, /no Terraform files/);
    });

    it("--workspace sets terraform.workspace", () => {
        const dir = scratch.path("ws");
        write(dir, { "main.tf": STAGE("${terraform.workspace}") });
        const named = (args: string[]) => {
            const finding = parseReport(scan([dir, "--format", "json", ...args]).stdout).findings.find(f => f.entity?.kind === "stage");
            return /stage '([^']*)'/.exec(finding?.message ?? "")?.[1];
        };
        assert.equal(named([]), "default");
        assert.equal(named(["--workspace", "staging"]), "staging");
    });

    const CORPUS = path.resolve(ROOT, "..", "shared", "corpus", "realworld");

    it("scans the real-world corpus as one repository, and every scan root its PROVENANCE.md lists, without an input error (skipped without the corpus)", function () {
        if (!existsSync(CORPUS)) {
            this.skip();
        }
        const whole = scan([CORPUS, "--format", "json"]);
        assert.notEqual(whole.status, 2, whole.stderr);
        const report = parseReport(whole.stdout);
        assert.ok(report.inputs.length >= 13, `${report.inputs.length} roots`);
        assert.ok(report.inputs.every(i => (i.errors ?? []).length === 0), JSON.stringify(report.inputs.filter(i => (i.errors ?? []).length > 0)));
        const listed: string[] = [];
        for (const entry of require("node:fs").readdirSync(CORPUS) as string[]) {
            const provenance = path.join(CORPUS, entry, "PROVENANCE.md");
            if (!existsSync(provenance)) {
                continue;
            }
            const section = readFileSync(provenance, "utf8").split("## Scan roots")[1] ?? "";
            for (const match of section.matchAll(/^\| `([^`]+)` \|/gm)) {
                listed.push(path.join(CORPUS, entry, match[1]));
            }
        }
        assert.ok(listed.length >= 13);
        for (const root of listed) {
            const run = scan([root, "--format", "json"]);
            assert.notEqual(run.status, 2, `${root}: ${run.stderr}`);
        }
    });
});

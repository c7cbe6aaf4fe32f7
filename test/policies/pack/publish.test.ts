import assert from "node:assert/strict";
import { execFileSync } from "child_process";
import { mkdtempSync, readdirSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { RULES } from "apigw-guard/policies/rules/index";
import { PackProcess, repoRoot } from "../../../testkit/engine";

/**
 * `pulumi policy publish` runs `npm pack` inside policies/, and every enforcing CLI unpacks that
 * tarball and installs dependencies from policies/package.json. This proves the pack survives it:
 * nothing outside policies/ is needed.
 */
describe("the pack as `pulumi policy publish` ships it", function () {
    this.timeout(300_000);
    let work: string;
    let unpacked: string;
    let pack: PackProcess | undefined;

    before(() => {
        work = mkdtempSync(path.join(os.tmpdir(), "apigw-guard-publish-"));
        const packDir = path.join(repoRoot(), "policies");
        const output = execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: packDir, encoding: "utf8" });
        const [{ filename }] = JSON.parse(output) as Array<{ filename: string }>;
        execFileSync("tar", ["-xzf", path.join(work, filename), "-C", work]);
        unpacked = path.join(work, "package");
        // The npm cache already holds these from the repository's own install; no lockfile ships.
        execFileSync("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts"], { cwd: unpacked, stdio: "pipe" });
    });

    after(async () => {
        await pack?.close();
        rmSync(work, { recursive: true, force: true });
    });

    it("contains compiled JS and the manifest, and no sources or tests", () => {
        const files = listFiles(unpacked).filter(f => !f.startsWith("node_modules/"));
        assert.ok(files.includes("PulumiPolicy.yaml"));
        assert.ok(files.includes("bin/index.js"));
        assert.ok(files.includes("package.json"));
        assert.deepEqual(files.filter(f => f.endsWith(".ts") && !f.endsWith(".d.ts")), []);
        assert.ok(files.every(f => !f.includes("test")), files.join(", "));
    });

    it("starts from the unpacked folder as the engine starts it and serves the full GetAnalyzerInfo", async () => {
        pack = await PackProcess.start({ packDir: unpacked });
        const info = await pack.getAnalyzerInfo();
        assert.equal(info.name, "apigw-guard");
        assert.deepEqual(info.policies.map(p => p.name), RULES.map(r => r.id));
        for (const policy of info.policies) {
            const rule = RULES.find(r => r.id === policy.name)!;
            assert.equal(policy.enforcementLevel, rule.enforcementLevel);
            assert.deepEqual(Object.keys(policy.configSchema?.properties ?? {}).sort(), [...Object.keys(rule.configSchema.properties), "waivers"].sort());
        }
    });
});

function listFiles(dir: string, prefix = ""): string[] {
    const out: string[] = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
            if (entry.name !== "node_modules") {
                out.push(...listFiles(path.join(dir, entry.name), rel));
            }
        } else {
            out.push(rel);
        }
    }
    return out;
}

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** Tests run from dist/test/scripts. */
const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const SCRIPT = path.join(REPO_ROOT, "scripts", "prune-stale-build.cjs");

describe("scripts/prune-stale-build.cjs (npm pack's prepack)", () => {
    // Orphans planted in the real output folders, named so that no source can match them.
    const orphanDir = path.join(REPO_ROOT, "dist", "zz-prune-test-orphans");
    const orphans = [
        path.join(orphanDir, "removed.js"),
        path.join(orphanDir, "removed.d.ts"),
        path.join(orphanDir, "removed.js.map"),
        path.join(REPO_ROOT, "policies", "bin", "zz-prune-test-removed.js"),
    ];
    const notCompiled = path.join(orphanDir, "notes.txt");

    after(() => {
        rmSync(orphanDir, { recursive: true, force: true });
        rmSync(orphans[3], { force: true });
    });

    it("removes compiled files whose source is gone and keeps every other file", () => {
        mkdirSync(orphanDir, { recursive: true });
        for (const file of [...orphans, notCompiled]) {
            writeFileSync(file, "// planted by the test\n");
        }
        const kept = [
            path.join(REPO_ROOT, "dist", "cli", "main.js"),
            path.join(REPO_ROOT, "dist", "cli", "main.d.ts"),
            path.join(REPO_ROOT, "dist", "test", "scripts", "prune-stale-build.test.js"),
            path.join(REPO_ROOT, "policies", "bin", "index.js"),
            path.join(REPO_ROOT, "policies", "bin", "rules", "index.js"),
        ];
        for (const file of kept) {
            assert.ok(existsSync(file), `${file} is built`);
        }
        const run = spawnSync(process.execPath, [SCRIPT], { encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout, "", "nothing on stdout: npm pack prints the tarball's name there");
        // At least the four planted here (a working tree may hold older orphans too).
        const count = /^prune-stale-build: removed (\d+) compiled file\(s\) whose source is gone\n$/.exec(run.stderr);
        assert.ok(count !== null && Number(count[1]) >= 4, run.stderr);
        for (const file of orphans) {
            assert.equal(existsSync(file), false, `${file} is removed`);
        }
        assert.ok(existsSync(notCompiled), "a file that is not a compiled output stays");
        for (const file of kept) {
            assert.ok(existsSync(file), `${file} stays`);
        }
    });
});

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ROOT } from "./fixture";

/**
 * The rule for a missing browser, proven by running the browser test with a browser path that
 * does not exist: locally it is reported as skipped (pending), under CI=true it fails.
 */
describe("html report browser test: without a browser", function () {
    this.timeout(60_000);
    const browserTest = path.join(ROOT, "dist", "test", "report", "html-browser.test.js");
    const mocha = path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js");

    function run(ci: string | undefined): { passes: number; failures: number; pending: number; output: string } {
        const env: NodeJS.ProcessEnv = { ...process.env, APIGW_GUARD_CHROMIUM: path.join(ROOT, "no-such-browser") };
        delete env.CI;
        if (ci !== undefined) {
            env.CI = ci;
        }
        const result = spawnSync(process.execPath, [mocha, "--no-config", "--reporter", "json", browserTest], { cwd: ROOT, env, encoding: "utf8", timeout: 50_000 });
        const json = result.stdout.slice(result.stdout.indexOf("{"));
        const stats = (JSON.parse(json) as { stats: { passes: number; failures: number; pending: number } }).stats;
        return { ...stats, output: result.stdout };
    }

    it("is skipped, with the reason, when CI is not set", () => {
        const result = run(undefined);
        assert.deepEqual([result.passes, result.failures], [0, 0], result.output);
        assert.ok(result.pending >= 5, `every browser test pending: ${result.pending}`);
        assert.match(result.output, /SKIPPED: .*no-such-browser is not installed/);
    });

    it("fails under CI=true", () => {
        const result = run("true");
        assert.equal(result.passes, 0);
        assert.ok(result.failures >= 1, result.output);
        assert.equal(result.pending, 0, "never a skip in CI");
    });
});

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ANSI_ESCAPE, cleanEnv, CLI, NOW, ROOT, scan, Scratch, STACK_EXPORT } from "./helpers";

const EXPORT_ARG = path.relative(ROOT, STACK_EXPORT);

/** util-linux `script` runs a command on a pseudo-terminal: the only way to give the CLI a real TTY. */
function hasScript(): boolean {
    return spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;
}

const quote = (arg: string) => `'${arg.replace(/'/g, "'\\''")}'`;

function scanOnTty(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): { status: number; output: string } {
    const command = [process.execPath, CLI, "scan", "--now", NOW, ...args].map(quote).join(" ");
    const result = spawnSync("script", ["-q", "-e", "-c", command, "/dev/null"], { cwd: ROOT, env: cleanEnv(env), encoding: "utf8", timeout: 60_000 });
    return { status: result.status ?? -1, output: result.stdout };
}

describe("cli: colors (TTY and NO_COLOR)", function () {
    this.timeout(60_000);
    let scratch: Scratch;
    before(function () {
        if (!hasScript()) {
            // Without a pseudo-terminal only the "not a TTY" half can be tested (see scan.test.ts).
            this.skip();
        }
        scratch = new Scratch();
    });
    after(() => scratch?.cleanup());

    it("colors text on a terminal: failures red, warnings yellow", () => {
        const run = scanOnTty([EXPORT_ARG]);
        assert.equal(run.status, 1);
        assert.ok(run.output.includes(`${ANSI_ESCAPE}31mFAIL`), run.output);
        assert.ok(run.output.includes(`${ANSI_ESCAPE}33mWARN`));
    });

    it("does not color with NO_COLOR set, even on a terminal", () => {
        const run = scanOnTty([EXPORT_ARG], { NO_COLOR: "1" });
        assert.equal(run.status, 1);
        assert.match(run.output, /FAIL/);
        assert.ok(!run.output.includes(ANSI_ESCAPE));
    });

    it("treats an empty NO_COLOR as unset (no-color.org)", () => {
        assert.ok(scanOnTty([EXPORT_ARG], { NO_COLOR: "" }).output.includes(ANSI_ESCAPE));
    });

    it("never colors a report written with --output, even from a terminal", () => {
        const target = scratch.path("tty-report.txt");
        const run = scanOnTty([EXPORT_ARG, "--output", target]);
        assert.equal(run.status, 1);
        assert.ok(!run.output.includes(ANSI_ESCAPE));
        const written = readFileSync(target, "utf8");
        assert.match(written, /FAIL/);
        assert.ok(!written.includes(ANSI_ESCAPE));
    });

    it("never colors JSON", () => {
        const run = scanOnTty([EXPORT_ARG, "--format", "json"]);
        assert.ok(!run.output.includes(ANSI_ESCAPE));
    });

    it("does not color into a pipe", () => {
        const run = scan([EXPORT_ARG]);
        assert.match(run.stdout, /FAIL/);
        assert.ok(!run.stdout.includes(ANSI_ESCAPE));
    });
});

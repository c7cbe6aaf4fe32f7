/**
 * Peak RSS without /usr/bin/time: runs the scan CLI or the parse baseline in this process and,
 * on exit, writes `APIGW_BENCH_MAXRSS_KB=<n>` (from `process.resourceUsage().maxRSS`) to stderr.
 * Both sides of a comparison go through this same wrapper, so its own cost cancels out.
 *
 * Usage: node dist/bench/rss-wrapper.js scan <scan args…> | parse FILE
 */
import * as path from "path";
import { parseOnly } from "./parse-only";

export const MAXRSS_PREFIX = "APIGW_BENCH_MAXRSS_KB=";

async function run(mode: string | undefined, args: readonly string[]): Promise<number> {
    if (mode === "parse" && args[0]) {
        await parseOnly(args[0]);
        return 0;
    }
    if (mode === "scan") {
        // Resolved at run time: `--repo` may point the benchmark at another checkout's CLI.
        const cliMain = process.env.APIGW_BENCH_CLI_MAIN ?? path.join(__dirname, "..", "cli", "main.js");
        const { main } = require(cliMain) as { main: (argv: readonly string[], io: unknown) => Promise<number> };
        return main([process.execPath, "apigw-guard", "scan", ...args], {
            stdout: process.stdout,
            stderr: process.stderr,
            env: process.env,
            readStdin: async () => "",
        });
    }
    process.stderr.write("usage: rss-wrapper scan <args…> | parse FILE\n");
    return 2;
}

if (require.main === module) {
    process.on("exit", () => {
        process.stderr.write(`\n${MAXRSS_PREFIX}${process.resourceUsage().maxRSS}\n`);
    });
    run(process.argv[2], process.argv.slice(3)).then(code => {
        process.exitCode = code;
    }, (error: unknown) => {
        process.stderr.write(`rss-wrapper: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
    });
}

import { readFileSync } from "fs";
import * as path from "path";

/**
 * Fails (exit 1) when line coverage of the source files under a folder is below a threshold.
 * Reads c8's json-summary, whose keys are source-mapped paths of the TypeScript files.
 * Usage: coverage-gate <coverage-summary.json> <folder> <percent>
 */
interface Totals { total: number; covered: number }

function main(): number {
    const [summaryFile, folder, threshold] = process.argv.slice(2);
    if (!summaryFile || !folder || !threshold) {
        process.stderr.write("usage: coverage-gate <coverage-summary.json> <folder> <percent>\n");
        return 2;
    }
    const summary = JSON.parse(readFileSync(summaryFile, "utf8")) as Record<string, { lines: Totals }>;
    const prefix = path.resolve(folder) + path.sep;
    let total = 0;
    let covered = 0;
    for (const [file, figures] of Object.entries(summary)) {
        if (file !== "total" && path.resolve(file).startsWith(prefix) && file.endsWith(".ts")) {
            total += figures.lines.total;
            covered += figures.lines.covered;
        }
    }
    if (total === 0) {
        process.stderr.write(`coverage-gate: no covered source files under ${folder}\n`);
        return 1;
    }
    const percent = (100 * covered) / total;
    const ok = percent >= Number(threshold);
    process.stdout.write(`coverage of ${folder}/: ${percent.toFixed(1)}% lines (${covered}/${total}), threshold ${threshold}% — ${ok ? "ok" : "FAILED"}\n`);
    return ok ? 0 : 1;
}

process.exit(main());

/**
 * The scan benchmark's baseline: the same process doing only what every scan must do first —
 * read the file as UTF-8 the way the CLI does (`fs.promises.readFile`) and `JSON.parse` it.
 *
 * Usage: node dist/bench/parse-only.js FILE
 */
import { promises as fs } from "fs";

export async function parseOnly(file: string): Promise<unknown> {
    const text = await fs.readFile(file, "utf8");
    return JSON.parse(text) as unknown;
}

if (require.main === module) {
    const file = process.argv[2];
    if (!file) {
        process.stderr.write("usage: parse-only FILE\n");
        process.exitCode = 2;
    } else {
        parseOnly(file).then(value => {
            // Keep the value alive until here so the parse is not optimised away.
            process.exitCode = value === undefined ? 3 : 0;
        }, (error: unknown) => {
            process.stderr.write(`parse-only: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 1;
        });
    }
}

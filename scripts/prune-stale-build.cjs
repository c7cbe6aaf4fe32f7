#!/usr/bin/env node
"use strict";
/**
 * Removes compiled files whose TypeScript source no longer exists (`npm pack` runs it first, as
 * `prepack`). `tsc -b` writes the outputs of today's sources and never deletes those of a module
 * that was moved or removed, so a working tree that has been built for a while holds old
 * `dist/**` files, which the package's `files` globs would ship. Only such orphans go: every other
 * file stays, so a build in use (a test run, the pack under a preview) is not disturbed.
 * Plain CommonJS: it runs before the build.
 */
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
/** Output folder → the folder its sources are compiled from (tsconfig.json and policies/tsconfig.json). */
const OUTPUTS = [
    { out: path.join(ROOT, "dist"), source: ROOT },
    { out: path.join(ROOT, "policies", "bin"), source: path.join(ROOT, "policies") },
];
const COMPILED = /(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/;

function* files(dir) {
    let entries;
    try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
        if (error.code === "ENOENT") {
            return;
        }
        throw error;
    }
    for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            yield* files(full);
        } else if (entry.isFile()) {
            yield full;
        }
    }
}

let removed = 0;
for (const { out, source } of OUTPUTS) {
    for (const file of files(out)) {
        const match = COMPILED.exec(file);
        if (match === null) {
            continue;
        }
        const stem = path.relative(out, file).slice(0, -match[1].length);
        if (!fs.existsSync(path.join(source, `${stem}.ts`))) {
            fs.rmSync(file);
            removed++;
        }
    }
}
if (removed > 0) {
    process.stderr.write(`prune-stale-build: removed ${removed} compiled file(s) whose source is gone\n`);
}

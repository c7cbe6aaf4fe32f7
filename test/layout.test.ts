import assert from "node:assert/strict";
import { builtinModules } from "module";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../testkit/engine";

/**
 * The folders follow runtime and packaging boundaries, and this holds them there: the pack
 * (`policies/`) loads nothing from outside itself and declares every package it loads; the shipped
 * kit loads no test support; nothing outside `test/` loads a test; no module cycle.
 */
const ROOT = repoRoot();
const SOURCE_FOLDERS = ["policies", "api", "cli", "components", "report", "sources", "testkit", "scripts", "stacks", "bench"];
const SHIPPED_KIT = ["api", "cli", "components", "report", "sources"];
const PACK_SPECIFIER = "apigw-guard/policies/";

interface Import {
    readonly from: string;
    readonly specifier: string;
    /** Elided by TypeScript (`import type`): no load at run time. */
    readonly typeOnly: boolean;
}

function sourceFiles(folder: string): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
        for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
            const rel = path.posix.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== "bin" && entry.name !== "node_modules") {
                    walk(rel);
                }
            } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
                out.push(rel);
            }
        }
    };
    walk(folder);
    return out;
}

function importsOf(file: string): Import[] {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const found: Import[] = [];
    for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?\bfrom\s+"([^"]+)"/gm)) {
        found.push({ from: file, specifier: match[3], typeOnly: match[2] !== undefined });
    }
    for (const match of text.matchAll(/^\s*import\s+"([^"]+)"/gm)) {
        found.push({ from: file, specifier: match[1], typeOnly: false });
    }
    for (const match of text.matchAll(/\brequire\(\s*"([^"]+)"\s*\)|\bimport\(\s*"([^"]+)"\s*\)/g)) {
        found.push({ from: file, specifier: match[1] ?? match[2], typeOnly: false });
    }
    return found;
}

/** The repository path an import loads, or undefined for a package. */
function target(entry: Import): string | undefined {
    let base: string;
    if (entry.specifier.startsWith(PACK_SPECIFIER)) {
        base = path.posix.join("policies", entry.specifier.slice(PACK_SPECIFIER.length));
    } else if (entry.specifier.startsWith(".")) {
        base = path.posix.normalize(path.posix.join(path.posix.dirname(entry.from), entry.specifier));
    } else {
        return undefined;
    }
    for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
        if (fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile()) {
            return candidate;
        }
    }
    return base;
}

function packageName(specifier: string): string {
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

const isBuiltin = (specifier: string): boolean => specifier.startsWith("node:") || builtinModules.includes(packageName(specifier));
const topFolder = (file: string): string => file.split("/")[0];

describe("layout: folders follow runtime and packaging boundaries", () => {
    const files = SOURCE_FOLDERS.flatMap(sourceFiles);
    const imports = files.flatMap(importsOf);

    it("reads the tree (a check over nothing proves nothing)", () => {
        assert.ok(files.filter(f => f.startsWith("policies/rules/")).length >= 17);
        assert.ok(imports.filter(i => i.from.startsWith("policies/")).length > 100);
        assert.ok(imports.some(i => i.specifier.startsWith(PACK_SPECIFIER)));
    });

    it("nothing under policies/ loads anything outside it, and every package it loads is declared in policies/package.json", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "package.json"), "utf8")) as { dependencies?: Record<string, string> };
        const declared = new Set(Object.keys(manifest.dependencies ?? {}));
        const escapes: string[] = [];
        for (const entry of imports.filter(i => i.from.startsWith("policies/"))) {
            const loaded = target(entry);
            if (loaded !== undefined) {
                if (!loaded.startsWith("policies/") || entry.specifier.startsWith(PACK_SPECIFIER)) {
                    escapes.push(`${entry.from} -> ${entry.specifier}`);
                }
            } else if (!isBuiltin(entry.specifier) && !declared.has(packageName(entry.specifier))) {
                escapes.push(`${entry.from} -> ${entry.specifier} (not in policies/package.json)`);
            }
        }
        assert.deepEqual(escapes, []);
    });

    it("the shipped kit loads no test support, benchmark, script or example, and only packages it depends on", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies?: Record<string, string>; name: string };
        const declared = new Set([...Object.keys(manifest.dependencies ?? {}), manifest.name]);
        const wrong: string[] = [];
        for (const entry of imports.filter(i => SHIPPED_KIT.includes(topFolder(i.from)))) {
            const loaded = target(entry);
            if (loaded !== undefined) {
                if (!SHIPPED_KIT.includes(topFolder(loaded)) && topFolder(loaded) !== "policies") {
                    wrong.push(`${entry.from} -> ${entry.specifier}`);
                }
            } else if (!entry.typeOnly && !isBuiltin(entry.specifier) && !declared.has(packageName(entry.specifier))) {
                wrong.push(`${entry.from} -> ${entry.specifier} (not a dependency)`);
            }
        }
        assert.deepEqual(wrong, []);
    });

    it("only tests load tests: the demo, benchmarks and testkit use testkit/", () => {
        const wrong = imports.filter(i => topFolder(target(i) ?? "") === "test").map(i => `${i.from} -> ${i.specifier}`);
        assert.deepEqual(wrong, []);
    });

    it("has no module cycle", () => {
        const graph = new Map<string, string[]>();
        for (const file of files) {
            graph.set(file, []);
        }
        for (const entry of imports.filter(i => !i.typeOnly)) {
            const loaded = target(entry);
            if (loaded !== undefined && graph.has(loaded)) {
                graph.get(entry.from)!.push(loaded);
            }
        }
        const cycles: string[] = [];
        const state = new Map<string, "open" | "done">();
        const visit = (file: string, trail: string[]): void => {
            state.set(file, "open");
            for (const next of graph.get(file)!) {
                if (state.get(next) === "open") {
                    cycles.push([...trail.slice(trail.indexOf(next)), next].join(" -> "));
                } else if (!state.has(next)) {
                    visit(next, [...trail, next]);
                }
            }
            state.set(file, "done");
        };
        for (const file of graph.keys()) {
            if (!state.has(file)) {
                visit(file, [file]);
            }
        }
        assert.deepEqual(cycles, []);
    });
});

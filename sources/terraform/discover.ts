import { promises as fs } from "fs";
import * as path from "path";
import { compileGlob, globMatches } from "apigw-guard/policies/engine/glob";
import { isTerraformFile, NOT_CONFIGURATION } from "./files";

/**
 * Terraform roots in a directory tree, found the way Checkov (`-d`) finds them: every directory
 * holding `.tf` / `.tf.json` files is a configuration; one that another configuration in the
 * tree calls as a local module (`source = "./..."`) is read as part of its caller, and the
 * others are roots, scanned on their own. The scanned directory itself is always a root when it
 * holds Terraform files. `.terraform/`, `.git/` and `node_modules/` are not
 * walked, nor directories matching an `--exclude` glob; links to directories are not followed.
 */

export interface DiscoverOptions {
    /** Globs over directory paths relative to the scanned directory (`/`-separated), or over a directory's name. */
    readonly exclude?: readonly string[];
}

/** A walk stops here: a tree this large is not a repository of configuration. */
const MAX_DIRECTORIES = 100_000;

/** Module sources are read from at most this much of each file. */
const MAX_SOURCE_SCAN_BYTES = 4 * 1024 * 1024;

const LOCAL_SOURCE = /(?:^|[\s{,])"?source"?\s*[=:]\s*"(\.\.?\/[^"]*)"/gm;

/**
 * The roots under `dir`, as paths joined to `dir` (so `dir` itself when it is the only root),
 * sorted. None when no directory of the tree holds Terraform files.
 */
export async function terraformRoots(dir: string, options: DiscoverOptions = {}): Promise<string[]> {
    const excludes = (options.exclude ?? []).map(compileGlob);
    const excluded = (relative: string) => excludes.some(glob => globMatches(glob, relative) || globMatches(glob, path.posix.basename(relative)));
    const base = path.resolve(dir);
    /** Absolute directory → the local module directories it calls (absolute). */
    const configurations = new Map<string, string[]>();
    const queue = [base];
    // Breadth first, by index: shift() would copy a large frontier once per directory.
    for (let head = 0; head < queue.length && head < MAX_DIRECTORIES; head++) {
        const current = queue[head];
        let entries;
        try {
            entries = await fs.readdir(current, { withFileTypes: true });
        } catch {
            continue;
        }
        const files: string[] = [];
        for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
            if (entry.isDirectory()) {
                const child = path.join(current, entry.name);
                if (!NOT_CONFIGURATION.has(entry.name) && !excluded(path.relative(base, child).split(path.sep).join("/"))) {
                    queue.push(child);
                }
            } else if (entry.isFile() && isTerraformFile(entry.name)) {
                files.push(path.join(current, entry.name));
            }
        }
        if (files.length > 0) {
            configurations.set(current, await localCalls(current, files));
        }
    }
    const called = new Set<string>();
    for (const [caller, calls] of configurations) {
        for (const callee of calls) {
            if (callee !== caller) {
                called.add(callee);
            }
        }
    }
    // The directory named on the command line is a root when it holds Terraform files, even when
    // its own examples call it: whoever points the scan at a module wants that module judged.
    const roots = [...configurations.keys()].filter(d => d === base || !called.has(d)).sort();
    // Configurations that only call each other (a cycle) would have no root: the first becomes one.
    const reached = new Set<string>();
    const reach = (from: string) => {
        const stack = [from];
        while (stack.length > 0) {
            const next = stack.pop()!;
            if (!reached.has(next) && configurations.has(next)) {
                reached.add(next);
                stack.push(...configurations.get(next)!);
            }
        }
    };
    roots.forEach(reach);
    for (const candidate of [...configurations.keys()].sort()) {
        if (!reached.has(candidate)) {
            roots.push(candidate);
            reach(candidate);
        }
    }
    return roots.sort().map(root => (root === base ? dir : path.join(dir, path.relative(base, root))));
}

/** The local module directories the files of one configuration call. */
async function localCalls(dir: string, files: readonly string[]): Promise<string[]> {
    const out = new Set<string>();
    for (const file of files) {
        let text: string;
        try {
            const stat = await fs.stat(file);
            if (!stat.isFile() || stat.size > MAX_SOURCE_SCAN_BYTES) {
                continue;
            }
            text = await fs.readFile(file, "utf8");
        } catch {
            continue;
        }
        for (const match of text.matchAll(LOCAL_SOURCE)) {
            out.add(path.resolve(dir, match[1]));
        }
    }
    return [...out];
}

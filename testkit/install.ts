/**
 * The kit as a user gets it: this repository packed as `npm pack` would publish it (the `files`
 * list, no sources, no tests), and the tarball installed into an empty project. Made once per
 * process and shared by the tests that need it; the compiled kit must exist (`npm run build`).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "./engine";

export interface InstalledKit {
    /** The empty project the tarball was installed into. */
    readonly project: string;
    readonly tarball: string;
    /** `<project>/node_modules/apigw-guard`. */
    readonly packageDir: string;
    /** Paths inside the tarball, relative to its `package/` folder. */
    readonly files: readonly string[];
    /** Tarball size and unpacked size, in bytes. */
    readonly size: number;
    readonly unpackedSize: number;
}

let installed: InstalledKit | undefined;

/** npm as a user runs it: the repository's cache already holds every dependency, so no network is needed. */
export function npm(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
    return execFileSync("npm", [...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env, maxBuffer: 64 * 1024 * 1024 });
}

/** Packs and installs once; later calls return the same project. Removed when the process exits. */
export function installKit(): InstalledKit {
    if (installed !== undefined) {
        return installed;
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-guard-install-"));
    process.once("exit", () => fs.rmSync(work, { recursive: true, force: true }));
    // --ignore-scripts: `prepare` would rebuild; the build under test is the one already made.
    const packed = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work], repoRoot())) as Array<{
        filename: string;
        size: number;
        unpackedSize: number;
        files: Array<{ path: string }>;
    }>;
    const [{ filename, size, unpackedSize, files }] = packed;
    const project = path.join(work, "project");
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "apigw-guard-install-proof", version: "1.0.0", private: true }, null, 2));
    const tarball = path.join(work, filename);
    npm(["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], project);
    installed = {
        project,
        tarball,
        packageDir: path.join(project, "node_modules", "apigw-guard"),
        files: files.map(file => file.path).sort(),
        size,
        unpackedSize,
    };
    return installed;
}

/** The TypeScript compiler of this repository (the project under test has none of its own). */
export function tscPath(): string {
    return require.resolve("typescript/bin/tsc", { paths: [repoRoot()] });
}

import { promises as fs } from "fs";
import * as path from "path";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { parseJsonWithLines } from "../../json-text";
import { collectDeclarations, mergeDeclarations, ModuleConfig, ParsedFile, Position } from "./declarations";
import { HclNotice, ioReason, syntaxError } from "./errors";
import { isPlainObject } from "./expressions";
import { localSourceOf } from "./modules";
import { attributeLinesOf, BlockItem, blockPathsOf, jsonAttributeLines, scanHclBody } from "./positions";
import { isTerraformFile } from "../files";

/**
 * Reading: a module directory's `.tf` / `.tf.json` files into its declarations, each with its
 * position, and, recursively, the local modules it calls. `@cdktf/hcl2json` parses the native
 * syntax but keeps no positions, so `positions.ts` scans the same text for them; Terraform's
 * JSON syntax gets its key lines from `json-text.ts`.
 */

interface Hcl2Json {
    parse(filename: string, contents: string): Promise<Record<string, unknown>>;
}

/** Loaded on first use, so the CrossGuard pack (which never reads HCL) does not pay for the WASM parser. */
export function hcl2json(): Hcl2Json {
    // A plain require with a local interface: the package's own typings pull in the DOM lib.
    return require("@cdktf/hcl2json") as Hcl2Json;
}


/** `.terraform/modules/modules.json` as `terraform init` writes it: module key (`a.b`) → directory, relative to the root. */
type ModuleManifest = ReadonlyMap<string, string>;

/**
 * Loads module directories once each (by real path, so a link back to a directory already read
 * is the same module); what cannot be read is collected in `errors`, never thrown.
 */
export class ModuleLoader {
    readonly errors: SourceError[] = [];
    private readonly configs = new Map<string, Promise<ModuleConfig | undefined>>();
    private manifest?: Promise<ModuleManifest>;
    /** The root module's directory as shown: manifest directories are relative to it. */
    private rootDisplayDir?: string;

    /** Real paths of every directory read: the configuration, where `file()` may read. */
    readonly realDirs = new Set<string>();

    /** Load a module directory (or just `only` files of it) and, recursively, its local modules; `key` is the module key path (`""` for the root). */
    async loadModule(displayDir: string, stack: readonly string[], only?: readonly string[], key = ""): Promise<ModuleConfig | undefined> {
        if (this.rootDisplayDir === undefined) {
            this.rootDisplayDir = displayDir;
        }
        const dir = await realDirectory(displayDir);
        const cacheKey = only ? `${dir}\u0000${only.join("\u0000")}` : dir;
        let loaded = this.configs.get(cacheKey);
        if (!loaded) {
            this.realDirs.add(dir);
            loaded = this.load(dir, displayDir, [...stack, dir], key, only);
            this.configs.set(cacheKey, loaded);
        }
        return loaded;
    }

    private async load(dir: string, displayDir: string, stack: readonly string[], key: string, only?: readonly string[]): Promise<ModuleConfig | undefined> {
        let names: string[];
        if (only) {
            names = [...only];
        } else {
            try {
                names = (await fs.readdir(dir)).filter(isTerraformFile).sort();
            } catch (error) {
                this.errors.push(new SourceError(`cannot read directory: ${ioReason(error)}`, displayDir));
                return undefined;
            }
        }
        const config: ModuleConfig = {
            dir, displayDir, files: 0,
            resources: new Map(), variables: new Map(), locals: new Map(), outputs: new Map(), moduleCalls: new Map(), children: new Map(),
        };
        for (const name of names) {
            const file = path.join(displayDir, name);
            const text = await this.readRegularFile(path.join(dir, name), file);
            if (text === undefined) {
                continue;
            }
            config.files++;
            const parsed = name.endsWith(".json") ? this.parseJsonFile(file, text) : await this.parseHclFile(file, name, text);
            if (parsed) {
                mergeDeclarations(config, parsed, this.errors);
            }
        }
        for (const [callName, call] of config.moduleCalls) {
            const childKey = key ? `${key}.${callName}` : callName;
            const installed = await this.installedSource(childKey, call);
            const childDir = installed ?? await localSourceOf(callName, call, displayDir, stack);
            if (childDir instanceof SourceError) {
                this.errors.push(childDir);
                continue;
            }
            if (stack.includes(await realDirectory(childDir))) {
                this.errors.push(new SourceError(`module "${callName}" calls a module that includes it (a cycle through ${path.basename(childDir) || childDir}); Terraform refuses this, not read again`, call.file, call.line));
                continue;
            }
            const child = await this.loadModule(childDir, stack, undefined, childKey);
            if (child) {
                if (child.files === 0) {
                    this.errors.push(new HclNotice(`module "${callName}": its source directory has no Terraform files (.tf, .tf.json), so it declares nothing`, call.file, call.line));
                }
                config.children.set(callName, child);
            }
        }
        return config;
    }

    /**
     * A file's text if it is a regular file. Anything else named `*.tf` (a FIFO, a device, a
     * directory) is skipped with a notice: reading a FIFO would wait forever.
     */
    private async readRegularFile(real: string, file: string): Promise<string | undefined> {
        try {
            const stat = await fs.stat(real);
            if (!stat.isFile()) {
                this.errors.push(new HclNotice("not a regular file; skipped", file));
                return undefined;
            }
            return await fs.readFile(real, "utf8");
        } catch (error) {
            this.errors.push(new SourceError(`cannot read file: ${ioReason(error)}`, file));
            return undefined;
        }
    }

    /** Where `terraform init` installed a module call's source, when the root has `.terraform/modules/modules.json` listing it. */
    private async installedSource(key: string, call: { readonly body: Readonly<Record<string, unknown>> }): Promise<string | undefined> {
        const source = call.body.source;
        if (typeof source !== "string" || source.startsWith("./") || source.startsWith("../") || this.rootDisplayDir === undefined) {
            return undefined;
        }
        const root = this.rootDisplayDir;
        this.manifest ??= readManifest(root);
        const dir = (await this.manifest).get(key);
        return dir === undefined ? undefined : path.join(root, dir);
    }

    private async parseHclFile(file: string, name: string, text: string): Promise<ParsedFile | undefined> {
        let json: Record<string, unknown>;
        try {
            json = await hcl2json().parse(name, text);
        } catch (error) {
            this.errors.push(syntaxError(file, name, error));
            return undefined;
        }
        // hcl2json lists repeated blocks with the same labels in source order; so does the scan. The
        // blocks are grouped once by type and labels (looking each one up by a filter was quadratic).
        const blocksByKey = new Map<string, BlockItem[]>();
        for (const item of scanHclBody(text)) {
            if (item.kind === "block") {
                const key = [item.type, ...item.labels].join("\u0000");
                const same = blocksByKey.get(key);
                if (same) {
                    same.push(item);
                } else {
                    blocksByKey.set(key, [item]);
                }
            }
        }
        const seen = new Map<string, number>();
        const position = (type: string, labels: readonly string[]): Position => {
            const key = [type, ...labels].join("\u0000");
            const index = seen.get(key) ?? 0;
            seen.set(key, index + 1);
            const block = blocksByKey.get(key)?.[index];
            return block ? { line: block.line, attributeLines: attributeLinesOf(block.body), blockPaths: blockPathsOf(block.body) } : { attributeLines: {} };
        };
        return collectDeclarations(file, json, position);
    }

    private parseJsonFile(file: string, text: string): ParsedFile | undefined {
        let parsed;
        try {
            parsed = parseJsonWithLines(text);
        } catch (error) {
            const match = /position (\d+)/.exec(error instanceof Error ? error.message : "");
            const line = match ? text.slice(0, Number(match[1])).split("\n").length : undefined;
            this.errors.push(new SourceError("JSON syntax error", file, line));
            return undefined;
        }
        if (!isPlainObject(parsed.value)) {
            this.errors.push(new SourceError("not a Terraform JSON configuration (expected an object)", file));
            return undefined;
        }
        const { keyLines } = parsed;
        const root = parsed.value;
        // Terraform JSON writes a single block as an object where hcl2json writes a list.
        const normalised: Record<string, unknown> = {};
        const positions = new Map<string, Position>();
        for (const kind of ["resource", "data"]) {
            const byType = root[kind];
            if (!isPlainObject(byType)) {
                continue;
            }
            const out: Record<string, Record<string, unknown[]>> = {};
            for (const [type, byName] of Object.entries(byType)) {
                if (!isPlainObject(byName)) {
                    continue;
                }
                out[type] = {};
                for (const [name, body] of Object.entries(byName)) {
                    const bodies = Array.isArray(body) ? body : [body];
                    out[type][name] = bodies;
                    positions.set(`${kind}\u0000${type}\u0000${name}`, { line: keyLines.get(byName)?.[name], attributeLines: jsonAttributeLines(bodies[0], keyLines) });
                }
            }
            normalised[kind] = out;
        }
        for (const kind of ["variable", "output", "module"]) {
            const byName = root[kind];
            if (!isPlainObject(byName)) {
                continue;
            }
            const out: Record<string, unknown[]> = {};
            for (const [name, body] of Object.entries(byName)) {
                const bodies = Array.isArray(body) ? body : [body];
                out[name] = bodies;
                positions.set(`${kind}\u0000${name}`, { line: keyLines.get(byName)?.[name], attributeLines: jsonAttributeLines(bodies[0], keyLines) });
            }
            normalised[kind] = out;
        }
        if (root.locals !== undefined) {
            normalised.locals = Array.isArray(root.locals) ? root.locals : [root.locals];
        }
        return collectDeclarations(file, normalised, (type, labels) => positions.get([type, ...labels].join("\u0000")) ?? { attributeLines: {} });
    }
}

/** A directory's real path (links resolved), or its absolute path when it cannot be resolved. */
async function realDirectory(dir: string): Promise<string> {
    try {
        return await fs.realpath(dir);
    } catch {
        return path.resolve(dir);
    }
}

/** The module manifest `terraform init` writes; missing or unreadable is an empty one (remote modules then stay unread, with a notice). */
async function readManifest(root: string): Promise<ModuleManifest> {
    const manifest = new Map<string, string>();
    try {
        const file = path.join(root, ".terraform", "modules", "modules.json");
        const stat = await fs.stat(file);
        if (!stat.isFile() || stat.size > 16 * 1024 * 1024) {
            return manifest;
        }
        const parsed: unknown = JSON.parse(await fs.readFile(file, "utf8"));
        const modules = isPlainObject(parsed) ? parsed.Modules : undefined;
        for (const entry of Array.isArray(modules) ? modules : []) {
            if (isPlainObject(entry) && typeof entry.Key === "string" && typeof entry.Dir === "string" && entry.Key !== "" && !path.isAbsolute(entry.Dir)) {
                manifest.set(entry.Key, entry.Dir);
            }
        }
    } catch {
        // No manifest: `terraform init` has not been run here.
    }
    return manifest;
}

import * as path from "path";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { isPlainObject } from "./expressions";

/**
 * The declarations of a module, as read from its files: resources, variables, locals, outputs
 * and module calls, each with where it was written. `read.ts` fills these from `.tf` and
 * `.tf.json` files alike.
 */

export interface BlockDecl {
    readonly file: string;
    readonly line?: number;
    readonly body: Readonly<Record<string, unknown>>;
    readonly attributeLines: Readonly<Record<string, number>>;
    /** Dotted paths of nested blocks; undefined for `.tf.json`, where lists of objects count as blocks. */
    readonly blockPaths?: ReadonlySet<string>;
}

export interface ResourceDecl extends BlockDecl {
    readonly type: string;
    readonly name: string;
}

export interface ModuleConfig {
    /** Directory on disk, and as shown in findings (relative when the input path was). */
    readonly dir: string;
    readonly displayDir: string;
    files: number;
    readonly resources: Map<string, ResourceDecl>;
    readonly variables: Map<string, BlockDecl>;
    readonly locals: Map<string, unknown>;
    readonly outputs: Map<string, BlockDecl>;
    readonly moduleCalls: Map<string, BlockDecl>;
    /** Module call name → the loaded configuration of its local source. */
    readonly children: Map<string, ModuleConfig>;
}

/** Arguments Terraform itself interprets; they are not resource attributes. */
export const META_ARGUMENTS: ReadonlySet<string> = new Set(["count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"]);

/** One file's declarations, in file order, before they are merged into their module. */
export interface ParsedFile {
    readonly resources: ResourceDecl[];
    readonly variable: Array<[string, BlockDecl]>;
    readonly output: Array<[string, BlockDecl]>;
    readonly module: Array<[string, BlockDecl]>;
    readonly locals: Array<[string, unknown]>;
}

/** Where a block was written: its line, its attributes' lines, and (`.tf` only) which of its keys are nested blocks. */
export interface Position {
    readonly line?: number;
    readonly attributeLines: Record<string, number>;
    readonly blockPaths?: ReadonlySet<string>;
}

export type PositionOf = (type: string, labels: readonly string[]) => Position;

/** Declarations of one file from hcl2json's shape (`resource.<type>.<name>` = list of bodies). */
export function collectDeclarations(file: string, json: Record<string, unknown>, position: PositionOf): ParsedFile {
    const parsed: ParsedFile = { resources: [], variable: [], output: [], module: [], locals: [] };
    const resources = json.resource;
    if (isPlainObject(resources)) {
        for (const [type, byName] of Object.entries(resources)) {
            if (!isPlainObject(byName)) {
                continue;
            }
            for (const [name, bodies] of Object.entries(byName)) {
                for (const body of Array.isArray(bodies) ? bodies : [bodies]) {
                    const at = position("resource", [type, name]);
                    parsed.resources.push({ type, name, file, line: at.line, attributeLines: at.attributeLines, blockPaths: at.blockPaths, body: isPlainObject(body) ? body : {} });
                }
            }
        }
    }
    for (const kind of ["variable", "output", "module"] as const) {
        const byName = json[kind];
        if (!isPlainObject(byName)) {
            continue;
        }
        for (const [name, bodies] of Object.entries(byName)) {
            for (const body of Array.isArray(bodies) ? bodies : [bodies]) {
                const at = position(kind, [name]);
                parsed[kind].push([name, { file, line: at.line, attributeLines: at.attributeLines, body: isPlainObject(body) ? body : {} }]);
            }
        }
    }
    const locals = json.locals;
    for (const block of Array.isArray(locals) ? locals : []) {
        if (isPlainObject(block)) {
            parsed.locals.push(...Object.entries(block));
        }
    }
    return parsed;
}

/** Add one file's declarations to its module. A repeated declaration is reported and only the first is kept. */
export function mergeDeclarations(config: ModuleConfig, parsed: ParsedFile, errors: SourceError[]): void {
    for (const resource of parsed.resources) {
        const key = `${resource.type}.${resource.name}`;
        const first = config.resources.get(key);
        if (first) {
            errors.push(new SourceError(
                `duplicate resource "${resource.type}" "${resource.name}" (first declared at ${declaredAt(first, resource.file)}); Terraform rejects this, only the first is read`,
                resource.file, resource.line));
            continue;
        }
        config.resources.set(key, resource);
    }
    for (const [kind, target] of [["variable", config.variables], ["output", config.outputs], ["module", config.moduleCalls]] as const) {
        for (const [name, decl] of parsed[kind]) {
            const first = target.get(name);
            if (first) {
                errors.push(new SourceError(`duplicate ${kind} "${name}" (first declared at ${declaredAt(first, decl.file)}); only the first is read`, decl.file, decl.line));
                continue;
            }
            target.set(name, decl);
        }
    }
    for (const [name, raw] of parsed.locals) {
        if (!config.locals.has(name)) {
            config.locals.set(name, raw);
        }
    }
}

/** Where a first declaration is, relative to the file of a second one: `line 12`, or `other.tf:12`. */
function declaredAt(first: BlockDecl, otherFile: string): string {
    const line = first.line !== undefined ? `:${first.line}` : "";
    return first.file === otherFile ? (first.line !== undefined ? `line ${first.line}` : "the same file") : `${path.basename(first.file)}${line}`;
}

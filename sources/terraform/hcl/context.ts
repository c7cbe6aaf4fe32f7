import * as fs from "fs";
import * as path from "path";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { HclNotice } from "./errors";
import { FileRead } from "./functions";

/**
 * What one read of a configuration shares across its module instances: the workspace name,
 * where `file()` may read, the budget of expanded instances, and the notices collected once
 * each (a function this reader does not implement, an expansion it cannot evaluate).
 */

/** Options of one read of a Terraform configuration. */
export interface HclReadOptions {
    /** `terraform.workspace` (default `default`, as in a fresh `terraform init`). */
    readonly workspace?: string;
    /** The most resource and module instances expanded in total; past it, expansions are unknown. */
    readonly maxInstances?: number;
}

export const DEFAULT_MAX_INSTANCES = 50_000;

/** Files read by `file()` and `templatefile()` are no larger than this. */
export const MAX_FILE_BYTES = 1024 * 1024;

export class EvalContext {
    readonly notices: SourceError[] = [];
    private readonly noted = new Set<string>();
    private instances = 0;
    readonly workspace: string;
    readonly maxInstances: number;

    constructor(
        /** The root module's directory, absolute: relative paths in `file()` are read from it, as Terraform does from its working directory. */
        readonly rootDir: string,
        /** Real paths of the directories of the configuration (root and modules): the only places files are read from. */
        private readonly allowedDirs: readonly string[],
        options: HclReadOptions = {},
    ) {
        this.workspace = options.workspace ?? "default";
        this.maxInstances = options.maxInstances ?? DEFAULT_MAX_INSTANCES;
    }

    /** Note something once per key. */
    note(key: string, notice: () => SourceError): void {
        if (!this.noted.has(key)) {
            this.noted.add(key);
            this.notices.push(notice());
        }
    }

    /** Take `n` instances from the budget; false (and nothing taken) when that would exceed it. */
    reserve(n: number): boolean {
        if (this.instances + n > this.maxInstances) {
            return false;
        }
        this.instances += n;
        return true;
    }

    /** `path.module`: the module's directory relative to the root module's, with `/` (`.` for the root). */
    pathModule(moduleDir: string): string {
        const relative = path.relative(this.rootDir, moduleDir).split(path.sep).join("/");
        return relative === "" ? "." : relative;
    }

    /**
     * A file for `file()`: only a regular file, no larger than `MAX_FILE_BYTES`, whose real path is
     * inside the configuration's directories. Anything else is refused, so a scanned repository
     * cannot put a file of the machine running the scan (`/etc/...`, `~/.aws/...`) into a report.
     */
    readFile(file: string): FileRead {
        const absolute = path.resolve(this.rootDir, file);
        let real: string;
        try {
            real = fs.realpathSync(absolute);
        } catch {
            return { kind: "missing" };
        }
        if (!this.allowedDirs.some(dir => real === dir || real.startsWith(dir + path.sep))) {
            return { kind: "refused", reason: "outside the configuration" };
        }
        let stat: fs.Stats;
        try {
            stat = fs.statSync(real);
        } catch {
            return { kind: "missing" };
        }
        if (!stat.isFile()) {
            return { kind: "refused", reason: "not a regular file" };
        }
        if (stat.size > MAX_FILE_BYTES) {
            return { kind: "refused", reason: `larger than ${MAX_FILE_BYTES} bytes` };
        }
        try {
            return { kind: "text", text: fs.readFileSync(real, "utf8") };
        } catch {
            return { kind: "refused", reason: "unreadable" };
        }
    }

    /** A notice for a function this reader does not implement, once per function name. */
    unsupported(name: string, file: string | undefined): void {
        this.note(`function\u0000${name}`, () => new HclNotice(`function ${name}() is not evaluated by the HCL reader; values that use it are unknown`, file));
    }
}

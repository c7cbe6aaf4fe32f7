/**
 * What counts as Terraform configuration on disk, in one place for every reader: the HCL reader
 * (a module directory's files), repository discovery, the CLI's input sniffing and the
 * pre-commit hook (whose `files` pattern in .pre-commit-hooks.yaml a test keeps equal to this).
 */

/** Terraform's configuration files: native syntax (`.tf`) and JSON syntax (`.tf.json`). */
export const TERRAFORM_FILE = /\.tf(\.json)?$/;

export function isTerraformFile(name: string): boolean {
    return TERRAFORM_FILE.test(name);
}

/**
 * Directories that may hold Terraform files that are not the user's configuration: `terraform
 * init` copies modules into `.terraform/`, npm packages may ship examples, and `.git/` holds
 * only history. Repository scans and the pre-commit hook never treat them as roots.
 */
export const NOT_CONFIGURATION = new Set([".terraform", ".git", "node_modules"]);

// The root project (cli, components, scripts, tests) compiles to dist/ and imports the policy
// pack's sources as ../policies/...; the pack compiles inside policies/bin so it stays
// self-contained for `pulumi policy publish`. This link makes dist/policies resolve to that
// one compiled copy, so tests and the pack run the same modules.
const fs = require("fs");
const path = require("path");
const link = path.join(__dirname, "..", "dist", "policies");
fs.mkdirSync(path.dirname(link), { recursive: true });
try {
    if (fs.lstatSync(link).isSymbolicLink() && fs.readlinkSync(link) === path.join("..", "policies", "bin")) {
        process.exit(0);
    }
    fs.rmSync(link, { recursive: true, force: true });
} catch {
    // does not exist yet
}
fs.symlinkSync(path.join("..", "policies", "bin"), link, "dir");

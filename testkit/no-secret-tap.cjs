// Preloaded into a pack (PackStartOptions.preload) to play a future @pulumi/policy that no longer
// has the internal module the secret tap patches: resolving `@pulumi/policy/deserialize` by that
// name fails as it would if the module had moved. @pulumi/policy still loads its own copy by a
// relative path, so the pack runs as usual, only without the tap (its fallback path).
const Module = require("module");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
    if (request === "@pulumi/policy/deserialize") {
        const error = new Error(`Cannot find module '${request}' (hidden by testkit/no-secret-tap.cjs)`);
        error.code = "MODULE_NOT_FOUND";
        throw error;
    }
    return resolve.call(this, request, ...rest);
};

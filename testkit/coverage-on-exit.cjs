// Preloaded into packs the tests start, only while c8 collects coverage (NODE_V8_COVERAGE set).
// V8 writes coverage at a normal exit, not when a process dies of SIGTERM, which is how the
// harness (like the Pulumi engine) stops a pack. Exiting on SIGTERM lets the pack's own code count.
process.once("SIGTERM", () => process.exit(0));

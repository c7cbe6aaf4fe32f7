import Mocha from "mocha";

/**
 * Mocha's spec output, then one plain closing line `N passed, N failed[, N skipped]` that CI
 * reads (mocha's own summary is not in a form CI recognises).
 */
class SummaryReporter extends Mocha.reporters.Spec {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        let passed = 0;
        let failed = 0;
        let skipped = 0;
        runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => { passed++; });
        runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, () => { failed++; });
        runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, () => { skipped++; });
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
        });
    }
}

export = SummaryReporter;

// The project's time budget per test and hook (jest.config.js `globals.testBudgetMs`): jest ignores a
// project's own `testTimeout`. A test file may still set its own with jest.setTimeout.
declare const testBudgetMs: number;

jest.setTimeout(testBudgetMs);

export * from "./backtest.js";
export * from "./backtest-policy.js";
export * from "./backtest-report.js";
export * from "./recorded-slo-source.js";
export * from "./release-history.js";

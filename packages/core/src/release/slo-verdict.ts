// The threshold rule moved to the judge module; these names stay exported from here.
export { formatMs, formatPercent } from "../judge/format.js";
export {
  judgeMeasurement,
  type SloVerdict,
  type ThresholdRuleSpec,
} from "../judge/threshold-rule.js";

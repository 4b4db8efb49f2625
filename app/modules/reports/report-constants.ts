/** The disparity metrics of a bias audit in report order, with the names people read. */
export const DISPARITY_METRICS = [
  { name: "demographicParityDifference", label: "Demographic parity difference" },
  { name: "demographicParityRatio", label: "Demographic parity ratio" },
  { name: "equalOpportunityDifference", label: "Equal opportunity difference" },
  { name: "falsePositiveRateDifference", label: "False positive rate difference" },
  { name: "equalizedOddsDifference", label: "Equalized odds difference" },
  { name: "minimumImpactRatio", label: "Minimum impact ratio" },
] as const;

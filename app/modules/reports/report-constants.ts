export const DISPARITY_NAMES_IN_ORDER = [
  "demographicParityDifference",
  "demographicParityRatio",
  "equalOpportunityDifference",
  "falsePositiveRateDifference",
  "equalizedOddsDifference",
  "minimumImpactRatio",
] as const;

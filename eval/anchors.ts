/**
 * Published NAB v1.0 results (numenta/NAB SCOREBOARD.md, `results/final_results.json`), normalised
 * scores per profile, printed beside ours. Numenta HTM's published range is given by its upper end.
 */
export interface Anchor {
  name: string;
  standard: number;
  reward_low_FP_rate: number;
  reward_low_FN_rate: number;
}

export const NAB_SCOREBOARD: readonly Anchor[] = [
  { name: 'ARTime', standard: 74.9, reward_low_FP_rate: 65.1, reward_low_FN_rate: 80.4 },
  { name: 'Numenta HTM', standard: 70.5, reward_low_FP_rate: 62.6, reward_low_FN_rate: 75.2 },
  { name: 'CAD OSE', standard: 69.9, reward_low_FP_rate: 67.0, reward_low_FN_rate: 73.2 },
  { name: 'earthgecko Skyline', standard: 58.2, reward_low_FP_rate: 46.2, reward_low_FN_rate: 63.9 },
  { name: 'Random Cut Forest', standard: 51.7, reward_low_FP_rate: 38.4, reward_low_FN_rate: 59.7 },
  { name: 'Twitter ADVec', standard: 47.1, reward_low_FP_rate: 33.6, reward_low_FN_rate: 53.5 },
  { name: 'Windowed Gaussian', standard: 39.6, reward_low_FP_rate: 20.9, reward_low_FN_rate: 47.4 },
];

/**
 * Raw (unnormalised) standard-profile total of NAB's windowedGaussian detector, from its published
 * `results/windowedGaussian/windowedGaussian_standard_scores.csv`. Our `gaussian` baseline is that
 * detector; reproducing this number checks the scorer end to end.
 */
export const WINDOWED_GAUSSIAN_RAW_STANDARD = -24.0131054891;

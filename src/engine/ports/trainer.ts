/**
 * Where model training runs. Detectors hand over a job and keep scoring with their current model;
 * the job swaps the new model in when it is done. Replays use an inline trainer (deterministic:
 * the job runs at once), live mode a background one (off the tick path).
 */
export interface Trainer {
  schedule(job: () => void): void;
}

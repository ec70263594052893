/** Repository-wide settings shared by every working folder (global parameters, bookkeeping). */
export interface ConfigStore {
  getConfig(key: string): Promise<string | undefined>;
  setConfig(key: string, value: string): Promise<void>;
  /** Every config entry, keys sorted. */
  listConfig(): Promise<Record<string, string>>;
}

// One editor per file format: read our entry, set it, remove it, touching nothing else.

export interface EntryEditor {
  /** Our entry's value, or undefined when there is none. Throws ClientFileError on a broken file. */
  read(text: string): unknown;
  /** Whether the server map/list exists in the file. */
  hasContainer(text: string): boolean;
  /** `text` with our entry added or replaced; every other byte kept where the format allows. */
  write(text: string, value: Record<string, unknown>): string;
  /** `text` without our entry; without the container too when `dropContainer` and it is left empty. */
  remove(text: string, dropContainer: boolean): string;
  /** Whether the file holds nothing but an empty container (a file connect created, now unused). */
  isEmptyShell(text: string): boolean;
}

/** A client's file that cannot be read as its format: we never overwrite what we cannot parse. */
export class ClientFileError extends Error {}

export const PATCH_MARKER: string;
type Edit = { anchor: string; before?: string; after?: string; replace?: string };
export const PATCHES: Array<{ name: string; file: string; edits: Edit[] }>;
export function patchSource(source: string, edits: Edit[]): { source: string; status: string };

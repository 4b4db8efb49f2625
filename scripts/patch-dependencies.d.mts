export const PATCH_MARKER: string;
export const ROUTER_FILE: string;
export function patchRouterSource(source: string): { source: string; status: string };

// Plain words about what a grant lets a model do.
import type { Access, Grant, ServerInfo } from "../bindings";

export function accessTitle(access: Access): string {
  return access === "read_only" ? "Read only" : "Read and write";
}

export function accessMeaning(access: Access): string {
  return access === "read_only"
    ? "Your AI apps can open, list and search the files in this folder and every folder inside it. They cannot change anything."
    : "Your AI apps can open, list and search the files in this folder and every folder inside it, and also create, change, move and delete them.";
}

/** Who a grant is for: "every server" or a server's name. */
export function scopeOf(grant: Pick<Grant, "server">, servers: readonly Pick<ServerInfo, "id" | "name">[]): string {
  if (grant.server === null) return "Every server";
  return servers.find((s) => s.id === grant.server)?.name ?? grant.server;
}

/** The last part of a path, for a short label. */
export function folderName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

// The window: a sidebar of pages, the page, and a banner when Switchboard's daemon cannot be
// reached. Alt+1 to Alt+6 switch pages; each page's title takes the focus when it opens.
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { CallLogPage } from "../calls/CallLogPage";
import { CatalogPage } from "../catalog/CatalogPage";
import { ClientsPage } from "../clients/ClientsPage";
import { FoldersPage } from "../folders/FoldersPage";
import { ServersPage } from "../servers/ServersPage";
import { SettingsPage } from "../settings/SettingsPage";
import icon from "../../../icons/128x128.png";
import { connection } from "./live";

export const PAGES = [
  { id: "servers", title: "Servers", view: ServersPage },
  { id: "catalog", title: "Catalog", view: CatalogPage },
  { id: "clients", title: "Clients", view: ClientsPage },
  { id: "folders", title: "Folders", view: FoldersPage },
  { id: "calls", title: "Call log", view: CallLogPage },
  { id: "settings", title: "Settings", view: SettingsPage },
] as const;

export type PageId = (typeof PAGES)[number]["id"];

export const page = signal<PageId>("servers");

export function App() {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const chosen = PAGES[Number(event.key) - 1];
      if (chosen) {
        event.preventDefault();
        page.value = chosen.id;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    document.querySelector<HTMLElement>("[data-page-title]")?.focus({ preventScroll: true });
  }, [page.value]);

  const current = PAGES.find((p) => p.id === page.value) ?? PAGES[0];
  const View = current.view;
  const link = connection.value;

  return (
    <div class="shell">
      <nav class="sidebar" aria-label="Pages">
        <div class="brand" aria-hidden="true">
          <img src={icon} alt="" width="28" height="28" />
          <span>Switchboard</span>
        </div>
        <ul>
          {PAGES.map((p, i) => (
            <li key={p.id}>
              <button
                type="button"
                class="nav"
                id={`nav-${p.id}`}
                aria-current={p.id === current.id ? "page" : undefined}
                title={`${p.title} (Alt+${i + 1})`}
                onClick={() => (page.value = p.id)}
              >
                {p.title}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main class="content">
        {link && !link.connected && (
          <div class="notice notice-error banner" role="alert">
            <strong>Switchboard's engine is not running.</strong>{" "}
            {link.problem ?? "Trying to start it again…"}
          </div>
        )}
        <View />
      </main>
    </div>
  );
}

// The Servers page: every installed server with its switch, state and live figures.
import { useState } from "preact/hooks";
import { page } from "../app/App";
import { servers, serversLoaded, serversProblem } from "../app/live";
import { EmptyState, ErrorNotice, PageHeader } from "../common/ui";
import { ServerCard } from "./ServerCard";

export function ServersPage() {
  const [error, setError] = useState<string | null>(null);
  const list = servers.value;
  return (
    <div class="page">
      <PageHeader title="Servers">
        Each server gives your AI apps a set of tools. Switch one off and its tools disappear from
        every app at once; switch it on and they come back.
      </PageHeader>
      <ErrorNotice message={error} onDismiss={() => setError(null)} />
      {!serversLoaded.value ? (
        serversProblem.value ? (
          <ErrorNotice message={serversProblem.value} />
        ) : (
          <p class="muted" role="status">
            Reading your servers…
          </p>
        )
      ) : list.length === 0 ? (
        <EmptyState
          title="No servers are installed"
          action={
            <button type="button" class="primary" onClick={() => (page.value = "catalog")}>
              Open the catalog
            </button>
          }
        >
          <p>
            Servers give your AI apps tools: your files, the web, GitHub, a database. Pick one from
            the catalog; Switchboard installs it, checks that it works and adds it to your apps.
          </p>
        </EmptyState>
      ) : (
        <div class="server-list">
          {list.map((server) => (
            <ServerCard key={server.id} server={server} onError={setError} />
          ))}
        </div>
      )}
    </div>
  );
}

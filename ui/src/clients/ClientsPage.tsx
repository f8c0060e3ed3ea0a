// The Clients page: the AI apps Switchboard can plug servers into (Claude Desktop, Cursor,
// …), and per server one click to add it to an app or take it out, with what happened and
// what to do next; an app that is running can be quit and reopened from here, so that it
// reads its settings file again.
import { useEffect, useState } from "preact/hooks";
import { commands, type ClientInfo, type ServerInfo } from "../bindings";
import { ask, messageOf } from "../app/ask";
import { servers } from "../app/live";
import { EmptyState, ErrorNotice, PageHeader } from "../common/ui";
import { ordered, outcomeOf, serversIn, type Outcome } from "./words";

export function ClientsPage() {
  const [clients, setClients] = useState<ClientInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [running, setRunning] = useState<string[]>([]);
  const [lastChanged, setLastChanged] = useState<ClientInfo | null>(null);

  async function load() {
    try {
      setClients(ordered(await ask(commands.listClients())));
      setRunning(await ask(commands.runningClients()));
    } catch (thrown) {
      setError(messageOf(thrown));
    }
  }

  async function restart(client: ClientInfo) {
    setError(null);
    setBusy(`restart/${client.id}`);
    try {
      await ask(commands.restartClient(client.id));
      setOutcome({ tone: "ok", text: `${client.name} was quit and opened again; it now shows your servers.` });
      setLastChanged(null);
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setBusy(null);
    }
  }
  useEffect(() => {
    void load();
  }, []);

  async function toggle(client: ClientInfo, server: ServerInfo, add: boolean) {
    const key = `${client.id}/${server.id}`;
    setError(null);
    setOutcome(null);
    setBusy(key);
    try {
      const change = add
        ? await ask(commands.addToClient(server.id, client.id))
        : await ask(commands.removeFromClient(server.id, client.id));
      setOutcome(outcomeOf(change, server.name, add));
      setLastChanged(client);
      await load();
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setBusy(null);
    }
  }

  const installed = servers.value;
  return (
    <div class="page">
      <PageHeader title="Clients">
        The AI apps on this computer that can use your servers. Add a server to an app with one
        click; Switchboard writes the app's settings file for you and keeps a backup.
      </PageHeader>
      <ErrorNotice message={error} onDismiss={() => setError(null)} />
      {outcome && (
        <div class={`notice ${outcome.tone === "error" ? "notice-error" : "notice-ok"}`} role="status" id="client-outcome">
          <span>{outcome.text}</span>
          {lastChanged && outcome.tone === "ok" && running.includes(lastChanged.id) && (
            <button
              type="button"
              class="primary"
              id="restart-client"
              disabled={busy !== null}
              onClick={() => restart(lastChanged)}
            >
              Restart {lastChanged.name} now
            </button>
          )}
          <button type="button" class="link" onClick={() => setOutcome(null)}>
            Dismiss
          </button>
        </div>
      )}
      {clients === null ? (
        <p class="muted" role="status">
          Looking for AI apps…
        </p>
      ) : installed.length === 0 ? (
        <EmptyState title="No servers to add yet">
          <p>Install a server from the Catalog page first; then add it to your AI apps here.</p>
        </EmptyState>
      ) : (
        <ul class="clients" aria-label="AI apps">
          {clients.map((client) => {
            const listed = serversIn(client);
            const file = client.files.find((f) => f.scope === "user");
            return (
              <li key={client.id} class="card client" data-client={client.id}>
                <div class="client-head">
                  <h2>{client.name}</h2>
                  <span class="client-badges">
                    {running.includes(client.id) && (
                      <button
                        type="button"
                        class="link"
                        data-restart={client.id}
                        disabled={busy !== null}
                        title={`Quit ${client.name} and open it again, so it reads its settings`}
                        onClick={() => restart(client)}
                      >
                        Restart
                      </button>
                    )}
                    <span class={`badge ${client.installed ? "tone-good" : "tone-idle"}`}>
                      {running.includes(client.id) ? "Running" : client.installed ? "On this computer" : "Not found"}
                    </span>
                  </span>
                </div>
                {file && (
                  <p class="muted">
                    Settings file: <code>{file.path}</code>
                    {file.error && <span class="error-text"> — {file.error}</span>}
                  </p>
                )}
                <ul class="client-servers" aria-label={`Servers in ${client.name}`}>
                  {installed.map((server) => {
                    const on = listed.has(server.id);
                    const key = `${client.id}/${server.id}`;
                    return (
                      <li key={server.id} class="client-server">
                        <span>{server.name}</span>
                        <button
                          type="button"
                          class={on ? "danger-quiet" : "primary"}
                          data-action={on ? "remove" : "add"}
                          data-server={server.id}
                          disabled={busy !== null}
                          aria-busy={busy === key}
                          onClick={() => toggle(client, server, !on)}
                        >
                          {on ? `Remove from ${client.name}` : `Add to ${client.name}`}
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

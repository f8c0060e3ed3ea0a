// One server: its switch, state and live figures; opened, its tools, recent output and the
// restart and remove buttons.
import { useState } from "preact/hooks";
import { commands, type ServerInfo, type ToolView } from "../bindings";
import { ask, messageOf } from "../app/ask";
import { now, putServer, refreshServers } from "../app/live";
import { bytes, elapsed, millis, percent, perMinute } from "../common/format";
import { Switch } from "../common/ui";
import { chartSeries, originOf, runningSince, stateOf } from "./describe";
import { SecretFields } from "./SecretFields";
import { Sparkline } from "./Sparkline";

export function ServerCard(props: { server: ServerInfo; onError: (message: string | null) => void }) {
  const { server, onError } = props;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const state = stateOf(server);
  const since = runningSince(server);
  const stats = server.stats;
  const series = chartSeries(stats.series);

  async function act(action: () => Promise<void>) {
    setBusy(true);
    onError(null);
    try {
      await action();
    } catch (thrown) {
      onError(messageOf(thrown));
    } finally {
      setBusy(false);
    }
  }

  const toggle = (enabled: boolean) =>
    act(async () => putServer(await ask(commands.setServerEnabled(server.id, enabled))));

  return (
    <article class={`card server tone-${state.tone}`} data-server={server.id} aria-label={server.name}>
      <div class="server-head">
        <div class="server-title">
          <h2>{server.name}</h2>
          <span class="muted">{originOf(server)}</span>
        </div>
        <span class={`badge tone-${state.tone}`} data-state>
          {state.words}
        </span>
        <Switch
          id={`switch-${server.id}`}
          checked={server.enabled}
          disabled={busy}
          label={server.enabled ? `Switch ${server.name} off` : `Switch ${server.name} on`}
          onChange={toggle}
        />
      </div>
      <SecretFields server={server.id} serverName={server.name} />

      <dl class="figures">
        <Figure name="Up for" value={since === null ? "–" : elapsed(since, now.value)} />
        <Figure name="Restarts" value={String(server.runtime.restarts)} />
        <Figure name="CPU" value={server.usage.processes ? `${(server.usage.cpu_percent ?? 0).toFixed(1)}%` : "–"} />
        <Figure name="Memory" value={bytes(server.usage.memory_bytes)} />
        <Figure name="Calls / min" value={perMinute(stats.calls_per_minute ?? 0)} />
        <Figure name="Errors" value={stats.calls ? percent(stats.error_rate ?? 0) : "–"} />
        <Figure name="p50" value={millis(stats.p50_ms)} />
        <Figure name="p95" value={millis(stats.p95_ms)} />
      </dl>
      <div class="charts">
        <figure>
          <Sparkline values={series.calls} label={`Calls to ${server.name}, last ten minutes`} />
          <figcaption>calls, last 10 min</figcaption>
        </figure>
        <figure>
          <Sparkline values={series.p95} label={`Slowest calls (p95) of ${server.name}, last ten minutes`} />
          <figcaption>p95 latency</figcaption>
        </figure>
        <button
          type="button"
          class="link details-toggle"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? "Hide details" : "Tools, output and actions"}
        </button>
      </div>

      {server.runtime.last_error && server.enabled && (
        <p class="server-problem" role="status">
          {server.runtime.last_error}
        </p>
      )}

      {open && <Details server={server} busy={busy} act={act} />}
    </article>
  );
}

function Figure(props: { name: string; value: string }) {
  return (
    <div class="figure">
      <dt>{props.name}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

function Details(props: { server: ServerInfo; busy: boolean; act: (a: () => Promise<void>) => Promise<void> }) {
  const { server, busy, act } = props;
  const [tools, setTools] = useState<ToolView[] | null>(server.runtime.tools);
  const [asking, setAsking] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [restarted, setRestarted] = useState<string | null>(null);
  const shown = server.runtime.tools ?? tools;

  const askTools = () =>
    act(async () => {
      setAsking(true);
      try {
        setTools(await ask(commands.serverTools(server.id)));
      } finally {
        setAsking(false);
      }
    });

  const setTool = (tool: string, enabled: boolean) =>
    act(async () => putServer(await ask(commands.setToolEnabled(server.id, tool, enabled))));

  const restart = () =>
    act(async () => {
      const sessions = await ask(commands.restartServer(server.id));
      setRestarted(
        sessions === 0
          ? "Nothing was running; it starts fresh when an app connects."
          : `Restarted for ${sessions === 1 ? "the one app" : `the ${sessions} apps`} using it.`,
      );
      await refreshServers();
    });

  const remove = () =>
    act(async () => {
      await ask(commands.removeServer(server.id));
      await refreshServers();
    });

  return (
    <div class="details">
      <section aria-label={`Tools of ${server.name}`}>
        <h3>Tools</h3>
        {shown === null ? (
          <p class="muted">
            No app has used {server.name} yet, so Switchboard has not seen its tools.{" "}
            <button type="button" class="link" onClick={askTools} disabled={asking || !server.enabled}>
              {asking ? "Asking…" : "Ask it for its tools"}
            </button>
            {!server.enabled && " (switch it on first)"}
          </p>
        ) : shown.length === 0 ? (
          <p class="muted">{server.name} offers no tools.</p>
        ) : (
          <ul class="tools">
            {shown.map((tool) => {
              const on = !server.disabled_tools.includes(tool.name);
              return (
                <li key={tool.name}>
                  <Switch
                    checked={on}
                    disabled={busy}
                    label={on ? `Switch the tool ${tool.name} off` : `Switch the tool ${tool.name} on`}
                    onChange={(enabled) => setTool(tool.name, enabled)}
                  />
                  <div>
                    <code>{tool.name}</code>
                    {tool.description && <p class="muted">{tool.description}</p>}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section aria-label={`Recent output of ${server.name}`}>
        <h3>Recent output</h3>
        {server.runtime.stderr.length === 0 ? (
          <p class="muted">Nothing yet. What the server writes to its error output shows here.</p>
        ) : (
          <pre class="stderr" tabIndex={0}>
            {server.runtime.stderr.join("\n")}
          </pre>
        )}
      </section>

      <section class="actions" aria-label="Actions">
        <button type="button" onClick={restart} disabled={busy || !server.enabled}>
          Restart
        </button>
        {restarted && <span class="muted" role="status">{restarted}</span>}
        {confirmRemove ? (
          <span class="confirm" role="group" aria-label={`Remove ${server.name}?`}>
            Remove {server.name}? It is taken out of your AI apps' settings, with its secrets,
            folder grants and downloaded files.
            <button type="button" class="danger" onClick={remove} disabled={busy}>
              Remove
            </button>
            <button type="button" onClick={() => setConfirmRemove(false)}>
              Keep it
            </button>
          </span>
        ) : (
          <button type="button" class="danger-quiet" onClick={() => setConfirmRemove(true)} disabled={busy}>
            Remove…
          </button>
        )}
      </section>
    </div>
  );
}

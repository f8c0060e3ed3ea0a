// The Folders page: the folders your AI apps may use, how, and through which servers; a new
// one through the system's folder picker.
import { useEffect, useState } from "preact/hooks";
import { commands, type Access, type Grant } from "../bindings";
import { ask, messageOf } from "../app/ask";
import { servers } from "../app/live";
import { EmptyState, ErrorNotice, PageHeader } from "../common/ui";
import { accessMeaning, accessTitle, folderName, scopeOf } from "./words";

export function FoldersPage() {
  const [grants, setGrants] = useState<Grant[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function load() {
    try {
      setGrants(await ask(commands.listGrants()));
    } catch (thrown) {
      setError(messageOf(thrown));
    }
  }
  useEffect(() => {
    void load();
  }, []);

  async function pick() {
    setError(null);
    setBusy(true);
    try {
      const folder = await ask(commands.pickFolder());
      if (folder) setPicked(folder);
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(grant: Grant) {
    setError(null);
    try {
      await ask(commands.revokeGrant(grant.id));
      await load();
    } catch (thrown) {
      setError(messageOf(thrown));
    }
  }

  const addButton = (
    <button type="button" class="primary" onClick={pick} disabled={busy} id="add-folder">
      Share a folder…
    </button>
  );

  return (
    <div class="page">
      <PageHeader title="Folders" actions={grants?.length ? addButton : undefined}>
        The folders your AI apps may use through Switchboard's files, notes and SQL servers (and
        any installed server that asks for folders). Nothing outside them can be reached.
      </PageHeader>
      <ErrorNotice message={error} onDismiss={() => setError(null)} />
      {picked && (
        <GrantForm
          path={picked}
          onDone={async () => {
            setPicked(null);
            await load();
          }}
          onCancel={() => setPicked(null)}
          onError={setError}
        />
      )}
      {grants === null ? (
        <p class="muted" role="status">
          Reading your folders…
        </p>
      ) : grants.length === 0 && !picked ? (
        <EmptyState title="No folders are shared yet" action={addButton}>
          <p>
            Share a folder and your AI apps can read the files in it, search your notes there, or
            query the databases in it. You choose whether they may also change files.
          </p>
        </EmptyState>
      ) : (
        <ul class="grants" aria-label="Shared folders">
          {grants.map((grant) => (
            <li key={grant.id} class="card grant" data-grant={grant.path}>
              <div class="grant-main">
                <h2 title={grant.path}>{folderName(grant.path)}</h2>
                <code class="muted">{grant.path}</code>
                <p class="muted">{accessMeaning(grant.access)}</p>
              </div>
              <div class="grant-side">
                <span class={`badge ${grant.access === "read_only" ? "tone-idle" : "tone-busy"}`}>
                  {accessTitle(grant.access)}
                </span>
                <span class="muted">{scopeOf(grant, servers.value)}</span>
                <button type="button" class="danger-quiet" onClick={() => revoke(grant)}>
                  Stop sharing
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function GrantForm(props: {
  path: string;
  onDone: () => Promise<void>;
  onCancel: () => void;
  onError: (message: string | null) => void;
}) {
  const [access, setAccess] = useState<Access>("read_only");
  const [server, setServer] = useState<string>("");
  const [busy, setBusy] = useState(false);

  async function grant(event: Event) {
    event.preventDefault();
    props.onError(null);
    setBusy(true);
    try {
      await ask(commands.grantFolder(props.path, access, server || null));
      await props.onDone();
    } catch (thrown) {
      props.onError(messageOf(thrown));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card grant-form" onSubmit={grant} aria-label="Share this folder">
      <h2>
        Share <code>{props.path}</code>
      </h2>
      <fieldset>
        <legend>What may your AI apps do there?</legend>
        {(["read_only", "read_write"] as const).map((value) => (
          <label key={value} class="choice">
            <input
              type="radio"
              name="access"
              value={value}
              checked={access === value}
              onChange={() => setAccess(value)}
            />
            <span>
              <strong>{accessTitle(value)}</strong>
              <span class="muted"> — {accessMeaning(value)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <label class="field">
        <span>Through</span>
        <select value={server} onChange={(e) => setServer((e.target as HTMLSelectElement).value)}>
          <option value="">Every server</option>
          {servers.value.map((s) => (
            <option key={s.id} value={s.id}>
              Only {s.name}
            </option>
          ))}
        </select>
      </label>
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy} id="confirm-grant">
          Share folder
        </button>
        <button type="button" onClick={props.onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

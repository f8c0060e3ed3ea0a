// The Catalog page: servers people use, searchable and by category; one opens into what it
// does and the few questions its install asks (secrets in masked fields that go straight to
// the keychain, folders through the system's folder picker), the AI apps to add it to, and
// an Install button that shows each step as it happens. An MCP Bundle file ("Install from a
// file…") and a remote server's address ("Add by address…") install the same way.
import { useEffect, useRef, useState } from "preact/hooks";
import {
  commands,
  type CatalogCard,
  type CatalogPage as Page,
  type ClientInfo,
  type FormSource,
  type InstallForm,
  type Question,
} from "../bindings";
import { ask, messageOf } from "../app/ask";
import { installs, refreshServers } from "../app/live";
import { page as currentPage } from "../app/App";
import { EmptyState, ErrorNotice, PageHeader } from "../common/ui";
import { ordered } from "../clients/words";
import {
  STEPS,
  answersOf,
  installedText,
  missingAnswers,
  startingValues,
  stepStates,
  type Typed,
} from "./words";

export function CatalogPage() {
  const [query, setQuery] = useState("");
  const [category, setCategory] = useState<string | null>(null);
  const [listing, setListing] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<{ source: FormSource; card: CatalogCard | null } | null>(null);
  const [address, setAddress] = useState<string | null>(null);
  const asked = useRef(0);

  async function search(text: string, slug: string | null, reload: boolean) {
    const mine = ++asked.current;
    try {
      const found = await ask(commands.catalog(text, slug, reload));
      if (mine === asked.current) {
        setListing(found);
        setError(null);
      }
    } catch (thrown) {
      if (mine === asked.current) setError(messageOf(thrown));
    }
  }

  useEffect(() => {
    void search("", null, true);
  }, []);

  useEffect(() => {
    if (listing === null) return;
    const timer = setTimeout(() => void search(query, category, false), 120);
    return () => clearTimeout(timer);
  }, [query, category]);

  async function fromFile() {
    setError(null);
    try {
      const path = await ask(commands.pickFile("bundle"));
      if (path) setChosen({ source: { type: "bundle", path }, card: null });
    } catch (thrown) {
      setError(messageOf(thrown));
    }
  }

  if (chosen) {
    return (
      <div class="page">
        <InstallPanel
          source={chosen.source}
          card={chosen.card}
          onBack={() => {
            setChosen(null);
            void search(query, category, true);
          }}
        />
      </div>
    );
  }

  return (
    <div class="page">
      <PageHeader
        title="Catalog"
        actions={
          <>
            <button type="button" onClick={() => setAddress(address === null ? "" : null)} id="install-address">
              Add by address…
            </button>
            <button type="button" onClick={fromFile} id="install-bundle">
              Install from a file…
            </button>
          </>
        }
      >
        Servers you can add in one step: pick one, answer what it asks, choose your AI apps.
        Switchboard downloads it, checks that it works and keeps its secrets in your keychain.
      </PageHeader>
      <ErrorNotice message={error} onDismiss={() => setError(null)} />
      {address !== null && (
        <form
          class="card registry-form"
          aria-label="Add a server by its address"
          onSubmit={(event) => {
            event.preventDefault();
            if (address.trim()) setChosen({ source: { type: "url", url: address.trim() }, card: null });
          }}
        >
          <input
            type="url"
            id="remote-address"
            placeholder="https://mcp.example.com/mcp"
            aria-label="The server's address"
            value={address}
            onInput={(e) => setAddress((e.target as HTMLInputElement).value)}
          />
          <button type="submit" class="primary" disabled={!address.trim()}>
            Continue
          </button>
          <span class="muted">
            A server that runs on the web (Streamable HTTP). Switchboard relays your AI apps' calls to
            it, so they are recorded and switched like the others.
          </span>
        </form>
      )}
      <div class="catalog-tools">
        <input
          type="search"
          id="catalog-search"
          class="catalog-search"
          placeholder="Search: GitHub, database, browser…"
          aria-label="Search the catalog"
          value={query}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
        />
        {listing && (
          <div class="chips" role="group" aria-label="Categories">
            <button type="button" class="chip" aria-pressed={category === null} onClick={() => setCategory(null)}>
              All <span class="muted">{listing.total}</span>
            </button>
            {listing.categories.map((c) => (
              <button
                type="button"
                key={c.slug}
                class="chip"
                data-category={c.slug}
                aria-pressed={category === c.slug}
                onClick={() => setCategory(category === c.slug ? null : c.slug)}
              >
                {c.title} <span class="muted">{c.count}</span>
              </button>
            ))}
          </div>
        )}
      </div>
      {listing === null ? (
        error ? null : (
          <p class="muted" role="status">
            Reading the catalog…
          </p>
        )
      ) : listing.entries.length === 0 ? (
        <EmptyState title={`Nothing matches “${query}”`}>
          <p>
            Try another word, or clear the category. A server that is not listed can still be
            installed from its MCP Bundle file (Install from a file…), or from a terminal with{" "}
            <code>switchboard install --id NAME -- COMMAND</code>.
          </p>
        </EmptyState>
      ) : (
        <ul class="catalog" aria-label="Servers in the catalog">
          {listing.entries.map((card) => (
            <li key={card.id}>
              <button
                type="button"
                class="card catalog-card"
                data-entry={card.id}
                onClick={() => setChosen({ source: { type: "catalog", id: card.id }, card })}
              >
                <span class="catalog-card-head">
                  <strong>{card.title}</strong>
                  {card.installed && <span class="badge tone-good">Installed</span>}
                  {card.from_registry && <span class="badge tone-idle">Registry</span>}
                </span>
                <span class="catalog-card-text">{card.description}</span>
                <span class="muted catalog-card-foot">
                  {card.categories.join(" · ")}
                  {card.categories.length ? " — " : ""}
                  {card.runs_with}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {listing && <RegistryBox registry={listing.registry} onChange={() => void search(query, category, true)} />}
    </div>
  );
}

/** Adds the servers of an MCP Registry to the catalog (read-only; kept for offline use). */
function RegistryBox(props: { registry: string | null; onChange: () => void }) {
  const [url, setUrl] = useState(props.registry ?? "https://registry.modelcontextprotocol.io");
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<{ tone: "ok" | "error"; text: string } | null>(null);

  async function read(event: Event) {
    event.preventDefault();
    setBusy(true);
    setSaid(null);
    try {
      const report = await ask(commands.refreshRegistry(url.trim() || null));
      const skipped = report.skipped.length ? ` ${report.skipped.length} were left out (not installable here).` : "";
      const cut = report.complete ? "" : " The listing was long; its first part is kept.";
      setSaid({
        tone: "ok",
        text: report.not_modified
          ? `${report.url} has not changed: ${report.entries} servers.`
          : `Added ${report.entries} servers from ${report.url}.${skipped}${cut}`,
      });
      props.onChange();
    } catch (thrown) {
      setSaid({ tone: "error", text: messageOf(thrown) });
    } finally {
      setBusy(false);
    }
  }

  async function forget() {
    setBusy(true);
    setSaid(null);
    try {
      await ask(commands.forgetRegistry());
      setSaid({ tone: "ok", text: "The catalog is the one that comes with Switchboard again." });
      props.onChange();
    } catch (thrown) {
      setSaid({ tone: "error", text: messageOf(thrown) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <details class="card registry" open={props.registry !== null}>
      <summary>More servers from an MCP Registry</summary>
      <p class="muted">
        {props.registry
          ? `The catalog includes the servers of ${props.registry}; read it again for new ones.`
          : "Add every server an MCP Registry lists to this catalog. Switchboard only reads it, and keeps a copy for when you are offline."}
      </p>
      <form class="registry-form" onSubmit={read}>
        <input
          type="url"
          aria-label="MCP Registry address"
          value={url}
          disabled={busy}
          onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
          {props.registry ? "Read again" : "Add its servers"}
        </button>
        {props.registry && (
          <button type="button" class="danger-quiet" disabled={busy} onClick={forget}>
            Remove them
          </button>
        )}
      </form>
      {said && (
        <p class={said.tone === "error" ? "error-text" : "muted"} role={said.tone === "error" ? "alert" : "status"}>
          {said.text}
        </p>
      )}
    </details>
  );
}

type Phase =
  | { kind: "form" }
  | { kind: "installing" }
  | { kind: "done"; text: string }
  | { kind: "failed"; message: string };

function InstallPanel(props: { source: FormSource; card: CatalogCard | null; onBack: () => void }) {
  const [form, setForm] = useState<InstallForm | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [typed, setTyped] = useState<Typed>({});
  const [clients, setClients] = useState<ClientInfo[]>([]);
  const [into, setInto] = useState<string[]>([]);
  const [phase, setPhase] = useState<Phase>({ kind: "form" });
  const [tried, setTried] = useState(false);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const [asked, found] = await Promise.all([
          ask(commands.installForm(props.source)),
          ask(commands.listClients()),
        ]);
        if (!live) return;
        setForm(asked);
        setTyped(startingValues(asked.questions));
        setClients(ordered(found));
      } catch (thrown) {
        if (live) setProblem(messageOf(thrown));
      }
    })();
    return () => {
      live = false;
    };
  }, []);

  const title = form?.title ?? props.card?.title ?? "Install";
  const back = (
    <button type="button" onClick={props.onBack} id="catalog-back">
      Back to the catalog
    </button>
  );

  if (problem) {
    return (
      <>
        <PageHeader title={title} actions={back} />
        <ErrorNotice message={problem} />
      </>
    );
  }
  if (!form) {
    return (
      <>
        <PageHeader title={title} actions={back} />
        <p class="muted" role="status">
          Looking at what it needs…
        </p>
      </>
    );
  }

  const missing = missingAnswers(form.questions, typed);
  const blocked = form.blockers.length > 0;

  async function install(event: Event) {
    event.preventDefault();
    setTried(true);
    if (!form || missing.length || blocked) return;
    setPhase({ kind: "installing" });
    try {
      const report = await ask(
        commands.installServer(props.source, form.id, answersOf(form.questions, typed), into),
      );
      setTyped({}); // no secret stays in the page
      setPhase({ kind: "done", text: installedText(report) });
      void refreshServers();
    } catch (thrown) {
      setPhase({ kind: "failed", message: messageOf(thrown) });
    }
  }

  const progress = installs.value[form.id];
  const step = progress?.step ?? null;
  const busy = phase.kind === "installing";
  return (
    <>
      <PageHeader title={title} actions={back}>
        {form.description}
      </PageHeader>
      {props.card?.capabilities && <p>{props.card.capabilities}</p>}
      <p class="muted">
        {props.card?.runs_with ??
          (props.source.type === "url" ? `A remote server at ${props.source.url}` : "MCP Bundle")}
        {form.runtime &&
          (form.runtime.found
            ? ` — runs with ${form.runtime.program} (${form.runtime.found})`
            : ` — needs ${form.runtime.program}, not found on this computer`)}
        . Installed as <code>{form.id}</code>.
      </p>
      {form.blockers.map((blocker) => (
        <div class="notice notice-error" role="alert" key={blocker}>
          <span>{blocker}</span>
        </div>
      ))}
      {phase.kind === "done" ? (
        <div class="notice notice-ok install-done" role="status" id="install-outcome">
          <span>{phase.text}</span>
          <span class="form-actions">
            <button type="button" class="primary" onClick={() => (currentPage.value = "servers")}>
              See it on the Servers page
            </button>
            {back}
          </span>
        </div>
      ) : (
        <form class="card install-form" onSubmit={install} aria-label={`Install ${title}`}>
          {form.questions.length === 0 ? (
            <p class="muted">It asks nothing: it works as it is.</p>
          ) : (
            form.questions.map((question) => (
              <QuestionField
                key={question.key}
                question={question}
                values={typed[question.key] ?? []}
                disabled={busy}
                onChange={(values) => setTyped({ ...typed, [question.key]: values })}
              />
            ))
          )}
          <fieldset class="install-into">
            <legend>Add it to</legend>
            {clients.length === 0 && <p class="muted">No AI apps were found on this computer.</p>}
            {clients.map((client) => (
              <label key={client.id} class="choice">
                <input
                  type="checkbox"
                  name="into"
                  value={client.id}
                  disabled={busy}
                  checked={into.includes(client.id)}
                  onChange={(e) =>
                    setInto(
                      (e.target as HTMLInputElement).checked
                        ? [...into, client.id]
                        : into.filter((id) => id !== client.id),
                    )
                  }
                />
                <span>
                  {client.name}
                  {!client.installed && <span class="muted"> (not found on this computer)</span>}
                </span>
              </label>
            ))}
          </fieldset>
          {tried && missing.length > 0 && (
            <p class="error-text" role="alert">
              Still to fill in: {missing.join(", ")}.
            </p>
          )}
          {phase.kind === "failed" && (
            <div class="notice notice-error" role="alert" id="install-failure">
              <span class="install-failure">{phase.message}</span>
            </div>
          )}
          {busy && (
            <ol class="install-steps" aria-label="Install progress" role="status">
              {STEPS.map((s, i) => {
                const state = stepStates(step)[i];
                return (
                  <li key={s.id} class={`step step-${state}`} data-step={s.id} aria-current={state === "current" ? "step" : undefined}>
                    {s.title}
                    {state === "current" && progress?.message && <span class="muted"> — {progress.message}</span>}
                  </li>
                );
              })}
            </ol>
          )}
          <div class="form-actions">
            <button type="submit" class="primary" id="install-confirm" disabled={busy || blocked} aria-busy={busy}>
              {busy ? "Installing…" : phase.kind === "failed" ? "Try again" : `Install ${title}`}
            </button>
          </div>
        </form>
      )}
    </>
  );
}

function QuestionField(props: {
  question: Question;
  values: string[];
  disabled: boolean;
  onChange: (values: string[]) => void;
}) {
  const { question, values } = props;
  const id = `question-${question.key}`;
  const [error, setError] = useState<string | null>(null);
  const kind = question.kind;
  const first = values[0] ?? "";

  async function choose(folder: boolean) {
    setError(null);
    try {
      const picked = folder ? await ask(commands.pickFolder()) : await ask(commands.pickFile("any"));
      if (picked) props.onChange(question.multiple ? [...values.filter((v) => v), picked] : [picked]);
    } catch (thrown) {
      setError(messageOf(thrown));
    }
  }

  const label = (
    <span>
      <strong>{question.title}</strong>
      {!question.required && <span class="muted"> (optional)</span>}
      {question.secret && <span class="muted"> — kept in your system keychain, never in a file</span>}
    </span>
  );
  const about = question.description && <span class="muted question-about">{question.description}</span>;
  let control;
  if (kind.type === "folder" || kind.type === "file") {
    const folder = kind.type === "folder";
    control = (
      <span class="picked">
        {values.filter((v) => v).length ? (
          <ul class="picked-list">
            {values
              .filter((v) => v)
              .map((value) => (
                <li key={value}>
                  <code>{value}</code>{" "}
                  <button
                    type="button"
                    class="link"
                    disabled={props.disabled}
                    onClick={() => props.onChange(values.filter((v) => v !== value))}
                  >
                    Remove
                  </button>
                </li>
              ))}
          </ul>
        ) : (
          <span class="muted">None chosen yet.</span>
        )}
        <button type="button" id={id} data-pick={question.key} disabled={props.disabled} onClick={() => choose(folder)}>
          {folder ? "Choose a folder…" : "Choose a file…"}
        </button>
        {folder && (
          <span class="muted">
            {kind.type === "folder" && kind.read_write
              ? " Your AI apps may read and change files there."
              : " Your AI apps may read files there."}
          </span>
        )}
      </span>
    );
  } else if (kind.type === "boolean") {
    control = (
      <input
        id={id}
        type="checkbox"
        disabled={props.disabled}
        checked={first === "true"}
        onChange={(e) => props.onChange([(e.target as HTMLInputElement).checked ? "true" : "false"])}
      />
    );
  } else if (kind.type === "choice") {
    control = (
      <select
        id={id}
        disabled={props.disabled}
        value={first}
        onChange={(e) => props.onChange([(e.target as HTMLSelectElement).value])}
      >
        {!question.required && <option value="">—</option>}
        {kind.choices.map((choice) => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
      </select>
    );
  } else {
    control = (
      <input
        id={id}
        name={question.key}
        type={question.secret ? "password" : kind.type === "number" ? "number" : "text"}
        autocomplete="off"
        spellcheck={false}
        disabled={props.disabled}
        placeholder={question.placeholder ?? (question.secret ? "Paste it here" : undefined)}
        min={kind.type === "number" ? (kind.min ?? undefined) : undefined}
        max={kind.type === "number" ? (kind.max ?? undefined) : undefined}
        value={first}
        onInput={(e) => props.onChange([(e.target as HTMLInputElement).value])}
      />
    );
  }
  return (
    <div class="field question" data-question={question.key}>
      <label for={id}>{label}</label>
      {about}
      {control}
      {error && (
        <span class="error-text" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

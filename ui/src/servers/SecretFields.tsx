// The secrets a server needs (API keys, tokens): a masked field each, whose value goes
// straight to the system keychain through the app; only whether it is stored comes back.
import { useState } from "preact/hooks";
import { commands } from "../bindings";
import { ask, messageOf } from "../app/ask";
import { refreshSecrets, secrets } from "../app/live";

export function SecretFields(props: { server: string; serverName: string }) {
  const needed = secrets.value.filter((s) => s.server === props.server);
  if (!needed.length) return null;
  return (
    <section class="secrets" aria-label={`Secrets ${props.serverName} needs`}>
      {needed.map((secret) => (
        <SecretField key={secret.name} server={props.server} name={secret.name} stored={secret.stored} />
      ))}
    </section>
  );
}

function SecretField(props: { server: string; name: string; stored: boolean }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `secret-${props.server}-${props.name}`;

  async function save(event: Event) {
    event.preventDefault();
    if (!value) return;
    setBusy(true);
    setError(null);
    try {
      await ask(commands.storeSecret(props.server, props.name, value));
      setValue("");
      await refreshSecrets();
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="secret-form" onSubmit={save}>
      <label for={id}>
        <strong>{props.name}</strong>{" "}
        <span class={props.stored ? "muted" : "error-text"}>
          {props.stored ? "stored in your keychain" : "needed: this server cannot start without it"}
        </span>
      </label>
      <input
        id={id}
        type="password"
        autocomplete="off"
        spellcheck={false}
        placeholder={props.stored ? "Type a new value to replace it" : "Paste the value here"}
        value={value}
        onInput={(e) => setValue((e.target as HTMLInputElement).value)}
      />
      <button type="submit" class="primary" disabled={busy || !value}>
        Save to keychain
      </button>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

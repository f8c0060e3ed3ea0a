// The Settings page: launch at login, and every setting of the daemon, each drawn from its
// kind (a switch, a number, a choice), so a new setting appears here by itself.
import { useEffect, useState } from "preact/hooks";
import { commands, type DaemonStatus, type Value, type Setting } from "../bindings";
import { ask, messageOf } from "../app/ask";
import { ErrorNotice, PageHeader, Switch } from "../common/ui";

export function SettingsPage() {
  const [settings, setSettings] = useState<Setting[] | null>(null);
  const [atLogin, setAtLogin] = useState<boolean | null>(null);
  const [status, setStatus] = useState<DaemonStatus | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    ask(commands.listSettings()).then(setSettings, (e) => setError(messageOf(e)));
    ask(commands.launchAtLogin()).then(setAtLogin, (e) => setError(messageOf(e)));
    ask(commands.daemonStatus()).then(setStatus, () => undefined);
  }, []);

  async function change(key: string, value: Value) {
    setError(null);
    try {
      const changed = await ask(commands.changeSetting(key, value));
      setSettings((all) => all?.map((s) => (s.key === key ? changed : s)) ?? null);
    } catch (thrown) {
      setError(messageOf(thrown));
    }
  }

  async function loginChange(enabled: boolean) {
    setError(null);
    try {
      setAtLogin(await ask(commands.setLaunchAtLogin(enabled)));
    } catch (thrown) {
      setError(messageOf(thrown));
    }
  }

  return (
    <div class="page">
      <PageHeader title="Settings" />
      <ErrorNotice message={error} onDismiss={() => setError(null)} />
      <section class="card settings" aria-label="Settings">
        <div class="setting">
          <div>
            <h2 id="label-launch-at-login">Launch at login</h2>
            <p class="muted">
              Start Switchboard in the tray when you log in, so your AI apps find their tools ready.
            </p>
          </div>
          <Switch
            id="setting-launch-at-login"
            checked={atLogin ?? false}
            disabled={atLogin === null}
            label="Launch at login"
            onChange={loginChange}
          />
        </div>
        {settings?.map((setting) => <SettingRow key={setting.key} setting={setting} onChange={change} />)}
      </section>
      {status && (
        <section class="card about" aria-label="About">
          <h2>About</h2>
          <dl class="detail-grid">
            <dt>Version</dt>
            <dd>{status.version}</dd>
            <dt>Data folder</dt>
            <dd>
              <code>{status.data_dir}</code>
            </dd>
          </dl>
        </section>
      )}
    </div>
  );
}

function SettingRow(props: { setting: Setting; onChange: (key: string, value: Value) => void }) {
  const { setting, onChange } = props;
  const id = `setting-${setting.key.replace(/[^a-z0-9]+/gi, "-")}`;
  const kind = setting.kind;
  return (
    <div class="setting" data-setting={setting.key}>
      <div>
        <h2 id={`${id}-label`}>{setting.title || setting.key}</h2>
        <p class="muted">{setting.description}</p>
      </div>
      {kind.type === "bool" && (
        <Switch
          id={id}
          checked={setting.value === true}
          label={setting.title || setting.key}
          onChange={(checked) => onChange(setting.key, checked)}
        />
      )}
      {kind.type === "integer" && (
        <NumberField
          id={id}
          value={typeof setting.value === "number" ? setting.value : 0}
          min={kind.min}
          max={kind.max}
          unit={kind.unit}
          onCommit={(n) => onChange(setting.key, n)}
        />
      )}
      {kind.type === "address" && (
        <AddressField
          id={id}
          value={typeof setting.value === "string" ? setting.value : ""}
          onCommit={(text) => onChange(setting.key, text)}
        />
      )}
      {kind.type === "choice" && (
        <fieldset class="choices" aria-labelledby={`${id}-label`}>
          {kind.options.map((option) => (
            <label key={option.value} class="choice">
              <input
                type="radio"
                name={id}
                value={option.value}
                checked={setting.value === option.value}
                onChange={() => onChange(setting.key, option.value)}
              />
              <span>{option.label}</span>
            </label>
          ))}
        </fieldset>
      )}
    </div>
  );
}

function NumberField(props: {
  id: string;
  value: number;
  min: number;
  max: number;
  unit: string;
  onCommit: (n: number) => void;
}) {
  const [text, setText] = useState(String(props.value));
  useEffect(() => setText(String(props.value)), [props.value]);
  const commit = () => {
    const n = Number(text);
    if (Number.isInteger(n) && n !== props.value) props.onCommit(n);
    else if (!Number.isInteger(n)) setText(String(props.value));
  };
  return (
    <label class="number-field">
      <input
        id={props.id}
        type="number"
        inputMode="numeric"
        min={props.min}
        max={props.max}
        value={text}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === "Enter" && commit()}
      />
      <span>{props.unit}</span>
    </label>
  );
}

/** An IP address, sent when the field is left or Enter is pressed; the daemon checks it. */
function AddressField(props: { id: string; value: string; onCommit: (text: string) => void }) {
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  const commit = () => {
    const trimmed = text.trim();
    if (trimmed !== props.value && trimmed !== "") props.onCommit(trimmed);
    else setText(props.value);
  };
  return (
    <input
      id={props.id}
      class="address-field"
      type="text"
      inputMode="decimal"
      spellcheck={false}
      value={text}
      onInput={(e) => setText((e.target as HTMLInputElement).value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === "Enter" && commit()}
    />
  );
}

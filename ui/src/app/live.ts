// The window's live picture of Switchboard: the servers with their figures, the connection
// to the daemon, and the calls arriving. Filled from the app's batched events (state from
// events, not polling); pages read the signals.
import { batch, signal } from "@preact/signals";
import {
  commands,
  events,
  type DaemonBatch,
  type DaemonConnection,
  type InstallStep,
  type SecretStatus,
  type ServerInfo,
  type StoredCall,
} from "../bindings";
import { ask, messageOf } from "./ask";

/** Whether the daemon can be reached; `null` until the app has said. */
export const connection = signal<DaemonConnection | null>(null);
/** The installed servers, as last read, with the newest figures merged in. */
export const servers = signal<ServerInfo[]>([]);
/** Whether the servers have been read once. */
export const serversLoaded = signal(false);
/** Why the servers could not be read, if they could not. */
export const serversProblem = signal<string | null>(null);
/** The secrets the servers need and whether the keychain has them (never a value). */
export const secrets = signal<SecretStatus[]>([]);

/** Reads which secrets are needed and stored again. */
export async function refreshSecrets(): Promise<void> {
  try {
    secrets.value = await ask(commands.listSecrets());
  } catch {
    // The servers' own read reports an unreachable daemon; secrets just stay as they were.
  }
}

/** The newest step of each install under way, by server id. */
export const installs = signal<Record<string, InstallStep>>({});

/** When `now` was last taken, for uptimes; ticks every second. */
export const now = signal(Date.now());

type CallListener = (calls: StoredCall[], missed: number) => void;
const callListeners = new Set<CallListener>();

/** Hears every batch of calls as it arrives (the call log). Returns the unsubscribe. */
export function onCalls(listener: CallListener): () => void {
  callListeners.add(listener);
  return () => callListeners.delete(listener);
}

let reading: Promise<void> | null = null;
let readAgain = false;

/** Reads the servers again (coalescing overlapping reads). */
export function refreshServers(): Promise<void> {
  if (reading) {
    readAgain = true;
    return reading;
  }
  reading = (async () => {
    do {
      readAgain = false;
      try {
        const list = await ask(commands.listServers());
        void refreshSecrets();
        batch(() => {
          servers.value = list;
          serversLoaded.value = true;
          serversProblem.value = null;
        });
      } catch (thrown) {
        serversProblem.value = messageOf(thrown);
      }
    } while (readAgain);
    reading = null;
  })();
  return reading;
}

/** Replaces one server in the list (after a command answered with it). */
export function putServer(info: ServerInfo): void {
  servers.value = servers.value.map((s) => (s.id === info.id ? info : s));
}

/** Applies one batch of the daemon's events. */
export function apply(update: DaemonBatch): void {
  batch(() => {
    if (update.pulse) {
      const figures = new Map(update.pulse.map((p) => [p.server, p]));
      servers.value = servers.value.map((s) => {
        const p = figures.get(s.id);
        return p ? { ...s, usage: p.usage, stats: p.stats } : s;
      });
    }
    if (update.states.length) {
      const states = new Map(update.states.map((c) => [c.server, c.state]));
      servers.value = servers.value.map((s) => {
        const state = states.get(s.id);
        return state ? { ...s, runtime: { ...s.runtime, state } } : s;
      });
    }
  });
  if (update.installs.length) {
    installs.value = {
      ...installs.value,
      ...Object.fromEntries(update.installs.map((step) => [step.server, step])),
    };
  }
  if (update.changed.length || update.states.length || update.resync) void refreshServers();
  if (update.calls.length || update.missed_calls) {
    for (const listener of callListeners) listener(update.calls, update.missed_calls);
  }
}

/** Starts listening to the app; call once. */
export async function start(): Promise<void> {
  await events.daemonBatch.listen((event) => apply(event.payload));
  await events.daemonConnection.listen((event) => {
    const was = connection.value?.connected;
    connection.value = event.payload;
    if (event.payload.connected && !was) void refreshServers();
  });
  setInterval(() => (now.value = Date.now()), 1000);
  await refreshServers();
  // The app may have told the connection before this window listened: the first read says.
  if (connection.value === null) {
    connection.value = serversProblem.value
      ? { connected: false, problem: serversProblem.value }
      : { connected: true, problem: null };
  }
}

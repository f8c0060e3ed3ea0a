// The Call log: every call your AI apps make through Switchboard, live, newest first, with
// filters and a detail pane. Only the rows in view are drawn, and calls arrive in batches,
// so a thousand calls a second do not freeze the window.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { commands, type CallStatus, type StoredCall } from "../bindings";
import { ask, messageOf } from "../app/ask";
import { onCalls, servers } from "../app/live";
import { clock, millis } from "../common/format";
import { EmptyState, ErrorNotice, PageHeader } from "../common/ui";
import { scrollToShow, visibleRange } from "../common/virtual";
import {
  admit,
  type CallFilter,
  isFiltered,
  NO_FILTER,
  prettyArguments,
  statusWords,
  toQuery,
  valuesOf,
} from "./filter";

const ROW = 32;
const STATUSES: CallStatus[] = ["ok", "tool_error", "rpc_error", "cancelled", "timeout"];

export function CallLogPage() {
  const [filter, setFilter] = useState<CallFilter>(NO_FILTER);
  const [text, setText] = useState("");
  const [calls, setCalls] = useState<StoredCall[] | null>(null);
  const [missed, setMissed] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const filterRef = useRef(filter);
  filterRef.current = filter;

  // The text filter follows typing after a short pause.
  useEffect(() => {
    const timer = setTimeout(() => setFilter((f) => (f.text === text ? f : { ...f, text })), 250);
    return () => clearTimeout(timer);
  }, [text]);

  // Read the newest matching calls from the log whenever the filter changes, then add live
  // ones as they arrive.
  useEffect(() => {
    let live = true;
    let pending: StoredCall[] = [];
    let loaded: StoredCall[] | null = null;
    const stop = onCalls((fresh, lost) => {
      if (lost) setMissed((n) => n + lost);
      if (loaded === null) {
        pending = pending.concat(fresh);
        return;
      }
      setCalls((list) => admit(list ?? [], fresh, filterRef.current));
    });
    ask(commands.recentCalls(toQuery(filter)))
      .then((found) => {
        if (!live) return;
        loaded = found;
        setCalls(admit(found, pending, filter));
        setError(null);
      })
      .catch((thrown) => live && setError(messageOf(thrown)));
    return () => {
      live = false;
      stop();
    };
  }, [filter]);

  const list = calls ?? [];
  const chosen = useMemo(() => list.find((c) => c.id === selected) ?? null, [list, selected]);
  const serverIds = servers.value.map((s) => s.id);
  const clients = valuesOf(list, "client");
  const tools = valuesOf(list, "tool");

  return (
    <div class="page page-calls">
      <PageHeader title="Call log">
        Every call your AI apps make through Switchboard, as it happens. Secrets and long values in
        the arguments are hidden before anything is written down.
      </PageHeader>
      <ErrorNotice message={error} onDismiss={() => setError(null)} />
      <form class="filters" role="search" aria-label="Filter calls" onSubmit={(e) => e.preventDefault()}>
        <Select label="Server" value={filter.server} options={serverIds} onChange={(server) => setFilter({ ...filter, server })} />
        <Select label="App" value={filter.client} options={clients} onChange={(client) => setFilter({ ...filter, client })} />
        <Select label="Tool" value={filter.tool} options={tools} onChange={(tool) => setFilter({ ...filter, tool })} />
        <label class="field">
          <span>Result</span>
          <select
            value={filter.status}
            onChange={(e) => setFilter({ ...filter, status: (e.target as HTMLSelectElement).value as CallStatus | "" })}
          >
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusWords(s)}
              </option>
            ))}
          </select>
        </label>
        <label class="field grow">
          <span>Text</span>
          <input
            type="search"
            placeholder="Find in method, tool, app or arguments"
            value={text}
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
          />
        </label>
        {isFiltered(filter) && (
          <button
            type="button"
            class="link"
            onClick={() => {
              setText("");
              setFilter(NO_FILTER);
            }}
          >
            Clear filters
          </button>
        )}
      </form>
      {missed > 0 && (
        <p class="notice" role="status">
          Calls came faster than the window shows them; {missed.toLocaleString("en")} were left out here
          but are all in the log.{" "}
          <button type="button" class="link" onClick={() => { setMissed(0); setFilter({ ...filter }); }}>
            Reload
          </button>
        </p>
      )}
      {calls === null ? (
        <p class="muted" role="status">
          Reading the call log…
        </p>
      ) : list.length === 0 ? (
        isFiltered(filter) ? (
          <EmptyState title="No calls match">
            <p>No call in the log matches these filters. New ones that do appear here as they happen.</p>
          </EmptyState>
        ) : (
          <EmptyState title="No calls yet">
            <p>
              When an AI app uses one of your servers through Switchboard, each call shows up here the
              moment it happens: which app, which tool, how long it took and how it ended.
            </p>
          </EmptyState>
        )
      ) : (
        <div class="calls-split">
          <CallList calls={list} selected={selected} onSelect={setSelected} />
          <CallDetail call={chosen} onClose={() => setSelected(null)} />
        </div>
      )}
    </div>
  );
}

function Select(props: { label: string; value: string; options: string[]; onChange: (v: string) => void }) {
  const options = props.value && !props.options.includes(props.value) ? [props.value, ...props.options] : props.options;
  return (
    <label class="field">
      <span>{props.label}</span>
      <select value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The virtualised list: only the rows in view exist in the page. */
export function CallList(props: { calls: StoredCall[]; selected: number | null; onSelect: (id: number | null) => void }) {
  const { calls, selected, onSelect } = props;
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(480);
  const newest = useRef<number | null>(null);

  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    const measure = () => setViewport(element.clientHeight || 480);
    measure();
    const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(measure);
    observer?.observe(element);
    return () => observer?.disconnect();
  }, []);

  // New calls go on top; someone reading further down keeps their place.
  useLayoutEffect(() => {
    const element = box.current;
    const top = calls[0]?.id ?? null;
    if (element && newest.current !== null && top !== null && top !== newest.current && element.scrollTop > 0) {
      const added = calls.findIndex((c) => c.id === newest.current);
      if (added > 0) element.scrollTop += added * ROW;
    }
    newest.current = top;
  }, [calls]);

  const { start, end } = visibleRange(scrollTop, viewport, ROW, calls.length);
  const index = selected === null ? -1 : calls.findIndex((c) => c.id === selected);

  function onKeyDown(event: KeyboardEvent) {
    const element = box.current;
    if (!element || calls.length === 0) return;
    const page = Math.max(1, Math.floor(viewport / ROW) - 1);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: Math.max(0, index - 1),
      PageDown: index + page,
      PageUp: Math.max(0, index - page),
      Home: 0,
      End: calls.length - 1,
    };
    if (event.key === "Escape") {
      onSelect(null);
      return;
    }
    const to = moves[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const target = Math.min(calls.length - 1, to);
    onSelect(calls[target]!.id);
    const scroll = scrollToShow(target, element.scrollTop, element.clientHeight || viewport, ROW);
    if (scroll !== null) element.scrollTop = scroll;
  }

  return (
    <div
      ref={box}
      class="call-list"
      role="listbox"
      tabIndex={0}
      aria-label="Calls, newest first"
      aria-activedescendant={index >= 0 ? `call-${selected}` : undefined}
      onScroll={(e) => setScrollTop((e.target as HTMLDivElement).scrollTop)}
      onKeyDown={onKeyDown}
    >
      <div class="call-space" style={{ height: `${calls.length * ROW}px` }}>
        {calls.slice(start, end).map((call, i) => (
          <div
            key={call.id}
            id={`call-${call.id}`}
            role="option"
            aria-selected={call.id === selected}
            class={`call-row status-${call.status}${call.id === selected ? " selected" : ""}`}
            style={{ transform: `translateY(${(start + i) * ROW}px)` }}
            onClick={() => onSelect(call.id)}
            data-call={call.id}
          >
            <span class="c-time">{clock(call.at)}</span>
            <span class="c-client">{call.client}</span>
            <span class="c-server">{call.server}</span>
            <span class="c-what">
              {call.method}
              {call.tool && <strong> {call.tool}</strong>}
            </span>
            <span class="c-status">{statusWords(call.status)}</span>
            <span class="c-ms">{millis(call.duration_us / 1000)}</span>
          </div>
        ))}
      </div>
    </div>
  );
}

function CallDetail(props: { call: StoredCall | null; onClose: () => void }) {
  const call = props.call;
  if (!call) {
    return (
      <aside class="call-detail empty-detail" aria-label="Call details">
        <p class="muted">Choose a call to see what was asked and how it ended. Use ↑ and ↓ to move through the list.</p>
      </aside>
    );
  }
  const args = prettyArguments(call.args_preview);
  return (
    <aside class="call-detail" aria-label="Call details">
      <header>
        <h2>
          {call.method}
          {call.tool && <> · {call.tool}</>}
        </h2>
        <button type="button" class="link" onClick={props.onClose} aria-label="Close the details">
          Close
        </button>
      </header>
      <dl class="detail-grid">
        <dt>When</dt>
        <dd>{new Date(call.at).toLocaleString()}</dd>
        <dt>App</dt>
        <dd>{call.client}</dd>
        <dt>Server</dt>
        <dd>{call.server}</dd>
        <dt>Took</dt>
        <dd>{millis(call.duration_us / 1000)}</dd>
      </dl>
      <h3>Request</h3>
      <p class="muted">
        {call.request_bytes.toLocaleString("en")} bytes. Arguments, with secrets and long values hidden:
      </p>
      {args ? <pre class="json">{args}</pre> : <p class="muted">No arguments.</p>}
      <h3>Response</h3>
      <dl class="detail-grid">
        <dt>Result</dt>
        <dd class={`status-${call.status}`}>
          {statusWords(call.status)}
          {call.error_code !== null && ` (JSON-RPC error ${call.error_code})`}
        </dd>
        <dt>Size</dt>
        <dd>{call.response_bytes.toLocaleString("en")} bytes</dd>
      </dl>
      <p class="muted">Switchboard records how each call ended and its size, not what the server answered.</p>
    </aside>
  );
}

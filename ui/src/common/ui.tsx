// Small pieces every page uses: a switch, an empty state that says what to do first, an
// error that says what happened and the fix, and a page header.
import type { ComponentChildren } from "preact";

export function Switch(props: {
  checked: boolean;
  label: string;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  id?: string;
}) {
  return (
    <button
      type="button"
      role="switch"
      id={props.id}
      class="switch"
      aria-checked={props.checked}
      aria-label={props.label}
      title={props.label}
      disabled={props.disabled}
      onClick={() => props.onChange(!props.checked)}
    >
      <span class="switch-knob" aria-hidden="true" />
    </button>
  );
}

export function EmptyState(props: { title: string; children: ComponentChildren; action?: ComponentChildren }) {
  return (
    <section class="empty" aria-label={props.title}>
      <h2>{props.title}</h2>
      <div class="empty-body">{props.children}</div>
      {props.action && <div class="empty-action">{props.action}</div>}
    </section>
  );
}

export function ErrorNotice(props: { message: string | null; onDismiss?: () => void }) {
  if (!props.message) return null;
  return (
    <div class="notice notice-error" role="alert">
      <span>{props.message}</span>
      {props.onDismiss && (
        <button type="button" class="link" onClick={props.onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}

export function PageHeader(props: { title: string; children?: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <header class="page-header">
      <div>
        <h1 tabIndex={-1} data-page-title>
          {props.title}
        </h1>
        {props.children && <p class="page-lead">{props.children}</p>}
      </div>
      {props.actions && <div class="page-actions">{props.actions}</div>}
    </header>
  );
}

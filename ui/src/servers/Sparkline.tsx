import { sparkPath } from "./describe";

/** A small line chart of the last ten minutes. */
export function Sparkline(props: { values: readonly (number | null)[]; label: string; width?: number; height?: number }) {
  const width = props.width ?? 120;
  const height = props.height ?? 28;
  const path = sparkPath(props.values, width, height - 2);
  return (
    <svg
      class="spark"
      width={width}
      height={height}
      viewBox={`0 -1 ${width} ${height}`}
      role="img"
      aria-label={props.label}
    >
      <path d={path} fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" />
    </svg>
  );
}

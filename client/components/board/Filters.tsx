import type { ComponentChildren } from 'preact';

/** The filter bar above a list: nothing is submitted, every control applies at once. */
export function FilterBar({ label, search = false, children }: { label: string; search?: boolean; children: ComponentChildren }) {
  return (
    <form class="filters" role={search ? 'search' : undefined} aria-label={label} onSubmit={(e) => e.preventDefault()}>
      {children}
    </form>
  );
}

/** One labelled control of a filter bar; `id` is the control's. */
export function Filter({ id, label, grow = false, children }: { id: string; label: string; grow?: boolean; children: ComponentChildren }) {
  return (
    <div class={grow ? 'filter grow' : 'filter'}>
      <label class="field-label small" htmlFor={id}>
        {label}
      </label>
      {children}
    </div>
  );
}

interface FilterSelectProps<T extends string> {
  readonly id: string;
  readonly label: string;
  readonly value: T;
  /** Value and text of each option. */
  readonly options: ReadonlyArray<readonly [T, string]>;
  /** Text of a first option with the value '' (no filter). */
  readonly all?: '' extends T ? string : never;
  readonly onChange: (value: T) => void;
}

/** A filter that picks one of a few values. */
export function FilterSelect<T extends string>({ id, label, value, options, all, onChange }: FilterSelectProps<T>) {
  return (
    <Filter id={id} label={label}>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value as T)}>
        {all !== undefined && <option value="">{all}</option>}
        {options.map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
    </Filter>
  );
}

/** Options whose text is their value (host names, pipeline names). */
export const asOptions = (values: readonly string[]): ReadonlyArray<readonly [string, string]> => values.map((v) => [v, v] as const);

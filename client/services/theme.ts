import { computed, signal } from '@preact/signals';
import { Disposable, toDisposable } from '../lib/disposable.ts';

export type Theme = 'light' | 'dark';
const STORAGE_KEY = 'tb.theme';

function stored(): Theme | undefined {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Light or dark: follows prefers-color-scheme until the user picks one. */
export class ThemeStore extends Disposable {
  private readonly media = matchMedia('(prefers-color-scheme: dark)');
  private readonly system = signal<Theme>(this.media.matches ? 'dark' : 'light');
  private readonly chosen = signal<Theme | undefined>(stored());
  readonly theme = computed<Theme>(() => this.chosen.value ?? this.system.value);

  constructor() {
    super();
    const onChange = (e: MediaQueryListEvent) => (this.system.value = e.matches ? 'dark' : 'light');
    this.media.addEventListener('change', onChange);
    this.register(toDisposable(() => this.media.removeEventListener('change', onChange)));
    this.register(toDisposable(this.theme.subscribe((theme) => (document.documentElement.dataset.theme = theme))));
  }

  toggle(): void {
    const next: Theme = this.theme.value === 'dark' ? 'light' : 'dark';
    // Back to "follow the system" when the choice matches it again.
    this.chosen.value = next === this.system.value ? undefined : next;
    try {
      if (this.chosen.value) localStorage.setItem(STORAGE_KEY, next);
      else localStorage.removeItem(STORAGE_KEY);
    } catch {
      // storage disabled: the choice lasts for this page
    }
  }
}

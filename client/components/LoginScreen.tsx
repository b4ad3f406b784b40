import { useState } from 'preact/hooks';
import { Rich, t } from '../i18n/index.ts';
import { rememberPageForLogin } from '../services/router.ts';
import { withBase } from '../lib/base-path.ts';

/** Accepts a bare token or a whole login URL. */
export function tokenFrom(input: string): string {
  const text = input.trim();
  const match = /[?&]token=([^&#\s]+)/.exec(text);
  if (match) {
    try {
      return decodeURIComponent(match[1]!);
    } catch {
      return match[1]!;
    }
  }
  return text;
}

/** Shown when the API answers 401: how to log in. */
export function LoginScreen() {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const loginUrl = `${location.origin}${withBase('/login')}?token=…`;
  return (
    <section class="login card" aria-labelledby="login-title">
      <h1 id="login-title">{t('login.title')}</h1>
      <p>
        <Rich k="login.body" values={{ program: <code>tmux-bridge</code>, url: <code>{loginUrl}</code> }} />
      </p>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          const token = tokenFrom(value);
          if (!token) {
            setError(t('login.missing'));
            return;
          }
          rememberPageForLogin();
          location.assign(`${withBase('/login')}?token=${encodeURIComponent(token)}`);
        }}
      >
        <div class="field">
          <label class="field-label" htmlFor="login-token">
            {t('login.field')}
          </label>
          <input
            id="login-token"
            type="password"
            name="token"
            autoComplete="off"
            spellcheck={false}
            value={value}
            onInput={(e) => {
              setValue(e.currentTarget.value);
              setError(undefined);
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'login-error login-help' : 'login-help'}
          />
        </div>
        {error && (
          <p class="field-error" id="login-error" role="alert">
            {error}
          </p>
        )}
        <p class="hint" id="login-help">
          <Rich k="login.help" values={{ file: <code>&lt;data-dir&gt;/token</code>, env: <code>$TMUX_BRIDGE_TOKEN</code> }} />
        </p>
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('login.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}

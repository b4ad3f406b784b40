import { LOCALES, locale, setLocale, t } from '../i18n/index.ts';

/**
 * One tap to the other language (two languages today): the button shows the
 * language it switches to, written in that language, so a reader of either finds it.
 */
export function LanguageSwitch() {
  const current = locale.value;
  const next = LOCALES.find((l) => l.id !== current) ?? LOCALES[0]!;
  return (
    <button
      type="button"
      class="icon-button lang-switch"
      data-testid="lang-switch"
      lang={next.id}
      aria-label={t('lang.switchTo', { name: next.name })}
      title={t('lang.switchTo', { name: next.name })}
      onClick={() => void setLocale(next.id).catch(() => undefined)}
    >
      {next.id === 'en' ? 'EN' : '中'}
    </button>
  );
}

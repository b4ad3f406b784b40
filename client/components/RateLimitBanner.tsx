import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { useServices } from '../services/index.ts';

/**
 * While the server answers 429 (too many wrong tokens from this address), say so
 * and count down to the retry the API client makes by itself.
 */
export function RateLimitBanner() {
  const limit = useServices().api.rateLimit.value;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!limit) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [limit]);
  if (!limit) return null;
  const seconds = Math.max(0, Math.ceil((limit.until - now) / 1000));
  return (
    <div class="app-banner" role="alert" data-testid="rate-limited">
      {t('rateLimit.banner', { seconds })}
    </div>
  );
}

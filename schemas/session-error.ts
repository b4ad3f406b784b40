/**
 * A session error the bridge words itself: English `message` (history, API users) and a
 * code with parameters the UI words in its language (`event.sessionError.<code>`); what
 * tmux said stays as it said it.
 */
export const sessionErrorText = {
  createFailed: (detail: string) => ({ code: 'create_failed', params: { detail }, message: `tmux could not create the session: ${detail}` }),
  lateRemoved: (session: string) => ({ code: 'late_removed', params: { session }, message: `removed tmux session "${session}": its creation had already failed` }),
};

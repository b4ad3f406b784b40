export { Notifier } from './notifier.ts';
export type { NotifierOptions, NotificationRecorder } from './notifier.ts';
export {
  createChannels,
  ChannelError,
  StdoutChannel,
  ServerChanChannel,
  WeComChannel,
  WebhookChannel,
  redact,
} from './channels.ts';
export { localizedText } from './language.ts';
export type { Notification, OutgoingNotification, NotificationChannel, ChannelSettings } from './channels.ts';

export { ApprovalService, approvalNotice } from './service.ts';
export type {
  ApprovalPersistence,
  ApprovalKey,
  ApprovalRequestInput,
  ApprovalLinks,
  ApprovalServiceOptions,
  ApprovalDecided,
  DecideOptions,
  DecideResult,
  DecideFailure,
  TokenLookup,
} from './service.ts';
export { signApprovalToken, verifyApprovalToken, tokenDigest, DEFAULT_TOKEN_TTL_MS } from './tokens.ts';
export type { ApprovalClaims, TokenCheck } from './tokens.ts';
export {
  approvalFileName,
  approvalFilePath,
  approvalFileText,
  parseApprovalText,
  readApprovalFile,
  writeApprovalFile,
  removeApprovalFile,
} from './files.ts';
export type { ApprovalFileInfo, FileDecision } from './files.ts';
export { ApprovalFileWatcher } from './file-watcher.ts';
export { approvalDirProblem, ensurePrivateDir } from './dir-safety.ts';
export { describeUid } from './owner.ts';
export type { FileDecisionEvent, ApprovalFileWatcherOptions } from './file-watcher.ts';
export { MemoryApprovalPersistence } from './memory.ts';

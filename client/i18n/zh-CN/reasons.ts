import type { reasons as en } from '../en/reasons.ts';
import type { Translation } from '../types.ts';

export const reasons: Translation<typeof en> = {
  'queues.why.dep_failed': '等待 {what}，但它已失败{failure}',
  'queues.why.dep_cancelled': '等待 {what}，但它已取消',
  'queues.why.dep_blocked': '等待 {what}，但它也受阻',
  'queues.why.sequential': '{dep}（在同一顺序组中排在它之前）',
  'queues.why.depFailure': '（{reason}）',
  'queues.why.exit_code': '退出码 {code}',
  'queues.why.timed_out': '超时',
  'queues.why.cancelled': '其执行已取消',
  'queues.why.stopped': '已被用户停止',
  'queues.why.could_not_start': '无法启动：{message}',
  'queues.why.auto_start_failed': '自动启动失败：{message}',
  'queues.why.execution_lost': '其执行 {execution} 已不存在',
};

import type { common as en } from '../en/common.ts';
import type { Translation } from '../types.ts';

export const common: Translation<typeof en> = {
  'app.skipToContent': '跳到正文',
  'app.loading': '加载中…',
  'app.thisPage': '此页面',
  'app.homeLabel': 'tmux-bridge 仪表盘',

  'nav.label': '主导航',
  'nav.dashboard': '仪表盘',
  'nav.pipelines': '流水线',
  'nav.approvals': '审批',
  'nav.monitor': '监视',
  'nav.history': '历史',
  'nav.config': '配置',
  'nav.terminals': '终端',
  'nav.issues': '议题',
  'nav.queues': '队列',
  'nav.flows': '流程',
  'nav.executions': '执行记录',
  'nav.menu': '菜单',
  'nav.menuFor': '菜单（{page}）',
  'nav.pages': '页面',
  'nav.waiting.one': '{n} 项等待审批',
  'nav.waiting.other': '{n} 项等待审批',
  'nav.waitingShort': '，{n} 项等待',
  'nav.tabsOpen.one': '已打开 {n} 个终端标签',
  'nav.tabsOpen.other': '已打开 {n} 个终端标签',
  'nav.openShort': '，已打开 {n} 个',

  'feed.title': '来自服务器的实时更新',
  'feed.idle': '离线',
  'feed.connecting': '连接中…',
  'feed.live': '实时',
  'feed.reconnecting': '重新连接中…',

  'theme.toLight': '切换到浅色主题',
  'theme.toDark': '切换到深色主题',

  'lang.label': '语言',
  'lang.switchTo': '将语言切换为{name}',

  'page.title': '{title} · tmux-bridge',

  'notFound.title': '这里什么也没有',
  'notFound.body': '{path} 没有对应的页面。前往{dashboard}或{terminals}。',
  'notFound.dashboard': '仪表盘',
  'notFound.terminals': '终端',

  'login.title': '未登录',
  'login.body': '此浏览器没有有效的会话 Cookie。请打开 {program} 启动时打印的登录网址（{url}），或在此粘贴令牌或该网址。',
  'login.field': '访问令牌或登录网址',
  'login.missing': '请粘贴访问令牌或登录网址。',
  'login.help': '令牌位于 {file} 或 {env}。',
  'login.submit': '登录',

  'state.loading': '正在加载{what}…',
  'state.loadFailed': '无法加载{what}。',
  'state.retry': '重试',
  'state.stale': '显示的是最近一次获取的{what}：{error}',
  'state.reload': '重新加载',

  'time.justNow': '刚刚',
  'time.seconds': '{n} 秒',
  'time.minutes': '{n} 分',
  'time.hours': '{n} 小时',
  'time.days': '{n} 天',
  'time.pair': '{a} {b}',
  'time.since': '自 {time} 起',
  'time.range': '从 {from} 到 {to}',

  'status.running': '运行中',
  'status.exited': '已退出',
  'status.closed': '已关闭',
  'status.withCode': '{status}（{code}）',

  'error.unreachable': '无法连接 tmux-bridge 服务器；它在运行吗？',
  'error.badResponse': '服务器返回了意外的{what}',
  'error.http': '服务器返回 {status} {text}',
  'error.terminalLoad': '终端代码没有加载（{error}）。请重新加载页面。',

  'action.cancel': '取消',
  'action.close': '关闭',
  'action.save': '保存',
  'action.delete': '删除',
  'action.copy': '复制',
  'action.copied': '已复制',
};

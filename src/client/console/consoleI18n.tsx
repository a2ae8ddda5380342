/** The console's words in Chinese (first) and English, and the language switch (remembered on this computer). */
import { createContext, type ReactNode, useContext, useMemo, useState } from "react";

const zh = {
  title: "控制台",
  signIn: "登录",
  signOut: "退出登录",
  username: "用户名",
  password: "密码",
  wrongCredentials: "用户名或密码错误",
  networkDown: "连不上服务器，请检查网络",
  noConsoleRole: "此账号没有可用的控制台功能",
  language: "English",
  navReceive: "接收转运箱",
  navResults: "录入结果",
  navUpload: "上传结果文件",
  navRecalls: "召回名单",
  navImport: "导入离线数据",
  scanBox: "扫描或输入转运箱条码",
  scanTube: "扫描或输入试管条码",
  lookUp: "查询",
  site: "采样点",
  handedOver: "交接时间",
  destination: "送往实验室",
  tubes: "试管",
  people: "人数",
  scanned: "已扫",
  receiveScanned: "按已扫试管接收",
  confirmCount: "核对数量无误，全部接收",
  receivedAlready: "此箱已接收过，未作改动",
  received: "已接收",
  missing: "缺少",
  extra: "多出",
  extraOtherBox: "属于其他箱",
  extraUnknown: "未知试管",
  voided: "已作废",
  unsynced: "人员未全部上传",
  unsyncedDevice: "设备 {device}，最后同步 {at}",
  receiptDone: "已接收 {n} 管",
  negative: "阴性",
  positive: "阳性",
  invalid: "无效（重采）",
  rejected: "样本拒收",
  ct: "Ct 值（可选，如 ORF1ab:28.4;N:27.1）",
  reason: "更改原因（改结果时必填）",
  record: "记录结果",
  recorded: "已记录",
  changed: "已更改",
  duplicate: "重复，未改动",
  refused: "被拒绝",
  recalledN: "召回 {n} 人",
  recallReady: "召回名单已生成：服务器 {server} ms，屏幕显示用时 {screen} ms",
  chooseFile: "选择 CSV 或 XLSX 文件",
  upload: "上传",
  templateCsv: "下载模板 CSV",
  templateXlsx: "下载模板 XLSX",
  line: "行",
  tube: "试管",
  status: "状态",
  problem: "问题",
  name: "姓名",
  document: "证件",
  phone: "手机",
  community: "社区",
  sampledAt: "采样时间",
  staff: "登记人员",
  state: "状态",
  to_contact: "待联系",
  contacted: "已联系",
  resampled: "已单采",
  resulted: "已出结果",
  markContacted: "标记已联系",
  exportCsv: "导出 CSV",
  exportXlsx: "导出 XLSX",
  print: "打印",
  filterTube: "按试管筛选",
  noRecalls: "没有召回人员",
  turnaround: "今日周转",
  receivedToResulted: "接收→出结果",
  sampledToResulted: "采样→出结果",
  median: "中位数",
  p95: "P95",
  minutes: "{n} 分钟",
  forbidden: "无权访问此功能",
  importHint: "选择登记员从应用“设置”中导出的文件；重复导入不会重复登记。",
  importButton: "导入",
  importEvents: "共 {n} 条",
  importAccepted: "新增",
  importDuplicates: "已有（未重复登记）",
  importRejected: "拒收",
  notJson: "文件不是有效的 JSON",
};

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  title: "Console",
  signIn: "Sign in",
  signOut: "Sign out",
  username: "Username",
  password: "Password",
  wrongCredentials: "Wrong username or password",
  networkDown: "Cannot reach the server; check the network",
  noConsoleRole: "This account has no console functions",
  language: "中文",
  navReceive: "Receive boxes",
  navResults: "Enter results",
  navUpload: "Upload result file",
  navRecalls: "Recall lists",
  navImport: "Import offline data",
  scanBox: "Scan or type the transfer box code",
  scanTube: "Scan or type the tube code",
  lookUp: "Look up",
  site: "Site",
  handedOver: "Handed over",
  destination: "For lab",
  tubes: "Tubes",
  people: "People",
  scanned: "Scanned",
  receiveScanned: "Receive the scanned tubes",
  confirmCount: "Count checked: receive all",
  receivedAlready: "This box was received before; nothing changed",
  received: "Received",
  missing: "Missing",
  extra: "Extra",
  extraOtherBox: "belongs to another box",
  extraUnknown: "unknown tube",
  voided: "Voided",
  unsynced: "Not all people uploaded",
  unsyncedDevice: "device {device}, last sync {at}",
  receiptDone: "{n} tubes received",
  negative: "Negative",
  positive: "Positive",
  invalid: "Invalid (re-sample)",
  rejected: "Specimen rejected",
  ct: "Ct values (optional, e.g. ORF1ab:28.4;N:27.1)",
  reason: "Reason for a change (required when changing)",
  record: "Record result",
  recorded: "Recorded",
  changed: "Changed",
  duplicate: "Duplicate, nothing changed",
  refused: "Refused",
  recalledN: "{n} people recalled",
  recallReady: "Recall list ready: server {server} ms, on screen after {screen} ms",
  chooseFile: "Choose a CSV or XLSX file",
  upload: "Upload",
  templateCsv: "Template CSV",
  templateXlsx: "Template XLSX",
  line: "Line",
  tube: "Tube",
  status: "Status",
  problem: "Problem",
  name: "Name",
  document: "Document",
  phone: "Phone",
  community: "Community",
  sampledAt: "Sampled",
  staff: "Registered by",
  state: "State",
  to_contact: "To contact",
  contacted: "Contacted",
  resampled: "Re-sampled",
  resulted: "Resulted",
  markContacted: "Mark contacted",
  exportCsv: "Export CSV",
  exportXlsx: "Export XLSX",
  print: "Print",
  filterTube: "Filter by tube",
  noRecalls: "Nobody to recall",
  turnaround: "Turnaround today",
  receivedToResulted: "Received → resulted",
  sampledToResulted: "Sampled → resulted",
  median: "Median",
  p95: "P95",
  minutes: "{n} min",
  forbidden: "You may not use this function",
  importHint: "Choose the file staff exported from the app's settings; importing it again registers nothing twice.",
  importButton: "Import",
  importEvents: "{n} events",
  importAccepted: "New",
  importDuplicates: "Already there (not registered twice)",
  importRejected: "Rejected",
  notJson: "The file is not valid JSON",
};

type Lang = "zh" | "en";
const DICTIONARIES: Record<Lang, Record<Key, string>> = { zh, en };
const STORAGE_KEY = "samplepoint.consoleLang";

interface I18n {
  lang: Lang;
  t(key: Key, values?: Record<string, string | number>): string;
  toggle(): void;
}

const Context = createContext<I18n | null>(null);

export function ConsoleI18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "zh"));
  const value = useMemo<I18n>(
    () => ({
      lang,
      t: (key, values) =>
        DICTIONARIES[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values?.[name] ?? `{${name}}`)),
      toggle: () => {
        const next = lang === "zh" ? "en" : "zh";
        localStorage.setItem(STORAGE_KEY, next);
        document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
        setLang(next);
      },
    }),
    [lang],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useConsoleI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error("useConsoleI18n outside ConsoleI18nProvider");
  return value;
}

export type ConsoleMessageKey = Key;

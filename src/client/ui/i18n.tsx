/** Every string the UI shows, in Chinese (default) and English, and the messages for each domain refusal. */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { DocType, DocumentRejection } from "../../domain/documents";
import type { ResidentCodeError } from "../../domain/residentCode";
import type { ScanKind } from "../../domain/scanCodes";
import type { StationProblem } from "../station/station";

export type Lang = "zh" | "en";

const zh = {
  appName: "采样登记",
  language: "English",
  loginTitle: "登录",
  username: "用户名",
  password: "密码",
  login: "登录",
  loggingIn: "正在登录…",
  logout: "退出登录",
  site: "采样点",
  staff: "登记员",
  tubeInputLabel: "扫描或输入试管条码",
  tubeInputHint: "先扫试管，再扫居民码",
  openTube: "开管",
  residentInputLabel: "扫描居民码或输入证件号",
  submit: "确定",
  manualEntry: "手动录入",
  docType: "证件类型",
  docNumber: "证件号码",
  name: "姓名",
  phone: "手机号（选填）",
  phoneRequired: "手机号",
  register: "登记",
  cancel: "取消",
  currentTube: "当前试管",
  members: "管内人员",
  noMembers: "尚无人员",
  seal: "封管",
  sealShortConfirm: "试管未满（{count}/{capacity}），确认提前封管并标记为不满管？",
  confirmSealShort: "确认封管（不满管）",
  tubeOpened: "已开管 {tube}",
  registered: "已登记 {name}（{count}/{capacity}）",
  rosterOn: "名单内·{grid}",
  rosterAbsent: "不在名单",
  rosterNameDiffers: "⚠ 名单上此证件的姓名是 {name}，请核对",
  tubeFull: "{capacity}人已满，请封管换管",
  sealed: "已封管 {tube}（{count}人）",
  sealedShort: "已封管 {tube}（{count}人，不满管）",
  needsName: "证件号 {doc}：请输入姓名",
  syncPending: "待上传 {n}",
  syncRejected: "被拒 {n}",
  syncAllDone: "已全部上传",
  syncNow: "立即同步",
  syncing: "同步中…",
  offline: "离线",
  lastSync: "上次同步 {time}",
  nextRetry: "将于 {time} 自动重试",
  never: "从未",
  signedOut: "登录已失效，请重新登录以上传",
  syncError: "同步出错：{code}",
  syncWrongSite: "队列中有其他采样点的登记，本账号无法上传：请用该采样点的账号登录",
  loginFailed: "登录失败：{message}",
  networkDown: "无法连接服务器，请检查网络",
  wrongCredentials: "用户名或密码错误",
  tooManyAttempts: "登录失败次数过多，请 {minutes} 分钟后再试",
  scanner: "扫码",
  openScanner: "扫码",
  closeScanner: "关闭摄像头",
  torch: "手电筒",
  switchCamera: "切换摄像头",
  alreadyScanned: "已扫描",
  spokenCues: "语音提示",
  tubeFullSpoken: "{capacity}人已满，请换管",
  setPinTitle: "设置解锁 PIN",
  setPinHint: "请设置 4–6 位数字 PIN，用于解锁本机",
  pin: "PIN",
  pinAgain: "再次输入 PIN",
  savePin: "保存 PIN",
  pinInvalid: "PIN 须为 4–6 位数字",
  pinNotCounted: "这不是 4–6 位数字的 PIN（可能是扫码枪的扫码），未计入错误次数。请输入 PIN 解锁",
  pinMismatch: "两次输入的 PIN 不一致",
  lockedTitle: "已锁定",
  pinAfterPasswordChange: "新密码打不开本机已有的记录（密码在别处改过）。请输入本机 PIN 打开，之后新密码也能打开",
  unlock: "解锁",
  pinWrong: "PIN 错误，还可尝试 {n} 次",
  passwordRequired: "PIN 连续错误 5 次，请用密码重新登录（本机数据已保留）",
  siteRetention: "本机保留已交接记录的天数",
  siteRetentionDays: "{n} 天",
  retentionTitle: "本机数据保留",
  retentionKept:
    "已上传、且所在箱已交接的记录，在本机保留 {days} 天：{cutoff} 之前的记录会从本机删除（服务器上的记录不受影响）。未上传或被拒的记录永不删除。",
  retentionLast: "上次清理：{at}，删除 {n} 条记录。",
  retentionNever: "尚未清理过。",
  recordsSealedUnderPreviousPassword:
    "本机有 {n} 条记录尚未上传，由你之前的密码和 PIN 加密，新密码打不开。请管理员把你的密码暂时改回之前的密码，用它登录一次并上传",
  recordsOfAnotherUser: "本机有 {n} 条记录尚未上传，已为原登录人员加密：请原登录人员用其密码登录并上传后，再换人登录",
  lockNow: "锁定",
  logoutRefused: "还有 {n} 条记录未上传，不能退出登录。请先同步。",
  tabQuarantine: "待处理 {n}",
  quarantineIntro: "以下记录被服务器拒收，未计入统计。请更正后重新提交，或填写原因后放弃。",
  quarantineEmpty: "没有待处理的记录",
  quarantineReason: "处理原因",
  quarantineResubmit: "更正后重新提交",
  quarantineDiscard: "放弃此记录",
  quarantineDone: "已处理，将上传到服务器",
  quarantineStillInvalid: "更正后仍不合格：请再核对各项（详情见下）",
  quarantineNotQuarantined: "这条记录已经处理过了",
  eventType: "记录类型",
  tabStation: "采样",
  tabBoxes: "装箱",
  tabHistory: "记录",
  tabSettings: "设置",
  settingsVersion: "版本",
  settingsStorage: "本机存储",
  storagePersisted: "已设为持久存储（浏览器不会自动清除）",
  storageNotPersisted: "未获持久存储：浏览器空间紧张时可能清除数据，请及时同步或安装到主屏幕",
  storageUnknown: "浏览器未说明是否持久存储",
  storageUsage: "已用 {used}，可用约 {free}",
  installApp: "安装到主屏幕",
  installed: "已作为应用安装",
  iosInstall: "在 iPhone/iPad 上安装：用 Safari 打开本页，点“分享”按钮，再点“添加到主屏幕”",
  updateReady: "新版本已就绪",
  updateNow: "立即更新",
  updateAfterTube: "将在本管封管后自动更新",
  updateAfterSync: "将在同步完成后自动更新",
  checkUpdate: "检查更新",
  exportQueue: "导出未同步的登记",
  exportDone: "已导出 {n} 条未同步记录：{file}",
  exportNothing: "没有未同步的记录",
  exportHint: "长时间无网络时，可把导出文件交给管理员导入服务器；之后联网同步不会重复",
  countersStation: "本机今日 {n} 人 / {tubes} 管",
  countersSite: "本点今日 {n} 人",
  void: "作废",
  voidReason: "作废原因",
  confirmVoid: "确认作废",
  voided: "已作废一条登记",
  transfer: "转管（试管破损）",
  transferTo: "新试管条码",
  transferReason: "转管原因",
  confirmTransfer: "确认转管",
  transferred: "已将 {from} 的人员转入 {to}",
  abandonTube: "放弃空管",
  abandonTitle: "放弃空管 {tube}",
  abandonReason: "放弃原因",
  confirmAbandon: "确认放弃",
  abandoned: "已放弃空管 {tube}，请扫描新的试管",
  repeatReason: "复采原因",
  proceedRepeat: "继续登记",
  sealNow: "已满，请封管",
  boxInputLabel: "扫描或输入转运箱码",
  boxTubeInputLabel: "扫描已封管的试管条码装箱",
  currentBox: "当前转运箱",
  boxCount: "{n} 管",
  closeBox: "关箱",
  boxOpened: "已开箱 {box}",
  boxed: "{tube} 已装箱（共 {n} 管）",
  boxClosed: "已关箱 {box}（{n} 管）",
  handover: "交接转运",
  courierName: "转运人员姓名",
  courierPhone: "转运人员手机号",
  vehiclePlate: "车牌号（选填）",
  destinationLab: "送往实验室编码（选填，如 LAB01）",
  confirmHandover: "确认交接",
  handedOver: "转运箱 {box} 已交接，已锁定",
  boxesToHand: "待交接的转运箱",
  handedBoxes: "已交接",
  noBoxes: "暂无",
  noResults: "没有找到",
  tubeStatus_open: "采样中",
  tubeStatus_sealed: "已封管",
  tubeStatus_void: "已作废",
  tubeStatus_transferred: "已转管",
  tubeStatus_abandoned: "已放弃",
  short: "不满管",
  showFull: "显示完整证件号",
  boxStatus_open: "装箱中",
  boxStatus_closed: "已关箱",
  boxStatus_handed_over: "已交接",
  camera_insecure_context: "摄像头需要 HTTPS 安全连接：请用 https 地址打开，或使用手动录入",
  camera_no_camera_api: "此浏览器不支持摄像头，请使用手动录入",
  camera_permission_denied: "摄像头权限被拒绝：请在浏览器设置中允许使用摄像头，或使用手动录入",
  camera_no_camera: "未找到摄像头，请使用手动录入",
  camera_camera_busy: "摄像头被其他应用占用：请关闭其他使用摄像头的应用后重试",
  camera_camera_failed: "无法打开摄像头，请重试或使用手动录入",
  // The station in the field (issue 12): top bar, chip, menu, sheets, undo, voice.
  colon: "：",
  menu: "菜单",
  navigation: "页面",
  chipAllDone: "已上传",
  chipPending: "待传 {n}",
  chipOffline: "离线",
  chipSyncing: "同步中",
  chipRejected: "被拒 {n}",
  chipSignedOut: "需登录",
  chipError: "同步出错",
  syncNowPrefix: "立即同步：",
  voiceOption: "语音播报姓名和管内序号",
  voiceUnavailable: "本设备不支持中文语音播报",
  tabQuarantineShort: "待处理",
  tubeLabel: "试管",
  transferShort: "转管",
  keyboardShow: "显示键盘",
  scanToSealHint: "再扫本管条码即可封管",
  fullNextTubeHint: "直接扫下一支试管：自动封管并开新管",
  undo: "撤销",
  undone: "已撤销 {name} 的登记",
  sealShortTitle: "提前封管",
  reasonOther: "其他",
  reasonOtherLabel: "其他原因",
  reasonPick: "请选择或填写原因",
  sealedAndOpened: "已封管 {sealed}（{count}人），已开新管 {tube}",
  voidTitle: "作废{name}的登记",
  repeatTitle: "复采{name}",
  needsNameTitle: "补填姓名",
  close: "关闭",
  // Quarantine: why the server refused a record, as a sentence saying what to do (issue 12, quarantine block).
  quarantineDetails: "详情",
  quarantineDetailCode: "服务器代码：{code}",
  quarantineStillInvalidFields: "更正后仍不合格，请再核对：",
  rejectedSentence_invalid_event:
    "这条记录有数据不合格，服务器没有收下：请核对下方各项，改正后点“更正后重新提交”；无法改正的，填写原因后放弃。",
  rejectedSentence_event_conflict:
    "服务器上已有一条编号相同、内容不同的记录，这条没有收下：请核对此人是否已登记；仍需登记的点“更正后重新提交”（作为新记录上传），否则填写原因后放弃。",
  rejectedSentence_wrong_site: "这条记录属于其他采样点，本账号不能上传：请填写原因后放弃，或交由该采样点的账号处理。",
  rejectedSentence_wrong_device: "这条记录不是在本机产生的，不能从本机上传：请填写原因后放弃。",
  rejectedSentence_unknown_staff:
    "服务器上没有记录中的登记员（账号可能已删除或调到其他采样点）：点“更正后重新提交”即以当前登录的登记员上传，或填写原因后放弃。",
  rejectedSentence_duplicate_in_batch:
    "同一次上传中有两条编号相同、内容不同的记录：请核对后点“更正后重新提交”，或填写原因后放弃。",
  rejectedSentence_sequence_gap:
    "本机记录的上传顺序出现缺口：缺失的记录补传后这条会自动重传，一般无需处理；长时间不消失请联系管理员。",
  rejectedSentence_unknown: "服务器没有收下这条记录：请核对后点“更正后重新提交”，或填写原因后放弃。",
  rejectedField_name: "姓名不合格（可能含有看不见的字符、为空或过长）：请在下方改正姓名，再点“更正后重新提交”。",
  rejectedField_docType: "证件类型不合格：请在下方选择正确的证件类型，再点“更正后重新提交”。",
  rejectedField_docNumber:
    "证件号码不合格（可能含有看不见的字符、为空或过长）：请对照证件在下方改正号码，再点“更正后重新提交”。",
  rejectedField_phone: "手机号不合格：请在下方改正或清空手机号，再点“更正后重新提交”。",
  rejectedField_community:
    "社区信息不合格（可能含有看不见的字符或过长），此处无法更正：请填写原因后放弃，再为此人重新登记。",
  rejectedField_tubeCode: "试管条码不合格，此处无法更正：请填写原因后放弃，再重新扫管登记。",
  rejectedField_boxCode: "转运箱条码不合格，此处无法更正：请填写原因后放弃，再重新扫箱。",
  rejectedField_reason: "填写的原因不合格（可能含有看不见的字符、为空或过长）：请填写原因后放弃，再重新操作一次。",
  rejectedField_courier: "转运人员信息（姓名、手机号或车牌）不合格：请填写原因后放弃，再重新交接。",
  rejectedField_staff: "记录中的登记员编号不合格：点“更正后重新提交”即以当前登录的登记员上传。",
  rejectedField_time: "记录的时间不合格（本机时钟可能有误）：请检查本机日期和时间，再点“更正后重新提交”。",
  // History search and site settings (issue 12, items 6 and 7).
  historySearchLabel: "搜索：姓名、证件号后4–6位、管码、箱码",
  historySearchHint: "如 张三、002X、试管条码",
  historyNothing: "没有找到“{q}”",
  historyLimited: "只显示最新的 {n} 支试管，请输入更多内容缩小范围",
  historyShow: "显示号码",
  historyVoided: "已作废：{reason}（{who}，{time}）",
  historyTransferredTo: "已转管至 {tube}：{reason}（{who}，{time}）",
  historyAbandoned: "空管已放弃：{reason}（{who}，{time}）",
  historyTransferredFrom: "由 {tube} 转入",
  historySealed: "封管于 {time}",
  historyRepeat: "复采原因：{reason}",
  historyHandover: "已交接：{courier}，{phone}，{time}（经手：{who}）",
  historyPlate: "车牌：{plate}",
  historyOneTube: "1 管",
  historyTubes: "{n} 管",
  historyStaffUnknown: "工作人员 {id}",
  siteSettingsTitle: "采样点设置",
  siteSettingsHint: "采样点 {code}。已开的试管保持原人数；本机保存后立即生效，其他设备下次同步时更新。",
  siteName: "采样点名称",
  sitePoolSize: "每管人数（混采）",
  sitePoolOne: "1 人（单采）",
  sitePoolMany: "{n} 人",
  sitePhoneRequired: "登记时必须填写手机号",
  sitePhoneRuleOn: "必须填写手机号",
  sitePhoneRuleOff: "手机号选填",
  siteSave: "保存设置",
  siteSaving: "正在保存…",
  siteSaved: "设置已保存：新开的试管每管 {pool}，{phone}",
  siteProblem_name_empty: "请填写采样点名称",
  siteProblem_name_too_long: "采样点名称最多 64 个字",
  siteProblem_name_bad_characters: "采样点名称不能含有控制字符",
  siteProblem_unchanged: "设置没有改动",
  siteProblem_offline: "无法连接服务器，设置未保存：请联网后重试",
  siteProblem_signed_out: "登录已失效，设置未保存：请重新登录后重试",
  siteProblem_forbidden_role: "只有采样点负责人或管理员可以修改设置",
  siteProblem_wrong_site: "此账号不能修改这个采样点的设置",
  siteProblem_unknown_site: "服务器上没有这个采样点",
  siteProblem_refused: "服务器拒绝了这些设置（{code}），设置未保存",
  siteProblem_server: "服务器暂时出错，设置未保存，请稍后重试",
  boxLabelsTitle: "打印箱签",
  boxLabelsHint: "为采样点 {code} 领取新的箱号并打印箱签（50×30 毫米）。箱号由服务器统一分配，不会重复。",
  boxLabelsCount: "张数（1–500）",
  boxLabelsReserve: "领取箱号并预览",
  boxLabelsReserved: "已领取 {n} 个箱号：",
  boxLabelsPrint: "打印箱签",
  boxLabelsPreview: "箱签预览",
  boxLabelsProblem_count: "张数须为 1 到 500 的整数",
  boxLabelsProblem_offline: "需要联网：箱号由服务器统一分配，离线时不能打印箱签。请联网后再试",
  boxLabelsProblem_signed_out: "登录已失效，未领取箱号：请重新登录后再试",
  boxLabelsProblem_forbidden: "此账号不能为这个采样点打印箱签",
  boxLabelsProblem_pattern: "本采样点的箱码规则容不下打印的箱号，请联系管理员修改规则",
  boxLabelsProblem_refused: "服务器拒绝了请求（{code}），未领取箱号",
  boxLabelsProblem_server: "服务器暂时出错，未领取箱号，请稍后重试",
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  appName: "SamplePoint",
  language: "中文",
  loginTitle: "Sign in",
  username: "Username",
  password: "Password",
  login: "Sign in",
  loggingIn: "Signing in…",
  logout: "Sign out",
  site: "Site",
  staff: "Staff",
  tubeInputLabel: "Scan or type the tube barcode",
  tubeInputHint: "Tube first, then residents",
  openTube: "Open tube",
  residentInputLabel: "Scan resident code or type ID number",
  submit: "OK",
  manualEntry: "Manual entry",
  docType: "Document type",
  docNumber: "Document number",
  name: "Name",
  phone: "Mobile (optional)",
  phoneRequired: "Mobile",
  register: "Register",
  cancel: "Cancel",
  currentTube: "Current tube",
  members: "In this tube",
  noMembers: "Nobody yet",
  seal: "Seal tube",
  sealShortConfirm: "The tube is not full ({count}/{capacity}). Seal it early and mark it short?",
  confirmSealShort: "Seal short tube",
  tubeOpened: "Tube {tube} opened",
  registered: "Registered {name} ({count}/{capacity})",
  rosterOn: "on roster · {grid}",
  rosterAbsent: "not on roster",
  rosterNameDiffers: "⚠ the roster names this document's holder {name}: check",
  tubeFull: "Tube full ({capacity}): seal it and take a new tube",
  sealed: "Tube {tube} sealed ({count, plural, one {# person} other {# people}})",
  sealedShort: "Tube {tube} sealed short ({count, plural, one {# person} other {# people}})",
  needsName: "ID {doc}: type the name",
  syncPending: "{n} to upload",
  syncRejected: "{n} rejected",
  syncAllDone: "All uploaded",
  syncNow: "Sync now",
  syncing: "Syncing…",
  offline: "Offline",
  lastSync: "Last sync {time}",
  nextRetry: "next try at {time}",
  never: "never",
  signedOut: "Session expired: sign in again to upload",
  syncError: "Sync error: {code}",
  syncWrongSite:
    "The queue holds another site's registrations, which this account cannot upload: sign in with an account of that site",
  loginFailed: "Sign-in failed: {message}",
  networkDown: "Cannot reach the server; check the network",
  wrongCredentials: "Wrong username or password",
  tooManyAttempts: "Too many failed sign-ins: try again in {minutes} min",
  scanner: "Scanner",
  openScanner: "Scan",
  closeScanner: "Close camera",
  torch: "Torch",
  switchCamera: "Switch camera",
  alreadyScanned: "Already scanned",
  spokenCues: "Spoken cues",
  tubeFullSpoken: "{capacity} people, tube full, take a new tube",
  setPinTitle: "Set an unlock PIN",
  setPinHint: "Choose a 4–6 digit PIN to unlock this device",
  pin: "PIN",
  pinAgain: "PIN again",
  savePin: "Save PIN",
  pinInvalid: "The PIN must be 4–6 digits",
  pinNotCounted:
    "That is not a 4–6 digit PIN (a scanner gun's code?): not counted as a wrong PIN. Type the PIN to unlock",
  pinMismatch: "The two PINs differ",
  lockedTitle: "Locked",
  pinAfterPasswordChange:
    "The new password cannot open this phone's records (it was changed elsewhere). Enter this phone's PIN to open them; the new password will open them from then on",
  unlock: "Unlock",
  pinWrong: "Wrong PIN: {n} tries left",
  passwordRequired: "Five wrong PINs: sign in with your password (data on this device is kept)",
  siteRetention: "Days phones keep handed-over records",
  siteRetentionDays: "{n, plural, one {# day} other {# days}}",
  retentionTitle: "Data kept on this phone",
  retentionKept:
    "Uploaded records whose box was handed over are kept here for {days} days: records from before {cutoff} are deleted from this phone (the server's copy is not touched). Records not yet uploaded or refused are never deleted.",
  retentionLast: "Last clean-up: {at}, {n} records deleted.",
  retentionNever: "No clean-up yet.",
  recordsSealedUnderPreviousPassword:
    "This phone holds {n} records not yet uploaded, sealed under your previous password and PIN: the new password cannot open them. Ask an admin to set your password back to the previous one for one sign-in, and upload them",
  recordsOfAnotherUser:
    "This phone holds {n} records not yet uploaded, encrypted for the staff who recorded them: they must sign in with their password and upload first",
  lockNow: "Lock",
  logoutRefused:
    "{n, plural, one {# record is} other {# records are}} not uploaded yet: sign-out is refused. Sync first.",
  tabQuarantine: "Quarantine {n}",
  quarantineIntro:
    "The server refused these records; they do not count. Correct and resubmit them, or discard them with a reason.",
  quarantineEmpty: "Nothing in quarantine",
  quarantineReason: "Reason for the decision",
  quarantineResubmit: "Correct and resubmit",
  quarantineDiscard: "Discard this record",
  quarantineDone: "Decided; it will be uploaded",
  quarantineStillInvalid: "Still not valid after the correction: check the fields again (details below)",
  quarantineNotQuarantined: "This record was already decided",
  eventType: "Record",
  tabStation: "Tubes",
  tabBoxes: "Boxes",
  tabHistory: "History",
  tabSettings: "Settings",
  settingsVersion: "Version",
  settingsStorage: "Storage on this device",
  storagePersisted: "Persistent storage granted (the browser will not clear it)",
  storageNotPersisted:
    "No persistent storage: the browser may clear data when space runs low — sync often, or install the app",
  storageUnknown: "The browser does not say whether storage is persistent",
  storageUsage: "{used} used, about {free} free",
  installApp: "Install to home screen",
  installed: "Installed as an app",
  iosInstall: "To install on iPhone/iPad: open this page in Safari, tap Share, then “Add to Home Screen”",
  updateReady: "A new version is ready",
  updateNow: "Update now",
  updateAfterTube: "Will update once this tube is sealed",
  updateAfterSync: "Will update once the sync is done",
  checkUpdate: "Check for updates",
  exportQueue: "Export unsynced registrations",
  exportDone: "Exported {n, plural, one {# unsynced record} other {# unsynced records}}: {file}",
  exportNothing: "Nothing unsynced",
  exportHint:
    "With no network for a long time, give the file to an administrator to import on the server; a later sync does not duplicate it",
  countersStation:
    "Today: device {n, plural, one {# person} other {# people}} / {tubes, plural, one {# tube} other {# tubes}}",
  countersSite: "site {n, plural, one {# person} other {# people}}",
  void: "Void",
  voidReason: "Reason for voiding",
  confirmVoid: "Void registration",
  voided: "Registration voided",
  transfer: "Transfer (damaged tube)",
  transferTo: "New tube barcode",
  transferReason: "Reason for the transfer",
  confirmTransfer: "Transfer people",
  transferred: "People of {from} moved to {to}",
  abandonTube: "Abandon tube",
  abandonTitle: "Abandon empty tube {tube}",
  abandonReason: "Why abandon it",
  confirmAbandon: "Abandon tube",
  abandoned: "Empty tube {tube} abandoned: scan a new tube",
  repeatReason: "Reason to sample again",
  proceedRepeat: "Register anyway",
  sealNow: "Tube full: seal it",
  boxInputLabel: "Scan or type the box barcode",
  boxTubeInputLabel: "Scan a sealed tube to pack it",
  currentBox: "Current box",
  boxCount: "{n, plural, one {# tube} other {# tubes}}",
  closeBox: "Close box",
  boxOpened: "Box {box} opened",
  boxed: "{tube} packed ({n, plural, one {# tube} other {# tubes}})",
  boxClosed: "Box {box} closed ({n, plural, one {# tube} other {# tubes}})",
  handover: "Hand over",
  courierName: "Courier name",
  courierPhone: "Courier mobile",
  vehiclePlate: "Vehicle plate (optional)",
  destinationLab: "Destination lab code (optional, e.g. LAB01)",
  confirmHandover: "Confirm handover",
  handedOver: "Box {box} handed over and locked",
  boxesToHand: "Boxes to hand over",
  handedBoxes: "Handed over",
  noBoxes: "None",
  noResults: "Nothing found",
  tubeStatus_open: "open",
  tubeStatus_sealed: "sealed",
  tubeStatus_void: "void",
  tubeStatus_transferred: "transferred",
  tubeStatus_abandoned: "abandoned",
  short: "short",
  showFull: "Show full number",
  boxStatus_open: "packing",
  boxStatus_closed: "closed",
  boxStatus_handed_over: "handed over",
  camera_insecure_context: "The camera needs a secure (HTTPS) connection: open the https address, or use manual entry",
  camera_no_camera_api: "This browser has no camera support: use manual entry",
  camera_permission_denied: "Camera permission denied: allow the camera in the browser settings, or use manual entry",
  camera_no_camera: "No camera found: use manual entry",
  camera_camera_busy: "The camera is in use by another app: close it and try again",
  camera_camera_failed: "The camera could not be opened: try again or use manual entry",
  // The station in the field (issue 12): top bar, chip, menu, sheets, undo, voice.
  colon: ": ",
  menu: "Menu",
  navigation: "Screens",
  chipAllDone: "Uploaded",
  chipPending: "{n} to send",
  chipOffline: "Offline",
  chipSyncing: "Syncing",
  chipRejected: "{n} rejected",
  chipSignedOut: "Sign in",
  chipError: "Sync error",
  syncNowPrefix: "Sync now: ",
  voiceOption: "Say each name and its place in the tube",
  voiceUnavailable: "This device cannot speak Chinese",
  tabQuarantineShort: "Rejected",
  tubeLabel: "Tube",
  transferShort: "Transfer",
  keyboardShow: "Show keyboard",
  scanToSealHint: "Scan this tube again to seal it",
  fullNextTubeHint: "Scan the next tube: this one is sealed and the new one opened",
  undo: "Undo",
  undone: "Registration of {name} undone",
  sealShortTitle: "Seal early",
  reasonOther: "Other",
  reasonOtherLabel: "Other reason",
  reasonPick: "Pick or type a reason",
  sealedAndOpened: "Sealed {sealed} ({count, plural, one {# person} other {# people}}); opened {tube}",
  voidTitle: "Void the registration of {name}",
  repeatTitle: "Sample {name} again",
  needsNameTitle: "Enter the name",
  close: "Close",
  // Quarantine: why the server refused a record, as a sentence saying what to do (issue 12, quarantine block).
  quarantineDetails: "Details",
  quarantineDetailCode: "Server code: {code}",
  quarantineStillInvalidFields: "Still not valid after the correction, check again:",
  rejectedSentence_invalid_event:
    "The server did not accept this record because some of its data is invalid: check the fields below, correct them and tap “Correct and resubmit”; if it cannot be corrected, discard it with a reason.",
  rejectedSentence_event_conflict:
    "The server already has a different record with the same ID, so it did not accept this one: check whether this person is already registered; if they still need registering, tap “Correct and resubmit” (it is uploaded as a new record), otherwise discard it with a reason.",
  rejectedSentence_wrong_site:
    "This record belongs to another sampling site and cannot be uploaded with this account: discard it with a reason, or leave it to that site's account.",
  rejectedSentence_wrong_device:
    "This record was made on another device and cannot be uploaded from this one: discard it with a reason.",
  rejectedSentence_unknown_staff:
    "The server does not know the staff member named in this record (the account may have been removed or moved to another site): tap “Correct and resubmit” to upload it as the staff member signed in now, or discard it with a reason.",
  rejectedSentence_duplicate_in_batch:
    "The same upload held two different records with the same ID: check it and tap “Correct and resubmit”, or discard it with a reason.",
  rejectedSentence_sequence_gap:
    "This device's records reached the server out of order: this one is sent again by itself once the missing ones arrive, so usually nothing is needed; if it stays, call an administrator.",
  rejectedSentence_unknown:
    "The server did not accept this record: check it and tap “Correct and resubmit”, or discard it with a reason.",
  rejectedField_name:
    "The name is not valid (it may hold an invisible character, or be empty or too long): correct the name below, then tap “Correct and resubmit”.",
  rejectedField_docType:
    "The document type is not valid: choose the right type below, then tap “Correct and resubmit”.",
  rejectedField_docNumber:
    "The document number is not valid (it may hold an invisible character, or be empty or too long): correct it below from the document, then tap “Correct and resubmit”.",
  rejectedField_phone: "The mobile number is not valid: correct or clear it below, then tap “Correct and resubmit”.",
  rejectedField_community:
    "The community is not valid (an invisible character, or too long) and cannot be corrected here: discard this record with a reason, then register the person again.",
  rejectedField_tubeCode:
    "The tube code is not valid and cannot be corrected here: discard this record with a reason, then scan the tube and register again.",
  rejectedField_boxCode:
    "The box code is not valid and cannot be corrected here: discard this record with a reason, then scan the box again.",
  rejectedField_reason:
    "The reason given is not valid (an invisible character, or empty or too long): discard this record with a reason, then do it again.",
  rejectedField_courier:
    "The courier's details (name, mobile or plate) are not valid: discard this record with a reason, then hand the box over again.",
  rejectedField_staff:
    "The staff ID in this record is not valid: tap “Correct and resubmit” to upload it as the staff member signed in now.",
  rejectedField_time:
    "The record's time is not valid (this device's clock may be wrong): check this device's date and time, then tap “Correct and resubmit”.",
  // History search and site settings (issue 12, items 6 and 7).
  historySearchLabel: "Search: name, last 4–6 of the number, tube or box",
  historySearchHint: "e.g. Zhang, 002X, a tube code",
  historyNothing: "Nothing found for “{q}”",
  historyLimited: "Showing the newest {n} tubes only: type more to narrow the search",
  historyShow: "Show number",
  historyVoided: "Voided: {reason} ({who}, {time})",
  historyTransferredTo: "Moved to {tube}: {reason} ({who}, {time})",
  historyAbandoned: "Abandoned while empty: {reason} ({who}, {time})",
  historyTransferredFrom: "Moved here from {tube}",
  historySealed: "Sealed {time}",
  historyRepeat: "Sampled again: {reason}",
  historyHandover: "Handed over: {courier}, {phone}, {time} (by {who})",
  historyPlate: "Plate: {plate}",
  historyOneTube: "1 tube",
  historyTubes: "{n} tubes",
  historyStaffUnknown: "staff {id}",
  siteSettingsTitle: "Site settings",
  siteSettingsHint:
    "Site {code}. Tubes already open keep their size; this device uses the new settings at once, other devices on their next sync.",
  siteName: "Site name",
  sitePoolSize: "People per tube (pooling)",
  sitePoolOne: "1 person (single)",
  sitePoolMany: "{n} people",
  sitePhoneRequired: "A mobile number is required to register",
  sitePhoneRuleOn: "mobile number required",
  sitePhoneRuleOff: "mobile number optional",
  siteSave: "Save settings",
  siteSaving: "Saving…",
  siteSaved: "Settings saved: new tubes take {pool}, {phone}",
  siteProblem_name_empty: "Enter the site name",
  siteProblem_name_too_long: "The site name can have at most 64 characters",
  siteProblem_name_bad_characters: "The site name may not contain control characters",
  siteProblem_unchanged: "Nothing was changed",
  siteProblem_offline: "Cannot reach the server; settings NOT saved: connect and try again",
  siteProblem_signed_out: "Your sign-in is no longer valid; settings NOT saved: sign in again and retry",
  siteProblem_forbidden_role: "Only a site lead or an admin may change site settings",
  siteProblem_wrong_site: "This account may not change this site's settings",
  siteProblem_unknown_site: "The server has no such site",
  siteProblem_refused: "The server refused these settings ({code}); nothing was saved",
  siteProblem_server: "Server error; settings NOT saved: try again later",
  boxLabelsTitle: "Box labels",
  boxLabelsHint:
    "Reserve new box codes for site {code} and print their labels (50×30 mm). The server hands out each code once.",
  boxLabelsCount: "How many labels (1–500)",
  boxLabelsReserve: "Reserve codes and preview",
  boxLabelsReserved: "Reserved {n, plural, one {# box code} other {# box codes}}:",
  boxLabelsPrint: "Print labels",
  boxLabelsPreview: "Box label preview",
  boxLabelsProblem_count: "Enter a whole number from 1 to 500",
  boxLabelsProblem_offline:
    "Needs the network: the server hands out box codes, so labels cannot be printed offline. Connect and try again",
  boxLabelsProblem_signed_out: "Signed out; no codes reserved: sign in again and retry",
  boxLabelsProblem_forbidden: "This account may not print box labels for this site",
  boxLabelsProblem_pattern: "This site's box code rule cannot hold printed codes: ask an administrator to change it",
  boxLabelsProblem_refused: "The server refused ({code}); no codes reserved",
  boxLabelsProblem_server: "Server error; no codes reserved: try again later",
};

const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { zh, en };

import { DOC_TYPE_NAMES } from "../../domain/documentNames";

export { DOC_TYPE_NAMES };

const KIND_NAMES: Record<Lang, Record<ScanKind, string>> = {
  zh: { tube: "试管条码", resident: "居民码", box: "转运箱码" },
  en: { tube: "a tube barcode", resident: "a resident code", box: "a box barcode" },
};

const DOCUMENT_REASONS: Record<Lang, Record<DocumentRejection, string>> = {
  zh: {
    empty: "证件号为空",
    wrong_length: "证件号位数不对",
    bad_characters: "证件号含有无效字符",
    bad_check_digit: "校验位错误，请核对证件号",
    impossible_date: "出生日期不存在",
    future_date: "出生日期在未来",
    bad_region: "地区码无效",
    bad_prefix: "证件号开头不符合该证件类型",
    is_residence_permit: "这是港澳台居民居住证号码，请选择对应证件类型",
  },
  en: {
    empty: "the number is empty",
    wrong_length: "wrong number of characters",
    bad_characters: "invalid characters",
    bad_check_digit: "check digit wrong: re-check the number",
    impossible_date: "the birth date does not exist",
    future_date: "the birth date is in the future",
    bad_region: "invalid region code",
    bad_prefix: "the number does not start as this document type does",
    is_residence_permit: "this is a HK/Macau/Taiwan residence permit number: choose that type",
  },
};

/** Chinese text takes the full-width colon. */
const COLON: Record<Lang, string> = { zh: "：", en: ": " };

// English plurals, ICU-style: "{n, plural, one {# tube} other {# tubes}}" (Chinese needs none).
const PLURAL = /\{(\w+), plural, one \{([^{}]*)\} other \{([^{}]*)\}\}/g;

export const fill = (template: string, values: Record<string, string | number>) =>
  template
    .replace(PLURAL, (_m, key: string, one: string, other: string) =>
      (Number(values[key]) === 1 ? one : other).replace(/#/g, String(values[key] ?? "")),
    )
    .replace(/\{(\w+)\}/g, (_m, key: string) => String(values[key] ?? `{${key}}`));

/**
 * Times and dates the same way on every screen: 24-hour clock in both languages (zh-CN "12/03 14:05",
 * en-GB "03/12, 14:05"), so a time in English never switches between "2:05 PM" and "14:05" from screen to screen.
 */
const dateLocale = (lang: Lang) => (lang === "zh" ? "zh-CN" : "en-GB");

/** Hour and minute ("14:05"). */
export const formatTime = (at: string | Date, lang: Lang): string =>
  new Date(at).toLocaleTimeString(dateLocale(lang), { hour: "2-digit", minute: "2-digit", hour12: false });

/** Hour, minute and second ("14:05:09"), for the last sync and the next retry. */
export const formatTimeSeconds = (at: string | Date, lang: Lang): string =>
  new Date(at).toLocaleTimeString(dateLocale(lang), {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  });

/** Month, day, hour and minute ("12/03 14:05" / "03/12, 14:05"). */
export const formatDateTime = (at: string | Date, lang: Lang): string =>
  new Date(at).toLocaleString(dateLocale(lang), {
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });

function residentCodeMessage(lang: Lang, error: ResidentCodeError): string {
  const zhMode = lang === "zh";
  switch (error.code) {
    case "bad_document":
      return `${DOC_TYPE_NAMES[lang][error.docType]}${COLON[lang]}${DOCUMENT_REASONS[lang][error.reason]}`;
    case "bad_phone":
      return zhMode ? "手机号无效（应为11位，以13–19开头）" : "Invalid mobile number (11 digits starting 13–19)";
    case "bad_name":
      return zhMode
        ? "姓名无效：只能包含文字和间隔号"
        : "Invalid name: use letters only (and the middle dot · of minority names)";
    case "name_too_long":
      return zhMode ? `姓名过长（最多${error.max}字）` : `Name too long (at most ${error.max})`;
    case "unsupported_version":
      return zhMode ? `不支持的居民码版本 ${error.version}` : `Unsupported resident code version ${error.version}`;
    case "unknown_doc_type":
      return zhMode ? `未知证件类型 ${error.docType}` : `Unknown document type ${error.docType}`;
    case "bad_field":
      return zhMode
        ? "居民码字段含有非法字符或首尾空格"
        : "A field holds a control character, a separator or outer spaces";
    default:
      return zhMode ? `居民码无效（${error.code}）` : `Invalid resident code (${error.code})`;
  }
}

function problemMessage(lang: Lang, problem: StationProblem): string {
  const zhMode = lang === "zh";
  switch (problem.code) {
    case "empty_scan":
      return zhMode ? "没有读到内容" : "Nothing was read";
    case "wrong_kind":
      return zhMode
        ? `这是${KIND_NAMES.zh[problem.got]}，此处需要${KIND_NAMES.zh[problem.expected]}`
        : `That is ${KIND_NAMES.en[problem.got]}; ${KIND_NAMES.en[problem.expected]} is expected here`;
    case "unrecognised_code":
      return zhMode
        ? `无法识别的条码，此处需要${KIND_NAMES.zh[problem.expected]}`
        : `Unrecognised code; ${KIND_NAMES.en[problem.expected]} is expected here`;
    case "invalid_resident_code":
    case "invalid_resident":
      return residentCodeMessage(lang, problem.error);
    case "tube_exists":
      return zhMode
        ? `试管 ${problem.tubeCode} 已使用过（${{ sealed: "已封管", open: "未封管", void: "已作废" }[problem.status]}），请换一支试管`
        : `Tube ${problem.tubeCode} was already used (${problem.status}); take another tube`;
    case "tube_already_open":
      return zhMode
        ? `试管 ${problem.tubeCode} 尚未封管，请先封管再开新管`
        : `Tube ${problem.tubeCode} is still open: seal it before opening another`;
    case "no_such_tube":
      return zhMode ? "没有打开的试管，请先扫试管" : "No tube is open: scan a tube first";
    case "tube_sealed":
      return zhMode ? `试管 ${problem.tubeCode} 已封管` : `Tube ${problem.tubeCode} is sealed`;
    case "tube_full":
      return zhMode ? `试管已满（${problem.capacity}人），请封管` : `Tube is full (${problem.capacity}): seal it`;
    case "already_in_tube":
      return zhMode ? "此人已在本管中" : "This person is already in this tube";
    case "no_such_registration":
      return zhMode ? "找不到该登记" : "No such registration";
    case "already_voided":
      return zhMode ? "该登记已作废" : "Already voided";
    case "short_needs_confirmation":
      return fill(DICTIONARIES[lang].sealShortConfirm, { count: problem.count, capacity: problem.capacity });
    case "empty_tube":
      return zhMode
        ? "空管不能封管：如扫错了试管，请点“放弃空管”"
        : "An empty tube cannot be sealed: if it was scanned by mistake, abandon it";
    case "tube_not_empty":
      return zhMode
        ? `试管 ${problem.tubeCode} 中有 ${problem.count} 人，不能放弃：请先作废或转管`
        : `Tube ${problem.tubeCode} has ${problem.count} ${problem.count === 1 ? "person" : "people"}: void them or transfer the tube instead`;
    case "phone_required":
      return zhMode ? "本采样点要求填写手机号" : "This site requires a mobile number";
    case "tube_void":
      return zhMode
        ? `试管 ${problem.tubeCode} 已作废${problem.transferredTo ? `（人员已转入 ${problem.transferredTo}）` : ""}`
        : `Tube ${problem.tubeCode} is void${problem.transferredTo ? ` (people moved to ${problem.transferredTo})` : ""}`;
    case "registered_today": {
      const time = formatTime(problem.registeredAt, lang);
      return zhMode
        ? `此人今天 ${time} 已在试管 ${problem.tubeCode} 登记。如需复采，请填写原因后继续`
        : `Already registered today at ${time} in tube ${problem.tubeCode}. To sample again, give a reason`;
    }
    case "reason_required":
      return zhMode ? "请填写原因" : "A reason is required";
    case "tube_in_box":
      return zhMode
        ? `试管 ${problem.tubeCode} 已装入转运箱 ${problem.boxCode}`
        : `Tube ${problem.tubeCode} is already in box ${problem.boxCode}`;
    case "other_tube_open":
      return zhMode ? `请先封管 ${problem.tubeCode}` : `Seal tube ${problem.tubeCode} first`;
    case "box_exists":
      return zhMode ? `转运箱 ${problem.boxCode} 已使用过` : `Box ${problem.boxCode} was already used`;
    case "box_already_open":
      return zhMode
        ? `转运箱 ${problem.boxCode} 尚未关箱，请先关箱`
        : `Box ${problem.boxCode} is still open: close it first`;
    case "no_such_box":
      return zhMode ? "没有打开的转运箱，请先扫箱码" : "No box is open: scan a box first";
    case "box_not_open":
      return zhMode
        ? `转运箱 ${problem.boxCode} 已关箱，不能再装管`
        : `Box ${problem.boxCode} is closed: no more tubes`;
    case "tube_not_sealed":
      return zhMode
        ? `试管 ${problem.tubeCode} 未封管，不能装箱`
        : `Tube ${problem.tubeCode} is not sealed: it cannot be boxed`;
    case "empty_box":
      return zhMode ? "空箱不能关箱" : "An empty box cannot be closed";
    case "box_locked":
      return zhMode
        ? `转运箱 ${problem.boxCode} 已交接，已锁定`
        : `Box ${problem.boxCode} was handed over and is locked`;
    case "box_not_closed":
      return zhMode ? "请先关箱再交接" : "Close the box before handing it over";
    case "courier_name_required":
      return zhMode ? "请填写转运人员姓名" : "Enter the courier's name";
    case "recalled_resident":
      return zhMode
        ? `复核人员：请单管采样（${problem.name}）。${problem.tubeOpen ? "先封好当前试管，再扫一支新试管为其单独采样" : "扫一支新试管，即为其单独开管采样"}`
        : `Recalled resident: sample alone (${problem.name}). ${problem.tubeOpen ? "Seal the open tube, then scan a new tube for this person" : "Scan a new tube: it opens for this person alone"}`;
    case "bad_lab_code":
      return zhMode
        ? "实验室编码只能包含大写字母、数字、- 或 _（如 LAB01）"
        : "A lab code has only capital letters, digits, - or _ (e.g. LAB01)";
    case "bad_courier_phone":
      return zhMode ? "转运人员手机号无效" : "Invalid courier mobile number";
    case "storage_full":
      return zhMode
        ? "存储空间不足，本条未登记：请立即同步，释放空间后再登记（已保存的登记不会丢失）"
        : "Storage full, this entry was NOT registered: sync now, then register again once space is freed (nothing saved is lost)";
    case "storage_failed":
      return zhMode
        ? `保存失败，本条未登记：${problem.message}`
        : `Could not save; this entry was NOT registered: ${problem.message}`;
    // Station input logic (issue 12): garbled gun codes, undo, reasons, confirmed seal count.
    case "garbled_code":
      return zhMode
        ? "居民码读取不完整（姓名缺失或乱码），未登记：扫码枪无法输入汉字。请将扫码枪切换到 Unicode（Alt+小键盘）模式，或改用摄像头扫码"
        : "The resident code arrived garbled (name missing or unreadable) and was NOT registered: the scanner gun cannot type Chinese characters. Switch the gun to its Unicode (Alt+numpad) mode, or scan with the camera";
    case "nothing_to_undo":
      return zhMode ? "没有可撤销的登记" : "Nothing to undo";
    case "undo_expired":
      return zhMode
        ? `登记已超过 ${problem.seconds} 秒，不能撤销：请使用作废并选择原因`
        : `More than ${problem.seconds} s have passed: it can no longer be undone; void it with a reason instead`;
    case "undo_tube_sealed":
      return zhMode
        ? `试管 ${problem.tubeCode} 已封管，不能撤销`
        : `Tube ${problem.tubeCode} is sealed: the registration can no longer be undone`;
    case "undo_not_last":
      return zhMode
        ? "只能撤销最近一次登记，其他登记请使用作废"
        : "Only the latest registration can be undone; void the others instead";
    case "unknown_reason":
      return zhMode ? `未知的原因（${problem.reasonCode}）` : `Unknown reason (${problem.reasonCode})`;
    case "reason_too_long":
      return zhMode ? `原因过长（最多 ${problem.max} 字）` : `Reason too long (at most ${problem.max} characters)`;
  }
}

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, values?: Record<string, string | number>): string;
  /** The other language's text, for errors shown in both. */
  tOther(key: MessageKey, values?: Record<string, string | number>): string;
  problem(problem: StationProblem): string;
  /** The same message in the other language, shown beneath errors so that both are always there. */
  problemInOtherLang(problem: StationProblem): string;
  docTypeName(docType: DocType): string;
  /** Why a document number is refused, for live validation in forms. */
  documentReason(docType: DocType, reason: DocumentRejection): string;
}

const LANG_KEY = "samplepoint.lang";
const I18nContext = createContext<I18n | null>(null);

function initialLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh";
  } catch {
    return "zh";
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(LANG_KEY, next);
    } catch {
      // A preference only: without storage the choice lasts for this page.
    }
  }, []);
  // The page's language follows the choice (screen readers, fonts, and hyphenation depend on it).
  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }, [lang]);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, values) => fill(DICTIONARIES[lang][key], values ?? {}),
      tOther: (key, values) => fill(DICTIONARIES[lang === "zh" ? "en" : "zh"][key], values ?? {}),
      problem: (p) => problemMessage(lang, p),
      problemInOtherLang: (p) => problemMessage(lang === "zh" ? "en" : "zh", p),
      docTypeName: (d) => DOC_TYPE_NAMES[lang][d],
      documentReason: (d, r) => `${DOC_TYPE_NAMES[lang][d]}${COLON[lang]}${DOCUMENT_REASONS[lang][r]}`,
    }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}

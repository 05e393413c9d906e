"""The words of the refusals the web itself makes (web/services, web/api, web/accounts, the domain's
checks the web runs): what was wrong, the field by its label, and what to do next — in Chinese and
English. A refusal shows these where its own message is not in the reader's language (most of the web's
messages are written for an API caller), so no page says "未被接受 (代码 X)". Merged into the UI's
catalogue as ``refusal.<CODE>``; tests/web/test_ui_words.py fails on a code raised in web/ without them.
"""

from __future__ import annotations

from web.accounts import MIN_PASSWORD_LENGTH
from web.services.tasks import MAX_ATTACHMENT_BYTES
from web.services.webhooks import MAX_PER_AGENCY

_ATTACHMENT_MB = MAX_ATTACHMENT_BYTES // 2**20

# code: (中文, English)
WEB_REFUSALS: dict[str, tuple[str, str]] = {
    # --- signing in, sessions, accounts ---------------------------------------------------------------
    "UNAUTHENTICATED": ("请先登录再继续", "Please sign in first"),
    "INVALID_TOKEN": (
        "登录已过期或已退出: 请重新登录",
        "Your session has expired or was signed out: sign in again",
    ),
    "INVALID_CREDENTIALS": (
        "用户名或密码不正确: 请核对后重新输入",
        "Wrong user name or password: check and try again",
    ),
    "FIELD_REQUIRED": (
        "有必填项未填写: 请填写标有 * 的栏目",
        "A required field is empty: fill in the fields marked *",
    ),
    "STAFF_ONLY": (
        "当事人账户不能使用法院工作人员的功能: 请从当事人入口 (/p) 办理",
        "A party's account opens no court staff page: use the parties' entrance (/p)",
    ),
    "PARTIES_ONLY": (
        "此功能仅供当事人使用: 请用当事人账户登录",
        "This is for parties only: sign in with a party's account",
    ),
    "INVALID_USERNAME": (
        "「用户名」须为 2–64 位小写字母、数字或 . _ -: 请改正",
        "“User name” is 2–64 lower-case letters, digits, '.', '_' or '-': correct it",
    ),
    "USERNAME_TAKEN": ("「用户名」已被使用: 请换一个", "“User name” is taken: choose another"),
    "USER_NOT_FOUND": ("没有这个用户: 请核对「用户名」", "No such user: check “User name”"),
    "INVALID_ROLE": ("「角色」不正确: 请从列表中选择", "“Role” is not one we know: choose from the list"),
    "PASSWORD_TOO_SHORT": (
        f"「密码」太短: 请至少使用 {MIN_PASSWORD_LENGTH} 个字符",
        f"“Password” is too short: use at least {MIN_PASSWORD_LENGTH} characters",
    ),
    "PASSWORD_IS_USERNAME": (
        "「密码」不能与用户名相同: 请换一个",
        "“Password” may not be the user name: choose another",
    ),
    "PASSWORD_TOO_COMMON": (
        "「密码」过于常见, 容易被猜中: 请换一个不常见的密码",
        "“Password” is among the first an attacker tries: choose a less common one",
    ),
    "INVALID_COURT": (
        "「法院」名称不正确: 请填写法院全称 (2–100 个字, 不含引号或控制字符)",
        "“Court” is not a court's name: write it in full (2–100 characters, no quotes or control characters)",
    ),
    "COURT_REQUIRED": ("该角色须属于一个法院: 请选择「所属法院」", "This role belongs to one court: choose “Court”"),
    "COURTS_REQUIRED": (
        "该角色须属于一个或多个法院 (不超过上限): 请选择「所属法院」",
        "This role belongs to one or more courts (within the limit): choose “Courts”",
    ),
    "COURT_NOT_ALLOWED": ("该角色不属于任何法院: 请清空「所属法院」", "This role belongs to no court: clear “Court”"),
    "AGENCY_REQUIRED": ("协助单位的账户须选择「所属单位」", "An agency user needs its “Agency”: choose one"),
    "AGENCY_NOT_ALLOWED": (
        "只有协助单位的账户才有「所属单位」: 请清空该栏, 或把角色改为协助单位",
        "Only agency users have an “Agency”: clear it, or make the role an agency clerk",
    ),
    "UNKNOWN_AGENCY": (
        "「协助单位」未在本系统配置: 请从列表中选择",
        "“Agency” is not configured here: choose one from the list",
    ),
    "AGENCY_OF_ANOTHER_KIND": (
        "「协助单位」须与这一步所需的单位同类 (如公安的任务只能交给公安): 请从同类单位中选择",
        "“Agency” must be of the kind this step needs (a police task goes to the police): choose one of that kind",
    ),
    "AGENCY_EXISTS": (
        "「机构代码」已被另一机构使用: 请换一个代码, 或修改已有的机构",
        "“Agency id” is taken: choose another id or edit the existing agency",
    ),
    "INVALID_AGENCY_ID": (
        "「机构代码」只能由小写字母、数字和连字符组成 (2–63 位), 如 police-hangzhou",
        "“Agency id” is 2–63 lower-case letters, digits and hyphens, e.g. police-hangzhou",
    ),
    "INVALID_AGENCY_KIND": (
        "「机构类别」不正确: 请填写机构的类别, 如 court、police、procuratorate、tax",
        "“Kind” is not an agency's kind: e.g. court, police, procuratorate, tax",
    ),
    "NAME_REQUIRED": ("请填写「机构名称」", "Fill in the agency's “Name”"),
    "NOT_A_CLERK": (
        "「立案人员」不是本院在职的立案人员: 请从列表中选择",
        "“Filing clerk” is not a serving filing clerk of the court: choose one from the list",
    ),
    "INVALID_APPLICATION": (
        "「申请」格式不正确: 应为 {案号: {字段: 值}}",
        "“Application” is not in the expected shape: {case number: {field: value}}",
    ),
    # --- the parties' accounts and SMS codes --------------------------------------------------------------
    "INVALID_CODE": (
        "「验证码」错误、已使用或已过期: 请重新获取验证码",
        "“Code” is wrong, used or expired: ask for a new code",
    ),
    "CODE_TOO_SOON": (
        "验证码刚刚发送过: 请稍候一分钟再重新获取",
        "A code was just sent: wait a minute before asking for another",
    ),
    "CODE_LIMIT": (
        "一小时内获取验证码的次数过多: 请一小时后再试",
        "Too many codes asked for this hour: try again in an hour",
    ),
    "SMS_NOT_CONFIGURED": (
        "本系统未配置短信网关, 无法发送验证码: 请联系法院",
        "No SMS gateway is configured, so no code can be sent: contact the court",
    ),
    "SMS_STARTING": (
        "短信服务正在启动: 请稍后再获取验证码",
        "The SMS service is starting: ask for the code again shortly",
    ),
    "SMS_UNAVAILABLE": (
        "短信发送失败: 请稍后再获取验证码",
        "The SMS could not be sent: ask for the code again later",
    ),
    # --- cases, filing, search ------------------------------------------------------------------------
    "CASE_NOT_FOUND": (
        "没有这个案件, 或它不属于您所在的法院: 请从案件列表重新打开",
        "No such case in your courts: open it again from the case list",
    ),
    "UNKNOWN_CASE": (
        "「原案件」不存在或不属于本院: 请核对恢复执行的原案件",
        "“Earlier case” is not a case of this court: check the case being resumed",
    ),
    "CASE_NUMBER_COURT": (
        "「案号」中的法院代字不是本院的: 请按本院代字填写, 如 (2026)浙0102执123号",
        "“Case number” carries another court's code: use this court's, e.g. (2026)浙0102执123号",
    ),
    "CASE_NUMBER_TAKEN": (
        "该「案号」已经立案: 请核对案号, 或打开已立的案件",
        "“Case number” is already filed: check it, or open the case filed under it",
    ),
    "INVALID_CASE_NUMBER": (
        "「案号」格式不正确: 请按 (2026)浙0102执123号 的格式填写 (年度、法院代字、类型代字、序号)",
        "“Case number” is not in the form (2026)浙0102执123号 (year, court code, type, sequence)",
    ),
    "COURT_CODE_UNKNOWN": (
        "「法院」尚未配置法院代字, 无法编立案号: 请选择其他法院, 或请管理员配置",
        "“Court” has no court code, so no number can be given: choose another court or ask the administrator",
    ),
    "UNKNOWN_JUDGE": (
        "「承办法官」不是本院在职的执行法官: 请从列表中选择, 或留空自动分配",
        "“Judge” is not a serving enforcement judge of the court: choose one, or leave it empty to assign",
    ),
    "NO_JUDGE": (
        "该「法院」没有可分配的执行法官: 请指定承办法官, 或请管理员添加法官账户",
        "“Court” has no judge to assign: name the judge, or ask the administrator to add one",
    ),
    "INVALID_RECEIVED_ON": (
        "「收到申请日期」不能晚于今天: 请填写实际收到申请的日期",
        "“Received on” is in the future: enter the day the application came in",
    ),
    "INVALID_YEAR": ("「立案年度」须是 2000–2100 之间的年份", "“Year filed” is a year from 2000 to 2100"),
    "INVALID_DATE": ("日期格式不正确: 请按 年-月-日 填写, 如 2027-01-31", "Not a date: write it as YYYY-MM-DD"),
    "INVALID_DATE_RANGE": (
        "「开始日期起」晚于「开始日期止」: 请调换或改正",
        "“Started from” is after “Started to”: swap or correct them",
    ),
    "INVALID_FILTER": (
        "筛选条件含有不允许的字符或不存在的选项: 请从列表中选择",
        "A filter has characters not allowed or a value not offered: choose from the list",
    ),
    "INVALID_TEMPORAL_STATUS": (
        "「运行状态」不正确: 请从列表中选择",
        "“Run status” is not one offered: choose from the list",
    ),
    "CONFLICTING_FILTERS": (
        "“我的案件”与“经办人”两个筛选不能同时使用: 请只选其一",
        "“Mine” and “involving” cannot be used together: choose one",
    ),
    "INVALID_PAGE_TOKEN": (
        "翻页链接已失效: 请回到第一页重新查询",
        "The page link has expired: go back to the first page and search again",
    ),
    "INVALID_PARTY_NUMBER": (
        "「当事人证件号码」须是身份证号或统一社会信用代码: 请核对后重新输入",
        "“Party's ID number” must be a resident ID number or a unified social credit code: check it",
    ),
    "NO_LEGAL_PARAMETERS": (
        "「日期」没有适用的法律参数: 请选择系统所收录的法律施行期间内的日期",
        "No legal parameters apply on that “Date”: choose a day within the laws on record",
    ),
    "CASE_QUERY_TIMEOUT": ("案件暂未应答: 请稍后刷新页面再试", "The case did not answer in time: reload shortly"),
    "CASE_TIMEOUT": (
        "案件未及时应答, 操作可能尚未生效: 请稍后刷新页面查看, 确有需要再提交",
        "The case did not answer in time and may not have acted: reload to check before sending again",
    ),
    "CASE_UNAVAILABLE": (
        "案件暂时无法读取: 请稍后刷新; 持续出现请联系系统管理员",
        "The case cannot be read now: reload later; tell the administrator if it persists",
    ),
    "ASSET_UNDER_DISPOSAL": (
        "该「财产」已在另一处置事项中: 请在那一事项中继续, 或待其结束后再启动",
        "“Property” is already in another disposal: continue there, or start once it has ended",
    ),
    "IDEMPOTENCY_KEY_REUSED": (
        "这次提交与先前一次提交的编号相同但内容不同: 请刷新页面后重新填写提交",
        "This submission reuses an earlier one's key with other content: reload the page and submit again",
    ),
    "UNKNOWN_SCENARIO": ("没有这种事项: 请从事项列表中选择", "No such kind of matter: choose one from the list"),
    "VALIDATION_FAILED": (
        "有栏目填写不正确: 请按栏目旁的提示改正",
        "Some fields are not valid: correct them as said beside each",
    ),
    # --- workflows and decisions ----------------------------------------------------------------------
    "WORKFLOW_NOT_FOUND": (
        "没有这个事项, 或它不属于您所在的法院: 请从案件列表重新打开",
        "No such matter in your courts: open it again from the case list",
    ),
    "WORKFLOW_CLOSED": (
        "该事项已经结束, 不能再操作: 请刷新页面查看结果",
        "The matter has ended and takes no more actions: reload to see how it ended",
    ),
    "DECISION_NOT_PENDING": (
        "这项决定已不在待决定之列 (可能已由他人作出, 或事项已推进): 请刷新页面查看",
        "This decision is no longer pending (taken by someone else, or the matter moved on): reload the page",
    ),
    "DECISION_FAILED": (
        "事项未能接受这项决定: 请刷新页面查看当前状态后再试",
        "The matter could not take this decision: reload to see its state, then try again",
    ),
    "DECISION_REFUSED": (
        "事项拒绝了这项决定: 请刷新页面查看当前状态后再试",
        "The matter refused this decision: reload to see its state, then try again",
    ),
    "DECISION_TIMEOUT": (
        "事项未及时应答, 决定可能尚未生效: 请先刷新查看状态, 再决定是否重新提交",
        "The matter did not answer in time; the decision may not have been taken: reload before deciding again",
    ),
    "TEMPORAL_UNAVAILABLE": (
        "系统正在连接流程服务: 请稍后刷新重试",
        "The workflow service is not connected yet: reload shortly",
    ),
    "UNDECODABLE_PAYLOAD": (
        "数据无法解码: 请检查发送的内容",
        "A payload could not be decoded: check what was sent",
    ),
    "INVALID_BASE64": (
        "数据不是有效的 Base64 编码: 请检查发送的内容",
        "The data is not valid base64: check what was sent",
    ),
    "AUDIT_CHAIN_BROKEN": (
        "审计记录的哈希链不连续, 无法导出: 请立即报告系统管理员",
        "The audit trail's hash chain is broken; nothing is exported: tell the administrator at once",
    ),
    # --- a matter started from its case or a form (workflows/foundation/scenario.py, the scenarios' checks) ---
    "INVALID_REQUEST": (
        "有栏目填写不正确, 事项未启动: 请按栏目旁的提示改正后再启动",
        "A field is not valid and the matter was not started: correct it as said beside the field",
    ),
    "NOT_OWN_FIELD": (
        "这一栏由案件带入, 不在本事项填写: 请在案件页修改案件信息",
        "This field comes from the case, not this matter: change it on the case page",
    ),
    "ON_BEHALF_OF_REQUIRED": (
        "您代理本方多位当事人: 请在「为哪一位被执行人报告」中选择这份报告是谁的",
        "You act for several debtors: choose in “Whose report this is” whose report it is",
    ),
    "NOT_YOUR_PRINCIPAL": (
        "只能为您自己或委托您的当事人提交: 请选择委托您的那一位",
        "You may file only for yourself or a party who appointed you: choose that party",
    ),
    "DEBTOR_NOT_NAMED": (
        "这份报告未写明是哪一位被执行人的, 不能据此处罚; 拒不报告的, 请在制裁中写明被执行人",
        "The report does not name its debtor, so it cannot be sanctioned; sanction a refusal naming the debtor",
    ),
    "NO_SUCH_DEBTOR": (
        "「被执行人」不是本案的被执行人: 请从列表中选择",
        "“Debtor” is not one of the case's debtors: choose from the list",
    ),
    "PRINCIPAL_REQUIRED": (
        "计算加倍部分债务利息须写明其中的「本金」(迟延利息解释第一条): 请填写该债权人的本金",
        "The doubled interest runs on the principal only: fill in the creditor's “Principal”",
    ),
    "DISTRICT_NOT_CONFIGURED": (
        "本院辖区的公安、检察机关尚未配置: 请在「指定单位」中逐一选择",
        "The court's district police and procuratorate are not configured: choose them under “Designated units”",
    ),
    "INVALID_NODE": (
        "节点信息有栏目填写不正确: 请按提示改正后再推送",
        "A field of the progress node is not valid: correct it and push again",
    ),
    "DOCUMENT_CORRECTION_TARGET": (
        "补正裁定书须指明所补正的文书: 请选择要补正的文书",
        "A correction ruling names the document it corrects: choose it",
    ),
    "DOCUMENT_PRESIDENT_REQUIRED": (
        "该文书须经院长签发: 请先报院长签发",
        "This document needs the president's signature: send it to the president first",
    ),
    "WORKFLOW_FAILED": (
        "事项运行失败 (系统问题): 请刷新查看; 持续出现请联系系统管理员",
        "The matter failed (a system problem): reload; tell the administrator if it persists",
    ),
    "UNHEALTHY": ("系统有组件未应答: 请稍后再试", "A part of the system is not answering: try again later"),
    "NO_CALLBACKS": ("该协作单位的接口不发送回调", "That partner's protocol sends no callbacks"),
    "PARTNER_MISMATCH": (
        "回调中的协作单位与地址中的不一致: 请核对 partner_id",
        "The body's partner differs from the address's: check partner_id",
    ),
    # --- agency tasks and attachments -------------------------------------------------------------------
    "TASK_FORBIDDEN": (
        "该任务属于其他单位: 请从本单位的任务列表打开",
        "This task belongs to another agency: open your own from your task list",
    ),
    "TASK_CLOSED": (
        "该任务已结束 (已办结、已撤回或所属事项已结束), 不能再办理: 请刷新任务列表",
        "The task is no longer open (done, withdrawn, or its matter ended): reload your task list",
    ),
    "TASK_TIMEOUT": (
        "任务未及时应答, 操作可能尚未生效: 请先刷新查看, 再决定是否重试",
        "The task did not answer in time and may not have acted: reload to check before retrying",
    ),
    "UNKNOWN_ACTION": (
        "不支持这个操作: 请刷新页面后用页面上的按钮",
        "No such action: reload and use the page's buttons",
    ),
    "ATTACHMENT_NOT_FOUND": ("没有这个附件: 请刷新页面后重新打开", "No such attachment: reload the page"),
    "ATTACHMENT_TOO_LARGE": (
        f"「文件」超过 {_ATTACHMENT_MB} MB: 请压缩或分成几个文件上传",
        f"“File” is larger than {_ATTACHMENT_MB} MB: compress it or upload it in parts",
    ),
    "ATTACHMENT_TYPE_REFUSED": (
        "「文件」只能是 PDF、JPEG 或 PNG: 请转换格式后再上传",
        "“File” must be a PDF, JPEG or PNG: convert it and upload again",
    ),
    "UNKNOWN_ATTACHMENT": (
        "「附件」中有文件未上传到本任务: 请先在本页上传, 再提交结果",
        "“Attachments” names a file not uploaded to this task: upload it here first",
    ),
    # --- parties: applications, requests, payments, agents, files ------------------------------------------
    "APPLICANT_ONLY": (
        "只有申请执行人 (或其代理人) 可以这样做: 请以申请执行人的身份办理",
        "Only the applicant (or their agent) may do this: act as the applicant",
    ),
    "DEBTOR_ONLY": ("只有被执行人可以在线缴纳执行款", "Only the debtor pays online"),
    "APPLICATION_NOT_FOUND": (
        "没有这份申请, 或它不属于本院: 请从申请列表重新打开",
        "No such application in your court: open it again from the list",
    ),
    "APPLICATION_DECIDED": (
        "该申请已经处理, 不能再次处理: 请刷新页面查看结果",
        "The application is already decided: reload to see the outcome",
    ),
    "ATTACHMENT_NOT_YOURS": (
        "「附件」中有文件尚未由您上传: 请先上传这些文件再提交",
        "“Attachments” names files you have not uploaded: upload them first",
    ),
    "TITLE_PDF_REQUIRED": (
        "请先上传「执行依据」的 PDF 文件, 再提交申请",
        "Upload the “Title” (the judgment) as a PDF before applying",
    ),
    "POWER_OF_ATTORNEY_REQUIRED": (
        "请先上传「授权委托书」的 PDF 文件, 再提交",
        "Upload the “Power of attorney” as a PDF first",
    ),
    "FILE_TOO_LARGE": (
        "「文件」超过大小上限: 请压缩或分成几个文件上传",
        "“File” is over the size limit: compress it or upload it in parts",
    ),
    "FILE_TYPE_REFUSED": ("「文件」只能是 PDF、JPEG 或 PNG: 请转换格式后再上传", "“File” must be a PDF, JPEG or PNG"),
    "FILE_NOT_FOUND": (
        "本案没有这个文件: 请从案件页重新打开",
        "No such file in this case: open it from the case page",
    ),
    "TSA_UNAVAILABLE": (
        "时间戳服务暂不可用, 送达回证未出具, 送达未记录: 请稍后重试",
        "The time-stamping authority is not answering: no receipt was issued and nothing recorded; try again",
    ),
    "DOCUMENT_NOT_FOUND": (
        "没有这份文书, 或您无权查看: 请从案件页的文书列表打开",
        "No such document for you: open it from the case page's documents",
    ),
    "NOT_INSTALMENTS": (
        "「分期计划」只在申请分期履行时填写: 请清空该栏, 或把类型改为分期履行",
        "“Instalments” are only for an instalment request: clear them or choose that kind",
    ),
    "USE_AGENCIES": (
        "委托代理人请在「委托代理」处提交授权委托书, 不在此处提交",
        "Appoint an agent under “Agents” with the power of attorney, not here",
    ),
    "ANSWER_THE_REPORT": (
        "逾期或虚假报告财产的处罚, 请在该份财产报告上答复",
        "Answer a late or false property report on that report",
    ),
    "NOT_A_LEAD": (
        "「财产」只在提交财产线索时填写: 请清空该栏, 或把类型改为财产线索",
        "“Asset” is only for a lead: clear it, or choose a lead as the kind",
    ),
    "MATTER_NOT_STARTED": (
        "「执行事项」只在核实财产线索时填写: 请清空该栏",
        "“Matter” is only for verifying a lead: clear it",
    ),
    "TITLE_DOCUMENT_UNKNOWN": (
        "本院未收到该「执行依据」文件: 请先上传执行依据的 PDF 文件",
        "The court holds no such “Title” document: upload the title's PDF first",
    ),
    "CLOSURE_SIGNATURE_OR_APPROVAL_REQUIRED": (
        "终结本次执行程序须申请执行人签字确认, 或经合议庭审查核实并报院长批准 (民诉法解释第五百一十七条): "
        "在终本事项中等申请执行人在其案件空间签字确认, 或将「终本依据」选为「合议庭审查核实, 报院长批准」; "
        "案件在终本裁定作出后才能以终本结案",
        "Closing the current procedure needs the applicant's signature, or the panel's review and the president's "
        "approval (Art. 517 of the CPL Interpretation): in the closure matter, wait for the applicant to sign in "
        "their case space or set “Closed on” to the president's approval; the case closes as such only after that "
        "ruling",
    ),
    "NO_CLOSURE_PENDING": (
        "本案没有等待您签字确认的终结本次执行程序: 法官拟终本时, 本页会出现确认栏",
        "No closure of this case awaits your signature: the form appears here when the judge proposes one",
    ),
    "SPECIAL_AUTHORITY_REQUIRED": (
        "代理人签字确认终本须有经法官确认的特别授权: 请由申请执行人本人确认, 或补交特别授权委托书",
        "An agent signs the closure only with special authority the judge confirmed: the applicant signs, or "
        "file a power of attorney with special authority",
    ),
    "COLLECTION_AUTHORITY_REQUIRED": (
        "该代理人未经法官确认享有代为收取执行款的特别授权, 不能作为收款人: 请改由申请执行人本人收款",
        "This agent has no confirmed special authority to collect: pay the applicant instead",
    ),
    "UNIT_NOT_SEIZED": (
        "本案未查封该不动产单元: 请从本案已查封的不动产中选择「不动产单元号」",
        "The case has not seized this unit: choose the “Unit number” among the units it seized",
    ),
    "INVALID_REASON": ("请填写「退款理由」", "Give the “Reason” for the refund"),
    "REFUND_NOT_FOUND": (
        "本案没有这笔待退款的缴费: 请刷新页面查看退款列表",
        "This case has no such payment to refund: reload to see the refunds",
    ),
    "REFUND_DONE": (
        "这笔缴费已经退款, 不能再退: 请刷新页面查看",
        "This payment was already refunded: reload to see it",
    ),
    "NOTICE_UNSIGNED": (
        "缴费平台的通知未签名, 未入账",
        "The payment platform's notice is not signed: nothing credited",
    ),
    "NOTICE_SIGNATURE_INVALID": (
        "缴费平台的通知签名无效, 未入账",
        "The payment platform's notice has an invalid signature: nothing credited",
    ),
    "NOTICE_STALE": (
        "缴费平台的通知已过期 (疑为重放), 未入账",
        "The payment platform's notice is too old (a replay?): nothing credited",
    ),
    "NOTICE_REPLAYED": (
        "该缴费通知已经收到过, 不再重复入账",
        "This payment notice was received before: not credited twice",
    ),
    "NOTICE_MALFORMED": (
        "缴费平台的通知格式不符, 未入账",
        "The payment platform's notice is malformed: nothing credited",
    ),
    "VIDEO_TOO_LARGE": (
        "「视频」超过大小上限: 请截短或压缩后再上传",
        "“Video” is over the size limit: shorten or compress it",
    ),
    "VIDEO_TYPE_REFUSED": (
        "「视频」只能是 MP4、MOV 或 WebM: 请转换格式后再上传",
        "“Video” must be MP4, MOV or WebM: convert it and upload again",
    ),
    "AMOUNT_OVER_BALANCE": (
        "「金额」超过尚未执行到位的余额: 请填写不超过页面所示余额的金额",
        "“Amount” exceeds the balance still owed: enter at most the balance shown",
    ),
    "INVALID_AMOUNT": (
        "「金额」须是大于零的元数, 最多两位小数, 如 1234.50",
        "“Amount” is yuan above zero with at most two decimals, e.g. 1234.50",
    ),
    "CASHIER_NOT_CONFIGURED": (
        "本院尚未开通网上缴费: 请按执行通知书所列账户缴纳",
        "No online payment here: pay into the account the notice names",
    ),
    "CASHIER_UNAVAILABLE": (
        "网上缴费平台暂时不可用, 未扣款: 请稍后再试",
        "The payment platform is unavailable and nothing was charged: try again later",
    ),
    "ORDER_MISMATCH": (
        "缴费订单与平台记录不符, 款项未入账: 请联系法院核对, 不要重复缴费",
        "The order differs from the platform's record and was not credited: contact the court, do not pay twice",
    ),
    "FINE_OUT_OF_RANGE": (
        "「罚款金额」超出法定幅度 (个人十万元以下, 单位五万元以上一百万元以下; 民事诉讼法第一百一十八条): 请改正",
        "“Fine” is outside the law's range (a person up to ¥100,000; an entity ¥50,000–¥1,000,000; CPL Art. 118)",
    ),
    "DETENTION_OUT_OF_RANGE": (
        "「拘留天数」须为 1 至 15 日 (民事诉讼法第一百一十八条): 请改正",
        "“Detention days” must be 1 to 15 (CPL Art. 118)",
    ),
    # --- delegation: the receiving court ------------------------------------------------------------------
    "RECEIVING_COURT_NOT_A_COURT": (
        "「受托法院」须是另一家已配置法院代字的法院: 请从列表中选择",
        "“Receiving court” must be another court with a court code: choose one from the list",
    ),
    # --- documents ------------------------------------------------------------------------------------
    "DOCUMENT_FIELD_MISSING": (
        "文书缺少必填内容, 未能出具: 请补全案件信息后重试",
        "The document lacks a required item and was not issued: complete the case's details and retry",
    ),
    "DOCUMENT_KIND_UNKNOWN": (
        "没有这种文书的模板: 请联系系统管理员",
        "There is no template for this document: tell the administrator",
    ),
    "DOCUMENT_RENDER_FAILED": (
        "文书生成失败, 未出具: 请稍后重试, 持续出现请联系系统管理员",
        "The document could not be made and was not issued: retry; tell the administrator if it persists",
    ),
    # --- payouts -------------------------------------------------------------------------------------
    "NOT_A_PAYOUT": ("该事项不是批量发放, 没有对账报告", "This matter is not a payout: it has no reconciliation"),
    "NOT_RECONCILED": (
        "批量发放尚未结束对账: 请在发放完成后再下载对账报告",
        "The payout has not been reconciled yet: download the report once it has paid",
    ),
    "REPORT_UNAVAILABLE": (
        "对账报告暂时无法生成: 请稍后再试",
        "The reconciliation report cannot be made now: try later",
    ),
    "ERROR_REPORT_NOT_FOUND": (
        "没有这份错误清单 (可能已过期): 请重新上传名单文件",
        "No such error list (it may have expired): upload the payee file again",
    ),
    # --- partners, webhooks, metrics (machines' callers; said for the operator who reads the log) ------------
    "WRONG_AGENCY": ("令牌不属于该协作单位: 请使用本单位的令牌", "The token belongs to another partner: use your own"),
    "WRONG_REQUEST": ("该查询请求属于其他协作单位", "That request belongs to another partner's inquiry"),
    "UNKNOWN_REQUEST": (
        "没有这个查询请求编号: 请核对回调中的 request_id",
        "No such request: check the callback's request_id",
    ),
    "TOO_MANY_WEBHOOKS": (
        f"本单位的「回调地址」已达上限 ({MAX_PER_AGENCY} 个): 请先删除不再使用的地址",
        f"Your agency has its {MAX_PER_AGENCY} “Webhooks”: delete one no longer used first",
    ),
    "WEBHOOK_URL_REFUSED": (
        "「回调地址」不被接受 (须为可从公网访问的 https 地址): 请改正",
        "“Webhook URL” is refused (an https address reachable from outside): correct it",
    ),
    "WEBHOOK_NOT_FOUND": ("没有这个回调地址: 请刷新列表", "No such webhook: reload the list"),
    "METRICS_TOKEN_REQUIRED": (
        "查看运行指标须提供指标令牌: 请联系运维人员",
        "Metrics need their bearer token: ask the operators",
    ),
    # --- the property report (财产调查规定 Arts 5–7) ------------------------------------------------------
    "REPORT_REQUIRED": (
        "请按五类逐项报告财产 (收入存款等、不动产、动产、财产性权利、其他); 没有财产的须勾选声明",
        "Report each asset in its part (money, real estate, movables, rights, other), or declare you have none",
    ),
    "SUPPLEMENT_WITHOUT_CHANGE": (
        "补充报告须写明财产变动情况及变动日期",
        "A supplement names the change and the day it happened",
    ),
    "NOT_A_REPORT": ("财产明细只在报告财产或补充报告时填写", "Assets are listed only in a property report"),
    "TEXT_REQUIRED": ("请填写内容", "Write what you are asking"),
    "DATE_OUT_OF_RANGE": ("变动日期超出可计算的范围: 请核对日期", "The change's date is out of range: check it"),
    # --- the payment platform's notices ---------------------------------------------------------------------
    "NOTICE_RATE_LIMITED": (
        "该地址的缴费通知被拒次数过多: 请十分钟后再发送, 并核对签名密钥",
        "Too many refused payment notices from this address: wait ten minutes and check the signing secret",
    ),
    # --- a resumption accepted on a breached settlement (执行和解规定 Art 9) ---------------------------------
    "SETTLEMENT_ENDED": (
        "执行和解事项已经结束, 准予恢复执行已记入案件进程",
        "The settlement had ended: the resumption is recorded on the case's timeline",
    ),
    "SETTLEMENT_TIMEOUT": (
        "执行和解事项未及时应答, 准予恢复执行已记入案件进程",
        "The settlement did not answer in time: the resumption is recorded on the case's timeline",
    ),
    "SETTLEMENT_NOT_DEFAULTABLE": (
        "执行和解尚未中止执行, 或已决定恢复执行、另行起诉: 不能据此恢复执行",
        "The settlement is not suspended yet, or resumption or a suit was already chosen",
    ),
    # --- the president's approval of a sanction (CPL Art 119) -------------------------------------------------
    "SANCTION_NOT_AWAITING": (
        "这项处罚已有决定, 或另有一项在先的处罚待批准: 请刷新案件页面, 逐项审批",
        "This sanction was decided, or an earlier one awaits you first: reload the case and decide in order",
    ),
}


def refusal_catalogue(lang: str) -> dict[str, str]:
    """The words above as catalogue entries of ``lang``."""
    index = 0 if lang == "zh" else 1
    return {f"refusal.{code}": words[index] for code, words in WEB_REFUSALS.items()}

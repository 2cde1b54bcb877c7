<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AddOfficerDialog</name>
    <message>
        <source>Add officer</source>
        <translation>添加办案人员</translation>
    </message>
    <message>
        <source>Officer</source>
        <translation>执法人员</translation>
    </message>
    <message>
        <source>Recorder (记录人)</source>
        <translation>记录人</translation>
    </message>
    <message>
        <source>Technical assistant (技术辅助人员)</source>
        <translation>技术辅助人员</translation>
    </message>
    <message>
        <source>New officer profile…</source>
        <translation>新建执法人员档案…</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>The officer is added to the case&apos;s sealed record, signed by {0}.</source>
        <translation>添加记录将封存进本案账本，并由 {0} 签名。</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Every officer profile on this computer is already on the case. Create the new officer&apos;s profile first (New officer profile…).</source>
        <translation>本机的执法人员档案均已是本案办案人员。请先为新的执法人员建立档案（“新建执法人员档案…”）。</translation>
    </message>
    <message>
        <source>Choose the officer to add.</source>
        <translation>请选择要添加的执法人员。</translation>
    </message>
    <message>
        <source>Sealing…</source>
        <translation>正在封存…</translation>
    </message>
</context>
<context>
    <name>AreaSelector</name>
    <message>
        <source>Drag to choose the area to seal — Esc cancels</source>
        <translation>拖动选择要封存的区域 — 按 Esc 取消</translation>
    </message>
</context>
<context>
    <name>BackupRetry</name>
    <message>
        <source>Retry backup</source>
        <translation>重试备份</translation>
    </message>
    <message>
        <source>The package is written and sealed: {0}. Only the backup copy failed: {1}</source>
        <translation>证据包已写入并封存：{0}。仅备份副本失败：{1}</translation>
    </message>
    <message>
        <source>Enter where the backup copy goes.</source>
        <translation>请填写备份副本的位置。</translation>
    </message>
    <message>
        <source>Copying the backup…</source>
        <translation>正在复制备份…</translation>
    </message>
    <message>
        <source>The backup copy failed again: {0}</source>
        <translation>备份副本再次失败：{0}</translation>
    </message>
    <message>
        <source>Backup (identical, compared): {0}</source>
        <translation>备份（已比对一致）：{0}</translation>
    </message>
</context>
<context>
    <name>BoardModel</name>
    <message>
        <source>Integrity</source>
        <translation>完整性</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>名次</translation>
    </message>
    <message>
        <source>Trainee</source>
        <translation>学员</translation>
    </message>
    <message>
        <source>Package</source>
        <translation>证据包</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>总分</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结论</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>用时</translation>
    </message>
    <message>
        <source>Unreadable</source>
        <translation>无法读取</translation>
    </message>
    <message>
        <source>Passed</source>
        <translation>合格</translation>
    </message>
    <message>
        <source>Not passed</source>
        <translation>不合格</translation>
    </message>
</context>
<context>
    <name>BrowserPreview</name>
    <message>
        <source>Web address (URL): Enter opens it in the capture browser</source>
        <translation>网址（URL）：按回车键在取证浏览器中打开</translation>
    </message>
    <message>
        <source>No browser window (headless): this preview is the page&apos;s only view.</source>
        <translation>浏览器无窗口（无界面运行）：此预览是网页唯一的画面。</translation>
    </message>
    <message>
        <source>Work in the browser window; this is a live preview of its page.</source>
        <translation>请在浏览器窗口中操作；此处为其网页的实时预览。</translation>
    </message>
</context>
<context>
    <name>CaseHeader</name>
    <message>
        <source>platform</source>
        <translation>平台</translation>
    </message>
    <message>
        <source>shop</source>
        <translation>店铺</translation>
    </message>
    <message>
        <source>account</source>
        <translation>账号</translation>
    </message>
    <message>
        <source>live room</source>
        <translation>直播间</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>网址</translation>
    </message>
    <message>
        <source>{0} · {1} entries · {2} sealed files · {3} session(s) · {4} waiting for a time-stamp</source>
        <translation>{0} · 账本记录 {1} 条 · 封存文件 {2} 个 · 取证会话 {3} 次 · 待获取时间戳 {4} 个</translation>
    </message>
    <message>
        <source>a session is still open</source>
        <translation>有取证会话尚未结束</translation>
    </message>
    <message>
        <source>Cause</source>
        <translation>案由</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>取证对象</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>取证地点</translation>
    </message>
    <message>
        <source>Purpose</source>
        <translation>提取目的</translation>
    </message>
    <message>
        <source>Officers</source>
        <translation>办案人员</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source> (training case)</source>
        <translation>（训练案件）</translation>
    </message>
</context>
<context>
    <name>CaseListModel</name>
    <message>
        <source>Case number</source>
        <translation>案号</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>案件名称</translation>
    </message>
    <message>
        <source>Officers</source>
        <translation>办案人员</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Last activity (Beijing)</source>
        <translation>最后活动（北京时间）</translation>
    </message>
    <message>
        <source> (training)</source>
        <translation>（训练）</translation>
    </message>
</context>
<context>
    <name>CaseSummaryPanel</name>
    <message>
        <source>Open case</source>
        <translation>打开案件</translation>
    </message>
    <message>
        <source>Start capture session…</source>
        <translation>开始取证会话…</translation>
    </message>
    <message>
        <source>Choose a case on the left, or open a new one (Ctrl+N). Double-click opens a case.</source>
        <translation>请在左侧选择案件，或新建案件（Ctrl+N）。双击可打开案件。</translation>
    </message>
    <message>
        <source>Latest entries</source>
        <translation>最近的记录</translation>
    </message>
</context>
<context>
    <name>CaseView</name>
    <message>
        <source>← All cases</source>
        <translation>← 全部案件</translation>
    </message>
    <message>
        <source>Start capture session…</source>
        <translation>开始取证会话…</translation>
    </message>
    <message>
        <source>Import files…</source>
        <translation>导入文件…</translation>
    </message>
    <message>
        <source>Add note…</source>
        <translation>添加备注…</translation>
    </message>
    <message>
        <source>Transcript…</source>
        <translation>录音转写…</translation>
    </message>
    <message>
        <source>Get time-stamps now</source>
        <translation>立即获取时间戳</translation>
    </message>
    <message>
        <source>Close open session…</source>
        <translation>结束未关闭的会话…</translation>
    </message>
    <message>
        <source>Seal what the interrupted capture left…</source>
        <translation>封存中断采集留下的证据…</translation>
    </message>
    <message>
        <source>Sealing what the interrupted capture left</source>
        <translation>正在封存中断采集留下的证据</translation>
    </message>
    <message>
        <source>Add officer…</source>
        <translation>添加办案人员…</translation>
    </message>
    <message>
        <source>Verify…</source>
        <translation>校验…</translation>
    </message>
    <message>
        <source>Report…</source>
        <translation>生成笔录…</translation>
    </message>
    <message>
        <source>Export package…</source>
        <translation>导出证据包…</translation>
    </message>
    <message>
        <source>Transfer custody…</source>
        <translation>移交证据包…</translation>
    </message>
    <message>
        <source>Deposit in the agency vault…</source>
        <translation>存入机构证据库…</translation>
    </message>
    <message>
        <source>Play side by side (recording and stream)</source>
        <translation>对照播放（录屏与直播流）</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>The case could not be read.</source>
        <translation>无法读取该案件。</translation>
    </message>
    <message>
        <source>Opening the case</source>
        <translation>打开案件</translation>
    </message>
    <message>
        <source>Beijing time</source>
        <translation>北京时间</translation>
    </message>
    <message>
        <source>No recording segment shares this stream item&apos;s time.</source>
        <translation>没有与该直播流时段重合的录屏片段。</translation>
    </message>
    <message>
        <source>No. {0} · {1} · {2} (Beijing) · {3} {4} · time-stamp: {5}</source>
        <translation>第 {0} 条 · {1} · {2}（北京时间）· {3} {4} · 时间戳：{5}</translation>
    </message>
    <message>
        <source>Entry hash: {0}</source>
        <translation>记录哈希：{0}</translation>
    </message>
    <message>
        <source>Files to seal into the case</source>
        <translation>选择要封存到本案的文件</translation>
    </message>
    <message>
        <source>Importing files</source>
        <translation>导入文件</translation>
    </message>
    <message>
        <source>Sealing the note</source>
        <translation>封存备注</translation>
    </message>
    <message>
        <source>Sealing the transcript</source>
        <translation>封存转写</translation>
    </message>
    <message>
        <source>Getting time-stamps</source>
        <translation>获取时间戳</translation>
    </message>
    <message>
        <source>Closing the session</source>
        <translation>结束取证会话</translation>
    </message>
    <message>
        <source>Depositing in the agency vault</source>
        <translation>存入机构证据库</translation>
    </message>
    <message>
        <source>Package to deposit</source>
        <translation>选择要存入的证据包</translation>
    </message>
    <message>
        <source>Sealed package (*.qzp)</source>
        <translation>封存的证据包 (*.qzp)</translation>
    </message>
</context>
<context>
    <name>ChatViewer</name>
    <message>
        <source>comment</source>
        <translation>评论</translation>
    </message>
    <message>
        <source>gift</source>
        <translation>礼物</translation>
    </message>
    <message>
        <source>order</source>
        <translation>下单</translation>
    </message>
    <message>
        <source>entered</source>
        <translation>进场</translation>
    </message>
    <message>
        <source>Time (Beijing)</source>
        <translation>时间（北京时间）</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>The file is not a readable chat list.</source>
        <translation>该文件不是可读取的互动消息列表。</translation>
    </message>
    <message>
        <source>{0} messages</source>
        <translation>共 {0} 条消息</translation>
    </message>
    <message>
        <source>only the first {0} are shown</source>
        <translation>仅显示前 {0} 条</translation>
    </message>
</context>
<context>
    <name>ChecklistModel</name>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>To do</source>
        <translation>待完成</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>未达成</translation>
    </message>
    <message>
        <source>At scoring</source>
        <translation>评分时检查</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Criterion</source>
        <translation>评分项</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>分值</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>说明</translation>
    </message>
</context>
<context>
    <name>CloseSessionDialog</name>
    <message>
        <source>Close the session</source>
        <translation>结束取证会话</translation>
    </message>
    <message>
        <source>Closing stops the recording and the proxy, checks the environment again and seals the session with the signatures of two officers present.</source>
        <translation>结束会话将停止录像和取证代理，再次进行清洁性检查，并由在场的两名执法人员签名封存本次会话。</translation>
    </message>
    <message>
        <source>Training: close with one officer (the record says so)</source>
        <translation>训练：由一名执法人员结束（记录中注明）</translation>
    </message>
    <message>
        <source>First officer</source>
        <translation>第一执法人员</translation>
    </message>
    <message>
        <source>Second officer</source>
        <translation>第二执法人员</translation>
    </message>
    <message>
        <source>Passphrase of the second officer</source>
        <translation>第二执法人员口令</translation>
    </message>
    <message>
        <source>Sign and close</source>
        <translation>签名并结束</translation>
    </message>
    <message>
        <source>The case has no second officer.</source>
        <translation>本案没有第二名执法人员。</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在核对…</translation>
    </message>
    <message>
        <source>Wrong passphrase. Try again.</source>
        <translation>口令错误，请重试。</translation>
    </message>
</context>
<context>
    <name>EnvCheckDialog</name>
    <message>
        <source>Clean-environment check after capture</source>
        <translation>取证后清洁性检查</translation>
    </message>
    <message>
        <source>Clean-environment check before capture</source>
        <translation>取证前清洁性检查</translation>
    </message>
</context>
<context>
    <name>EnvCheckView</name>
    <message>
        <source>Sealed as ledger entry No. {0}. {1} warning(s). Clock offset: {2}.</source>
        <translation>已封存为账本第 {0} 条。告警 {1} 项。时钟偏差：{2}。</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>未测得</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Local network</source>
        <translation>本机网络</translation>
    </message>
    <message>
        <source>Public egress IP</source>
        <translation>公网出口 IP</translation>
    </message>
    <message>
        <source>DNS servers</source>
        <translation>DNS 服务器</translation>
    </message>
    <message>
        <source>Target resolution</source>
        <translation>目标域名解析</translation>
    </message>
    <message>
        <source>Hosts file</source>
        <translation>hosts 文件</translation>
    </message>
    <message>
        <source>Proxy settings</source>
        <translation>代理设置</translation>
    </message>
    <message>
        <source>VPN</source>
        <translation>VPN</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>运行进程</translation>
    </message>
    <message>
        <source>Browser profile</source>
        <translation>浏览器配置</translation>
    </message>
    <message>
        <source>Clock</source>
        <translation>时钟</translation>
    </message>
    <message>
        <source>Recording proxy</source>
        <translation>取证代理</translation>
    </message>
    <message>
        <source>Warnings and what they mean</source>
        <translation>告警及其含义</translation>
    </message>
    <message>
        <source>Changes since the check before capture</source>
        <translation>与取证前检查相比的变化</translation>
    </message>
    <message>
        <source>No changes.</source>
        <translation>无变化。</translation>
    </message>
</context>
<context>
    <name>EnvExplain</name>
    <message>
        <source>A proxy other than Quzheng&apos;s recording proxy is set in the system or browser. Traffic could pass through a machine nobody recorded. Turn it off, or write down why it is needed.</source>
        <translation>系统或浏览器设置了取证代理以外的代理，网络流量可能经过未被记录的机器。请关闭该代理，或记录需要它的原因。</translation>
    </message>
    <message>
        <source>The hosts file maps names to fixed addresses. An entry for the target could show a different server than the public one. Check that no entry concerns the target.</source>
        <translation>hosts 文件将域名指向固定地址。涉及目标的条目可能使访问到的服务器与公网不同。请确认没有涉及目标的条目。</translation>
    </message>
    <message>
        <source>The computer&apos;s clock differs from standard time (or could not be checked). Sealed times are kept as measured; the report prints the offset beside them. Time-stamps come from the TSA, not from this clock.</source>
        <translation>本机时钟与标准时间存在偏差（或无法核对）。封存时间按实测记录，笔录中同时打印偏差；时间戳由时间戳服务签发，不取自本机时钟。</translation>
    </message>
    <message>
        <source>A VPN changes the network path and the public address the target sees. Turn it off unless the case needs it, and note why.</source>
        <translation>VPN 会改变网络路径和目标看到的公网地址。除非案件需要，请关闭 VPN，并记录原因。</translation>
    </message>
    <message>
        <source>Unusual DNS servers can answer with other addresses than the public ones. The target&apos;s resolution is recorded so a reviewer can compare.</source>
        <translation>非常规的 DNS 服务器可能返回与公网不同的地址。目标域名的解析结果已记录，供审查人员比对。</translation>
    </message>
    <message>
        <source>The target&apos;s name did not resolve as expected. The addresses actually used are recorded from the traffic.</source>
        <translation>目标域名的解析结果与预期不符。实际使用的地址已从网络流量中记录。</translation>
    </message>
    <message>
        <source>Programs that can change web traffic or the screen (other proxies, packet tools) are running. Close them, or note why they are needed.</source>
        <translation>正在运行可能改变网络流量或屏幕内容的程序（其他代理、抓包工具）。请关闭，或记录需要它们的原因。</translation>
    </message>
    <message>
        <source>The public egress address could not be confirmed by an independent service. The record says so; the session can go on.</source>
        <translation>无法通过独立服务确认公网出口地址。记录中已注明，取证可以继续。</translation>
    </message>
    <message>
        <source>The browser profile was not fresh. A session needs an empty profile so no earlier cookies or cache take part.</source>
        <translation>浏览器配置不是全新的。取证会话需要空白配置，以免先前的 Cookie 或缓存参与其中。</translation>
    </message>
    <message>
        <source>Read the finding; it is sealed with the check and printed in the report.</source>
        <translation>请阅读该项结果；它已随检查一并封存，并打印在笔录中。</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <source>Quzheng — something went wrong</source>
        <translation>取证 — 出现错误</translation>
    </message>
    <message>
        <source>{0} did not succeed.</source>
        <translation>{0}未能完成。</translation>
    </message>
    <message>
        <source>What happened: {0}</source>
        <translation>发生了什么：{0}</translation>
    </message>
    <message>
        <source>Capture has stopped so that nothing goes unrecorded. Close the session with two officers, then start a new one.</source>
        <translation>为避免出现未被记录的操作，取证已停止。请由两名执法人员结束本次会话后重新开始。</translation>
    </message>
    <message>
        <source>Nothing sealed was lost: the case&apos;s ledger holds {0} entries; the last is No. {1} ({2}…).</source>
        <translation>已封存的内容没有丢失：本案账本共 {0} 条记录，最后一条为第 {1} 条（{2}…）。</translation>
    </message>
    <message>
        <source>Nothing sealed was lost: every sealed entry is final the moment it is written, and a failure cannot undo it.</source>
        <translation>已封存的内容没有丢失：每条封存记录写入即生效，任何故障都不能撤销。</translation>
    </message>
</context>
<context>
    <name>ExercisePickerDialog</name>
    <message>
        <source>Start exercise</source>
        <translation>开始练习</translation>
    </message>
    <message>
        <source>Practise on case {0}. Choose an exercise:</source>
        <translation>在案件 {0} 上练习。请选择练习：</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>The exercises could not be read: {0}</source>
        <translation>无法读取练习：{0}</translation>
    </message>
    <message>
        <source>No exercises are installed.</source>
        <translation>没有安装任何练习。</translation>
    </message>
    <message>
        <source>Time limit: {0} minutes</source>
        <translation>时限：{0} 分钟</translation>
    </message>
    <message>
        <source>No time limit</source>
        <translation>不限时</translation>
    </message>
    <message>
        <source>Pass mark {0} of {1} points</source>
        <translation>合格线 {0} 分（满分 {1} 分）</translation>
    </message>
    <message>
        <source>Scenario</source>
        <translation>案情</translation>
    </message>
    <message>
        <source>Briefing</source>
        <translation>任务说明</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>任务清单</translation>
    </message>
    <message>
        <source>How it is scored</source>
        <translation>评分标准</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export sealed package</source>
        <translation>导出封存证据包</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>empty: not encrypted (at least 8 characters)</source>
        <translation>留空则不加密（至少 8 个字符）</translation>
    </message>
    <message>
        <source>optional: an identical copy, compared after writing</source>
        <translation>可选：写入后比对一致的备份副本</translation>
    </message>
    <message>
        <source>Package file</source>
        <translation>证据包文件</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Repeat password</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>Backup copy</source>
        <translation>备份副本</translation>
    </message>
    <message>
        <source>Report language</source>
        <translation>笔录语言</translation>
    </message>
    <message>
        <source>Export is sealed in the ledger and signed by {0}.</source>
        <translation>导出操作将记入账本，并由 {0} 签名。</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Sealed package (*.qzp)</source>
        <translation>封存证据包 (*.qzp)</translation>
    </message>
    <message>
        <source>Choose where to write the package.</source>
        <translation>请选择证据包的保存位置。</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Export failed: {0}. Nothing sealed in the case was changed.</source>
        <translation>导出失败：{0}。案件中已封存的内容未被改变。</translation>
    </message>
    <message>
        <source>Export failed: {0}</source>
        <translation>导出失败：{0}</translation>
    </message>
    <message>
        <source>Package: {0}</source>
        <translation>证据包：{0}</translation>
    </message>
    <message>
        <source>Package id: {0}</source>
        <translation>证据包编号：{0}</translation>
    </message>
    <message>
        <source>Seal: {0}</source>
        <translation>封签：{0}</translation>
    </message>
    <message>
        <source>Backup (identical, compared): {0}</source>
        <translation>备份（已比对一致）：{0}</translation>
    </message>
</context>
<context>
    <name>FindingsModel</name>
    <message>
        <source>Severity</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查项</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>结果</translation>
    </message>
</context>
<context>
    <name>FrameView</name>
    <message>
        <source>The capture browser is closed.</source>
        <translation>取证浏览器已关闭。</translation>
    </message>
    <message>
        <source>Waiting for the first picture of the page…</source>
        <translation>正在等待网页的第一幅画面…</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Actual size</source>
        <translation>实际大小</translation>
    </message>
    <message>
        <source>Fit width</source>
        <translation>适合宽度</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>The picture could not be decoded.</source>
        <translation>无法解码该图片。</translation>
    </message>
</context>
<context>
    <name>ImportPackageDialog</name>
    <message>
        <source>Import a received package</source>
        <translation>导入接收的证据包</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>only for an encrypted package</source>
        <translation>仅加密的证据包需要</translation>
    </message>
    <message>
        <source>e.g. 接收移送案件</source>
        <translation>例如：接收移送案件</translation>
    </message>
    <message>
        <source>Package (.qzp)</source>
        <translation>证据包（.qzp）</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>接收原因</translation>
    </message>
    <message>
        <source>The package is verified first. Only a package that passes is imported, as a read-only received case; {0} signs its receipt.</source>
        <translation>先校验证据包。只有校验通过的证据包才能导入，成为只读的接收案件；接收记录由 {0} 签名。</translation>
    </message>
    <message>
        <source>Not verified yet.</source>
        <translation>尚未校验。</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>Import as received case</source>
        <translation>作为接收案件导入</translation>
    </message>
    <message>
        <source>Package</source>
        <translation>证据包</translation>
    </message>
    <message>
        <source>Sealed package (*.qzp)</source>
        <translation>封存证据包 (*.qzp)</translation>
    </message>
    <message>
        <source>Choose a package file.</source>
        <translation>请选择证据包文件。</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>正在校验…</translation>
    </message>
    <message>
        <source>Could not verify: {0}</source>
        <translation>无法校验：{0}</translation>
    </message>
    <message>
        <source>PASS: {0} ledger entries and {1} sealed files are intact. It can be imported.</source>
        <translation>校验通过：{0} 条账本记录、{1} 个封存文件完好，可以导入。</translation>
    </message>
    <message>
        <source>FAIL: {0} integrity finding(s). This package cannot be imported.</source>
        <translation>校验未通过：{0} 项完整性问题。该证据包不能导入。</translation>
    </message>
    <message>
        <source>Verify the package first.</source>
        <translation>请先校验证据包。</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <source>Not imported: {0}</source>
        <translation>未导入：{0}</translation>
    </message>
    <message>
        <source>Imported as received case {0} (read-only).</source>
        <translation>已导入为接收案件 {0}（只读）。</translation>
    </message>
    <message>
        <source>{0} seal point(s) wait for a time-stamp: {1}</source>
        <translation>{0} 个封存点等待时间戳：{1}</translation>
    </message>
</context>
<context>
    <name>IssueCertificateDialog</name>
    <message>
        <source>Certificate from the agency CA</source>
        <translation>由机构 CA 签发证书</translation>
    </message>
    <message>
        <source>Officer</source>
        <translation>执法人员</translation>
    </message>
    <message>
        <source>Agency CA passphrase</source>
        <translation>机构 CA 口令</translation>
    </message>
    <message>
        <source>The officer keeps the same key; its self-signed certificate is replaced by one the agency CA issues ({0}). Entries the officer signed before stay valid.</source>
        <translation>该执法人员的密钥不变，其自签名证书将替换为机构 CA（{0}）签发的证书。此前签署的记录仍然有效。</translation>
    </message>
    <message>
        <source>Issue</source>
        <translation>签发</translation>
    </message>
    <message>
        <source>This computer holds no agency CA.</source>
        <translation>本机没有机构 CA。</translation>
    </message>
    <message>
        <source>Every officer on this computer already has an agency certificate.</source>
        <translation>本机所有执法人员均已持有机构 CA 签发的证书。</translation>
    </message>
    <message>
        <source>Choose the officer.</source>
        <translation>请选择执法人员。</translation>
    </message>
    <message>
        <source>Enter the agency CA&apos;s passphrase.</source>
        <translation>请输入机构 CA 的口令。</translation>
    </message>
    <message>
        <source>Issuing the certificate…</source>
        <translation>正在签发证书…</translation>
    </message>
</context>
<context>
    <name>Kinds</name>
    <message>
        <source>case opened</source>
        <translation>立案</translation>
    </message>
    <message>
        <source>officer added</source>
        <translation>添加办案人员</translation>
    </message>
    <message>
        <source>clean-environment check</source>
        <translation>清洁性检查</translation>
    </message>
    <message>
        <source>session started</source>
        <translation>取证会话开始</translation>
    </message>
    <message>
        <source>session closed</source>
        <translation>取证会话结束</translation>
    </message>
    <message>
        <source>screenshot</source>
        <translation>截图</translation>
    </message>
    <message>
        <source>full-page screenshot</source>
        <translation>整页截图</translation>
    </message>
    <message>
        <source>page snapshot</source>
        <translation>网页快照</translation>
    </message>
    <message>
        <source>screen recording</source>
        <translation>录像</translation>
    </message>
    <message>
        <source>live-stream data</source>
        <translation>直播流数据</translation>
    </message>
    <message>
        <source>live-room chat</source>
        <translation>直播间互动消息</translation>
    </message>
    <message>
        <source>network traffic (WARC)</source>
        <translation>网络流量（WARC）</translation>
    </message>
    <message>
        <source>recovered after a crash</source>
        <translation>崩溃后恢复</translation>
    </message>
    <message>
        <source>mark</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>imported file</source>
        <translation>导入文件</translation>
    </message>
    <message>
        <source>derived item</source>
        <translation>派生文件</translation>
    </message>
    <message>
        <source>time-stamp token</source>
        <translation>时间戳</translation>
    </message>
    <message>
        <source>package exported</source>
        <translation>导出证据包</translation>
    </message>
    <message>
        <source>custody transfer</source>
        <translation>移交</translation>
    </message>
    <message>
        <source>custody receipt</source>
        <translation>接收</translation>
    </message>
    <message>
        <source>verification</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>report made</source>
        <translation>生成笔录</translation>
    </message>
    <message>
        <source>evidence viewed</source>
        <translation>查看证据</translation>
    </message>
    <message>
        <source>deposited in the vault</source>
        <translation>存入证据保管库</translation>
    </message>
    <message>
        <source>case closed</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>area screenshot</source>
        <translation>区域截图</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Quzheng 取证 — sealed evidence of online infringement</source>
        <translation>取证 Quzheng — 网络侵权电子数据固定</translation>
    </message>
    <message>
        <source>Data: {0}</source>
        <translation>数据目录：{0}</translation>
    </message>
    <message>
        <source>&amp;New case…</source>
        <translation>新建案件(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Open case</source>
        <translation>打开案件(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Verify a package…</source>
        <translation>校验证据包(&amp;V)…</translation>
    </message>
    <message>
        <source>&amp;Import package…</source>
        <translation>导入证据包(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>First-start &amp;wizard…</source>
        <translation>首次设置向导(&amp;W)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Unlock officer…</source>
        <translation>解锁执法人员(&amp;U)…</translation>
    </message>
    <message>
        <source>&amp;Lock (forget the key)</source>
        <translation>锁定（清除已解锁的私钥）(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;New officer profile…</source>
        <translation>新建执法人员档案(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Certificate from the agency CA…</source>
        <translation>由本机机构 CA 签发证书(&amp;C)…</translation>
    </message>
    <message>
        <source>Start &amp;capture session…</source>
        <translation>开始取证会话(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;About Quzheng</source>
        <translation>关于取证(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Officer</source>
        <translation>执法人员(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Case</source>
        <translation>案件(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>No officer unlocked</source>
        <translation>未解锁执法人员</translation>
    </message>
    <message>
        <source>Officer: {0} ({1})</source>
        <translation>执法人员：{0}（{1}）</translation>
    </message>
    <message>
        <source>Listing the cases</source>
        <translation>列出案件</translation>
    </message>
    <message>
        <source>{0} case(s)</source>
        <translation>共 {0} 个案件</translation>
    </message>
    <message>
        <source>About Quzheng</source>
        <translation>关于取证</translation>
    </message>
    <message>
        <source>Quzheng {0}: sealed collection of online-infringement evidence.</source>
        <translation>取证 {0}：网络侵权电子数据的封存式提取。</translation>
    </message>
    <message>
        <source>Built-in TSA (training) at {0}</source>
        <translation>内置时间戳服务（训练）：{0}</translation>
    </message>
    <message>
        <source>TSA: {0}</source>
        <translation>时间戳服务：{0}</translation>
    </message>
    <message>
        <source>No TSA configured: seals queue</source>
        <translation>未配置时间戳服务：封存点将排队</translation>
    </message>
    <message>
        <source>Capture session</source>
        <translation>取证会话</translation>
    </message>
    <message>
        <source>A capture session is already running.</source>
        <translation>已有取证会话正在进行。</translation>
    </message>
    <message>
        <source>Starting the practice range</source>
        <translation>启动练习靶场</translation>
    </message>
    <message>
        <source>Starting the capture session: recording proxy, fresh browser, clean-environment check…</source>
        <translation>正在开始取证会话：启动取证代理、全新浏览器，并进行清洁性检查…</translation>
    </message>
    <message>
        <source>Starting the capture session</source>
        <translation>开始取证会话</translation>
    </message>
    <message>
        <source>Capture</source>
        <translation>取证</translation>
    </message>
    <message>
        <source>Close the capture session (with two officers&apos; signatures) first.</source>
        <translation>请先结束取证会话（需两名执法人员签名）。</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <source>New case</source>
        <translation>新建案件</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Case number</source>
        <translation>案号</translation>
    </message>
    <message>
        <source>e.g. 示市监案〔2026〕12号</source>
        <translation>例如 示市监案〔2026〕12号</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>案件名称</translation>
    </message>
    <message>
        <source>Cause (案由)</source>
        <translation>案由</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>取证地点</translation>
    </message>
    <message>
        <source>where the officers are</source>
        <translation>执法人员所在地点</translation>
    </message>
    <message>
        <source>what the evidence is meant to prove (证明对象)</source>
        <translation>证据拟证明的事实（证明对象）</translation>
    </message>
    <message>
        <source>Purpose</source>
        <translation>提取目的</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>取证对象</translation>
    </message>
    <message>
        <source>Platform</source>
        <translation>平台</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>店铺</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账号</translation>
    </message>
    <message>
        <source>Live room ID</source>
        <translation>直播间号</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>网址</translation>
    </message>
    <message>
        <source>Officers (at least two, with 执法证号)</source>
        <translation>办案人员（至少两名，含执法证号）</translation>
    </message>
    <message>
        <source>{0}  badge {1}  {2}</source>
        <translation>{0}  执法证号 {1}  {2}</translation>
    </message>
    <message>
        <source>(lead, signs the case)</source>
        <translation>（主办，签名立案）</translation>
    </message>
    <message>
        <source>Training case (one officer allowed, and the record says so)</source>
        <translation>训练案件（允许一名执法人员，记录中注明）</translation>
    </message>
    <message>
        <source>Report header (optional)</source>
        <translation>笔录抬头（选填）</translation>
    </message>
    <message>
        <source>Agency</source>
        <translation>执法机关</translation>
    </message>
    <message>
        <source>Document number</source>
        <translation>文书编号</translation>
    </message>
    <message>
        <source>Party (当事人)</source>
        <translation>当事人</translation>
    </message>
    <message>
        <source>Open case</source>
        <translation>打开案件</translation>
    </message>
    <message>
        <source>Enter the case number.</source>
        <translation>请填写案号。</translation>
    </message>
    <message>
        <source>Enter a title.</source>
        <translation>请填写案件名称。</translation>
    </message>
    <message>
        <source>Enter the cause (案由).</source>
        <translation>请填写案由。</translation>
    </message>
    <message>
        <source>Enter where the officers are.</source>
        <translation>请填写取证地点。</translation>
    </message>
    <message>
        <source>Enter what the evidence is meant to prove.</source>
        <translation>请填写证据拟证明的事实。</translation>
    </message>
    <message>
        <source>Name the target: platform, shop, account, live room or URL.</source>
        <translation>请填写取证对象：平台、店铺、账号、直播间或网址。</translation>
    </message>
    <message>
        <source>The URL must start with http:// or https://.</source>
        <translation>网址须以 http:// 或 https:// 开头。</translation>
    </message>
    <message>
        <source>Choose at least two officers (a training case may have one).</source>
        <translation>请至少选择两名执法人员（训练案件可为一名）。</translation>
    </message>
    <message>
        <source>Opening the case…</source>
        <translation>正在立案…</translation>
    </message>
</context>
<context>
    <name>NewOfficerDialog</name>
    <message>
        <source>New officer profile</source>
        <translation>新建执法人员档案</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Badge number (执法证号)</source>
        <translation>执法证号</translation>
    </message>
    <message>
        <source>Agency</source>
        <translation>执法机关</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <source>Repeat passphrase</source>
        <translation>再次输入口令</translation>
    </message>
    <message>
        <source>Certificate issued by this computer&apos;s agency CA: {0}</source>
        <translation>由本机机构 CA 签发证书：{0}</translation>
    </message>
    <message>
        <source>Agency CA passphrase</source>
        <translation>机构 CA 口令</translation>
    </message>
    <message>
        <source>The new officer&apos;s key gets a certificate from the agency CA, so a court can check that it belongs to the officer. The CA&apos;s passphrase is asked once and not kept.</source>
        <translation>新执法人员的密钥将获得机构 CA 签发的证书，法院可据此核实密钥属于该执法人员。机构 CA 口令只在此次使用，不会保存。</translation>
    </message>
    <message>
        <source>This computer holds no agency CA: the new key is self-signed, and its fingerprint is printed in the paper record for the officer&apos;s handwritten signature.</source>
        <translation>本机没有机构 CA：新密钥为自签名，其指纹将打印在纸质笔录中，供该执法人员手写签名确认。</translation>
    </message>
    <message>
        <source>The officer chooses the passphrase and keeps it: at least 10 characters, never shared. Nobody can recover a lost passphrase.</source>
        <translation>口令由该执法人员本人设定并保管：至少 10 个字符，切勿告知他人。口令遗失后任何人都无法找回。</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <source>Enter the agency CA&apos;s passphrase.</source>
        <translation>请输入机构 CA 的口令。</translation>
    </message>
    <message>
        <source>Creating the key…</source>
        <translation>正在生成密钥…</translation>
    </message>
</context>
<context>
    <name>OpenButtons</name>
    <message>
        <source>Open folder</source>
        <translation>打开所在文件夹</translation>
    </message>
    <message>
        <source>Open PDF</source>
        <translation>打开 PDF</translation>
    </message>
</context>
<context>
    <name>ProfileProblem</name>
    <message>
        <source>Enter the officer&apos;s name and agency.</source>
        <translation>请填写执法人员的姓名和执法机关。</translation>
    </message>
    <message>
        <source>The badge number uses letters, digits, &apos;-&apos; or &apos;_&apos; (at most 40).</source>
        <translation>执法证号只能包含字母、数字、“-”或“_”（最多 40 位）。</translation>
    </message>
    <message>
        <source>The passphrase needs at least 10 characters.</source>
        <translation>口令至少需要 10 个字符。</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>两次输入的口令不一致。</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <source>Chain-of-custody report</source>
        <translation>电子数据提取笔录</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>PDF file</source>
        <translation>PDF 文件</translation>
    </message>
    <message>
        <source>Report language</source>
        <translation>笔录语言</translation>
    </message>
    <message>
        <source>The report (电子数据提取笔录) is made from the sealed record; nothing in the case changes.</source>
        <translation>笔录（电子数据提取笔录）依据已封存的记录生成，不改动案件中的任何内容。</translation>
    </message>
    <message>
        <source>Write report</source>
        <translation>生成笔录</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Choose where to write the report.</source>
        <translation>请选择笔录的保存位置。</translation>
    </message>
    <message>
        <source>Writing the report…</source>
        <translation>正在生成笔录…</translation>
    </message>
    <message>
        <source>No report written: {0}</source>
        <translation>未生成笔录：{0}</translation>
    </message>
    <message>
        <source>Report: {0}</source>
        <translation>笔录：{0}</translation>
    </message>
    <message>
        <source>{0} page(s)</source>
        <translation>共 {0} 页</translation>
    </message>
</context>
<context>
    <name>ScoreboardDialog</name>
    <message>
        <source>Instructor scoreboard</source>
        <translation>教官计分板</translation>
    </message>
    <message>
        <source>Add packages…</source>
        <translation>添加证据包…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>only for encrypted packages</source>
        <translation>仅用于加密的证据包</translation>
    </message>
    <message>
        <source>Exercise</source>
        <translation>练习</translation>
    </message>
    <message>
        <source>Packages (.qzp)</source>
        <translation>证据包（.qzp）</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Add the trainees&apos; packages, then compute.</source>
        <translation>添加学员的证据包，然后计算成绩。</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>计算成绩</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Export HTML…</source>
        <translation>导出 HTML…</translation>
    </message>
    <message>
        <source>Export PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <source>The exercises could not be read: {0}</source>
        <translation>无法读取练习：{0}</translation>
    </message>
    <message>
        <source>Packages</source>
        <translation>证据包</translation>
    </message>
    <message>
        <source>Sealed package (*.qzp)</source>
        <translation>封存的证据包 (*.qzp)</translation>
    </message>
    <message>
        <source>Choose an exercise and at least one package.</source>
        <translation>请选择练习并至少添加一个证据包。</translation>
    </message>
    <message>
        <source>Scoring {0} package(s)…</source>
        <translation>正在为 {0} 个证据包评分…</translation>
    </message>
    <message>
        <source>The scoreboard could not be computed: {0}</source>
        <translation>无法计算成绩：{0}</translation>
    </message>
    <message>
        <source>{0} package(s) scored; {1} could not be read.</source>
        <translation>已评分 {0} 个证据包；{1} 个无法读取。</translation>
    </message>
    <message>
        <source>Export the scoreboard</source>
        <translation>导出计分板</translation>
    </message>
    <message>
        <source>The scoreboard could not be saved: {0}</source>
        <translation>无法保存计分板：{0}</translation>
    </message>
    <message>
        <source>Saved: {0}</source>
        <translation>已保存：{0}</translation>
    </message>
</context>
<context>
    <name>SessionStatus</name>
    <message>
        <source>Items sealed: {0}</source>
        <translation>已封存：{0} 个</translation>
    </message>
    <message>
        <source>Last seal: {0}</source>
        <translation>最近封存：{0}</translation>
    </message>
    <message>
        <source>TSA queue: {0} waiting</source>
        <translation>时间戳排队：{0} 个</translation>
    </message>
    <message>
        <source>TSA queue: empty</source>
        <translation>时间戳排队：无</translation>
    </message>
    <message>
        <source>Proxy: recording {0}</source>
        <translation>代理：正在记录 {0}</translation>
    </message>
    <message>
        <source>Proxy: stopped</source>
        <translation>代理：已停止</translation>
    </message>
    <message>
        <source>Clock offset: {0}</source>
        <translation>时钟偏差：{0}</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>未测得</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>one RFC 3161 URL per line, tried in order</source>
        <translation>每行一个 RFC 3161 地址，按顺序尝试</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>0 = any free port, or e.g. 18080-18099</source>
        <translation>0 表示任意空闲端口，或如 18080-18099</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>e.g. https://vault.agency.example (empty: none)</source>
        <translation>例如 https://vault.agency.example（留空表示不使用）</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Time-stamp authorities (TSA)</source>
        <translation>时间戳服务（TSA）</translation>
    </message>
    <message>
        <source>NTP servers</source>
        <translation>NTP 服务器</translation>
    </message>
    <message>
        <source>Data directory</source>
        <translation>数据目录</translation>
    </message>
    <message>
        <source>Proxy port range</source>
        <translation>代理端口范围</translation>
    </message>
    <message>
        <source>Video segment length</source>
        <translation>录像分段时长</translation>
    </message>
    <message>
        <source>Agency vault address</source>
        <translation>机构证据库地址</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <source>A new language and data directory take effect at the next start.</source>
        <translation>新的界面语言和数据目录在下次启动时生效。</translation>
    </message>
    <message>
        <source>The port range is 0, a port, or two ports like 18080-18099.</source>
        <translation>端口范围应为 0、单个端口，或如 18080-18099 的两个端口。</translation>
    </message>
    <message>
        <source>The vault address is a web address: https://… (or empty).</source>
        <translation>证据库地址应为网址：https://…（或留空）。</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <source>Quzheng — first start</source>
        <translation>取证 — 首次设置</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>欢迎</translation>
    </message>
    <message>
        <source>Quzheng seals evidence of online infringement the moment it is captured. Before the first case, set up your officer key, trusted time and where cases are kept.</source>
        <translation>取证软件在提取网络侵权证据的同时即予封存。办理第一个案件前，请设置您的执法人员密钥、可信时间和案件存放位置。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <source>Officer profile and key</source>
        <translation>执法人员档案与密钥</translation>
    </message>
    <message>
        <source>Your name and badge number (执法证号) appear on every entry your key signs.</source>
        <translation>您的姓名和执法证号将出现在您的密钥签署的每一条记录中。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Badge number (执法证号)</source>
        <translation>执法证号</translation>
    </message>
    <message>
        <source>Agency</source>
        <translation>执法机关</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <source>Repeat passphrase</source>
        <translation>再次输入口令</translation>
    </message>
    <message>
        <source>Keep the passphrase safe. Without it your key cannot sign, and nobody — not the administrator, not the developers — can recover it: a lost passphrase means a new key. Use at least 10 characters, write it down and keep it sealed; never share it.</source>
        <translation>请妥善保管口令。没有口令，您的密钥将无法签名，且任何人（包括管理员和开发者）都无法找回：遗失口令只能重新生成密钥。口令至少 10 个字符，请抄写后密封保存，切勿告诉他人。</translation>
    </message>
    <message>
        <source>Agency certificate</source>
        <translation>机构证书</translation>
    </message>
    <message>
        <source>A certificate from your agency&apos;s CA lets a court check that your key belongs to you. Without one, your key is self-signed and its fingerprint is printed in the paper record for your handwritten signature.</source>
        <translation>由本机构 CA 签发的证书可供法院核实密钥属于您本人。没有机构证书时，您的密钥为自签名，其指纹将打印在纸质笔录上，供您手写签名确认。</translation>
    </message>
    <message>
        <source>No agency certificate (self-signed key)</source>
        <translation>不使用机构证书（自签名密钥）</translation>
    </message>
    <message>
        <source>Trust our agency&apos;s CA certificate (PEM file)</source>
        <translation>信任本机构的 CA 证书（PEM 文件）</translation>
    </message>
    <message>
        <source>Create an agency CA here (small agency or training)</source>
        <translation>在本机创建机构 CA（小型机构或训练）</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Agency CA certificate</source>
        <translation>机构 CA 证书</translation>
    </message>
    <message>
        <source>CA certificate file</source>
        <translation>CA 证书文件</translation>
    </message>
    <message>
        <source>New CA name</source>
        <translation>新 CA 名称</translation>
    </message>
    <message>
        <source>New CA passphrase</source>
        <translation>新 CA 口令</translation>
    </message>
    <message>
        <source>Trusted time</source>
        <translation>可信时间</translation>
    </message>
    <message>
        <source>Every seal gets an RFC 3161 time-stamp. For casework use your agency&apos;s time-stamp authorities; the built-in one is for training only. When none answers, seals queue and are stamped later.</source>
        <translation>每个封存点都会获取 RFC 3161 时间戳。办案请使用本机构指定的时间戳服务；内置服务仅供训练。时间戳服务不可用时，封存点排队，稍后补取。</translation>
    </message>
    <message>
        <source>Built-in time-stamp authority (training)</source>
        <translation>内置时间戳服务（训练）</translation>
    </message>
    <message>
        <source>Time-stamp authorities for casework</source>
        <translation>办案用时间戳服务</translation>
    </message>
    <message>
        <source>one RFC 3161 URL per line, tried in order</source>
        <translation>每行一个 RFC 3161 地址，按顺序尝试</translation>
    </message>
    <message>
        <source>TSA root certificate</source>
        <translation>时间戳服务根证书</translation>
    </message>
    <message>
        <source>TSA URLs</source>
        <translation>时间戳服务地址</translation>
    </message>
    <message>
        <source>Clock and data</source>
        <translation>时钟与数据</translation>
    </message>
    <message>
        <source>The clock is compared with standard time before and after every session. Cases are kept in the data directory; choose a disk with room for screen recordings.</source>
        <translation>每次取证会话前后都会将本机时钟与标准时间比对。案件保存在数据目录中，请选择有足够空间存放录像的磁盘。</translation>
    </message>
    <message>
        <source>NTP servers</source>
        <translation>NTP 服务器</translation>
    </message>
    <message>
        <source>Data directory</source>
        <translation>数据目录</translation>
    </message>
    <message>
        <source>The language applies at once to this wizard and to the menus; the rest of the main window follows at the next start. It is saved when you finish.</source>
        <translation>所选语言立即应用于本向导和菜单；主窗口的其余部分在下次启动时切换。语言设置在完成向导时保存。</translation>
    </message>
    <message>
        <source>&lt; &amp;Back</source>
        <translation>&lt; 上一步(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Next &gt;</source>
        <translation>下一步(&amp;N) &gt;</translation>
    </message>
    <message>
        <source>&amp;Finish</source>
        <translation>完成(&amp;F)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Choose the agency CA certificate file.</source>
        <translation>请选择机构 CA 证书文件。</translation>
    </message>
    <message>
        <source>The CA passphrase needs at least 10 characters.</source>
        <translation>CA 口令至少需要 10 个字符。</translation>
    </message>
    <message>
        <source>Enter at least one time-stamp authority URL.</source>
        <translation>请至少填写一个时间戳服务地址。</translation>
    </message>
    <message>
        <source>Choose the TSA&apos;s root certificate, so its tokens can be checked.</source>
        <translation>请选择时间戳服务的根证书，以便核验其时间戳。</translation>
    </message>
    <message>
        <source>Creating your key…</source>
        <translation>正在生成您的密钥…</translation>
    </message>
</context>
<context>
    <name>Severity</name>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>trust not established</source>
        <translation>信任未建立</translation>
    </message>
    <message>
        <source>not checked</source>
        <translation>未校验</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>info</source>
        <translation>提示</translation>
    </message>
</context>
<context>
    <name>SideBySideViewer</name>
    <message>
        <source>Play side by side (recording and stream)</source>
        <translation>对照播放（录屏与直播流）</translation>
    </message>
    <message>
        <source>No picture at this moment</source>
        <translation>此时段无画面</translation>
    </message>
    <message>
        <source>Screen recording (what the officer saw)</source>
        <translation>录屏（执法人员所见）</translation>
    </message>
    <message>
        <source>Live stream as the server sent it</source>
        <translation>服务器发送的直播流</translation>
    </message>
    <message>
        <source>Play / pause</source>
        <translation>播放 / 暂停</translation>
    </message>
    <message>
        <source>Recording segment</source>
        <translation>录屏片段</translation>
    </message>
    <message>
        <source>No. {0}: {1}</source>
        <translation>第 {0} 条记录：{1}</translation>
    </message>
    <message>
        <source>Beijing time {0}</source>
        <translation>北京时间 {0}</translation>
    </message>
</context>
<context>
    <name>SnapshotViewer</name>
    <message>
        <source>Source</source>
        <translation>源代码</translation>
    </message>
    <message>
        <source>Show the sealed MHTML source instead of the page</source>
        <translation>显示封存的 MHTML 源代码，而不是页面</translation>
    </message>
    <message>
        <source>Loading the snapshot (scripts off, offline)…</source>
        <translation>正在载入网页快照（脚本已关闭，离线）…</translation>
    </message>
    <message>
        <source>The snapshot could not be shown as a page.</source>
        <translation>无法将快照显示为页面。</translation>
    </message>
    <message>
        <source>The page as sealed; scripts off, offline ({0} outside requests blocked).</source>
        <translation>封存时的页面；脚本已关闭，离线显示（已阻止 {0} 个外部请求）。</translation>
    </message>
    <message>
        <source>The page as sealed; scripts off, offline.</source>
        <translation>封存时的页面；脚本已关闭，离线显示。</translation>
    </message>
</context>
<context>
    <name>Stamp</name>
    <message>
        <source>stamped</source>
        <translation>已获取</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
</context>
<context>
    <name>StartSessionDialog</name>
    <message>
        <source>Start a capture session</source>
        <translation>开始取证会话</translation>
    </message>
    <message>
        <source>The session starts the recording proxy and a browser with a fresh profile, and checks the capture environment; the check is shown to you and sealed. The workspace is recorded from start to end; pausing needs a reason. Two officers close the session.</source>
        <translation>取证会话将启动取证代理和全新配置的浏览器，并检查取证环境；检查结果会展示给您并封存。工作区从开始到结束全程录像，暂停须说明原因。会话由两名执法人员签名结束。</translation>
    </message>
    <message>
        <source>Training on the practice range (the program starts it when needed)</source>
        <translation>在练习靶场训练（需要时由程序自动启动靶场）</translation>
    </message>
    <message>
        <source>Session lead</source>
        <translation>会话主办人</translation>
    </message>
    <message>
        <source>Start page</source>
        <translation>起始网址</translation>
    </message>
    <message>
        <source>Practice range port</source>
        <translation>靶场端口</translation>
    </message>
    <message>
        <source>Your passphrase</source>
        <translation>您的口令</translation>
    </message>
    <message>
        <source>Start session</source>
        <translation>开始会话</translation>
    </message>
    <message>
        <source>The start page must start with http:// or https://.</source>
        <translation>起始网址须以 http:// 或 https:// 开头。</translation>
    </message>
    <message>
        <source>The start page is on the practice range, which only answers in training: “Training on the practice range” is now chosen. Start again to confirm.</source>
        <translation>起始页位于练习靶场，只有在训练模式下才能访问：已自动勾选“在练习靶场训练”。请再次点击开始以确认。</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在核对…</translation>
    </message>
    <message>
        <source>Wrong passphrase. Try again.</source>
        <translation>口令错误，请重试。</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>open</source>
        <translation>办理中</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>无法读取</translation>
    </message>
</context>
<context>
    <name>TextEntryDialog</name>
    <message>
        <source>Pause recording</source>
        <translation>暂停录像</translation>
    </message>
    <message>
        <source>Say why the recording pauses. The reason is sealed, and the report shows the gap with it.</source>
        <translation>请说明暂停录像的原因。原因将被封存，笔录中会连同录像中断一并显示。</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>The note is sealed in the case&apos;s ledger, with your signature and the time.</source>
        <translation>备注将连同您的签名和时间封存到本案账本中。</translation>
    </message>
    <message>
        <source>Seal note</source>
        <translation>封存备注</translation>
    </message>
    <message>
        <source>This cannot be empty.</source>
        <translation>此项不能为空。</translation>
    </message>
</context>
<context>
    <name>TextViewer</name>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>The file could not be read.</source>
        <translation>无法读取该文件。</translation>
    </message>
    <message>
        <source>Only the first 2 MiB are shown.</source>
        <translation>仅显示前 2 MiB。</translation>
    </message>
</context>
<context>
    <name>TimelineModel</name>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Time (Beijing)</source>
        <translation>时间（北京时间）</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>Time-stamp</source>
        <translation>时间戳</translation>
    </message>
    <message>
        <source>About</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Entry hash: {0}</source>
        <translation>记录哈希：{0}</translation>
    </message>
    <message>
        <source>stamped (#{0})</source>
        <translation>已获取（#{0}）</translation>
    </message>
    <message>
        <source>stamped (entry {0})</source>
        <translation>已获取（第 {0} 条时间戳记录）</translation>
    </message>
    <message>
        <source>before capture</source>
        <translation>取证前</translation>
    </message>
    <message>
        <source>after capture</source>
        <translation>取证后</translation>
    </message>
    <message>
        <source>{0}: {1} warning(s)</source>
        <translation>{0}：告警 {1} 项</translation>
    </message>
    <message>
        <source>Recording resumed</source>
        <translation>录像继续</translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation>{0}：{1}</translation>
    </message>
    <message>
        <source>Recording paused: {0}</source>
        <translation>录像暂停：{0}</translation>
    </message>
    <message>
        <source>Export did not complete, no file was written (see entry {0}): {1}</source>
        <translation>导出未完成，未生成文件（见第 {0} 条记录）：{1}</translation>
    </message>
    <message>
        <source>Package {0}</source>
        <translation>证据包 {0}</translation>
    </message>
    <message>
        <source>Live-room chat: no messages in this period</source>
        <translation>直播间互动消息：本时段没有消息</translation>
    </message>
    <message>
        <source>Live-room chat: {0} message(s); last: {1}: {2}</source>
        <translation>直播间互动消息 {0} 条；最后一条：{1}：{2}</translation>
    </message>
    <message>
        <source>Deposited in the agency vault: {0}, retained until {1}</source>
        <translation>已存入机构证据保管库：{0}，保留至 {1}</translation>
    </message>
    <message>
        <source>No logged-in account is used</source>
        <translation>未使用登录账号</translation>
    </message>
    <message>
        <source>Logged-in account: {0}</source>
        <translation>已登录账号：{0}</translation>
    </message>
    <message>
        <source>Export of entry {0} failed; no file was written</source>
        <translation>第 {0} 条记录的导出失败，未生成文件</translation>
    </message>
    <message>
        <source>traffic segment left open, repaired</source>
        <translation>未关闭的流量分段，已修复</translation>
    </message>
    <message>
        <source>file closed but not sealed</source>
        <translation>已关闭但未封存的文件</translation>
    </message>
    <message>
        <source>unreadable traffic segment, sealed as found</source>
        <translation>无法读取的流量分段，按原样封存</translation>
    </message>
    <message>
        <source>screen-recording segment cut off</source>
        <translation>中断的屏幕录像分段</translation>
    </message>
    <message>
        <source>Left by an interrupted capture: {0}</source>
        <translation>中断的取证留下：{0}</translation>
    </message>
    <message>
        <source>Stream as received, {0}; no recording segment overlaps</source>
        <translation>直播流原样数据，{0}；没有与之重叠的录像分段</translation>
    </message>
    <message>
        <source>Stream as received, {0}; shown too in recording entries {1}</source>
        <translation>直播流原样数据，{0}；同一时段的录像见第 {1} 条记录</translation>
    </message>
    <message>
        <source>built-in fallback browser</source>
        <translation>内置备用浏览器</translation>
    </message>
    <message>
        <source>Browser: {0}</source>
        <translation>浏览器：{0}</translation>
    </message>
    <message>
        <source>Targets: {0}</source>
        <translation>取证目标：{0}</translation>
    </message>
    <message>
        <source>Capture session started</source>
        <translation>取证会话开始</translation>
    </message>
</context>
<context>
    <name>TrafficModel</name>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>网址</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Server IP</source>
        <translation>服务器 IP</translation>
    </message>
    <message>
        <source>no response</source>
        <translation>无响应</translation>
    </message>
</context>
<context>
    <name>TrafficViewer</name>
    <message>
        <source>Reading the sealed traffic (digests are checked)…</source>
        <translation>正在读取已封存的网络流量（同时核验摘要）…</translation>
    </message>
    <message>
        <source>The traffic could not be shown: {0}</source>
        <translation>无法显示网络流量：{0}</translation>
    </message>
    <message>
        <source>{0} requests; digests checked while reading.</source>
        <translation>共 {0} 个请求；读取时已核验摘要。</translation>
    </message>
    <message>
        <source>Started: {0} (Beijing)  Server: {1}</source>
        <translation>开始：{0}（北京时间）  服务器：{1}</translation>
    </message>
    <message>
        <source>Request headers</source>
        <translation>请求头</translation>
    </message>
    <message>
        <source>Response headers ({0})</source>
        <translation>响应头（{0}）</translation>
    </message>
    <message>
        <source>no response</source>
        <translation>无响应</translation>
    </message>
    <message>
        <source>Carries the officer&apos;s own credentials: {0}</source>
        <translation>含执法人员自己的凭据：{0}</translation>
    </message>
    <message>
        <source>Body (start)</source>
        <translation>正文（开头部分）</translation>
    </message>
</context>
<context>
    <name>TrainingMenu</name>
    <message>
        <source>&amp;Training</source>
        <translation>训练(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Start exercise…</source>
        <translation>开始练习(&amp;S)…</translation>
    </message>
    <message>
        <source>Training &amp;panel</source>
        <translation>训练面板(&amp;P)</translation>
    </message>
    <message>
        <source>S&amp;top exercise</source>
        <translation>结束练习(&amp;T)</translation>
    </message>
    <message>
        <source>Instructor &amp;scoreboard…</source>
        <translation>教官计分板(&amp;S)…</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Choose or open a case first.</source>
        <translation>请先选择或打开一个案件。</translation>
    </message>
    <message>
        <source>Starting the exercise</source>
        <translation>开始练习</translation>
    </message>
    <message>
        <source>Starting the practice range</source>
        <translation>启动练习靶场</translation>
    </message>
    <message>
        <source>The practice range was started for this exercise (port {0}); it stops when the exercise ends.</source>
        <translation>练习靶场已为本次练习自动启动（端口 {0}），练习结束时自动停止。</translation>
    </message>
    <message>
        <source>The practice range is already running (port {0}).</source>
        <translation>练习靶场已在运行（端口 {0}）。</translation>
    </message>
    <message>
        <source>The exercise ended; the practice range was stopped.</source>
        <translation>练习结束，练习靶场已停止。</translation>
    </message>
</context>
<context>
    <name>TrainingPanel</name>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>No exercise started.</source>
        <translation>尚未开始练习。</translation>
    </message>
    <message>
        <source>Choose a criterion to read why it is met or not.</source>
        <translation>选择一项评分标准，查看其达成或未达成的原因。</translation>
    </message>
    <message>
        <source>This is not a training case: what you capture in it is sealed as real evidence, with its officers&apos; signatures. Practise in a case opened for training (New case… → Training case).</source>
        <translation>这不是训练案件：在其中取得的内容将作为正式证据封存，并带有执法人员签名。请在按训练案件新建的案件中练习（新建案件… → 训练案件）。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>The case could not be read: {0}</source>
        <translation>无法读取案件：{0}</translation>
    </message>
    <message>
        <source>{0} of {1} criteria met ({2} ledger entries read)</source>
        <translation>已达成 {0} / {1} 项评分标准（已读取 {2} 条账本记录）</translation>
    </message>
    <message>
        <source>Not started: the clock starts with the first capture session.</source>
        <translation>尚未开始：从第一次取证会话开始计时。</translation>
    </message>
    <message>
        <source>Not started: the clock starts with the first capture session (limit {0}).</source>
        <translation>尚未开始：从第一次取证会话开始计时（时限 {0}）。</translation>
    </message>
    <message>
        <source>Finished in {0}: over the limit of {1}.</source>
        <translation>用时 {0}，超过时限 {1}。</translation>
    </message>
    <message>
        <source>Session ended after {0}; {1} criteria not met yet.</source>
        <translation>会话已结束，用时 {0}；尚有 {1} 项标准未满足。</translation>
    </message>
    <message>
        <source>Finished in {0}: every criterion met.</source>
        <translation>用时 {0}，全部标准均已满足。</translation>
    </message>
    <message>
        <source>Elapsed {0} (no time limit).</source>
        <translation>已用时 {0}（不限时）。</translation>
    </message>
    <message>
        <source>Over the time limit by {0} (limit {1}).</source>
        <translation>已超时 {0}（时限 {1}）。</translation>
    </message>
    <message>
        <source>Time left {0} (elapsed {1} of {2}).</source>
        <translation>剩余 {0}（已用 {1}，时限 {2}）。</translation>
    </message>
</context>
<context>
    <name>TranscriptDialog</name>
    <message>
        <source>Transcript of a recording</source>
        <translation>录像语音转写</translation>
    </message>
    <message>
        <source>No. {0}  segment {1}  {2}  (SHA-256 {3}…)</source>
        <translation>第 {0} 条  分段 {1}  {2}  （SHA-256 {3}…）</translation>
    </message>
    <message>
        <source>speech in the recording, as heard by the officers</source>
        <translation>执法人员听写的录像中的语音</translation>
    </message>
    <message>
        <source>From</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>To</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Add line</source>
        <translation>添加一行</translation>
    </message>
    <message>
        <source>Remove line</source>
        <translation>删除一行</translation>
    </message>
    <message>
        <source>Recording segment</source>
        <translation>录像分段</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Time codes are from the start of the segment: mm:ss or hh:mm:ss.mmm.</source>
        <translation>时间码从该分段开头起算：分:秒 或 时:分:秒.毫秒。</translation>
    </message>
    <message>
        <source>Seal transcript</source>
        <translation>封存转写</translation>
    </message>
    <message>
        <source>There is no sealed recording segment yet.</source>
        <translation>尚无已封存的录像分段。</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <source>Transfer custody</source>
        <translation>移交证据</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <source>e.g. 涉嫌犯罪，移送公安机关</source>
        <translation>例如：涉嫌犯罪，移送公安机关</translation>
    </message>
    <message>
        <source>Exported package (.qzp)</source>
        <translation>已导出的证据包（.qzp）</translation>
    </message>
    <message>
        <source>Receiver&apos;s name</source>
        <translation>接收人姓名</translation>
    </message>
    <message>
        <source>Receiver&apos;s badge number</source>
        <translation>接收人执法证号</translation>
    </message>
    <message>
        <source>Receiving agency</source>
        <translation>接收单位</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>移交原因</translation>
    </message>
    <message>
        <source>The transfer is sealed in the ledger and signed by {0}.</source>
        <translation>移交将记入账本，并由 {0} 签名。</translation>
    </message>
    <message>
        <source>Seal transfer</source>
        <translation>封存移交</translation>
    </message>
    <message>
        <source>Exported package</source>
        <translation>已导出的证据包</translation>
    </message>
    <message>
        <source>Sealed package (*.qzp)</source>
        <translation>封存证据包 (*.qzp)</translation>
    </message>
    <message>
        <source>Choose the exported package file (.qzp).</source>
        <translation>请选择已导出的证据包文件（.qzp）。</translation>
    </message>
    <message>
        <source>Enter the receiver&apos;s name, the receiving agency and the reason.</source>
        <translation>请填写接收人姓名、接收单位和移交原因。</translation>
    </message>
    <message>
        <source>Sealing the transfer…</source>
        <translation>正在封存移交记录…</translation>
    </message>
    <message>
        <source>Transfer not sealed: {0}</source>
        <translation>移交未封存：{0}</translation>
    </message>
    <message>
        <source>Transfer sealed as ledger entry {0}.</source>
        <translation>移交已封存为账本第 {0} 条。</translation>
    </message>
    <message>
        <source>Hand over with the package: {0}</source>
        <translation>随证据包一并移交：{0}</translation>
    </message>
    <message>
        <source>{0} seal point(s) wait for a time-stamp: {1}</source>
        <translation>{0} 个封存点等待时间戳：{1}</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <source>Unlock officer key</source>
        <translation>解锁执法人员密钥</translation>
    </message>
    <message>
        <source>Officer</source>
        <translation>执法人员</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <source>Your key signs every entry you seal. Type your passphrase to unlock it.</source>
        <translation>您封存的每一条记录都由您的密钥签名。请输入口令解锁。</translation>
    </message>
    <message>
        <source>No officer profile exists yet.</source>
        <translation>尚未创建执法人员档案。</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在核对…</translation>
    </message>
    <message>
        <source>Wrong passphrase. Try again.</source>
        <translation>口令错误，请重试。</translation>
    </message>
</context>
<context>
    <name>VerifyDialog</name>
    <message>
        <source>Verify evidence</source>
        <translation>校验证据</translation>
    </message>
    <message>
        <source>only for an encrypted package</source>
        <translation>仅加密的证据包需要</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Package (.qzp)</source>
        <translation>证据包（.qzp）</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Not verified yet.</source>
        <translation>尚未校验。</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>Package</source>
        <translation>证据包</translation>
    </message>
    <message>
        <source>Sealed package (*.qzp)</source>
        <translation>封存证据包 (*.qzp)</translation>
    </message>
    <message>
        <source>Choose a package file.</source>
        <translation>请选择证据包文件。</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>正在校验…</translation>
    </message>
    <message>
        <source>Could not verify: {0}</source>
        <translation>无法校验：{0}</translation>
    </message>
    <message>
        <source>PASS: {0} ledger entries and {1} sealed files are intact.</source>
        <translation>校验通过：{0} 条账本记录、{1} 个封存文件完好。</translation>
    </message>
    <message>
        <source>FAIL: {0} integrity finding(s). The list below says which file or entry.</source>
        <translation>校验未通过：{0} 项完整性问题。下表列出涉及的文件或记录。</translation>
    </message>
</context>
<context>
    <name>VideoViewer</name>
    <message>
        <source>Play / pause</source>
        <translation>播放 / 暂停</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Marks in this segment</source>
        <translation>本分段中的标记</translation>
    </message>
    <message>
        <source>No marks.</source>
        <translation>无标记。</translation>
    </message>
</context>
<context>
    <name>WorkspaceWindow</name>
    <message>
        <source>Quzheng capture workspace — case {0}</source>
        <translation>取证工作区 — 案件 {0}</translation>
    </message>
    <message>
        <source>note for the next mark (what is on screen)</source>
        <translation>下一个标记的说明（屏幕上的内容）</translation>
    </message>
    <message>
        <source>Sealed in this session</source>
        <translation>本次会话已封存</translation>
    </message>
    <message>
        <source>Mark note</source>
        <translation>标记说明</translation>
    </message>
    <message>
        <source>&amp;Screenshot (viewport)</source>
        <translation>截图（可视区域）(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Full-page screenshot</source>
        <translation>整页截图(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Area screenshot…</source>
        <translation>区域截图(&amp;A)…</translation>
    </message>
    <message>
        <source>Page s&amp;napshot (MHTML)</source>
        <translation>网页快照（MHTML）(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Mark this moment</source>
        <translation>标记此刻(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Pause recording…</source>
        <translation>暂停录像(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Note…</source>
        <translation>备注(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Transcript of a recording…</source>
        <translation>录像语音转写(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Close session…</source>
        <translation>结束会话(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Capture</source>
        <translation>取证(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Recording</source>
        <translation>录像(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>会话(&amp;S)</translation>
    </message>
    <message>
        <source>Capture</source>
        <translation>取证</translation>
    </message>
    <message>
        <source>● Recording proxy {0}: all traffic recorded</source>
        <translation>● 取证代理 {0}：全部流量均被记录</translation>
    </message>
    <message>
        <source>■ Recording proxy stopped: capture stopped</source>
        <translation>■ 取证代理已停止：取证已停止</translation>
    </message>
    <message>
        <source>○ not recording</source>
        <translation>○ 未在录像</translation>
    </message>
    <message>
        <source>❚❚ recording paused</source>
        <translation>❚❚ 录像已暂停</translation>
    </message>
    <message>
        <source>● REC {0:02d}:{1:02d}</source>
        <translation>● 录像中 {0:02d}:{1:02d}</translation>
    </message>
    <message>
        <source>&amp;Resume recording</source>
        <translation>继续录像(&amp;P)</translation>
    </message>
    <message>
        <source>No TLS (plain HTTP)</source>
        <translation>未加密（HTTP）</translation>
    </message>
    <message>
        <source>Browser trusts only the recording proxy&apos;s CA</source>
        <translation>浏览器只信任取证代理的根证书</translation>
    </message>
    <message>
        <source>TLS through the proxy; server certificate not yet in the sealed traffic</source>
        <translation>TLS 经取证代理；服务器证书尚未进入已封存的流量</translation>
    </message>
    <message>
        <source>TLS: server certificate of {0} verified by the proxy (sealed)</source>
        <translation>TLS：{0} 的服务器证书已由取证代理验证（已封存）</translation>
    </message>
    <message>
        <source>TLS: server certificate of {0} NOT verified</source>
        <translation>TLS：{0} 的服务器证书未通过验证</translation>
    </message>
    <message>
        <source>Start recording and capture</source>
        <translation>开始录像并取证</translation>
    </message>
    <message>
        <source>Starting the recording</source>
        <translation>开始录像</translation>
    </message>
    <message>
        <source>Another capture is being sealed; try again in a moment.</source>
        <translation>另一项取证正在封存，请稍后再试。</translation>
    </message>
    <message>
        <source>Screenshot</source>
        <translation>截图</translation>
    </message>
    <message>
        <source>Full-page screenshot</source>
        <translation>整页截图</translation>
    </message>
    <message>
        <source>Page snapshot</source>
        <translation>网页快照</translation>
    </message>
    <message>
        <source>Area screenshot</source>
        <translation>区域截图</translation>
    </message>
    <message>
        <source>Mark</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>Resuming the recording</source>
        <translation>继续录像</translation>
    </message>
    <message>
        <source>Pausing the recording</source>
        <translation>暂停录像</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Transcript</source>
        <translation>转写</translation>
    </message>
    <message>
        <source>Closing the session</source>
        <translation>结束取证会话</translation>
    </message>
    <message>
        <source>Closing the session: proxy, re-check, signatures, time-stamps…</source>
        <translation>正在结束会话：停止代理、再次检查、签名、获取时间戳…</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
</context>
</TS>

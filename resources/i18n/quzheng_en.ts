<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>AddOfficerDialog</name>
    <message>
        <source>Add officer</source>
        <translation>Add officer</translation>
    </message>
    <message>
        <source>Officer</source>
        <translation>Officer</translation>
    </message>
    <message>
        <source>Recorder (记录人)</source>
        <translation>Recorder (记录人)</translation>
    </message>
    <message>
        <source>Technical assistant (技术辅助人员)</source>
        <translation>Technical assistant (技术辅助人员)</translation>
    </message>
    <message>
        <source>New officer profile…</source>
        <translation>New officer profile…</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>The officer is added to the case&apos;s sealed record, signed by {0}.</source>
        <translation>The officer is added to the case&apos;s sealed record, signed by {0}.</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Add</translation>
    </message>
    <message>
        <source>Every officer profile on this computer is already on the case. Create the new officer&apos;s profile first (New officer profile…).</source>
        <translation>Every officer profile on this computer is already on the case. Create the new officer&apos;s profile first (New officer profile…).</translation>
    </message>
    <message>
        <source>Choose the officer to add.</source>
        <translation>Choose the officer to add.</translation>
    </message>
    <message>
        <source>Sealing…</source>
        <translation>Sealing…</translation>
    </message>
</context>
<context>
    <name>AreaSelector</name>
    <message>
        <source>Drag to choose the area to seal — Esc cancels</source>
        <translation>Drag to choose the area to seal — Esc cancels</translation>
    </message>
</context>
<context>
    <name>BackupRetry</name>
    <message>
        <source>Retry backup</source>
        <translation>Retry backup</translation>
    </message>
    <message>
        <source>The package is written and sealed: {0}. Only the backup copy failed: {1}</source>
        <translation>The package is written and sealed: {0}. Only the backup copy failed: {1}</translation>
    </message>
    <message>
        <source>Enter where the backup copy goes.</source>
        <translation>Enter where the backup copy goes.</translation>
    </message>
    <message>
        <source>Copying the backup…</source>
        <translation>Copying the backup…</translation>
    </message>
    <message>
        <source>The backup copy failed again: {0}</source>
        <translation>The backup copy failed again: {0}</translation>
    </message>
    <message>
        <source>Backup (identical, compared): {0}</source>
        <translation>Backup (identical, compared): {0}</translation>
    </message>
</context>
<context>
    <name>BoardModel</name>
    <message>
        <source>Integrity</source>
        <translation>Integrity</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>Rank</translation>
    </message>
    <message>
        <source>Trainee</source>
        <translation>Trainee</translation>
    </message>
    <message>
        <source>Package</source>
        <translation>Package</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Unreadable</source>
        <translation>Unreadable</translation>
    </message>
    <message>
        <source>Passed</source>
        <translation>Passed</translation>
    </message>
    <message>
        <source>Not passed</source>
        <translation>Not passed</translation>
    </message>
</context>
<context>
    <name>BrowserPreview</name>
    <message>
        <source>Web address (URL): Enter opens it in the capture browser</source>
        <translation>Web address (URL): Enter opens it in the capture browser</translation>
    </message>
    <message>
        <source>No browser window (headless): this preview is the page&apos;s only view.</source>
        <translation>No browser window (headless): this preview is the page&apos;s only view.</translation>
    </message>
    <message>
        <source>Work in the browser window; this is a live preview of its page.</source>
        <translation>Work in the browser window; this is a live preview of its page.</translation>
    </message>
</context>
<context>
    <name>CaseHeader</name>
    <message>
        <source>platform</source>
        <translation>platform</translation>
    </message>
    <message>
        <source>shop</source>
        <translation>shop</translation>
    </message>
    <message>
        <source>account</source>
        <translation>account</translation>
    </message>
    <message>
        <source>live room</source>
        <translation>live room</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>{0} · {1} entries · {2} sealed files · {3} session(s) · {4} waiting for a time-stamp</source>
        <translation>{0} · {1} entries · {2} sealed files · {3} session(s) · {4} waiting for a time-stamp</translation>
    </message>
    <message>
        <source>a session is still open</source>
        <translation>a session is still open</translation>
    </message>
    <message>
        <source>Cause</source>
        <translation>Cause</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Target</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>Purpose</source>
        <translation>Purpose</translation>
    </message>
    <message>
        <source>Officers</source>
        <translation>Officers</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source> (training case)</source>
        <translation> (training case)</translation>
    </message>
</context>
<context>
    <name>CaseListModel</name>
    <message>
        <source>Case number</source>
        <translation>Case number</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>Officers</source>
        <translation>Officers</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Last activity (Beijing)</source>
        <translation>Last activity (Beijing)</translation>
    </message>
    <message>
        <source> (training)</source>
        <translation> (training)</translation>
    </message>
</context>
<context>
    <name>CaseSummaryPanel</name>
    <message>
        <source>Open case</source>
        <translation>Open case</translation>
    </message>
    <message>
        <source>Start capture session…</source>
        <translation>Start capture session…</translation>
    </message>
    <message>
        <source>Choose a case on the left, or open a new one (Ctrl+N). Double-click opens a case.</source>
        <translation>Choose a case on the left, or open a new one (Ctrl+N). Double-click opens a case.</translation>
    </message>
    <message>
        <source>Latest entries</source>
        <translation>Latest entries</translation>
    </message>
</context>
<context>
    <name>CaseView</name>
    <message>
        <source>← All cases</source>
        <translation>← All cases</translation>
    </message>
    <message>
        <source>Start capture session…</source>
        <translation>Start capture session…</translation>
    </message>
    <message>
        <source>Import files…</source>
        <translation>Import files…</translation>
    </message>
    <message>
        <source>Add note…</source>
        <translation>Add note…</translation>
    </message>
    <message>
        <source>Transcript…</source>
        <translation>Transcript…</translation>
    </message>
    <message>
        <source>Get time-stamps now</source>
        <translation>Get time-stamps now</translation>
    </message>
    <message>
        <source>Close open session…</source>
        <translation>Close open session…</translation>
    </message>
    <message>
        <source>Seal what the interrupted capture left…</source>
        <translation>Seal what the interrupted capture left…</translation>
    </message>
    <message>
        <source>Sealing what the interrupted capture left</source>
        <translation>Sealing what the interrupted capture left</translation>
    </message>
    <message>
        <source>Add officer…</source>
        <translation>Add officer…</translation>
    </message>
    <message>
        <source>Verify…</source>
        <translation>Verify…</translation>
    </message>
    <message>
        <source>Report…</source>
        <translation>Report…</translation>
    </message>
    <message>
        <source>Export package…</source>
        <translation>Export package…</translation>
    </message>
    <message>
        <source>Transfer custody…</source>
        <translation>Transfer custody…</translation>
    </message>
    <message>
        <source>Deposit in the agency vault…</source>
        <translation>Deposit in the agency vault…</translation>
    </message>
    <message>
        <source>Play side by side (recording and stream)</source>
        <translation>Play side by side (recording and stream)</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>The case could not be read.</source>
        <translation>The case could not be read.</translation>
    </message>
    <message>
        <source>Opening the case</source>
        <translation>Opening the case</translation>
    </message>
    <message>
        <source>Beijing time</source>
        <translation>Beijing time</translation>
    </message>
    <message>
        <source>No recording segment shares this stream item&apos;s time.</source>
        <translation>No recording segment shares this stream item&apos;s time.</translation>
    </message>
    <message>
        <source>No. {0} · {1} · {2} (Beijing) · {3} {4} · time-stamp: {5}</source>
        <translation>No. {0} · {1} · {2} (Beijing) · {3} {4} · time-stamp: {5}</translation>
    </message>
    <message>
        <source>Entry hash: {0}</source>
        <translation>Entry hash: {0}</translation>
    </message>
    <message>
        <source>Files to seal into the case</source>
        <translation>Files to seal into the case</translation>
    </message>
    <message>
        <source>Importing files</source>
        <translation>Importing files</translation>
    </message>
    <message>
        <source>Sealing the note</source>
        <translation>Sealing the note</translation>
    </message>
    <message>
        <source>Sealing the transcript</source>
        <translation>Sealing the transcript</translation>
    </message>
    <message>
        <source>Getting time-stamps</source>
        <translation>Getting time-stamps</translation>
    </message>
    <message>
        <source>Closing the session</source>
        <translation>Closing the session</translation>
    </message>
    <message>
        <source>Depositing in the agency vault</source>
        <translation>Depositing in the agency vault</translation>
    </message>
    <message>
        <source>Package to deposit</source>
        <translation>Package to deposit</translation>
    </message>
    <message>
        <source>Sealed package (*.qzp)</source>
        <translation>Sealed package (*.qzp)</translation>
    </message>
</context>
<context>
    <name>ChatViewer</name>
    <message>
        <source>comment</source>
        <translation>comment</translation>
    </message>
    <message>
        <source>gift</source>
        <translation>gift</translation>
    </message>
    <message>
        <source>order</source>
        <translation>order</translation>
    </message>
    <message>
        <source>entered</source>
        <translation>entered</translation>
    </message>
    <message>
        <source>Time (Beijing)</source>
        <translation>Time (Beijing)</translation>
    </message>
    <message>
        <source>User</source>
        <translation>User</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>The file is not a readable chat list.</source>
        <translation>The file is not a readable chat list.</translation>
    </message>
    <message>
        <source>{0} messages</source>
        <translation>{0} messages</translation>
    </message>
    <message>
        <source>only the first {0} are shown</source>
        <translation>only the first {0} are shown</translation>
    </message>
</context>
<context>
    <name>ChecklistModel</name>
    <message>
        <source>Done</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>To do</source>
        <translation>To do</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>Missed</translation>
    </message>
    <message>
        <source>At scoring</source>
        <translation>At scoring</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Criterion</source>
        <translation>Criterion</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Why</translation>
    </message>
</context>
<context>
    <name>CloseSessionDialog</name>
    <message>
        <source>Close the session</source>
        <translation>Close the session</translation>
    </message>
    <message>
        <source>Closing stops the recording and the proxy, checks the environment again and seals the session with the signatures of two officers present.</source>
        <translation>Closing stops the recording and the proxy, checks the environment again and seals the session with the signatures of two officers present.</translation>
    </message>
    <message>
        <source>Training: close with one officer (the record says so)</source>
        <translation>Training: close with one officer (the record says so)</translation>
    </message>
    <message>
        <source>First officer</source>
        <translation>First officer</translation>
    </message>
    <message>
        <source>Second officer</source>
        <translation>Second officer</translation>
    </message>
    <message>
        <source>Passphrase of the second officer</source>
        <translation>Passphrase of the second officer</translation>
    </message>
    <message>
        <source>Sign and close</source>
        <translation>Sign and close</translation>
    </message>
    <message>
        <source>The case has no second officer.</source>
        <translation>The case has no second officer.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>Wrong passphrase. Try again.</source>
        <translation>Wrong passphrase. Try again.</translation>
    </message>
</context>
<context>
    <name>EnvCheckDialog</name>
    <message>
        <source>Clean-environment check after capture</source>
        <translation>Clean-environment check after capture</translation>
    </message>
    <message>
        <source>Clean-environment check before capture</source>
        <translation>Clean-environment check before capture</translation>
    </message>
</context>
<context>
    <name>EnvCheckView</name>
    <message>
        <source>Sealed as ledger entry No. {0}. {1} warning(s). Clock offset: {2}.</source>
        <translation>Sealed as ledger entry No. {0}. {1} warning(s). Clock offset: {2}.</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>not measured</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Local network</source>
        <translation>Local network</translation>
    </message>
    <message>
        <source>Public egress IP</source>
        <translation>Public egress IP</translation>
    </message>
    <message>
        <source>DNS servers</source>
        <translation>DNS servers</translation>
    </message>
    <message>
        <source>Target resolution</source>
        <translation>Target resolution</translation>
    </message>
    <message>
        <source>Hosts file</source>
        <translation>Hosts file</translation>
    </message>
    <message>
        <source>Proxy settings</source>
        <translation>Proxy settings</translation>
    </message>
    <message>
        <source>VPN</source>
        <translation>VPN</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>Processes</translation>
    </message>
    <message>
        <source>Browser profile</source>
        <translation>Browser profile</translation>
    </message>
    <message>
        <source>Clock</source>
        <translation>Clock</translation>
    </message>
    <message>
        <source>Recording proxy</source>
        <translation>Recording proxy</translation>
    </message>
    <message>
        <source>Warnings and what they mean</source>
        <translation>Warnings and what they mean</translation>
    </message>
    <message>
        <source>Changes since the check before capture</source>
        <translation>Changes since the check before capture</translation>
    </message>
    <message>
        <source>No changes.</source>
        <translation>No changes.</translation>
    </message>
</context>
<context>
    <name>EnvExplain</name>
    <message>
        <source>A proxy other than Quzheng&apos;s recording proxy is set in the system or browser. Traffic could pass through a machine nobody recorded. Turn it off, or write down why it is needed.</source>
        <translation>A proxy other than Quzheng&apos;s recording proxy is set in the system or browser. Traffic could pass through a machine nobody recorded. Turn it off, or write down why it is needed.</translation>
    </message>
    <message>
        <source>The hosts file maps names to fixed addresses. An entry for the target could show a different server than the public one. Check that no entry concerns the target.</source>
        <translation>The hosts file maps names to fixed addresses. An entry for the target could show a different server than the public one. Check that no entry concerns the target.</translation>
    </message>
    <message>
        <source>The computer&apos;s clock differs from standard time (or could not be checked). Sealed times are kept as measured; the report prints the offset beside them. Time-stamps come from the TSA, not from this clock.</source>
        <translation>The computer&apos;s clock differs from standard time (or could not be checked). Sealed times are kept as measured; the report prints the offset beside them. Time-stamps come from the TSA, not from this clock.</translation>
    </message>
    <message>
        <source>A VPN changes the network path and the public address the target sees. Turn it off unless the case needs it, and note why.</source>
        <translation>A VPN changes the network path and the public address the target sees. Turn it off unless the case needs it, and note why.</translation>
    </message>
    <message>
        <source>Unusual DNS servers can answer with other addresses than the public ones. The target&apos;s resolution is recorded so a reviewer can compare.</source>
        <translation>Unusual DNS servers can answer with other addresses than the public ones. The target&apos;s resolution is recorded so a reviewer can compare.</translation>
    </message>
    <message>
        <source>The target&apos;s name did not resolve as expected. The addresses actually used are recorded from the traffic.</source>
        <translation>The target&apos;s name did not resolve as expected. The addresses actually used are recorded from the traffic.</translation>
    </message>
    <message>
        <source>Programs that can change web traffic or the screen (other proxies, packet tools) are running. Close them, or note why they are needed.</source>
        <translation>Programs that can change web traffic or the screen (other proxies, packet tools) are running. Close them, or note why they are needed.</translation>
    </message>
    <message>
        <source>The public egress address could not be confirmed by an independent service. The record says so; the session can go on.</source>
        <translation>The public egress address could not be confirmed by an independent service. The record says so; the session can go on.</translation>
    </message>
    <message>
        <source>The browser profile was not fresh. A session needs an empty profile so no earlier cookies or cache take part.</source>
        <translation>The browser profile was not fresh. A session needs an empty profile so no earlier cookies or cache take part.</translation>
    </message>
    <message>
        <source>Read the finding; it is sealed with the check and printed in the report.</source>
        <translation>Read the finding; it is sealed with the check and printed in the report.</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <source>Quzheng — something went wrong</source>
        <translation>Quzheng — something went wrong</translation>
    </message>
    <message>
        <source>{0} did not succeed.</source>
        <translation>{0} did not succeed.</translation>
    </message>
    <message>
        <source>What happened: {0}</source>
        <translation>What happened: {0}</translation>
    </message>
    <message>
        <source>Capture has stopped so that nothing goes unrecorded. Close the session with two officers, then start a new one.</source>
        <translation>Capture has stopped so that nothing goes unrecorded. Close the session with two officers, then start a new one.</translation>
    </message>
    <message>
        <source>Nothing sealed was lost: the case&apos;s ledger holds {0} entries; the last is No. {1} ({2}…).</source>
        <translation>Nothing sealed was lost: the case&apos;s ledger holds {0} entries; the last is No. {1} ({2}…).</translation>
    </message>
    <message>
        <source>Nothing sealed was lost: every sealed entry is final the moment it is written, and a failure cannot undo it.</source>
        <translation>Nothing sealed was lost: every sealed entry is final the moment it is written, and a failure cannot undo it.</translation>
    </message>
</context>
<context>
    <name>ExercisePickerDialog</name>
    <message>
        <source>Start exercise</source>
        <translation>Start exercise</translation>
    </message>
    <message>
        <source>Practise on case {0}. Choose an exercise:</source>
        <translation>Practise on case {0}. Choose an exercise:</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>The exercises could not be read: {0}</source>
        <translation>The exercises could not be read: {0}</translation>
    </message>
    <message>
        <source>No exercises are installed.</source>
        <translation>No exercises are installed.</translation>
    </message>
    <message>
        <source>Time limit: {0} minutes</source>
        <translation>Time limit: {0} minutes</translation>
    </message>
    <message>
        <source>No time limit</source>
        <translation>No time limit</translation>
    </message>
    <message>
        <source>Pass mark {0} of {1} points</source>
        <translation>Pass mark {0} of {1} points</translation>
    </message>
    <message>
        <source>Scenario</source>
        <translation>Scenario</translation>
    </message>
    <message>
        <source>Briefing</source>
        <translation>Briefing</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>Tasks</translation>
    </message>
    <message>
        <source>How it is scored</source>
        <translation>How it is scored</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export sealed package</source>
        <translation>Export sealed package</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>empty: not encrypted (at least 8 characters)</source>
        <translation>empty: not encrypted (at least 8 characters)</translation>
    </message>
    <message>
        <source>optional: an identical copy, compared after writing</source>
        <translation>optional: an identical copy, compared after writing</translation>
    </message>
    <message>
        <source>Package file</source>
        <translation>Package file</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Repeat password</source>
        <translation>Repeat password</translation>
    </message>
    <message>
        <source>Backup copy</source>
        <translation>Backup copy</translation>
    </message>
    <message>
        <source>Report language</source>
        <translation>Report language</translation>
    </message>
    <message>
        <source>Export is sealed in the ledger and signed by {0}.</source>
        <translation>Export is sealed in the ledger and signed by {0}.</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>Sealed package (*.qzp)</source>
        <translation>Sealed package (*.qzp)</translation>
    </message>
    <message>
        <source>Choose where to write the package.</source>
        <translation>Choose where to write the package.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>The two passwords differ.</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Exporting…</translation>
    </message>
    <message>
        <source>Export failed: {0}. Nothing sealed in the case was changed.</source>
        <translation>Export failed: {0}. Nothing sealed in the case was changed.</translation>
    </message>
    <message>
        <source>Export failed: {0}</source>
        <translation>Export failed: {0}</translation>
    </message>
    <message>
        <source>Package: {0}</source>
        <translation>Package: {0}</translation>
    </message>
    <message>
        <source>Package id: {0}</source>
        <translation>Package id: {0}</translation>
    </message>
    <message>
        <source>Seal: {0}</source>
        <translation>Seal: {0}</translation>
    </message>
    <message>
        <source>Backup (identical, compared): {0}</source>
        <translation>Backup (identical, compared): {0}</translation>
    </message>
</context>
<context>
    <name>FindingsModel</name>
    <message>
        <source>Severity</source>
        <translation>Severity</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Check</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Subject</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>Finding</translation>
    </message>
</context>
<context>
    <name>FrameView</name>
    <message>
        <source>The capture browser is closed.</source>
        <translation>The capture browser is closed.</translation>
    </message>
    <message>
        <source>Waiting for the first picture of the page…</source>
        <translation>Waiting for the first picture of the page…</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <source>Zoom out</source>
        <translation>Zoom out</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Zoom in</translation>
    </message>
    <message>
        <source>Actual size</source>
        <translation>Actual size</translation>
    </message>
    <message>
        <source>Fit width</source>
        <translation>Fit width</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>The picture could not be decoded.</source>
        <translation>The picture could not be decoded.</translation>
    </message>
</context>
<context>
    <name>ImportPackageDialog</name>
    <message>
        <source>Import a received package</source>
        <translation>Import a received package</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>only for an encrypted package</source>
        <translation>only for an encrypted package</translation>
    </message>
    <message>
        <source>e.g. 接收移送案件</source>
        <translation>e.g. 接收移送案件</translation>
    </message>
    <message>
        <source>Package (.qzp)</source>
        <translation>Package (.qzp)</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>The package is verified first. Only a package that passes is imported, as a read-only received case; {0} signs its receipt.</source>
        <translation>The package is verified first. Only a package that passes is imported, as a read-only received case; {0} signs its receipt.</translation>
    </message>
    <message>
        <source>Not verified yet.</source>
        <translation>Not verified yet.</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>Verify</translation>
    </message>
    <message>
        <source>Import as received case</source>
        <translation>Import as received case</translation>
    </message>
    <message>
        <source>Package</source>
        <translation>Package</translation>
    </message>
    <message>
        <source>Sealed package (*.qzp)</source>
        <translation>Sealed package (*.qzp)</translation>
    </message>
    <message>
        <source>Choose a package file.</source>
        <translation>Choose a package file.</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>Verifying…</translation>
    </message>
    <message>
        <source>Could not verify: {0}</source>
        <translation>Could not verify: {0}</translation>
    </message>
    <message>
        <source>PASS: {0} ledger entries and {1} sealed files are intact. It can be imported.</source>
        <translation>PASS: {0} ledger entries and {1} sealed files are intact. It can be imported.</translation>
    </message>
    <message>
        <source>FAIL: {0} integrity finding(s). This package cannot be imported.</source>
        <translation>FAIL: {0} integrity finding(s). This package cannot be imported.</translation>
    </message>
    <message>
        <source>Verify the package first.</source>
        <translation>Verify the package first.</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>Importing…</translation>
    </message>
    <message>
        <source>Not imported: {0}</source>
        <translation>Not imported: {0}</translation>
    </message>
    <message>
        <source>Imported as received case {0} (read-only).</source>
        <translation>Imported as received case {0} (read-only).</translation>
    </message>
    <message>
        <source>{0} seal point(s) wait for a time-stamp: {1}</source>
        <translation>{0} seal point(s) wait for a time-stamp: {1}</translation>
    </message>
</context>
<context>
    <name>IssueCertificateDialog</name>
    <message>
        <source>Certificate from the agency CA</source>
        <translation>Certificate from the agency CA</translation>
    </message>
    <message>
        <source>Officer</source>
        <translation>Officer</translation>
    </message>
    <message>
        <source>Agency CA passphrase</source>
        <translation>Agency CA passphrase</translation>
    </message>
    <message>
        <source>The officer keeps the same key; its self-signed certificate is replaced by one the agency CA issues ({0}). Entries the officer signed before stay valid.</source>
        <translation>The officer keeps the same key; its self-signed certificate is replaced by one the agency CA issues ({0}). Entries the officer signed before stay valid.</translation>
    </message>
    <message>
        <source>Issue</source>
        <translation>Issue</translation>
    </message>
    <message>
        <source>This computer holds no agency CA.</source>
        <translation>This computer holds no agency CA.</translation>
    </message>
    <message>
        <source>Every officer on this computer already has an agency certificate.</source>
        <translation>Every officer on this computer already has an agency certificate.</translation>
    </message>
    <message>
        <source>Choose the officer.</source>
        <translation>Choose the officer.</translation>
    </message>
    <message>
        <source>Enter the agency CA&apos;s passphrase.</source>
        <translation>Enter the agency CA&apos;s passphrase.</translation>
    </message>
    <message>
        <source>Issuing the certificate…</source>
        <translation>Issuing the certificate…</translation>
    </message>
</context>
<context>
    <name>Kinds</name>
    <message>
        <source>case opened</source>
        <translation>case opened</translation>
    </message>
    <message>
        <source>officer added</source>
        <translation>officer added</translation>
    </message>
    <message>
        <source>clean-environment check</source>
        <translation>clean-environment check</translation>
    </message>
    <message>
        <source>session started</source>
        <translation>session started</translation>
    </message>
    <message>
        <source>session closed</source>
        <translation>session closed</translation>
    </message>
    <message>
        <source>screenshot</source>
        <translation>screenshot</translation>
    </message>
    <message>
        <source>full-page screenshot</source>
        <translation>full-page screenshot</translation>
    </message>
    <message>
        <source>page snapshot</source>
        <translation>page snapshot</translation>
    </message>
    <message>
        <source>screen recording</source>
        <translation>screen recording</translation>
    </message>
    <message>
        <source>live-stream data</source>
        <translation>live-stream data</translation>
    </message>
    <message>
        <source>live-room chat</source>
        <translation>live-room chat</translation>
    </message>
    <message>
        <source>network traffic (WARC)</source>
        <translation>network traffic (WARC)</translation>
    </message>
    <message>
        <source>recovered after a crash</source>
        <translation>recovered after a crash</translation>
    </message>
    <message>
        <source>mark</source>
        <translation>mark</translation>
    </message>
    <message>
        <source>note</source>
        <translation>note</translation>
    </message>
    <message>
        <source>imported file</source>
        <translation>imported file</translation>
    </message>
    <message>
        <source>derived item</source>
        <translation>derived item</translation>
    </message>
    <message>
        <source>time-stamp token</source>
        <translation>time-stamp token</translation>
    </message>
    <message>
        <source>package exported</source>
        <translation>package exported</translation>
    </message>
    <message>
        <source>custody transfer</source>
        <translation>custody transfer</translation>
    </message>
    <message>
        <source>custody receipt</source>
        <translation>custody receipt</translation>
    </message>
    <message>
        <source>verification</source>
        <translation>verification</translation>
    </message>
    <message>
        <source>report made</source>
        <translation>report made</translation>
    </message>
    <message>
        <source>evidence viewed</source>
        <translation>evidence viewed</translation>
    </message>
    <message>
        <source>deposited in the vault</source>
        <translation>deposited in the vault</translation>
    </message>
    <message>
        <source>case closed</source>
        <translation>case closed</translation>
    </message>
    <message>
        <source>area screenshot</source>
        <translation>area screenshot</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Quzheng 取证 — sealed evidence of online infringement</source>
        <translation>Quzheng 取证 — sealed evidence of online infringement</translation>
    </message>
    <message>
        <source>Data: {0}</source>
        <translation>Data: {0}</translation>
    </message>
    <message>
        <source>&amp;New case…</source>
        <translation>&amp;New case…</translation>
    </message>
    <message>
        <source>&amp;Open case</source>
        <translation>&amp;Open case</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Refresh</translation>
    </message>
    <message>
        <source>&amp;Verify a package…</source>
        <translation>&amp;Verify a package…</translation>
    </message>
    <message>
        <source>&amp;Import package…</source>
        <translation>&amp;Import package…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>First-start &amp;wizard…</source>
        <translation>First-start &amp;wizard…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Unlock officer…</source>
        <translation>&amp;Unlock officer…</translation>
    </message>
    <message>
        <source>&amp;Lock (forget the key)</source>
        <translation>&amp;Lock (forget the key)</translation>
    </message>
    <message>
        <source>&amp;New officer profile…</source>
        <translation>&amp;New officer profile…</translation>
    </message>
    <message>
        <source>&amp;Certificate from the agency CA…</source>
        <translation>&amp;Certificate from the agency CA…</translation>
    </message>
    <message>
        <source>Start &amp;capture session…</source>
        <translation>Start &amp;capture session…</translation>
    </message>
    <message>
        <source>&amp;About Quzheng</source>
        <translation>&amp;About Quzheng</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;Officer</source>
        <translation>&amp;Officer</translation>
    </message>
    <message>
        <source>&amp;Case</source>
        <translation>&amp;Case</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Main</translation>
    </message>
    <message>
        <source>No officer unlocked</source>
        <translation>No officer unlocked</translation>
    </message>
    <message>
        <source>Officer: {0} ({1})</source>
        <translation>Officer: {0} ({1})</translation>
    </message>
    <message>
        <source>Listing the cases</source>
        <translation>Listing the cases</translation>
    </message>
    <message>
        <source>{0} case(s)</source>
        <translation>{0} case(s)</translation>
    </message>
    <message>
        <source>About Quzheng</source>
        <translation>About Quzheng</translation>
    </message>
    <message>
        <source>Quzheng {0}: sealed collection of online-infringement evidence.</source>
        <translation>Quzheng {0}: sealed collection of online-infringement evidence.</translation>
    </message>
    <message>
        <source>Built-in TSA (training) at {0}</source>
        <translation>Built-in TSA (training) at {0}</translation>
    </message>
    <message>
        <source>TSA: {0}</source>
        <translation>TSA: {0}</translation>
    </message>
    <message>
        <source>No TSA configured: seals queue</source>
        <translation>No TSA configured: seals queue</translation>
    </message>
    <message>
        <source>Capture session</source>
        <translation>Capture session</translation>
    </message>
    <message>
        <source>A capture session is already running.</source>
        <translation>A capture session is already running.</translation>
    </message>
    <message>
        <source>Starting the practice range</source>
        <translation>Starting the practice range</translation>
    </message>
    <message>
        <source>Starting the capture session: recording proxy, fresh browser, clean-environment check…</source>
        <translation>Starting the capture session: recording proxy, fresh browser, clean-environment check…</translation>
    </message>
    <message>
        <source>Starting the capture session</source>
        <translation>Starting the capture session</translation>
    </message>
    <message>
        <source>Capture</source>
        <translation>Capture</translation>
    </message>
    <message>
        <source>Close the capture session (with two officers&apos; signatures) first.</source>
        <translation>Close the capture session (with two officers&apos; signatures) first.</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <source>New case</source>
        <translation>New case</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>Case</translation>
    </message>
    <message>
        <source>Case number</source>
        <translation>Case number</translation>
    </message>
    <message>
        <source>e.g. 示市监案〔2026〕12号</source>
        <translation>e.g. 示市监案〔2026〕12号</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>Cause (案由)</source>
        <translation>Cause (案由)</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>where the officers are</source>
        <translation>where the officers are</translation>
    </message>
    <message>
        <source>what the evidence is meant to prove (证明对象)</source>
        <translation>what the evidence is meant to prove (证明对象)</translation>
    </message>
    <message>
        <source>Purpose</source>
        <translation>Purpose</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Target</translation>
    </message>
    <message>
        <source>Platform</source>
        <translation>Platform</translation>
    </message>
    <message>
        <source>Shop</source>
        <translation>Shop</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <source>Live room ID</source>
        <translation>Live room ID</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Officers (at least two, with 执法证号)</source>
        <translation>Officers (at least two, with 执法证号)</translation>
    </message>
    <message>
        <source>{0}  badge {1}  {2}</source>
        <translation>{0}  badge {1}  {2}</translation>
    </message>
    <message>
        <source>(lead, signs the case)</source>
        <translation>(lead, signs the case)</translation>
    </message>
    <message>
        <source>Training case (one officer allowed, and the record says so)</source>
        <translation>Training case (one officer allowed, and the record says so)</translation>
    </message>
    <message>
        <source>Report header (optional)</source>
        <translation>Report header (optional)</translation>
    </message>
    <message>
        <source>Agency</source>
        <translation>Agency</translation>
    </message>
    <message>
        <source>Document number</source>
        <translation>Document number</translation>
    </message>
    <message>
        <source>Party (当事人)</source>
        <translation>Party (当事人)</translation>
    </message>
    <message>
        <source>Open case</source>
        <translation>Open case</translation>
    </message>
    <message>
        <source>Enter the case number.</source>
        <translation>Enter the case number.</translation>
    </message>
    <message>
        <source>Enter a title.</source>
        <translation>Enter a title.</translation>
    </message>
    <message>
        <source>Enter the cause (案由).</source>
        <translation>Enter the cause (案由).</translation>
    </message>
    <message>
        <source>Enter where the officers are.</source>
        <translation>Enter where the officers are.</translation>
    </message>
    <message>
        <source>Enter what the evidence is meant to prove.</source>
        <translation>Enter what the evidence is meant to prove.</translation>
    </message>
    <message>
        <source>Name the target: platform, shop, account, live room or URL.</source>
        <translation>Name the target: platform, shop, account, live room or URL.</translation>
    </message>
    <message>
        <source>The URL must start with http:// or https://.</source>
        <translation>The URL must start with http:// or https://.</translation>
    </message>
    <message>
        <source>Choose at least two officers (a training case may have one).</source>
        <translation>Choose at least two officers (a training case may have one).</translation>
    </message>
    <message>
        <source>Opening the case…</source>
        <translation>Opening the case…</translation>
    </message>
</context>
<context>
    <name>NewOfficerDialog</name>
    <message>
        <source>New officer profile</source>
        <translation>New officer profile</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Badge number (执法证号)</source>
        <translation>Badge number (执法证号)</translation>
    </message>
    <message>
        <source>Agency</source>
        <translation>Agency</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <source>Repeat passphrase</source>
        <translation>Repeat passphrase</translation>
    </message>
    <message>
        <source>Certificate issued by this computer&apos;s agency CA: {0}</source>
        <translation>Certificate issued by this computer&apos;s agency CA: {0}</translation>
    </message>
    <message>
        <source>Agency CA passphrase</source>
        <translation>Agency CA passphrase</translation>
    </message>
    <message>
        <source>The new officer&apos;s key gets a certificate from the agency CA, so a court can check that it belongs to the officer. The CA&apos;s passphrase is asked once and not kept.</source>
        <translation>The new officer&apos;s key gets a certificate from the agency CA, so a court can check that it belongs to the officer. The CA&apos;s passphrase is asked once and not kept.</translation>
    </message>
    <message>
        <source>This computer holds no agency CA: the new key is self-signed, and its fingerprint is printed in the paper record for the officer&apos;s handwritten signature.</source>
        <translation>This computer holds no agency CA: the new key is self-signed, and its fingerprint is printed in the paper record for the officer&apos;s handwritten signature.</translation>
    </message>
    <message>
        <source>The officer chooses the passphrase and keeps it: at least 10 characters, never shared. Nobody can recover a lost passphrase.</source>
        <translation>The officer chooses the passphrase and keeps it: at least 10 characters, never shared. Nobody can recover a lost passphrase.</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Create</translation>
    </message>
    <message>
        <source>Enter the agency CA&apos;s passphrase.</source>
        <translation>Enter the agency CA&apos;s passphrase.</translation>
    </message>
    <message>
        <source>Creating the key…</source>
        <translation>Creating the key…</translation>
    </message>
</context>
<context>
    <name>OpenButtons</name>
    <message>
        <source>Open folder</source>
        <translation>Open folder</translation>
    </message>
    <message>
        <source>Open PDF</source>
        <translation>Open PDF</translation>
    </message>
</context>
<context>
    <name>ProfileProblem</name>
    <message>
        <source>Enter the officer&apos;s name and agency.</source>
        <translation>Enter the officer&apos;s name and agency.</translation>
    </message>
    <message>
        <source>The badge number uses letters, digits, &apos;-&apos; or &apos;_&apos; (at most 40).</source>
        <translation>The badge number uses letters, digits, &apos;-&apos; or &apos;_&apos; (at most 40).</translation>
    </message>
    <message>
        <source>The passphrase needs at least 10 characters.</source>
        <translation>The passphrase needs at least 10 characters.</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>The two passphrases differ.</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <source>Chain-of-custody report</source>
        <translation>Chain-of-custody report</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>PDF file</source>
        <translation>PDF file</translation>
    </message>
    <message>
        <source>Report language</source>
        <translation>Report language</translation>
    </message>
    <message>
        <source>The report (电子数据提取笔录) is made from the sealed record; nothing in the case changes.</source>
        <translation>The report (电子数据提取笔录) is made from the sealed record; nothing in the case changes.</translation>
    </message>
    <message>
        <source>Write report</source>
        <translation>Write report</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Choose where to write the report.</source>
        <translation>Choose where to write the report.</translation>
    </message>
    <message>
        <source>Writing the report…</source>
        <translation>Writing the report…</translation>
    </message>
    <message>
        <source>No report written: {0}</source>
        <translation>No report written: {0}</translation>
    </message>
    <message>
        <source>Report: {0}</source>
        <translation>Report: {0}</translation>
    </message>
    <message>
        <source>{0} page(s)</source>
        <translation>{0} page(s)</translation>
    </message>
</context>
<context>
    <name>ScoreboardDialog</name>
    <message>
        <source>Instructor scoreboard</source>
        <translation>Instructor scoreboard</translation>
    </message>
    <message>
        <source>Add packages…</source>
        <translation>Add packages…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>only for encrypted packages</source>
        <translation>only for encrypted packages</translation>
    </message>
    <message>
        <source>Exercise</source>
        <translation>Exercise</translation>
    </message>
    <message>
        <source>Packages (.qzp)</source>
        <translation>Packages (.qzp)</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Add the trainees&apos; packages, then compute.</source>
        <translation>Add the trainees&apos; packages, then compute.</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>Compute</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>Export CSV…</translation>
    </message>
    <message>
        <source>Export HTML…</source>
        <translation>Export HTML…</translation>
    </message>
    <message>
        <source>Export PDF…</source>
        <translation>Export PDF…</translation>
    </message>
    <message>
        <source>The exercises could not be read: {0}</source>
        <translation>The exercises could not be read: {0}</translation>
    </message>
    <message>
        <source>Packages</source>
        <translation>Packages</translation>
    </message>
    <message>
        <source>Sealed package (*.qzp)</source>
        <translation>Sealed package (*.qzp)</translation>
    </message>
    <message>
        <source>Choose an exercise and at least one package.</source>
        <translation>Choose an exercise and at least one package.</translation>
    </message>
    <message>
        <source>Scoring {0} package(s)…</source>
        <translation>Scoring {0} package(s)…</translation>
    </message>
    <message>
        <source>The scoreboard could not be computed: {0}</source>
        <translation>The scoreboard could not be computed: {0}</translation>
    </message>
    <message>
        <source>{0} package(s) scored; {1} could not be read.</source>
        <translation>{0} package(s) scored; {1} could not be read.</translation>
    </message>
    <message>
        <source>Export the scoreboard</source>
        <translation>Export the scoreboard</translation>
    </message>
    <message>
        <source>The scoreboard could not be saved: {0}</source>
        <translation>The scoreboard could not be saved: {0}</translation>
    </message>
    <message>
        <source>Saved: {0}</source>
        <translation>Saved: {0}</translation>
    </message>
</context>
<context>
    <name>SessionStatus</name>
    <message>
        <source>Items sealed: {0}</source>
        <translation>Items sealed: {0}</translation>
    </message>
    <message>
        <source>Last seal: {0}</source>
        <translation>Last seal: {0}</translation>
    </message>
    <message>
        <source>TSA queue: {0} waiting</source>
        <translation>TSA queue: {0} waiting</translation>
    </message>
    <message>
        <source>TSA queue: empty</source>
        <translation>TSA queue: empty</translation>
    </message>
    <message>
        <source>Proxy: recording {0}</source>
        <translation>Proxy: recording {0}</translation>
    </message>
    <message>
        <source>Proxy: stopped</source>
        <translation>Proxy: stopped</translation>
    </message>
    <message>
        <source>Clock offset: {0}</source>
        <translation>Clock offset: {0}</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>not measured</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>one RFC 3161 URL per line, tried in order</source>
        <translation>one RFC 3161 URL per line, tried in order</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>0 = any free port, or e.g. 18080-18099</source>
        <translation>0 = any free port, or e.g. 18080-18099</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>e.g. https://vault.agency.example (empty: none)</source>
        <translation>e.g. https://vault.agency.example (empty: none)</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>System language</translation>
    </message>
    <message>
        <source>Time-stamp authorities (TSA)</source>
        <translation>Time-stamp authorities (TSA)</translation>
    </message>
    <message>
        <source>NTP servers</source>
        <translation>NTP servers</translation>
    </message>
    <message>
        <source>Data directory</source>
        <translation>Data directory</translation>
    </message>
    <message>
        <source>Proxy port range</source>
        <translation>Proxy port range</translation>
    </message>
    <message>
        <source>Video segment length</source>
        <translation>Video segment length</translation>
    </message>
    <message>
        <source>Agency vault address</source>
        <translation>Agency vault address</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>A new language and data directory take effect at the next start.</source>
        <translation>A new language and data directory take effect at the next start.</translation>
    </message>
    <message>
        <source>The port range is 0, a port, or two ports like 18080-18099.</source>
        <translation>The port range is 0, a port, or two ports like 18080-18099.</translation>
    </message>
    <message>
        <source>The vault address is a web address: https://… (or empty).</source>
        <translation>The vault address is a web address: https://… (or empty).</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <source>Quzheng — first start</source>
        <translation>Quzheng — first start</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Welcome</translation>
    </message>
    <message>
        <source>Quzheng seals evidence of online infringement the moment it is captured. Before the first case, set up your officer key, trusted time and where cases are kept.</source>
        <translation>Quzheng seals evidence of online infringement the moment it is captured. Before the first case, set up your officer key, trusted time and where cases are kept.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Officer profile and key</source>
        <translation>Officer profile and key</translation>
    </message>
    <message>
        <source>Your name and badge number (执法证号) appear on every entry your key signs.</source>
        <translation>Your name and badge number (执法证号) appear on every entry your key signs.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Badge number (执法证号)</source>
        <translation>Badge number (执法证号)</translation>
    </message>
    <message>
        <source>Agency</source>
        <translation>Agency</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <source>Repeat passphrase</source>
        <translation>Repeat passphrase</translation>
    </message>
    <message>
        <source>Keep the passphrase safe. Without it your key cannot sign, and nobody — not the administrator, not the developers — can recover it: a lost passphrase means a new key. Use at least 10 characters, write it down and keep it sealed; never share it.</source>
        <translation>Keep the passphrase safe. Without it your key cannot sign, and nobody — not the administrator, not the developers — can recover it: a lost passphrase means a new key. Use at least 10 characters, write it down and keep it sealed; never share it.</translation>
    </message>
    <message>
        <source>Agency certificate</source>
        <translation>Agency certificate</translation>
    </message>
    <message>
        <source>A certificate from your agency&apos;s CA lets a court check that your key belongs to you. Without one, your key is self-signed and its fingerprint is printed in the paper record for your handwritten signature.</source>
        <translation>A certificate from your agency&apos;s CA lets a court check that your key belongs to you. Without one, your key is self-signed and its fingerprint is printed in the paper record for your handwritten signature.</translation>
    </message>
    <message>
        <source>No agency certificate (self-signed key)</source>
        <translation>No agency certificate (self-signed key)</translation>
    </message>
    <message>
        <source>Trust our agency&apos;s CA certificate (PEM file)</source>
        <translation>Trust our agency&apos;s CA certificate (PEM file)</translation>
    </message>
    <message>
        <source>Create an agency CA here (small agency or training)</source>
        <translation>Create an agency CA here (small agency or training)</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>Agency CA certificate</source>
        <translation>Agency CA certificate</translation>
    </message>
    <message>
        <source>CA certificate file</source>
        <translation>CA certificate file</translation>
    </message>
    <message>
        <source>New CA name</source>
        <translation>New CA name</translation>
    </message>
    <message>
        <source>New CA passphrase</source>
        <translation>New CA passphrase</translation>
    </message>
    <message>
        <source>Trusted time</source>
        <translation>Trusted time</translation>
    </message>
    <message>
        <source>Every seal gets an RFC 3161 time-stamp. For casework use your agency&apos;s time-stamp authorities; the built-in one is for training only. When none answers, seals queue and are stamped later.</source>
        <translation>Every seal gets an RFC 3161 time-stamp. For casework use your agency&apos;s time-stamp authorities; the built-in one is for training only. When none answers, seals queue and are stamped later.</translation>
    </message>
    <message>
        <source>Built-in time-stamp authority (training)</source>
        <translation>Built-in time-stamp authority (training)</translation>
    </message>
    <message>
        <source>Time-stamp authorities for casework</source>
        <translation>Time-stamp authorities for casework</translation>
    </message>
    <message>
        <source>one RFC 3161 URL per line, tried in order</source>
        <translation>one RFC 3161 URL per line, tried in order</translation>
    </message>
    <message>
        <source>TSA root certificate</source>
        <translation>TSA root certificate</translation>
    </message>
    <message>
        <source>TSA URLs</source>
        <translation>TSA URLs</translation>
    </message>
    <message>
        <source>Clock and data</source>
        <translation>Clock and data</translation>
    </message>
    <message>
        <source>The clock is compared with standard time before and after every session. Cases are kept in the data directory; choose a disk with room for screen recordings.</source>
        <translation>The clock is compared with standard time before and after every session. Cases are kept in the data directory; choose a disk with room for screen recordings.</translation>
    </message>
    <message>
        <source>NTP servers</source>
        <translation>NTP servers</translation>
    </message>
    <message>
        <source>Data directory</source>
        <translation>Data directory</translation>
    </message>
    <message>
        <source>The language applies at once to this wizard and to the menus; the rest of the main window follows at the next start. It is saved when you finish.</source>
        <translation>The language applies at once to this wizard and to the menus; the rest of the main window follows at the next start. It is saved when you finish.</translation>
    </message>
    <message>
        <source>&lt; &amp;Back</source>
        <translation>&lt; &amp;Back</translation>
    </message>
    <message>
        <source>&amp;Next &gt;</source>
        <translation>&amp;Next &gt;</translation>
    </message>
    <message>
        <source>&amp;Finish</source>
        <translation>&amp;Finish</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Choose the agency CA certificate file.</source>
        <translation>Choose the agency CA certificate file.</translation>
    </message>
    <message>
        <source>The CA passphrase needs at least 10 characters.</source>
        <translation>The CA passphrase needs at least 10 characters.</translation>
    </message>
    <message>
        <source>Enter at least one time-stamp authority URL.</source>
        <translation>Enter at least one time-stamp authority URL.</translation>
    </message>
    <message>
        <source>Choose the TSA&apos;s root certificate, so its tokens can be checked.</source>
        <translation>Choose the TSA&apos;s root certificate, so its tokens can be checked.</translation>
    </message>
    <message>
        <source>Creating your key…</source>
        <translation>Creating your key…</translation>
    </message>
</context>
<context>
    <name>Severity</name>
    <message>
        <source>error</source>
        <translation>error</translation>
    </message>
    <message>
        <source>trust not established</source>
        <translation>trust not established</translation>
    </message>
    <message>
        <source>not checked</source>
        <translation>not checked</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>warning</translation>
    </message>
    <message>
        <source>info</source>
        <translation>info</translation>
    </message>
</context>
<context>
    <name>SideBySideViewer</name>
    <message>
        <source>Play side by side (recording and stream)</source>
        <translation>Play side by side (recording and stream)</translation>
    </message>
    <message>
        <source>No picture at this moment</source>
        <translation>No picture at this moment</translation>
    </message>
    <message>
        <source>Screen recording (what the officer saw)</source>
        <translation>Screen recording (what the officer saw)</translation>
    </message>
    <message>
        <source>Live stream as the server sent it</source>
        <translation>Live stream as the server sent it</translation>
    </message>
    <message>
        <source>Play / pause</source>
        <translation>Play / pause</translation>
    </message>
    <message>
        <source>Recording segment</source>
        <translation>Recording segment</translation>
    </message>
    <message>
        <source>No. {0}: {1}</source>
        <translation>No. {0}: {1}</translation>
    </message>
    <message>
        <source>Beijing time {0}</source>
        <translation>Beijing time {0}</translation>
    </message>
</context>
<context>
    <name>SnapshotViewer</name>
    <message>
        <source>Source</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>Show the sealed MHTML source instead of the page</source>
        <translation>Show the sealed MHTML source instead of the page</translation>
    </message>
    <message>
        <source>Loading the snapshot (scripts off, offline)…</source>
        <translation>Loading the snapshot (scripts off, offline)…</translation>
    </message>
    <message>
        <source>The snapshot could not be shown as a page.</source>
        <translation>The snapshot could not be shown as a page.</translation>
    </message>
    <message>
        <source>The page as sealed; scripts off, offline ({0} outside requests blocked).</source>
        <translation>The page as sealed; scripts off, offline ({0} outside requests blocked).</translation>
    </message>
    <message>
        <source>The page as sealed; scripts off, offline.</source>
        <translation>The page as sealed; scripts off, offline.</translation>
    </message>
</context>
<context>
    <name>Stamp</name>
    <message>
        <source>stamped</source>
        <translation>stamped</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>queued</translation>
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
        <translation>Start a capture session</translation>
    </message>
    <message>
        <source>The session starts the recording proxy and a browser with a fresh profile, and checks the capture environment; the check is shown to you and sealed. The workspace is recorded from start to end; pausing needs a reason. Two officers close the session.</source>
        <translation>The session starts the recording proxy and a browser with a fresh profile, and checks the capture environment; the check is shown to you and sealed. The workspace is recorded from start to end; pausing needs a reason. Two officers close the session.</translation>
    </message>
    <message>
        <source>Training on the practice range (the program starts it when needed)</source>
        <translation>Training on the practice range (the program starts it when needed)</translation>
    </message>
    <message>
        <source>Session lead</source>
        <translation>Session lead</translation>
    </message>
    <message>
        <source>Start page</source>
        <translation>Start page</translation>
    </message>
    <message>
        <source>Practice range port</source>
        <translation>Practice range port</translation>
    </message>
    <message>
        <source>Your passphrase</source>
        <translation>Your passphrase</translation>
    </message>
    <message>
        <source>Start session</source>
        <translation>Start session</translation>
    </message>
    <message>
        <source>The start page must start with http:// or https://.</source>
        <translation>The start page must start with http:// or https://.</translation>
    </message>
    <message>
        <source>The start page is on the practice range, which only answers in training: “Training on the practice range” is now chosen. Start again to confirm.</source>
        <translation>The start page is on the practice range, which only answers in training: “Training on the practice range” is now chosen. Start again to confirm.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>Wrong passphrase. Try again.</source>
        <translation>Wrong passphrase. Try again.</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>open</source>
        <translation>open</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>closed</translation>
    </message>
    <message>
        <source>received</source>
        <translation>received</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>unreadable</translation>
    </message>
</context>
<context>
    <name>TextEntryDialog</name>
    <message>
        <source>Pause recording</source>
        <translation>Pause recording</translation>
    </message>
    <message>
        <source>Say why the recording pauses. The reason is sealed, and the report shows the gap with it.</source>
        <translation>Say why the recording pauses. The reason is sealed, and the report shows the gap with it.</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>The note is sealed in the case&apos;s ledger, with your signature and the time.</source>
        <translation>The note is sealed in the case&apos;s ledger, with your signature and the time.</translation>
    </message>
    <message>
        <source>Seal note</source>
        <translation>Seal note</translation>
    </message>
    <message>
        <source>This cannot be empty.</source>
        <translation>This cannot be empty.</translation>
    </message>
</context>
<context>
    <name>TextViewer</name>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>The file could not be read.</source>
        <translation>The file could not be read.</translation>
    </message>
    <message>
        <source>Only the first 2 MiB are shown.</source>
        <translation>Only the first 2 MiB are shown.</translation>
    </message>
</context>
<context>
    <name>TimelineModel</name>
    <message>
        <source>No.</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>Time (Beijing)</source>
        <translation>Time (Beijing)</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Size</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>Time-stamp</source>
        <translation>Time-stamp</translation>
    </message>
    <message>
        <source>About</source>
        <translation>About</translation>
    </message>
    <message>
        <source>Entry hash: {0}</source>
        <translation>Entry hash: {0}</translation>
    </message>
    <message>
        <source>stamped (#{0})</source>
        <translation>stamped (#{0})</translation>
    </message>
    <message>
        <source>stamped (entry {0})</source>
        <translation>stamped (entry {0})</translation>
    </message>
    <message>
        <source>before capture</source>
        <translation>before capture</translation>
    </message>
    <message>
        <source>after capture</source>
        <translation>after capture</translation>
    </message>
    <message>
        <source>{0}: {1} warning(s)</source>
        <translation>{0}: {1} warning(s)</translation>
    </message>
    <message>
        <source>Recording resumed</source>
        <translation>Recording resumed</translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation>{0}: {1}</translation>
    </message>
    <message>
        <source>Recording paused: {0}</source>
        <translation>Recording paused: {0}</translation>
    </message>
    <message>
        <source>Export did not complete, no file was written (see entry {0}): {1}</source>
        <translation>Export did not complete, no file was written (see entry {0}): {1}</translation>
    </message>
    <message>
        <source>Package {0}</source>
        <translation>Package {0}</translation>
    </message>
    <message>
        <source>Live-room chat: no messages in this period</source>
        <translation>Live-room chat: no messages in this period</translation>
    </message>
    <message>
        <source>Live-room chat: {0} message(s); last: {1}: {2}</source>
        <translation>Live-room chat: {0} message(s); last: {1}: {2}</translation>
    </message>
    <message>
        <source>Deposited in the agency vault: {0}, retained until {1}</source>
        <translation>Deposited in the agency vault: {0}, retained until {1}</translation>
    </message>
    <message>
        <source>No logged-in account is used</source>
        <translation>No logged-in account is used</translation>
    </message>
    <message>
        <source>Logged-in account: {0}</source>
        <translation>Logged-in account: {0}</translation>
    </message>
    <message>
        <source>Export of entry {0} failed; no file was written</source>
        <translation>Export of entry {0} failed; no file was written</translation>
    </message>
    <message>
        <source>traffic segment left open, repaired</source>
        <translation>traffic segment left open, repaired</translation>
    </message>
    <message>
        <source>file closed but not sealed</source>
        <translation>file closed but not sealed</translation>
    </message>
    <message>
        <source>unreadable traffic segment, sealed as found</source>
        <translation>unreadable traffic segment, sealed as found</translation>
    </message>
    <message>
        <source>screen-recording segment cut off</source>
        <translation>screen-recording segment cut off</translation>
    </message>
    <message>
        <source>Left by an interrupted capture: {0}</source>
        <translation>Left by an interrupted capture: {0}</translation>
    </message>
    <message>
        <source>Stream as received, {0}; no recording segment overlaps</source>
        <translation>Stream as received, {0}; no recording segment overlaps</translation>
    </message>
    <message>
        <source>Stream as received, {0}; shown too in recording entries {1}</source>
        <translation>Stream as received, {0}; shown too in recording entries {1}</translation>
    </message>
    <message>
        <source>built-in fallback browser</source>
        <translation>built-in fallback browser</translation>
    </message>
    <message>
        <source>Browser: {0}</source>
        <translation>Browser: {0}</translation>
    </message>
    <message>
        <source>Targets: {0}</source>
        <translation>Targets: {0}</translation>
    </message>
    <message>
        <source>Capture session started</source>
        <translation>Capture session started</translation>
    </message>
</context>
<context>
    <name>TrafficModel</name>
    <message>
        <source>Method</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Size</translation>
    </message>
    <message>
        <source>Server IP</source>
        <translation>Server IP</translation>
    </message>
    <message>
        <source>no response</source>
        <translation>no response</translation>
    </message>
</context>
<context>
    <name>TrafficViewer</name>
    <message>
        <source>Reading the sealed traffic (digests are checked)…</source>
        <translation>Reading the sealed traffic (digests are checked)…</translation>
    </message>
    <message>
        <source>The traffic could not be shown: {0}</source>
        <translation>The traffic could not be shown: {0}</translation>
    </message>
    <message>
        <source>{0} requests; digests checked while reading.</source>
        <translation>{0} requests; digests checked while reading.</translation>
    </message>
    <message>
        <source>Started: {0} (Beijing)  Server: {1}</source>
        <translation>Started: {0} (Beijing)  Server: {1}</translation>
    </message>
    <message>
        <source>Request headers</source>
        <translation>Request headers</translation>
    </message>
    <message>
        <source>Response headers ({0})</source>
        <translation>Response headers ({0})</translation>
    </message>
    <message>
        <source>no response</source>
        <translation>no response</translation>
    </message>
    <message>
        <source>Carries the officer&apos;s own credentials: {0}</source>
        <translation>Carries the officer&apos;s own credentials: {0}</translation>
    </message>
    <message>
        <source>Body (start)</source>
        <translation>Body (start)</translation>
    </message>
</context>
<context>
    <name>TrainingMenu</name>
    <message>
        <source>&amp;Training</source>
        <translation>&amp;Training</translation>
    </message>
    <message>
        <source>&amp;Start exercise…</source>
        <translation>&amp;Start exercise…</translation>
    </message>
    <message>
        <source>Training &amp;panel</source>
        <translation>Training &amp;panel</translation>
    </message>
    <message>
        <source>S&amp;top exercise</source>
        <translation>S&amp;top exercise</translation>
    </message>
    <message>
        <source>Instructor &amp;scoreboard…</source>
        <translation>Instructor &amp;scoreboard…</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Choose or open a case first.</source>
        <translation>Choose or open a case first.</translation>
    </message>
    <message>
        <source>Starting the exercise</source>
        <translation>Starting the exercise</translation>
    </message>
    <message>
        <source>Starting the practice range</source>
        <translation>Starting the practice range</translation>
    </message>
    <message>
        <source>The practice range was started for this exercise (port {0}); it stops when the exercise ends.</source>
        <translation>The practice range was started for this exercise (port {0}); it stops when the exercise ends.</translation>
    </message>
    <message>
        <source>The practice range is already running (port {0}).</source>
        <translation>The practice range is already running (port {0}).</translation>
    </message>
    <message>
        <source>The exercise ended; the practice range was stopped.</source>
        <translation>The exercise ended; the practice range was stopped.</translation>
    </message>
</context>
<context>
    <name>TrainingPanel</name>
    <message>
        <source>Training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>No exercise started.</source>
        <translation>No exercise started.</translation>
    </message>
    <message>
        <source>Choose a criterion to read why it is met or not.</source>
        <translation>Choose a criterion to read why it is met or not.</translation>
    </message>
    <message>
        <source>This is not a training case: what you capture in it is sealed as real evidence, with its officers&apos; signatures. Practise in a case opened for training (New case… → Training case).</source>
        <translation>This is not a training case: what you capture in it is sealed as real evidence, with its officers&apos; signatures. Practise in a case opened for training (New case… → Training case).</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>The case could not be read: {0}</source>
        <translation>The case could not be read: {0}</translation>
    </message>
    <message>
        <source>{0} of {1} criteria met ({2} ledger entries read)</source>
        <translation>{0} of {1} criteria met ({2} ledger entries read)</translation>
    </message>
    <message>
        <source>Not started: the clock starts with the first capture session.</source>
        <translation>Not started: the clock starts with the first capture session.</translation>
    </message>
    <message>
        <source>Not started: the clock starts with the first capture session (limit {0}).</source>
        <translation>Not started: the clock starts with the first capture session (limit {0}).</translation>
    </message>
    <message>
        <source>Finished in {0}: over the limit of {1}.</source>
        <translation>Finished in {0}: over the limit of {1}.</translation>
    </message>
    <message>
        <source>Session ended after {0}; {1} criteria not met yet.</source>
        <translation>Session ended after {0}; {1} criteria not met yet.</translation>
    </message>
    <message>
        <source>Finished in {0}: every criterion met.</source>
        <translation>Finished in {0}: every criterion met.</translation>
    </message>
    <message>
        <source>Elapsed {0} (no time limit).</source>
        <translation>Elapsed {0} (no time limit).</translation>
    </message>
    <message>
        <source>Over the time limit by {0} (limit {1}).</source>
        <translation>Over the time limit by {0} (limit {1}).</translation>
    </message>
    <message>
        <source>Time left {0} (elapsed {1} of {2}).</source>
        <translation>Time left {0} (elapsed {1} of {2}).</translation>
    </message>
</context>
<context>
    <name>TranscriptDialog</name>
    <message>
        <source>Transcript of a recording</source>
        <translation>Transcript of a recording</translation>
    </message>
    <message>
        <source>No. {0}  segment {1}  {2}  (SHA-256 {3}…)</source>
        <translation>No. {0}  segment {1}  {2}  (SHA-256 {3}…)</translation>
    </message>
    <message>
        <source>speech in the recording, as heard by the officers</source>
        <translation>speech in the recording, as heard by the officers</translation>
    </message>
    <message>
        <source>From</source>
        <translation>From</translation>
    </message>
    <message>
        <source>To</source>
        <translation>To</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>Speaker</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Add line</source>
        <translation>Add line</translation>
    </message>
    <message>
        <source>Remove line</source>
        <translation>Remove line</translation>
    </message>
    <message>
        <source>Recording segment</source>
        <translation>Recording segment</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>Time codes are from the start of the segment: mm:ss or hh:mm:ss.mmm.</source>
        <translation>Time codes are from the start of the segment: mm:ss or hh:mm:ss.mmm.</translation>
    </message>
    <message>
        <source>Seal transcript</source>
        <translation>Seal transcript</translation>
    </message>
    <message>
        <source>There is no sealed recording segment yet.</source>
        <translation>There is no sealed recording segment yet.</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <source>Transfer custody</source>
        <translation>Transfer custody</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>optional</translation>
    </message>
    <message>
        <source>e.g. 涉嫌犯罪，移送公安机关</source>
        <translation>e.g. 涉嫌犯罪，移送公安机关</translation>
    </message>
    <message>
        <source>Exported package (.qzp)</source>
        <translation>Exported package (.qzp)</translation>
    </message>
    <message>
        <source>Receiver&apos;s name</source>
        <translation>Receiver&apos;s name</translation>
    </message>
    <message>
        <source>Receiver&apos;s badge number</source>
        <translation>Receiver&apos;s badge number</translation>
    </message>
    <message>
        <source>Receiving agency</source>
        <translation>Receiving agency</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>The transfer is sealed in the ledger and signed by {0}.</source>
        <translation>The transfer is sealed in the ledger and signed by {0}.</translation>
    </message>
    <message>
        <source>Seal transfer</source>
        <translation>Seal transfer</translation>
    </message>
    <message>
        <source>Exported package</source>
        <translation>Exported package</translation>
    </message>
    <message>
        <source>Sealed package (*.qzp)</source>
        <translation>Sealed package (*.qzp)</translation>
    </message>
    <message>
        <source>Choose the exported package file (.qzp).</source>
        <translation>Choose the exported package file (.qzp).</translation>
    </message>
    <message>
        <source>Enter the receiver&apos;s name, the receiving agency and the reason.</source>
        <translation>Enter the receiver&apos;s name, the receiving agency and the reason.</translation>
    </message>
    <message>
        <source>Sealing the transfer…</source>
        <translation>Sealing the transfer…</translation>
    </message>
    <message>
        <source>Transfer not sealed: {0}</source>
        <translation>Transfer not sealed: {0}</translation>
    </message>
    <message>
        <source>Transfer sealed as ledger entry {0}.</source>
        <translation>Transfer sealed as ledger entry {0}.</translation>
    </message>
    <message>
        <source>Hand over with the package: {0}</source>
        <translation>Hand over with the package: {0}</translation>
    </message>
    <message>
        <source>{0} seal point(s) wait for a time-stamp: {1}</source>
        <translation>{0} seal point(s) wait for a time-stamp: {1}</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <source>Unlock officer key</source>
        <translation>Unlock officer key</translation>
    </message>
    <message>
        <source>Officer</source>
        <translation>Officer</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <source>Your key signs every entry you seal. Type your passphrase to unlock it.</source>
        <translation>Your key signs every entry you seal. Type your passphrase to unlock it.</translation>
    </message>
    <message>
        <source>No officer profile exists yet.</source>
        <translation>No officer profile exists yet.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>Wrong passphrase. Try again.</source>
        <translation>Wrong passphrase. Try again.</translation>
    </message>
</context>
<context>
    <name>VerifyDialog</name>
    <message>
        <source>Verify evidence</source>
        <translation>Verify evidence</translation>
    </message>
    <message>
        <source>only for an encrypted package</source>
        <translation>only for an encrypted package</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>Package (.qzp)</source>
        <translation>Package (.qzp)</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Not verified yet.</source>
        <translation>Not verified yet.</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>Verify</translation>
    </message>
    <message>
        <source>Package</source>
        <translation>Package</translation>
    </message>
    <message>
        <source>Sealed package (*.qzp)</source>
        <translation>Sealed package (*.qzp)</translation>
    </message>
    <message>
        <source>Choose a package file.</source>
        <translation>Choose a package file.</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>Verifying…</translation>
    </message>
    <message>
        <source>Could not verify: {0}</source>
        <translation>Could not verify: {0}</translation>
    </message>
    <message>
        <source>PASS: {0} ledger entries and {1} sealed files are intact.</source>
        <translation>PASS: {0} ledger entries and {1} sealed files are intact.</translation>
    </message>
    <message>
        <source>FAIL: {0} integrity finding(s). The list below says which file or entry.</source>
        <translation>FAIL: {0} integrity finding(s). The list below says which file or entry.</translation>
    </message>
</context>
<context>
    <name>VideoViewer</name>
    <message>
        <source>Play / pause</source>
        <translation>Play / pause</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>Marks in this segment</source>
        <translation>Marks in this segment</translation>
    </message>
    <message>
        <source>No marks.</source>
        <translation>No marks.</translation>
    </message>
</context>
<context>
    <name>WorkspaceWindow</name>
    <message>
        <source>Quzheng capture workspace — case {0}</source>
        <translation>Quzheng capture workspace — case {0}</translation>
    </message>
    <message>
        <source>note for the next mark (what is on screen)</source>
        <translation>note for the next mark (what is on screen)</translation>
    </message>
    <message>
        <source>Sealed in this session</source>
        <translation>Sealed in this session</translation>
    </message>
    <message>
        <source>Mark note</source>
        <translation>Mark note</translation>
    </message>
    <message>
        <source>&amp;Screenshot (viewport)</source>
        <translation>&amp;Screenshot (viewport)</translation>
    </message>
    <message>
        <source>&amp;Full-page screenshot</source>
        <translation>&amp;Full-page screenshot</translation>
    </message>
    <message>
        <source>&amp;Area screenshot…</source>
        <translation>&amp;Area screenshot…</translation>
    </message>
    <message>
        <source>Page s&amp;napshot (MHTML)</source>
        <translation>Page s&amp;napshot (MHTML)</translation>
    </message>
    <message>
        <source>&amp;Mark this moment</source>
        <translation>&amp;Mark this moment</translation>
    </message>
    <message>
        <source>&amp;Pause recording…</source>
        <translation>&amp;Pause recording…</translation>
    </message>
    <message>
        <source>&amp;Note…</source>
        <translation>&amp;Note…</translation>
    </message>
    <message>
        <source>&amp;Transcript of a recording…</source>
        <translation>&amp;Transcript of a recording…</translation>
    </message>
    <message>
        <source>&amp;Close session…</source>
        <translation>&amp;Close session…</translation>
    </message>
    <message>
        <source>&amp;Capture</source>
        <translation>&amp;Capture</translation>
    </message>
    <message>
        <source>&amp;Recording</source>
        <translation>&amp;Recording</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>&amp;Session</translation>
    </message>
    <message>
        <source>Capture</source>
        <translation>Capture</translation>
    </message>
    <message>
        <source>● Recording proxy {0}: all traffic recorded</source>
        <translation>● Recording proxy {0}: all traffic recorded</translation>
    </message>
    <message>
        <source>■ Recording proxy stopped: capture stopped</source>
        <translation>■ Recording proxy stopped: capture stopped</translation>
    </message>
    <message>
        <source>○ not recording</source>
        <translation>○ not recording</translation>
    </message>
    <message>
        <source>❚❚ recording paused</source>
        <translation>❚❚ recording paused</translation>
    </message>
    <message>
        <source>● REC {0:02d}:{1:02d}</source>
        <translation>● REC {0:02d}:{1:02d}</translation>
    </message>
    <message>
        <source>&amp;Resume recording</source>
        <translation>&amp;Resume recording</translation>
    </message>
    <message>
        <source>No TLS (plain HTTP)</source>
        <translation>No TLS (plain HTTP)</translation>
    </message>
    <message>
        <source>Browser trusts only the recording proxy&apos;s CA</source>
        <translation>Browser trusts only the recording proxy&apos;s CA</translation>
    </message>
    <message>
        <source>TLS through the proxy; server certificate not yet in the sealed traffic</source>
        <translation>TLS through the proxy; server certificate not yet in the sealed traffic</translation>
    </message>
    <message>
        <source>TLS: server certificate of {0} verified by the proxy (sealed)</source>
        <translation>TLS: server certificate of {0} verified by the proxy (sealed)</translation>
    </message>
    <message>
        <source>TLS: server certificate of {0} NOT verified</source>
        <translation>TLS: server certificate of {0} NOT verified</translation>
    </message>
    <message>
        <source>Start recording and capture</source>
        <translation>Start recording and capture</translation>
    </message>
    <message>
        <source>Starting the recording</source>
        <translation>Starting the recording</translation>
    </message>
    <message>
        <source>Another capture is being sealed; try again in a moment.</source>
        <translation>Another capture is being sealed; try again in a moment.</translation>
    </message>
    <message>
        <source>Screenshot</source>
        <translation>Screenshot</translation>
    </message>
    <message>
        <source>Full-page screenshot</source>
        <translation>Full-page screenshot</translation>
    </message>
    <message>
        <source>Page snapshot</source>
        <translation>Page snapshot</translation>
    </message>
    <message>
        <source>Area screenshot</source>
        <translation>Area screenshot</translation>
    </message>
    <message>
        <source>Mark</source>
        <translation>Mark</translation>
    </message>
    <message>
        <source>Resuming the recording</source>
        <translation>Resuming the recording</translation>
    </message>
    <message>
        <source>Pausing the recording</source>
        <translation>Pausing the recording</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Transcript</source>
        <translation>Transcript</translation>
    </message>
    <message>
        <source>Closing the session</source>
        <translation>Closing the session</translation>
    </message>
    <message>
        <source>Closing the session: proxy, re-check, signatures, time-stamps…</source>
        <translation>Closing the session: proxy, re-check, signatures, time-stamps…</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Done</translation>
    </message>
</context>
</TS>

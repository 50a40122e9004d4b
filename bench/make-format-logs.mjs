#!/usr/bin/env node
// node bench/make-format-logs.mjs OUTDIR [--lines N] [--seed S]
// Writes labelled logs in the header formats that the Loghub systems we tune on do not have —
// classic syslog with `proc(module)[pid]`, a desktop syslog with reverse-DNS program names,
// Android logcat, an OpenStack-style service log, two fixed-column supercomputer layouts, a
// syslog relayed with a numeric prefix, and a Windows servicing log — as OUTDIR/<S>/<S>_2k.log
// with <S>_2k.log_structured.csv beside it, so `npm run eval:logs -- OUTDIR` scores them like
// the shared set. Every message template here is our own, written from what such programs print;
// values are drawn from a seeded generator, so the files are the same on every run.
// These files are for measuring, never for tuning a rule to: they share no line with any dataset.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomSource } from "../fixtures/secrets/random.mjs";

const args = process.argv.slice(2);
const out = resolve(args.find((a) => !a.startsWith("--")) ?? "/tmp/format-logs");
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const LINES = option("--lines", 2000);
// the seeded generator the secret fixtures use: the same files on every run
const { random, int, pick, hex } = randomSource(option("--seed", 7));
const uuid = () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
const ip = () => `${int(10, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
const two = (n) => String(n).padStart(2, "0");
const users = ["root", "admin", "test", "guest", "oracle", "mysql", "postgres", "deploy", "www-data", "nagios", "backup", "ftp"];
const hosts = ["ec2-54-12-33-9.compute-1.amazonaws.com", "host-12-44.example.net", "dsl-189-170-3-22.prod-infinitum.com.mx", "61.172.18.9", "203.101.45.59", "mail.corpnet.org"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A clock that moves forward a little every line. */
function clock(start) {
  let t = start;
  return () => {
    t += int(0, 4000);
    return new Date(t);
  };
}
const syslogTime = (d) => `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
const isoDate = (d) => `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
const hms = (d) => `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
const ms = (d) => String(d.getUTCMilliseconds()).padStart(3, "0");

/**
 * A system: a header maker and templates. Each template is [template text with <*>, weight,
 * level, make] where make() returns the message. The template text is the label's name.
 */
const systems = {
  SyslogPam: (() => {
    const now = clock(Date.UTC(2005, 5, 14, 15, 16, 1));
    const procs = { sshd: "sshd(pam_unix)", su: "su(pam_unix)", ftpd: "ftpd", kernel: "kernel", cron: "crond(pam_unix)", gdm: "gdm(pam_unix)", xinetd: "xinetd", logrotate: "logrotate", syslogd: "syslogd 1.4.1" };
    return {
      header: (proc) => `${syslogTime(now())} combo ${procs[proc]}${proc === "kernel" || proc === "syslogd" ? "" : `[${int(1000, 32000)}]`}: `,
      templates: [
        ["sshd", "authentication failure; logname= uid=<*> euid=<*> tty=NODEVssh ruser= rhost=<*>", 12, "", () => `authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=${pick(hosts)}`],
        ["sshd", "authentication failure; logname= uid=<*> euid=<*> tty=NODEVssh ruser= rhost=<*> user=<*>", 10, "", () => `authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=${pick(hosts)} user=${pick(users)}`],
        ["sshd", "check pass; user unknown", 8, "", () => "check pass; user unknown"],
        ["sshd", "session opened for user <*> by (uid=<*>)", 4, "", () => `session opened for user ${pick(users)} by (uid=${int(0, 600)})`],
        ["su", "session opened for user <*> by <*>(uid=<*>)", 5, "", () => `session opened for user ${pick(users)} by ${pick(users)}(uid=${int(0, 600)})`],
        ["su", "session closed for user <*>", 6, "", () => `session closed for user ${pick(users)}`],
        ["cron", "session opened for user <*> by (uid=<*>)", 5, "", () => `session opened for user ${pick(users)} by (uid=${int(0, 600)})`],
        ["cron", "session closed for user <*>", 5, "", () => `session closed for user ${pick(users)}`],
        ["ftpd", "connection from <*> (<*>) at <*>", 6, "", () => { const a = ip(); return `connection from ${a} (${pick(hosts)}) at ${new Date(Date.UTC(2005, 5, int(1, 28), int(0, 23), int(0, 59), int(0, 59))).toUTCString().replace(" GMT", "").replace(",", "")}`; }],
        ["xinetd", "START: ftp pid=<*> from=<*>", 3, "", () => `START: ftp pid=${int(1000, 30000)} from=${ip()}`],
        ["xinetd", "EXIT: ftp status=<*> pid=<*> duration=<*>(sec)", 2, "", () => `EXIT: ftp status=0 pid=${int(1000, 30000)} duration=${int(0, 900)}(sec)`],
        ["gdm", "session opened for user <*> by (uid=<*>)", 1, "", () => `session opened for user ${pick(users)} by (uid=0)`],
        ["kernel", "audit(<*>): initialized", 1, "", () => `audit(${int(1100000000, 1200000000)}.${int(100, 999)}:${int(1, 9)}): initialized`],
        ["kernel", "Memory: <*>k/<*>k available (<*>k kernel code, <*>k reserved, <*>k data, <*>k init, <*>k highmem)", 1, "", () => `Memory: ${int(100000, 200000)}k/${int(200000, 300000)}k available (${int(1000, 2000)}k kernel code, ${int(1000, 9000)}k reserved, ${int(500, 900)}k data, ${int(100, 200)}k init, 0k highmem)`],
        ["kernel", "usb <*>: new full speed USB device using uhci_hcd and address <*>", 1, "", () => `usb ${int(1, 4)}-${int(1, 2)}: new full speed USB device using uhci_hcd and address ${int(2, 9)}`],
        ["kernel", "Out of Memory: Killed process <*> (<*>).", 1, "ERROR", () => `Out of Memory: Killed process ${int(1000, 30000)} (${pick(["httpd", "java", "mysqld", "python"])}).`],
        ["logrotate", "ALERT exited abnormally with [<*>]", 1, "ERROR", () => `ALERT exited abnormally with [${int(1, 2)}]`],
        ["syslogd", "restart.", 1, "", () => "restart."],
      ],
    };
  })(),

  DesktopSyslog: (() => {
    const now = clock(Date.UTC(2017, 6, 1, 9, 0, 55));
    const host = () => pick(["calvisitor-10-105-160-95", "calvisitor-10-105-160-95", "authorMacBook-Pro", "Mac-mini-3"]);
    return {
      header: (proc) => `${syslogTime(now())} ${host()} ${proc}[${proc === "kernel" ? 0 : int(30, 9000)}]: `,
      templates: [
        ["kernel", "ARPT: <*>: wl0: setup_keepalive: interval <*>, retry_interval <*>, retry_count <*>", 8, "", () => `ARPT: ${int(600000, 700000)}.${int(100000, 999999)}: wl0: setup_keepalive: interval ${int(100, 900)}, retry_interval ${int(10, 90)}, retry_count ${int(3, 10)}`],
        ["kernel", "ARPT: <*>: AirPort_Brcm43xx::powerChange: System Wake - Full Wake/ Dark Wake / Maintenance wake", 5, "", () => `ARPT: ${int(600000, 700000)}.${int(100000, 999999)}: AirPort_Brcm43xx::powerChange: System Wake - Full Wake/ Dark Wake / Maintenance wake`],
        ["kernel", "Wake reason: <*>", 6, "", () => `Wake reason: ${pick(["RTC (Alarm)", "EC.SleepTimer (SleepTimer)", "ARPT (Network)", "XHC1"])}`],
        ["kernel", "IOThunderboltSwitch<<*>>(<*>)::listenerCallback - Thunderbolt HPD packet for route = <*> port = <*> unplug = <*>", 6, "", () => `IOThunderboltSwitch<0>(0x0)::listenerCallback - Thunderbolt HPD packet for route = 0x0 port = ${int(1, 12)} unplug = ${int(0, 1)}`],
        ["kernel", "en0: channel changed to <*>", 4, "", () => `en0: channel changed to ${pick(["1", "6", "11", "132,+1", "36,+1"])}`],
        ["com.apple.CDScheduler", "Thermal pressure state: <*> Memory pressure state: <*>", 6, "", () => `Thermal pressure state: ${int(0, 1)} Memory pressure state: ${int(0, 1)}`],
        ["QQ", "tcp_connection_destination_perform_socket_connect <*> connectx to <*> failed: <*> - No route to host", 5, "ERROR", () => `tcp_connection_destination_perform_socket_connect ${int(10000, 99999)} connectx to ${ip()}:${int(80, 8080)}@0 failed: [65] No route to host`],
        ["symptomsd", "__73-[NetworkAnalyticsEngine observeValueForKeyPath:ofObject:change:context:]_block_invoke unexpected switch value <*>", 3, "", () => `__73-[NetworkAnalyticsEngine observeValueForKeyPath:ofObject:change:context:]_block_invoke unexpected switch value ${int(1, 4)}`],
        ["WindowServer", "device_generate_desktop_screenshot: authw <*>(<*>), shield <*>(<*>)", 3, "", () => `device_generate_desktop_screenshot: authw 0x7fa${hex(9)}(${int(2000, 2100)}), shield 0x7fa${hex(9)}(${int(2000, 2100)})`],
        ["sharingd", "<*> : SDStatusMonitor::kStatusWirelessPowerChanged", 3, "", () => `${hms(now())}.${ms(now())} : SDStatusMonitor::kStatusWirelessPowerChanged`],
        ["com.apple.xpc.launchd", "(com.apple.quicklook[<*>]) Endpoint has been activated through legacy launch(<*>) API. Please switch to XPC or bootstrap_check_in(): com.apple.quicklook", 2, "", () => `(com.apple.quicklook[${int(1000, 9000)}]) Endpoint has been activated through legacy launch(3) API. Please switch to XPC or bootstrap_check_in(): com.apple.quicklook`],
        ["mDNSResponder", "mDNS_DeregisterInterface: Frequent transitions for interface awdl0 (<*>)", 2, "", () => `mDNS_DeregisterInterface: Frequent transitions for interface awdl0 (FE80:0000:0000:0000:${hex(4).toUpperCase()}:${hex(4).toUpperCase()}:${hex(4).toUpperCase()}:${hex(4).toUpperCase()})`],
        ["corecaptured", "CCFile::captureLog Received Capture notice id: <*>, reason = AuthFail:sts:<*>_rsn:<*>", 2, "", () => `CCFile::captureLog Received Capture notice id: ${int(1498000000, 1499999999)}.${int(100000, 999999)}, reason = AuthFail:sts:${int(1, 20)}_rsn:0`],
      ],
    };
  })(),

  Logcat: (() => {
    const now = clock(Date.UTC(2017, 2, 17, 16, 13, 38));
    const levels = { V: "V", D: "D", I: "I", W: "W", E: "E" };
    return {
      header: (tag, level) => {
        const d = now();
        return `${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${hms(d)}.${ms(d)}  ${String(int(600, 3000)).padStart(5)}  ${String(int(600, 9000)).padStart(5)} ${levels[level] ?? "I"} ${tag}: `;
      },
      templates: [
        ["PowerManagerService", "acquire lock=<*>, flags=<*>, tag=\"<*>\", name=<*>, ws=<*>, uid=<*>, pid=<*>", 10, "D", () => `acquire lock=${int(10000000, 299999999)}, flags=0x1, tag="${pick(["RILJ_ACK_WL", "*alarm*", "NetworkStats", "WifiManager"])}", name=${pick(["com.android.phone", "android", "com.tencent.mm"])}, ws=null, uid=${int(1000, 10200)}, pid=${int(600, 9000)}`],
        ["PowerManagerService", "release:lock=<*>, flg=<*>, tag=\"<*>\", name=<*>, ws=<*>, uid=<*>, pid=<*>", 10, "D", () => `release:lock=${int(10000000, 299999999)}, flg=0x0, tag="${pick(["RILJ_ACK_WL", "*alarm*", "NetworkStats"])}", name=${pick(["com.android.phone", "android"])}, ws=null, uid=${int(1000, 10200)}, pid=${int(600, 9000)}`],
        ["WindowManager", "printFreezingDisplayLogsopening app wtoken = AppWindowToken{<*> token=Token{<*> ActivityRecord{<*> u0 <*> t<*>}}}, allDrawn= <*>, startingDisplayed = <*>, startingMoved = <*>, isRelaunching = <*>", 4, "D", () => `printFreezingDisplayLogsopening app wtoken = AppWindowToken{${hex(7)} token=Token{${hex(7)} ActivityRecord{${hex(7)} u0 ${pick(["com.tencent.qt.qtl/.activity.info.NewsDetailXmlActivity", "com.android.settings/.Settings"])} t${int(100, 900)}}}}, allDrawn= ${pick(["false", "true"])}, startingDisplayed = ${pick(["false", "true"])}, startingMoved = false, isRelaunching = false`],
        ["ActivityManager", "Start proc <*>:<*>/<*> for <*> <*>", 4, "I", () => `Start proc ${int(1000, 30000)}:${pick(["com.android.gallery3d", "com.tencent.mm:push", "com.huawei.android.pushagent"])}/u0a${int(10, 200)} for ${pick(["service", "broadcast", "activity"])} ${pick(["com.tencent.mm/.booter.CoreService", "com.android.gallery3d/.app.Gallery"])}`],
        ["ActivityManager", "Process <*> (pid <*>) has died", 3, "I", () => `Process ${pick(["com.android.gallery3d", "com.tencent.mm:tools", "com.android.browser", "com.android.mms", "com.huawei.hwid.persistent", "com.tencent.mobileqq:MSF", "com.android.systemui", "com.google.android.gms.unstable"])} (pid ${int(1000, 30000)}) has died`],
        ["DisplayPowerController", "Animating brightness: target=<*>, rate=<*>", 4, "D", () => `Animating brightness: target=${int(0, 255)}, rate=${int(0, 200)}`],
        // one event per broadcast action, as the shared set's annotators count `action.SCREEN_ON` / `action.SCREEN_OFF`
        ...["android.intent.action.SCREEN_ON", "android.intent.action.TIME_TICK", "android.net.conn.CONNECTIVITY_CHANGE"].map((action) => ["SendBroadcastPermission", `action:${action}, mPermissionType:<*>`, 2, "D", () => `action:${action}, mPermissionType:${int(0, 1)}`]),
        ["Bluetooth", "isBluetoothOn: <*>", 3, "W", () => `isBluetoothOn: ${pick(["false", "true"])}`],
        ["InputReader", "Reconfiguring input devices. changes=<*>", 2, "I", () => `Reconfiguring input devices. changes=0x000000${hex(2)}`],
        ["AudioTrack", "start() status <*>", 2, "E", () => `start() status ${-int(1, 40)}`],
        ["ActivityThread", "Failed to find provider info for <*>", 1, "E", () => `Failed to find provider info for ${pick(["com.huawei.android.launcher.settings", "cn.nubia.provider"])}`],
        ["KeyguardUpdateMonitor", "handleBatteryUpdate level=<*>, plugged=<*>", 2, "D", () => `handleBatteryUpdate level=${int(1, 100)}, plugged=${int(0, 2)}`],
      ],
    };
  })(),

  CloudService: (() => {
    const now = clock(Date.UTC(2017, 4, 16, 0, 0, 0));
    const files = { api: "nova-api.log.1.2017-05-16_13:53:08", compute: "nova-compute.log.1.2017-05-16_13:55:31", scheduler: "nova-scheduler.log.1.2017-05-16_13:55:31" };
    const modules = { api: "nova.osapi_compute.wsgi.server", metadata: "nova.metadata.wsgi.server", compute: "nova.compute.manager", claims: "nova.compute.claims", tracker: "nova.compute.resource_tracker", virt: "nova.virt.libvirt.imagecache", scheduler: "nova.scheduler.host_manager" };
    const tenant = hex(32);
    const user = hex(32);
    return {
      header: (module, level) => {
        const d = now();
        const file = module === "api" || module === "metadata" ? files.api : module === "scheduler" ? files.scheduler : files.compute;
        const context = module === "tracker" || module === "virt" ? `[req-${uuid()} - - - - -]` : `[req-${uuid()} ${user} ${tenant} - - -]`;
        return `${file} ${isoDate(d)} ${hms(d)}.${ms(d)} ${int(2000, 30000)} ${level || "INFO"} ${modules[module]} ${context} `;
      },
      templates: [
        ["api", "<*> \"GET <*> HTTP/1.1\" status: <*> len: <*> time: <*>", 30, "", () => `${ip()} "GET /v2/${tenant}/servers/detail HTTP/1.1" status: 200 len: ${int(1500, 2000)} time: 0.${int(1000000, 9999999)}`],
        ["api", "<*> \"POST <*> HTTP/1.1\" status: <*> len: <*> time: <*>", 6, "", () => `${ip()} "POST /v2/${tenant}/os-server-external-events HTTP/1.1" status: 200 len: ${int(300, 400)} time: 0.${int(1000000, 9999999)}`],
        ["metadata", "<*> \"GET <*> HTTP/1.1\" status: <*> len: <*> time: <*>", 6, "", () => `${ip()},${ip()} "GET /openstack/2013-10-17/${pick(["meta_data.json", "user_data", "vendor_data.json"])} HTTP/1.1" status: 200 len: ${int(100, 900)} time: 0.${int(1000000, 9999999)}`],
        ...["Started", "Stopped", "Paused", "Resumed"].map((what) => ["compute", `[instance: <*>] VM ${what} (Lifecycle Event)`, 2, "", () => `[instance: ${uuid()}] VM ${what} (Lifecycle Event)`]),
        ["compute", "[instance: <*>] During sync_power_state the instance has a pending task (spawning). Skip.", 3, "", () => `[instance: ${uuid()}] During sync_power_state the instance has a pending task (spawning). Skip.`],
        ["compute", "[instance: <*>] Took <*> seconds to build instance.", 3, "", () => `[instance: ${uuid()}] Took ${int(10, 30)}.${int(10, 99)} seconds to build instance.`],
        ["claims", "[instance: <*>] Total memory: <*> MB, used: <*> MB", 3, "", () => `[instance: ${uuid()}] Total memory: ${int(60000, 70000)} MB, used: ${int(500, 9000)}.00 MB`],
        ["claims", "[instance: <*>] Claim successful", 3, "", () => `[instance: ${uuid()}] Claim successful`],
        ["tracker", "Final resource view: name=<*> phys_ram=<*> used_ram=<*> phys_disk=<*> used_disk=<*> total_vcpus=<*> used_vcpus=<*> pci_stats=[]", 4, "", () => `Final resource view: name=cp-1.slowvm1.tcloud-pg0.utah.cloudlab.us phys_ram=64172MB used_ram=${int(512, 9000)}MB phys_disk=15GB used_disk=${int(0, 15)}GB total_vcpus=16 used_vcpus=${int(0, 16)} pci_stats=[]`],
        ["tracker", "Auditing locally available compute resources for node <*>", 4, "", () => `Auditing locally available compute resources for node cp-1.slowvm1.tcloud-pg0.utah.cloudlab.us`],
        ["virt", "image <*> at (<*>): checking", 3, "", () => `image ${uuid()} at (/var/lib/nova/instances/_base/${hex(40)}): checking`],
        ["virt", "Unknown base file: <*>", 2, "WARNING", () => `Unknown base file: /var/lib/nova/instances/_base/${hex(40)}`],
        ["compute", "[instance: <*>] Instance failed to spawn", 1, "ERROR", () => `[instance: ${uuid()}] Instance failed to spawn`],
        ["scheduler", "Successfully synced instances from host '<*>'.", 2, "", () => `Successfully synced instances from host 'cp-${int(1, 9)}.slowvm1.tcloud-pg0.utah.cloudlab.us'.`],
      ],
    };
  })(),

  FixedColumnRas: (() => {
    let epoch = 1117838570;
    const node = () => `R${two(int(0, 7))}-M${int(0, 1)}-N${int(0, 15).toString(16).toUpperCase()}-${pick(["C", "I"])}:J${two(int(2, 18))}-U${pick(["01", "11"])}`;
    return {
      header: (component, level, label) => {
        epoch += int(0, 30);
        const d = new Date(epoch * 1000);
        const n = node();
        return `${label || "-"} ${epoch} ${d.getUTCFullYear()}.${two(d.getUTCMonth() + 1)}.${two(d.getUTCDate())} ${n} ${isoDate(d)}-${two(d.getUTCHours())}.${two(d.getUTCMinutes())}.${two(d.getUTCSeconds())}.${int(100000, 999999)} ${n} RAS ${component} ${level || "INFO"} `;
      },
      templates: [
        ["KERNEL", "instruction cache parity error corrected", 14, "", () => "instruction cache parity error corrected"],
        ["KERNEL", "<*> double-hummer alignment exceptions", 10, "", () => `${int(1, 9999)} double-hummer alignment exceptions`],
        ["KERNEL", "generating core.<*>", 8, "", () => `generating core.${int(1, 9999)}`],
        ["KERNEL", "CE sym <*>, at <*>, mask <*>", 6, "", () => `CE sym ${int(0, 35)}, at 0x${hex(8)}, mask 0x${hex(2)}`],
        ["KERNEL", "data TLB error interrupt", 3, "FATAL", () => "data TLB error interrupt"],
        ["KERNEL", "machine check interrupt (bit=<*>): L2 dcache unit data parity error", 2, "FATAL", () => `machine check interrupt (bit=0x${hex(2)}): L2 dcache unit data parity error`],
        ["APP", "ciod: failed to read message prefix on control stream (CioStream socket to <*>", 4, "FATAL", () => `ciod: failed to read message prefix on control stream (CioStream socket to ${ip()}:${int(30000, 60000)}`],
        ["APP", "ciod: Error loading <*>: invalid or missing program image, Exec format error", 2, "FATAL", () => `ciod: Error loading /home/${pick(users)}/${pick(["a.out", "mpi_test", "run.x"])}: invalid or missing program image, Exec format error`],
        ["KERNEL", "total of <*> ddr error(s) detected and corrected", 4, "", () => `total of ${int(1, 20)} ddr error(s) detected and corrected`],
        ["DISCOVERY", "Node card VPD check: <*> node in processor card slot <*> do not match. VPD ecid <*>, found <*>", 2, "WARNING", () => `Node card VPD check: ${pick(["U01", "U11"])} node in processor card slot J${two(int(2, 18))} do not match. VPD ecid ${hex(24).toUpperCase()}, found ${hex(24).toUpperCase()}`],
        ["MMCS", "idoproxydb hit ASSERT condition: ASSERT expression=<*> Source file=<*> Source line=<*> Function=<*>", 1, "FATAL", () => `idoproxydb hit ASSERT condition: ASSERT expression=0 Source file=idotransportmgr.cpp Source line=${int(100, 2000)} Function=int IdoTransportMgr::SendPacket(IdoUdpMgr*, BGLNetworkPacket*)`],
        ["KERNEL", "ddr: activating redundant bit steering: rank=<*> symbol=<*>", 2, "", () => `ddr: activating redundant bit steering: rank=${int(0, 1)} symbol=${int(0, 35)}`],
      ],
    };
  })(),

  FixedColumnState: (() => {
    let id = 134000;
    let epoch = 1077804742;
    return {
      header: (componentAndState) => {
        id += int(1, 60);
        epoch += int(0, 20);
        return `${id} node-${int(1, 255)} ${componentAndState} ${epoch} 1 `;
      },
      templates: [
        ["unix.hw state_change.unavailable", "Component State Change: Component \\042<*>\\042 is in the unavailable state (HWID=<*>)", 10, "", () => `Component State Change: Component \\042${pick(["alt0", "scsi0", "eth1"])}\\042 is in the unavailable state (HWID=${int(1000, 5000)})`],
        ["node.psu running", "PSU status ( on off )", 6, "", () => "PSU status ( on off )"],
        ["node.fans running", "Fan speeds ( <*> <*> <*> <*> <*> <*> )", 8, "", () => `Fan speeds ( ${Array.from({ length: 6 }, () => int(3000, 3800)).join(" ")} )`],
        ["action start", "clusterAddMember (command <*>)", 6, "", () => `clusterAddMember  (command ${int(1000, 3000)})`],
        ["action error", "boot command Error: The following nodes are not answering: <*>", 2, "ERROR", () => `boot command Error: The following nodes are not answering: node-${int(1, 255)}`],
        ["node.temps boot", "ambient=<*>", 6, "", () => `ambient=${int(20, 40)}`],
        ["unix.hw net.niff.up", "NIFF: node node-<*> detected a failed network connection on network <*> via interface alt0", 3, "ERROR", () => `NIFF: node node-${int(1, 255)} detected a failed network connection on network 5.5.224.0 via interface alt0`],
        ["unix.hw net.niff.down", "NIFF: node node-<*> has detected an available network connection on network <*> via interface alt0", 3, "", () => `NIFF: node node-${int(1, 255)} has detected an available network connection on network 5.5.224.0 via interface alt0`],
        ["node.link running", "Link error on broadcast tree Interconnect-<*>", 2, "ERROR", () => `Link error on broadcast tree Interconnect-${int(0, 3)}T${two(int(0, 40))}:${two(int(0, 15))}:${int(0, 3)}`],
        ["action halt", "halt command successful", 2, "", () => "halt command successful"],
      ],
    };
  })(),

  RelayedSyslog: (() => {
    let epoch = 1131566461;
    return {
      header: (proc, _level, label) => {
        epoch += int(0, 10);
        const d = new Date(epoch * 1000);
        const node = pick(["dn228", "dn731", "an689", "bn402", "tbird-admin1", "aadmin1"]);
        const pid = proc === "kernel" ? "" : `[${int(1000, 30000)}]`;
        return `${label || "-"} ${epoch} ${d.getUTCFullYear()}.${two(d.getUTCMonth() + 1)}.${two(d.getUTCDate())} ${node} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${hms(d)} ${node}/${node} ${proc}${pid}: `;
      },
      templates: [
        ["crond(pam_unix)", "session opened for user <*> by (uid=<*>)", 10, "", () => `session opened for user ${pick(users)} by (uid=0)`],
        ["crond(pam_unix)", "session closed for user <*>", 10, "", () => `session closed for user ${pick(users)}`],
        ["crond", "(<*>) CMD (<*>)", 8, "", () => `(${pick(users)}) CMD (${pick(["run-parts /etc/cron.hourly", "/usr/lib/sa/sa1 1 1", "/opt/bin/check_disk.sh"])})`],
        ["kernel", "ib_sm.x[<*>]: [ib_sm_sweep.c:<*>]: No topology change", 6, "", () => `ib_sm.x[${int(20000, 30000)}]: [ib_sm_sweep.c:${int(1000, 2000)}]: No topology change`],
        ["kernel", "ib_sm.x[<*>]: [ib_sm_bringup.c:<*>]: Found non-responsive port <*>", 2, "WARNING", () => `ib_sm.x[${int(20000, 30000)}]: [ib_sm_bringup.c:${int(100, 900)}]: Found non-responsive port ${int(1, 24)}`],
        ["sshd", "Accepted publickey for <*> from <*> port <*> ssh2", 5, "", () => `Accepted publickey for ${pick(users)} from ${ip()} port ${int(30000, 60000)} ssh2`],
        ["postfix/postdrop", "warning: unable to look up public/pickup: No such file or directory", 4, "WARNING", () => "warning: unable to look up public/pickup: No such file or directory"],
        ["ntpd", "synchronized to <*>, stratum <*>", 3, "", () => `synchronized to ${ip()}, stratum ${int(1, 4)}`],
        ["kernel", "EXT3-fs error (device <*>): ext3_find_entry: reading directory #<*> offset <*>", 1, "ERROR", () => `EXT3-fs error (device ${pick(["sda5", "sdb1"])}): ext3_find_entry: reading directory #${int(1000, 99999)} offset 0`],
        ["dhcpd", "DHCPREQUEST for <*> from <*> via eth1", 4, "", () => `DHCPREQUEST for ${ip()} from 00:11:43:${hex(2)}:${hex(2)}:${hex(2)} via eth1`],
        ["dhcpd", "DHCPACK on <*> to <*> via eth1", 4, "", () => `DHCPACK on ${ip()} to 00:11:43:${hex(2)}:${hex(2)}:${hex(2)} via eth1`],
      ],
    };
  })(),

  ServicingLog: (() => {
    const now = clock(Date.UTC(2016, 8, 28, 4, 30, 30));
    return {
      header: (component, level) => {
        const d = now();
        return `${isoDate(d)} ${hms(d)}, ${(level || "Info").padEnd(22)}${component.padEnd(7)}`;
      },
      templates: [
        ["CBS", "Loaded Servicing Stack v<*> with Core: <*>", 3, "", () => `Loaded Servicing Stack v6.1.7601.${int(23000, 23599)} with Core: C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_6.1.7601.${int(23000, 23599)}_none_${hex(16)}\\cbscore.dll`],
        ["CSI", "<*> WcpInitialize (wcp.dll version <*>) called (stack <*>)", 3, "", () => `${hex(8)}@2016/9/27:20:30:31.${int(100, 999)} WcpInitialize (wcp.dll version 0.0.0.6) called (stack @0x7fed${hex(7)} @0x7fef${hex(7)} @0xff${hex(6)})`],
        ["CBS", "Read out cached package applicability for package: <*>, ApplicableState: <*>, CurrentState:<*>", 14, "", () => `Read out cached package applicability for package: Package_for_KB${int(2000000, 3999999)}~31bf3856ad364e35~amd64~~6.1.${int(1, 3)}.${int(0, 9)}, ApplicableState: ${pick(["112", "80"])}, CurrentState:${pick(["112", "0"])}`],
        ["CBS", "Session: <*> initialized by client WindowsUpdateAgent.", 6, "", () => `Session: 30546354_${int(100000000, 999999999)} initialized by client WindowsUpdateAgent.`],
        ["CBS", "SQM: Initializing online with Windows opt-in: False", 4, "", () => "SQM: Initializing online with Windows opt-in: False"],
        ["CBS", "SQM: Cleaning up report files older than <*> days.", 4, "", () => `SQM: Cleaning up report files older than ${int(10, 30)} days.`],
        ["CBS", "SQM: Requesting upload of all unsent reports.", 4, "", () => "SQM: Requesting upload of all unsent reports."],
        ["CBS", "SQM: Failed to start upload with file pattern: <*>, flags: <*> [HRESULT = <*> - E_FAIL]", 4, "", () => `SQM: Failed to start upload with file pattern: C:\\Windows\\servicing\\sqm\\*_std.sqm, flags: 0x2 [HRESULT = 0x80004005 - E_FAIL]`],
        ["CBS", "Warning: Unrecognized packageExtended attribute.", 6, "", () => "Warning: Unrecognized packageExtended attribute."],
        ["CBS", "Expecting attribute name [HRESULT = <*> - CBS_E_MANIFEST_INVALID_ITEM]", 2, "Error", () => "Expecting attribute name [HRESULT = 0x800f080d - CBS_E_MANIFEST_INVALID_ITEM]"],
        ["CBS", "Failed to get next element [HRESULT = <*> - CBS_E_MANIFEST_INVALID_ITEM]", 2, "Error", () => "Failed to get next element [HRESULT = 0x800f080d - CBS_E_MANIFEST_INVALID_ITEM]"],
        ["CSI", "<*> CSI Store <*> (<*>) initialized", 3, "", () => `${hex(8)} CSI Store ${int(1000000, 9999999)} (0x0000000000${hex(6)}) initialized`],
        ["CBS", "Ending TrustedInstaller initialization.", 2, "", () => `Ending TrustedInstaller initialization.`],
        ["CBS", "Starting the TrustedInstaller main loop.", 2, "", () => `Starting the TrustedInstaller main loop.`],
      ],
    };
  })(),
};

const csvField = (s) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
for (const [name, system] of Object.entries(systems)) {
  const weights = system.templates.map((t) => t[2]);
  const total = weights.reduce((a, b) => a + b, 0);
  const ids = new Map(system.templates.map((t, i) => [`${t[0]}\u0000${t[1]}`, i]));
  const log = [];
  const rows = ["LineId,Level,Content,EventId,EventTemplate"];
  for (let n = 1; n <= LINES; n++) {
    let r = random() * total;
    let i = 0;
    while ((r -= weights[i]) > 0) i++;
    const [where, template, , level, make] = system.templates[i];
    const message = make();
    const label = level === "FATAL" ? "KERNDTLB" : "-";
    log.push(system.header(where, level, label) + message);
    // one event per template text: the same message from two programs is one template, as a reader would group it
    const eventId = `E${[...ids.entries()].find(([key]) => key.endsWith(`\u0000${template}`))[1] + 1}`;
    rows.push([n, level || "INFO", message, eventId, template].map((v) => csvField(String(v))).join(","));
  }
  mkdirSync(join(out, name), { recursive: true });
  writeFileSync(join(out, name, `${name}_2k.log`), log.join("\n") + "\n");
  writeFileSync(join(out, name, `${name}_2k.log_structured.csv`), rows.join("\n") + "\n");
}
console.log(`wrote ${Object.keys(systems).length} systems of ${LINES} lines to ${out}`);

// Bindings of the primitives: convert arguments, call the plain C++ layer,
// turn -errno into a Node-style Error. Runs on the JS thread that calls it.
#include <napi.h>
#include <unistd.h>

#include "core/ownership.h"
#include "core/reaper.h"
#include "kernel/pidfd.h"
#include "kernel/procstat.h"
#include "kernel/sigmask.h"
#include "kernel/signalfd.h"
#include "kernel/spawn.h"
#include "kernel/subreaper.h"
#include "kernel/wait.h"
#include "napi/binding_util.h"

namespace pid1 {

namespace {

// P_PIDFD (Linux 5.4) is 3 in the kernel's ABI; older libc headers lack the name.
constexpr idtype_t kPidfdIdtype = static_cast<idtype_t>(3);


Napi::Object ThreadInfo(Napi::Env env, const ThreadMaskInfo& info) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("tid", Napi::Number::New(env, info.tid));
  object.Set("name", static_cast<const char*>(info.name));
  object.Set("blocked", FromSigset(env, info.blocked));
  return object;
}

void SetChildSubreaperJs(const Napi::CallbackInfo& info) { Failed(info.Env(), SetChildSubreaper(Flag(info[0])), "prctl"); }

Napi::Value GetChildSubreaperJs(const Napi::CallbackInfo& info) {
  bool enabled = false;
  if (Failed(info.Env(), GetChildSubreaper(&enabled), "prctl")) return Napi::Value();
  return FlagValue(info.Env(), enabled);
}

void SetParentDeathSignalJs(const Napi::CallbackInfo& info) {
  Failed(info.Env(), SetParentDeathSignal(info[0].As<Napi::Number>().Int32Value()), "prctl");
}

Napi::Value GetParentDeathSignalJs(const Napi::CallbackInfo& info) {
  int signal = 0;
  if (Failed(info.Env(), GetParentDeathSignal(&signal), "prctl")) return Napi::Value();
  return Napi::Number::New(info.Env(), signal);
}

// threadMask(how, maskLow, maskHigh) -> the previous mask. Blocking nothing
// (how block, mask 0, 0) reads it.
Napi::Value ThreadMaskJs(const Napi::CallbackInfo& info) {
  sigset_t previous;
  sigset_t set = ToSigset(info[1], info[2]);
  if (Failed(info.Env(), ThreadMask(info[0].As<Napi::Number>().Int32Value(), &set, &previous), "pthread_sigmask")) return Napi::Value();
  return FromSigset(info.Env(), previous);
}

Napi::Value ProcessMaskJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sigset_t set = ToSigset(info[1], info[2]);
  sigset_t previous;
  int reached = 0;
  std::vector<ThreadMaskInfo> skipped;
  std::vector<pid_t> ignore;
  // The reaper's thread keeps every signal blocked: process-wide changes leave it alone.
  if (TheReaper().tid() != 0) ignore.push_back(TheReaper().tid());
  const char* step = nullptr;
  int err = ProcessMask(info[0].As<Napi::Number>().Int32Value(), &set, &previous, ignore, &reached, &skipped, &step);
  if (Failed(env, err, step)) return Napi::Value();
  Napi::Object result = Napi::Object::New(env);
  result.Set("previous", FromSigset(env, previous));
  result.Set("reached", Napi::Number::New(env, reached));
  // Absent when no thread was skipped, the usual case: no array is made.
  if (!skipped.empty()) {
    Napi::Array list = Napi::Array::New(env, skipped.size());
    for (size_t i = 0; i < skipped.size(); i++) list.Set(i, ThreadInfo(env, skipped[i]));
    result.Set("skipped", list);
  }
  return result;
}

Napi::Value ThreadMasksJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<pid_t> tids;
  if (Failed(env, ListThreads(&tids), "opendir")) return Napi::Value();
  Napi::Array list = Napi::Array::New(env);
  uint32_t n = 0;
  for (pid_t tid : tids) {
    ThreadMaskInfo thread;
    if (ReadThreadMask(tid, &thread) == 0) list.Set(n++, ThreadInfo(env, thread));
  }
  return list;
}

Napi::Value SignalFdOpenJs(const Napi::CallbackInfo& info) {
  sigset_t set = ToSigset(info[0], info[1]);
  int fd = -1;
  if (Failed(info.Env(), SignalFdOpen(&set, &fd), "signalfd")) return Napi::Value();
  return Napi::Number::New(info.Env(), fd);
}

Napi::Object SigInfoObject(Napi::Env env, const signalfd_siginfo& s) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("signal", Napi::Number::New(env, s.ssi_signo));
  object.Set("code", Napi::Number::New(env, s.ssi_code));
  object.Set("pid", Napi::Number::New(env, s.ssi_pid));
  object.Set("uid", Napi::Number::New(env, s.ssi_uid));
  object.Set("status", Napi::Number::New(env, s.ssi_status));
  object.Set("errno", Napi::Number::New(env, s.ssi_errno));
  object.Set("int", Napi::Number::New(env, s.ssi_int));
  object.Set("tid", Napi::Number::New(env, s.ssi_tid));
  object.Set("overrun", Napi::Number::New(env, s.ssi_overrun));
  object.Set("utime", Napi::Number::New(env, static_cast<double>(s.ssi_utime)));
  object.Set("stime", Napi::Number::New(env, static_cast<double>(s.ssi_stime)));
  return object;
}

Napi::Value SignalFdReadJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<signalfd_siginfo> infos;
  if (Failed(env, SignalFdRead(info[0].As<Napi::Number>().Int32Value(), &infos), "read")) return Napi::Value();
  Napi::Array list = Napi::Array::New(env, infos.size());
  for (size_t i = 0; i < infos.size(); i++) list.Set(i, SigInfoObject(env, infos[i]));
  return list;
}

// r.pid > 0: waitid returns no object when nothing was ready.
Napi::Value WaitResultObject(Napi::Env env, const WaitResult& r) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("pid", Napi::Number::New(env, r.pid));
  // Absent rather than null: napi_get_null would be one more Node-API look-up.
  if (r.exit_code >= 0) object.Set("exitCode", Napi::Number::New(env, r.exit_code));
  if (r.signal != 0) object.Set("signal", Napi::Number::New(env, r.signal));
  object.Set("coreDumped", FlagValue(env, r.core_dumped));
  object.Set("stopped", FlagValue(env, r.stopped));
  object.Set("continued", FlagValue(env, r.continued));
  return object;
}

// waitid(idtype: one of exports.idtype, id, flags: exports.waitFlags ORed, block, noChildIsZero)
// -> a result, undefined (nothing ready), or 0 for ECHILD when noChildIsZero.
// Callers for whom "no such child" is an ordinary answer (is there any
// child? was it reaped already?) get it without an Error being built and
// thrown: an Error's message, code and errno cost far more than the call.
Napi::Value WaitIdJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  idtype_t idtype = static_cast<idtype_t>(info[0].As<Napi::Number>().Int32Value());
  id_t id = static_cast<id_t>(info[1].As<Napi::Number>().Int32Value());
  int flags = WEXITED | (info[2].As<Napi::Number>().Int32Value() & (WSTOPPED | WCONTINUED | WNOWAIT));
  WaitResult result;
  int err = WaitId(idtype, id, flags, Flag(info[3]), &result);
  if (err == -ECHILD && Flag(info[4])) return Napi::Number::New(env, 0);
  if (Failed(env, err, "waitid")) return Napi::Value();
  if (result.pid == 0) return Napi::Value();
  return WaitResultObject(env, result);
}

Napi::Value ReapAllJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<WaitResult> results;
  int err = ReapAll(&results);
  Napi::Array list = Napi::Array::New(env, results.size());
  for (size_t i = 0; i < results.size(); i++) list.Set(i, WaitResultObject(env, results[i]));
  if (err != 0) {
    // What was reaped is not lost: it rides on the error.
    Napi::Error error = ErrnoError(env, err, "waitid");
    error.Set("results", list);
    error.ThrowAsJavaScriptException();
    return Napi::Value();
  }
  return list;
}

// isatty(fd): what tty.isatty() says, without loading Node's tty module
// (2 ms of the pid1 command's start-up).
Napi::Value IsattyJs(const Napi::CallbackInfo& info) {
  return FlagValue(info.Env(), isatty(info[0].As<Napi::Number>().Int32Value()) == 1);
}

void KillJs(const Napi::CallbackInfo& info) {
  Failed(info.Env(), Kill(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value()), "kill");
}

Napi::Value PidfdOpenJs(const Napi::CallbackInfo& info) {
  int fd = -1;
  if (Failed(info.Env(), PidfdOpen(info[0].As<Napi::Number>().Int32Value(), &fd), "pidfd_open")) return Napi::Value();
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value PidfdExitedJs(const Napi::CallbackInfo& info) {
  bool exited = false;
  if (Failed(info.Env(), PidfdExited(info[0].As<Napi::Number>().Int32Value(), &exited), "poll")) return Napi::Value();
  return FlagValue(info.Env(), exited);
}

void PidfdSendSignalJs(const Napi::CallbackInfo& info) {
  Failed(info.Env(),
         PidfdSendSignal(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value()),
         "pidfd_send_signal");
}

// spawn(candidates, argv, env, cwd, stdin, stdout, stderr, setsid, setpgid, foregroundFd, cgroupFd)
//   -> { pid, startTime } (start time in clock ticks, as /proc/PID/stat field 22; -1 if unread)
// The lists come as ToCStringList strings and the rest as numbers: no
// object or array is read, so a spawn binds no Node-API function for them.
Napi::Value SpawnJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SpawnRequest request;
  request.candidates = ToCStringList(info[0]);
  request.argv = ToCStringList(info[1]);
  request.env = ToCStringList(info[2]);
  request.cwd = ToCString(info[3]);
  for (size_t i = 0; i < 3; i++) request.stdio[i] = info[4 + i].As<Napi::Number>().Int32Value();
  request.setsid = Flag(info[7]);
  request.setpgid = Flag(info[8]);
  request.foreground_fd = info[9].As<Napi::Number>().Int32Value();
  request.cgroup_fd = info[10].As<Napi::Number>().Int32Value();  // -1: none
  pid_t pid = 0;
  const char* step = nullptr;
  // The reaper pauses while the spawn runs: a child that fails to exec is
  // reaped by Spawn() itself, and must not be taken from it.
  Ownership::Get().SpawnBegin();
  int err = Spawn(request, &pid, &step);
  // Read while the child cannot have been reaped: with the pid it names
  // this one process. Here rather than in JS: a first readFileSync costs
  // the caller's thread most of a millisecond, after the child has started.
  ProcStat stat;
  bool have_start = err == 0 && ReadProcStat(pid, &stat) == 0;
  Ownership::Get().SpawnEnd(0, 0);
  if (err != 0) {
    Napi::Error error = ErrnoError(env, err, step);
    error.Set("path", request.argv.empty() ? "" : request.argv[0].data());
    error.ThrowAsJavaScriptException();
    return Napi::Value();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, pid));
  out.Set("startTime", Napi::Number::New(env, have_start ? static_cast<double>(stat.start_ticks) : -1));
  return out;
}

}  // namespace

void RegisterPrimitives(Napi::Env env, Napi::Object exports) {
  Export<SetChildSubreaperJs>(exports, "setChildSubreaper");
  Export<GetChildSubreaperJs>(exports, "getChildSubreaper");
  Export<SetParentDeathSignalJs>(exports, "setParentDeathSignal");
  Export<GetParentDeathSignalJs>(exports, "getParentDeathSignal");
  Export<ThreadMaskJs>(exports, "threadMask");
  Export<ProcessMaskJs>(exports, "processMask");
  Export<ThreadMasksJs>(exports, "threadMasks");
  Export<SignalFdOpenJs>(exports, "signalfdOpen");
  Export<SignalFdReadJs>(exports, "signalfdRead");
  Export<WaitIdJs>(exports, "waitid");
  Export<ReapAllJs>(exports, "reapAll");
  Export<KillJs>(exports, "kill");
  Export<IsattyJs>(exports, "isatty");
  Export<PidfdOpenJs>(exports, "pidfdOpen");
  Export<PidfdSendSignalJs>(exports, "pidfdSendSignal");
  Export<PidfdExitedJs>(exports, "pidfdExited");
  Export<SpawnJs>(exports, "spawn");
  // JS passes these values back; the kernel refuses any other (EINVAL).
  exports.Set("maskHow", Constants(env, {{"block", SIG_BLOCK}, {"unblock", SIG_UNBLOCK}, {"set", SIG_SETMASK}}));
  exports.Set("idtype", Constants(env, {{"all", P_ALL}, {"pid", P_PID}, {"pgid", P_PGID}, {"pidfd", kPidfdIdtype}}));
  exports.Set("waitFlags", Constants(env, {{"stopped", WSTOPPED}, {"continued", WCONTINUED}, {"noWait", WNOWAIT}}));
  // The signals by name, as os.constants.signals has them (Node's
  // src/node_constants.cc: the same names, aliases and order, the first name
  // of a number its canonical one), from this architecture's headers. JS
  // reads them here so that a start need not load the os module (about
  // 0.25 ms: docs/runtime-facts.md, 40).
  exports.Set("signals", Constants(env, {
    {"SIGHUP", SIGHUP}, {"SIGINT", SIGINT}, {"SIGQUIT", SIGQUIT}, {"SIGILL", SIGILL}, {"SIGTRAP", SIGTRAP},
    {"SIGABRT", SIGABRT},
#ifdef SIGIOT
    {"SIGIOT", SIGIOT},
#endif
    {"SIGBUS", SIGBUS}, {"SIGFPE", SIGFPE}, {"SIGKILL", SIGKILL}, {"SIGUSR1", SIGUSR1}, {"SIGSEGV", SIGSEGV},
    {"SIGUSR2", SIGUSR2}, {"SIGPIPE", SIGPIPE}, {"SIGALRM", SIGALRM}, {"SIGTERM", SIGTERM}, {"SIGCHLD", SIGCHLD},
#ifdef SIGSTKFLT
    {"SIGSTKFLT", SIGSTKFLT},
#endif
    {"SIGCONT", SIGCONT}, {"SIGSTOP", SIGSTOP}, {"SIGTSTP", SIGTSTP}, {"SIGTTIN", SIGTTIN}, {"SIGTTOU", SIGTTOU},
    {"SIGURG", SIGURG}, {"SIGXCPU", SIGXCPU}, {"SIGXFSZ", SIGXFSZ}, {"SIGVTALRM", SIGVTALRM}, {"SIGPROF", SIGPROF},
    {"SIGWINCH", SIGWINCH},
#ifdef SIGIO
    {"SIGIO", SIGIO},
#endif
#ifdef SIGPOLL
    {"SIGPOLL", SIGPOLL},
#endif
#ifdef SIGLOST
    {"SIGLOST", SIGLOST},
#endif
#ifdef SIGPWR
    {"SIGPWR", SIGPWR},
#endif
#ifdef SIGINFO
    {"SIGINFO", SIGINFO},
#endif
#ifdef SIGSYS
    {"SIGSYS", SIGSYS},
#endif
#ifdef SIGUNUSED
    {"SIGUNUSED", SIGUNUSED},
#endif
  }));
  exports.Set("carrierSignal", Napi::Number::New(env, CarrierSignal()));
  exports.Set("SIGRTMIN", Napi::Number::New(env, SIGRTMIN));
  exports.Set("SIGRTMAX", Napi::Number::New(env, SIGRTMAX));
}

}  // namespace pid1

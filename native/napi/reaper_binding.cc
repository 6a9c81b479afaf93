// Bindings of the reaper and the ownership registry. The reaper thread
// queues events natively and wakes JS through a thread-safe function that
// carries no data: JS takes the queue when it is ready, and stopping the
// reaper hands over whatever is left, synchronously.
#include <napi.h>

#include <mutex>
#include <set>

#include "core/ownership.h"
#include "core/reaper.h"
#include "kernel/mutex.h"
#include "napi/binding_util.h"

namespace pid1 {

namespace {

// JS thread of the owner env; env is null when the function is torn down.
// The callback only schedules JS's own drain: nothing a listener does runs
// here, so no exception can meet Node-API's (DEP0168) handling. Should the
// callback throw anyway, it becomes the process's uncaught exception (the
// exception stays pending for Node-API). The callback is its own receiver:
// no napi_get_undefined. The thread-safe function is Node-API's own, not
// node-addon-api's wrapper, which would make its resource name from a C
// string (napi_create_string_utf8); JS passes that name.
void CallJs(napi_env env, napi_value callback, void*, void*) {
  if (env == nullptr || callback == nullptr) return;
  napi_call_function(env, callback, callback, 0, nullptr, nullptr);
}

struct ReaperJs {
  napi_threadsafe_function tsfn = nullptr;
  napi_env owner = nullptr;  // the env that started the reaper
};
ReaperJs g_reaper_js;  // touched only on the owner's JS thread

void StopReaper() {
  TheReaper().Stop();
  if (g_reaper_js.owner != nullptr) {
    napi_release_threadsafe_function(g_reaper_js.tsfn, napi_tsfn_release);
    g_reaper_js.tsfn = nullptr;
    g_reaper_js.owner = nullptr;
  }
}

// Envs with the hook below: Node aborts on a hook added twice, and the
// addon can be initialised twice in one env (two copies of the package).
// (std::set, not a hash set: those call libm's ceilf, whose code would be
// paged in for it.)
Mutex g_envs_mutex;
std::set<napi_env> g_envs;

// Any env that loaded pid1 is going away (Worker exit, process exit). If it
// started the reaper, the reaper stops; libuv will never collect the
// children its loop spawned, so they become the reaper's (or the next's).
// One hook per env for both: a hook added and removed with each start would
// cost Node-API look-ups and could be forgotten.
void OnEnvCleanup(void* arg) {
  {
    std::lock_guard<Mutex> lock(g_envs_mutex);
    g_envs.erase(static_cast<napi_env>(arg));
  }
  if (g_reaper_js.owner == static_cast<napi_env>(arg)) StopReaper();
  Ownership::Get().ReleaseAll(reinterpret_cast<Ownership::Owner>(arg));
}

Ownership::Owner OwnerOf(const Napi::CallbackInfo& info) { return reinterpret_cast<Ownership::Owner>(static_cast<napi_env>(info.Env())); }

// Events cross as a Buffer of int32s (one Node-API call; JS views it as an
// Int32Array).
Napi::Value EventsBuffer(Napi::Env env, const std::vector<int32_t>& events) {
  return BufferCopy(env, events.data(), events.size() * sizeof(int32_t));
}

Napi::Value TakeEvents(Napi::Env env) {
  std::vector<int32_t> events;
  TheReaper().Take(&events);
  return EventsBuffer(env, events);
}

// reaperStart(maskLow, maskHigh, onEvents, resourceName)
void Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (TheReaper().running()) {
    Failed(env, -EBUSY, "reaperStart");
    return;
  }
  sigset_t set = ToSigset(info[0], info[1]);
  napi_threadsafe_function tsfn = nullptr;
  napi_status status = napi_create_threadsafe_function(env, info[2], nullptr, info[3], 0, 1, nullptr, nullptr, nullptr, CallJs, &tsfn);
  NAPI_THROW_IF_FAILED_VOID(env, status);
  napi_unref_threadsafe_function(env, tsfn);  // the reaper never keeps the process alive by itself
  const char* step = nullptr;
  int err = TheReaper().Start(
      set,
      [tsfn]() {
        // Reaper thread. Non-blocking with an unbounded queue: never waits for JS.
        napi_call_threadsafe_function(tsfn, nullptr, napi_tsfn_nonblocking);
      },
      &step);
  if (err != 0) {
    napi_release_threadsafe_function(tsfn, napi_tsfn_release);
    Failed(env, err, step);
    return;
  }
  g_reaper_js.tsfn = tsfn;
  g_reaper_js.owner = env;
}

// reaperTake() -> the events queued so far
Napi::Value Take(const Napi::CallbackInfo& info) { return TakeEvents(info.Env()); }

// reaperStop() -> the events the thread queued before it ended
Napi::Value Stop(const Napi::CallbackInfo& info) {
  StopReaper();
  return TakeEvents(info.Env());
}

// reaperReapStopped() -> the events of one reap pass run on this thread;
// the reaper must be stopped.
Napi::Value ReapStopped(const Napi::CallbackInfo& info) {
  std::vector<int32_t> events;
  if (Failed(info.Env(), TheReaper().ReapWhileStopped(&events), "reaperReapStopped")) return Napi::Value();
  return EventsBuffer(info.Env(), events);
}

// reaperRef(on): whether the reaper holds the event loop open (the pid1
// command waits on it for its child; init() never lets it).
void RefLoop(const Napi::CallbackInfo& info) {
  if (g_reaper_js.owner == static_cast<napi_env>(info.Env())) {
    if (Flag(info[0])) {
      napi_ref_threadsafe_function(info.Env(), g_reaper_js.tsfn);
    } else {
      napi_unref_threadsafe_function(info.Env(), g_reaper_js.tsfn);
    }
  }
}

Napi::Value Tid(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), TheReaper().tid()); }

Napi::Value Running(const Napi::CallbackInfo& info) { return FlagValue(info.Env(), TheReaper().running()); }

void SetHandOn(const Napi::CallbackInfo& info) { TheReaper().SetHandOn(info[0].As<Napi::Number>().Int32Value(), Flag(info[1])); }

// setForward(target, leader, rewrite) where the character at index sig of
// the string rewrite has as its code the signal to send for sig (0 drops
// it). Codes 0 to 64 are one byte each in UTF-8, and a string is read with
// the one Node-API function every spawn uses: an array of numbers would
// take two more (binding_util.h).
void SetForward(const Napi::CallbackInfo& info) {
  CString table = ToCString(info[2]);
  std::vector<int> rewrite(table.begin(), table.end() - 1);  // without ToCString's terminator
  TheReaper().SetForward(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(), rewrite);
}

void SetForwardChildren(const Napi::CallbackInfo& info) { TheReaper().SetForwardChildren(Flag(info[0])); }

// setForwardWhen(signal, when): when is one of protocol.forwardWhen.
void SetForwardWhen(const Napi::CallbackInfo& info) {
  TheReaper().SetForwardWhen(info[0].As<Napi::Number>().Int32Value(), static_cast<ForwardWhen>(info[1].As<Napi::Number>().Int32Value()));
}

// reaperSentAgo(signal, pid, pgrp, startTicks) -> ms since the last forward of
// signal reached that process, or -1
Napi::Value SentAgo(const Napi::CallbackInfo& info) {
  double ms = TheReaper().SentAgoMs(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(),
                                    info[2].As<Napi::Number>().Int32Value(), static_cast<uint64_t>(info[3].As<Napi::Number>().DoubleValue()));
  return Napi::Number::New(info.Env(), ms);
}

// reaperSetReporting(allReaps, quietMaskLow, quietMaskHigh)
void SetReporting(const Napi::CallbackInfo& info) {
  TheReaper().SetReporting(Flag(info[0]), ToSignalList(info[1], info[2]));
}

void HoldForward(const Napi::CallbackInfo&) { TheReaper().HoldForward(); }

// reaperSetFaultFd(fd): before reaperStart; -1 for none.
void SetFaultFd(const Napi::CallbackInfo& info) { TheReaper().SetFaultFd(info[0].As<Napi::Number>().Int32Value()); }

void SpawnBegin(const Napi::CallbackInfo&) { Ownership::Get().SpawnBegin(); }

void SpawnEnd(const Napi::CallbackInfo& info) { Ownership::Get().SpawnEnd(info[0].As<Napi::Number>().Int32Value(), OwnerOf(info)); }

void Release(const Napi::CallbackInfo& info) { Ownership::Get().Release(info[0].As<Napi::Number>().Int32Value(), OwnerOf(info)); }

void SetExempt(const Napi::CallbackInfo& info) { Ownership::Get().SetExempt(info[0].As<Napi::Number>().Int32Value(), Flag(info[1])); }

// The native/JS protocol, written once in reaper.h and handed to JS.
Napi::Object Protocol(Napi::Env env) {
  Napi::Object protocol = Napi::Object::New(env);
  protocol.Set("eventInts", kEventInts);
  protocol.Set("kinds", Constants(env, {{"reap", kEventReap}, {"signal", kEventSignal}, {"error", kEventError}}));
  protocol.Set("signalFlags", Constants(env, {{"handedOn", kSignalHandedOn}, {"forwarded", kSignalForwarded}}));
  // name -> index: names as keys, so that no string value is made.
  Napi::Object syscalls = Napi::Object::New(env);
  for (int i = 0; i < kSyscallCount; i++) syscalls.Set(kReaperSyscallNames[i], i);
  protocol.Set("syscalls", syscalls);
  protocol.Set("forwardWhen", Constants(env, {{"always", static_cast<int32_t>(ForwardWhen::kAlways)},
                                              {"listening", static_cast<int32_t>(ForwardWhen::kListening)},
                                              {"never", static_cast<int32_t>(ForwardWhen::kNever)}}));
  return protocol;
}

}  // namespace

void RegisterReaper(Napi::Env env, Napi::Object exports) {
  {
    std::lock_guard<Mutex> lock(g_envs_mutex);
    if (g_envs.insert(env).second) napi_add_env_cleanup_hook(env, OnEnvCleanup, static_cast<napi_env>(env));
  }
  exports.Set("reaperProtocol", Protocol(env));
  Export<Start>(exports, "reaperStart");
  Export<Take>(exports, "reaperTake");
  Export<Stop>(exports, "reaperStop");
  Export<ReapStopped>(exports, "reaperReapStopped");
  Export<Tid>(exports, "reaperTid");
  Export<RefLoop>(exports, "reaperRef");
  Export<Running>(exports, "reaperRunning");
  Export<SetHandOn>(exports, "reaperSetHandOn");
  Export<SetForward>(exports, "reaperSetForward");
  Export<SetForwardChildren>(exports, "reaperSetForwardChildren");
  Export<SetForwardWhen>(exports, "reaperSetForwardWhen");
  Export<SentAgo>(exports, "reaperSentAgo");
  Export<HoldForward>(exports, "reaperHoldForward");
  Export<SetFaultFd>(exports, "reaperSetFaultFd");
  Export<SetReporting>(exports, "reaperSetReporting");
  Export<SpawnBegin>(exports, "spawnBegin");
  Export<SpawnEnd>(exports, "spawnEnd");
  Export<Release>(exports, "release");
  Export<SetExempt>(exports, "setExempt");
}

}  // namespace pid1

// Bindings of the reaper and the ownership registry. The reaper thread
// queues events natively and wakes JS through a thread-safe function that
// carries no data: JS takes the queue when it is ready, and stopping the
// reaper hands over whatever is left, synchronously.
#include <napi.h>

#include <mutex>
#include <unordered_set>

#include "core/ownership.h"
#include "core/reaper.h"
#include "napi/binding_util.h"

namespace pid1 {

namespace {

// JS thread of the owner env; env is null when the function is torn down.
// The callback only schedules JS's own drain: nothing a listener does runs
// here, so no exception can meet Node-API's (DEP0168) handling. Should the
// callback throw anyway, it becomes the process's uncaught exception.
void CallJs(Napi::Env env, Napi::Function callback, std::nullptr_t*, std::nullptr_t*) {
  if (env == nullptr || callback == nullptr) return;
  try {
    callback.Call({});
  } catch (const Napi::Error& error) {
    try {
      error.ThrowAsJavaScriptException();
    } catch (...) {
      // teardown: there is no JS left to tell
    }
  }
}

using Tsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, std::nullptr_t, CallJs>;

struct ReaperJs {
  Tsfn tsfn;
  napi_env owner = nullptr;  // the env that started the reaper
};
ReaperJs g_reaper_js;  // touched only on the owner's JS thread

void OnEnvCleanup(void* arg);

void StopReaper(bool from_hook) {
  TheReaper().Stop();
  if (g_reaper_js.owner != nullptr) {
    if (!from_hook) napi_remove_env_cleanup_hook(g_reaper_js.owner, OnEnvCleanup, g_reaper_js.owner);
    g_reaper_js.tsfn.Release();
    g_reaper_js.owner = nullptr;
  }
}

// The env that started the reaper is going away (Worker exit, process exit).
void OnEnvCleanup(void* arg) {
  if (g_reaper_js.owner == static_cast<napi_env>(arg)) StopReaper(true);
}

// Envs with the hook below: Node aborts on a hook added twice, and the
// addon can be initialised twice in one env (two copies of the package).
std::mutex g_envs_mutex;
std::unordered_set<napi_env> g_envs;

// Any env that loaded pid1 is going away: libuv will never collect the
// children its loop spawned, so they become the reaper's.
void ReleaseEnvChildren(void* arg) {
  {
    std::lock_guard<std::mutex> lock(g_envs_mutex);
    g_envs.erase(static_cast<napi_env>(arg));
  }
  Ownership::Get().ReleaseAll(reinterpret_cast<Ownership::Owner>(arg));
}

Ownership::Owner OwnerOf(const Napi::CallbackInfo& info) { return reinterpret_cast<Ownership::Owner>(static_cast<napi_env>(info.Env())); }

Napi::Int32Array ToInt32Array(Napi::Env env, const std::vector<int32_t>& events) {
  Napi::Int32Array out = Napi::Int32Array::New(env, events.size());
  std::copy(events.begin(), events.end(), out.Data());
  return out;
}

Napi::Int32Array TakeEvents(Napi::Env env) {
  std::vector<int32_t> events;
  TheReaper().Take(&events);
  return ToInt32Array(env, events);
}

// reaperStart(signals, onEvents)
Napi::Value Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (TheReaper().running()) Check(env, -EBUSY, "reaperStart");
  sigset_t set = ToSigset(info[0]);
  Tsfn tsfn = Tsfn::New(env, info[1].As<Napi::Function>(), "pid1-reaper", 0, 1);
  tsfn.Unref(env);  // the reaper never keeps the process alive by itself
  const char* step = nullptr;
  int err = TheReaper().Start(
      set,
      [tsfn]() mutable {
        // Reaper thread. NonBlockingCall with an unbounded queue never waits for JS.
        tsfn.NonBlockingCall();
      },
      &step);
  if (err != 0) {
    tsfn.Release();
    Check(env, err, step);
  }
  napi_add_env_cleanup_hook(env, OnEnvCleanup, env);
  g_reaper_js.tsfn = tsfn;
  g_reaper_js.owner = env;
  return env.Undefined();
}

// reaperTake() -> Int32Array of the events queued so far
Napi::Value Take(const Napi::CallbackInfo& info) { return TakeEvents(info.Env()); }

// reaperStop() -> Int32Array of the events the thread queued before it ended
Napi::Value Stop(const Napi::CallbackInfo& info) {
  StopReaper(false);
  return TakeEvents(info.Env());
}

// reaperReapStopped() -> Int32Array of the events of one reap pass run on
// this thread; the reaper must be stopped.
Napi::Value ReapStopped(const Napi::CallbackInfo& info) {
  std::vector<int32_t> events;
  Check(info.Env(), TheReaper().ReapWhileStopped(&events), "reaperReapStopped");
  return ToInt32Array(info.Env(), events);
}

// reaperRef(on): whether the reaper holds the event loop open (the pid1
// command waits on it for its child; init() never lets it).
Napi::Value RefLoop(const Napi::CallbackInfo& info) {
  if (g_reaper_js.owner == static_cast<napi_env>(info.Env())) {
    if (info[0].ToBoolean()) {
      g_reaper_js.tsfn.Ref(info.Env());
    } else {
      g_reaper_js.tsfn.Unref(info.Env());
    }
  }
  return info.Env().Undefined();
}

Napi::Value Tid(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), TheReaper().tid()); }

Napi::Value Running(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), TheReaper().running()); }

Napi::Value SetHandOn(const Napi::CallbackInfo& info) {
  TheReaper().SetHandOn(info[0].As<Napi::Number>().Int32Value(), info[1].ToBoolean());
  return info.Env().Undefined();
}

std::vector<int> ToInts(const Napi::Value& value) {
  std::vector<int> out;
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) out.push_back(array.Get(i).As<Napi::Number>().Int32Value());
  return out;
}

// setForward(target, leader, rewrite[]) where rewrite[sig] is the signal to
// send for sig (0 drops it).
Napi::Value SetForward(const Napi::CallbackInfo& info) {
  TheReaper().SetForward(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(), ToInts(info[2]));
  return info.Env().Undefined();
}

Napi::Value SetForwardChildren(const Napi::CallbackInfo& info) {
  TheReaper().SetForwardChildren(info[0].ToBoolean());
  return info.Env().Undefined();
}

// setForwardWhen(signal, when): when is one of protocol.forwardWhen.
Napi::Value SetForwardWhen(const Napi::CallbackInfo& info) {
  TheReaper().SetForwardWhen(info[0].As<Napi::Number>().Int32Value(), static_cast<ForwardWhen>(info[1].As<Napi::Number>().Int32Value()));
  return info.Env().Undefined();
}

// reaperSentAgo(signal, pid, pgrp, startTicks) -> ms since the last forward of
// signal reached that process, or -1
Napi::Value SentAgo(const Napi::CallbackInfo& info) {
  double ms = TheReaper().SentAgoMs(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(),
                                    info[2].As<Napi::Number>().Int32Value(), static_cast<uint64_t>(info[3].As<Napi::Number>().DoubleValue()));
  return Napi::Number::New(info.Env(), ms);
}

// reaperSetReporting(allReaps, quietSignals[])
Napi::Value SetReporting(const Napi::CallbackInfo& info) {
  TheReaper().SetReporting(info[0].ToBoolean(), ToInts(info[1]));
  return info.Env().Undefined();
}

Napi::Value HoldForward(const Napi::CallbackInfo& info) {
  TheReaper().HoldForward();
  return info.Env().Undefined();
}

Napi::Value SpawnBegin(const Napi::CallbackInfo& info) {
  Ownership::Get().SpawnBegin();
  return info.Env().Undefined();
}

Napi::Value SpawnEnd(const Napi::CallbackInfo& info) {
  Ownership::Get().SpawnEnd(info[0].As<Napi::Number>().Int32Value(), OwnerOf(info));
  return info.Env().Undefined();
}

Napi::Value Release(const Napi::CallbackInfo& info) {
  Ownership::Get().Release(info[0].As<Napi::Number>().Int32Value(), OwnerOf(info));
  return info.Env().Undefined();
}

Napi::Value SetExempt(const Napi::CallbackInfo& info) {
  Ownership::Get().SetExempt(info[0].As<Napi::Number>().Int32Value(), info[1].ToBoolean());
  return info.Env().Undefined();
}

// The native/JS protocol, written once in reaper.h and handed to JS.
Napi::Object Protocol(Napi::Env env) {
  Napi::Object protocol = Napi::Object::New(env);
  protocol.Set("eventInts", kEventInts);
  Napi::Object kinds = Napi::Object::New(env);
  kinds.Set("reap", static_cast<int32_t>(kEventReap));
  kinds.Set("signal", static_cast<int32_t>(kEventSignal));
  kinds.Set("error", static_cast<int32_t>(kEventError));
  protocol.Set("kinds", kinds);
  Napi::Object flags = Napi::Object::New(env);
  flags.Set("handedOn", kSignalHandedOn);
  flags.Set("forwarded", kSignalForwarded);
  protocol.Set("signalFlags", flags);
  Napi::Array syscalls = Napi::Array::New(env, kSyscallCount);
  for (int i = 0; i < kSyscallCount; i++) syscalls.Set(i, kReaperSyscallNames[i]);
  protocol.Set("syscalls", syscalls);
  Napi::Object when = Napi::Object::New(env);
  when.Set("always", static_cast<int32_t>(ForwardWhen::kAlways));
  when.Set("listening", static_cast<int32_t>(ForwardWhen::kListening));
  when.Set("never", static_cast<int32_t>(ForwardWhen::kNever));
  protocol.Set("forwardWhen", when);
  return protocol;
}

}  // namespace

void RegisterReaper(Napi::Env env, Napi::Object exports) {
  {
    std::lock_guard<std::mutex> lock(g_envs_mutex);
    if (g_envs.insert(env).second) napi_add_env_cleanup_hook(env, ReleaseEnvChildren, static_cast<napi_env>(env));
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
  Export<SetReporting>(exports, "reaperSetReporting");
  Export<SpawnBegin>(exports, "spawnBegin");
  Export<SpawnEnd>(exports, "spawnEnd");
  Export<Release>(exports, "release");
  Export<SetExempt>(exports, "setExempt");
}

}  // namespace pid1

// Bindings of the reaper and the ownership registry. The reaper thread
// reaches JS only through a thread-safe function, in batches.
#include <napi.h>

#include "binding_util.h"
#include "ownership.h"
#include "reaper.h"

namespace pid1 {

pid_t ReaperTid() { return TheReaper().tid(); }

namespace {

// Six int32 per event, so a batch of thousands crosses to JS as one typed
// array instead of thousands of objects:
//   reap:   0, pid, exit code (-1: none), signal (0: none), core dumped, 0
//   signal: 1, signal, sender pid, sender uid, si_code, 0
constexpr size_t kEventInts = 6;

void PackEvent(const ReaperEvent& event, int32_t* out) {
  if (event.kind == ReaperEvent::kReap) {
    const WaitResult& r = event.reap;
    out[0] = 0;
    out[1] = r.pid;
    out[2] = r.exit_code;
    out[3] = r.signal;
    out[4] = r.core_dumped ? 1 : 0;
  } else {
    const signalfd_siginfo& s = event.signal;
    out[0] = 1;
    out[1] = static_cast<int32_t>(s.ssi_signo);
    out[2] = static_cast<int32_t>(s.ssi_pid);
    out[3] = static_cast<int32_t>(s.ssi_uid);
    out[4] = s.ssi_code;
  }
  out[5] = 0;
}

// JS thread of the owner env; env is null when the function is torn down.
// Always frees the batch. Nothing may unwind into libuv: a listener that
// threw becomes the process's uncaught exception, as from any event source,
// and during environment teardown (calls into JS refused) the batch is
// dropped.
void CallJs(Napi::Env env, Napi::Function callback, std::nullptr_t*, ReaperBatch* batch) {
  std::unique_ptr<ReaperBatch> owned(batch);
  if (env == nullptr || callback == nullptr) return;
  try {
    Napi::Int32Array packed = Napi::Int32Array::New(env, batch->size() * kEventInts);
    for (size_t i = 0; i < batch->size(); i++) PackEvent((*batch)[i], packed.Data() + i * kEventInts);
    callback.Call({packed});
  } catch (const Napi::Error& error) {
    try {
      error.ThrowAsJavaScriptException();
    } catch (...) {
      // teardown: there is no JS left to tell
    }
  }
}

using Tsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, ReaperBatch, CallJs>;

struct ReaperJs {
  Tsfn tsfn;
  napi_env owner = nullptr;  // the env that started the reaper
  // Called once every batch queued before the stop has been delivered.
  Napi::FunctionReference on_drained;
};
ReaperJs g_reaper_js;  // touched only on the owner's JS thread

void OnEnvCleanup(void* arg);

// JS thread: the thread-safe function is finalised, so every batch queued
// before the stop was delivered. During teardown there is no JS to call.
void OnFinalize(Napi::Env env, void*, std::nullptr_t*) {
  if (g_reaper_js.on_drained.IsEmpty()) return;
  Napi::FunctionReference callback = std::move(g_reaper_js.on_drained);
  try {
    callback.Call({});
  } catch (const Napi::Error& error) {
    try {
      error.ThrowAsJavaScriptException();
    } catch (...) {
    }
  }
  (void)env;
}

// from_hook: called by the env's cleanup hook, which is removed by Node.
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

// reaperStart(signals, callback) -> reaper thread id
Napi::Value Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (TheReaper().running()) Check(env, -EBUSY, "pthread_create");
  sigset_t set = ToSigset(info[0]);
  Tsfn tsfn = Tsfn::New(env, info[1].As<Napi::Function>(), "pid1-reaper", 0, 1, nullptr, OnFinalize,
                        static_cast<void*>(nullptr));
  tsfn.Unref(env);  // the reaper never keeps the process alive by itself
  int err = TheReaper().Start(set, [tsfn](ReaperBatch* batch) mutable {
    // Reaper thread. NonBlockingCall with an unbounded queue never waits for JS.
    if (tsfn.NonBlockingCall(batch) != napi_ok) delete batch;
  });
  if (err != 0) {
    tsfn.Release();
    Check(env, err, "signalfd");
  }
  napi_add_env_cleanup_hook(env, OnEnvCleanup, env);
  g_reaper_js.tsfn = tsfn;
  g_reaper_js.owner = env;
  return env.Undefined();
}

// reaperStop(onDrained?)
Napi::Value Stop(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsFunction() && g_reaper_js.owner != nullptr) {
    g_reaper_js.on_drained = Napi::Persistent(info[0].As<Napi::Function>());
  }
  StopReaper(false);
  return info.Env().Undefined();
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

// setForward(target, leader, rewrite[]) where rewrite[sig] is the signal to
// send for sig (0 drops it).
Napi::Value SetForward(const Napi::CallbackInfo& info) {
  std::vector<int> rewrite;
  Napi::Array array = info[2].As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) rewrite.push_back(array.Get(i).As<Napi::Number>().Int32Value());
  TheReaper().SetForward(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(), rewrite);
  return info.Env().Undefined();
}

// reaperSetReporting(allReaps, quietSignals[])
Napi::Value SetReporting(const Napi::CallbackInfo& info) {
  std::vector<int> quiet;
  Napi::Array array = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) quiet.push_back(array.Get(i).As<Napi::Number>().Int32Value());
  TheReaper().SetReporting(info[0].ToBoolean(), quiet);
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
  Ownership::Get().SpawnEnd(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Value Release(const Napi::CallbackInfo& info) {
  Ownership::Get().Release(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Value SetExempt(const Napi::CallbackInfo& info) {
  Ownership::Get().SetExempt(info[0].As<Napi::Number>().Int32Value(), info[1].ToBoolean());
  return info.Env().Undefined();
}

}  // namespace

void RegisterReaper(Napi::Env env, Napi::Object exports) {
  exports.Set("reaperStart", Napi::Function::New(env, Start));
  exports.Set("reaperStop", Napi::Function::New(env, Stop));
  exports.Set("reaperTid", Napi::Function::New(env, Tid));
  exports.Set("reaperRef", Napi::Function::New(env, RefLoop));
  exports.Set("reaperRunning", Napi::Function::New(env, Running));
  exports.Set("reaperSetHandOn", Napi::Function::New(env, SetHandOn));
  exports.Set("reaperSetForward", Napi::Function::New(env, SetForward));
  exports.Set("reaperHoldForward", Napi::Function::New(env, HoldForward));
  exports.Set("reaperSetReporting", Napi::Function::New(env, SetReporting));
  exports.Set("spawnBegin", Napi::Function::New(env, SpawnBegin));
  exports.Set("spawnEnd", Napi::Function::New(env, SpawnEnd));
  exports.Set("release", Napi::Function::New(env, Release));
  exports.Set("setExempt", Napi::Function::New(env, SetExempt));
}

}  // namespace pid1

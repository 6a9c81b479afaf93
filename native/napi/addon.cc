// Registers the bindings; nothing else.
#include <napi.h>

#include "napi/binding_util.h"

namespace pid1 {
void RegisterPrimitives(Napi::Env env, Napi::Object exports);
void RegisterReaper(Napi::Env env, Napi::Object exports);
void RegisterCli(Napi::Env env, Napi::Object exports);
Napi::Value DefineFdWatcherJs(const Napi::CallbackInfo& info);
}  // namespace pid1

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  pid1::RegisterPrimitives(env, exports);
  pid1::RegisterReaper(env, exports);
  pid1::RegisterCli(env, exports);
  pid1::Export<pid1::DefineFdWatcherJs>(exports, "defineFdWatcher");
  return exports;
}

NODE_API_MODULE(pid1, Init)

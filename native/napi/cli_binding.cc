// Bindings used by the pid1 command alone (lib/cli/cli.ts): fault-signal
// forwarding and the terminal hand-off. Run on the JS thread that calls them.
#include <napi.h>

#include "kernel/faultfwd.h"
#include "kernel/tty.h"
#include "napi/binding_util.h"

namespace pid1 {
namespace {

// faultForwardStart(mask): the fd to read requests from.
Napi::Value FaultForwardStartJs(const Napi::CallbackInfo& info) {
  sigset_t set = ToSigset(info[0]);
  std::vector<int> signals;
  for (int sig = 1; sig < NSIG; sig++) {
    if (sigismember(&set, sig) == 1) signals.push_back(sig);
  }
  int fd = -1;
  Check(info.Env(), FaultForwardStart(signals, &fd), "sigaction");
  return Napi::Number::New(info.Env(), fd);
}

// faultForwardRead(fd): [signal, pid, uid, code, ...], four per request.
Napi::Value FaultForwardReadJs(const Napi::CallbackInfo& info) {
  std::vector<FaultRequest> requests;
  Check(info.Env(), FaultForwardRead(info[0].As<Napi::Number>().Int32Value(), &requests), "read");
  Napi::Array out = Napi::Array::New(info.Env(), requests.size() * 4);
  uint32_t i = 0;
  for (const FaultRequest& r : requests) {
    for (int32_t value : {r.signal, r.pid, r.uid, r.code}) out.Set(i++, Napi::Number::New(info.Env(), value));
  }
  return out;
}

void TtyDetachJs(const Napi::CallbackInfo& info) { Check(info.Env(), TtyDetach(info[0].As<Napi::Number>().Int32Value()), "ioctl"); }

}  // namespace

void RegisterCli(Napi::Env env, Napi::Object exports) {
  Export<FaultForwardStartJs>(exports, "faultForwardStart");
  Export<FaultForwardReadJs>(exports, "faultForwardRead");
  Export<TtyDetachJs>(exports, "ttyDetach");
}

}  // namespace pid1

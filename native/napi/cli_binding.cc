// Bindings used by the pid1 command alone (lib/cli/cli.ts): fault-signal
// forwarding (whose requests the reaper thread reads: reaperSetFaultFd) and
// the terminal hand-off. Run on the JS thread that calls them.
#include <napi.h>

#include "kernel/faultfwd.h"
#include "kernel/tty.h"
#include "napi/binding_util.h"

namespace pid1 {
namespace {

// faultForwardStart(maskLow, maskHigh): the fd to read requests from.
Napi::Value FaultForwardStartJs(const Napi::CallbackInfo& info) {
  int fd = -1;
  if (Failed(info.Env(), FaultForwardStart(ToSignalList(info[0], info[1]), &fd), "sigaction")) return Napi::Value();
  return Napi::Number::New(info.Env(), fd);
}

void TtyDetachJs(const Napi::CallbackInfo& info) { Failed(info.Env(), TtyDetach(info[0].As<Napi::Number>().Int32Value()), "ioctl"); }

}  // namespace

void RegisterCli(Napi::Env, Napi::Object exports) {
  Export<FaultForwardStartJs>(exports, "faultForwardStart");
  Export<TtyDetachJs>(exports, "ttyDetach");
}

}  // namespace pid1

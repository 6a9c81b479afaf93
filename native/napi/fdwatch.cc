// FdWatcher: calls a JS function whenever an fd becomes readable, driven by
// libuv's poll handle on the loop of the thread that created it. This is how
// a signalfd or a pidfd is read from JS without polling.
#include <napi.h>
#include <uv.h>

#include <cstdlib>

#include "napi/binding_util.h"

namespace pid1 {
namespace {

class FdWatcher : public Napi::ObjectWrap<FdWatcher> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FdWatcher",
                       {InstanceMethod<&FdWatcher::Start>("start"), InstanceMethod<&FdWatcher::Stop>("stop"),
                        InstanceMethod<&FdWatcher::Close>("close"), InstanceMethod<&FdWatcher::Ref>("ref"),
                        InstanceMethod<&FdWatcher::Unref>("unref")});
  }

  // new FdWatcher(fd, callback)
  explicit FdWatcher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FdWatcher>(info) {
    Napi::Env env = info.Env();
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
      Napi::Error::New(env, "no event loop").ThrowAsJavaScriptException();
      return;
    }
    // Allocated by size: the layout of uv_poll_t is libuv's, not ours.
    handle_ = static_cast<uv_poll_t*>(std::calloc(1, uv_handle_size(UV_POLL)));
    int err = uv_poll_init(loop, handle_, info[0].As<Napi::Number>().Int32Value());
    if (err != 0) {
      std::free(handle_);
      handle_ = nullptr;
      ErrnoError(env, err, "uv_poll_init").ThrowAsJavaScriptException();
      return;
    }
    handle_->data = this;
  }

  ~FdWatcher() override {
    // Finalised without close(): the handle must still be closed by libuv.
    if (handle_ != nullptr) {
      handle_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(handle_), OnClosed);
    }
  }

 private:
  static void OnClosed(uv_handle_t* handle) { std::free(handle); }

  // Loop thread. Node-API called directly: node-addon-api's MakeCallback
  // would add an escapable scope and its checks, Node-API functions this
  // addon calls nowhere else. A JS exception in the callback is Node's
  // (napi_make_callback reports it as uncaught); nothing unwinds into libuv.
  static void OnReadable(uv_poll_t* handle, int status, int) {
    auto* self = static_cast<FdWatcher*>(handle->data);
    if (self == nullptr) return;
    napi_env env = self->Env();
    napi_handle_scope scope = nullptr;
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    napi_value receiver = self->Value();
    napi_value callback = self->callback_.Value();
    napi_value argument = nullptr;
    if (napi_create_double(env, status, &argument) == napi_ok) {
      napi_make_callback(env, nullptr, receiver, callback, 1, &argument, nullptr);
    }
    napi_close_handle_scope(env, scope);
  }

  void Start(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) Failed(info.Env(), uv_poll_start(handle_, UV_READABLE, OnReadable), "uv_poll_start");
  }

  void Stop(const Napi::CallbackInfo&) {
    if (handle_ != nullptr) uv_poll_stop(handle_);
  }

  void Ref(const Napi::CallbackInfo&) {
    if (handle_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(handle_));
  }

  void Unref(const Napi::CallbackInfo&) {
    if (handle_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
  }

  // Closes the libuv handle; the fd itself stays open and belongs to JS.
  void Close(const Napi::CallbackInfo&) {
    if (handle_ != nullptr) {
      handle_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(handle_), OnClosed);
      handle_ = nullptr;
    }
  }

  uv_poll_t* handle_ = nullptr;
  Napi::FunctionReference callback_;
};

}  // namespace

// defineFdWatcher() -> the class. Defined when JS first needs it (lib/kernel/
// native.ts keeps it): an app that watches no fd looks up none of the
// Node-API functions a class needs.
Napi::Value DefineFdWatcherJs(const Napi::CallbackInfo& info) { return FdWatcher::Define(info.Env()); }

}  // namespace pid1

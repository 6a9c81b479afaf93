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
    if (napi_get_uv_event_loop(env, &loop) != napi_ok) throw Napi::Error::New(env, "no event loop");
    // Allocated by size: the layout of uv_poll_t is libuv's, not ours.
    handle_ = static_cast<uv_poll_t*>(std::calloc(1, uv_handle_size(UV_POLL)));
    int err = uv_poll_init(loop, handle_, info[0].As<Napi::Number>().Int32Value());
    if (err != 0) {
      std::free(handle_);
      handle_ = nullptr;
      throw ErrnoError(env, err, "uv_poll_init");
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

  // Loop thread.
  static void OnReadable(uv_poll_t* handle, int status, int) {
    auto* self = static_cast<FdWatcher*>(handle->data);
    if (self == nullptr) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    try {
      self->callback_.MakeCallback(self->Value(), {Napi::Number::New(env, status)});
    } catch (const Napi::Error& error) {
      try {
        error.ThrowAsJavaScriptException();  // never unwind into libuv
      } catch (...) {
      }
    }
  }

  Napi::Value Start(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) Check(info.Env(), uv_poll_start(handle_, UV_READABLE, OnReadable), "uv_poll_start");
    return info.Env().Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) uv_poll_stop(handle_);
    return info.Env().Undefined();
  }

  Napi::Value Ref(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(handle_));
    return info.Env().Undefined();
  }

  Napi::Value Unref(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
    return info.Env().Undefined();
  }

  // Closes the libuv handle; the fd itself stays open and belongs to JS.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) {
      handle_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(handle_), OnClosed);
      handle_ = nullptr;
    }
    return info.Env().Undefined();
  }

  uv_poll_t* handle_ = nullptr;
  Napi::FunctionReference callback_;
};

}  // namespace

Napi::Function DefineFdWatcher(Napi::Env env) { return FdWatcher::Define(env); }

}  // namespace pid1

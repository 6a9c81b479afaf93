#include "napi/binding_util.h"

#include <cstring>

#include "kernel/errname.h"

namespace pid1 {

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall) {
  int positive = err < 0 ? -err : err;
  const char* code = ErrnoName(positive);
  std::string message = std::string(syscall) + " " + code + ": " + std::strerror(positive);
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, -positive));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

sigset_t ToSigset(const Napi::Value& value) {
  sigset_t set;
  sigemptyset(&set);
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    sigaddset(&set, array.Get(i).As<Napi::Number>().Int32Value());
  }
  return set;
}

Napi::Array FromSigset(Napi::Env env, const sigset_t& set) {
  Napi::Array array = Napi::Array::New(env);
  uint32_t n = 0;
  for (int sig = 1; sig < NSIG; sig++) {
    if (sigismember(&set, sig) == 1) array.Set(n++, Napi::Number::New(env, sig));
  }
  return array;
}

std::vector<std::string> ToStrings(const Napi::Value& value) {
  std::vector<std::string> out;
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) out.push_back(array.Get(i).As<Napi::String>().Utf8Value());
  return out;
}

}  // namespace pid1

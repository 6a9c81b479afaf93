#include "napi/binding_util.h"

#include <cstdio>
#include <cstring>

#include "kernel/errname.h"

namespace pid1 {

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall) {
  int positive = err < 0 ? -err : err;
  const char* code = ErrnoName(positive);
  char message[256];
  std::snprintf(message, sizeof message, "%s %s: %s", syscall, code, std::strerror(positive));
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", code);
  error.Set("errno", Napi::Number::New(env, -positive));
  error.Set("syscall", syscall);
  return error;
}

sigset_t ToSigset(const Napi::Value& value) {
  sigset_t set;
  sigemptyset(&set);
  bool lossless = true;
  uint64_t mask = value.As<Napi::BigInt>().Uint64Value(&lossless);
  for (int sig = 1; sig <= 64 && sig < NSIG; sig++) {
    if (mask & (uint64_t{1} << (sig - 1))) sigaddset(&set, sig);
  }
  return set;
}

Napi::Value FromSigset(Napi::Env env, const sigset_t& set) {
  uint64_t mask = 0;
  for (int sig = 1; sig <= 64 && sig < NSIG; sig++) {
    if (sigismember(&set, sig) == 1) mask |= uint64_t{1} << (sig - 1);
  }
  return Napi::BigInt::New(env, mask);
}

Napi::Object Constants(Napi::Env env, std::initializer_list<std::pair<const char*, int32_t>> values) {
  Napi::Object object = Napi::Object::New(env);
  for (const auto& [name, value] : values) object.Set(name, value);
  return object;
}

std::vector<int> ToSignalList(const Napi::Value& value) {
  sigset_t set = ToSigset(value);
  std::vector<int> signals;
  for (int sig = 1; sig < NSIG; sig++) {
    if (sigismember(&set, sig) == 1) signals.push_back(sig);
  }
  return signals;
}

bool Flag(const Napi::Value& value) {
  bool flag = false;
  return napi_get_value_bool(value.Env(), value, &flag) == napi_ok && flag;
}

CString ToCString(const Napi::Value& value) {
  size_t length = 0;
  napi_get_value_string_utf8(value.Env(), value, nullptr, 0, &length);
  CString out(length + 1, '\0');
  napi_get_value_string_utf8(value.Env(), value, out.data(), out.size(), &length);
  return out;
}

std::vector<CString> ToCStrings(const Napi::Value& value) {
  std::vector<CString> out;
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) out.push_back(ToCString(array.Get(i)));
  return out;
}

}  // namespace pid1

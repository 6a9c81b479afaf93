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

namespace {

uint32_t Bits(const Napi::Value& value) {
  int32_t bits = 0;
  napi_get_value_int32(value.Env(), value, &bits);  // not a number: 0, no bit
  return static_cast<uint32_t>(bits);
}

}  // namespace

sigset_t ToSigset(const Napi::Value& low, const Napi::Value& high) {
  sigset_t set;
  sigemptyset(&set);
  uint64_t mask = (uint64_t{Bits(high)} << 32) | Bits(low);
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
  uint8_t bytes[8];
  for (int i = 0; i < 8; i++) bytes[i] = static_cast<uint8_t>(mask >> (8 * i));
  return BufferCopy(env, bytes, sizeof bytes);
}

Napi::Value BufferCopy(Napi::Env env, const void* bytes, size_t size) {
  napi_value out = nullptr;
  void* data = nullptr;
  napi_status status = napi_create_buffer_copy(env, size, bytes, &data, &out);
  NAPI_THROW_IF_FAILED(env, status, Napi::Value());
  return Napi::Value(env, out);
}

Napi::Object Constants(Napi::Env env, std::initializer_list<std::pair<const char*, int32_t>> values) {
  Napi::Object object = Napi::Object::New(env);
  for (const auto& [name, value] : values) object.Set(name, value);
  return object;
}

std::vector<int> ToSignalList(const Napi::Value& low, const Napi::Value& high) {
  sigset_t set = ToSigset(low, high);
  std::vector<int> signals;
  for (int sig = 1; sig < NSIG; sig++) {
    if (sigismember(&set, sig) == 1) signals.push_back(sig);
  }
  return signals;
}

bool Flag(const Napi::Value& value) {
  int32_t flag = 0;
  return napi_get_value_int32(value.Env(), value, &flag) == napi_ok && flag != 0;
}

CString ToCString(const Napi::Value& value) {
  size_t length = 0;
  napi_get_value_string_utf8(value.Env(), value, nullptr, 0, &length);
  CString out(length + 1, '\0');
  napi_get_value_string_utf8(value.Env(), value, out.data(), out.size(), &length);
  return out;
}

std::vector<CString> ToCStringList(const Napi::Value& value) {
  CString all = ToCString(value);  // ends with the terminator ToCString adds
  std::vector<CString> out;
  size_t start = 0;
  for (size_t i = 0; i + 1 < all.size(); i++) {
    if (all[i] != '\0') continue;
    out.emplace_back(all.begin() + start, all.begin() + i + 1);  // with its NUL
    start = i + 1;
  }
  return out;
}

}  // namespace pid1

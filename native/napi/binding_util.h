// Helpers shared by the binding files: Node-style errors and argument
// conversion. Arguments were validated in TypeScript; these only convert.
#pragma once

#include <napi.h>
#include <signal.h>

#include <string>
#include <vector>

namespace pid1 {

// An Error like Node's own: message "syscall CODE: text", code, errno
// (negative), syscall. `err` is a negative errno.
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall);

// Throws ErrnoError when err != 0.
inline void Check(Napi::Env env, int err, const char* syscall) {
  if (err != 0) throw ErrnoError(env, err, syscall);
}

sigset_t ToSigset(const Napi::Value& value);          // array of signal numbers
Napi::Array FromSigset(Napi::Env env, const sigset_t& set);
std::vector<std::string> ToStrings(const Napi::Value& value);

// exports[name] = a function whose callback is known at compile time. The
// runtime form (Function::New(env, fn)) allocates callback data and attaches a
// finalizer to each function: one more Node-API symbol bound at load, and
// work and memory for every export.
template <Napi::Function::Callback cb>
void Export(Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New<cb>(exports.Env(), name));
}

}  // namespace pid1

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

}  // namespace pid1

// Helpers shared by the binding files: Node-style errors and argument
// conversion. Arguments were validated in TypeScript; these only convert.
//
// Every distinct Node-API function the addon calls is looked up in node's
// symbol table on its first call, and each look-up pages part of that table
// in (docs/runtime-facts.md, 35). So the usual paths use few: numbers and
// booleans cross as themselves, signal sets as one BigInt, arrays and
// objects only where a caller needs one. test/package/binding.test.js holds
// each face to a budget.
#pragma once

#include <napi.h>
#include <signal.h>

#include <initializer_list>
#include <utility>
#include <vector>

#include "kernel/spawn.h"

namespace pid1 {

// An Error like Node's own: message "syscall CODE: text", code, errno
// (negative), syscall. `err` is a negative errno.
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall);

// When err != 0: makes ErrnoError the pending JS exception and returns
// true, and the caller returns at once. The addon is built without C++
// exceptions (binding.gyp): an error reaches JS this way only.
inline bool Failed(Napi::Env env, int err, const char* syscall) {
  if (err == 0) return false;
  ErrnoError(env, err, syscall).ThrowAsJavaScriptException();
  return true;
}

// A signal set as a BigInt mask: bit n-1 stands for signal n (1 to 64).
sigset_t ToSigset(const Napi::Value& value);
Napi::Value FromSigset(Napi::Env env, const sigset_t& set);
// The same mask as a list of signal numbers, ascending.
std::vector<int> ToSignalList(const Napi::Value& value);
// An object of named integer constants, handed to JS once: the values JS
// passes back (flags, kinds), written where the C++ defines them.
Napi::Object Constants(Napi::Env env, std::initializer_list<std::pair<const char*, int32_t>> values);

// A boolean argument: true or false, as the TypeScript types say; anything
// else reads as false. (ToBoolean() would call two Node-API functions.)
bool Flag(const Napi::Value& value);
// A string argument as UTF-8, and an array of them.
CString ToCString(const Napi::Value& value);
std::vector<CString> ToCStrings(const Napi::Value& value);

// exports[name] = a function whose callback is known at compile time. The
// runtime form (Function::New(env, fn)) allocates callback data and attaches a
// finalizer to each function: one more Node-API symbol bound at load, and
// work and memory for every export.
// A function that returns nothing returns no value at all, which JS sees
// as undefined: no napi_get_undefined.
template <Napi::Function::Callback cb>
void Export(Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New<cb>(exports.Env(), name));
}
template <Napi::Function::VoidCallback cb>
void Export(Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New<cb>(exports.Env(), name));
}

}  // namespace pid1

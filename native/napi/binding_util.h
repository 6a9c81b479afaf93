// Helpers shared by the binding files: Node-style errors and argument
// conversion. Arguments were validated in TypeScript; these only convert.
//
// Every distinct Node-API function the addon calls is looked up in node's
// symbol table on its first call, and each look-up pages part of that table
// in (docs/runtime-facts.md, 35). So the usual paths use few, and none but
// numbers where a number will do: flags cross as 1 or 0 (booleans would
// take two more functions, one each way), signal sets as two 32-bit numbers
// in and an 8-byte Buffer out (a BigInt, two more), arrays and objects only
// where a caller needs one. test/package/binding.test.js holds each face to
// a budget and names the functions that must stay out of it.
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

// A signal set as a 64-bit mask, bit n-1 for signal n (1 to 64). In: two
// numbers, the low and the high 32 bits (read as uint32: runtime-facts 38).
// Out: 8 bytes, little-endian, in a Buffer.
sigset_t ToSigset(const Napi::Value& low, const Napi::Value& high);
Napi::Value FromSigset(Napi::Env env, const sigset_t& set);
// The same mask as a list of signal numbers, ascending.
std::vector<int> ToSignalList(const Napi::Value& low, const Napi::Value& high);
// An object of named integer constants, handed to JS once: the values JS
// passes back (flags, kinds), written where the C++ defines them.
Napi::Object Constants(Napi::Env env, std::initializer_list<std::pair<const char*, int32_t>> values);

// A flag argument: 1 or 0, as the TypeScript types say; any other number
// but 0 reads as set, anything not a number as clear.
bool Flag(const Napi::Value& value);
// A copy of `size` bytes in a new Buffer: how the addon hands JS a mask or
// a batch of events, with the one Node-API function both use.
Napi::Value BufferCopy(Napi::Env env, const void* bytes, size_t size);
// A flag to return: the number 1 or 0.
inline Napi::Value FlagValue(Napi::Env env, bool on) { return Napi::Number::New(env, on ? 1 : 0); }
// A string argument as UTF-8, and a list of them passed as one string, each
// followed by a NUL ("a\0\0b\0" is "a", "", "b"; "" is none): one Node-API
// function for the whole list, where an array takes three more. The NULs
// survive napi_get_value_string_utf8 (runtime-facts 38).
CString ToCString(const Napi::Value& value);
std::vector<CString> ToCStringList(const Napi::Value& value);

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

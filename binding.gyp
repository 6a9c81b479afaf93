{
  # Two targets, as the floors are: the kernel and the core are plain C++ (no
  # Node-API) in a static library, linked into the addon with the napi floor.
  # On x64 the addon is bound lazily (-z lazy: zig's linker, which makes the
  # prebuilds, binds everything at load by default), so that a Node-API
  # function is looked up in node's symbol table only when first called:
  # each look-up pages part of that table in (docs/runtime-facts.md, 35).
  # The library is compiled with -fno-plt: every libc function it calls goes
  # through a GOT entry filled at load, so code that runs between fork and
  # exec, in a signal handler or on the reaper thread never enters the
  # dynamic linker's lazy resolver (36). The compilers at hand honour
  # -fno-plt on x64 only; elsewhere the addon is bound at load (-z now).
  # Both targets are built without C++ exceptions (node-gyp's default, and
  # node-addon-api's target without them): an error reaches JS as a pending
  # exception (Failed() in native/napi/binding_util.h), and nothing links
  # libc++'s exception runtime, which was two thirds of a prebuilt addon (37).
  "target_defaults": {
    "include_dirs": ["native"],
    "defines": ["NAPI_VERSION=8"],
    "cflags": ["-Wall", "-Wextra", "-fstack-protector-strong", "-fvisibility=hidden"],
    "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fstack-protector-strong", "-fvisibility=hidden"]
  },
  "targets": [
    {
      "target_name": "pid1_floors",
      "conditions": [
        ["OS=='linux'", {
          "type": "static_library",
          "sources": [
            "native/core/ownership.cc",
            "native/core/reaper.cc",
            "native/kernel/errname.cc",
            "native/kernel/subreaper.cc",
            "native/kernel/sigmask.cc",
            "native/kernel/signalfd.cc",
            "native/kernel/wait.cc",
            "native/kernel/new.cc",
            "native/kernel/pidfd.cc",
            "native/kernel/spawn.cc",
            "native/kernel/procstat.cc",
            "native/kernel/faultfwd.cc",
            "native/kernel/tty.cc"
          ],
          "cflags": ["-fPIC", "-fno-plt"],
          "cflags_cc": ["-fPIC", "-fno-plt"]
        }, {
          "type": "none"
        }]
      ]
    },
    {
      "target_name": "pid1",
      "conditions": [
        ["OS=='linux'", {
          "sources": [
            "native/napi/addon.cc",
            "native/napi/binding.cc",
            "native/napi/binding_util.cc",
            "native/napi/reaper_binding.cc",
            "native/napi/fdwatch.cc",
            "native/napi/cli_binding.cc"
          ],
          "dependencies": [
            "pid1_floors",
            "<!(node -p \"require('node-addon-api').targets\"):node_addon_api"
          ],
          "ldflags": ["-pthread"],
          "conditions": [
            ["target_arch=='x64'", {"ldflags": ["-Wl,-z,lazy"]}, {"ldflags": ["-Wl,-z,now"]}]
          ]
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}

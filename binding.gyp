{
  "targets": [
    {
      "target_name": "pid1",
      "conditions": [
        ["OS=='linux'", {
          "sources": [
            "native/napi/addon.cc",
            "native/napi/binding.cc",
            "native/napi/binding_util.cc",
            "native/napi/reaper_binding.cc",
            "native/core/ownership.cc",
            "native/kernel/errname.cc",
            "native/kernel/subreaper.cc",
            "native/kernel/sigmask.cc",
            "native/kernel/signalfd.cc",
            "native/kernel/wait.cc",
            "native/kernel/pidfd.cc",
            "native/kernel/spawn.cc",
            "native/napi/fdwatch.cc",
            "native/core/reaper.cc",
            "native/kernel/procstat.cc",
            "native/kernel/faultfwd.cc",
            "native/kernel/tty.cc",
            "native/napi/cli_binding.cc"
          ],
          "dependencies": [
            "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
          ],
          "include_dirs": ["native"],
          "defines": ["NAPI_VERSION=8"],
          "cflags": ["-Wall", "-Wextra", "-fstack-protector-strong", "-fvisibility=hidden"],
          "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fstack-protector-strong", "-fvisibility=hidden"],
          "ldflags": ["-pthread"]
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
